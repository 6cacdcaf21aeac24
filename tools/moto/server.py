"""moto's server, with the corrections byoa's templates need to execute on it.

scripts/test starts this instead of `moto_server` (same arguments). The package `corrections`
holds one module per AWS service; each module's docstring says what it corrects or emulates, the
AWS documentation it follows, and what it leaves out. Rules for a correction: it makes moto
behave as AWS documents and never makes byoa's tests easier than AWS would; where moto 5.2.5
does not emulate a resource type at all, the emulation is the smallest faithful one (a physical
id and the `Ref`/`Fn::GetAtt` values AWS documents). Delete a correction when the pinned moto
(tools/requirements.lock) fixes it.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import corrections  # noqa: E402,F401  (applies the corrections)

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
