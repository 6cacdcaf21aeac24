//! `byoa validate`: loads and validates the spec (one environment, or every one) and reports
//! every diagnostic; exit 2 when any is an error.

use std::io;

use super::Ctx;
use crate::diag::Diagnostic;
use crate::report::DiagFormat;
use crate::{cli, exit, policy, spec};

pub fn run(ctx: &mut Ctx<'_>, args: &cli::ValidateArgs) -> io::Result<i32> {
    let diags = match &args.spec.env {
        Some(env) => match spec::load(&args.spec.spec, Some(env), policy::catalogue()) {
            Ok(loaded) => loaded.warnings,
            Err(diags) => diags,
        },
        None => spec::check_all(&args.spec.spec, policy::catalogue()),
    };
    ctx.report(&diags, args.format)?;
    let errors = diags.iter().any(Diagnostic::is_error);
    if !errors && !ctx.quiet && args.format == DiagFormat::Human {
        writeln!(ctx.err, "{} is valid", args.spec.spec.display())?;
    }
    Ok(if errors { exit::ERROR } else { exit::OK })
}
