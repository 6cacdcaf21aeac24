//! Secrets written into the spec stop every command that loads it (`validate`, `synth`,
//! `check`) the way other validation errors do, with the error at the line that sets the value
//! (an overlay's, when an overlay sets it) and without printing the value; a value that only
//! looks random warns and stops nothing.

use std::path::Path;

use crate::byoa;

/// A clean spec whose `prod` overlay adds a GitHub token to a service's environment, and whose
/// base holds a random-looking value (a warning) in `dev`'s view and `prod`'s.
const SPEC: &str = "product: {name: acme, vendor_account_id: \"111111111111\"}
region: us-east-1
services:
  - name: api
    environment:
      BUILD_NONCE: Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7xC0fB
environments:
  dev: {}
  prod:
    services:
      - name: api
        environment:
          GH: ghp_0123456789abcdefghijABCDEFGHIJ012345
access: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}
";

const TOKEN: &str = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
const RANDOM: &str = "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7xC0fB";

fn spec(dir: &Path) -> String {
    let path = dir.join("byoa.yaml");
    std::fs::write(&path, SPEC).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_token_set_by_an_overlay_stops_synth_and_check_at_the_overlay_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path());
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let at_overlay = format!("--> {spec}:13:15");
    let runs: [&[&str]; 3] = [
        &["synth", &spec, "--env", "prod", "--out", out],
        &["check", "--spec", &spec, "--env", "prod", "--out", out],
        &["validate", &spec, "--env", "prod"],
    ];
    for args in runs {
        let (code, _, err) = byoa(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(
                "error[secret.known-token]: environment variable `GH` of service `api` holds a GitHub personal access token (`ghp_****`)"
            ),
            "{args:?}: {err}"
        );
        assert!(err.contains(&at_overlay), "{args:?}: {err}");
        assert!(
            err.contains("secrets: {GH: acme/gh}"),
            "{args:?}: the help names the fix: {err}"
        );
        assert!(!err.contains(TOKEN), "{args:?} printed the token: {err}");
    }
    assert!(
        !Path::new(out).join("manifest.json").exists(),
        "nothing is synthesized"
    );
}

#[test]
fn a_random_looking_value_warns_and_stops_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path());
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let (code, _, err) = byoa(&["synth", &spec, "--env", "dev", "--out", out]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning[secret.high-entropy]: environment variable `BUILD_NONCE` of service `api` holds a random-looking string of 32 characters"),
        "{err}"
    );
    assert!(err.contains(&format!("--> {spec}:6:20")), "{err}");
    assert!(!err.contains(RANDOM), "synth printed the value: {err}");
    // `--quiet` prints errors only.
    let (code, _, err) = byoa(&["synth", &spec, "--env", "dev", "--out", out, "--quiet"]);
    assert_eq!((code, err.as_str()), (0, ""));
    // `check` shows the warning beside its report; `validate` reports it in JSON, exit 0.
    let (code, _, err) = byoa(&["check", "--spec", &spec, "--env", "dev", "--out", out]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(err.contains("warning[secret.high-entropy]"), "{err}");
    let (code, json, _) = byoa(&["validate", &spec, "--env", "dev", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["errors"], 0);
    assert_eq!(doc["warnings"], 1);
    assert_eq!(doc["diagnostics"][0]["code"], "secret.high-entropy");
    assert_eq!(
        doc["diagnostics"][0]["field"],
        "services[0].environment.BUILD_NONCE"
    );
    assert!(!json.contains(RANDOM));
}

#[test]
fn the_examples_hold_no_suspected_secret() {
    for (spec, envs) in crate::examples() {
        let spec = spec.to_str().unwrap();
        for env in envs {
            let (code, json, _) = byoa(&["validate", spec, "--env", &env, "--format", "json"]);
            assert_eq!(code, 0, "{spec} {env}");
            let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(doc["diagnostics"], serde_json::json!([]), "{spec} {env}");
        }
    }
}
