//! Compute choices of services: Fargate Spot and sidecar containers -> what ECS would refuse, or what would run where it must not, as coded
//! diagnostics at the field.
//!
//! Input: the merged spec of one environment and that environment's name. Output: errors for
//! Spot in a production environment (or in a spec without environments, which marks nothing
//! as non-production), and for sidecars that ECS refuses or that would break the task's
//! invariants: a name used twice in the task, a floating image tag, CPU or memory that leaves
//! the service's own container nothing, a port another container of the task holds, a root
//! user, a health check ECS cannot run, a variable named like a secret (sidecars read no
//! secrets). Architecture and ephemeral storage need nothing here: the schema bounds storage
//! to 21..=200 GiB, and AWS's Linux task-size table (checked November 2026) has no size that
//! differs by architecture; both need platform 1.4.0, which `LATEST` is.
//! Invariant: every sidecar passes the same container rules as the service's container
//! (non-root, read-only root by default, awslogs), so the compliance rules hold for the task.

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic, push_pointer};
use crate::spec::types::{Service, Spec};
use crate::spec::validate::{is_dns_label, runs_as_root};

/// The least memory (MiB) ECS lets a container reserve: what a sidecar leaves the service's
/// container must be at least this too.
const CONTAINER_MEMORY_MIN: u32 = 6;

pub fn check(spec: &Spec, environment: &str, d: &mut Vec<Diagnostic>) {
    for (i, s) in spec.services.iter().enumerate() {
        let base = format!("/services/{i}");
        if s.spot {
            spot(s, environment, &base, d);
        }
        sidecars(s, &base, d);
    }
}

fn spot(s: &Service, environment: &str, base: &str, d: &mut Vec<Diagnostic>) {
    let why = if environment == crate::spec::DEFAULT_ENVIRONMENT {
        "the spec has no `environments:`, so nothing marks it as non-production".to_owned()
    } else if crate::naming::is_production(environment) {
        format!("environment `{environment}` is a production one")
    } else {
        return;
    };
    d.push(
        Diagnostic::error(
            Code::ServiceSpot,
            format!("{base}/spot"),
            format!(
                "service `{}` runs on Fargate Spot, which may stop its tasks at two minutes' notice, and {why}",
                s.name
            ),
        )
        .with_help(
            "set `spot: true` in a development environment's overlay only (e.g. `environments: {dev: {services: [{name: ..., spot: true}]}}`)",
        ),
    );
}

fn sidecars(s: &Service, base: &str, d: &mut Vec<Diagnostic>) {
    let mut names: HashMap<&str, String> =
        HashMap::from([(s.name.as_str(), "the service's own container".to_owned())]);
    let mut ports: HashMap<u16, String> = HashMap::new();
    if let Some(port) = s.port {
        ports.insert(port, "the service's own container".to_owned());
    }
    let (mut cpu, mut memory) = (0, 0);
    for (j, sc) in s.sidecars.iter().enumerate() {
        let at = format!("{base}/sidecars/{j}");
        let error = |field: &str, code: Code, message: String, help: &str| {
            Diagnostic::error(code, format!("{at}/{field}"), message).with_help(help)
        };
        if !is_dns_label(&sc.name) || sc.name.len() > 255 {
            d.push(error(
                "name",
                Code::ServiceSidecar,
                format!(
                    "sidecar name `{}` of service `{}` is not valid",
                    sc.name, s.name
                ),
                "use lowercase letters, digits and single hyphens, e.g. `log-router`",
            ));
        }
        if let Some(other) = names.insert(&sc.name, format!("sidecar {j}")) {
            d.push(error(
                "name",
                Code::ServiceSidecar,
                format!(
                    "sidecar `{}` of service `{}` has the name of {other}",
                    sc.name, s.name
                ),
                "give every container of the task its own name",
            ));
        }
        if floating_tag(&sc.image) {
            d.push(error(
                "image",
                Code::ServiceSidecar,
                format!(
                    "image `{}` of sidecar `{}` has no tag or the tag `latest`: each task could run a different image",
                    sc.image, sc.name
                ),
                "pin a version (`repo:2.32.4`) or a digest (`repo@sha256:...`)",
            ));
        }
        cpu += sc.cpu;
        memory += sc.memory.unwrap_or(0);
        if let Some(port) = sc.port
            && let Some(other) = ports.insert(port, format!("sidecar `{}`", sc.name))
        {
            d.push(error(
                "port",
                Code::ServiceSidecar,
                format!(
                    "sidecar `{}` of service `{}` listens on port {port}, which {other} holds: containers of a task share one network",
                    sc.name, s.name
                ),
                "pick a port no other container of the task uses",
            ));
        }
        if runs_as_root(&sc.user) {
            d.push(error(
                "user",
                Code::ServiceUser,
                format!(
                    "sidecar `{}` would run as root (`user: {}`)",
                    sc.name, sc.user
                ),
                "run as an unprivileged user id, e.g. `user: \"1000\"`",
            ));
        }
        if let Some(command) = &sc.health_check_command
            && !matches!(
                command.first().map(String::as_str),
                Some("CMD" | "CMD-SHELL")
            )
        {
            d.push(error(
                "health_check_command",
                Code::ServiceHealthCheck,
                format!(
                    "the health-check command of sidecar `{}` does not start with `CMD` or `CMD-SHELL`",
                    sc.name
                ),
                "ECS runs `[\"CMD\", program, args...]` or `[\"CMD-SHELL\", \"a shell line\"]`",
            ));
        }
        for name in sc.environment.keys() {
            if crate::spec::secrets::secret_name(name) {
                d.push(
                    Diagnostic::error(
                        Code::ServicePlaintextSecret,
                        push_pointer(&format!("{at}/environment"), name),
                        format!(
                            "environment variable `{name}` of sidecar `{}` is named like a secret, and its value would be written into the template",
                            sc.name
                        ),
                    )
                    .at_key()
                    .with_help("sidecars read no secrets: give the value to the service's `secrets:` and let the sidecar read it from a file or the service"),
                );
            }
        }
    }
    if s.sidecars.is_empty() {
        return;
    }
    if cpu >= s.cpu {
        d.push(
            Diagnostic::error(
                Code::ServiceSidecar,
                format!("{base}/sidecars"),
                format!(
                    "the sidecars of service `{}` reserve {cpu} CPU units of the task's {}, leaving its own container none",
                    s.name, s.cpu
                ),
            )
            .with_help("lower the sidecars' `cpu`, or raise the service's `cpu`"),
        );
    }
    if memory + CONTAINER_MEMORY_MIN > s.memory {
        d.push(
            Diagnostic::error(
                Code::ServiceSidecar,
                format!("{base}/sidecars"),
                format!(
                    "the sidecars of service `{}` take {memory} MiB of the task's {}, leaving its own container less than {CONTAINER_MEMORY_MIN} MiB",
                    s.name, s.memory
                ),
            )
            .with_help("lower the sidecars' `memory`, or raise the service's `memory`"),
        );
    }
}

/// An image reference without a tag or digest, or tagged `latest`.
fn floating_tag(image: &str) -> bool {
    if image.contains('@') {
        return false;
    }
    // The tag follows the last `:` after the last `/` (a registry may have a port).
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) => tag.is_empty() || tag == "latest",
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::floating_tag;

    fn spot_codes(env: &str) -> Vec<String> {
        let text = "product: {name: acme, vendor_account_id: \"111111111111\"}\naccess: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\nregion: us-east-1\nservices:\n  - {name: api, spot: true}\nenvironments: {dev: {}, prod-eu: {}, production: {}}\n";
        let path = std::path::Path::new("byoa.yaml");
        match crate::spec::load_str(path, text, Some(env), &Default::default()) {
            Ok(_) => Vec::new(),
            Err(d) => d.iter().map(|d| d.code.as_str().to_owned()).collect(),
        }
    }

    #[test]
    fn spot_is_refused_in_production_environments_only() {
        assert_eq!(spot_codes("dev"), Vec::<String>::new());
        assert_eq!(spot_codes("prod-eu"), ["service.spot"]);
        assert_eq!(spot_codes("production"), ["service.spot"]);
    }

    #[test]
    fn images_need_a_pinned_tag_or_digest() {
        assert!(floating_tag("fluent/fluent-bit"));
        assert!(floating_tag("fluent/fluent-bit:latest"));
        assert!(floating_tag("registry.example.com:5000/agent"));
        assert!(!floating_tag("registry.example.com:5000/agent:1.2"));
        assert!(!floating_tag(
            "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4"
        ));
        assert!(!floating_tag("agent@sha256:0123"));
    }
}
