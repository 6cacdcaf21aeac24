//! byoa: one validated YAML spec -> CloudFormation templates for a customer's own AWS account.
//!
//! Stages, each a module with one job:
//! `spec` (load, schema, overlays, validation -> `Model`) -> `modules` (one compiler per stack
//! -> `cfn::Template`) -> `cfn::emit` (bytes) -> `synth` (checks, atomic writes to `out/`).
//! `policy` checks emitted templates against compliance rules (`byoa check`).
//! `diag` is the one diagnostic model and `report` its only printer. `run` is the whole CLI
//! behind `main`; it holds no global state, so it can run many times in one process.

pub mod blueprints;
pub mod cfn;
pub mod cli;
pub mod diag;
pub mod graph;
pub mod hash;
pub mod modules;
pub mod naming;
pub mod policy;
pub mod report;
pub mod spec;
pub mod synth;

use std::ffi::OsString;
use std::io::{self, Write};

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::diag::Diagnostic;
use crate::report::DiagFormat;

/// Exit codes, grep-style.
pub mod exit {
    /// Success, nothing found.
    pub const OK: i32 = 0;
    /// The command ran and found problems (reserved for `check` findings and `diff` changes).
    pub const FINDINGS: i32 = 1;
    /// The input or the environment is wrong: nothing was done.
    pub const ERROR: i32 = 2;
}

/// Runs the CLI with `args` (program name first). Returns the exit code. A closed output pipe
/// (`byoa schema | head`) is not an error.
pub fn run<'a>(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    color: bool,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = if color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let _ = write!(if e.use_stderr() { &mut *err } else { &mut *out }, "{text}");
            return if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
        }
    };
    let mut ctx = Ctx {
        out,
        err,
        color,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match dispatch(cli.command, &mut ctx) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            let _ = writeln!(ctx.err, "error: {e}");
            exit::ERROR
        }
    }
}

struct Ctx<'a> {
    out: &'a mut (dyn Write + 'a),
    err: &'a mut (dyn Write + 'a),
    color: bool,
    quiet: bool,
    verbose: bool,
}

impl Ctx<'_> {
    fn report(&mut self, diags: &[Diagnostic], format: DiagFormat) -> io::Result<()> {
        match format {
            DiagFormat::Human => report::diagnostics(self.err, diags, format, self.color),
            DiagFormat::Json => report::diagnostics(self.out, diags, format, false),
        }
    }

    fn fail(&mut self, message: &str) -> io::Result<i32> {
        writeln!(self.err, "error: {message}")?;
        Ok(exit::ERROR)
    }
}

fn dispatch(command: Command, ctx: &mut Ctx<'_>) -> io::Result<i32> {
    match command {
        Command::Schema => {
            ctx.out.write_all(spec::schema::schema_text().as_bytes())?;
            Ok(exit::OK)
        }
        Command::Init(args) => match blueprints::init(&args) {
            Ok(path) => {
                if !ctx.quiet {
                    writeln!(ctx.out, "wrote {}", path.display())?;
                    writeln!(ctx.out, "next: byoa validate {}", path.display())?;
                }
                Ok(exit::OK)
            }
            Err(message) => ctx.fail(&message),
        },
        Command::Validate(args) => {
            let diags = match &args.spec.env {
                Some(env) => spec::load(&args.spec.spec, Some(env))
                    .err()
                    .unwrap_or_default(),
                None => spec::check_all(&args.spec.spec),
            };
            ctx.report(&diags, args.format)?;
            let errors = diags.iter().any(Diagnostic::is_error);
            if !errors && !ctx.quiet && args.format == DiagFormat::Human {
                writeln!(ctx.err, "{} is valid", args.spec.spec.display())?;
            }
            Ok(if errors { exit::ERROR } else { exit::OK })
        }
        Command::Check(args) => check(ctx, &args),
        Command::Synth(args) => {
            let loaded = match spec::load(&args.spec.spec, args.spec.env.as_deref()) {
                Ok(l) => l,
                Err(diags) => {
                    ctx.report(&diags, DiagFormat::Human)?;
                    return Ok(exit::ERROR);
                }
            };
            let output = match synth::render(&loaded, args.format) {
                Ok(o) => o,
                Err(problems) => {
                    for p in &problems {
                        writeln!(ctx.err, "error: {p}")?;
                    }
                    return Ok(exit::ERROR);
                }
            };
            if let Err(message) = synth::write(&args.out, &output) {
                return ctx.fail(&message);
            }
            if args.graph {
                let stacks: Vec<_> = output.templates.iter().map(|r| r.stack.clone()).collect();
                let path = args.out.join("graph.md");
                if let Err(message) =
                    synth::write_atomic(&path, graph::markdown(&stacks).as_bytes())
                {
                    return ctx.fail(&message);
                }
                if !ctx.quiet {
                    writeln!(ctx.out, "wrote {}", path.display())?;
                }
            }
            if !ctx.quiet {
                summary(ctx, &args.out, &output)?;
            }
            Ok(exit::OK)
        }
    }
}

/// `byoa check`: gather templates and the spec's compliance settings, evaluate, report.
fn check(ctx: &mut Ctx<'_>, args: &cli::CheckArgs) -> io::Result<i32> {
    use policy::input::{self, InputError};

    let today = match &args.today {
        Some(d) if policy::is_date(d) => d.clone(),
        Some(d) => return ctx.fail(&format!("`--today {d}` is not a date (YYYY-MM-DD)")),
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
        Err(message) => return ctx.fail(&message),
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
    if args.format != policy::report::CheckFormat::Text && !ctx.quiet {
        for w in &report.warnings {
            match &w.location {
                Some(l) => writeln!(ctx.err, "warning: {} ({l})", w.message)?,
                None => writeln!(ctx.err, "warning: {}", w.message)?,
            }
        }
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
    for e in errors {
        writeln!(ctx.err, "error: {e}")?;
    }
    Ok(exit::ERROR)
}

fn input_failure(ctx: &mut Ctx<'_>, e: policy::input::InputError) -> io::Result<i32> {
    match e {
        policy::input::InputError::Spec(diags) => {
            ctx.report(&diags, DiagFormat::Human)?;
            Ok(exit::ERROR)
        }
        policy::input::InputError::Files(errors) => fail_all(ctx, &errors),
        policy::input::InputError::Other(message) => ctx.fail(&message),
    }
}

fn summary(ctx: &mut Ctx<'_>, dir: &std::path::Path, output: &synth::Output) -> io::Result<()> {
    let m = &output.manifest;
    writeln!(
        ctx.out,
        "synthesized {} ({}, {}) into {}",
        m.product,
        m.environment,
        m.region,
        dir.display()
    )?;
    for t in &m.templates {
        writeln!(
            ctx.out,
            "  {:<28} {:>4} resources {:>3} parameters {:>3} outputs {:>7} bytes  {}",
            t.file, t.resources, t.parameters, t.outputs, t.bytes, t.stack_name
        )?;
        if ctx.verbose {
            writeln!(ctx.out, "    sha256 {}", t.sha256)?;
        }
    }
    Ok(())
}
