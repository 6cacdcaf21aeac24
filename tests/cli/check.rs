//! `byoa check`: findings on a deliberately weakened template, exit codes, every report format
//! (SARIF against the official 2.1.0 schema, JUnit as well-formed XML), exceptions, rule-file
//! errors, and snapshots of the text and SARIF reports.
//!
//! `tests/sarif-schema-2.1.0.json` is the OASIS SARIF 2.1.0 (errata01) JSON Schema, byte for byte
//! as published in the oasis-tcs/sarif-spec repository (`Schemata/sarif-schema-2.1.0.json`, id
//! `https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json`).
//! It declares JSON Schema draft-04, so it is validated as draft-04 with formats on.
//!
//! The tests name the rules they rely on (the sample rules under `policies/`) and never the size
//! of the rule set, so they hold when the full rule set replaces the samples.

use std::path::Path;

use crate::{byoa, root, synth_to};

/// The weakened fixture, relative to the repository root (tests run there).
const WEAK: &str = "tests/fixtures/weak";

/// A date no exception in these tests has reached.
const TODAY: &str = "2026-06-01";

fn check(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["check", "--today", TODAY];
    all.extend_from_slice(args);
    byoa(&all)
}

/// Gives acme-api's load balancer (in the copy at `spec`) a TLS policy older than TLS 1.2, which
/// the spec allows and ELBV2_HTTPS_LISTENER_MODERN_TLS rejects; returns the line it is on.
pub fn weaken_tls(spec: &Path) -> usize {
    let text = std::fs::read_to_string(spec).unwrap();
    let weak = text.replace(
        "  load_balancer:\n    access_logs: true\n",
        "  load_balancer:\n    access_logs: true\n    ssl_policy: ELBSecurityPolicy-2016-08\n",
    );
    assert_ne!(weak, text, "acme-api's load balancer block moved");
    std::fs::write(spec, &weak).unwrap();
    1 + weak
        .lines()
        .position(|l| l.trim_start().starts_with("ssl_policy:"))
        .unwrap()
}

/// The findings of `rule` in a JSON report.
fn findings_of<'a>(doc: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Snapshot names this module owns (kept in `diagnostics::no_snapshot_is_unreferenced`).
pub fn snapshot_names() -> Vec<String> {
    ["check_weak_text", "check_weak_sarif"]
        .iter()
        .map(|n| format!("cli__check__{n}.snap"))
        .collect()
}

#[test]
fn weakened_fixture_yields_findings_naming_rules_and_controls() {
    let (code, out, err) = check(&[WEAK, "--profile", "soc2"]);
    assert_eq!(code, 1, "{err}");
    for needle in [
        "soc2 CC6.1",
        "RDS_STORAGE_ENCRYPTED",
        "tests/fixtures/weak/database.yaml:185  Database (AWS::RDS::DBInstance)  Properties.StorageEncrypted",
        "fix: set StorageEncrypted: true",
        "soc2 A1.2",
        "S3_BUCKET_VERSIONING_ENABLED",
        "tests/fixtures/weak/storage.json:5  UploadsBucket",
        "CMK_BACKING_KEY_ROTATION_ENABLED",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
    // The bucket waived in its own Metadata is not a finding of the waived rule (other rules
    // still judge it).
    let versioning = out
        .split("S3_BUCKET_VERSIONING_ENABLED  ")
        .nth(1)
        .and_then(|rest| rest.split("fix:").next())
        .expect("the versioning rule reports");
    assert!(versioning.contains("UploadsBucket"), "{versioning}");
    assert!(!versioning.contains("ScratchBucket"), "{versioning}");
}

#[test]
fn weakened_fixture_snapshots() {
    let (_, text, _) = check(&[WEAK, "--profile", "soc2", "--controls"]);
    insta::assert_snapshot!("check_weak_text", text);
    let (_, sarif, _) = check(&[WEAK, "--profile", "soc2", "--format", "sarif"]);
    insta::assert_snapshot!("check_weak_sarif", sarif);
}

/// One failed check is one finding with the rule's message, the value found and the value
/// wanted, in every format; cfn-guard's own text (`[Path=... Value=...]`, `[L:25,C:40]`) never
/// shows. The log group's `RetentionInDays: 7` fails `not exists or >= 90`: both alternatives
/// fail, yet it is one finding.
#[test]
fn one_failed_check_is_one_finding_with_found_and_wanted_in_every_format() {
    let problem =
        "the log group keeps events for fewer than 90 days (found `7`, wanted `>= 90` or not set)";
    for format in ["text", "json", "sarif", "junit", "markdown"] {
        let (code, out, err) = check(&[WEAK, "--profile", "soc2", "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        for engine_text in ["Check was not compliant", "[L:", "Path="] {
            assert!(
                !out.contains(engine_text),
                "{format} shows `{engine_text}`:\n{out}"
            );
        }
        let shown = match format {
            "junit" => problem.replace('>', "&gt;"),
            _ => problem.to_owned(),
        };
        assert!(out.contains(&shown), "{format} lacks the problem:\n{out}");
    }
    let (_, json, _) = check(&[WEAK, "--profile", "soc2", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let retention = findings_of(&doc, "CW_LOGGROUP_RETENTION_PERIOD_CHECK");
    assert_eq!(retention.len(), 1, "{retention:#?}");
    assert_eq!(retention[0]["found"], "`7`");
    assert_eq!(retention[0]["wanted"], "`>= 90` or not set");
    assert_eq!(
        retention[0]["message"],
        "the log group keeps events for fewer than 90 days"
    );
}

#[test]
fn acme_api_prod_is_clean_and_exit_0() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let dir = synth_to(&spec, Some("prod"), "yaml");
    let out = dir.path().to_str().unwrap();
    for format in ["text", "sarif"] {
        let (code, stdout, err) = check(&[out, "--format", format]);
        assert_eq!(code, 0, "{stdout}\n{err}");
    }
    let (_, sarif, _) = check(&[out, "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 0);
}

/// acme-api prod's access stack as byoa emitted it before the permissions boundary: its
/// execution role could create a role, or add any policy to one, with no boundary.
const UNBOUNDED_ACCESS: &str = "tests/fixtures/unbounded-access";

#[test]
fn the_access_stack_without_a_boundary_fails_least_privilege() {
    let (code, out, err) = check(&[UNBOUNDED_ACCESS, "--profile", "soc2"]);
    assert_eq!(code, 1, "{err}");
    for needle in [
        "soc2 CC6.3",
        "IAM_ROLE_PERMISSIONS_BOUNDARY",
        "ExecutionComputePolicy",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
    // Only the execution role's policy: the access stack's own roles are the customer's.
    let boundary = out
        .split("IAM_ROLE_PERMISSIONS_BOUNDARY  ")
        .nth(1)
        .and_then(|rest| rest.split("fix:").next())
        .expect("the boundary rule reports");
    assert!(!boundary.contains("DeployerRole"), "{boundary}");
}

/// The failing paths of `rule` on the access stack before issue 9 (which fails `soc2`).
fn old_access_findings(rule: &str) -> Vec<String> {
    let (code, out, err) = check(&[UNBOUNDED_ACCESS, "--profile", "soc2", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    findings_of(&doc, rule)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_old_access_stack_fails_for_changes_on_every_resource_of_a_service() {
    let paths = old_access_findings("IAM_MUTATING_ACTIONS_SCOPED");
    // ManageDatabases (`rds:<region>:<account>:*`), ManageClustersAndServices (`ecs:...:*`),
    // ManageTaskDefinitionsAndScaling (`*`), ManageAlarms (`alarm:*`), ManageLoadBalancing.
    for statement in [
        "ExecutionDataPolicy/Properties/PolicyDocument/Statement/9/",
        "ExecutionComputePolicy/Properties/PolicyDocument/Statement/7/",
        "ExecutionComputePolicy/Properties/PolicyDocument/Statement/6/",
        "ExecutionMonitoringPolicy/Properties/PolicyDocument/Statement/1/",
        "ExecutionNetworkPolicy/Properties/PolicyDocument/Statement/4/",
    ] {
        assert!(
            paths.iter().any(|p| p.contains(statement)),
            "no finding on {statement}: {paths:#?}"
        );
    }
    // Conditioned statements (ManageProductKeys) and product names (ManageProductTopics) pass.
    for statement in [
        "ExecutionDataPolicy/Properties/PolicyDocument/Statement/1/",
        "ExecutionMonitoringPolicy/Properties/PolicyDocument/Statement/2/",
    ] {
        assert!(!paths.iter().any(|p| p.contains(statement)), "{paths:#?}");
    }
}

#[test]
fn the_old_access_stack_fails_for_privilege_escalation() {
    let paths = old_access_findings("IAM_NO_PRIVILEGE_ESCALATION");
    // ManageProductRoles: UpdateAssumeRolePolicy without a condition, AttachRolePolicy without
    // iam:PolicyARN; ManageProductPolicies: iam:CreatePolicyVersion (its second action).
    let roles = "ExecutionComputePolicy/Properties/PolicyDocument/Statement/0/Condition";
    assert_eq!(
        paths.iter().filter(|p| p.contains(roles)).count(),
        2,
        "{paths:#?}"
    );
    let version = "ExecutionComputePolicy/Properties/PolicyDocument/Statement/1/Action/1";
    assert!(paths.iter().any(|p| p.ends_with(version)), "{paths:#?}");
}

/// Every execution policy that waives a rule still fails it without the waiver, so no waiver
/// outlives the statements it was written for.
#[test]
fn the_access_stacks_waive_rules_only_where_they_fail() {
    for example in ["acme-api", "acme-50"] {
        let spec = root().join(format!("examples/{example}/byoa.yaml"));
        let out = synth_to(&spec, Some("prod"), "json");
        let file = out.path().join("access.json");
        let mut access: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let mut waived = Vec::new();
        // Other rule sets' ids (design choices other scanners report) are not byoa's to judge.
        let byoa_rules = byoa::policy::PolicySet::embedded();
        for (id, resource) in access["Resources"].as_object_mut().unwrap() {
            let Some(rules) = resource["Metadata"]["guard"]["SuppressedRules"].as_array() else {
                continue;
            };
            let reasons = resource["Metadata"]["byoa"]["Exceptions"]
                .as_array()
                .unwrap();
            for rule in rules {
                let reason = reasons.iter().find(|r| r["Rule"] == *rule).unwrap();
                assert!(reason["Reason"].as_str().unwrap().len() > 20, "{id}");
                if byoa_rules.rules.iter().any(|r| r.name == *rule) {
                    waived.push((id.clone(), rule.as_str().unwrap().to_owned()));
                }
            }
            resource.as_object_mut().unwrap().remove("Metadata");
        }
        assert!(
            !waived.is_empty(),
            "{example}: no waiver left; remove this test"
        );
        let bare = tempfile::tempdir().unwrap();
        std::fs::write(bare.path().join("access.json"), access.to_string()).unwrap();
        let dir = bare.path().to_str().unwrap();
        let (code, report, err) = check(&[dir, "--profile", "soc2", "--format", "json"]);
        assert_eq!(code, 1, "{example}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&report).unwrap();
        for (id, rule) in &waived {
            assert!(
                findings_of(&doc, rule).iter().any(|f| f["resource"] == *id),
                "{example}: {id} waives {rule} but passes it: remove the waiver"
            );
        }
    }
}

/// A copy of acme-api's spec in `dir`, and the `out/` beside it (not yet written).
fn acme_api_copy(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let spec_copy = dir.join("byoa.yaml");
    std::fs::copy(root().join("examples/acme-api/byoa.yaml"), &spec_copy).unwrap();
    (spec_copy, dir.join("out"))
}

#[test]
fn default_input_is_out_synthesized_first_when_the_spec_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (spec_copy, out) = acme_api_copy(dir.path());
    let (s, o) = (spec_copy.to_str().unwrap(), out.to_str().unwrap());
    let (code, stdout, err) = check(&["--spec", s, "--env", "prod", "--out", o]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        err.contains("has no manifest: synthesized it before checking"),
        "{err}"
    );
    // The spec names a residency: its profile is checked with the spec's profiles.
    assert!(
        stdout.contains("(soc2, hipaa, pci-dss, iso27001, gdpr, residency)"),
        "{stdout}"
    );
    assert!(out.join("manifest.json").is_file());
    // Unchanged spec: no re-synthesis; the environment comes from the manifest.
    let (code, _, err) = check(&["--spec", s, "--out", o]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("synthesized"), "{err}");
    // A changed spec is synthesized again before the check, and the change shows. (A TLS
    // policy is not a spec-level conflict, so the change reaches the templates.)
    let line = weaken_tls(&spec_copy);
    let (code, stdout, err) = check(&["--spec", s, "--out", o]);
    assert!(err.contains("changed since"), "{err}");
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("ELBV2_HTTPS_LISTENER_MODERN_TLS"),
        "{stdout}"
    );
    // The finding points at the spec line a reviewer edits, then at the generated template.
    let at = format!("{s}:{line} (network.load_balancer.ssl_policy)  <- ");
    assert!(stdout.contains(&at), "{at}\n{stdout}");
    let (_, sarif, _) = check(&["--spec", s, "--out", o, "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_valid_sarif(&doc);
    let result = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "ELBV2_HTTPS_LISTENER_MODERN_TLS")
        .unwrap();
    let primary = &result["locations"][0]["physicalLocation"];
    assert!(
        primary["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("byoa.yaml"),
        "{result}"
    );
    assert_eq!(primary["region"]["startLine"], line);
    let related = &result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert!(
        related.as_str().unwrap().ends_with("network.yaml"),
        "{result}"
    );
}

#[test]
fn exit_2_on_errors_with_the_path_named() {
    let (code, _, err) = check(&["tests/fixtures/no-such-dir"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[policy.input]: `tests/fixtures/no-such-dir`: does not exist\n  --> tests/fixtures/no-such-dir\n"),
        "{err}"
    );

    let (code, _, err) = check(&[WEAK, "--profile", "sco2"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[policy.profile]: profile `sco2` does not exist; did you mean `soc2`?"),
        "{err}"
    );

    let (code, _, err) = byoa(&["check", WEAK, "--today", "2026-02-30"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error[arg.date]: `--today 2026-02-30` is not a date"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, _, err) = check(&["--out", out]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error[policy.input]: no templates to check"),
        "{err}"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_guard_syntax_error_is_exit_2_naming_the_rule_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "BROKEN_RULE.guard",
        "# Rule: BROKEN_RULE\n# Title: broken\n# Severity: low\n# Resources: AWS::S3::Bucket\n\
         # Fix: none\n\nrule BROKEN_RULE {\n  Resources.*.Type ==\n",
    );
    let (code, out, err) = check(&[WEAK, "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(err.starts_with("error[policy.rule-syntax]: "), "{err}");
    assert!(err.contains(&format!("  --> {file}")), "{err}");
    assert!(err.contains("Guard syntax error: line "), "{err}");
}

#[test]
fn rule_header_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "MY_RULE.guard",
        "# Rule: MY_RULE\n# Title: mine\n# Severity: urgent\n# Resources: AWS::S3::Bucket\n\n\
         rule MY_RULE { Resources exists }\n",
    );
    let (code, _, err) = check(&[WEAK, "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "error[policy.rule]: `{file}`: severity `urgent` is not one of critical, high, medium, low\n  --> {file}:3\n"
        )),
        "{err}"
    );
    assert!(err.contains("the header has no `# Fix:` line"), "{err}");
}

#[test]
fn user_rules_outside_profiles_report_under_custom() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "NO_SCRATCH_BUCKETS.guard",
        "# Rule: NO_SCRATCH_BUCKETS\n# Title: no bucket is named scratch\n# Severity: low\n\
         # Resources: AWS::S3::Bucket\n# Fix: rename the bucket\n\n\
         rule NO_SCRATCH_BUCKETS {\n  Resources.ScratchBucket not exists\n  \
         << Violation: a scratch bucket exists Fix: remove it >>\n}\n",
    );
    let (code, out, _) = check(&[
        WEAK,
        "--profile",
        "soc2",
        "--rules",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let custom = findings_of(&doc, "NO_SCRATCH_BUCKETS");
    assert_eq!(custom.len(), 1, "{custom:#?}");
    assert_eq!(custom[0]["resource"], "ScratchBucket");
    assert_eq!(custom[0]["controls"][0]["profile"], "custom");
    assert_eq!(custom[0]["message"], "a scratch bucket exists");
}

/// Validates `doc` against the vendored official SARIF 2.1.0 schema (with `assert_valid_sarif`,
/// used by the diagnostics tests too).
fn sarif_errors(doc: &serde_json::Value) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("tests/sarif-schema-2.1.0.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

pub fn assert_valid_sarif(doc: &serde_json::Value) {
    let errors = sarif_errors(doc);
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_is_valid_against_the_official_schema_and_the_check_has_teeth() {
    let (_, out, _) = check(&[WEAK, "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_valid_sarif(&doc);
    let run = &doc["runs"][0];
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "RDS_STORAGE_ENCRYPTED")
        .unwrap();
    assert!(rule["help"]["text"].as_str().unwrap().starts_with("Fix: "));
    assert!(
        rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("soc2:CC6.1"))
    );
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "RDS_STORAGE_ENCRYPTED")
        .unwrap();
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "tests/fixtures/weak/database.yaml"
    );
    assert_eq!(location["region"]["startLine"], 185);

    // Broken documents fail: the validator really runs, with formats.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    broken["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    broken["version"] = serde_json::json!("2.0.0");
    let errors = sarif_errors(&broken);
    assert!(errors.len() >= 4, "{errors:#?}");
    let mut bad_uri = doc.clone();
    bad_uri["$schema"] = serde_json::json!("not a uri");
    assert!(!sarif_errors(&bad_uri).is_empty());
}

/// Parses `xml` with a real XML reader (end tags must match) and returns the elements by name.
fn xml_elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.check_end_names(true);
    let mut out = Vec::new();
    let mut depth = 0i32;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if true => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("well-formed attribute");
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.unescape_value().expect("valid escapes").into_owned(),
                        )
                    })
                    .collect();
                out.push((name, attrs));
                if !xml[..reader.buffer_position()].ends_with("/>") {
                    depth += 1;
                }
            }
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unbalanced XML");
    out
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> &'a str {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

#[test]
fn junit_is_well_formed_with_one_case_per_rule_and_resource() {
    let (_, out, _) = check(&[WEAK, "--format", "junit"]);
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    let elements = xml_elements(&out);
    let cases: Vec<(&str, &str)> = elements
        .iter()
        .filter(|(n, _)| n == "testcase")
        .map(|(_, a)| (attr(a, "classname"), attr(a, "name")))
        .collect();
    assert!(
        cases.contains(&("RDS_STORAGE_ENCRYPTED", "database.yaml Database")),
        "{cases:?}"
    );
    assert!(cases.contains(&("S3_BUCKET_VERSIONING_ENABLED", "storage.json UploadsBucket")));
    assert!(cases.contains(&("S3_BUCKET_VERSIONING_ENABLED", "storage.json ScratchBucket")));
    let unique: std::collections::BTreeSet<_> = cases.iter().collect();
    assert_eq!(unique.len(), cases.len(), "one case per rule x resource");
    let failures = elements.iter().filter(|(n, _)| n == "failure").count();
    let root = &elements[0];
    assert_eq!(root.0, "testsuites");
    assert_eq!(attr(&root.1, "failures"), failures.to_string());
    assert_eq!(attr(&root.1, "tests"), cases.len().to_string());
}

#[test]
fn every_format_renders() {
    for format in ["text", "json", "sarif", "junit", "markdown"] {
        let (code, out, err) = check(&[WEAK, "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        assert!(!out.is_empty(), "{format}");
    }
    let (_, json, _) = check(&[WEAK, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(doc["summary"]["findings"].as_u64().unwrap() >= 4);
    assert!(doc["controls"][0]["controls"].as_array().is_some());
    let (_, md, _) = check(&[WEAK, "--format", "markdown"]);
    assert!(md.starts_with("# Compliance control matrix\n"), "{md}");
    assert!(
        md.contains("| Control | Title | Status | Evidence |"),
        "{md}"
    );
    assert!(md.contains("| CC6.1 |"), "{md}");
    assert!(md.contains("**fail**"), "{md}");
}

/// A spec with exceptions: one active, one expired, one matching nothing.
fn spec_with_exceptions(dir: &Path) -> String {
    write(
        dir,
        "byoa.yaml",
        "product: {name: acme, vendor_account_id: \"111111111111\"}\n\
         region: us-east-1\n\
         compliance:\n  profiles: [soc2]\n  exceptions:\n\
         \x20   - rule: S3_BUCKET_VERSIONING_ENABLED\n      resource: UploadsBucket\n\
         \x20     reason: uploads are re-created from the source system\n      expires: 2999-12-31\n\
         \x20   - rule: CMK_BACKING_KEY_ROTATION_ENABLED\n      resource: DatabaseKey\n\
         \x20     reason: key replaced by a rotating key next quarter\n      expires: 2026-01-31\n\
         \x20   - rule: RDS_STORAGE_ENCRYPTED\n      resource: NoSuchDatabase\n\
         \x20     reason: left over from an older layout of the stack\n\
         access: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\n",
    )
}

#[test]
fn exceptions_suppress_expire_and_warn_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_with_exceptions(dir.path());
    let args = |format: &'static str| vec![WEAK, "--spec", spec.as_str(), "--format", format];

    let (code, text, _) = check(&args("text"));
    assert_eq!(code, 1);
    assert!(text.contains("suppressed by exceptions in the spec:\n  S3_BUCKET_VERSIONING_ENABLED  tests/fixtures/weak/storage.json:5  UploadsBucket"), "{text}");
    assert!(
        text.contains("reason: uploads are re-created from the source system (expires 2999-12-31)"),
        "{text}"
    );
    assert!(
        text.contains("the KMS key does not rotate its key material (EnableKeyRotation is false or not set) (the exception for it expired on 2026-01-31: key replaced by a rotating key next quarter)"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "warning: the exception for `RDS_STORAGE_ENCRYPTED` on `NoSuchDatabase` matches no finding: nothing fails it: remove the exception\n  --> {spec}:14:"
        )),
        "{text}"
    );

    let (_, json, err) = check(&args("json"));
    assert!(
        err.starts_with(
            "warning[policy.exception-unused]: the exception for `RDS_STORAGE_ENCRYPTED`"
        ),
        "{err}"
    );
    assert!(err.contains(&format!("  --> {spec}:14:")), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let suppressed: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "suppressed")
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["exception"]["spec"]["line"], 6);
    assert_eq!(doc["exceptions"][1]["expired"], true);
    assert_eq!(doc["exceptions"][2]["matched"], 0);
    assert_eq!(doc["warnings"].as_array().unwrap().len(), 1);

    let (_, sarif, _) = check(&args("sarif"));
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_valid_sarif(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let with_suppression: Vec<_> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(with_suppression.len(), 1);
    let s = &with_suppression[0]["suppressions"][0];
    assert_eq!(s["kind"], "external");
    assert_eq!(
        s["justification"],
        "uploads are re-created from the source system (expires 2999-12-31)"
    );
    assert_eq!(s["location"]["physicalLocation"]["region"]["startLine"], 6);
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1);

    let (_, junit, _) = check(&args("junit"));
    let elements = xml_elements(&junit);
    assert!(
        elements
            .iter()
            .any(|(n, a)| n == "skipped" && attr(a, "message").contains("uploads are re-created")),
        "{junit}"
    );
    assert!(
        elements
            .iter()
            .any(|(n, a)| n == "testsuite" && attr(a, "name") == "exceptions")
    );

    let (_, md, _) = check(&args("markdown"));
    assert!(md.contains("## Exceptions"), "{md}");
    assert!(md.contains("| `CMK_BACKING_KEY_ROTATION_ENABLED` | `DatabaseKey` | key replaced by a rotating key next quarter | 2026-01-31 | expired: 1 finding open again |"), "{md}");
    assert!(md.contains("matches no finding"), "{md}");
    assert!(md.contains("## Warnings"), "{md}");

    // Before the expiry date the exception still suppresses.
    let (_, json, _) = byoa(&[
        "check",
        WEAK,
        "--spec",
        &spec,
        "--format",
        "json",
        "--today",
        "2026-01-31",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["exceptions"][1]["expired"], false);
}

#[test]
fn named_templates_take_the_base_exceptions_of_a_spec_with_environments() {
    let dir = tempfile::tempdir().unwrap();
    let text = "product: {name: acme, vendor_account_id: \"111111111111\"}\nregion: us-east-1\n\
        compliance:\n  profiles: [soc2]\n  exceptions:\n\
        \x20   - {rule: S3_BUCKET_VERSIONING_ENABLED, resource: UploadsBucket, reason: uploads are re-created from the source system}\n\
        environments:\n  prod: {}\n\
        access: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\n";
    let spec = write(dir.path(), "byoa.yaml", text);
    let (code, out, err) = check(&[WEAK, "--spec", &spec]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("suppressed by exceptions in the spec:\n  S3_BUCKET_VERSIONING_ENABLED"),
        "{out}"
    );
    // Without an environment nothing else is validated, but the base settings must be valid.
    let spec = write(
        dir.path(),
        "byoa.yaml",
        &text.replace("uploads are re-created from the source system", "short"),
    );
    let (code, _, err) = check(&[WEAK, "--spec", &spec]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("  --> {spec}:6:")), "{err}");
}

/// `out/` is trusted only as byoa wrote it: a template edited by hand, or one an older byoa
/// wrote differently, is synthesized again before the check (with the reason), and without a
/// spec to do that with, the check refuses and names the file.
#[test]
fn out_is_checked_only_as_this_byoa_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (spec_copy, out) = acme_api_copy(dir.path());
    let (s, o) = (spec_copy.to_str().unwrap(), out.to_str().unwrap());
    let (code, _, err) = check(&["--spec", s, "--env", "prod", "--out", o]);
    assert_eq!(code, 0, "{err}");
    let network = out.join("network.yaml");
    let original = std::fs::read_to_string(&network).unwrap();
    let weakened = original.replace("ELBSecurityPolicy-TLS13-1-2", "ELBSecurityPolicy-2016-08");
    assert_ne!(
        weakened, original,
        "the network template names its TLS policy"
    );

    // Edited by hand, with the spec at hand: written again, and the check judges byoa's bytes.
    std::fs::write(&network, &weakened).unwrap();
    let (code, stdout, err) = check(&["--spec", s, "--out", o]);
    assert!(
        err.contains("`network.yaml` in ") && err.contains("changed since byoa wrote them"),
        "{err}"
    );
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(std::fs::read_to_string(&network).unwrap(), original);

    // Edited by hand, no spec: refused, naming the file.
    std::fs::write(&network, &weakened).unwrap();
    let (code, _, err) = check(&["--out", o]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`network.yaml` in") && err.contains("byoa synth"),
        "{err}"
    );

    // Consistent with its manifest but not what this byoa makes (an older byoa wrote it).
    let manifest_path = out.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    for t in manifest["templates"].as_array_mut().unwrap() {
        if t["file"] == "network.yaml" {
            t["sha256"] = serde_json::json!(byoa::hash::sha256_hex(weakened.as_bytes()));
        }
    }
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let (code, stdout, err) = check(&["--spec", s, "--out", o]);
    assert!(err.contains("is not what this byoa makes of"), "{err}");
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(std::fs::read_to_string(&network).unwrap(), original);

    // No spec, and another environment asked: refused, never `prod` checked in its place.
    let (code, _, err) = check(&["--env", "dev", "--out", o]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`--env dev` asked, but") && err.contains("the templates of `prod`"),
        "{err}"
    );
    let (code, _, err) = check(&["--env", "prod", "--out", o]);
    assert_eq!(code, 0, "{err}");
}

/// An exception reaches checkov and cfn-lint through the rule's equivalents: a mapped name that
/// is no byoa rule would never be written.
#[test]
fn scanner_equivalents_name_rules_byoa_has() {
    let set = byoa::policy::PolicySet::embedded();
    for rule in byoa::modules::scanners::mapped_rules() {
        assert!(set.rules.iter().any(|r| r.name == rule), "{rule}");
    }
}

/// The four deliberate deviations from other rule sets reach the control matrix an auditor
/// reads, each with its reason and the resources that state it.
#[test]
fn the_design_choices_are_listed_with_the_controls() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let out = synth_to(&spec, Some("prod"), "yaml");
    let dir = out.path().to_str().unwrap();
    let (code, report, err) = check(&[dir, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&report).unwrap();
    let choices = doc["design_choices"].as_array().unwrap();
    let of = |rule: &str| -> Vec<String> {
        choices
            .iter()
            .filter(|c| c["rule"] == rule)
            .flat_map(|c| c["resources"].as_array().unwrap().clone())
            .map(|r| r.as_str().unwrap().rsplit('/').next().unwrap().to_owned())
            .collect()
    };
    // Inline role policies, single-region buckets, port 80 for the redirect, the edge route.
    assert!(of("IAM_NO_INLINE_POLICY_CHECK").contains(&"access.yaml: DeployerRole".to_owned()));
    assert!(of("S3_BUCKET_REPLICATION_ENABLED").contains(&"access.yaml: TrailBucket".to_owned()));
    assert_eq!(of("CKV_AWS_260"), ["network.yaml: LoadBalancerHttpIngress"]);
    assert_eq!(
        of("NO_UNRESTRICTED_ROUTE_TO_IGW"),
        ["network.yaml: PublicDefaultRoute"]
    );
    assert!(
        choices
            .iter()
            .all(|c| c["reason"].as_str().unwrap().len() > 40)
    );
    // byoa's own rules are waivers in the matrix, never design choices.
    let ours = byoa::policy::PolicySet::embedded();
    assert!(choices.iter().all(|c| {
        !ours
            .rules
            .iter()
            .any(|r| r.name == c["rule"].as_str().unwrap())
    }));
    let (_, md, _) = check(&[dir, "--format", "markdown"]);
    assert!(md.contains("## Design choices"), "{md}");
}

/// Task permissions break no rule of the fixture's profile (soc2): each grant is scoped, its
/// S3 objects included. A whole service (`s3:*`) breaks none either once an exception for
/// `IAM_NO_WILDCARD_ACTION` accepts it: the finding on the task role and on the boundary is
/// reported as suppressed, with the exception's reason.
#[test]
fn task_permissions_pass_the_compliance_rules_and_exceptions_reach_their_findings() {
    let fixture = root().join("tests/fixtures/task-permissions/byoa.yaml");
    let check = |spec: &Path| {
        let dir = synth_to(spec, Some("prod"), "yaml");
        let args = [
            "check",
            "--spec",
            spec.to_str().unwrap(),
            "--env",
            "prod",
            "--out",
        ];
        let (code, out, err) = byoa(&[&args[..], &[dir.path().to_str().unwrap()]].concat());
        (code, format!("{out}{err}"))
    };
    let (code, text) = check(&fixture);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("no findings"), "{text}");

    let tmp = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string(&fixture).unwrap().replacen(
        "compliance:\n  profiles: [soc2]\n",
        "compliance:\n  profiles: [soc2]\n  exceptions:\n    - {rule: IAM_NO_WILDCARD_ACTION, reason: the api manages its uploads bucket as a whole}\n",
        1,
    ).replacen("[s3:GetObject, s3:PutObject]", "[\"s3:*\"]", 1);
    let path = tmp.path().join("byoa.yaml");
    std::fs::write(&path, spec).unwrap();
    let (code, text) = check(&path);
    assert_eq!(code, 0, "{text}");
    let suppressed: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("IAM_NO_WILDCARD_ACTION"))
        .collect();
    assert!(suppressed.iter().any(|l| l.contains("TaskRole")), "{text}");
    assert!(
        suppressed.iter().any(|l| l.contains("PermissionsBoundary")),
        "{text}"
    );
    assert!(
        text.contains("reason: the api manages its uploads bucket as a whole"),
        "{text}"
    );
}
