//! `byoa diff` end to end: the replacement table covers every type byoa emits (and matches what
//! its generator writes), a template diffed with itself is empty, and two spec edits of acme-api
//! dev (one updated in place, one replacing the database and, through the nested-stack
//! parameters, the services' task definitions) render as snapshots, text and JSON.

use std::path::Path;

use proptest::prelude::*;

use byoa::cfn::emit::{Format, render};
use byoa::diff::{self, Stack, table::Table};

use crate::{byoa, examples, synth_to};

/// The snapshots this file writes (the unreferenced-snapshot test reads this list).
const SNAPSHOTS: [&str; 5] = [
    "diff_instance_class_updates_database_in_place",
    "diff_instance_class_updates_database_in_place_json",
    "diff_database_name_replaces_database",
    "diff_database_name_replaces_database_json",
    "diff_instance_class_database_template_text",
];

pub fn snapshot_names() -> Vec<String> {
    SNAPSHOTS
        .iter()
        .map(|n| format!("cli__diff__{n}.snap"))
        .collect()
}

/// Every resource template byoa renders for `spec` in `env`, as diff input.
fn stacks(spec: &Path, env: Option<&str>) -> Vec<Stack> {
    let loaded = byoa::spec::load(spec, env, byoa::policy::catalogue()).expect("valid spec");
    let output = byoa::commands::synth::synthesize(&loaded, Format::Yaml).expect("renders");
    output
        .templates
        .iter()
        .map(|t| Stack::new(&t.stack.module, &t.file, t.stack.template.to_value()))
        .collect()
}

#[test]
fn every_emitted_type_is_in_the_replacement_table() {
    let enforced = crate::lint::enforced_acme_api();
    let mut specs: Vec<(std::path::PathBuf, Option<String>)> = examples()
        .into_iter()
        .flat_map(|(spec, envs)| envs.into_iter().map(move |e| (spec.clone(), Some(e))))
        .collect();
    specs.push((enforced.path().join("byoa.yaml"), Some("prod".to_owned())));
    let table = Table::get();
    let mut missing = std::collections::BTreeSet::new();
    let mut seen = 0;
    for (spec, env) in &specs {
        for s in stacks(spec, env.as_deref()) {
            for r in s.template()["Resources"]
                .as_object()
                .expect("resources")
                .values()
            {
                let kind = r["Type"].as_str().expect("typed");
                seen += 1;
                if table.entry(kind).is_none() {
                    missing.insert(format!("{kind} ({})", s.file));
                }
            }
        }
    }
    assert!(seen > 100, "only {seen} resources looked at");
    assert!(
        missing.is_empty(),
        "types missing from data/replacement.json (run scripts/replacement-table): {missing:#?}"
    );
    // The hook only exists in the enforced access stack: make sure it was looked at.
    assert!(table.entry("AWS::CloudFormation::GuardHook").is_some());
}

/// The generator, run offline against the pinned cfn-lint, writes exactly the committed table.
#[test]
fn committed_replacement_table_is_what_the_script_generates() {
    assert!(
        crate::generated("scripts/replacement_table.py", "data/replacement.json"),
        "data/replacement.json is stale: run scripts/replacement-table and commit it"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The diff of any generated template with itself, and with its own emitted YAML read
    /// back, is empty.
    #[test]
    fn any_generated_template_diffed_with_itself_is_empty(g in crate::properties::spec()) {
        prop_assume!(!crate::properties::reserved(&g.spec));
        let text = render(&g.spec, Format::Yaml);
        let loaded = byoa::spec::load_str(Path::new("gen.yaml"), &text, g.env, byoa::policy::catalogue())
            .expect("valid");
        let output = byoa::commands::synth::synthesize(&loaded, Format::Yaml).expect("renders");
        let built: Vec<Stack> = output.templates.iter()
            .map(|t| Stack::new(&t.stack.module, &t.file, t.stack.template.to_value()))
            .collect();
        let read: Vec<Stack> = output.templates.iter().map(|t| {
            diff::load::parse(&t.stack.module, &t.file, &t.body).expect("emitted YAML parses")
        }).collect();
        let d = diff::diff(&built, &built);
        prop_assert!(!d.has_changes(), "{:#?}", d.stacks);
        let d = diff::diff(&built, &read);
        prop_assert!(!d.has_changes(), "{:#?}", d.stacks);
    }
}

#[test]
fn every_example_out_diffed_with_itself_reports_no_changes() {
    for (spec, envs) in examples() {
        let env = envs.first().map(String::as_str);
        let yaml = synth_to(&spec, env, "yaml");
        let again = synth_to(&spec, env, "yaml");
        let json = synth_to(&spec, env, "json");
        let (a, b, c) = (
            yaml.path().to_str().unwrap(),
            again.path().to_str().unwrap(),
            json.path().to_str().unwrap(),
        );
        let (code, out, err) = byoa(&["diff", a, b]);
        assert_eq!(code, 0, "{}: {out}{err}", spec.display());
        assert!(out.starts_with("No changes: "), "{out}");
        // YAML against JSON of the same spec: stacks pair by name and compare by content, so
        // only the root's template URLs (which name the file extension) differ.
        let (code, out, _) = byoa(&["diff", a, c, "--format", "json"]);
        assert_eq!(code, 1);
        let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let stacks = doc["stacks"].as_array().expect("stacks");
        assert_eq!(stacks.len(), 1, "{out}");
        assert_eq!(stacks[0]["stack"], "root");
        for r in stacks[0]["resources"].as_array().expect("resources") {
            assert_eq!(r["properties"][0]["path"], "TemplateURL", "{r}");
        }
    }
}

/// acme-api's spec with `from` replaced by `to`, in a temporary directory.
fn edited_acme_api(from: &str, to: &str) -> tempfile::TempDir {
    let text = std::fs::read_to_string(crate::root().join("examples/acme-api/byoa.yaml"))
        .expect("acme-api spec");
    assert!(text.contains(from), "acme-api no longer has `{from}`");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("byoa.yaml"), text.replacen(from, to, 1)).expect("written");
    dir
}

/// Synthesizes acme-api dev before and after an edit; returns both output directories.
fn before_after(from: &str, to: &str) -> (tempfile::TempDir, tempfile::TempDir) {
    let before = synth_to(
        &crate::root().join("examples/acme-api/byoa.yaml"),
        Some("dev"),
        "yaml",
    );
    let edited = edited_acme_api(from, to);
    let after = synth_to(&edited.path().join("byoa.yaml"), Some("dev"), "yaml");
    (before, after)
}

fn diff_dirs(
    a: &tempfile::TempDir,
    b: &tempfile::TempDir,
    extra: &[&str],
) -> (i32, String, String) {
    let mut args = vec![
        "diff",
        a.path().to_str().unwrap(),
        b.path().to_str().unwrap(),
    ];
    args.extend(extra);
    byoa(&args)
}

#[test]
fn instance_class_change_updates_the_database_in_place() {
    let (a, b) = before_after(
        "instance_class: db.t4g.medium",
        "instance_class: db.t4g.large",
    );
    let (code, text, err) = diff_dirs(&a, &b, &[]);
    assert_eq!(code, 1, "{err}");
    // The new side's source map names the spec field behind each changed property.
    assert!(
        text.contains(
            "AWS::RDS::DBInstance Database: update\n        database.instance_class -> DBInstanceClass\n"
        ),
        "{text}"
    );
    assert!(!text.contains("Destructive changes"), "{text}");
    insta::assert_snapshot!(SNAPSHOTS[0], text);
    let (code, json, _) = diff_dirs(&a, &b, &["--format", "json"]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(doc["impact"], "update");
    assert_eq!(doc["destructive"], serde_json::json!([]));
    let database = &doc["stacks"][0]["resources"][0];
    assert_eq!(database["logical_id"], "Database");
    assert_eq!(
        database["properties"][0]["spec"],
        serde_json::json!(["database.instance_class"])
    );
    insta::assert_snapshot!(SNAPSHOTS[1], json);
    // Without a source map (an older output, or any directory), rows name properties only.
    std::fs::remove_file(b.path().join("sources.json")).expect("removed");
    let (code, plain, _) = diff_dirs(&a, &b, &[]);
    assert_eq!(code, 1);
    assert!(
        plain.contains("AWS::RDS::DBInstance Database: update\n        DBInstanceClass\n"),
        "{plain}"
    );
    let (_, json, _) = diff_dirs(&a, &b, &["--format", "json"]);
    assert!(!json.contains("\"spec\""), "{json}");
    // A map that does not read is an error, not a silent loss of the spec fields.
    std::fs::write(b.path().join("sources.json"), "{not json").expect("written");
    let (code, _, err) = diff_dirs(&a, &b, &[]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error[diff.sources]: cannot read the source map"),
        "{err}"
    );
}

#[test]
fn database_name_change_replaces_the_database_and_flags_data_loss() {
    let (a, b) = before_after(
        "  engine_version: \"16.15\"\n",
        "  engine_version: \"16.15\"\n  name: orders\n",
    );
    let (code, text, err) = diff_dirs(&a, &b, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        text.contains(
            "database: AWS::RDS::DBInstance Database will be replaced (DBInstanceIdentifier changed by database.identifier, database.name, product.name; DBName changed by database.name) [data loss]"
        ),
        "{text}"
    );
    // The instance's identifier holds the database name, and its log groups the identifier:
    // they are replaced with it (the old groups are retained).
    assert!(
        text.contains(
            "database: AWS::Logs::LogGroup DatabasePostgresqlLogGroup will be replaced (LogGroupName changed by database.identifier, database.name, product.name) [data loss]"
        ),
        "{text}"
    );
    // Across nested stacks: the services' task definitions read the database's endpoint
    // through root-wired parameters, and container definitions are create-only.
    assert!(
        text.contains(
            "service-api: AWS::ECS::TaskDefinition TaskDefinition will be replaced \
             (ContainerDefinitions changed: parameters `DatabaseEndpointAddress`"
        ),
        "{text}"
    );
    insta::assert_snapshot!(SNAPSHOTS[2], text);
    let (_, json, _) = diff_dirs(&a, &b, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(doc["impact"], "replace");
    assert_eq!(doc["destructive"][0]["logical_id"], "Database");
    assert_eq!(
        doc["destructive"][0]["reason"],
        "DBInstanceIdentifier changed by database.identifier, database.name, product.name; DBName changed by database.name"
    );
    insta::assert_snapshot!(SNAPSHOTS[3], json);
}

#[test]
fn added_and_removed_resources_name_the_spec_field_they_follow() {
    let (a, b) = before_after(
        "  backup_retention_days: 14\n",
        "  backup_retention_days: 14\n  read_replicas: 1\n",
    );
    let (code, text, err) = diff_dirs(&a, &b, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        text.contains(
            "AWS::RDS::DBInstance DatabaseReplica1: create\n        follows database.read_replicas\n"
        ),
        "{text}"
    );
    // The other way round, the old side's map says why the replica existed.
    let (code, text, err) = diff_dirs(&b, &a, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        text.contains(
            "database: AWS::RDS::DBInstance DatabaseReplica1 will be destroyed \
             (follows database.read_replicas)"
        ),
        "{text}"
    );
    let (_, json, _) = diff_dirs(&b, &a, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let replica = doc["stacks"][0]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["logical_id"] == "DatabaseReplica1")
        .expect("the replica's row")
        .clone();
    assert_eq!(
        replica["spec"],
        serde_json::json!(["database.read_replicas"])
    );
}

#[test]
fn text_flag_adds_a_unified_diff_of_the_changed_template() {
    let (a, b) = before_after(
        "instance_class: db.t4g.medium",
        "instance_class: db.t4g.large",
    );
    let (one, two) = (
        a.path().join("database.yaml"),
        b.path().join("database.yaml"),
    );
    let (code, text, err) = byoa(&[
        "diff",
        one.to_str().unwrap(),
        two.to_str().unwrap(),
        "--text",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        text.contains("-      DBInstanceClass: db.t4g.medium\n"),
        "{text}"
    );
    assert!(
        text.contains("+      DBInstanceClass: db.t4g.large\n"),
        "{text}"
    );
    // Two files pair as one stack whatever their names (the new one names it).
    let renamed = b.path().join("db-copy.yaml");
    std::fs::copy(&two, &renamed).expect("copied");
    let (_, other, _) = byoa(&["diff", one.to_str().unwrap(), renamed.to_str().unwrap()]);
    assert!(
        other.starts_with("Stack db-copy (modified): update\n"),
        "{other}"
    );
    let shown = text
        .replace(a.path().to_str().unwrap(), "[before]")
        .replace(b.path().to_str().unwrap(), "[after]");
    insta::assert_snapshot!(SNAPSHOTS[4], shown);
}

#[test]
fn bad_inputs_are_coded_errors() {
    let out = synth_to(
        &crate::root().join("examples/acme-api/byoa.yaml"),
        Some("dev"),
        "yaml",
    );
    let dir = out.path().to_str().unwrap();
    let (code, _, err) = byoa(&["diff", "no/such/dir", dir]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error[diff.not-found]: `no/such/dir` does not exist"),
        "{err}"
    );
    let file = out.path().join("database.yaml");
    let (code, _, err) = byoa(&["diff", dir, file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error[diff.mixed-inputs]"), "{err}");
    let manifest = out.path().join("manifest.json");
    let (code, _, err) = byoa(&["diff", manifest.to_str().unwrap(), file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error[diff.not-template]"), "{err}");
    // The same bytes on both sides are no change, and are not even parsed.
    let (code, _, err) = byoa(&[
        "diff",
        manifest.to_str().unwrap(),
        manifest.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = byoa(&["diff", "no/such/dir", dir, "--format", "json"]);
    assert_eq!(code, 2);
    assert!(out.contains("\"code\": \"diff.not-found\""), "{out}");
}
