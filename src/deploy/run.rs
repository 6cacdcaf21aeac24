//! The deploy sequence: check the stacks' state, predict, upload, make the change set, guard,
//! execute, follow.
//!
//! Input: a `Request` (the synthesis output, the target, parameters, what the user allowed),
//! a `Cloud` and a `Ui` (where lines go and who answers a confirmation: nobody, without a
//! terminal). Output: an `Outcome`, or coded diagnostics naming the stack, the operation and
//! the fix. Nothing here knows the SDK or the terminal: `commands::deploy` wires both.

use std::time::Duration;

use super::follow::{self, Progress, Settled};
use super::guard::{self, Hazard};
use super::plan::{self, Plan, Target};
use super::{ChangeSet, Cloud, CloudError, ResourceChange, StackState, drift, render};
use crate::diag::{Code, Diagnostic};
use crate::diff;
use crate::naming;
use crate::synth::Output;

/// The logical id of the access stack's artifact bucket.
pub const ARTIFACT_BUCKET: &str = "ArtifactBucket";
/// The access stack's role for CloudFormation, and the output naming its ARN.
pub const EXECUTION_ROLE: &str = "ExecutionRole";
pub const EXECUTION_ROLE_OUTPUT: &str = "ExecutionRoleArn";

/// What to deploy and what the user allowed.
pub struct Request<'a> {
    pub output: &'a Output,
    pub target: Target,
    pub given: &'a [(String, String)],
    /// `--allow-replace`: `LogicalId` or `stack/LogicalId`.
    pub allow: &'a [String],
    /// `--review`: make the change set and stop.
    pub review: bool,
    /// Detect and show drift before an update.
    pub drift: bool,
    /// `--continue-rollback`: a stack stuck in `UPDATE_ROLLBACK_FAILED` is rolled back first,
    /// skipping the resources that failed to roll back.
    pub continue_rollback: bool,
}

/// Where a deploy talks to its user.
pub trait Ui: Progress {
    /// A line for people.
    fn say(&mut self, line: &str);
    /// Asks a yes/no question; `false` when nobody can answer (no terminal).
    fn confirm(&mut self, question: &str) -> bool;
}

/// Nobody watching: events and progress go nowhere, and nobody answers the guard's question
/// (a rollout's customers: each one's outcome is its row).
pub struct Unattended;

impl Progress for Unattended {
    fn event(&mut self, _: &super::StackEvent) {}
    fn tick(&mut self, _: usize, _: usize, _: Duration) {}
    fn rollout(&mut self, _: &str, _: &super::Rollout, _: &[String]) {}
    fn interrupted(&mut self) -> bool {
        false
    }
}

impl Ui for Unattended {
    fn say(&mut self, _: &str) {}
    fn confirm(&mut self, _: &str) -> bool {
        false
    }
}

/// How a deploy ended.
#[derive(Debug)]
pub enum Outcome {
    /// The stack already matches: nothing was executed.
    NoChanges,
    /// `--review`: the change set waits for someone to look at it.
    Review {
        change_set: String,
    },
    /// The guard stopped it: these were neither allowed nor confirmed.
    Blocked {
        hazards: Vec<Hazard>,
    },
    Deployed(Settled),
    /// Following stopped (Ctrl-C) while the stack was still changing.
    Detached(Settled),
    Failed {
        settled: Settled,
        recovery: Option<String>,
    },
}

/// Runs one deploy.
pub fn deploy(
    cloud: &dyn Cloud,
    req: &Request<'_>,
    ui: &mut dyn Ui,
) -> Result<Outcome, Vec<Diagnostic>> {
    let stack_name = stack_name(req.output, req.target.module())?;
    let (bucket, role_arn) = match req.target {
        Target::Root => {
            let (bucket, role) = access_stack(cloud, req.output)?;
            (Some(bucket), Some(role))
        }
        Target::Access => (None, None),
    };
    let existing = ready(cloud, &stack_name, req.continue_rollback, ui)?;
    let deployed = existing
        .as_ref()
        .filter(|s| !s.is_review())
        .map(|_| deployed_templates(cloud, &stack_name, req.target))
        .transpose()?;
    if req.drift
        && let Some(deployed) = &deployed
    {
        let module = req.target.module();
        let nested: Vec<(String, String)> = deployed
            .iter()
            .filter(|s| s.name != module)
            .map(|s| (s.name.clone(), deployed_id(s).to_owned()))
            .collect();
        let report = drift::detect(cloud, &stack_name, module, &nested);
        ui.say(&drift::render(&report));
    }
    let new_side = new_templates(req.output, req.target);
    let mut predicted = deployed.as_ref().map(|old| diff::diff(old, &new_side));
    if let Some(d) = &mut predicted {
        diff::annotate(d, None, &req.output.sources);
    }
    let url = |b: &str, k: &str| cloud.object_url(b, k);
    let plan = plan::plan(
        &plan::Inputs {
            output: req.output,
            target: req.target,
            existing: existing.as_ref(),
            given: req.given,
            bucket: bucket.as_deref(),
            role_arn: role_arn.as_deref(),
        },
        &url,
    )?;
    if let Some(bucket) = &bucket {
        for u in &plan.uploads {
            cloud
                .put_object(bucket, &u.key, u.body.as_bytes())
                .map_err(aws)?;
        }
        if !plan.uploads.is_empty() {
            ui.say(&format!(
                "uploaded {} file(s) to s3://{bucket}/{}",
                plan.uploads.len(),
                plan.uploads[0].key.rsplit_once('/').map_or("", |(p, _)| p)
            ));
        }
    }
    let Some(change_set) = change_set(cloud, &plan, ui)? else {
        ui.say(&format!("{stack_name}: no changes"));
        return Ok(Outcome::NoChanges);
    };
    let changes = rows(cloud, &plan, &change_set, &new_side)?;
    let hazards = guard::hazards(predicted.as_ref(), &changes, req.allow);
    ui.say(&render::change_set(
        &stack_name,
        &changes,
        predicted.as_ref(),
        &hazards,
    ));
    let stopping: Vec<Hazard> = hazards.iter().filter(|h| !h.allowed).cloned().collect();
    if !stopping.is_empty() {
        let question = format!(
            "{} resource(s) above lose data or widen the vendor's access. Execute change set {} anyway?",
            stopping.len(),
            plan.request.name
        );
        if !ui.confirm(&question) {
            return Ok(Outcome::Blocked { hazards: stopping });
        }
    }
    if req.review {
        return Ok(Outcome::Review {
            change_set: change_set.id,
        });
    }
    let after = cloud
        .events(&stack_name, None)
        .map_err(aws)?
        .first()
        .map(|e| e.id.clone());
    cloud.execute_change_set(&change_set.id).map_err(aws)?;
    ui.say(&format!("executing {} on {stack_name}", plan.request.name));
    let total = changes
        .iter()
        .filter(|(_, c)| c.kind != "AWS::CloudFormation::Stack")
        .count()
        .max(1);
    let settled = follow::follow(cloud, &stack_name, after, total, ui).map_err(aws)?;
    Ok(outcome(cloud, &stack_name, settled))
}

/// How a followed operation on `stack` ended, with the recovery step when it failed.
pub fn outcome(cloud: &dyn Cloud, stack: &str, settled: Settled) -> Outcome {
    if settled.interrupted {
        return Outcome::Detached(settled);
    }
    if settled.succeeded() {
        return Outcome::Deployed(settled);
    }
    let nested = nested_names(cloud, stack);
    let skip = follow::skippable(&settled.failures, &nested);
    let recovery = follow::recovery(stack, &settled.status, &skip);
    Outcome::Failed { settled, recovery }
}

/// The stack name the manifest records for `module`.
fn stack_name(output: &Output, module: &str) -> Result<String, Vec<Diagnostic>> {
    output
        .manifest
        .stack_name(module)
        .map(str::to_owned)
        .ok_or_else(|| {
            vec![Diagnostic::new(
                Code::DeployPlan,
                format!("the synthesized output holds no `{module}` stack"),
            )]
        })
}

/// What the product's stacks use of the access stack: its artifact bucket, and the role
/// CloudFormation acts with (`ExecutionRoleArn`, or built from the role's name and the stack's
/// account where outputs are not computed yet). The access stack must exist and be settled.
fn access_stack(cloud: &dyn Cloud, output: &Output) -> Result<(String, String), Vec<Diagnostic>> {
    let access = stack_name(output, naming::ACCESS)?;
    let refuse = |message: String| {
        vec![Diagnostic::new(Code::DeployAccessStack, message).with_help(
            "the customer launches `access.yaml` first (the launch page's link), or you deploy it with `byoa deploy --stack access` into an account you own",
        )]
    };
    let state = match cloud.stack(&access).map_err(aws)? {
        None => {
            return Err(refuse(format!(
                "the access stack `{access}` does not exist in this account and region"
            )));
        }
        Some(s)
            if s.is_review()
                || s.is_busy()
                || !s.status.ends_with("_COMPLETE")
                || s.status.contains("ROLLBACK") && s.status != "UPDATE_ROLLBACK_COMPLETE" =>
        {
            return Err(refuse(format!(
                "the access stack `{access}` is {}: it must be created before the product",
                s.status
            )));
        }
        Some(s) => s,
    };
    let resources = cloud.resources(&access).map_err(aws)?;
    let physical = |id: &str| {
        resources
            .iter()
            .find(|r| r.logical_id == id)
            .and_then(|r| r.physical_id.clone())
    };
    let missing = |id: &str| {
        vec![
            Diagnostic::new(
                Code::DeployAccessStack,
                format!("the access stack `{access}` has no `{id}`"),
            )
            .with_help("update the access stack from this byoa's `access.yaml`"),
        ]
    };
    let bucket = physical(ARTIFACT_BUCKET).ok_or_else(|| missing(ARTIFACT_BUCKET))?;
    let launched = cloud.template(&access).map_err(aws)?;
    let absent = not_launched(output, &launched);
    if !absent.is_empty() {
        return Err(vec![
            Diagnostic::new(
                Code::DeployAccessStack,
                format!(
                    "the access stack `{access}` was launched from an older `access.yaml`: it has no {}, which this version's product stacks rely on",
                    absent.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
                ),
            )
            .with_help("the customer updates the access stack with this byoa's `access.yaml` first (a product deploy before that could fail half-way or, for the audit trail, leave the account without one)"),
        ]);
    }
    let role = state
        .outputs
        .iter()
        .find(|(k, _)| k == EXECUTION_ROLE_OUTPUT)
        .map(|(_, v)| v.clone())
        .or_else(|| {
            // arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID
            let parts: Vec<&str> = state.id.split(':').collect();
            let name = physical(EXECUTION_ROLE)?;
            Some(format!(
                "arn:{}:iam::{}:role/{name}",
                parts.get(1)?,
                parts.get(4)?
            ))
        })
        .ok_or_else(|| missing(EXECUTION_ROLE))?;
    Ok((bucket, role))
}

/// The resources of the synthesized access template that the launched one (`launched`, as
/// `GetTemplate` returns it) lacks. Resources behind a condition (the compliance hook, which
/// the customer switches on) may be absent; an unreadable template lacks nothing we can name.
fn not_launched(output: &Output, launched: &str) -> Vec<String> {
    let Ok(launched) = diff::load::parse_value("access", launched) else {
        return vec![];
    };
    let Some(access) = output
        .templates
        .iter()
        .find(|r| r.stack.module == naming::ACCESS)
    else {
        return vec![];
    };
    access
        .stack
        .template
        .resources
        .iter()
        .filter(|(id, r)| r.condition.is_none() && launched["Resources"].get(id.as_str()).is_none())
        .map(|(id, _)| id.clone())
        .collect()
}

/// The stack's state, once it can take a change set: a failed first create (nothing in it)
/// is deleted when the user confirms; a busy or stuck stack is refused with the way out.
fn ready(
    cloud: &dyn Cloud,
    stack: &str,
    continue_rollback: bool,
    ui: &mut dyn Ui,
) -> Result<Option<StackState>, Vec<Diagnostic>> {
    let Some(state) = cloud.stack(stack).map_err(aws)? else {
        return Ok(None);
    };
    if state.is_busy() {
        return Err(vec![Diagnostic::new(
            Code::DeployStackState,
            format!("`{stack}` is {}: another operation is running", state.status),
        )
        .with_help(format!(
            "wait for it to finish (`aws cloudformation describe-stacks --stack-name {stack}`), then rerun `byoa deploy`"
        ))]);
    }
    if state.status == "ROLLBACK_COMPLETE" {
        ui.say(&format!(
            "`{stack}` is ROLLBACK_COMPLETE: its first create failed and it holds no resources; it must be deleted before it is created again"
        ));
        if !ui.confirm(&format!("delete the empty stack `{stack}` now?")) {
            return Err(vec![Diagnostic::new(
                Code::DeployStackState,
                format!("`{stack}` is ROLLBACK_COMPLETE and was not deleted"),
            )
            .with_help(format!(
                "delete it (`aws cloudformation delete-stack --stack-name {stack}`) or rerun on a terminal and confirm"
            ))]);
        }
        cloud.delete_stack(stack).map_err(aws)?;
        wait_gone(cloud, stack)?;
        return Ok(None);
    }
    if state.status == "UPDATE_ROLLBACK_FAILED" {
        let skip = stuck(cloud, stack);
        if continue_rollback {
            return rolled_back(cloud, stack, &skip, ui).map(Some);
        }
        let step = follow::recovery(stack, &state.status, &skip).unwrap_or_default();
        return Err(vec![
            Diagnostic::new(
                Code::DeployStackState,
                format!("`{stack}` is UPDATE_ROLLBACK_FAILED and takes no change set"),
            )
            .with_help(format!(
                "{step}; or rerun with `byoa deploy --continue-rollback`, which does that first"
            )),
        ]);
    }
    if let Some(step) = follow::recovery(stack, &state.status, &[])
        && state.status != "UPDATE_ROLLBACK_COMPLETE"
    {
        return Err(vec![
            Diagnostic::new(
                Code::DeployStackState,
                format!("`{stack}` is {} and takes no change set", state.status),
            )
            .with_help(step),
        ]);
    }
    Ok(Some(state))
}

/// The resources a stuck rollback must skip: those whose latest event, in the root or a nested
/// stack, is a failure.
fn stuck(cloud: &dyn Cloud, stack: &str) -> Vec<String> {
    let nested = nested_names(cloud, stack);
    let mut stacks = vec![stack.to_owned()];
    stacks.extend(nested.keys().cloned());
    let mut failures = Vec::new();
    for s in &stacks {
        let mut events = cloud.events(s, None).unwrap_or_default();
        events.reverse();
        // Only what happened since the last rollback began.
        let since = events
            .iter()
            .rposition(|e| {
                e.logical_id == e.stack_name && e.status == "UPDATE_ROLLBACK_IN_PROGRESS"
            })
            .unwrap_or(0);
        failures.extend(
            events
                .into_iter()
                .skip(since)
                .filter(|e| e.status.ends_with("_FAILED")),
        );
    }
    follow::skippable(&failures, &nested)
}

/// Continues a stuck rollback, skipping `skip`, and follows it: the stack as it is after.
fn rolled_back(
    cloud: &dyn Cloud,
    stack: &str,
    skip: &[String],
    ui: &mut dyn Ui,
) -> Result<StackState, Vec<Diagnostic>> {
    ui.say(&format!(
        "continuing the rollback of `{stack}`{}",
        if skip.is_empty() {
            String::new()
        } else {
            format!(
                ", skipping {} (they keep their current state)",
                skip.join(", ")
            )
        }
    ));
    let after = cloud
        .events(stack, None)
        .map_err(aws)?
        .first()
        .map(|e| e.id.clone());
    cloud.continue_rollback(stack, skip).map_err(aws)?;
    let settled = follow::follow(cloud, stack, after, skip.len().max(1), ui).map_err(aws)?;
    match cloud.stack(stack).map_err(aws)? {
        Some(s) if s.status == "UPDATE_ROLLBACK_COMPLETE" => Ok(s),
        _ => Err(vec![
            Diagnostic::new(
                Code::DeployStackState,
                format!("the rollback of `{stack}` ended {}", settled.status),
            )
            .with_help(follow::recovery(stack, &settled.status, skip).unwrap_or_default()),
        ]),
    }
}

fn wait_gone(cloud: &dyn Cloud, stack: &str) -> Result<(), Vec<Diagnostic>> {
    loop {
        match cloud.stack(stack).map_err(aws)? {
            None => return Ok(()),
            Some(s) if s.status == "DELETE_COMPLETE" => return Ok(()),
            Some(s) if s.status == "DELETE_FAILED" => {
                return Err(vec![Diagnostic::new(
                    Code::DeployStackState,
                    format!(
                        "deleting the empty stack `{stack}` failed: {}",
                        s.reason.unwrap_or_default()
                    ),
                )]);
            }
            Some(_) => cloud.sleep(follow::POLL),
        }
    }
}

/// The deployed templates, named like synthesis names them: the target's own and, for the
/// root, each nested stack's (by the file its `TemplateURL` names).
pub fn deployed_templates(
    cloud: &dyn Cloud,
    stack: &str,
    target: Target,
) -> Result<Vec<diff::Stack>, Vec<Diagnostic>> {
    let text = cloud.template(stack).map_err(aws)?;
    let root = parse(target.module(), stack, &text)?;
    let mut out = Vec::new();
    if target == Target::Root {
        let ids = cloud.resources(stack).map_err(aws)?;
        for r in ids
            .iter()
            .filter(|r| r.kind == "AWS::CloudFormation::Stack")
        {
            let module = root
                .template()
                .pointer(&format!("/Resources/{}", r.logical_id))
                .and_then(diff::nested::child_name);
            if let (Some(module), Some(id)) = (module, &r.physical_id) {
                let text = cloud.template(id).map_err(aws)?;
                out.push(parse(&module, id, &text)?);
            }
        }
    }
    out.push(root);
    Ok(out)
}

/// The stack (name or id) a template of `deployed_templates` was read from.
pub fn deployed_id(s: &diff::Stack) -> &str {
    s.file.strip_prefix(DEPLOYED).unwrap_or(&s.file)
}

/// How `deployed_templates` names where a template came from: `deployed <stack name or id>`.
const DEPLOYED: &str = "deployed ";

fn parse(name: &str, stack: &str, text: &str) -> Result<diff::Stack, Vec<Diagnostic>> {
    diff::load::parse_value(stack, text)
        .map(|v| diff::Stack::new(name, format!("{DEPLOYED}{stack}"), v))
        .map_err(|(message, _)| vec![Diagnostic::new(Code::DeployAws, message)])
}

/// The new templates a target deploys, as `diff` pairs them.
pub fn new_templates(output: &Output, target: Target) -> Vec<diff::Stack> {
    output
        .templates
        .iter()
        .filter(|r| match target {
            Target::Access => r.stack.module == naming::ACCESS,
            Target::Root => r.stack.module != naming::ACCESS,
        })
        .map(|r| diff::Stack::deferred(r.stack.module.clone(), r.file.clone(), r.body.clone()))
        .collect()
}

/// The change set for `plan`: the one a previous run made with the same inputs when it is
/// still usable, else a new one, once AWS has computed it. `None`: nothing to change.
fn change_set(
    cloud: &dyn Cloud,
    plan: &Plan,
    ui: &mut dyn Ui,
) -> Result<Option<ChangeSet>, Vec<Diagnostic>> {
    let req = &plan.request;
    let previous = cloud
        .change_set(&req.stack_name, &req.name)
        .or_else(|e| if e.is_not_found() { Ok(None) } else { Err(e) })
        .map_err(aws)?;
    if let Some(cs) = previous {
        if cs.status == "CREATE_COMPLETE" && cs.execution_status == "AVAILABLE" {
            ui.say(&format!(
                "using change set {} made earlier with the same inputs",
                req.name
            ));
            return Ok(Some(cs));
        }
        cloud.delete_change_set(&cs.id).map_err(aws)?;
    }
    let id = match cloud.create_change_set(req) {
        Ok(id) => id,
        Err(e) if e.is_no_updates() => return Ok(None),
        Err(e) => return Err(aws(e)),
    };
    let mut wait = Duration::from_millis(250);
    loop {
        let cs = cloud
            .change_set(&req.stack_name, &id)
            .map_err(aws)?
            .ok_or_else(|| {
                aws(CloudError::new(
                    "DescribeChangeSet",
                    &req.name,
                    "the change set vanished",
                ))
            })?;
        if cs.is_empty_failure() {
            cloud.delete_change_set(&cs.id).map_err(aws)?;
            return Ok(None);
        }
        if cs.status == "FAILED" {
            return Err(vec![
                Diagnostic::new(
                    Code::DeployAws,
                    format!(
                        "change set {} for `{}` failed: {}",
                        req.name,
                        req.stack_name,
                        cs.reason.clone().unwrap_or_default()
                    ),
                )
                .with_help("fix what AWS names, then rerun `byoa deploy`"),
            ]);
        }
        if cs.is_settled() {
            return Ok(Some(cs));
        }
        cloud.sleep(wait);
        wait = (wait * 2).min(Duration::from_secs(3));
    }
}

/// Every row of the change set and of its nested change sets, with the module each is in.
fn rows(
    cloud: &dyn Cloud,
    plan: &Plan,
    top: &ChangeSet,
    new_side: &[diff::Stack],
) -> Result<Vec<(String, ResourceChange)>, Vec<Diagnostic>> {
    let module = plan.target.module();
    let root = new_side.iter().find(|s| s.name == module);
    let mut out = Vec::new();
    for c in &top.changes {
        out.push((module.to_owned(), c.clone()));
        let Some(nested_id) = &c.nested_change_set else {
            continue;
        };
        let child = root
            .and_then(|r| {
                r.template()
                    .pointer(&format!("/Resources/{}", c.logical_id))
            })
            .and_then(diff::nested::child_name)
            .unwrap_or_else(|| c.logical_id.clone());
        let stack = c.physical_id.clone().unwrap_or_default();
        if let Some(cs) = cloud.change_set(&stack, nested_id).map_err(aws)? {
            out.extend(cs.changes.into_iter().map(|n| (child.clone(), n)));
        }
    }
    Ok(out)
}

/// Nested stacks by name -> their logical id in the root, for `--resources-to-skip`.
fn nested_names(cloud: &dyn Cloud, stack: &str) -> std::collections::BTreeMap<String, String> {
    cloud
        .resources(stack)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.kind == "AWS::CloudFormation::Stack")
        .filter_map(|r| {
            let id = r.physical_id?;
            // arn:aws:cloudformation:region:account:stack/NAME/uuid
            let name = id.split('/').nth(1).unwrap_or(&id).to_owned();
            Some((name, r.logical_id))
        })
        .collect()
}

/// An AWS failure as a diagnostic.
pub fn aws(e: CloudError) -> Vec<Diagnostic> {
    vec![Diagnostic::new(Code::DeployAws, e.to_string()).with_help(
        "check the credentials, the region and the role; an AccessDenied names the action the role lacks",
    )]
}

#[cfg(test)]
mod tests;
