//! Drift: what changed in the account outside CloudFormation since the last deploy. A change
//! set overwrites drifted properties and fails on deleted resources, so a deploy shows drift
//! before it updates, and `byoa drift` shows it on demand.
//!
//! Input: a `Cloud`, the stack and its nested stacks (module, stack id). Output: a `Report`:
//! in sync, drifted (each modified or deleted resource with its property differences, per
//! module stack), or unavailable (the endpoint or the role cannot detect drift: said, never
//! fatal to a deploy). Detection is asynchronous in AWS: polled every 2 s, for 10 minutes at
//! most.

use std::fmt::Write;
use std::time::Duration;

use super::{Cloud, ResourceDrift};

/// How long a detection may take before byoa stops waiting for it.
pub const LIMIT: Duration = Duration::from_secs(600);

/// The drift of one module stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackDrift {
    pub stack: String,
    pub resources: Vec<ResourceDrift>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    InSync,
    Drifted(Vec<StackDrift>),
    /// Why drift could not be detected.
    Unavailable(String),
}

/// Detects drift on `stack` (named `module`) and its `nested` stacks (module, id).
pub fn detect(cloud: &dyn Cloud, stack: &str, module: &str, nested: &[(String, String)]) -> Report {
    let id = match cloud.detect_drift(stack) {
        Ok(id) => id,
        Err(e) => return Report::Unavailable(e.to_string()),
    };
    let started = cloud.elapsed();
    let detection = loop {
        match cloud.drift_detection(&id) {
            Err(e) => return Report::Unavailable(e.to_string()),
            Ok(d) if d.status != "DETECTION_IN_PROGRESS" => break d,
            Ok(_) if cloud.elapsed().saturating_sub(started) > LIMIT => {
                return Report::Unavailable(format!(
                    "drift detection {id} still runs after {} s",
                    LIMIT.as_secs()
                ));
            }
            Ok(_) => cloud.sleep(Duration::from_secs(2)),
        }
    };
    match detection.drift.as_deref() {
        Some("IN_SYNC") => return Report::InSync,
        Some("DRIFTED") => {}
        _ => {
            return Report::Unavailable(
                detection
                    .reason
                    .unwrap_or_else(|| format!("drift detection ended {}", detection.status)),
            );
        }
    }
    let mut out = Vec::new();
    let stacks =
        std::iter::once((module.to_owned(), stack.to_owned())).chain(nested.iter().cloned());
    for (name, id) in stacks {
        match cloud.drifts(&id) {
            Ok(resources) if !resources.is_empty() => out.push(StackDrift {
                stack: name,
                resources,
            }),
            Ok(_) => {}
            Err(e) => return Report::Unavailable(e.to_string()),
        }
    }
    Report::Drifted(out)
}

/// The report as lines for people.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    match report {
        Report::InSync => out.push_str("drift: none, the account matches the deployed templates"),
        Report::Unavailable(why) => {
            let _ = write!(out, "drift: not detected ({why})");
        }
        Report::Drifted(stacks) => {
            let n: usize = stacks.iter().map(|s| s.resources.len()).sum();
            let _ = write!(
                out,
                "drift: {n} resource(s) changed outside CloudFormation (a deploy overwrites modified properties and fails on deleted resources)"
            );
            for s in stacks {
                for r in &s.resources {
                    let _ = write!(
                        out,
                        "\n  {}/{} ({}) {}",
                        s.stack, r.logical_id, r.kind, r.status
                    );
                    for d in &r.differences {
                        let _ = write!(out, "\n    {d}");
                    }
                }
            }
        }
    }
    out
}
