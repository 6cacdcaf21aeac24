//! The done-when of `byoa deploy` against moto: acme-api's dev root stack with its six nested
//! stacks is created, a rerun changes nothing, a mutable edit (the database's instance class)
//! updates the instance in place, and an edit that replaces the database (`database.name`) is
//! refused with exit 3 naming the resource, the forcing property and the spec field, then
//! executed with `--allow-replace`; destroying the root lists its data stores and deletes it
//! when confirmed. What moto does not emulate of these stacks is listed in
//! `tools/moto/corrections`; the checks below read real moto state (CloudFormation, RDS, ECS),
//! not byoa's own account of it.

use std::path::Path;
use std::time::Instant;

use crate::deploy::{ACCESS, byoa_as, deploy, fresh_account, moto_http, on_spec, spec, text};

/// One AWS API call to moto as `account`: a JSON call when `target` is given (the
/// `X-Amz-Target` of the operation), else a query-protocol form. moto takes the service from
/// the credential scope of an unsigned `Authorization` header.
fn aws(account: &str, service: &str, target: Option<&str>, body: &str) -> String {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, \
         SignedHeaders=host, Signature=unsigned"
    );
    let mut headers = vec![("Authorization", auth.as_str())];
    match target {
        Some(t) => {
            headers.push(("X-Amz-Target", t));
            headers.push(("Content-Type", "application/x-amz-json-1.1"));
        }
        None => headers.push(("Content-Type", "application/x-www-form-urlencoded")),
    }
    moto_http(account, "POST", "/", &headers, body)
}

/// The customer's certificate for the HTTPS listener, requested in ACM as a customer would
/// (the root stack takes its ARN as a parameter). moto's load balancer takes it while its
/// validation is pending; AWS needs it issued (the customer validates the domain first).
pub(crate) fn certificate(account: &str) -> String {
    let body = aws(
        account,
        "acm",
        Some("CertificateManager.RequestCertificate"),
        r#"{"DomainName": "api.example.com"}"#,
    );
    let json: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    json["CertificateArn"].as_str().unwrap().to_owned()
}

/// The account's RDS instances: (identifier, class, database name) of each.
fn db_instances(account: &str) -> Vec<(String, String, String)> {
    let xml = aws(
        account,
        "rds",
        None,
        "Action=DescribeDBInstances&Version=2014-10-31",
    );
    let field = |item: &str, tag: &str| {
        item.split(&format!("<{tag}>"))
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_default()
            .to_owned()
    };
    xml.split("<DBInstance>")
        .skip(1)
        .map(|item| {
            (
                field(item, "DBInstanceIdentifier"),
                field(item, "DBInstanceClass"),
                field(item, "DBName"),
            )
        })
        .collect()
}

/// The ECS services of the account's one cluster, by ARN.
fn ecs_services(account: &str) -> Vec<String> {
    let target = |op: &str| format!("AmazonEC2ContainerServiceV20141113.{op}");
    let clusters = aws(account, "ecs", Some(&target("ListClusters")), "{}");
    let clusters: serde_json::Value = serde_json::from_str(&clusters).unwrap();
    let cluster = clusters["clusterArns"][0].as_str().expect("a cluster");
    let body = serde_json::json!({ "cluster": cluster }).to_string();
    let services = aws(account, "ecs", Some(&target("ListServices")), &body);
    let services: serde_json::Value = serde_json::from_str(&services).unwrap();
    services["serviceArns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// The spec with `edits` (from, to) applied, written into `dir`.
fn edited(dir: &Path, name: &str, edits: &[(&str, &str)]) -> std::path::PathBuf {
    let mut text = std::fs::read_to_string(spec()).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from} not in the spec");
        text = text.replacen(from, to, 1);
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

// The one place this test prints: the wall times of the first deploy and of the rerun (seen
// with `--nocapture`), which the closing note of the deploy work reports.
#[allow(clippy::print_stderr)]
fn report_times(first: std::time::Duration, rerun: std::time::Duration) {
    eprintln!("acme-api dev against moto: first deploy {first:.2?}, rerun {rerun:.2?}");
}

const MODULES: [&str; 6] = [
    "Network",
    "Cluster",
    "Database",
    "ServiceApi",
    "ServiceWorker",
    "Monitoring",
];

#[test]
fn the_root_deploys_reruns_unchanged_updates_in_place_and_replaces_the_database_only_when_allowed()
{
    let account = &fresh_account();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, stdout, err) = text(&deploy(account, &spec(), &out, &ACCESS));
    assert_eq!(code, 0, "{stdout}\n{err}");
    let cert = format!("CertificateArn={}", certificate(account));
    let root: [&str; 4] = [
        "--parameter",
        "AvailabilityZones=us-east-1a,us-east-1b",
        "--parameter",
        &cert,
    ];

    // First deploy: the root and every nested stack are created.
    let started = Instant::now();
    let (code, stdout, err) = text(&deploy(account, &spec(), &out, &root));
    let first = started.elapsed();
    assert_eq!(code, 0, "{stdout}\n{err}");
    for module in MODULES {
        assert!(
            stdout.contains(&format!("+ {module} ")),
            "{module}: {stdout}"
        );
    }
    assert!(stdout.contains("deployed: CREATE_COMPLETE"), "{stdout}");
    let status = || on_spec(account, "status", &["--stack", "root"]);
    let (code, stdout, err) = status();
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        stdout.starts_with("acme-api-dev-root: CREATE_COMPLETE"),
        "{stdout}"
    );
    for module in MODULES {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(module))
            .unwrap_or_else(|| panic!("no nested stack {module}: {stdout}"));
        assert!(line.ends_with("CREATE_COMPLETE"), "{line}");
    }
    // What is deployed, nested templates included, is what byoa wrote.
    let (code, stdout, err) = text(&byoa_as(
        account,
        &["diff", "--deployed", out.to_str().unwrap()],
    ));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("No changes: 7 stacks compared"), "{stdout}");
    // Real resources behind them: the database and both services.
    let dbs = db_instances(account);
    assert_eq!(dbs.len(), 1, "{dbs:?}");
    let (db_id, class, name) = dbs[0].clone();
    assert_eq!(
        db_id, "acme-api-dev-app",
        "the instance has byoa's fixed identifier"
    );
    assert_eq!((class.as_str(), name.as_str()), ("db.t4g.medium", "app"));
    let services = ecs_services(account);
    assert_eq!(services.len(), 2, "{services:?}");
    assert!(
        services.iter().any(|s| s.contains("ServiceApi"))
            && services.iter().any(|s| s.contains("ServiceWorker")),
        "{services:?}"
    );

    // A rerun: no changes, nothing executed.
    let started = Instant::now();
    let (code, stdout, err) = text(&deploy(account, &spec(), &out, &root));
    let rerun = started.elapsed();
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("acme-api-dev-root: no changes"), "{stdout}");
    assert!(!stdout.contains("executing"), "{stdout}");
    report_times(first, rerun);

    // A mutable property: the instance class changes in place (same instance).
    let class_edit = (
        "instance_class: db.t4g.medium",
        "instance_class: db.t4g.large",
    );
    let larger = edited(tmp.path(), "larger.yaml", &[class_edit]);
    let (code, stdout, err) = text(&deploy(account, &larger, &out, &root));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("deployed: UPDATE_COMPLETE"), "{stdout}");
    assert_eq!(
        db_instances(account),
        [(db_id.clone(), "db.t4g.large".into(), "app".into())]
    );

    // A replacing edit: refused before anything executes, with the resource, the property
    // that forces the replacement and the spec field that changed it.
    let renamed = edited(
        tmp.path(),
        "renamed.yaml",
        &[
            class_edit,
            (
                "backup_retention_days: 14\n",
                "backup_retention_days: 14\n  name: orders\n",
            ),
        ],
    );
    let (code, stdout, err) = text(&deploy(account, &renamed, &out, &root));
    assert_eq!(code, 3, "{stdout}\n{err}");
    assert!(
        err.contains(
            "error[deploy.data-loss]: `Database` (AWS::RDS::DBInstance) in stack `database`"
        ),
        "{err}"
    );
    assert!(
        err.contains("forced by DBInstanceIdentifier, DBName") && err.contains("database.name"),
        "{err}"
    );
    // The log groups, named after the instance, are replaced with it.
    assert!(
        err.contains("`DatabasePostgresqlLogGroup` (AWS::Logs::LogGroup) in stack `database`"),
        "{err}"
    );
    assert!(err.contains("--allow-replace database/Database"), "{err}");
    assert!(!stdout.contains("executing"), "{stdout}");
    assert_eq!(
        db_instances(account),
        [(db_id.clone(), "db.t4g.large".into(), "app".into())],
        "a refused deploy changed the database"
    );
    // Allowed: the database is replaced (a new instance, the old one gone).
    let allowed = [
        &root[..],
        &[
            "--allow-replace",
            "database/Database",
            "--allow-replace",
            "database/DatabasePostgresqlLogGroup",
            "--allow-replace",
            "database/DatabaseUpgradeLogGroup",
        ],
    ]
    .concat();
    let (code, stdout, err) = text(&deploy(account, &renamed, &out, &allowed));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("(allowed by --allow-replace)"), "{stdout}");
    assert!(stdout.contains("deployed: UPDATE_COMPLETE"), "{stdout}");
    // moto (5.2) leaves the instance as it was when its fixed identifier changes (it lists
    // `acme-api-dev-app` with `app` after this update, where it replaced an instance with a
    // generated identifier): that the edit replaces the instance is what the guard stopped
    // above and what `deploy::guard`'s tests prove on the templates.
    let dbs = db_instances(account);
    assert_eq!(dbs.len(), 1, "{dbs:?}");
    let (code, stdout, _) = status();
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("acme-api-dev-root: UPDATE_COMPLETE"),
        "{stdout}"
    );

    // Destroy: the root's data stores are listed from the nested stacks; deleted when confirmed.
    let destroy = |extra: &[&str]| on_spec(account, "destroy", extra);
    let (code, stdout, err) = destroy(&[]);
    assert_eq!(code, 3, "{stdout}\n{err}");
    assert!(
        stdout.contains(&format!(
            "database/Database (AWS::RDS::DBInstance) {}",
            dbs[0].0
        )) && stdout.contains("deleted; a final snapshot is kept"),
        "{stdout}"
    );
    let (code, stdout, err) = destroy(&["--confirm", "acme-api-dev-root"]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("deleted acme-api-dev-root"), "{stdout}");
    let (code, stdout, _) = status();
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("acme-api-dev-root: not deployed"),
        "{stdout}"
    );
    assert!(
        db_instances(account).is_empty(),
        "the database outlived its stack"
    );
}
