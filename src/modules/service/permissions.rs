//! The task role's grants: a service's validated `TaskGrant`s -> its task role's policy, and
//! the statements the permissions boundary adds so that policy can take effect.
//!
//! Stage: modules. Input: the service (its grants, checked against the IAM catalogue by
//! validation) and the exports of the modules it uses (the database's secret and key). Output:
//! the inline policy `granted` of `TaskRole`, one statement per grant (`Grant<n>`) on exactly
//! the resources the spec names (the service's log group by `GetAtt`, the database's secret by
//! its parameter), plus the database key's decrypt through Secrets Manager when a grant reads
//! that secret; and for the boundary, one statement per grant (`<Service>Task<n>`): the same
//! actions on the same ARNs, byoa's resources as the product's name patterns (the access stack
//! cannot name another stack's resources), and the reason the customer's access page shows.
//! Invariants: no grant, no policy (the role stays as it always was); an ARN naming the
//! placeholders becomes `Fn::Sub`, any other stays a string.

use serde_json::{Value, json};

use crate::cfn::func::{get_att, r#ref, sub};
use crate::modules::needs::{Export, TaskStatement};
use crate::naming;
use crate::spec::Model;
use crate::spec::model::{GrantResource, Service, TaskGrant};

/// The product's log groups and the RDS-managed secrets, as the boundary names them.
const PRODUCT_LOG_GROUPS: &str =
    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:{prefix}*";
const RDS_SECRETS: &str =
    "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:rds!*";

/// The inline policy of the task role, when the spec grants anything.
pub(super) fn task_policy(service: &Service, uses: &[Export]) -> Option<Value> {
    if service.permissions.is_empty() {
        return None;
    }
    let secret = uses.iter().flat_map(|e| &e.secrets).next().map(|s| s.input);
    let mut statements: Vec<Value> = per_grant(
        service,
        |n| format!("Grant{n}"),
        |own| match own {
            GrantResource::LogGroup => get_att("LogGroup", "Arn"),
            _ => r#ref(secret.expect("validation: only a service that uses the database")),
        },
    )
    .map(|(_, statement)| statement)
    .collect();
    let reads_secret = service.permissions.iter().any(|g| {
        g.resources.contains(&GrantResource::DatabaseSecret)
            && g.actions
                .iter()
                .any(|a| a == "secretsmanager:GetSecretValue")
    });
    if let Some(key) = uses.iter().filter_map(|e| e.decrypt).next()
        && reads_secret
    {
        // The secret is encrypted with the database's key: reading it decrypts through
        // Secrets Manager, and only through it.
        statements.push(json!({
            "Sid": "DecryptDatabaseSecret",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": r#ref(key.input),
            "Condition": {"StringEquals": {"kms:ViaService": sub(&format!("{}.${{AWS::Region}}.amazonaws.com", key.via))}},
        }));
    }
    Some(json!({
        "PolicyName": "granted",
        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
    }))
}

/// The boundary's statements for the service's grants.
pub(super) fn boundary_statements(model: &Model, service: &Service) -> Vec<TaskStatement> {
    let prefix = naming::stack_prefix(&model.product, &model.environment);
    per_grant(
        service,
        |n| service.id.task_grant_sid(n),
        |own| match own {
            GrantResource::LogGroup => sub(&PRODUCT_LOG_GROUPS.replace("{prefix}", &prefix)),
            _ => sub(RDS_SECRETS),
        },
    )
    .map(|(g, statement)| TaskStatement {
        service: service.name.clone(),
        statement,
        reason: g.reason.clone(),
    })
    .collect()
}

/// One statement per grant, named by `sid` (from the grant's number), its ARNs as IAM reads
/// them (`Fn::Sub` when they name the placeholders) and byoa's own resources as `own` names
/// them.
fn per_grant<'s>(
    service: &'s Service,
    sid: impl Fn(usize) -> String + 's,
    own: impl Fn(&GrantResource) -> Value + 's,
) -> impl Iterator<Item = (&'s TaskGrant, Value)> + 's {
    service.permissions.iter().map(move |g| {
        let resources = g
            .resources
            .iter()
            .map(|r| match r {
                GrantResource::Any => json!("*"),
                GrantResource::Arn(text) if text.contains("${") => sub(text),
                GrantResource::Arn(text) => json!(text),
                byoa => own(byoa),
            })
            .collect();
        (g, statement(&sid(g.number), g, resources))
    })
}

/// An allow statement; one action or resource is written alone, as IAM shows it.
fn statement(sid: &str, g: &TaskGrant, resources: Vec<Value>) -> Value {
    let one = |mut list: Vec<Value>| {
        if list.len() == 1 {
            list.remove(0)
        } else {
            Value::Array(list)
        }
    };
    let actions = g.actions.iter().map(|a| json!(a)).collect();
    json!({
        "Sid": sid,
        "Effect": "Allow",
        "Action": one(actions),
        "Resource": one(resources),
    })
}
