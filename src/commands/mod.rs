//! Commands: one file per subcommand, orchestration only.
//!
//! Input: parsed `cli` arguments and a `Ctx` holding the output streams and global flags.
//! Output: an exit code (see `crate::exit`). Each command calls the stages (spec, synth, policy)
//! and hands what they return to the one printer (`report`); no stage prints.

pub mod access;
pub mod check;
pub mod cost;
pub mod customers;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod fleet;
pub mod init;
pub mod launch;
pub mod rollout;
pub mod schema;
pub mod stacksets;
pub mod status;
pub mod synth;
pub mod terminal;
pub mod validate;

use std::io::{self, Write};

use crate::diag::Diagnostic;
use crate::exit;
use crate::report::{self, DiagFormat};

/// What every command shares: where to write, and the global flags.
pub struct Ctx<'a> {
    pub out: &'a mut (dyn Write + 'a),
    pub err: &'a mut (dyn Write + 'a),
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
}

impl Ctx<'_> {
    /// Prints `diags` through the one printer: for people on standard error, for tools
    /// (JSON, SARIF) on standard output.
    pub fn report(&mut self, diags: &[Diagnostic], format: DiagFormat) -> io::Result<()> {
        match format {
            DiagFormat::Human => report::diagnostics(self.err, diags, format, self.color),
            DiagFormat::Json | DiagFormat::Sarif => {
                report::diagnostics(self.out, diags, format, false)
            }
        }
    }

    /// Shows `warnings` (problems that stop nothing, such as a spec value that may be a secret)
    /// for people, unless `--quiet` asked for errors only.
    pub fn warn(&mut self, warnings: &[Diagnostic]) -> io::Result<()> {
        if self.quiet || warnings.is_empty() {
            return Ok(());
        }
        self.report(warnings, DiagFormat::Human)
    }

    /// Reports `diags` for people and returns the exit code of a run that did nothing.
    pub fn fail(&mut self, diags: &[Diagnostic]) -> io::Result<i32> {
        self.report(diags, DiagFormat::Human)?;
        Ok(exit::ERROR)
    }
}
