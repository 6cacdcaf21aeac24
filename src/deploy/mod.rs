//! Deploy: synthesized templates into a customer's account, through change sets, never losing
//! data by surprise.
//!
//! Stage: after `synth` and `diff`. Input: a synthesis `Output`, the target stack (the root,
//! or the access stack when asked), parameter values, and a `Cloud`: the narrow trait below
//! (stacks, change sets, events, one S3 put). Output: an `Outcome` (no changes, left for
//! review, blocked by the data-loss guard, deployed, or failed with its root cause and the
//! recovery step for the state the stack is in).
//!
//! The jobs, one file each: `plan` turns the output into a change set request (pure);
//! `guard` decides what stops before execution (pure); `follow` reads events until the stack
//! settles and explains a failure (pure but for the `Cloud` it polls); `render` prints change
//! sets and hazards; `run` is the sequence; `aws` is the only file that names the AWS SDK.
//!
//! Invariants: nothing executes while a stateful resource would be replaced, may be replaced
//! or removed, or loses the `DeletionPolicy` that keeps its data, unless allowed per logical
//! id or confirmed on a terminal; the prediction (`diff`) and AWS's change set are merged and
//! the stricter wins; the access stack is the customer's and is deployed only when named.

pub mod access_check;
pub mod aws;
pub mod destroy;
pub mod drift;
pub mod fleet;
pub mod follow;
pub mod guard;
pub mod plan;
pub mod render;
pub mod rollout;
pub mod run;
pub mod stacksets;
pub mod waves;

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// A stack as `DescribeStacks` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackState {
    pub name: String,
    pub id: String,
    pub status: String,
    pub reason: Option<String>,
    /// Parameter keys the deployed stack has (an update may keep their previous values).
    pub parameters: Vec<String>,
    /// Their values as `DescribeStacks` reports them (a `NoEcho` one as `****`).
    pub values: Vec<(String, String)>,
    /// The result of the last drift detection (`DriftInformation`): `IN_SYNC`, `DRIFTED`,
    /// `NOT_CHECKED` or `UNKNOWN`; `None` when AWS sent none.
    pub drift: Option<String>,
    /// Outputs, once CloudFormation computed them.
    pub outputs: Vec<(String, String)>,
}

impl StackState {
    /// A stack that a `CREATE` change set made and nobody executed: it has no resources, and
    /// the next change set is a `CREATE` again.
    pub fn is_review(&self) -> bool {
        self.status == "REVIEW_IN_PROGRESS"
    }

    /// An operation is running: nothing else may start.
    pub fn is_busy(&self) -> bool {
        self.status.ends_with("_IN_PROGRESS") && !self.is_review()
    }
}

/// One resource of a stack (`ListStackResources`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackResource {
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub kind: String,
}

/// Whether a change set creates the stack or updates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ChangeSetKind {
    Create,
    Update,
}

/// Where the template body of a change set comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    Body(String),
    /// An S3 URL, for bodies over the 51,200 bytes `TemplateBody` takes.
    Url(String),
}

/// One parameter of a change set: a value, or the stack's previous value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterValue {
    pub key: String,
    /// `None`: `UsePreviousValue`.
    pub value: Option<String>,
}

/// Everything `CreateChangeSet` is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetRequest {
    pub stack_name: String,
    pub name: String,
    pub kind: ChangeSetKind,
    pub template: TemplateSource,
    pub parameters: Vec<ParameterValue>,
    pub capabilities: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub description: String,
    /// The role CloudFormation creates the stack's resources with (`RoleARN`): the access
    /// stack's `ExecutionRole`, for the product's stacks.
    pub role_arn: Option<String>,
}

/// One row of a change set (`ResourceChange`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceChange {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub kind: String,
    /// `True`, `False` or `Conditional`, for `Modify`.
    pub replacement: Option<String>,
    /// The properties whose change recreates the resource (`Always`, or `Conditionally`).
    pub recreating: Vec<String>,
    /// The change set of a nested stack, for an `AWS::CloudFormation::Stack` row.
    pub nested_change_set: Option<String>,
}

/// A change set as `DescribeChangeSet` reports it, every page read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeSet {
    pub id: String,
    pub stack_id: String,
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `FAILED`, ...
    pub status: String,
    pub reason: Option<String>,
    /// `AVAILABLE` when it can be executed.
    pub execution_status: String,
    pub changes: Vec<ResourceChange>,
}

impl ChangeSet {
    /// AWS found nothing to change. It says so in either of two ways (a `FAILED` change set
    /// with this reason, or a `ValidationError` from `CreateChangeSet`: see `is_no_updates`).
    pub fn is_empty_failure(&self) -> bool {
        self.status == "FAILED"
            && self.reason.as_deref().is_some_and(|r| {
                r.contains("didn't contain changes") || r.contains("No updates are to be performed")
            })
    }

    pub fn is_settled(&self) -> bool {
        matches!(
            self.status.as_str(),
            "CREATE_COMPLETE" | "FAILED" | "DELETE_COMPLETE" | "DELETE_FAILED"
        )
    }
}

/// One stack event (`DescribeStackEvents`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEvent {
    pub id: String,
    pub stack_name: String,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub kind: String,
    pub status: String,
    pub reason: Option<String>,
    /// RFC 3339, as AWS sends it: sorts in time order.
    pub timestamp: String,
}

/// The rollout of an ECS service's newest deployment (`DescribeServices`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rollout {
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    /// Tasks of this deployment that stopped before they were healthy.
    pub failed: i32,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED`, and why.
    pub state: Option<String>,
    pub reason: Option<String>,
}

/// Where a drift detection is (`DescribeStackDriftDetectionStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DriftDetection {
    /// `DETECTION_IN_PROGRESS`, `DETECTION_COMPLETE` or `DETECTION_FAILED`.
    pub status: String,
    /// `DRIFTED`, `IN_SYNC`, `UNKNOWN`, once complete.
    pub drift: Option<String>,
    pub reason: Option<String>,
}

/// One resource that differs from its template (`DescribeStackResourceDrifts`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub kind: String,
    /// `MODIFIED` or `DELETED`.
    pub status: String,
    /// `Path: expected -> actual`, one per differing property.
    pub differences: Vec<String>,
}

/// What went wrong talking to AWS: which operation, on what, and AWS's own code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudError {
    pub operation: &'static str,
    pub target: String,
    pub code: Option<String>,
    pub message: String,
}

impl CloudError {
    pub fn new(
        operation: &'static str,
        target: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        CloudError {
            operation,
            target: target.into(),
            code: None,
            message: message.into(),
        }
    }

    /// `CreateChangeSet` refused because the template and parameters change nothing.
    pub fn is_no_updates(&self) -> bool {
        self.message.contains("No updates are to be performed")
            || self.message.contains("didn't contain changes")
    }

    /// The stack or change set does not exist.
    pub fn is_not_found(&self) -> bool {
        self.message.contains("does not exist")
            || matches!(
                self.code.as_deref(),
                Some("ChangeSetNotFound" | "ChangeSetNotFoundException")
            )
    }
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on `{}` failed", self.operation, self.target)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        write!(f, ": {}", self.message)
    }
}

pub type CloudResult<T> = Result<T, CloudError>;

/// The few AWS operations a deploy needs. `aws::Aws` talks to AWS (or any endpoint that speaks
/// its APIs, such as moto); tests script the answers AWS gives where an emulator cannot.
pub trait Cloud {
    /// `DescribeStacks` for one stack; `None` when it does not exist.
    fn stack(&self, name: &str) -> CloudResult<Option<StackState>>;
    /// `ListStackResources`, every page.
    fn resources(&self, stack: &str) -> CloudResult<Vec<StackResource>>;
    /// `GetTemplate` (the original template, as submitted).
    fn template(&self, stack: &str) -> CloudResult<String>;
    /// `PutObject`.
    fn put_object(&self, bucket: &str, key: &str, body: &[u8]) -> CloudResult<()>;
    /// The URL CloudFormation reads an object from (`TemplateURL`).
    fn object_url(&self, bucket: &str, key: &str) -> String;
    /// `CreateChangeSet`: the change set's id.
    fn create_change_set(&self, request: &ChangeSetRequest) -> CloudResult<String>;
    /// `DescribeChangeSet`, every page; `None` when it does not exist.
    fn change_set(&self, stack: &str, name_or_id: &str) -> CloudResult<Option<ChangeSet>>;
    fn execute_change_set(&self, id: &str) -> CloudResult<()>;
    fn delete_change_set(&self, id: &str) -> CloudResult<()>;
    fn delete_stack(&self, name: &str) -> CloudResult<()>;
    /// `ContinueUpdateRollback`, skipping `skip` (`LogicalId` or `NestedStack.LogicalId`).
    fn continue_rollback(&self, stack: &str, skip: &[String]) -> CloudResult<()>;
    /// `DescribeStackEvents`, newest first, stopping at (and without) the event `after`.
    fn events(&self, stack: &str, after: Option<&str>) -> CloudResult<Vec<StackEvent>>;
    /// The rollout of the ECS service with this ARN; `None` when it is gone.
    fn rollout(&self, service_arn: &str) -> CloudResult<Option<Rollout>>;
    /// Why the service's most recently stopped tasks stopped (at most `n`, newest first):
    /// the task's reason and each failed container's.
    fn stopped_tasks(&self, service_arn: &str, n: usize) -> CloudResult<Vec<String>>;
    /// `DetectStackDrift` (nested stacks included): the detection's id.
    fn detect_drift(&self, stack: &str) -> CloudResult<String>;
    fn drift_detection(&self, id: &str) -> CloudResult<DriftDetection>;
    /// The resources of one stack (not its nested stacks) found modified or deleted.
    fn drifts(&self, stack: &str) -> CloudResult<Vec<ResourceDrift>>;
    /// Waits between polls (a script advances its clock instead).
    fn sleep(&self, duration: Duration);
    /// Time since the deploy started.
    fn elapsed(&self) -> Duration;
}

/// How a stack set reaches the customers' accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackSetTargets {
    /// Self-managed permissions: these accounts, through the administration and execution
    /// role pair.
    Accounts(Vec<String>),
    /// Service-managed permissions: every account of these Organization units.
    OrgUnits(Vec<String>),
}

/// `CreateStackSet` / `UpdateStackSet`, and the operation preferences of every operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetRequest {
    pub name: String,
    pub template: TemplateSource,
    pub parameters: Vec<ParameterValue>,
    pub capabilities: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub description: String,
    /// `SERVICE_MANAGED` (with automatic deployment to new accounts of the units) when true.
    pub service_managed: bool,
    /// `MaxConcurrentCount`.
    pub max_concurrent: u32,
    /// `FailureToleranceCount`.
    pub failure_tolerance: u32,
}

/// A stack set as `DescribeStackSet` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeployedSet {
    pub template: String,
    pub parameters: Vec<(String, String)>,
}

/// One stack instance (`ListStackInstances`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StackInstance {
    pub account: String,
    pub region: String,
    /// `CURRENT`, `OUTDATED` or `INOPERABLE`.
    pub status: String,
    /// `StackInstanceStatus.DetailedStatus`: `PENDING`, `RUNNING`, `SUCCEEDED`, `FAILED`,
    /// `CANCELLED`, `INOPERABLE`, `SKIPPED_SUSPENDED_ACCOUNT`.
    pub detailed: Option<String>,
    pub reason: Option<String>,
}

/// The few StackSets operations `byoa rollout --engine stacksets` needs, called with the
/// vendor's own credentials (the administrator account, or the Organization's delegated
/// administrator).
pub trait StackSets {
    /// `DescribeStackSet`: its template and parameter values, when it exists (and is not
    /// deleted).
    fn stack_set(&self, name: &str) -> CloudResult<Option<DeployedSet>>;
    /// `GetObject` of a text object; `None` when there is no such key.
    fn get_object(&self, bucket: &str, key: &str) -> CloudResult<Option<String>>;
    fn create_stack_set(&self, request: &StackSetRequest) -> CloudResult<()>;
    /// `UpdateStackSet` of every instance: the operation's id.
    fn update_stack_set(&self, request: &StackSetRequest) -> CloudResult<String>;
    /// `CreateStackInstances` in `regions` with `overrides`: the operation's id.
    fn create_instances(
        &self,
        request: &StackSetRequest,
        targets: &StackSetTargets,
        regions: &[String],
        overrides: &[ParameterValue],
    ) -> CloudResult<String>;
    /// `DescribeStackSetOperation`: its status (`RUNNING`, `SUCCEEDED`, `FAILED`, `STOPPED`,
    /// ...) and reason.
    fn operation(&self, name: &str, id: &str) -> CloudResult<(String, Option<String>)>;
    /// `ListStackInstances`, every page.
    fn instances(&self, name: &str) -> CloudResult<Vec<StackInstance>>;
    fn pause(&self, duration: Duration);
}

#[cfg(test)]
pub(crate) mod scripted;
