//! `byoa check`: gather templates (from `out/`, resynthesizing when stale, or from paths) and
//! the spec's compliance settings, evaluate the selected rules, report findings.

use std::io;

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::report::DiagFormat;
use crate::{cli, policy, spec, synth};

/// `byoa check`: gather templates and the spec's compliance settings, evaluate, report.
pub fn run(ctx: &mut Ctx<'_>, args: &cli::CheckArgs) -> io::Result<i32> {
    use policy::input::{self, InputError};

    let today = match &args.today {
        Some(d) if policy::is_date(d) => d.clone(),
        Some(d) => {
            let message = format!("`--today {d}` is not a date (YYYY-MM-DD)");
            return ctx.fail(&[Diagnostic::new(Code::ArgDate, message)]);
        }
        None => policy::today_utc(),
    };
    let policies = match policy::PolicySet::load(&args.rules) {
        Ok(p) => p,
        Err(errors) => return fail_all(ctx, &errors),
    };
    let spec_path = match &args.spec {
        Some(p) => Some(p.clone()),
        None => Some(std::path::PathBuf::from("byoa.yaml")).filter(|p| p.is_file()),
    };
    // The environment: as asked, else (when checking out/) the one its templates were made for.
    let env = args.env.clone().or_else(|| {
        synth::read_manifest(&args.out)
            .filter(|_| args.paths.is_empty())
            .map(|m| m.environment)
            .filter(|e| e != spec::DEFAULT_ENVIRONMENT)
    });
    let gathered = if args.paths.is_empty() {
        input::templates_from_out(&args.out, spec_path.as_deref(), env.as_deref())
            .map(|o| (o.templates, o.resynthesized))
    } else {
        input::templates_from_paths(&args.paths)
            .map(|t| (t, None))
            .map_err(InputError::Files)
    };
    let spec_policy = gathered.as_ref().ok().and_then(|_| {
        spec_path
            .as_deref()
            .map(|p| input::spec_policy(p, env.as_deref()))
    });
    let (templates, resynthesized) = match gathered {
        Ok(g) => g,
        Err(e) => return input_failure(ctx, e),
    };
    let spec_policy = match spec_policy.transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return input_failure(ctx, e),
    };
    if let Some(why) = resynthesized
        && !ctx.quiet
    {
        writeln!(ctx.err, "note: {why}: synthesized it before checking")?;
    }
    let names = if args.profiles.is_empty() {
        spec_policy.profiles.clone()
    } else {
        args.profiles.clone()
    };
    let selection = match policies.select(&names) {
        Ok(s) => s,
        Err(message) => return ctx.fail(&[Diagnostic::new(Code::PolicyInput, message)]),
    };
    let report = match policy::check(
        &policy::guard::Guard,
        policy::CheckInput {
            selection,
            templates,
            exceptions: spec_policy.exceptions,
            today,
        },
    ) {
        Ok(r) => r,
        Err(errors) => return fail_all(ctx, &errors),
    };
    policy::report::render(ctx.out, &report, args.format, args.controls)?;
    // The text report shows its warnings; beside a machine format they go to standard error.
    // An unused exception is the only warning a report has today.
    if args.format != policy::report::CheckFormat::Text && !ctx.quiet {
        let warnings: Vec<Diagnostic> = report
            .warnings
            .iter()
            .map(|w| Diagnostic {
                location: w.location.clone(),
                ..Diagnostic::new(Code::PolicyExceptionUnused, w.message.clone()).as_warning()
            })
            .collect();
        ctx.report(&warnings, DiagFormat::Human)?;
    }
    if ctx.verbose {
        writeln!(
            ctx.err,
            "evaluated {} rules x {} templates in {} cfn-guard call(s): {:.1} ms",
            report.rules.len(),
            report.templates.len(),
            report.engine_calls,
            report.engine_time.as_secs_f64() * 1000.0
        )?;
    }
    Ok(report.exit_code())
}

fn fail_all(ctx: &mut Ctx<'_>, errors: &[policy::PolicyError]) -> io::Result<i32> {
    let diags: Vec<Diagnostic> = errors.iter().map(policy_diagnostic).collect();
    ctx.fail(&diags)
}

/// A rule file's, profile's or template's problem as a diagnostic at its file and line. One
/// code for all of them until `PolicyError` carries its own. Its messages continue the path
/// (`does not exist`), so the message starts with it.
fn policy_diagnostic(e: &policy::PolicyError) -> Diagnostic {
    let message = format!("`{}`: {}", e.file, e.message);
    let d = Diagnostic::new(Code::PolicyInput, message).in_file(&e.file);
    match e.line {
        Some(line) => d.with_position(line, 0),
        None => d,
    }
}

fn input_failure(ctx: &mut Ctx<'_>, e: policy::input::InputError) -> io::Result<i32> {
    match e {
        policy::input::InputError::Spec(diags) => ctx.fail(&diags),
        policy::input::InputError::Files(errors) => fail_all(ctx, &errors),
        policy::input::InputError::Other(message) => {
            ctx.fail(&[Diagnostic::new(Code::PolicyInput, message)])
        }
    }
}
