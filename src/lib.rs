//! byoa: one validated YAML spec -> CloudFormation templates for a customer's own AWS account.
//!
//! Stages, each a module with one job:
//! `spec` (load, schema, overlays, validation -> `Model`) -> `modules` (one compiler per stack
//! -> `cfn::Template`) -> `cfn::emit` (bytes) -> `synth` (checks, atomic writes to `out/`).
//! `policy` checks emitted templates against compliance rules (`byoa check`); it sits beside
//! the stages and only `commands` connects them to it (validation gets the rule catalogue as
//! data, synthesis gets the hook's rule file as text). `yaml_positions` maps JSON pointers to
//! lines for the spec and for templates alike. `diff` compares two sets of templates and
//! predicts replacements and data loss (`byoa diff`); `deploy` sends them to an account
//! through change sets, guarded by that prediction (`byoa deploy`). `cost` prices the
//! emitted templates offline from a dated price table (`byoa cost`, `byoa diff --cost`).
//! `diag` is the one diagnostic model and `report` its only printer; `commands` holds one file
//! per subcommand. `run` is the whole CLI behind `main`: it parses arguments and dispatches. It
//! holds no global state, so it can run many times in one process.

pub mod blueprints;
pub mod cfn;
pub mod cli;
pub mod commands;
pub mod cost;
pub mod customers;
pub mod deploy;
pub mod diag;
pub mod diff;
pub mod graph;
pub mod hash;
pub mod launch;
pub mod modules;
pub mod naming;
pub mod out_dir;
pub mod parallel;
pub mod policy;
pub mod report;
pub mod spec;
pub mod synth;
pub mod yaml_positions;

use std::ffi::OsString;
use std::io::{self, Write};

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands::Ctx;

/// Exit codes, grep-style.
pub mod exit {
    /// Success, nothing found.
    pub const OK: i32 = 0;
    /// The command ran and found problems (reserved for `check` findings and `diff` changes).
    pub const FINDINGS: i32 = 1;
    /// The input or the environment is wrong: nothing was done.
    pub const ERROR: i32 = 2;
    /// `deploy` stopped before executing: the data-loss guard was not satisfied (and `diff`:
    /// the monthly cost rises by more than `--max-cost-increase`).
    pub const BLOCKED: i32 = 3;
    /// Ctrl-C: byoa stopped following a stack operation, which goes on (128 + SIGINT).
    pub const INTERRUPTED: i32 = 130;
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
            let d = diag::Diagnostic::new(
                diag::Code::IoOutput,
                format!("cannot write to standard output or standard error: {e}"),
            );
            let _ = ctx.fail(&[d]);
            exit::ERROR
        }
    }
}

fn dispatch(command: Command, ctx: &mut Ctx<'_>) -> io::Result<i32> {
    match command {
        Command::Schema => commands::schema::run(ctx),
        Command::Customers(args) => commands::customers::run(ctx, &args),
        Command::Launch(args) => commands::launch::run(ctx, &args),
        Command::Access(cli::AccessCommand::Verify(args)) => commands::access::verify(ctx, &args),
        Command::Rollout(args) => commands::rollout::run(ctx, &args),
        Command::Fleet(cli::FleetCommand::Status(args)) => commands::fleet::status(ctx, &args),
        Command::Init(args) => commands::init::run(ctx, &args),
        Command::Validate(args) => commands::validate::run(ctx, &args),
        Command::Check(args) => commands::check::run(ctx, &args),
        Command::Synth(args) => commands::synth::run(ctx, &args),
        Command::Cost(args) => commands::cost::run(ctx, &args),
        Command::Diff(args) => commands::diff::run(ctx, &args),
        Command::Deploy(args) => commands::deploy::run(ctx, &args),
        Command::Destroy(args) => commands::destroy::run(ctx, &args),
        Command::Status(args) => commands::status::run(ctx, &args),
        Command::Drift(args) => commands::status::drift(ctx, &args),
    }
}
