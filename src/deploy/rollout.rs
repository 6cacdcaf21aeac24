//! Rollout: runs the waves `waves::plan` made, each customer's deploy on a worker thread, at
//! most `concurrency` at a time, and keeps the `Board` as results come in.
//!
//! Input: the waves, a `Board`, the concurrency, and the work: a function from a customer id to
//! how its deploy ended (`commands::rollout` connects through the customer's deployer role and
//! runs `deploy::run::deploy`; the tests pass plain functions). Output: the board, every row
//! settled (`halted` for customers that never started). `seen` is called on this thread after
//! every change, so the caller redraws its table without locks.
//!
//! Invariants: a wave starts only when the one before has settled and nothing halted the
//! rollout; within a wave, a worker takes no new customer once the board halts; a customer that
//! started always reports how it ended (a panic in its deploy is a failure of that customer
//! only).

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::mpsc;

use super::waves::{Board, State, Wave};

/// How one customer's deploy ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub state: State,
    pub detail: String,
    pub code: Option<String>,
}

/// Runs every wave of `waves` through `deploy`, updating `board` and telling `seen`.
pub fn run<F>(
    waves: &[Wave],
    concurrency: usize,
    board: &mut Board,
    deploy: F,
    seen: &mut dyn FnMut(&Board),
) where
    F: Fn(&str) -> Done + Sync,
{
    let shared = Mutex::new(board);
    for wave in waves {
        if !lock(&shared).may_start() {
            break;
        }
        let queue: Mutex<VecDeque<&str>> =
            Mutex::new(wave.customers.iter().map(String::as_str).collect());
        let (tx, rx) = mpsc::channel::<()>();
        let workers = concurrency.max(1).min(wave.customers.len());
        std::thread::scope(|s| {
            for _ in 0..workers {
                let tx = tx.clone();
                let (queue, shared, deploy) = (&queue, &shared, &deploy);
                s.spawn(move || {
                    loop {
                        // The verdict of every result so far decides, under one lock.
                        let customer = {
                            let mut board = lock(shared);
                            if !board.may_start() {
                                return;
                            }
                            let Some(c) = lock(queue).pop_front() else {
                                return;
                            };
                            board.set(c, State::Deploying, "", None);
                            c
                        };
                        let _ = tx.send(());
                        let done = catch_unwind(AssertUnwindSafe(|| deploy(customer)))
                            .unwrap_or_else(|_| Done {
                                state: State::Failed,
                                detail: "byoa stopped unexpectedly while deploying this customer"
                                    .to_owned(),
                                code: None,
                            });
                        lock(shared).set(customer, done.state, &done.detail, done.code.as_deref());
                        let _ = tx.send(());
                    }
                });
            }
            drop(tx);
            for () in rx {
                seen(&lock(&shared));
            }
        });
    }
    let board = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    board.close();
    seen(board);
}

/// A lock even after a panic elsewhere: the board and the queue stay consistent (each update
/// is one call).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::waves::plan;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn ok() -> Done {
        Done {
            state: State::Deployed,
            detail: "UPDATE_COMPLETE".into(),
            code: None,
        }
    }

    fn failed() -> Done {
        Done {
            state: State::Failed,
            detail: "AccessDenied".into(),
            code: Some("deploy.aws".into()),
        }
    }

    fn ids(n: usize) -> Vec<(String, bool)> {
        (0..n).map(|i| (format!("c{i}"), i == 0)).collect()
    }

    #[test]
    fn every_customer_deploys_once_with_at_most_the_concurrency_at_a_time() {
        let waves = plan(&ids(9), 4);
        let mut board = Board::new(&waves, 0);
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let calls = Mutex::new(Vec::new());
        run(
            &waves,
            2,
            &mut board,
            |c| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(5));
                calls.lock().unwrap().push(c.to_owned());
                running.fetch_sub(1, Ordering::SeqCst);
                ok()
            },
            &mut |_| {},
        );
        let mut calls = calls.into_inner().unwrap();
        assert_eq!(
            calls[0], "c0",
            "the canary wave settles before the others start"
        );
        calls.sort();
        assert_eq!(calls.len(), 9);
        calls.dedup();
        assert_eq!(calls.len(), 9);
        assert!(peak.load(Ordering::SeqCst) <= 2);
        assert_eq!(board.count(State::Deployed), 9);
    }

    #[test]
    fn one_failing_account_is_isolated_and_the_others_deploy() {
        let waves = plan(&ids(4), 3);
        let mut board = Board::new(&waves, 1);
        let mut seen = 0;
        run(
            &waves,
            3,
            &mut board,
            |c| if c == "c2" { failed() } else { ok() },
            &mut |_| seen += 1,
        );
        let states: Vec<(&str, State)> = board
            .rows
            .iter()
            .map(|r| (r.customer.as_str(), r.state))
            .collect();
        assert_eq!(
            states,
            vec![
                ("c0", State::Deployed),
                ("c1", State::Deployed),
                ("c2", State::Failed),
                ("c3", State::Deployed),
            ]
        );
        assert_eq!(board.rows[2].code.as_deref(), Some("deploy.aws"));
        // Started and done for each, and the final call.
        assert_eq!(seen, 9);
    }

    #[test]
    fn crossing_the_threshold_halts_the_waves_after_it() {
        let waves = plan(&ids(5), 2);
        let mut board = Board::new(&waves, 0);
        run(
            &waves,
            1,
            &mut board,
            |c| if c == "c1" { failed() } else { ok() },
            &mut |_| {},
        );
        // Waves: [c0] canary, [c1 c2], [c3 c4]; one worker: c1 fails, c2 never starts.
        let states: Vec<State> = board.rows.iter().map(|r| r.state).collect();
        assert_eq!(
            states,
            vec![
                State::Deployed,
                State::Failed,
                State::Halted,
                State::Halted,
                State::Halted
            ]
        );
    }

    #[test]
    fn a_panicking_deploy_fails_that_customer_only() {
        let waves = plan(&ids(3), 3);
        let mut board = Board::new(&waves, 5);
        run(
            &waves,
            2,
            &mut board,
            |c| {
                assert_ne!(c, "c1", "boom");
                ok()
            },
            &mut |_| {},
        );
        assert_eq!(board.rows[1].state, State::Failed);
        assert_eq!(board.count(State::Deployed), 2);
    }
}
