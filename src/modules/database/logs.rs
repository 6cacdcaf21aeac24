//! The database log groups: `Model` + the database template's instances -> the CloudWatch
//! Logs groups RDS exports their logs to, declared before RDS would create them.
//!
//! RDS writes an instance's exported logs (`EXPORTS`) to `/aws/rds/instance/<id>/<log>` and
//! creates that group itself, without a customer key and kept forever, unless it exists. With
//! fixed identifiers (`database.identifier: fixed`, the default) each instance gets one group
//! per exported log, encrypted with the database key, kept `monitoring.log_retention_days`
//! and retained like byoa's other log groups, and the instance depends on its groups so they
//! exist before RDS first writes. With `generated` identifiers the names are unknown until the
//! instance exists: nothing is declared and the instance carries the scanners' suppression,
//! the deployment's stated choice. Invariant: a group is declared for every exported log of
//! every instance with a fixed identifier, and only then.

use serde_json::{Value, json};

use crate::cfn::func::{get_att, sub};
use crate::cfn::{Policy, Resource, Template};
use crate::modules::needs::{Grant, On, Part};
use crate::modules::{scanners, secure};
use crate::naming;
use crate::spec::Model;

/// The PostgreSQL logs every instance exports to CloudWatch Logs.
pub const EXPORTS: &[&str] = &["postgresql", "upgrade"];

/// The logical id of instance `instance`'s group for `log`: `DatabasePostgresqlLogGroup`.
fn group_id(instance: &str, log: &str) -> String {
    format!("{instance}{}LogGroup", naming::camel(log))
}

/// Declares the groups of the instance `instance` named `identifier` and makes the instance
/// depend on them; with no identifier, writes the deployment's choice into its metadata.
pub fn declare(t: &mut Template, model: &Model, instance: &str, identifier: Option<&str>) {
    let Some(identifier) = identifier else {
        let r = t
            .resources
            .get_mut(instance)
            .expect("the instance is declared first");
        scanners::suppress(
            r,
            "RDS_LOG_GROUPS_DECLARED",
            scanners::Ids {
                guard: &["RDS_LOG_GROUPS_DECLARED"],
                checkov: &[],
                cfn_lint: &[],
            },
            "database.identifier: generated, the deployment's choice to keep its database: \
             CloudFormation names the instance, so its log groups cannot be declared and RDS \
             creates /aws/rds/instance/<id>/postgresql and /upgrade itself, unencrypted and \
             kept forever",
        );
        return;
    };
    for log in EXPORTS {
        let id = group_id(instance, log);
        t.add_resource(
            &id,
            Resource::new(
                "AWS::Logs::LogGroup",
                json!({
                    "LogGroupName": naming::rds_log_group(identifier, log),
                    "KmsKeyId": get_att("DatabaseKey", "Arn"),
                    "RetentionInDays": model.monitoring.log_retention_days,
                }),
            )
            .keep(Policy::Retain),
            None,
        );
        t.trace(&id, "RetentionInDays", ["monitoring.log_retention_days"]);
        t.trace(
            &id,
            "LogGroupName",
            ["database.identifier", "database.name", "product.name"],
        );
        let r = t
            .resources
            .get_mut(instance)
            .expect("the instance is declared first");
        r.depends_on.push(id);
    }
}

/// The key policy statement letting CloudWatch Logs encrypt the groups of `identifiers` (the
/// instances') with the database key, and no other group; `None` without identifiers.
pub fn key_statement(identifiers: &[String]) -> Option<Value> {
    if identifiers.is_empty() {
        return None;
    }
    let groups: Vec<Value> = identifiers
        .iter()
        .map(|id| {
            sub(&format!(
                "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{}",
                naming::rds_log_group(id, "*")
            ))
        })
        .collect();
    Some(secure::logs_use_key_for(Value::Array(groups)))
}

/// What CloudFormation needs to manage the groups: the product's RDS log groups only, named
/// after the instances, whose identifiers start with the lowercase stack prefix.
pub const RDS_LOG_GROUPS: Grant = Grant {
    part: Part::Data,
    sid: "ManageDatabaseLogGroups",
    actions: secure::LOG_GROUP_ACTIONS,
    on: On::Arn(
        "logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/rds/instance/{bucket_prefix}*",
    ),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_follow_the_instance_and_the_log() {
        assert_eq!(
            group_id("Database", "postgresql"),
            "DatabasePostgresqlLogGroup"
        );
        assert_eq!(
            group_id("DatabaseReplica2", "upgrade"),
            "DatabaseReplica2UpgradeLogGroup"
        );
    }

    #[test]
    fn the_key_serves_only_the_instances_groups() {
        assert_eq!(key_statement(&[]), None);
        let s = key_statement(&["acme-prod-db".into(), "acme-prod-db-replica-1".into()])
            .expect("a statement");
        let arns = &s["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"];
        assert_eq!(
            arns[1]["Fn::Sub"],
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/rds/instance/acme-prod-db-replica-1/*"
        );
        assert_eq!(arns.as_array().map(Vec::len), Some(2));
    }
}
