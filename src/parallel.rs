//! Work shared out over threads: a job applied to every item of a list, the results in the
//! list's order whatever thread finished first.
//!
//! Input: the items, how many threads, the job. Output: the job's results, in order. Threads
//! take the next item as they become free, so one slow item does not hold up the rest behind
//! it. Users: synthesis builds the services' modules and renders stacks on every core, `out_dir` flushes and unlinks files on
//! several threads at once (they wait on the disk), `check` runs cfn-guard calls on every core.

use std::sync::{Mutex, PoisonError};

/// The cores this process may use, at most `cap`.
pub fn cores(cap: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(cap))
}

/// `job` applied to every item, on up to `threads` threads (none is started for one item or one
/// thread); the results in the items' order. A job's panic is raised again here.
pub fn map<T: Send, R: Send>(items: Vec<T>, threads: usize, job: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.into_iter().map(job).collect();
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let (queue, job) = (&queue, &job);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                        let Some((i, item)) = next else {
                            return mine;
                        };
                        mine.push((i, job(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// `a` and `b` at once: `a` on a thread of its own (here, after `b`, when the process has one
/// core), `b` on this one. A panic in `a` is raised again here.
pub fn join<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if cores(2) < 2 {
        let b = b();
        return (a(), b);
    }
    std::thread::scope(|s| {
        let a = s.spawn(a);
        let b = b();
        let a = a
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::{join, map};

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u64> = (0..50).collect();
        let slow_first = map(items.clone(), 4, |i| {
            // The first items finish last.
            std::thread::sleep(std::time::Duration::from_millis(50u64.saturating_sub(i)));
            i * 2
        });
        assert_eq!(slow_first, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(map(Vec::<u64>::new(), 4, |i| i), Vec::<u64>::new());
        assert_eq!(map(vec![7], 4, |i| i + 1), [8]);
    }

    #[test]
    fn join_returns_both_results_in_their_places() {
        let (a, b) = join(|| "first".to_owned(), || 2);
        assert_eq!((a.as_str(), b), ("first", 2));
    }
}
