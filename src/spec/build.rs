//! Model sections from spec sections: the part of validation that parses AWS-shaped strings.
//!
//! Input: a schema-valid `Spec` (the merged view of one environment). Output: the model's own
//! `LoadBalancer`, `Database` and `Service`s, with every AWS-shaped string parsed once
//! (`spec::values`), and a coded diagnostic at the field for each string that does not parse
//! (the parser's reason is the help line). `validate` runs the other semantic checks and
//! assembles the `Model` only when no error was found.

use indexmap::IndexMap;

use crate::diag::{Code, Diagnostic, push_pointer};
use crate::naming::ServiceId;
use crate::spec::types::{Network, Spec};
use crate::spec::values::{EngineVersion, InstanceClass, SecretSource, TlsPolicy};
use crate::spec::{model, permissions};

/// The load balancer when it is enabled, with its listener policy parsed.
pub fn load_balancer(n: &Network, d: &mut Vec<Diagnostic>) -> Option<model::LoadBalancer> {
    let lb = &n.load_balancer;
    if !lb.enabled {
        return None;
    }
    let ssl_policy = parsed(
        TlsPolicy::parse(&lb.ssl_policy),
        Code::NetworkSslPolicy,
        "/network/load_balancer/ssl_policy",
        format!("`{}` is not a load balancer TLS policy", lb.ssl_policy),
        d,
    )?;
    Some(model::LoadBalancer {
        https: lb.https,
        ssl_policy,
        idle_timeout_seconds: lb.idle_timeout_seconds,
        access_logs: lb.access_logs,
        access_log_retention_days: lb.access_log_retention_days,
        deletion_protection: lb.deletion_protection,
        waf: lb.waf,
    })
}

/// The database, with its engine version and instance class parsed.
pub fn database(spec: &Spec, d: &mut Vec<Diagnostic>) -> Option<model::Database> {
    let db = spec.database.as_ref()?;
    let engine_version = parsed(
        EngineVersion::parse(&db.engine_version),
        Code::DatabaseEngineVersion,
        "/database/engine_version",
        format!("`{}` is not a PostgreSQL engine version", db.engine_version),
        d,
    );
    let instance_class = parsed(
        InstanceClass::parse(&db.instance_class),
        Code::DatabaseInstanceClass,
        "/database/instance_class",
        format!("`{}` is not an RDS instance class", db.instance_class),
        d,
    );
    Some(model::Database {
        engine_version: engine_version?,
        instance_class: instance_class?,
        storage_gb: db.storage_gb,
        max_storage_gb: db.max_storage_gb,
        storage_type: db.storage_type,
        multi_az: db.multi_az,
        read_replicas: db.read_replicas,
        name: db.name.clone(),
        backup_retention_days: db.backup_retention_days,
        backup_window: db.backup_window.clone(),
        maintenance_window: db.maintenance_window.clone(),
        deletion_protection: db.deletion_protection,
        performance_insights: db.performance_insights,
        iam_auth: db.iam_auth,
        identifier: db.identifier,
    })
}

/// The services, each with its id fragment, its secret references parsed and its task
/// permissions checked against the IAM action catalogue.
pub fn services(spec: &Spec, d: &mut Vec<Diagnostic>) -> Vec<model::Service> {
    let mut out = Vec::new();
    let grants: Vec<_> = (0..spec.services.len())
        .map(|i| permissions::grants(spec, i, d))
        .collect();
    permissions::check_size(spec, &grants, d);
    for ((i, s), permissions) in spec.services.iter().enumerate().zip(grants) {
        let mut secrets = IndexMap::new();
        for (name, secret) in &s.secrets {
            let pointer = push_pointer(&format!("/services/{i}/secrets"), name);
            let message = format!(
                "secret `{secret}` of `{name}` is neither a Secrets Manager secret nor an SSM parameter"
            );
            let source = parsed(
                SecretSource::parse(secret),
                Code::ServiceSecret,
                &pointer,
                message,
                d,
            );
            if let Some(SecretSource::Name { name: secret, .. }) = &source
                && secret.starts_with('/')
            {
                d.push(
                    Diagnostic::error(
                        Code::ServiceSecretStore,
                        &pointer,
                        format!(
                            "`{secret}` is read from Secrets Manager, but it looks like an SSM parameter path"
                        ),
                    )
                    .as_warning()
                    .with_help(format!(
                        "for a Parameter Store parameter write `ssm:{secret}`: ECS then reads it with `ssm:GetParameters`; \
                         keep it as is only if a Secrets Manager secret has this name"
                    )),
                );
            }
            if let Some(source) = source {
                secrets.insert(name.clone(), source);
            }
        }
        out.push(model::Service {
            id: ServiceId::of(&s.name),
            name: s.name.clone(),
            cpu: s.cpu,
            memory: s.memory,
            architecture: s.architecture,
            spot: s.spot,
            command: s.command.clone(),
            entrypoint: s.entrypoint.clone(),
            ephemeral_storage_gib: s.ephemeral_storage_gib,
            sidecars: s.sidecars.clone(),
            port: s.port,
            expose: s.expose.clone(),
            scaling: s.scaling.clone(),
            environment: s.environment.clone(),
            secrets,
            permissions,
            uses_database: s.uses_database,
            health_check_command: s.health_check_command.clone(),
            read_only_root_fs: s.read_only_root_fs,
            user: s.user.clone(),
            discovery: s.discovery,
        });
    }
    out
}

/// The value of a parse, or an error at `pointer` whose help line is the parser's reason.
fn parsed<T>(
    result: Result<T, String>,
    code: Code,
    pointer: &str,
    message: String,
    d: &mut Vec<Diagnostic>,
) -> Option<T> {
    result
        .map_err(|reason| d.push(Diagnostic::error(code, pointer, message).with_help(reason)))
        .ok()
}
