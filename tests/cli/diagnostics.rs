//! Diagnostics of bad specs: snapshots of what users read, and the promises behind them.

use crate::{byoa, root};

/// The bad specs under tests/specs, as paths relative to the repository root (so the paths in
/// the snapshots do not depend on where the repository lives).
fn bad_specs() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/specs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| format!("tests/specs/{n}"))
        .collect()
}

#[test]
fn diagnostics_snapshots() {
    std::env::set_current_dir(root()).unwrap();
    for spec in bad_specs() {
        let (code, out, err) = byoa(&["validate", &spec]);
        assert_eq!(code, 2, "{spec} should be rejected");
        assert_eq!(out, "", "{spec}: human diagnostics go to stderr");
        let name = spec
            .trim_start_matches("tests/specs/")
            .trim_end_matches(".yaml");
        insta::assert_snapshot!(format!("diagnostics_{name}"), err);
    }
}

#[test]
fn no_snapshot_is_unreferenced() {
    let mut expected: Vec<String> = bad_specs()
        .iter()
        .map(|s| {
            let name = s
                .trim_start_matches("tests/specs/")
                .trim_end_matches(".yaml");
            format!("cli__diagnostics__diagnostics_{name}.snap")
        })
        .collect();
    expected.extend(
        crate::synth::template_snapshot_names()
            .into_iter()
            .map(|(n, _, _)| format!("cli__synth__{n}.snap")),
    );
    expected.extend(crate::check::snapshot_names());
    expected.extend(crate::diff::snapshot_names());
    expected.sort();
    let mut found: Vec<String> = std::fs::read_dir(root().join("tests/cli/snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    found.sort();
    assert_eq!(
        found, expected,
        "stale or missing snapshots in tests/cli/snapshots"
    );
}

#[test]
fn five_mistakes_are_all_reported_with_position_and_help() {
    std::env::set_current_dir(root()).unwrap();
    let (code, out, _) = byoa(&[
        "validate",
        "tests/specs/five_mistakes.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = doc["diagnostics"].as_array().unwrap();
    let codes: std::collections::BTreeSet<&str> =
        diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.len() >= 5, "{codes:?}");
    for d in diags {
        assert_eq!(d["file"], "tests/specs/five_mistakes.yaml");
        assert!(
            d["line"].as_u64().unwrap() > 1 && d["column"].as_u64().unwrap() >= 1,
            "{d}"
        );
        assert!(d["help"].as_str().is_some_and(|h| !h.is_empty()), "{d}");
    }
    // Sorted by position.
    let lines: Vec<u64> = diags.iter().map(|d| d["line"].as_u64().unwrap()).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
}

#[test]
fn overlay_problems_point_at_the_overlay_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("byoa.yaml");
    std::fs::write(
        &spec,
        "product: {name: acme, vendor_account_id: \"111111111111\"}\nregion: us-east-1\n\
         environments:\n  prod:\n    network:\n      cidr: 10.0.0.0/8\n",
    )
    .unwrap();
    let (code, out, _) = byoa(&[
        "validate",
        spec.to_str().unwrap(),
        "--env",
        "prod",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("network.vpc-size"), Some(6), Some(13))
    );
    assert_eq!(d["field"], "network.cidr");
}

#[test]
fn unknown_environment_suggests_the_closest() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let (code, _, err) = byoa(&["synth", spec.to_str().unwrap(), "--env", "prdo"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[env.unknown]: environment `prdo` is not defined"),
        "{err}"
    );
    assert!(err.contains("did you mean `prod`?"), "{err}");
    let (code, _, err) = byoa(&["synth", spec.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("pass `--env` with one of: dev, prod"), "{err}");
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    for code in byoa::diag::Code::ALL {
        assert!(
            doc.contains(&format!("`{}`", code.as_str())),
            "{} undocumented",
            code.as_str()
        );
    }
}
