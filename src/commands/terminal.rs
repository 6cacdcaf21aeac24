//! Where `deploy`, `destroy` and `status` talk to people (or, with `--events json`, to
//! machines): stack events as lines, a progress line rewritten in place on a terminal and a
//! heartbeat in a log, ECS rollouts, and confirmations asked only when a person can answer.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::Duration;

use serde_json::json;

use super::Ctx;
use super::deploy::interrupt;
use crate::deploy::follow::Progress;
use crate::deploy::run::Ui;
use crate::deploy::{Rollout, StackEvent};

/// Lines for people, on a terminal or in a log, or JSON lines for machines.
pub struct TerminalUi<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    interactive: bool,
    quiet: bool,
    /// Standard error is a terminal: the progress line is rewritten in place.
    live: bool,
    /// `--events json`: events, progress and rollouts as JSON lines on standard output,
    /// everything for people on standard error.
    json: bool,
    last_beat: Duration,
}

/// Without a terminal, a progress line at most this often, so a CI log shows life.
const HEARTBEAT: Duration = Duration::from_secs(30);

impl<'a> TerminalUi<'a> {
    /// Lines to `ctx`'s streams; questions only when a person can answer: standard input and
    /// standard error are terminals and `CI` is unset.
    pub fn new(ctx: &'a mut Ctx<'_>) -> TerminalUi<'a> {
        let interactive = io::stdin().is_terminal()
            && io::stderr().is_terminal()
            && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false");
        TerminalUi {
            quiet: ctx.quiet,
            out: &mut *ctx.out,
            err: &mut *ctx.err,
            interactive,
            live: io::stderr().is_terminal(),
            json: false,
            last_beat: Duration::ZERO,
        }
    }

    /// Events as JSON lines (`--events json`).
    pub fn json(mut self, on: bool) -> Self {
        self.json = on;
        self
    }

    /// One JSON line on standard output.
    fn emit(&mut self, value: serde_json::Value) {
        let _ = writeln!(self.out, "{value}");
    }

    /// Clears a live progress line before other output.
    fn clear(&mut self) {
        if self.live && self.last_beat > Duration::ZERO {
            let _ = write!(self.err, "\r\x1b[2K");
        }
    }
}

impl Progress for TerminalUi<'_> {
    fn event(&mut self, e: &StackEvent) {
        if self.json {
            self.emit(json!({
                "event": "stack", "stack": e.stack_name, "logical_id": e.logical_id,
                "type": e.kind, "status": e.status, "reason": e.reason, "timestamp": e.timestamp,
            }));
            return;
        }
        if self.quiet {
            return;
        }
        self.clear();
        let reason = e
            .reason
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(|r| format!("  {r}"))
            .unwrap_or_default();
        let _ = writeln!(
            self.out,
            "  {} {:<28} {:<36} {}{reason}",
            e.timestamp.get(11..19).unwrap_or(&e.timestamp),
            e.logical_id,
            e.kind,
            e.status
        );
    }

    fn tick(&mut self, done: usize, total: usize, elapsed: Duration) {
        if self.quiet {
            return;
        }
        // On a terminal, one line rewritten at every poll; in a log, a heartbeat.
        if self.live && !self.json {
            self.last_beat = elapsed.max(Duration::from_millis(1));
            let _ = write!(
                self.err,
                "\r\x1b[2K  {done}/{total} resources settled, {}s",
                elapsed.as_secs()
            );
            let _ = self.err.flush();
            return;
        }
        if elapsed.saturating_sub(self.last_beat) < HEARTBEAT && self.last_beat > Duration::ZERO {
            return;
        }
        self.last_beat = elapsed.max(Duration::from_millis(1));
        if self.json {
            self.emit(json!({"event": "progress", "done": done, "total": total, "elapsed_s": elapsed.as_secs()}));
        } else {
            let _ = writeln!(
                self.err,
                "  ... {done}/{total} resources settled, {}s",
                elapsed.as_secs()
            );
        }
    }

    fn started(&mut self) {
        interrupt::following();
    }

    fn interrupted(&mut self) -> bool {
        interrupt::asked()
    }

    fn rollout(&mut self, logical_id: &str, r: &Rollout, stopped: &[String]) {
        if self.json {
            self.emit(json!({
                "event": "rollout", "logical_id": logical_id, "desired": r.desired,
                "running": r.running, "pending": r.pending, "failed": r.failed,
                "state": r.state, "reason": r.reason, "stopped": stopped,
            }));
            return;
        }
        if self.quiet {
            return;
        }
        self.clear();
        let state = r
            .state
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let _ = writeln!(
            self.out,
            "  ECS {logical_id}: {}/{} tasks running, {} pending, {} failed{state}",
            r.running, r.desired, r.pending, r.failed
        );
        for why in stopped {
            let _ = writeln!(self.out, "    task stopped: {why}");
        }
    }
}

impl Ui for TerminalUi<'_> {
    fn say(&mut self, line: &str) {
        if self.quiet {
            return;
        }
        self.clear();
        if self.json {
            let _ = writeln!(self.err, "{line}");
        } else {
            let _ = writeln!(self.out, "{line}");
        }
    }

    fn confirm(&mut self, question: &str) -> bool {
        if !self.interactive {
            let _ = writeln!(self.err, "{question} (no terminal to ask: not confirmed)");
            return false;
        }
        let _ = write!(self.err, "{question} Type `yes` to go on: ");
        let _ = self.err.flush();
        let mut answer = String::new();
        if io::stdin().lock().read_line(&mut answer).is_err() {
            return false;
        }
        answer.trim() == "yes"
    }
}
