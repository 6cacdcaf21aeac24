//! `byoa deploy` against the local moto server that `scripts/test` starts (moto with the
//! corrections `tools/moto/corrections` documents). Each test assumes a role in an account of
//! its own (`customer_admin`, made there first: moto assumes only existing roles that trust the
//! caller, and maps the assumed role's credentials to the role's account), so tests run in
//! parallel without sharing stacks, and the assume-role path is exercised. The
//! access stack's paths are here; the root's deploy, rerun, update and replacement are in
//! `deploy_root.rs`.
//!
//! moto executes change sets synchronously and without per-resource events, replacement
//! details, nested change sets or rollback states; those paths are tested in
//! `src/deploy/run/tests.rs` against scripted AWS answers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};

use crate::root;

/// moto's endpoint, with `localhost` for `127.0.0.1`: moto reads the bucket of a path-style
/// `TemplateURL` from the host when the host is an IP address.
pub(crate) fn endpoint() -> String {
    let url = std::env::var("BYOA_MOTO_ENDPOINT").unwrap_or_else(|_| {
        panic!("BYOA_MOTO_ENDPOINT is not set: run the suite with `scripts/test` (it starts moto)")
    });
    url.replace("127.0.0.1", "localhost")
}

/// Runs `byoa deploy` as a customer's deployer in `account`, against moto.
pub(crate) fn deploy(account: &str, spec: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["deploy", spec.to_str().unwrap(), "--env", "dev", "--out"];
    args.push(out.to_str().unwrap());
    args.extend(extra);
    byoa_as(account, &args)
}

/// Runs the byoa binary with `args` as a customer's deployer in `account`, against moto.
pub(crate) fn byoa_as(account: &str, args: &[&str]) -> Output {
    let role = customer_admin(account);
    let mut cmd = byoa_cmd();
    cmd.args(args)
        .args(["--endpoint-url", &endpoint(), "--role-arn", &role])
        .args(["--external-id", "byoa-test-external-id-0001"]);
    cmd.output().expect("byoa runs")
}

/// The byoa binary with the vendor's credentials only (moto's account 123456789012), nothing
/// from the machine's AWS configuration.
pub(crate) fn byoa_cmd() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_byoa"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/nonexistent/byoa-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/byoa-test-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // moto answers what it does not emulate with HTTP 500: do not retry those.
        .env("AWS_MAX_ATTEMPTS", "1");
    cmd
}

/// A role in `account` standing for the customer's own administrator (who launches the access
/// stack from the console in real life): made once per account, outside byoa, and trusted by
/// the test's credentials with the test's external id. moto assumes a role only when it exists
/// and trusts the caller (tools/moto/corrections/sts.py). Its ARN.
pub(crate) fn customer_admin(account: &str) -> String {
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "byoa-test-external-id-0001"}},
        }],
    });
    let body = format!(
        "Action=CreateRole&Version=2010-05-08&RoleName={ADMIN_ROLE}&AssumeRolePolicyDocument={}",
        percent(&trust.to_string())
    );
    // An unsigned request: moto takes the service from the credential scope and the account
    // from its header. A second call answers EntityAlreadyExists, which is as good.
    let answer = moto_http(
        account,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
            ),
        ],
        &body,
    );
    assert!(
        answer.contains("<Arn>") || answer.contains("EntityAlreadyExists"),
        "{answer}"
    );
    format!("arn:aws:iam::{account}:role/{ADMIN_ROLE}")
}

const ADMIN_ROLE: &str = "byoa-test-customer-admin";

/// `text` percent-encoded for a form body.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `byoa COMMAND examples/acme-api/byoa.yaml --env dev EXTRA...` as `account`'s deployer.
pub(crate) fn on_spec(account: &str, command: &str, extra: &[&str]) -> (i32, String, String) {
    let spec = spec();
    let mut args = vec![command, spec.to_str().unwrap(), "--env", "dev"];
    args.extend(extra);
    text(&byoa_as(account, &args))
}

pub(crate) fn text(o: &Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Deploying the access stack, with the external id every test's deployer role uses.
pub(crate) const ACCESS: [&str; 4] = [
    "--stack",
    "access",
    "--parameter",
    "ExternalId=byoa-test-external-id-0001",
];

/// The root stack's change set with its required parameters, left for review (the certificate
/// need not exist until the change set executes).
const ROOT_FOR_REVIEW: [&str; 5] = [
    "--review",
    "--parameter",
    "AvailabilityZones=us-east-1a,us-east-1b",
    "--parameter",
    "CertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/test",
];

/// A plain HTTP GET of a path on moto as `account` (moto answers unsigned S3 requests and
/// takes the account from a header).
fn get(account: &str, path: &str) -> String {
    moto_http(account, "GET", path, &[], "")
}

/// One plain HTTP/1.0 request to moto as `account` (taken from a header); the response body.
pub(crate) fn moto_http(
    account: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> String {
    let url = endpoint();
    let hostport = url.trim_start_matches("http://");
    let addr = hostport.replace("localhost", "127.0.0.1");
    let mut s = TcpStream::connect(addr).expect("moto answers");
    let mut head = format!(
        "{method} {path} HTTP/1.0\r\nHost: {hostport}\r\nx-moto-account-id: {account}\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    write!(s, "{head}\r\n{body}").unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

/// An account no earlier run used: moto keeps its state for as long as it runs.
pub(crate) fn fresh_account() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("2{:011}", (nanos / 1000 + n * 7919) % 100_000_000_000)
}

pub(crate) fn spec() -> std::path::PathBuf {
    root().join("examples/acme-api/byoa.yaml")
}

#[test]
fn the_access_stack_then_the_root_change_set_with_its_templates_uploaded() {
    let account = &fresh_account();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // The root first: refused, the access stack does not exist yet.
    let (code, _, err) = text(&deploy(account, &spec(), &out, &[]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[deploy.access-stack]") && err.contains("acme-api-dev-access"),
        "{err}"
    );
    // The access stack, named: created.
    let access = ACCESS;
    let (code, stdout, err) = text(&deploy(account, &spec(), &out, &access));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        stdout.contains("+ ArtifactBucket") && stdout.contains("+ DeployerRole"),
        "{stdout}"
    );
    assert!(stdout.contains("deployed: CREATE_COMPLETE"), "{stdout}");
    // Again: nothing to change, nothing executed.
    let (code, stdout, err) = text(&deploy(account, &spec(), &out, &access));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        stdout.contains("acme-api-dev-access: no changes"),
        "{stdout}"
    );
    assert!(!stdout.contains("executing"), "{stdout}");
    // The root without its required parameters: named, nothing sent.
    let (code, _, err) = text(&deploy(account, &spec(), &out, &["--review"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[deploy.parameter]: parameter `AvailabilityZones`"),
        "{err}"
    );
    assert!(err.contains("parameter `CertificateArn`"), "{err}");
    // With them, for review: the module templates are uploaded and the change set waits.
    let root_args = ROOT_FOR_REVIEW;
    let (code, stdout, err) = text(&deploy(account, &spec(), &out, &root_args));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("change set left for review"), "{stdout}");
    let uploaded = stdout
        .lines()
        .find_map(|l| l.strip_prefix("uploaded "))
        .unwrap_or_else(|| panic!("no upload line: {stdout}"));
    let location = uploaded.split("s3://").nth(1).unwrap();
    // Listed, not read: the bucket's policy denies reads without TLS, and moto enforces it.
    let (bucket, prefix) = location.split_once('/').unwrap();
    let listing = get(account, &format!("/{bucket}?list-type=2&prefix={prefix}/"));
    for module in [
        "network",
        "cluster",
        "database",
        "service-api",
        "service-worker",
        "monitoring",
    ] {
        let bytes = std::fs::metadata(out.join(format!("{module}.yaml")))
            .unwrap()
            .len();
        let entry = format!("<Key>{prefix}/{module}.yaml</Key>");
        let at = listing
            .find(&entry)
            .unwrap_or_else(|| panic!("{module} not uploaded: {listing:.400}"));
        let size = listing[at..]
            .split("<Size>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap();
        assert_eq!(
            size,
            bytes.to_string(),
            "{module}: the uploaded size is not the synthesized one"
        );
    }
    // The same inputs again find the same change set.
    let (code, stdout, err) = text(&deploy(account, &spec(), &out, &root_args));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        stdout.contains("made earlier with the same inputs"),
        "{stdout}"
    );
}

#[test]
fn an_edit_of_a_mutable_property_updates_the_stack_in_place() {
    let account = &fresh_account();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let access = ACCESS;
    // Events for machines: JSON lines on standard output, the rest on standard error.
    let json_events = [&access[..], &["--events", "json"]].concat();
    let (code, stdout, err) = text(&deploy(account, &spec(), &out, &json_events));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(err.contains("+ ArtifactBucket"), "{err}");
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let last = events.last().unwrap();
    assert_eq!(
        (&last["outcome"], &last["status"]),
        (&"deployed".into(), &"CREATE_COMPLETE".into())
    );
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "stack" && e["status"] == "CREATE_COMPLETE"),
        "{stdout}"
    );
    // A longer session for the deployer role: MaxSessionDuration, updated in place.
    let edited = tmp.path().join("byoa.yaml");
    let original = std::fs::read_to_string(spec()).unwrap();
    let changed = original.replace("max_session_hours: 1", "max_session_hours: 2");
    assert_ne!(original, changed);
    std::fs::write(&edited, changed).unwrap();
    // `byoa diff --deployed` against the account: the deployed access stack is unchanged
    // from `out`, and differs from the edit in DeployerRole's MaxSessionDuration only.
    let diff = |dir: &Path| {
        text(&byoa_as(
            account,
            &[
                "diff",
                "--deployed",
                dir.to_str().unwrap(),
                "--stack",
                "access",
                "--format",
                "json",
            ],
        ))
    };
    let (code, stdout, err) = diff(&out);
    assert_eq!(
        code, 0,
        "the deployed access stack differs from what was deployed:\n{stdout}\n{err}"
    );
    let edited_out = tmp.path().join("edited");
    let spec_arg = edited.to_str().unwrap();
    let (code, _, err) = crate::byoa(&[
        "synth",
        spec_arg,
        "--env",
        "dev",
        "--out",
        edited_out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, stdout, err) = diff(&edited_out);
    assert_eq!(code, 1, "{stdout}\n{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = &json["stacks"][0]["resources"];
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["logical_id"], "DeployerRole");
    assert_eq!(rows[0]["properties"][0]["path"], "MaxSessionDuration");
    assert_eq!(rows[0]["impact"], "update");
    let (code, stdout, err) = text(&deploy(account, &edited, &out, &access));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        stdout.contains("~ DeployerRole") && stdout.contains("modify"),
        "{stdout}"
    );
    assert!(stdout.contains("deployed: UPDATE_COMPLETE"), "{stdout}");
    // moto does not implement drift detection: said, and the update went on.
    assert!(
        stdout.contains("drift: not detected (DetectStackDrift"),
        "{stdout}"
    );
    let spec_arg = spec();
    let args = [
        "drift",
        spec_arg.to_str().unwrap(),
        "--env",
        "dev",
        "--stack",
        "access",
    ];
    let (code, stdout, _) = text(&byoa_as(account, &args));
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("drift: not detected"), "{stdout}");
    let (code, stdout, err) = diff(&out);
    assert_eq!(
        code, 0,
        "after the update, the account matches the edit:\n{stdout}\n{err}"
    );
}

#[test]
fn destroy_says_what_stays_and_deletes_only_when_confirmed() {
    let account = &fresh_account();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec = spec();
    let spec = spec.to_str().unwrap();
    let destroy = |extra: &[&str]| on_spec(account, "destroy", extra);
    // Nothing deployed: nothing to do.
    let (code, stdout, err) = destroy(&[]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        stdout.contains("acme-api-dev-root: no such stack"),
        "{stdout}"
    );
    let access = ACCESS;
    let (code, stdout, err) = text(&deploy(account, Path::new(spec), &out, &access));
    assert_eq!(code, 0, "{stdout}\n{err}");
    // The access stack holds the artifact bucket and key (both retained): no confirmation,
    // no delete; a wrong name is refused.
    let (code, stdout, err) = destroy(&["--stack", "access"]);
    assert_eq!(code, 3, "{stdout}\n{err}");
    assert!(
        stdout.contains("access/ArtifactBucket (AWS::S3::Bucket)")
            && stdout.contains("stays (retained)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("access/ArtifactKey (AWS::KMS::Key)"),
        "{stdout}"
    );
    assert!(
        err.contains("error[deploy.data-loss]") && err.contains("--confirm acme-api-dev-access"),
        "{err}"
    );
    let (code, _, err) = destroy(&["--stack", "access", "--confirm", "acme-api-dev-root"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error[deploy.arguments]"), "{err}");
    // Confirmed: deleted, and what stays behind is named.
    let (code, stdout, err) = destroy(&["--stack", "access", "--confirm", "acme-api-dev-access"]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("deleted acme-api-dev-access"), "{stdout}");
    assert!(
        stdout.contains("stays behind in the account:\n  AWS::KMS::Key"),
        "{stdout}"
    );
    let (code, stdout, _) = destroy(&["--stack", "access"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("no such stack"), "{stdout}");
}

#[test]
fn the_access_stack_outlives_the_root() {
    let account = &fresh_account();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let access = ACCESS;
    let (code, _, err) = text(&deploy(account, &spec(), &out, &access));
    assert_eq!(code, 0, "{err}");
    let root = ROOT_FOR_REVIEW;
    let (code, _, err) = text(&deploy(account, &spec(), &out, &root));
    assert_eq!(code, 0, "{err}");
    let spec = spec();
    let status = |stack: &str| {
        let args = [
            "status",
            spec.to_str().unwrap(),
            "--env",
            "dev",
            "--stack",
            stack,
        ];
        text(&byoa_as(account, &args))
    };
    let (code, stdout, err) = status("root");
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        stdout.starts_with("acme-api-dev-root: REVIEW_IN_PROGRESS"),
        "{stdout}"
    );
    let (code, stdout, err) = status("access");
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(
        stdout.starts_with("acme-api-dev-access: CREATE_COMPLETE"),
        "{stdout}"
    );
    assert!(
        stdout.contains("latest events:") && stdout.contains("CREATE_COMPLETE"),
        "{stdout}"
    );
    let args = [
        "destroy",
        spec.to_str().unwrap(),
        "--env",
        "dev",
        "--stack",
        "access",
        "--confirm",
        "acme-api-dev-access",
    ];
    let (code, _, err) = text(&byoa_as(account, &args));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the root stack `acme-api-dev-root` still exists"),
        "{err}"
    );
}

/// `--region` takes another region of the spec's residency where the templates can run, and
/// is refused, before any AWS call, where they cannot.
#[test]
fn another_region_is_refused_where_the_templates_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::root().join("examples/acme-api/byoa.yaml")).unwrap();
    let deploy = |text: &str, region: &str| {
        let spec = dir.path().join("byoa.yaml");
        std::fs::write(&spec, text).unwrap();
        let out = dir.path().join("out");
        let (code, _, err) = crate::byoa(&[
            "deploy",
            spec.to_str().unwrap(),
            "--env",
            "prod",
            "--out",
            out.to_str().unwrap(),
            "--region",
            region,
            "--endpoint-url",
            "http://127.0.0.1:9",
        ]);
        (code, err)
    };
    let us_only = text.replace("residency: global", "residency: us");
    assert_ne!(us_only, text, "acme-api's residency line moved");
    let (code, err) = deploy(&us_only, "eu-west-1");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "`--region eu-west-1` cannot be used: the spec's residency `us` does not allow it"
        ),
        "{err}"
    );
    let zoned = text
        .replace("  az_count: 2 ", "  zones: [us-east-1a, us-east-1b] ")
        .replace(
            "      az_count: 3",
            "      zones: [us-east-1a, us-east-1b, us-east-1c]",
        );
    let (code, err) = deploy(&zoned, "us-west-2");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`--region us-west-2` cannot be used: the templates cannot run there: they name the zones of `us-east-1`"),
        "{err}"
    );
}
