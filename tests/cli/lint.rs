//! cfn-lint over every template byoa emits for every example and environment, in ONE cfn-lint
//! process (its start-up dominates). cfn-lint comes from the tool venv that `scripts/test`
//! builds; running this test without it fails with instructions rather than skipping.

use std::process::Command;

use crate::{examples, synth_to};

/// Findings accepted on purpose, each with its reason. Empty: every finding fails the test.
const ACCEPTED: &[(&str, &str)] = &[];

fn cfn_lint() -> String {
    if let Some(p) = std::env::var_os("BYOA_CFN_LINT") {
        return p.into_string().expect("UTF-8 path");
    }
    let venv = crate::root().join(".tools/venv/bin/cfn-lint");
    assert!(
        venv.is_file(),
        "cfn-lint not found: run the suite with `scripts/test` (it builds .tools/venv), \
         or set BYOA_CFN_LINT"
    );
    venv.to_str().expect("UTF-8 path").to_owned()
}

#[test]
fn every_emitted_template_passes_cfn_lint() {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for (spec, envs) in examples() {
        for env in &envs {
            let dir = synth_to(&spec, Some(env), "yaml");
            let manifest = byoa::synth::read_manifest(dir.path()).expect("manifest");
            for t in manifest.templates {
                files.push(dir.path().join(t.file));
            }
            dirs.push(dir);
        }
    }
    assert!(files.len() >= 2, "nothing to lint: {files:?}");
    // `-c I` adds informational checks such as I3011 (stateful resource without
    // DeletionPolicy/UpdateReplacePolicy).
    let out = Command::new(cfn_lint())
        .args(["-c", "I", "-f", "parseable", "--"])
        .args(&files)
        .output()
        .expect("cfn-lint runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<&str> = text
        .lines()
        .filter(|l| {
            !ACCEPTED
                .iter()
                .any(|(rule, _)| l.contains(&format!(":{rule}:")))
        })
        .collect();
    assert!(
        findings.is_empty() && (out.status.success() || !text.is_empty()),
        "cfn-lint findings in {} templates:\n{}\n{}",
        files.len(),
        findings.join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    drop(dirs);
}
