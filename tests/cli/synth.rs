//! Synthesis end to end: snapshots, determinism, manifest, atomic output.

use crate::{byoa, examples, root, synth_to};

fn read(dir: &std::path::Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The snapshot name of every template of acme-api, per environment.
pub fn template_snapshot_names() -> Vec<(String, String, String)> {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let mut out = Vec::new();
    for env in ["dev", "prod"] {
        let loaded = byoa::spec::load(&spec, Some(env), byoa::policy::catalogue()).expect("valid");
        for stack in byoa::modules::build_all(&loaded.model, "yaml").expect("builds") {
            let name = format!("acme_api_{env}_{}", stack.module.replace('-', "_"));
            out.push((name, env.to_owned(), stack.file("yaml")));
        }
    }
    out
}

#[test]
fn template_snapshots_for_dev_and_prod() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let dev = synth_to(&spec, Some("dev"), "yaml");
    let prod = synth_to(&spec, Some("prod"), "yaml");
    for (name, env, file) in template_snapshot_names() {
        let dir = if env == "dev" { &dev } else { &prod };
        insta::assert_snapshot!(name, read(dir.path(), &file));
    }
}

/// The snapshots of the task-permissions fixture (issue 15).
pub const TASK_SNAPSHOTS: [&str; 2] = [
    "task_permissions_prod_service_worker",
    "task_permissions_prod_boundary",
];

/// The task-permissions fixture: the worker's whole service template (its task role's policy),
/// and the permissions boundary with a statement and a reason per grant. Spelling the actions
/// in another case changes no byte: IAM reads them case-insensitively, byoa writes AWS's
/// spelling.
#[test]
fn task_grants_reach_the_task_role_and_the_boundary_in_aws_spelling() {
    let fixture = root().join("tests/fixtures/task-permissions/byoa.yaml");
    let dir = synth_to(&fixture, Some("prod"), "yaml");
    insta::assert_snapshot!(TASK_SNAPSHOTS[0], read(dir.path(), "service-worker.yaml"));
    let json = synth_to(&fixture, Some("prod"), "json");
    let access: serde_json::Value =
        serde_json::from_str(&read(json.path(), "access.json")).expect("JSON");
    let boundary = &access["Resources"]["PermissionsBoundary"];
    let statements = boundary["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let tasks: Vec<&serde_json::Value> = statements
        .iter()
        .filter(|st| st["Sid"].as_str().is_some_and(|s| s.contains("Task")))
        .collect();
    assert_eq!(tasks.len(), 7, "one statement per grant");
    let shown = serde_json::json!({"Metadata": boundary["Metadata"], "TaskStatements": tasks});
    insta::assert_snapshot!(
        TASK_SNAPSHOTS[1],
        serde_json::to_string_pretty(&shown).expect("JSON")
    );
    // The api's task role holds the api's grants only.
    let api: serde_json::Value =
        serde_json::from_str(&read(json.path(), "service-api.json")).expect("JSON");
    let policy = &api["Resources"]["TaskRole"]["Properties"]["Policies"][0]["PolicyDocument"];
    let sids: Vec<&str> = policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter_map(|st| st["Sid"].as_str())
        .collect();
    assert_eq!(sids, ["Grant1", "Grant2", "Grant3"]);

    let text = std::fs::read_to_string(&fixture).expect("fixture");
    let shouted = text
        .replace("s3:GetObject", "S3:getobject")
        .replace("sqs:ReceiveMessage", "SQS:RECEIVEMESSAGE");
    assert_ne!(shouted, text);
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("byoa.yaml"), shouted).expect("written");
    let again = synth_to(&tmp.path().join("byoa.yaml"), Some("prod"), "yaml");
    for file in ["access.yaml", "service-api.yaml", "service-worker.yaml"] {
        assert_eq!(read(dir.path(), file), read(again.path(), file), "{file}");
    }
}

/// The network fixture's templates that its network choices change: (snapshot name,
/// environment, file).
pub fn network_snapshot_names() -> Vec<(String, String, String)> {
    [
        ("customer-vpc", "network"),
        ("customer-vpc", "root"),
        ("customer-vpc", "access"),
        ("endpoints", "network"),
    ]
    .iter()
    .map(|(env, module)| {
        let name = format!("network_fixture_{}_{module}", env.replace('-', "_"));
        (name, (*env).to_owned(), format!("{module}.yaml"))
    })
    .collect()
}

/// The customer's VPC (launch parameters, no VPC of byoa's, security groups only in the access
/// stack) and byoa's VPC without NAT (endpoints), as the fixture spec gives them.
#[test]
fn network_fixture_snapshots_for_the_customers_vpc_and_endpoints() {
    let spec = root().join("tests/fixtures/network/byoa.yaml");
    let customer = synth_to(&spec, Some("customer-vpc"), "yaml");
    let endpoints = synth_to(&spec, Some("endpoints"), "yaml");
    for (name, env, file) in network_snapshot_names() {
        let dir = if env == "endpoints" {
            &endpoints
        } else {
            &customer
        };
        insta::assert_snapshot!(name, read(dir.path(), &file));
    }
    // Nothing of a VPC of byoa's in the customer's: no VPC, subnet, route, gateway or flow log.
    let network = read(customer.path(), "network.yaml");
    for kind in [
        "AWS::EC2::VPC\n",
        "AWS::EC2::Subnet\n",
        "AWS::EC2::RouteTable",
        "AWS::EC2::NatGateway",
        "AWS::EC2::InternetGateway",
        "AWS::EC2::FlowLog",
        "AWS::EC2::VPCEndpoint",
    ] {
        assert!(!network.contains(kind), "{kind} in the customer's VPC");
    }
    let access = read(customer.path(), "access.yaml");
    for action in [
        "ec2:CreateVpc",
        "ec2:CreateSubnet",
        "ec2:CreateNatGateway",
        "ec2:CreateFlowLogs",
    ] {
        assert!(
            !access.contains(action),
            "{action} granted for the customer's VPC"
        );
    }
    assert!(access.contains("ec2:CreateSecurityGroup"));
}

#[test]
fn same_spec_gives_the_same_bytes() {
    for (spec, envs) in examples() {
        for env in envs.iter().map(String::as_str) {
            for format in ["yaml", "json"] {
                let a = synth_to(&spec, Some(env), format);
                let b = synth_to(&spec, Some(env), format);
                let manifest = byoa::synth::read_manifest(a.path()).expect("manifest");
                for t in &manifest.templates {
                    assert_eq!(
                        read(a.path(), &t.file),
                        read(b.path(), &t.file),
                        "{}",
                        t.file
                    );
                }
                assert_eq!(
                    read(a.path(), "manifest.json"),
                    read(b.path(), "manifest.json")
                );
            }
        }
    }
}

#[test]
fn yaml_and_json_output_describe_the_same_template() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let y = synth_to(&spec, Some("prod"), "yaml");
    let j = synth_to(&spec, Some("prod"), "json");
    let from_yaml: serde_json::Value =
        serde_saphyr::from_str(&read(y.path(), "network.yaml")).unwrap();
    let from_json: serde_json::Value =
        serde_json::from_str(&read(j.path(), "network.json")).unwrap();
    assert_eq!(from_yaml, from_json);
}

#[test]
fn manifest_describes_each_stack_as_the_deployer_takes_it() {
    use byoa::cfn::capabilities::Capability::{AutoExpand, Iam};
    let spec = root().join("examples/acme-api/byoa.yaml");
    let dir = synth_to(&spec, Some("prod"), "yaml");
    let m = byoa::synth::read_manifest(dir.path()).expect("manifest");
    let deploy = |module: &str| {
        let t = m.templates.iter().find(|t| t.module == module).unwrap();
        t.deploy.clone().expect("a deployable description")
    };
    for t in &m.templates {
        let d = t.deploy.as_ref().unwrap();
        assert_eq!((&d.stack_name, &d.template), (&t.stack_name, &t.file));
        // Exactly the template's parameters, in its order, defaults included.
        let text = std::fs::read_to_string(dir.path().join(&t.file)).unwrap();
        let template: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        let declared = template["Parameters"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let keys: Vec<&String> = declared.keys().collect();
        assert_eq!(
            d.parameters.iter().map(|p| &p.key).collect::<Vec<_>>(),
            keys
        );
        for p in &d.parameters {
            assert_eq!(declared[&p.key]["Type"], p.kind.as_str());
            assert_eq!(declared[&p.key].get("Default"), p.default.as_ref());
        }
        // The stack's tags are the ones its resources carry.
        let tag = |key: &str| {
            d.tags
                .iter()
                .find(|t| t.key == key)
                .map(|t| t.value.as_str())
        };
        assert_eq!(tag("byoa:module"), Some(t.module.as_str()));
        assert_eq!(tag("byoa:environment"), Some("prod"));
    }
    // Capabilities follow the resource types: roles need IAM, the cluster alone none, and the
    // root, which nests stacks with roles, needs both IAM and AUTO_EXPAND.
    assert_eq!(deploy("network").capabilities, vec![Iam]);
    assert_eq!(deploy("cluster").capabilities, vec![]);
    assert_eq!(deploy("root").capabilities, vec![Iam, AutoExpand]);
    let root_params: Vec<String> = deploy("root")
        .parameters
        .into_iter()
        .map(|p| p.key)
        .collect();
    assert!(
        root_params.contains(&"ArtifactBaseUrl".to_owned()),
        "{root_params:?}"
    );
}

#[test]
fn manifest_lists_every_template_with_its_hash() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let dir = synth_to(&spec, Some("prod"), "yaml");
    let m = byoa::synth::read_manifest(dir.path()).expect("manifest");
    assert_eq!(m.environment, "prod");
    assert_eq!(
        m.spec_sha256,
        byoa::hash::sha256_hex(&std::fs::read(&spec).unwrap())
    );
    assert!(!m.templates.is_empty());
    for t in &m.templates {
        let body = std::fs::read(dir.path().join(&t.file)).unwrap();
        assert_eq!(t.sha256, byoa::hash::sha256_hex(&body), "{}", t.file);
        assert_eq!(t.bytes, body.len());
        assert!(
            t.stack_name.starts_with("acme-api-prod-"),
            "{}",
            t.stack_name
        );
    }
    // Nothing but the templates, the source map and the manifest (no temporary files left
    // behind).
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut expected: Vec<String> = m.templates.iter().map(|t| t.file.clone()).collect();
    expected.push("manifest.json".into());
    expected.extend(m.sources.clone());
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn failed_synth_leaves_previous_output_intact() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let dir = synth_to(&spec, Some("prod"), "yaml");
    let before = read(dir.path(), "network.yaml");
    let out = dir.path().to_str().unwrap();
    let bad = root().join("tests/specs/five_mistakes.yaml");
    let (code, _, _) = byoa(&["synth", bad.to_str().unwrap(), "--out", out]);
    assert_eq!(code, 2);
    assert_eq!(read(dir.path(), "network.yaml"), before);
}

#[test]
fn switching_format_removes_the_stale_templates() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let dir = synth_to(&spec, Some("dev"), "yaml");
    let out = dir.path().to_str().unwrap();
    let (code, _, err) = byoa(&[
        "synth",
        spec.to_str().unwrap(),
        "--env",
        "dev",
        "--out",
        out,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.path().join("network.json").is_file());
    assert!(!dir.path().join("network.yaml").exists());
}

#[test]
fn every_resource_is_tagged_and_every_output_and_parameter_described() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let loaded = byoa::spec::load(&spec, Some("prod"), byoa::policy::catalogue()).expect("valid");
    for stack in byoa::modules::build_all(&loaded.model, "yaml").unwrap() {
        let t = stack.template.to_value();
        for (id, r) in t["Resources"].as_object().unwrap() {
            let kind = r["Type"].as_str().unwrap();
            let tagged = byoa::cfn::TAGGABLE.contains(&kind);
            assert!(
                tagged || byoa::cfn::UNTAGGABLE.contains(&kind),
                "{}: {id} has type {kind}, which has no tag decision in cfn::TAGGABLE/UNTAGGABLE",
                stack.module
            );
            if tagged {
                let tags = r["Properties"]["Tags"].as_array().expect("tags");
                for key in [
                    "byoa:product",
                    "byoa:environment",
                    "byoa:module",
                    "byoa:managed-by",
                ] {
                    assert!(tags.iter().any(|t| t["Key"] == key), "{id} lacks {key}");
                }
            }
        }
        for (id, o) in t["Outputs"].as_object().into_iter().flatten() {
            assert!(
                o["Description"].as_str().is_some_and(|d| !d.is_empty()),
                "output {id}"
            );
        }
        let labels = &t["Metadata"]["AWS::CloudFormation::Interface"]["ParameterLabels"];
        for (id, p) in t["Parameters"].as_object().into_iter().flatten() {
            assert!(
                p["Description"].as_str().is_some_and(|d| !d.is_empty()),
                "parameter {id}"
            );
            assert!(
                labels[id]["default"].is_string(),
                "parameter {id} has no label"
            );
        }
    }
}

#[test]
fn summary_names_every_stack() {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = byoa(&[
        "synth",
        spec.to_str().unwrap(),
        "--env",
        "prod",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("synthesized acme-api (prod, us-east-1) into "),
        "{out}"
    );
    assert!(
        out.contains("network.yaml") && out.contains("acme-api-prod-network"),
        "{out}"
    );
    let (code, out, _) = byoa(&[
        "--quiet",
        "synth",
        spec.to_str().unwrap(),
        "--env",
        "prod",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn init_writes_a_spec_that_validates_and_synthesizes() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("shop");
    let (code, out, err) = byoa(&[
        "init",
        target.to_str().unwrap(),
        "--vendor-account-id",
        "222222222222",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("byoa.yaml"), "{out}");
    let spec = target.join("byoa.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=./byoa.schema.json"));
    assert!(text.contains("name: shop") && text.contains("\"222222222222\""));
    assert!(target.join("byoa.schema.json").is_file());
    let (code, _, err) = byoa(&["validate", spec.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    synth_to(&spec, Some("dev"), "yaml");
    // A second init does not overwrite the user's spec.
    let (code, _, err) = byoa(&["init", target.to_str().unwrap()]);
    assert_eq!(code, 2);
    let shown = spec.display();
    assert!(
        err.starts_with(&format!(
            "error[init.exists]: `{shown}` already exists\n  --> {shown}\n  = help: pass `--force`"
        )),
        "{err}"
    );
    let (code, _, err) = byoa(&[
        "init",
        target.to_str().unwrap(),
        "--force",
        "--blueprint",
        "nope",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(
            "error[init.blueprint]: unknown blueprint `nope`\n  = help: available: `api-postgres`"
        ),
        "{err}"
    );
}

#[test]
fn init_refuses_arguments_that_would_not_validate_and_warns_of_the_placeholder_account() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value, said) in [
        (
            "--region",
            "us-east-7",
            "`us-east-7` is not a commercial AWS region",
        ),
        ("--vendor-account-id", "12345", "`12345` is not 12 digits"),
    ] {
        let target = dir.path().join(value);
        let (code, _, err) = byoa(&["init", target.to_str().unwrap(), flag, value]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.starts_with("error[init.argument]: nothing written: the spec would not validate: "),
            "{err}"
        );
        assert!(err.contains(said), "{err}");
        assert!(!target.exists(), "{flag} {value}: something was written");
    }
    // The default account id is AWS's documentation example: written, with a warning there.
    let target = dir.path().join("shop");
    let (code, _, err) = byoa(&["init", target.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with("warning[product.placeholder-account]: vendor account id `123456789012`"),
        "{err}"
    );
    let spec = target.join("byoa.yaml");
    assert!(err.contains(&format!("--> {}:", spec.display())), "{err}");
    let (code, _, err) = byoa(&["validate", spec.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning[product.placeholder-account]"),
        "{err}"
    );
    let (code, _, err) = byoa(&["-q", "init", target.to_str().unwrap(), "--force"]);
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn an_unwritable_output_directory_is_an_io_diagnostic_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("out");
    std::fs::write(&blocker, "a file where the output directory should be").unwrap();
    let spec = root().join("examples/acme-api/byoa.yaml");
    let (code, out, err) = byoa(&[
        "synth",
        spec.to_str().unwrap(),
        "--env",
        "dev",
        "--out",
        blocker.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    let shown = blocker.display();
    assert!(
        err.starts_with(&format!(
            "error[io.write]: cannot create directory `{shown}`: "
        )),
        "{err}"
    );
    assert!(err.contains(&format!("  --> {shown}\n")), "{err}");
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let (code, out, _) = byoa(&["schema"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        std::fs::read_to_string(root().join("schemas/byoa.schema.json")).unwrap()
    );
}

#[test]
fn examples_point_editors_at_the_schema() {
    for (spec, _) in examples() {
        let first = std::fs::read_to_string(&spec)
            .unwrap()
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            first,
            "# yaml-language-server: $schema=../../schemas/byoa.schema.json",
            "{}",
            spec.display()
        );
    }
}

/// acme-api prod synthesized with `flag`, which also writes the page `file`: the output
/// directory and the page.
fn synth_with_page(flag: &str, file: &str) -> (tempfile::TempDir, String) {
    let spec = root().join("examples/acme-api/byoa.yaml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let args = [
        "synth",
        spec.to_str().unwrap(),
        "--env",
        "prod",
        "--out",
        out,
        flag,
    ];
    let (code, stdout, err) = byoa(&args);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains(file), "{stdout}");
    let page = read(dir.path(), file);
    (dir, page)
}

/// `docs/access.md` is the page `synth --access-doc` writes for acme-api prod, it names the
/// template it was read from by the manifest's sha256, and every statement of every role and
/// policy of that template is on it. `BYOA_BLESS=1` writes it again.
#[test]
fn committed_access_page_is_current() {
    let (dir, page) = synth_with_page("--access-doc", "access.md");

    let manifest: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "manifest.json")).unwrap();
    let entry = manifest["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["module"] == "access")
        .unwrap();
    let sha = entry["sha256"].as_str().unwrap();
    assert!(
        page.contains(&format!("\n    {sha}\n")),
        "the page names another template"
    );
    let template: serde_json::Value =
        serde_saphyr::from_str(&read(dir.path(), "access.yaml")).unwrap();
    let mut sids = Vec::new();
    for r in template["Resources"].as_object().unwrap().values() {
        if !r["Type"].as_str().unwrap().starts_with("AWS::IAM::") {
            continue;
        }
        let p = &r["Properties"];
        let documents = [&p["PolicyDocument"], &p["AssumeRolePolicyDocument"]]
            .into_iter()
            .chain(
                p["Policies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|i| &i["PolicyDocument"]),
            );
        for d in documents {
            for st in d["Statement"].as_array().into_iter().flatten() {
                // A statement that exists under a condition: `Fn::If [C, statement, NoValue]`.
                let st = st.get("Fn::If").map_or(st, |branches| &branches[1]);
                sids.push(
                    st["Sid"]
                        .as_str()
                        .expect("every statement has a Sid")
                        .to_owned(),
                );
            }
        }
    }
    assert!(sids.len() > 40, "{sids:?}");
    let missing: Vec<_> = sids
        .iter()
        .filter(|sid| !page.contains(&format!("`{sid}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "statements missing from the page: {missing:?}"
    );

    let path = root().join("docs/access.md");
    if std::env::var_os("BYOA_BLESS").is_some() {
        std::fs::write(&path, &page).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == page,
        "docs/access.md is stale: run `BYOA_BLESS=1 cargo test committed_access_page`"
    );
}

#[test]
fn graph_shows_the_wiring_between_stacks() {
    let (_dir, graph) = synth_with_page("--graph", "graph.md");
    assert!(graph.starts_with("```mermaid\nflowchart LR\n"), "{graph}");
    assert!(
        graph.contains("Network -->|\"IsolatedSubnetIds, DatabaseSecurityGroupId\"| Database"),
        "{graph}"
    );
    assert!(
        graph.contains("Cluster -->|\"ClusterName\"| ServiceApi"),
        "{graph}"
    );
    assert!(graph.contains("Root -.-> ServiceWorker"), "{graph}");
}

#[test]
fn no_secret_reaches_any_emitted_file() {
    /// Text that only a leaked credential would put in a file.
    const FORBIDDEN: &[&str] = &["PRIVATE KEY-----", "AKIA", "ASIA", "sk_live_"];
    /// Properties that carry a credential in clear.
    const FORBIDDEN_KEYS: &[&str] = &["MasterUserPassword", "SecretString", "Password"];
    fn keys(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    out.push(k.clone());
                    keys(x, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
            _ => {}
        }
    }
    for (spec, envs) in examples() {
        for env in &envs {
            let dir = synth_to(&spec, Some(env), "yaml");
            for entry in std::fs::read_dir(dir.path()).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                for word in FORBIDDEN {
                    assert!(!text.contains(word), "{} contains `{word}`", path.display());
                }
                // No parameter carries a default that could be a credential.
                let doc: serde_json::Value = match path.extension().and_then(|e| e.to_str()) {
                    Some("yaml") => serde_saphyr::from_str(&text).unwrap(),
                    _ => serde_json::from_str(&text).unwrap(),
                };
                let mut all = Vec::new();
                keys(&doc, &mut all);
                for k in FORBIDDEN_KEYS {
                    assert!(
                        !all.iter().any(|x| x == k),
                        "{} has a `{k}` property",
                        path.display()
                    );
                }
                for (name, p) in doc["Parameters"].as_object().into_iter().flatten() {
                    let lower = name.to_ascii_lowercase();
                    if ["password", "secret", "token"]
                        .iter()
                        .any(|w| lower.contains(w))
                    {
                        assert!(
                            p.get("Default").is_none(),
                            "{}: {name} has a default",
                            path.display()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn every_child_parameter_is_fed_by_an_earlier_output_or_a_root_parameter() {
    for (spec, envs) in examples() {
        for env in &envs {
            let loaded =
                byoa::spec::load(&spec, Some(env), byoa::policy::catalogue()).expect("valid");
            let stacks = byoa::modules::build_all(&loaded.model, "yaml").expect("builds");
            let root = stacks
                .iter()
                .find(|s| s.module == "root")
                .expect("a root stack");
            let mut outputs: Vec<(String, &str)> = Vec::new();
            for (id, resource) in &root.template.resources {
                let child = stacks
                    .iter()
                    .find(|s| byoa::naming::child_id(&s.module) == *id)
                    .unwrap_or_else(|| panic!("{id} has no child template"));
                let given = resource
                    .properties
                    .get("Parameters")
                    .and_then(|p| p.as_object());
                for (name, p) in &child.template.parameters {
                    let value = given.and_then(|g| g.get(name));
                    let Some(value) = value else {
                        assert!(
                            p.default.is_some(),
                            "{id}.{name} is neither passed nor defaulted"
                        );
                        continue;
                    };
                    if let Some(att) = value.get("Fn::GetAtt").and_then(|a| a.as_array()) {
                        let (from, attr) = (att[0].as_str().unwrap(), att[1].as_str().unwrap());
                        let output = attr.strip_prefix("Outputs.").unwrap();
                        assert_eq!(output, name);
                        assert!(
                            outputs.iter().any(|(o, f)| o == output && *f == from),
                            "{id}.{name} reads {from}.{output}, which no earlier child outputs"
                        );
                    } else {
                        let referenced = value
                            .get("Ref")
                            .or_else(|| value.pointer("/Fn::Join/1/Ref"))
                            .and_then(|r| r.as_str())
                            .unwrap_or_else(|| panic!("{id}.{name} = {value}"));
                        assert!(
                            root.template.parameters.contains_key(referenced),
                            "{id}.{name}"
                        );
                    }
                }
                for name in given.into_iter().flat_map(|g| g.keys()) {
                    assert!(
                        child.template.parameters.contains_key(name),
                        "{id} is given unknown {name}"
                    );
                }
                outputs.extend(
                    child
                        .template
                        .outputs
                        .keys()
                        .map(|o| (o.clone(), id.as_str())),
                );
            }
        }
    }
}

/// The pages `synth` writes on request are its own: a later run without the flag removes them
/// (the whole of `out/` is replaced), and is not refused as if a user had put them there.
#[test]
fn pages_asked_for_once_are_replaced_with_the_rest_of_out() {
    for (flag, file) in [("--access-doc", "access.md"), ("--graph", "graph.md")] {
        let (dir, _) = synth_with_page(flag, file);
        let spec = root().join("examples/acme-api/byoa.yaml");
        let out = dir.path().to_str().unwrap();
        let args = [
            "synth",
            spec.to_str().unwrap(),
            "--env",
            "prod",
            "--out",
            out,
        ];
        let (code, _, err) = byoa(&args);
        assert_eq!(code, 0, "{flag}: {err}");
        assert!(
            !dir.path().join(file).exists(),
            "{file} outlived the run without {flag}"
        );
    }
}
