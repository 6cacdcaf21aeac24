//! `byoa deploy`: synthesize, then deploy the root (or, named, the access) stack through a
//! change set, guarded against data loss.
//!
//! Orchestration only: loads the spec, synthesizes into `--out` (atomically, as `byoa synth`
//! does, so `out/` is what was deployed), connects through `deploy::aws`, and runs
//! `deploy::run` with a terminal `Ui`: events as lines, a progress line on a terminal and a
//! heartbeat without one, confirmations asked only when a person can answer (standard input
//! and standard error are terminals and `CI` is unset).
//!
//! Exit codes: 0 deployed or nothing to change (or left for review), 2 error or failed
//! deployment, 3 stopped by the data-loss guard.

use std::io;

use super::Ctx;
use super::terminal::TerminalUi;
use crate::cfn::emit::Format;
use crate::cli::{ConnectArgs, DeployArgs, DeployStack, EventFormat};
use crate::deploy::aws::{Aws, Connection};
use crate::deploy::follow::Settled;
use crate::deploy::guard::Hazard;
use crate::deploy::plan::Target;
use crate::deploy::run::{self, Outcome, Request};
use crate::diag::{Code, Diagnostic};
use crate::exit;

pub fn run(ctx: &mut Ctx<'_>, args: &DeployArgs) -> io::Result<i32> {
    let given = match parameters(&args.parameters) {
        Ok(p) => p,
        Err(d) => return ctx.fail(&d),
    };
    let (loaded, output) = match super::synth::load_and_synthesize(&args.spec, Format::Yaml) {
        Ok(both) => both,
        Err(diags) => return ctx.fail(&diags),
    };
    ctx.warn(&loaded.warnings)?;
    let region = loaded.model.region.clone();
    if let Err(d) = output.write(&args.out) {
        return ctx.fail(&[d]);
    }
    let cloud = match connect(&args.connect, region, Some(&loaded.model)) {
        Ok(c) => c,
        Err(d) => return ctx.fail(&d),
    };
    let target = target(args.stack);
    let request = Request {
        output: &output,
        target,
        given: &given,
        allow: &args.allow_replace,
        review: args.review,
        drift: !args.no_drift,
        continue_rollback: args.continue_rollback,
    };
    interrupt::install();
    let mut ui = TerminalUi::new(ctx).json(args.events == EventFormat::Json);
    let outcome = match run::deploy(&cloud, &request, &mut ui) {
        Ok(o) => o,
        Err(diags) => return ctx.fail(&diags),
    };
    let resume = match &args.spec.env {
        Some(env) => format!("byoa status --env {env} --follow"),
        None => "byoa status --follow".to_owned(),
    };
    if args.events == EventFormat::Json {
        // The last JSON line says how it ended; the lines for people stay off standard output.
        let (what, status) = match &outcome {
            Outcome::NoChanges => ("no-changes", None),
            Outcome::Review { .. } => ("review", None),
            Outcome::Blocked { .. } => ("blocked", None),
            Outcome::Deployed(s) => ("deployed", Some(s.status.clone())),
            Outcome::Detached(s) => ("detached", Some(s.status.clone())),
            Outcome::Failed { settled, .. } => ("failed", Some(settled.status.clone())),
        };
        writeln!(
            ctx.out,
            "{}",
            serde_json::json!({"event": "result", "outcome": what, "status": status})
        )?;
        ctx.quiet = true;
    }
    finish(ctx, outcome, &resume)
}

/// Ctrl-C: before a stack operation starts, it ends byoa as usual (nothing was executed);
/// while one is followed, it stops the following and never the operation.
pub mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};

    static FOLLOWING: AtomicBool = AtomicBool::new(false);
    static ASKED: AtomicBool = AtomicBool::new(false);

    /// Installs the handler (once per process; later calls keep the first).
    pub fn install() {
        let _ = ctrlc::set_handler(|| {
            if FOLLOWING.load(Ordering::SeqCst) {
                ASKED.store(true, Ordering::SeqCst);
            } else {
                std::process::exit(crate::exit::INTERRUPTED);
            }
        });
    }

    /// From now on, Ctrl-C stops following instead of ending byoa.
    pub fn following() {
        FOLLOWING.store(true, Ordering::SeqCst);
    }

    pub fn asked() -> bool {
        ASKED.load(Ordering::SeqCst)
    }
}

/// The stack a `--stack` names.
pub fn target(stack: DeployStack) -> Target {
    match stack {
        DeployStack::Root => Target::Root,
        DeployStack::Access => Target::Access,
    }
}

/// Connects to the account in `region`, the templates' own, or in the `--region` given when
/// `model` (the spec the templates come from) allows it: a region of its residency where the
/// templates can run (`spec::placement`). Without the model another `--region` is refused.
pub fn connect(
    args: &ConnectArgs,
    region: String,
    model: Option<&crate::spec::Model>,
) -> Result<Aws, Vec<Diagnostic>> {
    let region = match args.region.as_deref().filter(|r| *r != region) {
        None => region,
        Some(r) => {
            let why = match model {
                None => Some(format!("the templates were made for `{region}`")),
                Some(m) => match crate::spec::regions::find(r) {
                    Some(found) if crate::spec::regions::allowed(m.residency, found) => {
                        crate::spec::placement::region_bound(m, r)
                            .map(|why| format!("the templates cannot run there: {why}"))
                    }
                    _ => Some(format!(
                        "the spec's residency `{}` does not allow it",
                        m.residency.as_str()
                    )),
                },
            };
            if let Some(why) = why {
                return Err(vec![
                    Diagnostic::new(
                        Code::DeployArguments,
                        format!("`--region {r}` cannot be used: {why}"),
                    )
                    .with_help("drop `--region`, or change `region:` in the spec"),
                ]);
            }
            r.to_owned()
        }
    };
    let connection = Connection {
        region,
        endpoint_url: args.endpoint_url.clone(),
        profile: args.profile.clone(),
        role_arn: args.role_arn.clone(),
        external_id: args.external_id.clone(),
    };
    Aws::connect(&connection).map_err(run::aws)
}

/// `KEY=VALUE` pairs, in order.
pub fn parameters(raw: &[String]) -> Result<Vec<(String, String)>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for p in raw {
        match p.split_once('=') {
            Some((k, v)) if !k.is_empty() => out.push((k.to_owned(), v.to_owned())),
            _ => problems.push(
                Diagnostic::new(
                    Code::DeployArguments,
                    format!("`--parameter {p}` is not KEY=VALUE"),
                )
                .with_help(
                    "write `--parameter AlarmEmail=ops@example.com` (an empty VALUE is allowed)",
                ),
            ),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

pub fn finish(ctx: &mut Ctx<'_>, outcome: Outcome, resume: &str) -> io::Result<i32> {
    match outcome {
        Outcome::NoChanges => Ok(exit::OK),
        Outcome::Review { change_set } => {
            if !ctx.quiet {
                writeln!(
                    ctx.out,
                    "change set left for review: {change_set}\nrerun the same `byoa deploy` without --review to execute it"
                )?;
            }
            Ok(exit::OK)
        }
        Outcome::Blocked { hazards } => {
            let diags = blocked(&hazards);
            ctx.report(&diags, crate::report::DiagFormat::Human)?;
            writeln!(
                ctx.err,
                "deploy stopped before executing: nothing was changed"
            )?;
            Ok(exit::BLOCKED)
        }
        Outcome::Detached(settled) => {
            writeln!(
                ctx.err,
                "stopped following at {} ({} resources settled): the operation goes on in AWS. Follow it again: `{resume}`",
                settled.status, settled.done
            )?;
            Ok(exit::INTERRUPTED)
        }
        Outcome::Deployed(settled) => {
            if !ctx.quiet {
                writeln!(
                    ctx.out,
                    "deployed: {} ({} resources settled)",
                    settled.status, settled.done
                )?;
            }
            Ok(exit::OK)
        }
        Outcome::Failed { settled, recovery } => ctx.fail(&[failed(&settled, recovery)]),
    }
}

/// One `deploy.data-loss` diagnostic per hazard the guard stopped, with the way to allow it.
pub fn blocked(hazards: &[Hazard]) -> Vec<Diagnostic> {
    hazards
        .iter()
        .map(|h| {
            let forcing = if h.forcing.is_empty() {
                String::new()
            } else {
                format!(", forced by {}", h.forcing.join(", "))
            };
            let spec = if h.spec.is_empty() {
                String::new()
            } else {
                format!("; changed in byoa.yaml by {}", h.spec.join(", "))
            };
            Diagnostic::new(
                Code::DeployDataLoss,
                format!(
                    "`{}` ({}) in stack `{}`: {}{forcing}{spec} [{}]",
                    h.logical_id, h.kind, h.stack, h.reason, h.source
                ),
            )
            .with_help(match &h.hint {
                Some(hint) => format!(
                    "{hint}; if the replacement is intended, rerun with `--allow-replace {}`",
                    h.id()
                ),
                None => format!(
                    "if that is intended, rerun with `--allow-replace {}`; otherwise undo the spec change",
                    h.id()
                ),
            })
        })
        .collect()
}

/// The `deploy.failed` diagnostic of a failed stack operation: its root cause, the ECS tasks
/// that stopped, the recovery step.
pub fn failed(settled: &Settled, recovery: Option<String>) -> Diagnostic {
    let cause = settled.root_cause.as_ref().map_or_else(
        || settled.reason.clone().unwrap_or_default(),
        |e| {
            format!(
                "root cause: `{}` ({}) in `{}` {}: {}",
                e.logical_id,
                e.kind,
                e.stack_name,
                e.status,
                e.reason.as_deref().unwrap_or("no reason given")
            )
        },
    );
    let tasks = if settled.stopped_tasks.is_empty() {
        String::new()
    } else {
        format!("; ECS tasks stopped: {}", settled.stopped_tasks.join(" | "))
    };
    let d = Diagnostic::new(
        Code::DeployFailed,
        format!(
            "the deployment failed, the stack is {}; {cause}{tasks}",
            settled.status
        ),
    );
    match recovery {
        Some(step) => d.with_help(step),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finish_text(outcome: Outcome) -> (i32, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut ctx = Ctx {
            out: &mut out,
            err: &mut err,
            color: false,
            quiet: false,
            verbose: false,
        };
        let code = finish(&mut ctx, outcome, "byoa status --follow").unwrap();
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    /// The database's replacement, blocked, forced by `forcing`.
    fn replaced_database(forcing: &str) -> Hazard {
        Hazard {
            stack: "database".into(),
            logical_id: "Database".into(),
            kind: "AWS::RDS::DBInstance".into(),
            reason: "replaced: the new resource starts empty".into(),
            forcing: vec![forcing.into()],
            spec: vec![],
            source: "byoa",
            allowed: false,
            hint: None,
        }
    }

    #[test]
    fn a_blocked_deploy_exits_3_naming_resource_property_and_the_way_to_allow_it() {
        let hazard = Hazard {
            spec: vec!["database.name".into()],
            source: "byoa and aws",
            ..replaced_database("DBName")
        };
        let (code, _, err) = finish_text(Outcome::Blocked {
            hazards: vec![hazard],
        });
        assert_eq!(code, exit::BLOCKED);
        assert!(err.contains("error[deploy.data-loss]: `Database` (AWS::RDS::DBInstance) in stack `database`: replaced: the new resource starts empty, forced by DBName; changed in byoa.yaml by database.name [byoa and aws]"), "{err}");
        assert!(err.contains("--allow-replace database/Database"), "{err}");
        assert!(err.contains("nothing was changed"), "{err}");
    }

    #[test]
    fn a_hazard_with_a_hint_leads_its_help_with_it() {
        let hazard = Hazard {
            hint: Some("set `identifier: generated`".into()),
            ..replaced_database("DBInstanceIdentifier")
        };
        let help = blocked(&[hazard])[0].help.clone().unwrap();
        assert_eq!(
            help,
            "set `identifier: generated`; if the replacement is intended, rerun with `--allow-replace database/Database`"
        );
    }

    #[test]
    fn a_failed_deploy_exits_2_with_its_root_cause_stopped_tasks_and_recovery() {
        let cause = crate::deploy::StackEvent {
            id: "e".into(),
            stack_name: "root-Api-X".into(),
            logical_id: "Service".into(),
            physical_id: None,
            kind: "AWS::ECS::Service".into(),
            status: "UPDATE_FAILED".into(),
            reason: Some("circuit breaker".into()),
            timestamp: "2026-11-29T10:00:00Z".into(),
        };
        let settled = Settled {
            status: "UPDATE_ROLLBACK_COMPLETE".into(),
            reason: None,
            failures: vec![cause.clone()],
            root_cause: Some(cause),
            done: 3,
            stopped_tasks: vec!["CannotPullContainerError".into()],
            interrupted: false,
        };
        let (code, _, err) = finish_text(Outcome::Failed {
            settled,
            recovery: Some("fix it and rerun".into()),
        });
        assert_eq!(code, exit::ERROR);
        assert!(err.contains("error[deploy.failed]"), "{err}");
        assert!(err.contains("root cause: `Service` (AWS::ECS::Service) in `root-Api-X` UPDATE_FAILED: circuit breaker"), "{err}");
        assert!(
            err.contains("ECS tasks stopped: CannotPullContainerError"),
            "{err}"
        );
        assert!(err.contains("help: fix it and rerun"), "{err}");
    }
}
