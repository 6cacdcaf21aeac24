//! `byoa rollout`: one version of the product to many customers' accounts.
//!
//! Orchestration only: selects the customers, synthesizes once per environment, plans the
//! waves (`deploy::waves`), and runs them (`deploy::rollout`), each customer's deploy being
//! `deploy::run::deploy` through its own connection (its deployer role and external id, its
//! region) with its parameters over the common `--parameter`s. Nobody answers the data-loss
//! guard's question during a rollout: a customer it stops is `blocked`. With `--engine
//! stacksets`, `commands::stacksets` deploys instead, with the same table.
//!
//! Where lines go: on a terminal, the status table redrawn in place on standard error; in a
//! log, one line per customer whose state changed. At the end, the table (or, with `--format
//! json`, the JSON report) on standard output, and the report in `--report FILE`.
//!
//! Exit codes: 0 every customer deployed or unchanged, 2 a customer failed or was halted (or an
//! error stopped the rollout before it began), 3 customers were only stopped by the guard.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use serde::Serialize;

use super::Ctx;
use super::fleet::{Fleet, connection, load};
use crate::cli::{Engine, RolloutArgs, TableFormat};
use crate::customers::Customer;
use crate::deploy::aws::Aws;
use crate::deploy::plan::{self, Target};
use crate::deploy::rollout::{self, Done};
use crate::deploy::run::{self, Outcome, Request};
use crate::deploy::waves::{self, Board, State};
use crate::diag::Diagnostic;
use crate::exit;
use crate::report::table;
use crate::synth::Output;

pub fn run(ctx: &mut Ctx<'_>, args: &RolloutArgs) -> io::Result<i32> {
    let common = match super::deploy::parameters(&args.parameters) {
        Ok(p) => p,
        Err(d) => return ctx.fail(&d),
    };
    let Fleet {
        selected,
        outputs,
        warnings,
        ..
    } = match load(&args.fleet, &args.customer, args.all) {
        Ok(f) => f,
        Err(d) => return ctx.fail(&d),
    };
    ctx.warn(&warnings)?;
    let by_id: BTreeMap<&str, &Customer> = selected.iter().map(|c| (c.id.as_str(), c)).collect();
    let waves = waves::plan(
        &selected
            .iter()
            .map(|c| (c.id.clone(), c.canary))
            .collect::<Vec<_>>(),
        args.batch_size as usize,
    );
    let mut live = Live::new(ctx.quiet);
    let mut board;
    if args.engine == Engine::Stacksets {
        // StackSets has no canary wave: one wave, AWS's own concurrency and tolerance.
        let all: Vec<(String, bool)> = selected.iter().map(|c| (c.id.clone(), false)).collect();
        board = Board::new(&waves::plan(&all, usize::MAX), args.max_failures as usize);
        match super::stacksets::run(args, &selected, &outputs, &common, &mut board, &mut |b| {
            live.show(b, &by_id)
        }) {
            Ok(notes) => ctx.warn(&notes)?,
            Err(d) => {
                live.finish();
                return ctx.fail(&d);
            }
        }
    } else {
        board = Board::new(&waves, args.max_failures as usize);
        let deploy_one = |id: &str| {
            let c = by_id[id];
            deploy_customer(args, c, &outputs[&c.environment], &common)
        };
        rollout::run(
            &waves,
            args.concurrency as usize,
            &mut board,
            deploy_one,
            &mut |b| live.show(b, &by_id),
        );
    }
    live.finish();
    let report = Report::new(&board, &by_id, &outputs, args.engine);
    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
    if let Some(path) = &args.report
        && let Err(d) = write_report(path, &json)
    {
        ctx.report(&[d], crate::report::DiagFormat::Human)?;
    }
    match args.format {
        TableFormat::Json => writeln!(ctx.out, "{json}")?,
        TableFormat::Text => {
            write!(ctx.out, "{}", render(&board, &by_id))?;
            writeln!(ctx.out, "rollout: {}", board.summary())?;
            if let Some(why) = &board.halted {
                writeln!(ctx.out, "halted: {why}")?;
            }
        }
    }
    let not_deployed: Vec<Diagnostic> = board
        .rows
        .iter()
        .filter(|r| !r.state.is_success())
        .map(|r| {
            Diagnostic::new(
                crate::diag::Code::RolloutNotDeployed,
                format!(
                    "customer `{}` {}: {}",
                    r.customer,
                    r.state.as_str(),
                    r.detail
                ),
            )
        })
        .collect();
    ctx.report(&not_deployed, crate::report::DiagFormat::Human)?;
    Ok(exit_code(&board))
}

/// One customer's deploy, as the rollout sees it.
fn deploy_customer(
    args: &RolloutArgs,
    customer: &Customer,
    output: &Output,
    common: &[(String, String)],
) -> Done {
    let cloud = match Aws::connect(&connection(&args.fleet, customer, output)) {
        Ok(c) => c,
        Err(e) => return done(Err(run::aws(e))),
    };
    let given = merged(common, &customer.parameters);
    let request = Request {
        output,
        target: Target::Root,
        given: &given,
        allow: &[],
        review: false,
        // `byoa fleet status` shows drift; a rollout does not wait for detections.
        drift: false,
        continue_rollback: false,
    };
    done(run::deploy(&cloud, &request, &mut run::Unattended))
}

/// A customer's row from how its deploy ended: the first diagnostic's message and code for
/// what did not deploy (a blocked deploy names how many resources stopped it).
fn done(result: Result<Outcome, Vec<Diagnostic>>) -> Done {
    let failed = |d: &[Diagnostic]| Done {
        state: State::Failed,
        detail: d.first().map(|d| d.message.clone()).unwrap_or_default(),
        code: d.first().map(|d| d.code.as_str().to_owned()),
    };
    match result {
        Err(d) => failed(&d),
        Ok(Outcome::NoChanges) => Done {
            state: State::NoChanges,
            detail: "no changes".to_owned(),
            code: None,
        },
        Ok(Outcome::Deployed(s)) => Done {
            state: State::Deployed,
            detail: s.status,
            code: None,
        },
        Ok(Outcome::Blocked { hazards }) => {
            let d = failed(&super::deploy::blocked(&hazards));
            Done {
                state: State::Blocked,
                detail: format!(
                    "{} resource(s) would lose data or widen access, nothing executed: {}",
                    hazards.len(),
                    d.detail
                ),
                ..d
            }
        }
        Ok(Outcome::Failed { settled, recovery }) => {
            failed(&[super::deploy::failed(&settled, recovery)])
        }
        Ok(Outcome::Detached(s)) => Done {
            state: State::Failed,
            detail: format!("stopped following at {}", s.status),
            code: None,
        },
        Ok(Outcome::Review { change_set }) => Done {
            state: State::Failed,
            detail: format!("change set {change_set} left for review"),
            code: None,
        },
    }
}

/// 2 when a customer failed or was halted, 3 when customers were only blocked, else 0.
fn exit_code(board: &Board) -> i32 {
    if board.count(State::Failed) + board.count(State::Halted) > 0 {
        exit::ERROR
    } else if board.count(State::Blocked) > 0 {
        exit::BLOCKED
    } else {
        exit::OK
    }
}

/// The common `--parameter`s with the customer's own over them.
fn merged(
    common: &[(String, String)],
    own: &indexmap::IndexMap<String, String>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = common
        .iter()
        .filter(|(k, _)| !own.contains_key(k))
        .cloned()
        .collect();
    out.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

/// The status table while the rollout runs, on standard error: redrawn in place on a terminal,
/// a line per change in a log.
struct Live {
    quiet: bool,
    terminal: bool,
    /// Lines drawn last time (terminal), or each customer's last state printed (log).
    drawn: usize,
    printed: BTreeMap<String, State>,
}

impl Live {
    fn new(quiet: bool) -> Live {
        Live {
            quiet,
            terminal: io::stderr().is_terminal(),
            drawn: 0,
            printed: BTreeMap::new(),
        }
    }

    fn show(&mut self, board: &Board, customers: &BTreeMap<&str, &Customer>) {
        if self.quiet {
            return;
        }
        let mut err = io::stderr().lock();
        if self.terminal {
            let text = render(board, customers);
            if self.drawn > 0 {
                let _ = write!(err, "\x1b[{}A\x1b[J", self.drawn);
            }
            let _ = write!(err, "{text}");
            self.drawn = text.lines().count();
            return;
        }
        for r in &board.rows {
            if self.printed.get(&r.customer) != Some(&r.state) {
                self.printed.insert(r.customer.clone(), r.state);
                if r.state == State::Waiting {
                    continue;
                }
                let detail = if r.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", r.detail)
                };
                let _ = writeln!(
                    err,
                    "{} (wave {}) {}{detail}",
                    r.customer,
                    r.wave,
                    r.state.as_str()
                );
            }
        }
    }

    fn finish(&mut self) {
        if self.terminal && self.drawn > 0 && !self.quiet {
            // The final table goes to standard output: the live one is cleared.
            let _ = write!(io::stderr().lock(), "\x1b[{}A\x1b[J", self.drawn);
        }
    }
}

/// The status table: customer, account, region, wave, state, detail.
fn render(board: &Board, customers: &BTreeMap<&str, &Customer>) -> String {
    let rows: Vec<Vec<String>> = board
        .rows
        .iter()
        .map(|r| {
            let c = customers.get(r.customer.as_str());
            vec![
                r.customer.clone(),
                c.map_or_else(String::new, |c| c.account_id.clone()),
                c.map_or_else(String::new, |c| c.region.clone()),
                format!("{}{}", r.wave, if r.canary { " canary" } else { "" }),
                r.state.as_str().to_owned(),
                one_line(&r.detail),
            ]
        })
        .collect();
    table::render(
        &["customer", "account", "region", "wave", "state", "detail"],
        &rows,
    )
}

/// The first line of a detail, at most 120 characters: the table stays one line per customer
/// (the report keeps it whole).
fn one_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    if first.chars().count() > 120 {
        format!("{}...", first.chars().take(117).collect::<String>())
    } else {
        first.to_owned()
    }
}

/// The JSON report.
#[derive(Serialize)]
struct Report<'a> {
    engine: &'static str,
    product: String,
    /// The template set deployed, per environment (`byoa fleet status` reads it back).
    versions: BTreeMap<&'a str, String>,
    summary: String,
    max_failures: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    halted: Option<&'a str>,
    customers: Vec<ReportRow<'a>>,
}

#[derive(Serialize)]
struct ReportRow<'a> {
    #[serde(flatten)]
    row: &'a waves::Row,
    account_id: &'a str,
    region: &'a str,
    environment: &'a str,
}

impl<'a> Report<'a> {
    fn new(
        board: &'a Board,
        customers: &BTreeMap<&'a str, &'a Customer>,
        outputs: &'a BTreeMap<String, Output>,
        engine: Engine,
    ) -> Report<'a> {
        Report {
            engine: match engine {
                Engine::Waves => "waves",
                Engine::Stacksets => "stacksets",
            },
            product: outputs
                .values()
                .next()
                .map(|o| o.manifest.product.clone())
                .unwrap_or_default(),
            versions: outputs
                .iter()
                .map(|(env, o)| (env.as_str(), plan::template_set(o)))
                .collect(),
            summary: board.summary(),
            max_failures: board.max_failures,
            halted: board.halted.as_deref(),
            customers: board
                .rows
                .iter()
                .filter_map(|row| {
                    let c = customers.get(row.customer.as_str())?;
                    Some(ReportRow {
                        row,
                        account_id: &c.account_id,
                        region: &c.region,
                        environment: &c.environment,
                    })
                })
                .collect(),
        }
    }
}

fn write_report(path: &Path, json: &str) -> Result<(), Diagnostic> {
    crate::synth::write_atomic(path, format!("{json}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::guard::Hazard;
    use crate::deploy::waves::plan;

    fn hazard(id: &str) -> Hazard {
        Hazard {
            stack: "database".into(),
            logical_id: id.into(),
            kind: "AWS::RDS::DBInstance".into(),
            reason: "replaced: the new resource starts empty".into(),
            forcing: vec!["DBName".into()],
            spec: vec![],
            source: "byoa and aws",
            allowed: false,
            hint: None,
        }
    }

    #[test]
    fn a_guarded_customer_is_blocked_with_the_data_loss_code_never_deployed() {
        let d = done(Ok(Outcome::Blocked {
            hazards: vec![hazard("Database"), hazard("Replica")],
        }));
        assert_eq!(d.state, State::Blocked);
        assert_eq!(d.code.as_deref(), Some("deploy.data-loss"));
        assert!(
            d.detail.starts_with("2 resource(s) would lose data or widen access, nothing executed: `Database` (AWS::RDS::DBInstance)"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn errors_and_outcomes_map_to_states_with_their_codes() {
        let err = done(Err(vec![Diagnostic::new(
            crate::diag::Code::DeployAccessStack,
            "the access stack `x` does not exist",
        )]));
        assert_eq!(
            (err.state, err.code.as_deref()),
            (State::Failed, Some("deploy.access-stack"))
        );
        assert_eq!(done(Ok(Outcome::NoChanges)).state, State::NoChanges);
    }

    #[test]
    fn blocked_alone_exits_3_a_failure_or_halt_exits_2() {
        let waves = plan(&[("a".into(), false), ("b".into(), false)], 5);
        let mut board = Board::new(&waves, 5);
        board.set("a", State::Deployed, "", None);
        board.set("b", State::Blocked, "", None);
        assert_eq!(exit_code(&board), exit::BLOCKED);
        board.set("b", State::Failed, "", None);
        assert_eq!(exit_code(&board), exit::ERROR);
        board.set("b", State::NoChanges, "", None);
        assert_eq!(exit_code(&board), exit::OK);
    }
}
