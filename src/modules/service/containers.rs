//! The compute choices of one service stack: the task's architecture and ephemeral storage,
//! the service container's command and entry point, its sidecars, and where ECS places the
//! tasks (on-demand Fargate or Fargate Spot).
//!
//! Input: a validated `Service` and the task definition and ECS service properties the service
//! compiler built. Output: those properties completed. Invariants: every sidecar container
//! gets what the service's container gets from byoa (a named non-root user, no privileges,
//! every capability dropped, an init process, awslogs into the service's log group under its
//! own stream prefix, a read-only root file system with a writable /tmp of its own unless the
//! spec turns it off), so the task passes the same container rules whatever the sidecars;
//! a service without these choices compiles to the properties it had before they existed.

use serde_json::{Map, Value, json};

use crate::cfn::Template;
use crate::cfn::func::r#ref;
use crate::spec::Model;
use crate::spec::model::Service;
use crate::spec::types::{Architecture, Sidecar};

/// ECS's name for the Spot capacity provider of Fargate.
const FARGATE_SPOT: &str = "FARGATE_SPOT";
/// The capacity providers a cluster needs when any of its services runs on Spot.
const FARGATE_PROVIDERS: [&str; 2] = ["FARGATE", FARGATE_SPOT];

/// Gives the cluster's `properties` the Fargate capacity providers when a service runs on
/// Spot (a service's strategy may name only providers of its cluster); returns the spec
/// fields that decide it.
pub fn cluster_providers(model: &Model, properties: &mut Value) -> Vec<String> {
    let spot: Vec<String> = model
        .services
        .iter()
        .filter(|s| s.spot)
        .map(|s| s.field("spot"))
        .collect();
    if !spot.is_empty() {
        properties["CapacityProviders"] = json!(FARGATE_PROVIDERS);
    }
    spot
}

/// The task definition's `RuntimePlatform`.
pub fn runtime_platform(service: &Service) -> Value {
    let cpu = match service.architecture {
        Architecture::X86_64 => "X86_64",
        Architecture::Arm64 => "ARM64",
    };
    json!({"OperatingSystemFamily": "LINUX", "CpuArchitecture": cpu})
}

/// Adds the command, entry point, ephemeral storage and sidecars to the task definition's
/// `properties`, whose single container is the service's.
pub fn complete_task(service: &Service, properties: &mut Value) {
    if let Some(gib) = service.ephemeral_storage_gib {
        properties["EphemeralStorage"] = json!({"SizeInGiB": gib});
    }
    let main = &mut properties["ContainerDefinitions"][0];
    if let Some(entrypoint) = &service.entrypoint {
        main["EntryPoint"] = json!(entrypoint);
    }
    if let Some(command) = &service.command {
        main["Command"] = json!(command);
    }
    let waits: Vec<Value> = service
        .sidecars
        .iter()
        .filter(|s| s.start_first)
        .map(|s| {
            let condition = if s.health_check_command.is_some() {
                "HEALTHY"
            } else {
                "START"
            };
            json!({"ContainerName": s.name, "Condition": condition})
        })
        .collect();
    if !waits.is_empty() {
        main["DependsOn"] = Value::Array(waits);
    }
    for sidecar in &service.sidecars {
        let (container, volume) = sidecar_container(sidecar);
        push(properties, "ContainerDefinitions", container);
        if let Some(volume) = volume {
            push(properties, "Volumes", volume);
        }
    }
}

/// Records which spec fields decide the task definition's properties, for the choices the
/// spec makes (a default decides nothing a reviewer would edit).
pub fn trace(t: &mut Template, service: &Service) {
    let field = |f: &str| service.field(f);
    if service.architecture != Architecture::default() {
        t.trace("TaskDefinition", "RuntimePlatform", [field("architecture")]);
    }
    if service.ephemeral_storage_gib.is_some() {
        t.trace(
            "TaskDefinition",
            "EphemeralStorage",
            [field("ephemeral_storage_gib")],
        );
    }
    let chosen = [
        ("command", service.command.is_some()),
        ("entrypoint", service.entrypoint.is_some()),
        ("sidecars", !service.sidecars.is_empty()),
    ];
    let chosen = chosen.iter().filter(|(_, set)| *set).map(|(f, _)| field(f));
    t.trace("TaskDefinition", "ContainerDefinitions", chosen);
    if !service.sidecars.is_empty() {
        t.trace("TaskDefinition", "Volumes", [field("sidecars")]);
    }
}

fn push(properties: &mut Value, key: &str, item: Value) {
    let object = properties
        .as_object_mut()
        .expect("task definition properties are an object");
    let list = object.entry(key).or_insert_with(|| json!([]));
    list.as_array_mut().expect("a list").push(item);
}

/// A sidecar's container definition, and the /tmp volume it mounts when its root is read-only.
fn sidecar_container(s: &Sidecar) -> (Value, Option<Value>) {
    let mut c = Map::new();
    c.insert("Name".into(), json!(s.name));
    c.insert("Image".into(), json!(s.image));
    c.insert("Essential".into(), json!(s.essential));
    c.insert("Cpu".into(), json!(s.cpu));
    if let Some(memory) = s.memory {
        c.insert("Memory".into(), json!(memory));
    }
    c.insert("User".into(), json!(s.user));
    c.insert("Privileged".into(), json!(false));
    c.insert("ReadonlyRootFilesystem".into(), json!(s.read_only_root_fs));
    c.insert(
        "LinuxParameters".into(),
        json!({"Capabilities": {"Drop": ["ALL"]}, "InitProcessEnabled": true}),
    );
    c.insert(
        "LogConfiguration".into(),
        json!({
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": r#ref("LogGroup"),
                "awslogs-region": r#ref("AWS::Region"),
                "awslogs-stream-prefix": s.name,
            },
        }),
    );
    if let Some(command) = &s.command {
        c.insert("Command".into(), json!(command));
    }
    if let Some(port) = s.port {
        c.insert(
            "PortMappings".into(),
            json!([{"ContainerPort": port, "Protocol": "tcp"}]),
        );
    }
    if !s.environment.is_empty() {
        let vars: Vec<Value> = s
            .environment
            .iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect();
        c.insert("Environment".into(), Value::Array(vars));
    }
    if let Some(command) = &s.health_check_command {
        c.insert("HealthCheck".into(), health_check(command));
    }
    let mut volume = None;
    if s.read_only_root_fs {
        // Its own /tmp: containers of a task share nothing they did not ask to share.
        let name = format!("{}-tmp", s.name);
        c.insert(
            "MountPoints".into(),
            json!([{"SourceVolume": name, "ContainerPath": "/tmp", "ReadOnly": false}]),
        );
        volume = Some(json!({"Name": name}));
    }
    (Value::Object(c), volume)
}

/// A container's health check: every 30 s, 3 failures in a row, a minute's grace at start.
pub fn health_check(command: &[String]) -> Value {
    json!({"Command": command, "Interval": 30, "Timeout": 5, "Retries": 3, "StartPeriod": 60})
}

/// Places a Spot service's tasks on Fargate Spot: a capacity-provider strategy instead of the
/// launch type (ECS takes one or the other, never both).
pub fn place(service: &Service, properties: &mut Value) {
    if !service.spot {
        return;
    }
    let p = properties
        .as_object_mut()
        .expect("service properties are an object");
    let mut placed = Map::new();
    for (key, value) in std::mem::take(p) {
        if key == "LaunchType" {
            placed.insert(
                "CapacityProviderStrategy".into(),
                json!([{"CapacityProvider": FARGATE_SPOT, "Weight": 1}]),
            );
        } else {
            placed.insert(key, value);
        }
    }
    *p = placed;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(text: &str) -> Service {
        let spec = format!(
            "product: {{name: acme, vendor_account_id: \"111111111111\"}}\naccess: {{vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}}\nregion: us-east-1\nservices:\n  - {text}\nenvironments: {{dev: {{}}}}\n"
        );
        let loaded = crate::spec::load_str(
            std::path::Path::new("byoa.yaml"),
            &spec,
            Some("dev"),
            &Default::default(),
        )
        .unwrap_or_else(|d| panic!("{d:?}"));
        loaded.model.services[0].clone()
    }

    #[test]
    fn spot_replaces_the_launch_type_in_place() {
        let mut p = json!({"Cluster": "c", "LaunchType": "FARGATE", "PlatformVersion": "LATEST"});
        place(&service("{name: api, spot: true}"), &mut p);
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["Cluster", "CapacityProviderStrategy", "PlatformVersion"]
        );
        assert_eq!(
            p["CapacityProviderStrategy"],
            json!([{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}])
        );
        let mut on_demand = json!({"LaunchType": "FARGATE"});
        place(&service("{name: api}"), &mut on_demand);
        assert_eq!(on_demand, json!({"LaunchType": "FARGATE"}));
    }

    #[test]
    fn sidecars_get_the_service_containers_hardening() {
        let s = service(
            "{name: api, port: 8080, sidecars: [{name: agent, image: \"agent:1.0\", cpu: 64, memory: 128, start_first: true, health_check_command: [CMD, /ok]}, {name: tool, image: \"tool:2\", read_only_root_fs: false}]}",
        );
        let mut p =
            json!({"ContainerDefinitions": [{"Name": "api"}], "Volumes": [{"Name": "tmp"}]});
        complete_task(&s, &mut p);
        let containers = p["ContainerDefinitions"].as_array().unwrap();
        assert_eq!(containers.len(), 3);
        assert_eq!(
            containers[0]["DependsOn"],
            json!([{"ContainerName": "agent", "Condition": "HEALTHY"}])
        );
        for c in &containers[1..] {
            assert_eq!(c["User"], "1000");
            assert_eq!(c["Privileged"], false);
            assert_eq!(c["LinuxParameters"]["Capabilities"]["Drop"], json!(["ALL"]));
            assert_eq!(c["LogConfiguration"]["LogDriver"], "awslogs");
            assert_eq!(c["Essential"], false);
        }
        assert_eq!(containers[1]["ReadonlyRootFilesystem"], true);
        assert_eq!(containers[2]["ReadonlyRootFilesystem"], false);
        assert_eq!(
            p["Volumes"],
            json!([{"Name": "tmp"}, {"Name": "agent-tmp"}])
        );
    }

    #[test]
    fn arm64_and_storage_reach_the_task() {
        let s = service(
            "{name: api, architecture: arm64, ephemeral_storage_gib: 50, command: [serve], entrypoint: [/bin/app]}",
        );
        assert_eq!(runtime_platform(&s)["CpuArchitecture"], "ARM64");
        let mut p = json!({"ContainerDefinitions": [{"Name": "api"}]});
        complete_task(&s, &mut p);
        assert_eq!(p["EphemeralStorage"], json!({"SizeInGiB": 50}));
        assert_eq!(p["ContainerDefinitions"][0]["Command"], json!(["serve"]));
        assert_eq!(
            p["ContainerDefinitions"][0]["EntryPoint"],
            json!(["/bin/app"])
        );
        assert!(p.get("Volumes").is_none());
    }
}
