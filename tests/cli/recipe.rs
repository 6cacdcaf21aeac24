//! The pull-request recipe run as written, so it cannot rot: every `byoa` line of
//! `docs/byoa-workflow.yml`, in order, in a checkout whose `byoa.yaml` has a finding, the way a
//! runner runs it (from the checkout's root, `> file` writing the file, a step marked
//! `continue-on-error` allowed to exit 1). The SARIF the workflow uploads must be valid and
//! point at `byoa.yaml`'s lines, by the repository-relative path code scanning annotates. The
//! pre-commit hook of `.pre-commit-hooks.yaml` runs its entry the same way: it fails on that
//! checkout and passes on a clean one.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::check::{assert_valid_sarif, weaken_tls};
use crate::root;

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A byoa command line of the recipe: its arguments and the file its output goes to.
struct Line {
    args: Vec<String>,
    stdout_to: Option<String>,
    /// The step may fail (findings) without stopping the job.
    may_fail: bool,
}

/// `byoa synth byoa.yaml --env prod`, `byoa check ... > byoa.sarif`: words, one redirection.
fn parse(line: &str, may_fail: bool) -> Line {
    // What this parser does not do, the recipe must not need.
    assert!(
        !line.contains(['"', '\'', '$', '|', '&', ';', '<', '`']),
        "keep the recipe's byoa lines plain words: {line}"
    );
    let (command, stdout_to) = match line.split_once('>') {
        Some((command, file)) => (command, Some(file.trim().to_owned())),
        None => (line, None),
    };
    let mut words = command.split_whitespace().map(str::to_owned);
    assert_eq!(words.next().as_deref(), Some("byoa"), "{line}");
    Line {
        args: words.collect(),
        stdout_to,
        may_fail,
    }
}

/// The workflow's byoa lines, in order, the SARIF file it uploads and the paths it caches.
fn workflow() -> (Vec<Line>, String, Vec<String>) {
    let doc = yaml("docs/byoa-workflow.yml");
    let mut lines = Vec::new();
    let mut sarif = None;
    let mut cached = Vec::new();
    for job in doc["jobs"].as_object().expect("jobs").values() {
        for step in job["steps"].as_array().expect("steps") {
            let uses = step["uses"].as_str().unwrap_or_default();
            if uses.starts_with("github/codeql-action/upload-sarif") {
                sarif = step["with"]["sarif_file"].as_str().map(str::to_owned);
            }
            if uses.starts_with("actions/cache") {
                cached.extend(step["with"]["path"].as_str().map(str::to_owned));
            }
            let may_fail = step["continue-on-error"] == true;
            let run = step["run"].as_str().unwrap_or_default();
            for line in run.lines().map(str::trim) {
                if line.starts_with("byoa ") {
                    lines.push(parse(line, may_fail));
                }
            }
        }
    }
    (
        lines,
        sarif.expect("the workflow uploads a SARIF file"),
        cached,
    )
}

/// Runs the byoa binary in `dir`; returns its exit code and what it wrote.
fn run(dir: &Path, line: &Line) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_byoa"))
        .args(&line.args)
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    if let Some(file) = &line.stdout_to {
        std::fs::write(dir.join(file), &stdout).unwrap();
    }
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

/// A checkout: acme-api's spec as the repository's `byoa.yaml`.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("examples/acme-api/byoa.yaml"),
        dir.path().join("byoa.yaml"),
    )
    .unwrap();
    dir
}

#[test]
fn the_workflow_as_written_uploads_sarif_on_the_spec_lines() {
    let (lines, sarif_file, cached) = workflow();
    assert!(
        lines
            .iter()
            .any(|l| l.args.first().map(String::as_str) == Some("synth")),
        "the recipe synthesizes"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.args.first().map(String::as_str) == Some("check")),
        "the recipe checks"
    );
    let repo = checkout();
    let line = weaken_tls(&repo.path().join("byoa.yaml"));
    for l in &lines {
        let (code, stdout, stderr) = run(repo.path(), l);
        let allowed: &[i32] = if l.may_fail { &[0, 1] } else { &[0] };
        assert!(
            allowed.contains(&code),
            "byoa {} exited {code}:\n{stdout}\n{stderr}",
            l.args.join(" ")
        );
    }
    // The outcome cache the workflow keeps between runs is the file the check wrote.
    let outcomes = cached
        .iter()
        .find(|p| !p.starts_with('~'))
        .expect("the workflow caches the check's outcomes");
    assert!(repo.path().join(outcomes).is_file(), "{outcomes}");
    let sarif = std::fs::read_to_string(repo.path().join(&sarif_file)).unwrap();
    let doc: Value = serde_json::from_str(&sarif).unwrap();
    assert_valid_sarif(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty(), "{sarif}");
    // Every finding lands on byoa.yaml (repository-relative), the TLS one on its own line.
    for result in results {
        let primary = &result["locations"][0]["physicalLocation"];
        assert_eq!(primary["artifactLocation"]["uri"], "byoa.yaml", "{result}");
    }
    let tls = results
        .iter()
        .find(|r| r["ruleId"] == "ELBV2_HTTPS_LISTENER_MODERN_TLS")
        .expect("the weakened TLS policy is found");
    assert_eq!(
        tls["locations"][0]["physicalLocation"]["region"]["startLine"],
        line
    );
}

#[test]
fn the_pre_commit_hook_fails_on_a_finding_and_passes_a_clean_spec() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    assert!(!hooks.is_empty());
    for hook in hooks {
        // Run as the hook's documented configuration does: with the environment to check.
        let entry = hook["entry"].as_str().expect("an entry");
        let line = parse(&format!("{entry} --env prod"), false);
        assert_eq!(hook["pass_filenames"], false, "{hook}");
        let clean = checkout();
        let (code, stdout, stderr) = run(clean.path(), &line);
        assert_eq!(code, 0, "{entry} on a clean spec:\n{stdout}\n{stderr}");
        let weak = checkout();
        let spec_line = weaken_tls(&weak.path().join("byoa.yaml"));
        let (code, stdout, _) = run(weak.path(), &line);
        assert_eq!(code, 1, "{entry} on a finding:\n{stdout}");
        assert!(
            stdout.contains(&format!("byoa.yaml:{spec_line} ")),
            "{entry} names the spec line:\n{stdout}"
        );
    }
}
