//! Compute choices end to end, on `tests/fixtures/compute` (acme-api with arm64 tasks, a
//! command and entry point, more ephemeral storage, a sidecar, and Fargate Spot in dev): the
//! dev templates that change (snapshots; dev also serves plain HTTP), what prod keeps, `byoa check` for the fixture's
//! profiles, and the cost estimate's Spot and storage lines.

use serde_json::Value;

use crate::{byoa, root, synth_to};

pub const FIXTURE: &str = "tests/fixtures/compute/byoa.yaml";

/// The snapshot files this module writes.
pub fn snapshot_names() -> Vec<String> {
    [
        "compute_dev_cluster",
        "compute_dev_network",
        "compute_dev_service_api",
    ]
    .iter()
    .map(|n| format!("cli__compute__{n}.snap"))
    .collect()
}

fn template(dir: &tempfile::TempDir, file: &str) -> Value {
    let text = std::fs::read_to_string(dir.path().join(file)).expect(file);
    serde_saphyr::from_str(&text).expect("yaml")
}

#[test]
fn dev_runs_on_spot_and_graviton_with_its_sidecar() {
    let dev = synth_to(&root().join(FIXTURE), Some("dev"), "yaml");
    for (name, file) in [
        ("compute_dev_cluster", "cluster.yaml"),
        ("compute_dev_network", "network.yaml"),
        ("compute_dev_service_api", "service-api.yaml"),
    ] {
        let text = std::fs::read_to_string(dev.path().join(file)).unwrap();
        insta::assert_snapshot!(name, text);
    }
    let api = template(&dev, "service-api.yaml");
    let service = &api["Resources"]["Service"]["Properties"];
    assert!(
        service.get("LaunchType").is_none(),
        "ECS takes a strategy or a launch type"
    );
    assert_eq!(
        service["CapacityProviderStrategy"][0]["CapacityProvider"],
        "FARGATE_SPOT"
    );
    let cluster = template(&dev, "cluster.yaml");
    assert_eq!(
        cluster["Resources"]["Cluster"]["Properties"]["CapacityProviders"],
        serde_json::json!(["FARGATE", "FARGATE_SPOT"])
    );
}

#[test]
fn dev_serves_plain_http_with_no_certificate_and_prod_keeps_https() {
    let dev = synth_to(&root().join(FIXTURE), Some("dev"), "yaml");
    let network = template(&dev, "network.yaml");
    let resources = &network["Resources"];
    assert!(network["Parameters"].get("CertificateArn").is_none());
    assert!(resources.get("HttpsListener").is_none());
    assert!(resources.get("LoadBalancerHttpsIngress").is_none());
    assert_eq!(
        resources["HttpListener"]["Properties"]["DefaultActions"][0]["Type"],
        "fixed-response"
    );
    assert!(network["Outputs"].get("HttpsListenerArn").is_none());
    let root_template = template(&dev, "root.yaml");
    assert!(root_template["Parameters"].get("CertificateArn").is_none());
    let api = template(&dev, "service-api.yaml");
    assert_eq!(
        api["Resources"]["ListenerRule"]["Properties"]["ListenerArn"],
        serde_json::json!({"Ref": "HttpListenerArn"})
    );
    let prod = synth_to(&root().join(FIXTURE), Some("prod"), "yaml");
    let network = template(&prod, "network.yaml");
    assert_eq!(
        network["Resources"]["HttpListener"]["Properties"]["DefaultActions"][0]["Type"],
        "redirect"
    );
    assert!(network["Resources"].get("HttpsListener").is_some());
    assert!(
        template(&prod, "root.yaml")["Parameters"]
            .get("CertificateArn")
            .is_some()
    );
}

#[test]
fn prod_keeps_on_demand_fargate_and_the_task_choices() {
    let prod = synth_to(&root().join(FIXTURE), Some("prod"), "yaml");
    let api = template(&prod, "service-api.yaml");
    let service = &api["Resources"]["Service"]["Properties"];
    assert_eq!(service["LaunchType"], "FARGATE");
    assert!(service.get("CapacityProviderStrategy").is_none());
    let cluster = template(&prod, "cluster.yaml");
    assert!(
        cluster["Resources"]["Cluster"]["Properties"]
            .get("CapacityProviders")
            .is_none()
    );
    let task = &api["Resources"]["TaskDefinition"]["Properties"];
    assert_eq!(task["RuntimePlatform"]["CpuArchitecture"], "ARM64");
    assert_eq!(task["EphemeralStorage"]["SizeInGiB"], 30);
    let names: Vec<&str> = task["ContainerDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api", "otel-collector"]);
}

#[test]
fn the_fixture_passes_byoa_check_in_every_environment() {
    for env in ["dev", "prod"] {
        let dir = synth_to(&root().join(FIXTURE), Some(env), "yaml");
        let (code, out, err) = byoa(&["check", dir.path().to_str().unwrap()]);
        assert_eq!(code, 0, "{env}: {out}\n{err}");
    }
}

#[test]
fn spot_tasks_are_unpriced_not_guessed_and_storage_beyond_20_gb_is_priced() {
    std::env::set_current_dir(root()).unwrap();
    let (code, json, err) = byoa(&["cost", FIXTURE, "--env", "dev", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&json).unwrap();
    let lines: Vec<&Value> = v["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lines"].as_array().unwrap())
        .collect();
    let keyed = |key: &str| -> Vec<&Value> {
        lines
            .iter()
            .copied()
            .filter(|l| l["price_key"] == key)
            .collect()
    };
    let spot = keyed("fargate-spot.vcpu-hour.arm64");
    assert_eq!(spot.len(), 2, "api and worker run on Spot in dev");
    for l in spot {
        assert!(l["monthly"].is_null());
        assert!(
            l["unpriced"]
                .as_str()
                .unwrap()
                .contains("Spot prices change")
        );
    }
    let storage = keyed("fargate.ephemeral-gb-hour");
    assert_eq!(storage.len(), 1);
    // 1..2 tasks x 10 GB beyond the 20 included x 730 hours.
    assert_eq!(storage[0]["quantity"]["min"], 7300.0);
    assert_eq!(storage[0]["quantity"]["max"], 14600.0);
    let (_, prod, _) = byoa(&["cost", FIXTURE, "--env", "prod", "--format", "json"]);
    assert!(prod.contains("fargate.vcpu-hour.arm64"));
    assert!(!prod.contains("fargate-spot."));
}
