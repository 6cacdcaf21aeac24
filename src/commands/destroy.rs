//! `byoa destroy`: delete the root stack (or, named, the access stack) after saying what
//! stays behind, and only with a confirmation when it holds data.
//!
//! Exit codes: 0 deleted or nothing to delete, 2 error or failed delete, 3 not confirmed.

use std::io;

use super::Ctx;
use super::deploy::{connect, target};
use super::terminal::TerminalUi;
use crate::cfn::emit::Format;
use crate::cli::DestroyArgs;
use crate::deploy::destroy::{self, Destroyed};
use crate::diag::{Code, Diagnostic};
use crate::{exit, naming};

pub fn run(ctx: &mut Ctx<'_>, args: &DestroyArgs) -> io::Result<i32> {
    let (loaded, output) = match super::synth::load_and_synthesize(&args.spec, Format::Yaml) {
        Ok(both) => both,
        Err(diags) => return ctx.fail(&diags),
    };
    ctx.warn(&loaded.warnings)?;
    let name_of = |module: &str| {
        output
            .manifest
            .stack_name(module)
            .unwrap_or_default()
            .to_owned()
    };
    let target = target(args.stack);
    let stack = name_of(target.module());
    let root = name_of(naming::ROOT);
    if let Some(named) = args.confirm.as_deref().filter(|n| *n != stack) {
        return ctx.fail(&[Diagnostic::new(
            Code::DeployArguments,
            format!("`--confirm {named}` does not name the stack to delete, `{stack}`"),
        )
        .with_help(format!("write `--confirm {stack}`"))]);
    }
    let cloud = match connect(
        &args.connect,
        loaded.model.region.clone(),
        Some(&loaded.model),
    ) {
        Ok(c) => c,
        Err(d) => return ctx.fail(&d),
    };
    let mut ui = TerminalUi::new(ctx);
    let outcome = destroy::destroy(
        &cloud,
        &stack,
        target,
        &root,
        args.confirm.is_some(),
        &mut ui,
    );
    match outcome {
        Err(diags) => ctx.fail(&diags),
        Ok(Destroyed::Nothing) => Ok(exit::OK),
        Ok(Destroyed::Blocked(fates)) => {
            let d = Diagnostic::new(
                Code::DeployDataLoss,
                format!(
                    "`{stack}` holds {} data store(s) (listed above) and was not deleted",
                    fates.len()
                ),
            )
            .with_help(format!(
                "confirm on a terminal, or rerun with `--confirm {stack}`"
            ));
            ctx.report(&[d], crate::report::DiagFormat::Human)?;
            Ok(exit::BLOCKED)
        }
        Ok(Destroyed::Deleted { fates, .. }) => {
            if !ctx.quiet {
                writeln!(ctx.out, "deleted {stack}")?;
                let kept: Vec<_> = fates.iter().filter(|f| f.stays).collect();
                if !kept.is_empty() {
                    writeln!(ctx.out, "stays behind in the account:")?;
                    for f in kept {
                        writeln!(
                            ctx.out,
                            "  {} {}",
                            f.kind,
                            f.physical_id.as_deref().unwrap_or(&f.logical_id)
                        )?;
                    }
                }
            }
            Ok(exit::OK)
        }
        Ok(Destroyed::Failed { settled, recovery }) => {
            let mut d = Diagnostic::new(
                Code::DeployFailed,
                format!("deleting `{stack}` failed, the stack is {}", settled.status),
            );
            if let Some(step) = recovery {
                d = d.with_help(step);
            }
            ctx.fail(&[d])
        }
    }
}
