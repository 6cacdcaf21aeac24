//! Following a stack operation: events as they come, nested stacks included, until the stack
//! settles; then the root cause of a failure and the recovery step for the state it is in.
//!
//! Input: a `Cloud`, the root stack, the newest event id seen before the operation started,
//! and how many resources the change sets touch. Output: `Settled` (the final status, every
//! failed event, the root cause), and each new event and progress tick handed to a
//! `Progress` as they happen. Events are read per stack (the root and each nested stack as its
//! `AWS::CloudFormation::Stack` events name it) and handed on in time order.
//!
//! The root cause is the earliest failure that is not a consequence of another: AWS reports
//! a failed resource, then every sibling it cancelled ("Resource creation cancelled") and
//! every parent stack ("Embedded stack ... was not successfully created"), and those hide the
//! cause in a console. Picking it needs no AWS call beyond events.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::{Cloud, CloudResult, Rollout, StackEvent};

/// How often a running operation is polled. Short: a stack of 60 resources changes state every
/// few seconds, and the change-set waiter of the SDK backs off to two minutes.
pub const POLL: Duration = Duration::from_secs(2);

/// How often a rolling ECS service is read: its counts move at the pace of task starts.
pub const ECS_POLL: Duration = Duration::from_secs(10);

/// What a follower is told while it waits.
pub trait Progress {
    /// A new event, in time order.
    fn event(&mut self, event: &StackEvent);
    /// After each poll: resources settled so far, of `total`, and the time spent.
    fn tick(&mut self, done: usize, total: usize, elapsed: Duration);
    /// An ECS service being created or updated (`logical_id`): its tasks, and why tasks that
    /// stopped since the last call stopped.
    fn rollout(&mut self, logical_id: &str, rollout: &Rollout, stopped: &[String]);
    /// Following begins: the operation runs in AWS from now on, whatever byoa does.
    fn started(&mut self) {}
    /// The user asked to stop following (Ctrl-C): the operation goes on in AWS.
    fn interrupted(&mut self) -> bool;
}

/// How an operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub status: String,
    pub reason: Option<String>,
    /// Every failed event, in time order.
    pub failures: Vec<StackEvent>,
    pub root_cause: Option<StackEvent>,
    pub done: usize,
    /// Why tasks of the services that rolled out stopped, as ECS said (each reason once).
    pub stopped_tasks: Vec<String>,
    /// Following stopped on request before the stack settled: `status` is where it was.
    pub interrupted: bool,
}

impl Settled {
    /// Created or updated as asked.
    pub fn succeeded(&self) -> bool {
        matches!(
            self.status.as_str(),
            "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE"
        )
    }
}

/// Reads events until `stack` leaves `*_IN_PROGRESS`.
pub fn follow(
    cloud: &dyn Cloud,
    stack: &str,
    after: Option<String>,
    total: usize,
    progress: &mut dyn Progress,
) -> CloudResult<Settled> {
    // Stacks watched: the root by name, nested ones by id (names of nested stacks are made
    // up by CloudFormation), each with the newest event id handed on.
    let mut watched: BTreeMap<String, Option<String>> = BTreeMap::new();
    watched.insert(stack.to_owned(), after);
    let mut done: BTreeSet<(String, String)> = BTreeSet::new();
    let mut failures = Vec::new();
    let mut rolling: BTreeMap<String, Watch> = BTreeMap::new();
    let mut stopped_tasks: Vec<String> = Vec::new();
    progress.started();
    loop {
        let state = cloud.stack(stack)?;
        let mut fresh = Vec::new();
        let names: Vec<String> = watched.keys().cloned().collect();
        for name in names {
            let last = watched.get(&name).cloned().flatten();
            // A stack deleted by name answers no more: it has nothing more to say.
            let mut events = match cloud.events(&name, last.as_deref()) {
                Err(e) if e.is_not_found() => Vec::new(),
                other => other?,
            };
            if let Some(newest) = events.first() {
                watched.insert(name.clone(), Some(newest.id.clone()));
            }
            events.reverse();
            fresh.extend(events);
        }
        fresh.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
        for e in &fresh {
            let is_stack_row = e.kind == "AWS::CloudFormation::Stack";
            let own = e.logical_id == e.stack_name;
            if is_stack_row
                && !own
                && let Some(id) = e.physical_id.as_deref().filter(|id| id.starts_with("arn:"))
            {
                watched.entry(id.to_owned()).or_insert(None);
            }
            if !own && e.status.ends_with("_COMPLETE") {
                done.insert((e.stack_name.clone(), e.logical_id.clone()));
            }
            if e.status.ends_with("_FAILED") {
                failures.push(e.clone());
            }
            track_service(&mut rolling, e);
            progress.event(e);
        }
        for (arn, watch) in &mut rolling {
            for why in watch_service(cloud, arn, watch, progress) {
                if !stopped_tasks.contains(&why) {
                    stopped_tasks.push(why);
                }
            }
        }
        progress.tick(done.len(), total, cloud.elapsed());
        if progress.interrupted()
            && let Some(s) = &state
        {
            let mut settled = settle(
                s.status.clone(),
                s.reason.clone(),
                failures,
                done.len(),
                stopped_tasks,
            );
            settled.interrupted = true;
            return Ok(settled);
        }
        match state {
            None => {
                // Deleted (a failed first create whose rollback deleted it, or a delete).
                return Ok(settle(
                    "DELETE_COMPLETE".into(),
                    None,
                    failures,
                    done.len(),
                    stopped_tasks,
                ));
            }
            Some(s) if !s.status.ends_with("_IN_PROGRESS") && fresh.is_empty() => {
                return Ok(settle(
                    s.status,
                    s.reason,
                    failures,
                    done.len(),
                    stopped_tasks,
                ));
            }
            Some(_) => {}
        }
        if fresh.is_empty() {
            cloud.sleep(POLL);
        }
    }
}

fn settle(
    status: String,
    reason: Option<String>,
    failures: Vec<StackEvent>,
    done: usize,
    stopped_tasks: Vec<String>,
) -> Settled {
    let root_cause = root_cause(&failures).cloned();
    Settled {
        status,
        reason,
        failures,
        root_cause,
        done,
        stopped_tasks,
        interrupted: false,
    }
}

/// An ECS service being rolled out.
#[derive(Debug, Default)]
struct Watch {
    logical_id: String,
    read_at: Option<Duration>,
    failed: i32,
}

/// Starts watching a service whose create or update began; stops once it settled.
fn track_service(rolling: &mut BTreeMap<String, Watch>, e: &StackEvent) {
    if e.kind != "AWS::ECS::Service" {
        return;
    }
    let Some(arn) = e
        .physical_id
        .as_deref()
        .filter(|id| id.contains(":service/"))
    else {
        return;
    };
    if e.status.ends_with("_IN_PROGRESS") && !e.status.starts_with("DELETE") {
        rolling.entry(arn.to_owned()).or_insert_with(|| Watch {
            logical_id: e.logical_id.clone(),
            ..Watch::default()
        });
    } else {
        rolling.remove(arn);
    }
}

/// Reads a rolling service when it is due, and why its new failed tasks stopped. ECS is
/// read for information only: an error reading it (a role without ECS reads) is not the
/// deployment's failure, and the next poll tries again.
fn watch_service(
    cloud: &dyn Cloud,
    arn: &str,
    watch: &mut Watch,
    progress: &mut dyn Progress,
) -> Vec<String> {
    let now = cloud.elapsed();
    if watch
        .read_at
        .is_some_and(|t| now.saturating_sub(t) < ECS_POLL)
    {
        return Vec::new();
    }
    watch.read_at = Some(now);
    let Ok(Some(rollout)) = cloud.rollout(arn) else {
        return Vec::new();
    };
    let stopped = if rollout.failed > watch.failed {
        let new = usize::try_from(rollout.failed - watch.failed)
            .unwrap_or(0)
            .min(3);
        cloud.stopped_tasks(arn, new).unwrap_or_default()
    } else {
        Vec::new()
    };
    watch.failed = rollout.failed;
    progress.rollout(&watch.logical_id, &rollout, &stopped);
    stopped
}

/// The earliest failure that is not caused by another: not a cancellation, not a stack that
/// failed because something inside it did.
pub fn root_cause(failures: &[StackEvent]) -> Option<&StackEvent> {
    let consequence = |e: &StackEvent| {
        let reason = e.reason.as_deref().unwrap_or_default();
        reason.contains("cancelled")
            || reason.starts_with("Embedded stack")
            || reason.starts_with("The following resource(s) failed")
            || e.logical_id == e.stack_name
    };
    failures
        .iter()
        .filter(|e| !consequence(e))
        .min_by(|a, b| a.timestamp.cmp(&b.timestamp))
        .or_else(|| failures.first())
}

/// What to do about a stack left in `status`: the exact next step. `skippable` are the
/// resources that failed to roll back (`Nested.LogicalId` inside nested stacks).
pub fn recovery(stack: &str, status: &str, skippable: &[String]) -> Option<String> {
    let step = match status {
        "ROLLBACK_COMPLETE" => format!(
            "the first create of `{stack}` failed and was rolled back: the stack holds nothing and must be deleted before it can be created again. Fix the cause, then rerun `byoa deploy`: it offers to delete the empty stack first"
        ),
        "ROLLBACK_FAILED" => format!(
            "`{stack}` could not roll back its first create: delete it, keeping what failed to delete: `aws cloudformation delete-stack --stack-name {stack}{}`",
            retain(skippable)
        ),
        "UPDATE_ROLLBACK_COMPLETE" => format!(
            "the update was rolled back: `{stack}` runs the previous version. Fix the cause and rerun `byoa deploy`"
        ),
        "UPDATE_ROLLBACK_FAILED" => format!(
            "`{stack}` is stuck until the rollback goes on: `aws cloudformation continue-update-rollback --stack-name {stack}{}`; resources skipped keep their current state and may need a fix by hand, then rerun `byoa deploy`",
            if skippable.is_empty() {
                String::new()
            } else {
                format!(" --resources-to-skip {}", skippable.join(" "))
            }
        ),
        "CREATE_FAILED" | "UPDATE_FAILED" => format!(
            "rollback was disabled: roll back with `aws cloudformation rollback-stack --stack-name {stack}`, or fix the cause and rerun `byoa deploy`"
        ),
        "DELETE_FAILED" => format!(
            "delete again, keeping what cannot be deleted: `aws cloudformation delete-stack --stack-name {stack}{}`",
            retain(skippable)
        ),
        _ => return None,
    };
    Some(step)
}

fn retain(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" --retain-resources {}", ids.join(" "))
    }
}

/// The resources a stuck rollback must skip: those whose latest event is a failure, named
/// `NestedStack.LogicalId` when inside a nested stack (as `--resources-to-skip` takes them).
/// `nested` maps a nested stack's name to its logical id in the root.
pub fn skippable(failures: &[StackEvent], nested: &BTreeMap<String, String>) -> Vec<String> {
    let mut latest: BTreeMap<(String, String), &StackEvent> = BTreeMap::new();
    for e in failures {
        if e.logical_id == e.stack_name || e.kind == "AWS::CloudFormation::Stack" {
            continue;
        }
        latest.insert((e.stack_name.clone(), e.logical_id.clone()), e);
    }
    latest
        .into_values()
        .filter(|e| e.status == "UPDATE_FAILED" || e.status == "DELETE_FAILED")
        .map(|e| match nested.get(&e.stack_name) {
            Some(parent) => format!("{parent}.{}", e.logical_id),
            _ => e.logical_id.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
