//! The fleet against moto: three customers in three accounts (moto keeps accounts apart by
//! the assumed role's account), two of which launched their access stack. `byoa access verify`
//! passes for one with its external id, and fails, coded, with a wrong one in the file; a
//! rollout to all three deploys the two and isolates the third (its deployer role does not
//! exist: AssumeRole is refused); `byoa fleet status` reads the versions back from the
//! accounts, current, then behind a new version of the spec. The StackSets engine's plumbing
//! runs on moto too. moto evaluates the deployer role's trust (tools/moto/corrections/sts.py)
//! but no permissions, emulates no drift, and ends stack set operations at once ignoring their
//! preferences: drift and the StackSets preferences are tested against scripted answers
//! (src/deploy/fleet.rs, src/deploy/stacksets/tests.rs).

use std::path::Path;

use crate::deploy::{byoa_cmd, customer_admin, endpoint, fresh_account, text};
use crate::deploy_root::certificate;

/// acme-api with the vendor account moto's test credentials belong to, trusted as a whole
/// (moto's caller is a user of 123456789012, not the example's vendor role).
fn spec(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(crate::root().join("examples/acme-api/byoa.yaml")).unwrap();
    let text = text
        .replace(
            "vendor_account_id: \"111111111111\"",
            "vendor_account_id: \"123456789012\"",
        )
        .replace(
            "vendor_role_arn: arn:aws:iam::111111111111:role/byoa-deploy",
            "trust_whole_account: true",
        );
    let path = dir.join("byoa.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

struct Customer {
    id: &'static str,
    account: String,
    external_id: String,
    canary: bool,
}

fn customers_yaml(customers: &[Customer], certificates: &[String]) -> String {
    let mut text = String::from("customers:\n");
    for (c, cert) in customers.iter().zip(certificates) {
        text.push_str(&format!(
            "  - id: {}\n    name: {}\n    account_id: \"{}\"\n    region: us-east-1\n    environment: dev\n    external_id: {}\n    canary: {}\n    parameters:\n      AvailabilityZones: us-east-1a,us-east-1b\n      CertificateArn: {cert}\n",
            c.id, c.id, c.account, c.external_id, c.canary
        ));
    }
    text
}

/// Runs byoa with the vendor's credentials against moto.
fn vendor(args: &[&str]) -> (i32, String, String) {
    text(
        &byoa_cmd()
            .args(args)
            .args(["--endpoint-url", &endpoint()])
            .output()
            .unwrap(),
    )
}

/// The customer's administrator launches the access stack with the customer's external id.
fn launch_access(dir: &Path, spec: &Path, c: &Customer) {
    let role = customer_admin(&c.account);
    let out = dir.join(format!("out-{}", c.id));
    let external = format!("ExternalId={}", c.external_id);
    let (code, stdout, err) = text(
        &byoa_cmd()
            .args([
                "deploy",
                spec.to_str().unwrap(),
                "--env",
                "dev",
                "--stack",
                "access",
            ])
            .args(["--parameter", &external, "--out", out.to_str().unwrap()])
            .args(["--endpoint-url", &endpoint(), "--role-arn", &role])
            .args(["--external-id", "byoa-test-external-id-0001"])
            .output()
            .unwrap(),
    );
    assert_eq!(code, 0, "{stdout}\n{err}");
}

#[test]
fn access_verify_rollout_and_fleet_status_across_three_accounts_with_one_failing() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path());
    let customers: Vec<Customer> = [("acme-corp", true), ("initech", false), ("globex", false)]
        .into_iter()
        .enumerate()
        .map(|(i, (id, canary))| Customer {
            id,
            account: fresh_account(),
            external_id: format!("ExtId{i}abcdefghijklmnopqrstuvwxyz0123456789"),
            canary,
        })
        .collect();
    let certificates: Vec<String> = customers.iter().map(|c| certificate(&c.account)).collect();
    std::fs::write(
        tmp.path().join("customers.yaml"),
        customers_yaml(&customers, &certificates),
    )
    .unwrap();
    // globex never launched its access stack.
    launch_access(tmp.path(), &spec, &customers[0]);
    launch_access(tmp.path(), &spec, &customers[1]);
    let spec_arg = spec.to_str().unwrap();

    // The right external id opens the role, a wrong one and none are refused, outputs match.
    let (code, stdout, err) = vendor(&["access", "verify", spec_arg, "--customer", "acme-corp"]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        stdout.contains("ok   refuse a wrong external id: refused (AccessDenied)")
            && stdout.contains("ok   refuse a missing external id: refused (AccessDenied)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok   output `ProductStackPrefix`: acme-api-dev-"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("FAIL").count(), 0, "{stdout}");
    // The file records another external id than the customer launched with: refused, coded.
    let wrong = tmp.path().join("wrong.yaml");
    let mut changed = customers_yaml(&customers, &certificates);
    changed = changed.replace(
        &customers[0].external_id,
        "WrongExternalIdWrongExternalId0000",
    );
    std::fs::write(&wrong, changed).unwrap();
    let (code, stdout, err) = vendor(&[
        "access",
        "verify",
        spec_arg,
        "--customer",
        "acme-corp",
        "--customers",
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}\n{err}");
    assert!(err.contains("error[access.assume-refused]"), "{err}");
    // A customer without an access stack: refused too (the role does not exist).
    let (code, _, err) = vendor(&["access", "verify", spec_arg, "--customer", "globex"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[access.assume-refused]"), "{err}");

    // The rollout: the canary first, then both others; globex fails alone.
    let report = tmp.path().join("rollout.json");
    let (code, stdout, err) = vendor(&[
        "rollout",
        spec_arg,
        "--all",
        "--max-failures",
        "1",
        "--concurrency",
        "2",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stdout}\n{err}");
    assert!(stdout.contains("rollout: deployed 2, failed 1"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let rows = json["customers"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["customer"] == id).unwrap();
    assert_eq!(row("acme-corp")["state"], "deployed", "{json:#}");
    assert_eq!(row("acme-corp")["wave"], 1);
    assert_eq!(row("acme-corp")["canary"], true);
    assert_eq!(row("initech")["state"], "deployed", "{json:#}");
    assert_eq!(row("initech")["detail"], "CREATE_COMPLETE");
    assert_eq!(row("globex")["state"], "failed", "{json:#}");
    assert_eq!(row("globex")["code"], "deploy.aws");
    assert!(
        row("globex")["detail"]
            .as_str()
            .unwrap()
            .contains("AccessDenied")
            || row("globex")["detail"]
                .as_str()
                .unwrap()
                .contains("not authorized"),
        "{json:#}"
    );
    assert_eq!(row("globex")["account_id"], customers[2].account.as_str());
    assert!(
        err.contains("error[rollout.not-deployed]: customer `globex` failed"),
        "{err}"
    );
    let version = json["versions"]["dev"].as_str().unwrap().to_owned();

    // The fleet, read back from the accounts: both deployed customers run this version.
    let (code, stdout, err) = vendor(&["fleet", "status", spec_arg, "--format", "json"]);
    assert_eq!(code, 1, "globex is unreachable: {stdout}\n{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = json["customers"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["customer"] == id).unwrap();
    for id in ["acme-corp", "initech"] {
        assert_eq!(row(id)["version"], version.as_str(), "{json:#}");
        assert_eq!(row(id)["currency"], "current", "{json:#}");
        assert_eq!(row(id)["stack_status"], "CREATE_COMPLETE", "{json:#}");
        assert_eq!(row(id)["access"], true);
    }
    assert_eq!(row("globex")["access"], false);
    assert_eq!(row("globex")["currency"], "unknown");
    // A rerun of the rollout to the two changes nothing.
    let (code, stdout, err) = vendor(&["rollout", spec_arg, "--customer", "acme-corp,initech"]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("rollout: no-changes 2"), "{stdout}");

    // A new version of the product (a larger database): both customers are now behind it.
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        text.replace(
            "instance_class: db.t4g.medium",
            "instance_class: db.t4g.large",
        ),
    )
    .unwrap();
    let (code, stdout, err) = vendor(&[
        "fleet",
        "status",
        spec_arg,
        "--customer",
        "acme-corp,initech",
    ]);
    assert_eq!(code, 1, "{stdout}\n{err}");
    for id in ["acme-corp", "initech"] {
        let line = stdout.lines().find(|l| l.starts_with(id)).unwrap();
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cells[4..7],
            [version.as_str(), "behind", "CREATE_COMPLETE"],
            "{line}"
        );
    }
}

/// The StackSets engine's plumbing on moto (which finishes each operation at once and ignores
/// the preferences: those are tested against scripted answers): the templates go to the
/// vendor's bucket, the stack set is created with an instance per customer (its own parameters
/// as overrides), the table comes from the instances; a second rollout updates the stack set;
/// a third, whose templates would replace the database, is stopped by byoa's prediction.
#[test]
fn a_stackset_rollout_creates_then_updates_one_instance_per_customer() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path());
    let customers: Vec<Customer> = ["acme-corp", "initech"]
        .into_iter()
        .enumerate()
        .map(|(i, id)| Customer {
            id,
            account: fresh_account(),
            external_id: format!("SetExtId{i}abcdefghijklmnopqrstuvwxyz0123456"),
            canary: false,
        })
        .collect();
    let certificates: Vec<String> = customers.iter().map(|c| certificate(&c.account)).collect();
    std::fs::write(
        tmp.path().join("customers.yaml"),
        customers_yaml(&customers, &certificates),
    )
    .unwrap();
    // The vendor's template bucket, in the vendor's account.
    let bucket = format!("vendor-templates-{}", fresh_account());
    crate::deploy::moto_http("123456789012", "PUT", &format!("/{bucket}"), &[], "");
    let args = [
        "rollout",
        spec.to_str().unwrap(),
        "--all",
        "--engine",
        "stacksets",
        "--bucket",
        &bucket,
        "--concurrency",
        "4",
        "--max-failures",
        "1",
        "--format",
        "json",
    ];
    let (code, stdout, err) = vendor(&args);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        err.contains("warning[rollout.concurrency-lowered]: StackSets runs at most --max-failures + 1 = 2 accounts at a time"),
        "{err}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["engine"], "stacksets");
    for (row, c) in json["customers"].as_array().unwrap().iter().zip(&customers) {
        assert_eq!(row["customer"], c.id);
        assert_eq!(row["state"], "deployed", "{json:#}");
        assert_eq!(row["account_id"], c.account.as_str());
    }
    // Again: the stack set exists, so it is updated (every instance).
    let (code, stdout, err) = vendor(&args);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("\"summary\": \"deployed 2\""), "{stdout}");
    // A version that replaces the database: StackSets has no change set per account, so byoa's
    // prediction is the guard, and the stack set is not updated.
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        text.replacen("\ndatabase:\n", "\ndatabase:\n  name: orders\n", 1),
    )
    .unwrap();
    let (code, stdout, err) = vendor(&args);
    assert_eq!(code, 3, "{stdout}\n{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for row in json["customers"].as_array().unwrap() {
        assert_eq!(row["state"], "blocked", "{json:#}");
        assert_eq!(row["code"], "deploy.data-loss");
        assert!(
            row["detail"]
                .as_str()
                .unwrap()
                .starts_with("stack set not updated: "),
            "{json:#}"
        );
    }
}

/// Templates that name the zones of their spec's region cannot run elsewhere: a customer in
/// another region is refused before any account is touched (no AWS call: no moto needed).
#[test]
fn a_customer_where_the_templates_cannot_run_is_refused_before_anything_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path());
    let text = std::fs::read_to_string(&spec).unwrap();
    let zoned = text
        .replace("  az_count: 2 ", "  zones: [us-east-1a, us-east-1b] ")
        .replace(
            "      az_count: 3",
            "      zones: [us-east-1a, us-east-1b, us-east-1c]",
        );
    assert_eq!(
        zoned.matches("zones: [").count(),
        2,
        "acme-api's az_count lines moved"
    );
    std::fs::write(&spec, zoned).unwrap();
    let mut text = customers_yaml(
        &[Customer {
            id: "acme-corp",
            account: "222222222222".into(),
            external_id: "AcmeExternalId0123456789abcdefghijklmn".into(),
            canary: false,
        }],
        &["arn:aws:acm:eu-west-1:222222222222:certificate/x".into()],
    );
    text = text.replace("region: us-east-1", "region: eu-west-1");
    std::fs::write(tmp.path().join("customers.yaml"), text).unwrap();
    let (code, stdout, err) = crate::byoa(&["rollout", spec.to_str().unwrap(), "--all"]);
    assert_eq!(code, 2, "{stdout}\n{err}");
    assert!(
        err.contains("error[customers.region-bound]: customer `acme-corp` is in `eu-west-1`, where the `dev` templates cannot run: they name the zones of `us-east-1` (`network.zones: [us-east-1a, us-east-1b]`)"),
        "{err}"
    );
    assert!(stdout.is_empty(), "{stdout}");
}
