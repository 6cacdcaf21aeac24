//! Rollout waves: which customers deploy together, in what order, and when the rest stop. Pure.
//!
//! Input: the selected customers in `customers.yaml` order, each with its `canary` flag, a
//! batch size and a failure threshold. Output: the waves (the canaries first, as one wave,
//! then the others in batches of the batch size) and, as results come in, the `Board`: one
//! row per customer, its wave, its state and the detail that explains it, and whether the
//! remaining customers are halted.
//!
//! Invariants: every selected customer is in exactly one wave and one row; a customer not
//! deployed (failed, or stopped by the data-loss guard: never allowed automatically) counts
//! against `--max-failures`; once more than that many are not deployed, or any canary is not,
//! no customer starts any more and the ones left are `halted`: the rows say so, a failure never
//! hides the others.

use serde::Serialize;

/// One wave: customers that may deploy at the same time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wave {
    /// From 1.
    pub number: usize,
    pub canary: bool,
    pub customers: Vec<String>,
}

/// The waves for `customers` (id, canary) in their order: the canaries first, together, then
/// batches of `batch_size` (at least 1).
pub fn plan(customers: &[(String, bool)], batch_size: usize) -> Vec<Wave> {
    let mut waves = Vec::new();
    let canaries: Vec<String> = customers
        .iter()
        .filter(|(_, c)| *c)
        .map(|(id, _)| id.clone())
        .collect();
    if !canaries.is_empty() {
        waves.push(Wave {
            number: 1,
            canary: true,
            customers: canaries,
        });
    }
    let rest: Vec<String> = customers
        .iter()
        .filter(|(_, c)| !*c)
        .map(|(id, _)| id.clone())
        .collect();
    for batch in rest.chunks(batch_size.max(1)) {
        waves.push(Wave {
            number: waves.len() + 1,
            canary: false,
            customers: batch.to_vec(),
        });
    }
    waves
}

/// Where one customer's deploy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Its wave has not started.
    Waiting,
    Deploying,
    Deployed,
    /// The stacks already match this version: nothing was executed.
    NoChanges,
    /// The data-loss guard stopped it before anything executed.
    Blocked,
    Failed,
    /// The failure threshold was crossed before its turn: not attempted.
    Halted,
}

impl State {
    /// Settled and on the new version.
    pub fn is_success(self) -> bool {
        matches!(self, State::Deployed | State::NoChanges)
    }

    /// Counts against the failure threshold.
    pub fn is_failure(self) -> bool {
        matches!(self, State::Blocked | State::Failed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::Deploying => "deploying",
            State::Deployed => "deployed",
            State::NoChanges => "no-changes",
            State::Blocked => "blocked",
            State::Failed => "failed",
            State::Halted => "halted",
        }
    }
}

/// One customer's line of the status table and of the JSON report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub customer: String,
    pub wave: usize,
    pub canary: bool,
    pub state: State,
    /// The stack status, or why it failed, was blocked or halted.
    pub detail: String,
    /// The diagnostic code of a failure (`deploy.aws`, `deploy.data-loss`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Every customer's row and the threshold's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Board {
    pub rows: Vec<Row>,
    pub max_failures: usize,
    /// Why the remaining customers were halted, once they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub halted: Option<String>,
}

impl Board {
    /// Every customer of `waves` waiting.
    pub fn new(waves: &[Wave], max_failures: usize) -> Board {
        let rows = waves
            .iter()
            .flat_map(|w| {
                w.customers.iter().map(|c| Row {
                    customer: c.clone(),
                    wave: w.number,
                    canary: w.canary,
                    state: State::Waiting,
                    detail: String::new(),
                    code: None,
                })
            })
            .collect();
        Board {
            rows,
            max_failures,
            halted: None,
        }
    }

    /// Records a customer's new state; a failure may halt the rest.
    pub fn set(&mut self, customer: &str, state: State, detail: &str, code: Option<&str>) {
        let Some(row) = self.rows.iter_mut().find(|r| r.customer == customer) else {
            return;
        };
        row.state = state;
        row.detail = detail.to_owned();
        row.code = code.map(str::to_owned);
        let canary = row.canary;
        if self.halted.is_some() || !state.is_failure() {
            return;
        }
        let failures = self.failures();
        if canary {
            self.halted = Some(format!(
                "canary `{customer}` was not deployed: the other waves did not start"
            ));
        } else if failures > self.max_failures {
            self.halted = Some(format!(
                "{failures} customer(s) not deployed, more than --max-failures {}: the remaining customers were not started",
                self.max_failures
            ));
        }
    }

    /// Whether `customer` may start: nothing halted the rollout.
    pub fn may_start(&self) -> bool {
        self.halted.is_none()
    }

    /// Marks every customer that never started as halted (after the run stopped).
    pub fn close(&mut self) {
        let why = self.halted.clone().unwrap_or_default();
        for r in self.rows.iter_mut().filter(|r| r.state == State::Waiting) {
            r.state = State::Halted;
            r.detail = why.clone();
        }
    }

    pub fn failures(&self) -> usize {
        self.rows.iter().filter(|r| r.state.is_failure()).count()
    }

    /// How many rows are in `state`.
    pub fn count(&self, state: State) -> usize {
        self.rows.iter().filter(|r| r.state == state).count()
    }

    /// `deployed 3, no-changes 1, failed 1` for the states present, in table order.
    pub fn summary(&self) -> String {
        [
            State::Deployed,
            State::NoChanges,
            State::Blocked,
            State::Failed,
            State::Halted,
            State::Deploying,
            State::Waiting,
        ]
        .iter()
        .filter(|s| self.count(**s) > 0)
        .map(|s| format!("{} {}", s.as_str(), self.count(*s)))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customers(spec: &[(&str, bool)]) -> Vec<(String, bool)> {
        spec.iter().map(|(id, c)| ((*id).to_owned(), *c)).collect()
    }

    #[test]
    fn canaries_go_first_together_then_batches_in_file_order() {
        let waves = plan(
            &customers(&[
                ("a", false),
                ("b", true),
                ("c", false),
                ("d", false),
                ("e", true),
                ("f", false),
            ]),
            2,
        );
        let got: Vec<(usize, bool, Vec<&str>)> = waves
            .iter()
            .map(|w| {
                (
                    w.number,
                    w.canary,
                    w.customers.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1, true, vec!["b", "e"]),
                (2, false, vec!["a", "c"]),
                (3, false, vec!["d", "f"]),
            ]
        );
    }

    #[test]
    fn without_canaries_the_first_batch_is_wave_one_and_a_zero_batch_size_means_one() {
        let waves = plan(&customers(&[("a", false), ("b", false)]), 0);
        assert_eq!(waves.len(), 2);
        assert_eq!(waves[0].number, 1);
        assert!(!waves[0].canary);
        assert_eq!(waves[1].customers, vec!["b".to_owned()]);
        assert!(plan(&[], 5).is_empty());
    }

    #[test]
    fn failures_up_to_the_threshold_go_on_one_more_halts_the_rest() {
        let waves = plan(
            &customers(&[("a", false), ("b", false), ("c", false), ("d", false)]),
            1,
        );
        let mut board = Board::new(&waves, 1);
        board.set("a", State::Failed, "CREATE_FAILED", Some("deploy.failed"));
        assert!(board.may_start(), "one failure is tolerated");
        board.set("b", State::Deployed, "UPDATE_COMPLETE", None);
        board.set(
            "c",
            State::Blocked,
            "Database replaced",
            Some("deploy.data-loss"),
        );
        assert!(!board.may_start(), "a blocked customer counts as a failure");
        board.close();
        let d = &board.rows[3];
        assert_eq!(d.state, State::Halted);
        assert!(
            d.detail.contains("more than --max-failures 1"),
            "{}",
            d.detail
        );
        // Every customer keeps its own row: the failure hides nothing.
        assert_eq!(board.summary(), "deployed 1, blocked 1, failed 1, halted 1");
        assert_eq!(board.rows[0].code.as_deref(), Some("deploy.failed"));
    }

    #[test]
    fn a_canary_not_deployed_halts_whatever_the_threshold() {
        let waves = plan(&customers(&[("a", true), ("b", false)]), 10);
        let mut board = Board::new(&waves, 5);
        board.set("a", State::Blocked, "guard", Some("deploy.data-loss"));
        assert!(!board.may_start());
        board.close();
        assert_eq!(board.rows[1].state, State::Halted);
        assert!(board.halted.as_deref().unwrap().contains("canary `a`"));
    }

    #[test]
    fn successes_and_no_changes_never_halt() {
        let waves = plan(&customers(&[("a", true), ("b", false)]), 1);
        let mut board = Board::new(&waves, 0);
        board.set("a", State::NoChanges, "", None);
        board.set("b", State::Deployed, "UPDATE_COMPLETE", None);
        assert!(board.may_start());
        board.close();
        assert_eq!(board.failures(), 0);
        assert!(board.rows.iter().all(|r| r.state.is_success()));
    }

    #[test]
    fn the_report_names_states_in_kebab_case() {
        let waves = plan(&customers(&[("a", false)]), 1);
        let mut board = Board::new(&waves, 0);
        board.set("a", State::NoChanges, "", None);
        let json = serde_json::to_value(&board).unwrap();
        assert_eq!(json["rows"][0]["state"], "no-changes");
        assert!(json.get("halted").is_none());
    }
}
