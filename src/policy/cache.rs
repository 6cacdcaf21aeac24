//! Outcomes remembered across runs: what the engine made of one rule and one template, keyed by
//! the sha256 of the rule's text and of the template's text.
//!
//! Input: the cache's JSON text from an earlier run (or nothing) and the identity of the byoa
//! build that reads it. Output: the outcomes of pairs seen before, and the JSON to keep for the
//! next run. Invariants: an outcome depends only on the engine, the rule's text and the
//! template's text, so a cached pair is what evaluating it again would give (a test compares
//! them); a cache written by another build (another engine or another way of reading its report)
//! is ignored as a whole; what is kept is exactly the pairs this run used, so the cache stays
//! the size of one check. Nothing here touches files: the command layer reads and writes the
//! text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::guard::Outcome;
use crate::hash::sha256_hex;

/// The outcomes of (rule, template) pairs, by the hashes of their texts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    /// The byoa build that evaluated these pairs.
    build: String,
    /// `<rule sha256>:<template sha256>` -> the pair's outcomes in the engine's order, with rule
    /// and template indices 0.
    pairs: BTreeMap<String, Vec<Outcome>>,
    /// The pairs this run used, and whether it evaluated any new one.
    #[serde(skip)]
    used: BTreeMap<String, Vec<Outcome>>,
    #[serde(skip)]
    grown: bool,
}

impl Cache {
    /// An empty cache for `build` (byoa's version and what identifies its executable).
    pub fn new(build: &str) -> Cache {
        Cache {
            build: build.to_owned(),
            ..Cache::default()
        }
    }

    /// The cache in `text` when `build` wrote it, else an empty one.
    pub fn read(text: &str, build: &str) -> Cache {
        match serde_json::from_str::<Cache>(text) {
            Ok(cache) if cache.build == build => cache,
            _ => Cache::new(build),
        }
    }

    /// What identifies a rule: the hash of its name and text.
    pub fn rule_hash(name: &str, text: &str) -> String {
        sha256_hex(format!("{name}\n{text}").as_bytes())
    }

    /// What identifies a template: the hash of its text.
    pub fn template_hash(text: &str) -> String {
        sha256_hex(text.as_bytes())
    }

    /// The key of the pair of a rule and a template, from their hashes.
    pub fn key(rule_hash: &str, template_hash: &str) -> String {
        format!("{rule_hash}:{template_hash}")
    }

    /// The outcomes of the pair `key` when an earlier run evaluated it (remembered as used).
    pub fn get(&mut self, key: &str) -> Option<&[Outcome]> {
        if let Some(outcomes) = self.pairs.remove(key) {
            self.used.insert(key.to_owned(), outcomes);
        }
        self.used.get(key).map(Vec::as_slice)
    }

    /// Remembers what the engine made of the pair `key`.
    pub fn insert(&mut self, key: String, outcomes: Vec<Outcome>) {
        let outcomes = outcomes
            .into_iter()
            .map(|o| Outcome {
                rule: 0,
                template: 0,
                ..o
            })
            .collect();
        self.used.insert(key, outcomes);
        self.grown = true;
    }

    /// The JSON to keep (the pairs this run used), when this run evaluated a pair the cache did
    /// not hold; `None` when the text read is still right.
    pub fn into_kept(self) -> Option<String> {
        if !self.grown {
            return None;
        }
        let kept = Cache {
            build: self.build,
            pairs: self.used,
            ..Cache::default()
        };
        Some(serde_json::to_string(&kept).expect("outcomes serialize"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::guard::Status;

    fn pass() -> Outcome {
        Outcome {
            rule: 3,
            template: 4,
            status: Status::Pass,
            resource: None,
            path: None,
            message: None,
            found: None,
            wanted: None,
        }
    }

    #[test]
    fn a_kept_pair_is_found_by_the_same_build_only() {
        let key = Cache::key(
            &Cache::rule_hash("R", "rule R {}"),
            &Cache::template_hash("T"),
        );
        let mut cache = Cache::new("b1");
        assert!(cache.get(&key).is_none());
        cache.insert(key.clone(), vec![pass()]);
        let kept = cache.into_kept().expect("a new pair");
        let mut same = Cache::read(&kept, "b1");
        let found = same.get(&key).expect("kept").to_vec();
        assert_eq!((found[0].rule, found[0].status), (0, Status::Pass));
        assert!(same.into_kept().is_none(), "nothing new");
        assert!(Cache::read(&kept, "b2").get(&key).is_none());
        assert!(Cache::read("not json", "b1").get(&key).is_none());
    }

    #[test]
    fn only_the_pairs_a_run_used_are_kept() {
        let (a, b) = (Cache::key("r", "a"), Cache::key("r", "b"));
        let mut first = Cache::new("b1");
        first.insert(a.clone(), vec![pass()]);
        first.insert(b.clone(), vec![pass()]);
        let mut second = Cache::read(&first.into_kept().unwrap(), "b1");
        assert!(second.get(&a).is_some());
        second.insert(Cache::key("r", "c"), vec![]);
        let mut third = Cache::read(&second.into_kept().unwrap(), "b1");
        assert!(third.get(&a).is_some());
        assert!(third.get(&b).is_none(), "unused by the second run");
    }
}
