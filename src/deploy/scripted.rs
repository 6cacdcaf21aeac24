//! A scripted `Cloud` for tests: the answers AWS gives where moto gives none (replacement
//! details in change sets, per-resource events, nested stacks' events, rollback states), in
//! the shapes of the CloudFormation API reference. Records every call.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::time::Duration;

use super::{
    ChangeSet, ChangeSetRequest, Cloud, CloudError, CloudResult, StackEvent, StackResource,
    StackState,
};

#[derive(Default)]
pub struct Scripted {
    pub stacks: RefCell<BTreeMap<String, StackState>>,
    pub resources: BTreeMap<String, Vec<StackResource>>,
    pub templates: BTreeMap<String, String>,
    /// What `DescribeChangeSet` answers for the change set byoa creates (after one
    /// `CREATE_IN_PROGRESS`), and for nested change sets by id.
    pub answer: ChangeSet,
    pub nested: BTreeMap<String, ChangeSet>,
    /// `CreateChangeSet` fails with this.
    pub create_error: Option<CloudError>,
    /// Events an execution produces, per stack name or id, oldest first; handed out one per
    /// `events` call per stack.
    pub execution: BTreeMap<String, Vec<StackEvent>>,
    /// `DescribeServices` answers per service ARN, one per call (the last one repeats).
    pub rollouts: BTreeMap<String, Vec<super::Rollout>>,
    /// `DescribeTasks` stopped reasons per service ARN.
    pub stopped: BTreeMap<String, Vec<String>>,
    pub rollout_calls: Cell<usize>,
    /// Drift detection: its end state and the drifted resources per stack name or id; `None`:
    /// not implemented by the endpoint (as on moto).
    pub drift: Option<super::DriftDetection>,
    pub drifted: BTreeMap<String, Vec<super::ResourceDrift>>,
    pub drift_polls: Cell<usize>,
    /// Polls during an execution that find no new event before the events flow (a slow start).
    pub quiet_polls: Cell<usize>,
    /// Events from before this run, newest last, per stack name or id.
    pub history: BTreeMap<String, Vec<StackEvent>>,
    /// `DescribeStackEvents` fails with this, per stack name or id.
    pub events_error: BTreeMap<String, CloudError>,
    /// The status the stack ends in after its execution.
    pub final_status: String,
    pub calls: RefCell<Vec<String>>,
    pub puts: RefCell<Vec<String>>,
    pub requests: RefCell<Vec<ChangeSetRequest>>,
    pub released: RefCell<BTreeMap<String, usize>>,
    pub executing: Cell<bool>,
    pub described: Cell<usize>,
    pub clock: Cell<Duration>,
}

/// A stack in `status` with `parameters`.
pub fn state(name: &str, status: &str, parameters: &[&str]) -> StackState {
    StackState {
        name: name.into(),
        id: format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{name}/1"),
        status: status.into(),
        reason: None,
        parameters: parameters.iter().map(|p| (*p).to_owned()).collect(),
        values: Vec::new(),
        drift: None,
        outputs: Vec::new(),
    }
}

/// An event of `stack` at second `second`.
pub fn event(
    stack: &str,
    id: &str,
    kind: &str,
    status: &str,
    second: u32,
    reason: Option<&str>,
) -> StackEvent {
    StackEvent {
        id: format!("{stack}-{id}-{status}-{second}"),
        stack_name: stack.into(),
        logical_id: id.into(),
        physical_id: None,
        kind: kind.into(),
        status: status.into(),
        reason: reason.map(str::to_owned),
        timestamp: format!("2026-11-29T10:00:{second:02}Z"),
    }
}

impl Scripted {
    fn log(&self, call: String) {
        self.calls.borrow_mut().push(call);
    }

    fn all_released(&self) -> bool {
        let released = self.released.borrow();
        self.execution
            .iter()
            .all(|(k, v)| released.get(k).copied().unwrap_or(0) >= v.len())
    }
}

impl Cloud for Scripted {
    fn stack(&self, name: &str) -> CloudResult<Option<StackState>> {
        let mut s = self.stacks.borrow().get(name).cloned();
        if self.executing.get()
            && let Some(s) = &mut s
        {
            s.status = if self.all_released() {
                self.final_status.clone()
            } else {
                "UPDATE_IN_PROGRESS".into()
            };
        }
        Ok(s)
    }

    fn resources(&self, stack: &str) -> CloudResult<Vec<StackResource>> {
        Ok(self.resources.get(stack).cloned().unwrap_or_default())
    }

    fn template(&self, stack: &str) -> CloudResult<String> {
        self.templates
            .get(stack)
            .cloned()
            .ok_or_else(|| CloudError::new("GetTemplate", stack, "Stack with id does not exist"))
    }

    fn put_object(&self, bucket: &str, key: &str, _body: &[u8]) -> CloudResult<()> {
        self.puts.borrow_mut().push(format!("{bucket}/{key}"));
        Ok(())
    }

    fn object_url(&self, bucket: &str, key: &str) -> String {
        format!("https://{bucket}.s3.us-east-1.amazonaws.com/{key}")
    }

    fn create_change_set(&self, request: &ChangeSetRequest) -> CloudResult<String> {
        self.log(format!("CreateChangeSet {}", request.name));
        self.requests.borrow_mut().push(request.clone());
        if let Some(e) = &self.create_error {
            return Err(e.clone());
        }
        Ok(self.answer.id.clone())
    }

    fn change_set(&self, _stack: &str, name_or_id: &str) -> CloudResult<Option<ChangeSet>> {
        if let Some(cs) = self.nested.get(name_or_id) {
            return Ok(Some(cs.clone()));
        }
        if name_or_id != self.answer.id {
            return Ok(None);
        }
        let n = self.described.get();
        self.described.set(n + 1);
        if n == 0 {
            return Ok(Some(ChangeSet {
                status: "CREATE_IN_PROGRESS".into(),
                ..self.answer.clone()
            }));
        }
        Ok(Some(self.answer.clone()))
    }

    fn execute_change_set(&self, id: &str) -> CloudResult<()> {
        self.log(format!("ExecuteChangeSet {id}"));
        self.executing.set(true);
        Ok(())
    }

    fn delete_change_set(&self, id: &str) -> CloudResult<()> {
        self.log(format!("DeleteChangeSet {id}"));
        Ok(())
    }

    fn delete_stack(&self, name: &str) -> CloudResult<()> {
        self.log(format!("DeleteStack {name}"));
        self.stacks.borrow_mut().remove(name);
        Ok(())
    }

    fn continue_rollback(&self, stack: &str, skip: &[String]) -> CloudResult<()> {
        self.log(format!(
            "ContinueUpdateRollback {stack} skip {}",
            skip.join(" ")
        ));
        self.executing.set(true);
        Ok(())
    }

    fn events(&self, stack: &str, after: Option<&str>) -> CloudResult<Vec<StackEvent>> {
        if let Some(e) = self.events_error.get(stack) {
            return Err(e.clone());
        }
        if !self.executing.get() {
            let mut past = self.history.get(stack).cloned().unwrap_or_default();
            past.reverse();
            return Ok(past);
        }
        let Some(all) = self.execution.get(stack) else {
            return Ok(Vec::new());
        };
        // Each poll of a real deployment takes a while.
        self.clock.set(self.clock.get() + Duration::from_secs(5));
        if self.quiet_polls.get() > 0 {
            self.quiet_polls.set(self.quiet_polls.get() - 1);
            return Ok(Vec::new());
        }
        let mut released = self.released.borrow_mut();
        let n = released.entry(stack.to_owned()).or_insert(0);
        *n = (*n + 1).min(all.len());
        let mut out: Vec<StackEvent> = all[..*n].to_vec();
        out.reverse();
        if let Some(after) = after
            && let Some(i) = out.iter().position(|e| e.id == after)
        {
            out.truncate(i);
        }
        Ok(out)
    }

    fn rollout(&self, service_arn: &str) -> CloudResult<Option<super::Rollout>> {
        let n = self.rollout_calls.get();
        self.rollout_calls.set(n + 1);
        Ok(self
            .rollouts
            .get(service_arn)
            .and_then(|all| all.get(n).or(all.last()))
            .cloned())
    }

    fn stopped_tasks(&self, service_arn: &str, n: usize) -> CloudResult<Vec<String>> {
        let all = self.stopped.get(service_arn).cloned().unwrap_or_default();
        Ok(all.into_iter().take(n).collect())
    }

    fn detect_drift(&self, stack: &str) -> CloudResult<String> {
        match &self.drift {
            Some(_) => Ok(format!("drift-{stack}")),
            None => Err(CloudError::new(
                "DetectStackDrift",
                stack,
                "the endpoint answered HTTP 500 without an AWS error",
            )),
        }
    }

    fn drift_detection(&self, _id: &str) -> CloudResult<super::DriftDetection> {
        // One poll in progress, then the answer.
        let n = self.drift_polls.get();
        self.drift_polls.set(n + 1);
        let done = self.drift.clone().unwrap_or_default();
        Ok(if n.is_multiple_of(2) {
            super::DriftDetection {
                status: "DETECTION_IN_PROGRESS".into(),
                ..Default::default()
            }
        } else {
            done
        })
    }

    fn drifts(&self, stack: &str) -> CloudResult<Vec<super::ResourceDrift>> {
        Ok(self.drifted.get(stack).cloned().unwrap_or_default())
    }

    fn sleep(&self, duration: Duration) {
        self.clock.set(self.clock.get() + duration);
    }

    fn elapsed(&self) -> Duration {
        self.clock.get()
    }
}
