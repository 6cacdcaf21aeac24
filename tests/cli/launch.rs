//! `byoa launch`: templates published under content-addressed keys (on moto), and the
//! quick-create links that launch them, access stack first.

use std::process::Command;

use crate::deploy::{endpoint, moto_http};

/// A GET of an object as a signed-in caller (moto refuses anonymous reads of a private
/// bucket, as S3 does; it does not check the signature).
fn object(bucket: &str, key: &str) -> String {
    let auth = "AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";
    moto_http(
        "123456789012",
        "GET",
        &format!("/{bucket}/{key}"),
        &[("Authorization", auth)],
        "",
    )
}
use crate::{byoa, root};

/// A spec copy with two customers in a temporary directory.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("byoa.yaml");
    std::fs::copy(root().join("examples/acme-api/byoa.yaml"), &spec).unwrap();
    for (id, account, region, env) in [
        ("acme-corp", "222222222222", "us-east-1", "prod"),
        ("globex", "333333333333", "us-east-1", "dev"),
    ] {
        let (code, _, err) = byoa(&[
            "customers",
            "add",
            id,
            "--name",
            id,
            "--account",
            account,
            "--region",
            region,
            "--env",
            env,
            "--spec",
            spec.to_str().unwrap(),
            "--parameter",
            "ApiImageTag=1.4.2",
        ]);
        assert_eq!(code, 0, "{err}");
    }
    dir
}

/// `templateURL`'s value in `link`, decoded.
fn template_url(link: &str) -> String {
    let v = link
        .split("templateURL=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let mut out = Vec::new();
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn links_name_s3_urls_and_each_customers_external_id() {
    let dir = project();
    let spec = dir.path().join("byoa.yaml");
    let customers = byoa::customers::load(&dir.path().join("customers.yaml")).unwrap();
    let base = "https://vendor-templates.s3.us-east-1.amazonaws.com/launch";
    let (code, out, err) = byoa(&[
        "launch",
        spec.to_str().unwrap(),
        "--all",
        "--base-url",
        base,
        "--format",
        "json",
        "--pages",
        dir.path().join("pages").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    for (row, c) in rows.as_array().unwrap().iter().zip(&customers.customers) {
        let page = std::path::PathBuf::from(row["page"].as_str().unwrap());
        assert_eq!(
            page,
            dir.path().join("pages").join(format!("{}.html", c.id))
        );
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(
            html.contains(&c.external_id),
            "the page carries the customer's access link"
        );
        assert!(
            html.contains("<h2>Estimated cost</h2>") && html.contains(" a month</p>"),
            "the page shows the estimate"
        );
        let links = row["links"].as_array().unwrap();
        let (access, root) = (&links[0], &links[1]);
        assert_eq!(
            (access["stack"].as_str(), root["stack"].as_str()),
            (Some("access"), Some("root"))
        );
        let a = access["url"].as_str().unwrap();
        assert!(a.starts_with(&format!("https://{0}.console.aws.amazon.com/cloudformation/home?region={0}#/stacks/quickcreate?", c.region)), "{a}");
        assert!(
            a.ends_with(&format!("&param_ExternalId={}", c.external_id)),
            "{a}"
        );
        assert!(template_url(a).starts_with(&format!("{base}/acme-api/{}/access/", c.environment)));
        let r = root["url"].as_str().unwrap();
        assert!(r.contains("&param_ApiImageTag=1.4.2"), "{r}");
        assert!(
            r.contains(&format!("&stackName=acme-api-{}-root", c.environment)),
            "{r}"
        );
    }
    // Not an S3 address: the console would refuse it, so byoa does.
    let (code, _, err) = byoa(&[
        "launch",
        spec.to_str().unwrap(),
        "--all",
        "--base-url",
        "https://example.com/t",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("launch.templates"), "{err}");
    // A customer in another region its residency allows: the templates take the region from
    // where they are launched, so the link opens that region's console.
    let (code, _, err) = byoa(&[
        "customers",
        "add",
        "initech",
        "--name",
        "Initech",
        "--account",
        "444444444444",
        "--region",
        "eu-west-1",
        "--env",
        "prod",
        "--spec",
        spec.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = byoa(&[
        "launch",
        spec.to_str().unwrap(),
        "--customer",
        "initech",
        "--base-url",
        base,
        "--format",
        "json",
        "--pages",
        dir.path().join("pages").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let access = rows[0]["links"][0]["url"].as_str().unwrap();
    assert!(
        access.starts_with(
            "https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#"
        ),
        "{access}"
    );
    // An unknown customer.
    let (code, _, err) = byoa(&[
        "launch",
        spec.to_str().unwrap(),
        "--customer",
        "acme",
        "--base-url",
        base,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `acme-corp`?"), "{err}");
}

#[test]
fn templates_are_published_once_under_content_addressed_keys() {
    let dir = project();
    let spec = dir.path().join("byoa.yaml");
    // moto's default account: the SDK sends no account header.
    let bucket = format!("launch-{}", crate::deploy::fresh_account());
    moto_http("123456789012", "PUT", &format!("/{bucket}"), &[], "");
    let run = || {
        let o = Command::new(env!("CARGO_BIN_EXE_byoa"))
            .args([
                "launch",
                spec.to_str().unwrap(),
                "--customer",
                "acme-corp",
                "--bucket",
                &bucket,
            ])
            .args([
                "--endpoint-url",
                &endpoint(),
                "--region",
                "us-east-1",
                "--format",
                "json",
                "--pages",
                dir.path().join("pages").to_str().unwrap(),
            ])
            .env_clear()
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_CONFIG_FILE", "/nonexistent/byoa-test-config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/byoa-test-credentials",
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_MAX_ATTEMPTS", "1")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(0), "{err}");
        String::from_utf8(o.stdout).unwrap()
    };
    let first = run();
    let rows: serde_json::Value = serde_json::from_str(&first).unwrap();
    let url = template_url(rows[0]["links"][0]["url"].as_str().unwrap());
    let key = url
        .split(&format!("/{bucket}/"))
        .nth(1)
        .unwrap_or_else(|| panic!("{url}"));
    let body = object(&bucket, key);
    let synth = tempfile::tempdir().unwrap();
    let (code, _, err) = byoa(&[
        "synth",
        spec.to_str().unwrap(),
        "--env",
        "prod",
        "--out",
        synth.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        body == std::fs::read_to_string(synth.path().join("access.yaml")).unwrap(),
        "the published access template is the synthesized one"
    );
    // The root's nested templates are where its link says.
    let root_link = rows[0]["links"][1]["url"].as_str().unwrap();
    let nested = root_link
        .split("param_ArtifactBaseUrl=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let nested = template_url(&format!("templateURL={nested}"));
    let network = nested.split(&format!("/{bucket}/")).nth(1).unwrap();
    let body = object(&bucket, &format!("{network}/network.yaml"));
    assert!(
        body == std::fs::read_to_string(synth.path().join("network.yaml")).unwrap(),
        "the published network template is the synthesized one"
    );
    // The same version again: the same links.
    assert_eq!(run(), first);
}
