//! The service's IAM roles and the secrets they read: a container secret -> its `valueFrom`,
//! IAM resource and store (Secrets Manager or SSM Parameter Store); the task execution role
//! scoped to the service's image, log group, secrets and keys; the task role with the spec's
//! grants only. Invariant: a secret is granted by the action of its own store, never another's.

use serde_json::{Value, json};

use crate::cfn::func::{get_att, r#ref, sub};
use crate::cfn::{Resource, Template};
use crate::modules::needs::Export;
use crate::modules::secure;
use crate::spec::model::{SecretSource, Service};

/// A secret the container reads: its environment variable, the `valueFrom` ECS resolves, and
/// the IAM resource and action that grant reading it.
pub(super) struct SecretRef {
    pub(super) name: String,
    pub(super) value_from: Value,
    pub(super) resource: Value,
    pub(super) store: Store,
}

/// Where a secret is kept, which decides the action the execution role needs for it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Store {
    SecretsManager,
    ParameterStore,
}

impl Store {
    /// What ECS calls to read the secret when it starts a task.
    pub(super) fn action(self) -> &'static str {
        match self {
            Store::SecretsManager => "secretsmanager:GetSecretValue",
            Store::ParameterStore => "ssm:GetParameters",
        }
    }
}

/// The container's secrets: the spec's, then those of the modules it uses.
pub(super) fn secrets(service: &Service, uses: &[Export]) -> Vec<SecretRef> {
    let mut out: Vec<SecretRef> = service
        .secrets
        .iter()
        .map(|(name, secret)| {
            let (value_from, resource, store) = secret_source(secret);
            SecretRef {
                name: name.clone(),
                value_from,
                resource,
                store,
            }
        })
        .collect();
    for secret in uses.iter().flat_map(|e| &e.secrets) {
        out.push(SecretRef {
            name: secret.variable.to_owned(),
            // `<secret ARN>:<JSON key>::` (current stage and version).
            value_from: sub(&format!("${{{}}}:{}::", secret.input, secret.key)),
            resource: r#ref(secret.input),
            store: Store::SecretsManager,
        });
    }
    out
}

/// `valueFrom`, IAM resource and store of a spec secret, given by ARN or by name.
///
/// ECS reads an ARN as given (JSON key, stage and version included), IAM grants the secret's
/// ARN alone. A name becomes a partial ARN in this account and region; Secrets Manager appends
/// six random characters to every secret's ARN, so the IAM resource matches exactly those
/// (`-??????`). An SSM parameter is read and granted by its full ARN (`parameter/a/b` for the
/// path `/a/b`, `parameter/a` for the name `a`). Neither store needs `kms:Decrypt` for values
/// encrypted with its AWS managed key, whose key policy admits the account through the service.
pub(super) fn secret_source(secret: &SecretSource) -> (Value, Value, Store) {
    let (name, rest) = match secret {
        SecretSource::Arn { value_from, secret } => {
            return (json!(value_from), json!(secret), Store::SecretsManager);
        }
        SecretSource::ParameterArn { arn } => {
            return (json!(arn), json!(arn), Store::ParameterStore);
        }
        SecretSource::ParameterName { name } => {
            // Parameter names hold no `$`: nothing to escape.
            let slash = if name.starts_with('/') { "" } else { "/" };
            let arn = sub(&format!(
                "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{slash}{name}"
            ));
            return (arn.clone(), arn, Store::ParameterStore);
        }
        SecretSource::Name { name, selector } => (name, selector),
    };
    // `${` would start a substitution: `${!` is Fn::Sub's literal escape.
    let name = name.replace("${", "${!");
    let rest = rest.replace("${", "${!");
    let arn = format!(
        "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{name}"
    );
    (
        sub(&format!("{arn}{rest}")),
        sub(&format!("{arn}-??????")),
        Store::SecretsManager,
    )
}

/// Trust for a role that ECS tasks of this account assume.
fn ecs_tasks_trust() -> Value {
    secure::service_trust(
        "ecs-tasks.amazonaws.com",
        "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*",
    )
}

/// Every action `roles` may grant the task execution role (each statement scopes its own to the
/// service's repository, log group, secrets and keys); the permissions boundary allows them. The
/// task role's are the spec's grants (`permissions`), which the boundary allows one by one.
pub(super) const EXECUTION_ROLE_ACTIONS: &[&str] = &[
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "kms:Decrypt",
    "secretsmanager:GetSecretValue",
];

/// What the execution role may also need: reading SSM parameters, only for a service that
/// takes a secret from Parameter Store.
pub(super) const PARAMETER_ACTIONS: &[&str] = &["ssm:GetParameters"];

pub(super) fn roles(t: &mut Template, secrets: &[SecretRef], uses: &[Export]) {
    let mut statements = vec![
        // ecr:GetAuthorizationToken does not support resource-level permissions: IAM accepts
        // only `*` for it. The token alone reads nothing; the pull actions below are scoped.
        json!({
            "Sid": "GetRegistryToken",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        }),
        json!({
            "Sid": "PullOwnImage",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": get_att("Repository", "Arn"),
        }),
        json!({
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": get_att("LogGroup", "Arn"),
        }),
        json!({
            "Sid": "DecryptImageThroughEcr",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": get_att("Key", "Arn"),
            "Condition": {"StringEquals": {"kms:ViaService": sub("ecr.${AWS::Region}.amazonaws.com")}},
        }),
    ];
    for (sid, store) in [
        ("ReadOwnSecrets", Store::SecretsManager),
        ("ReadOwnParameters", Store::ParameterStore),
    ] {
        let mut resources: Vec<Value> = Vec::new();
        for s in secrets.iter().filter(|s| s.store == store) {
            if !resources.contains(&s.resource) {
                resources.push(s.resource.clone());
            }
        }
        if !resources.is_empty() {
            statements.push(json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": store.action(),
                "Resource": resources,
            }));
        }
    }
    for key in uses.iter().filter_map(|e| e.decrypt) {
        statements.push(json!({
            "Sid": key.sid,
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": r#ref(key.input),
            "Condition": {"StringEquals": {"kms:ViaService": sub(&format!("{}.${{AWS::Region}}.amazonaws.com", key.via))}},
        }));
    }
    t.add_resource(
        "ExecutionRole",
        Resource::new(
            "AWS::IAM::Role",
            json!({
                "Description": sub("ECS agent for ${AWS::StackName}: pulls the image, writes logs, reads the task's secrets"),
                "AssumeRolePolicyDocument": ecs_tasks_trust(),
                "Policies": [{
                    "PolicyName": "start-task",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }],
            }),
        ),
        None,
    );
    // The application's own identity: no permissions until the product grants some.
    t.add_resource(
        "TaskRole",
        Resource::new(
            "AWS::IAM::Role",
            json!({
                "Description": sub("Application in the tasks of ${AWS::StackName}; no permissions by default"),
                "AssumeRolePolicyDocument": ecs_tasks_trust(),
            }),
        ),
        None,
    );
}
