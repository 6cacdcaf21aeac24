//! End-to-end tests of byoa: the CLI driven in-process (and as a process where the exit code or
//! a pipe matters), snapshots of templates and diagnostics, cfn-lint over every emitted
//! template, and property tests. One integration test binary: linking is the slow part.

mod access_eval;
mod check;
mod compute;
mod cost;
mod customers;
mod deploy;
mod deploy_network;
mod deploy_root;
mod diagnostics;
mod diff;
mod fleet;
mod inputs;
mod launch;
mod launch_page;
mod layers;
mod lint;
mod out_dir;
mod pricing_derive;
mod properties;
mod recipe;
mod secrets;
mod sources;
mod synth;

use std::path::{Path, PathBuf};

/// Runs the CLI in-process; returns (exit code, stdout, stderr).
pub fn byoa(args: &[&str]) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv: Vec<&str> = std::iter::once("byoa")
        .chain(args.iter().copied())
        .collect();
    let code = byoa::run(argv, &mut out, &mut err, false);
    (
        code,
        String::from_utf8(out).expect("stdout is UTF-8"),
        String::from_utf8(err).expect("stderr is UTF-8"),
    )
}

/// Whether `script` (a generator under scripts/, run offline with the python of the pinned
/// cfn-lint's venv and `--out FILE`) writes exactly the committed file `committed`.
pub fn generated(script: &str, committed: &str) -> bool {
    let python = match std::env::var_os("BYOA_CFN_LINT") {
        Some(lint) => Path::new(&lint).with_file_name("python"),
        None => root().join(".tools/venv/bin/python"),
    };
    assert!(
        python.is_file(),
        "{} not found: run the suite with `scripts/test` (it builds .tools/venv)",
        python.display()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("generated");
    let status = std::process::Command::new(python)
        .arg(root().join(script))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the generator runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let generated = std::fs::read_to_string(&out).expect("written");
    let committed = std::fs::read_to_string(root().join(committed)).expect("committed file");
    generated == committed
}

/// The repository root (tests run there, so relative paths in messages stay stable).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every example spec with the environments it defines.
pub fn examples() -> Vec<(PathBuf, Vec<String>)> {
    let mut out = Vec::new();
    let dir = root().join("examples");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .map(|e| e.expect("readable").path())
        .collect();
    entries.sort();
    for d in entries {
        let spec = d.join("byoa.yaml");
        if !spec.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&spec).expect("example readable");
        let loaded = byoa::spec::source::parse(&spec, &text).expect("example parses");
        let envs = loaded
            .value
            .get("environments")
            .and_then(|e| e.as_object())
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        out.push((spec, envs));
    }
    out
}

/// Synthesizes `spec` for `env` into a fresh temporary directory.
pub fn synth_to(spec: &Path, env: Option<&str>, format: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = spec.to_str().expect("UTF-8 path");
    let out = dir.path().to_str().expect("UTF-8 path");
    let mut args = vec!["synth", spec, "--out", out, "--format", format];
    if let Some(env) = env {
        args.extend(["--env", env]);
    }
    let (code, _, err) = byoa(&args);
    assert_eq!(code, 0, "synth {spec} {env:?} failed:\n{err}");
    dir
}
