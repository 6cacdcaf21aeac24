//! Destroying a deployment: what stays behind, what goes with its data, and nothing deleted
//! before someone who can answer has agreed.
//!
//! Input: a `Cloud`, the stack (the root with its nested stacks, or the access stack), who
//! confirmed. Output: each stateful resource's fate, from the deletion policies of the
//! deployed templates (retained: stays, with its physical id so the customer can find it;
//! snapshot: deleted, a final snapshot kept; otherwise deleted with its data); then the stack
//! deleted and followed until it is gone. A stack holding any stateful resource is deleted only
//! when confirmed. The access stack is refused while the root stack exists: without its
//! execution role the product's stacks could no longer be updated or deleted.

use serde_json::Value;

use super::follow::{self, Settled};
use super::plan::Target;
use super::run::{Ui, aws, deployed_id, deployed_templates};
use super::{Cloud, StackResource};
use crate::diag::{Code, Diagnostic};
use crate::diff::classify::deletion_policy;
use crate::diff::compare::{section, type_of};
use crate::diff::table::Table;

/// What deleting the stack does to one stateful resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fate {
    /// The module stack (`database`).
    pub stack: String,
    pub logical_id: String,
    pub kind: String,
    pub physical_id: Option<String>,
    /// The resource outlives the stack (`Retain`).
    pub stays: bool,
    /// In words: `stays (retained)`, `deleted, a final snapshot is kept`, ...
    pub what: &'static str,
}

/// How a destroy ended.
#[derive(Debug)]
pub enum Destroyed {
    /// There was no such stack.
    Nothing,
    /// Not confirmed: nothing was deleted.
    Blocked(Vec<Fate>),
    Deleted {
        settled: Settled,
        fates: Vec<Fate>,
    },
    Failed {
        settled: Settled,
        recovery: Option<String>,
    },
}

/// Destroys `stack`. `root` names the root stack, which must be gone before the access stack
/// goes; `confirmed` is `--confirm STACK` given with this stack's name.
pub fn destroy(
    cloud: &dyn Cloud,
    stack: &str,
    target: Target,
    root: &str,
    confirmed: bool,
    ui: &mut dyn Ui,
) -> Result<Destroyed, Vec<Diagnostic>> {
    let Some(state) = cloud.stack(stack).map_err(aws)? else {
        ui.say(&format!("{stack}: no such stack, nothing to destroy"));
        return Ok(Destroyed::Nothing);
    };
    if state.is_busy() {
        return Err(vec![
            Diagnostic::new(
                Code::DeployStackState,
                format!(
                    "`{stack}` is {}: another operation is running",
                    state.status
                ),
            )
            .with_help("wait for it to finish, then rerun `byoa destroy`"),
        ]);
    }
    if target == Target::Access && cloud.stack(root).map_err(aws)?.is_some() {
        return Err(vec![Diagnostic::new(
            Code::DeployStackState,
            format!("the root stack `{root}` still exists: it needs the access stack's execution role to be updated or deleted"),
        )
        .with_help("destroy the product first (`byoa destroy`), then the access stack")]);
    }
    let fates = if state.is_review() {
        Vec::new()
    } else {
        fates(cloud, stack, target)?
    };
    for f in &fates {
        ui.say(&format!(
            "  {}/{} ({}) {}: {}",
            f.stack,
            f.logical_id,
            f.kind,
            f.physical_id.as_deref().unwrap_or("-"),
            f.what
        ));
    }
    if !fates.is_empty() && !confirmed {
        let question = format!(
            "{} resource(s) above hold data. Delete `{stack}`?",
            fates.len()
        );
        if !ui.confirm(&question) {
            return Ok(Destroyed::Blocked(fates));
        }
    }
    // Followed by id: once deleted, a stack answers to its id only.
    let after = cloud
        .events(&state.id, None)
        .map_err(aws)?
        .first()
        .map(|e| e.id.clone());
    cloud.delete_stack(stack).map_err(aws)?;
    ui.say(&format!("deleting {stack}"));
    let settled = follow::follow(cloud, &state.id, after, 1, ui).map_err(aws)?;
    if settled.status == "DELETE_COMPLETE" {
        return Ok(Destroyed::Deleted { settled, fates });
    }
    let skip: Vec<String> = settled
        .failures
        .iter()
        .filter(|e| e.status == "DELETE_FAILED" && e.logical_id != e.stack_name)
        .map(|e| e.logical_id.clone())
        .collect();
    let recovery = follow::recovery(stack, &settled.status, &skip);
    Ok(Destroyed::Failed { settled, recovery })
}

/// The stateful resources of the deployed stack (nested stacks included) and their fates.
fn fates(cloud: &dyn Cloud, stack: &str, target: Target) -> Result<Vec<Fate>, Vec<Diagnostic>> {
    let templates = deployed_templates(cloud, stack, target)?;
    let root_resources = cloud.resources(stack).map_err(aws)?;
    let table = Table::get();
    let mut out = Vec::new();
    for t in &templates {
        let Some(resources) = section(t.template(), "Resources") else {
            continue;
        };
        // The stack the template was read from, to name physical ids.
        let physical: Vec<StackResource> = if t.name == target.module() {
            root_resources.clone()
        } else {
            cloud.resources(deployed_id(t)).map_err(aws)?
        };
        for (id, r) in resources {
            let kind = type_of(r);
            if !table.is_stateful(kind) {
                continue;
            }
            let (stays, what) = fate(kind, r);
            out.push(Fate {
                stack: t.name.clone(),
                logical_id: id.clone(),
                kind: kind.to_owned(),
                physical_id: physical
                    .iter()
                    .find(|p| p.logical_id == *id)
                    .and_then(|p| p.physical_id.clone()),
                stays,
                what,
            });
        }
    }
    Ok(out)
}

/// Properties that give a resource a name of the template's choosing: a retained resource under
/// such a name blocks the next deployment of the same environment, which creates it again.
const FIXED_NAMES: [&str; 4] = [
    "LogGroupName",
    "BucketName",
    "DBInstanceIdentifier",
    "RepositoryName",
];

fn fate(kind: &str, resource: &Value) -> (bool, &'static str) {
    let fixed_name = FIXED_NAMES
        .iter()
        .any(|k| resource.pointer(&format!("/Properties/{k}")).is_some());
    match deletion_policy(kind, resource) {
        Some("Retain" | "RetainExceptOnCreate") if fixed_name => (
            true,
            "stays (retained) under its fixed name: keep what you need and delete it before \
             deploying this environment again, whose stack creates that name anew",
        ),
        Some("Retain" | "RetainExceptOnCreate") => (
            true,
            "stays (retained): delete it by hand when no longer needed",
        ),
        Some("Snapshot") => (false, "deleted; a final snapshot is kept"),
        _ => (false, "deleted with its data"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_retained_resource_under_a_fixed_name_says_it_blocks_the_next_deployment() {
        let group = |props: Value| json!({"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": props});
        let named = group(json!({"LogGroupName": "/aws/rds/instance/acme-prod-app/postgresql"}));
        let (stays, what) = fate("AWS::Logs::LogGroup", &named);
        assert!(stays && what.contains("fixed name") && what.contains("deploying"));
        let generated = group(json!({"RetentionInDays": 365}));
        let (stays, what) = fate("AWS::Logs::LogGroup", &generated);
        assert!(stays && !what.contains("fixed name"), "{what}");
        let snapshot = json!({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot",
            "Properties": {"DBInstanceIdentifier": "acme-prod-app"}});
        assert_eq!(
            fate("AWS::RDS::DBInstance", &snapshot),
            (false, "deleted; a final snapshot is kept")
        );
    }
}
