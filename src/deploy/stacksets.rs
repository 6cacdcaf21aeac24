//! The StackSets engine of `byoa rollout --engine stacksets`: CloudFormation deploys the root
//! stack to the customers' accounts itself, and byoa keeps the same status table from the stack
//! instances' statuses.
//!
//! Input: a `StackSets` (the vendor's own credentials: the administrator account, or the
//! Organization's delegated administrator), the stack set request (the root template by URL,
//! the common parameters, the operation preferences), the customers as `Member`s (account,
//! region, their parameter overrides) and the `Board`. Output: the board, one row per customer
//! from its stack instance, `seen` called after every poll.
//!
//! The sequence: create the stack set, or update it (which updates every existing instance);
//! then create the instances the customers lack, one operation per region and parameter set
//! (self-managed: the customers' account ids; service-managed: the Organization units, where
//! parameters are per unit, not per customer). StackSets runs one operation at a time per
//! stack set, so each is followed to its end before the next.
//!
//! Preferences: `--concurrency` is `MaxConcurrentCount` and `--max-failures` is
//! `FailureToleranceCount`; AWS refuses a concurrency over the tolerance plus one, so it is
//! lowered to that and said. AWS, not byoa, stops the operation past the tolerance (the
//! instances it did not reach are `CANCELLED`: halted rows). What StackSets does not have:
//! canary waves (canaries are ordinary members here), per-account change sets (so the data-loss
//! guard runs on byoa's prediction alone, `predict`: the stack set's current templates against
//! the new ones, and what it would stop is not updated), and the deployer role with its
//! external id (the administration and execution roles act instead; docs/fleet.md says who
//! should accept that).

use std::time::Duration;

use super::guard::{self, Hazard};
use super::plan::{self, Target};
use super::waves::{Board, State};
use super::{
    CloudError, DeployedSet, ParameterValue, StackInstance, StackSetRequest, StackSetTargets,
    StackSets, run as deploy,
};
use crate::diff;
use crate::naming::{self, console::ARTIFACT_BASE_URL};
use crate::synth::Output;

/// How often an operation is polled.
pub const POLL: Duration = Duration::from_secs(5);

/// One customer, as a stack set reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub account: String,
    pub region: String,
    pub overrides: Vec<ParameterValue>,
}

/// `MaxConcurrentCount` and `FailureToleranceCount` from `--concurrency` and `--max-failures`,
/// and a note when the concurrency had to be lowered (AWS: "MaxConcurrentCount is at most one
/// more than the FailureToleranceCount").
pub fn preferences(concurrency: u32, max_failures: u32) -> (u32, u32, Option<String>) {
    let most = max_failures.saturating_add(1);
    if concurrency > most {
        (
            most,
            max_failures,
            Some(format!(
                "StackSets runs at most --max-failures + 1 = {most} accounts at a time: --concurrency {concurrency} lowered to {most}"
            )),
        )
    } else {
        (concurrency.max(1), max_failures, None)
    }
}

/// A customer's state from its stack instance.
pub fn state_of(instance: &StackInstance) -> (State, String) {
    let reason = instance.reason.clone().unwrap_or_default();
    let with = |what: &str| {
        if reason.is_empty() {
            what.to_owned()
        } else {
            format!("{what}: {reason}")
        }
    };
    match instance.detailed.as_deref() {
        Some("SUCCEEDED") => (State::Deployed, instance.status.clone()),
        Some("FAILED") => (State::Failed, with("FAILED")),
        Some("INOPERABLE") => (State::Failed, with("INOPERABLE")),
        Some("CANCELLED") => (
            State::Halted,
            with("CANCELLED (the operation stopped past its failure tolerance)"),
        ),
        Some("SKIPPED_SUSPENDED_ACCOUNT") => {
            (State::Halted, with("skipped: the account is suspended"))
        }
        Some("RUNNING") => (State::Deploying, "RUNNING".to_owned()),
        Some("PENDING") => (State::Waiting, "PENDING".to_owned()),
        _ if instance.status == "CURRENT" => (State::Deployed, "CURRENT".to_owned()),
        _ if instance.status == "INOPERABLE" => (State::Failed, with("INOPERABLE")),
        _ => (State::Waiting, instance.status.clone()),
    }
}

/// Sets every member's row from its instance; a member without one keeps its row.
pub fn apply(board: &mut Board, members: &[Member], instances: &[StackInstance]) {
    for m in members {
        let Some(i) = instances
            .iter()
            .find(|i| i.account == m.account && i.region == m.region)
        else {
            continue;
        };
        let (state, detail) = state_of(i);
        let current = board.rows.iter().find(|r| r.customer == m.id);
        if current.is_some_and(|r| r.state == state && r.detail == detail) {
            continue;
        }
        let code = state.is_failure().then_some("rollout.not-deployed");
        board.set(&m.id, state, &detail, code);
    }
}

/// Runs the stack set: see the module's doc. An AWS error ends the run (the rows say how far
/// it got).
pub fn run(
    sets: &dyn StackSets,
    request: &StackSetRequest,
    members: &[Member],
    org_units: &[String],
    board: &mut Board,
    seen: &mut dyn FnMut(&Board),
) -> Result<(), CloudError> {
    let name = &request.name;
    let created = sets.stack_set(name)?.is_none();
    if created {
        sets.create_stack_set(request)?;
    } else {
        let op = sets.update_stack_set(request)?;
        follow(sets, name, &op, members, board, seen)?;
    }
    let existing = sets.instances(name)?;
    let missing: Vec<&Member> = members
        .iter()
        .filter(|m| {
            !existing
                .iter()
                .any(|i| i.account == m.account && i.region == m.region)
        })
        .collect();
    if !missing.is_empty() {
        if org_units.is_empty() {
            // One operation per region and parameter set (overrides apply to a whole call),
            // in the customers' order.
            let mut groups: Vec<(String, Vec<ParameterValue>, Vec<String>)> = Vec::new();
            for m in &missing {
                match groups
                    .iter_mut()
                    .find(|(r, o, _)| *r == m.region && *o == m.overrides)
                {
                    Some(g) => g.2.push(m.account.clone()),
                    None => groups.push((
                        m.region.clone(),
                        m.overrides.clone(),
                        vec![m.account.clone()],
                    )),
                }
            }
            for (region, overrides, accounts) in groups {
                let op = sets.create_instances(
                    request,
                    &StackSetTargets::Accounts(accounts),
                    &[region],
                    &overrides,
                )?;
                follow(sets, name, &op, members, board, seen)?;
            }
        } else {
            let mut regions: Vec<String> = missing.iter().map(|m| m.region.clone()).collect();
            regions.sort();
            regions.dedup();
            let op = sets.create_instances(
                request,
                &StackSetTargets::OrgUnits(org_units.to_vec()),
                &regions,
                &[],
            )?;
            follow(sets, name, &op, members, board, seen)?;
        }
    }
    let last = sets.instances(name)?;
    apply(board, members, &last);
    for m in members {
        if !last
            .iter()
            .any(|i| i.account == m.account && i.region == m.region)
        {
            let why = if org_units.is_empty() {
                "no stack instance after the operations".to_owned()
            } else {
                format!(
                    "no stack instance: account {} is not in {}",
                    m.account,
                    org_units.join(", ")
                )
            };
            board.set(&m.id, State::Failed, &why, Some("rollout.not-deployed"));
        }
    }
    board.close();
    seen(board);
    Ok(())
}

/// byoa's data-loss prediction for updating a stack set, which has no change set per account:
/// the stack set's current root template and the module templates its `ArtifactBaseUrl` names
/// (read back from `bucket`) against `output`'s, through the deploy's own guard. Anything the
/// guard would stop is returned; the caller updates nothing then. Old templates that cannot be
/// read make the prediction impossible: an error, never a silent pass.
pub fn predict(
    sets: &dyn StackSets,
    bucket: &str,
    deployed: &DeployedSet,
    output: &Output,
) -> Result<Vec<Hazard>, CloudError> {
    let name = output
        .manifest
        .stack_name(naming::ROOT)
        .unwrap_or(naming::ROOT);
    let unreadable = |why: String| CloudError::new("predict the update", name, why);
    let root = diff::load::parse_value(name, &deployed.template)
        .map_err(|(m, _)| unreadable(format!("its template does not parse: {m}")))?;
    let set = deployed
        .parameters
        .iter()
        .find(|(k, _)| k == ARTIFACT_BASE_URL)
        .and_then(|(_, v)| plan::deployed_set(v))
        .ok_or_else(|| {
            unreadable(format!(
                "its `{ARTIFACT_BASE_URL}` names no byoa template set"
            ))
        })?
        .to_owned();
    let mut old = Vec::new();
    let nested = root["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["Type"] == "AWS::CloudFormation::Stack");
    for (_, r) in nested {
        let Some(module) = diff::nested::child_name(r) else {
            continue;
        };
        let key = format!("templates/{set}/{module}.yaml");
        let text = sets.get_object(bucket, &key)?.ok_or_else(|| {
            unreadable(format!(
                "s3://{bucket}/{key}, which it runs, is not in the bucket"
            ))
        })?;
        let value = diff::load::parse_value(&key, &text)
            .map_err(|(m, _)| unreadable(format!("s3://{bucket}/{key} does not parse: {m}")))?;
        old.push(diff::Stack::new(
            module,
            format!("s3://{bucket}/{key}"),
            value,
        ));
    }
    old.push(diff::Stack::new(naming::ROOT, name, root));
    let new = deploy::new_templates(output, Target::Root);
    let mut predicted = diff::diff(&old, &new);
    diff::annotate(&mut predicted, None, &output.sources);
    Ok(guard::hazards(Some(&predicted), &[], &[]))
}

/// Polls operation `op` until it ends, the rows following its instances.
fn follow(
    sets: &dyn StackSets,
    name: &str,
    op: &str,
    members: &[Member],
    board: &mut Board,
    seen: &mut dyn FnMut(&Board),
) -> Result<(), CloudError> {
    loop {
        let (status, _reason) = sets.operation(name, op)?;
        apply(board, members, &sets.instances(name)?);
        seen(board);
        if !matches!(status.as_str(), "RUNNING" | "QUEUED" | "STOPPING") {
            return Ok(());
        }
        sets.pause(POLL);
    }
}

#[cfg(test)]
mod tests;
