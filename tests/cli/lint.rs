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
    // The network fixture: the customer's VPC, and byoa's VPC with endpoints and no NAT.
    let network = crate::root().join("tests/fixtures/network/byoa.yaml");
    for env in ["customer-vpc", "endpoints"] {
        let dir = synth_to(&network, Some(env), "yaml");
        let manifest = byoa::synth::read_manifest(dir.path()).expect("manifest");
        for t in manifest.templates {
            files.push(dir.path().join(t.file));
        }
        dirs.push(dir);
    }
    // The compute fixture (arm64, sidecars, Spot in dev), which no example covers yet.
    for env in ["dev", "prod"] {
        let spec = crate::root().join(crate::compute::FIXTURE);
        let dir = synth_to(&spec, Some(env), "yaml");
        let manifest = byoa::synth::read_manifest(dir.path()).expect("manifest");
        files.extend(manifest.templates.iter().map(|t| dir.path().join(&t.file)));
        dirs.push(dir);
    }
    // acme-api with the compliance hook (`enforce_in_account`, which no example sets): its
    // access template is the only one that changes.
    let enforced = enforced_acme_api();
    let dir = synth_to(&enforced.path().join("byoa.yaml"), Some("prod"), "yaml");
    files.push(dir.path().join("access.yaml"));
    dirs.push(dir);
    // The task-permissions fixture: task roles with policies, a boundary with task statements.
    let fixture = crate::root().join("tests/fixtures/task-permissions/byoa.yaml");
    let dir = synth_to(&fixture, Some("prod"), "yaml");
    for file in ["access.yaml", "service-api.yaml", "service-worker.yaml"] {
        files.push(dir.path().join(file));
    }
    dirs.push(dir);
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
    drop(enforced);
}

/// acme-api's spec with `compliance: {profiles: [hipaa], enforce_in_account: true}`, written
/// into a temporary directory.
pub(crate) fn enforced_acme_api() -> tempfile::TempDir {
    let text = std::fs::read_to_string(crate::root().join("examples/acme-api/byoa.yaml"))
        .expect("acme-api spec");
    let before = "compliance:\n  profiles: [soc2, hipaa, pci-dss, iso27001, gdpr]\n";
    assert!(text.contains(before), "acme-api's compliance section moved");
    let text = text.replace(
        before,
        "compliance:\n  profiles: [hipaa]\n  enforce_in_account: true\n",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("byoa.yaml"), text).expect("spec written");
    let loaded = byoa::spec::load(
        &dir.path().join("byoa.yaml"),
        Some("prod"),
        byoa::policy::catalogue(),
    )
    .expect("valid");
    assert!(loaded.model.compliance.enforce_in_account);
    dir
}
