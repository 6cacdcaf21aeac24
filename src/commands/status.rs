//! `byoa status`: a deployed stack's status, its nested stacks', its latest events and the
//! way out of a stuck state; `--follow` follows a running operation until it settles (after
//! Ctrl-C stopped `byoa deploy` following, or for one someone else started).
//!
//! Exit codes: 0 settled and healthy (or absent), 2 error, failed, rolled back or stuck.

use std::io;

use super::Ctx;
use super::deploy::{connect, finish, interrupt, target};
use super::terminal::TerminalUi;
use crate::cfn::emit::Format;
use crate::cli::StatusArgs;
use crate::deploy::aws::Aws;
use crate::deploy::drift;
use crate::deploy::follow::{self, Progress};
use crate::deploy::run::{self, Ui};
use crate::deploy::{Cloud, StackState};
use crate::diag::{Code, Diagnostic};
use crate::exit;

pub fn run(ctx: &mut Ctx<'_>, args: &StatusArgs) -> io::Result<i32> {
    let (stack, cloud) = match open(ctx, args)? {
        Ok(both) => both,
        Err(code) => return Ok(code),
    };
    let state = match cloud.stack(&stack) {
        Ok(Some(s)) => s,
        Ok(None) => {
            writeln!(ctx.out, "{stack}: not deployed")?;
            return Ok(exit::OK);
        }
        Err(e) => return ctx.fail(&run::aws(e)),
    };
    let events = match cloud.events(&stack, None) {
        Ok(e) => e,
        Err(e) => return ctx.fail(&run::aws(e)),
    };
    show(ctx, &cloud, &state, &events, args.events)?;
    if args.follow && state.is_busy() {
        interrupt::install();
        let after = events.first().map(|e| e.id.clone());
        let mut ui = TerminalUi::new(ctx);
        ui.say(&format!("following {stack}"));
        let settled = match follow::follow(&cloud, &stack, after, 1, &mut ui as &mut dyn Progress) {
            Ok(s) => s,
            Err(e) => return ctx.fail(&run::aws(e)),
        };
        let resume = "byoa status --follow";
        return finish(ctx, run::outcome(&cloud, &stack, settled), resume);
    }
    if let Some(step) = follow::recovery(&stack, &state.status, &[]) {
        let healthy = state.status == "UPDATE_ROLLBACK_COMPLETE";
        writeln!(ctx.out, "next: {step}")?;
        if !healthy {
            return Ok(exit::ERROR);
        }
    }
    Ok(if state.status.ends_with("_FAILED") {
        exit::ERROR
    } else {
        exit::OK
    })
}

/// `byoa drift`: detect drift on the stack and its nested stacks, and show it.
pub fn drift(ctx: &mut Ctx<'_>, args: &StatusArgs) -> io::Result<i32> {
    let (stack, cloud) = match open(ctx, args)? {
        Ok(both) => both,
        Err(code) => return Ok(code),
    };
    let target = target(args.stack);
    let module = target.module();
    match cloud.stack(&stack) {
        Ok(Some(s)) if !s.is_review() => {}
        Ok(_) => {
            writeln!(ctx.out, "{stack}: not deployed")?;
            return Ok(exit::OK);
        }
        Err(e) => return ctx.fail(&run::aws(e)),
    }
    let deployed = match run::deployed_templates(&cloud, &stack, target) {
        Ok(d) => d,
        Err(diags) => return ctx.fail(&diags),
    };
    let nested: Vec<(String, String)> = deployed
        .iter()
        .filter(|s| s.name != module)
        .map(|s| (s.name.clone(), run::deployed_id(s).to_owned()))
        .collect();
    let report = drift::detect(&cloud, &stack, module, &nested);
    writeln!(ctx.out, "{}", drift::render(&report))?;
    Ok(match report {
        drift::Report::InSync => exit::OK,
        drift::Report::Drifted(_) => exit::FINDINGS,
        drift::Report::Unavailable(_) => exit::ERROR,
    })
}

/// The name of the stack `args` names and a connection to the spec's region, once the spec
/// loads (its warnings shown); `Err` holds the exit code of a run that reported why it stopped.
fn open(ctx: &mut Ctx<'_>, args: &StatusArgs) -> io::Result<Result<(String, Aws), i32>> {
    let (loaded, output) = match super::synth::load_and_synthesize(&args.spec, Format::Yaml) {
        Ok(both) => both,
        Err(diags) => return ctx.fail(&diags).map(Err),
    };
    ctx.warn(&loaded.warnings)?;
    let module = target(args.stack).module();
    let Some(stack) = output.manifest.stack_name(module).map(str::to_owned) else {
        let missing = Diagnostic::new(Code::DeployPlan, "no such stack in the spec");
        return ctx.fail(&[missing]).map(Err);
    };
    match connect(
        &args.connect,
        loaded.model.region.clone(),
        Some(&loaded.model),
    ) {
        Ok(cloud) => Ok(Ok((stack, cloud))),
        Err(d) => ctx.fail(&d).map(Err),
    }
}

/// The stack, its nested stacks and its latest `n` events, oldest first.
fn show(
    ctx: &mut Ctx<'_>,
    cloud: &dyn Cloud,
    state: &StackState,
    events: &[crate::deploy::StackEvent],
    n: usize,
) -> io::Result<()> {
    let reason = state
        .reason
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    writeln!(ctx.out, "{}: {}{reason}", state.name, state.status)?;
    let nested = cloud.resources(&state.name).unwrap_or_default();
    for r in nested
        .iter()
        .filter(|r| r.kind == "AWS::CloudFormation::Stack")
    {
        let status = r
            .physical_id
            .as_deref()
            .and_then(|id| cloud.stack(id).ok().flatten())
            .map_or_else(|| "not created".to_owned(), |s| s.status);
        writeln!(ctx.out, "  {:<24} {status}", r.logical_id)?;
    }
    if !events.is_empty() {
        writeln!(ctx.out, "latest events:")?;
    }
    for e in events.iter().take(n).rev() {
        let reason = e
            .reason
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(|r| format!("  {r}"))
            .unwrap_or_default();
        writeln!(
            ctx.out,
            "  {} {:<28} {:<36} {}{reason}",
            e.timestamp, e.logical_id, e.kind, e.status
        )?;
    }
    Ok(())
}
