//! The data-loss guard: what must stop before a change set executes. Pure.
//!
//! Input: byoa's prediction (`diff` of the deployed templates against the new ones, when the
//! stack exists), the change set's rows per module stack (AWS's own answer), and the logical
//! ids the user allowed. Output: one `Hazard` per stateful resource that would be replaced,
//! may be replaced, deleted, or lose the `DeletionPolicy` keeping its data, and per vendor
//! grant the access stack would add. Where the prediction and AWS disagree, the stricter
//! wins: AWS sees parameter values byoa cannot, byoa sees deletion policies and create-only
//! properties AWS reports only as `Conditional`.

use serde::Serialize;

use super::ResourceChange;
use crate::diff::table::Table;
use crate::diff::{Diff, Impact, Replacement, ResourceDiff, Stack, StackDiff};
use crate::naming;

/// One thing that stops the deploy until allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    /// The module stack (`database`).
    pub stack: String,
    pub logical_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// What happens to the data or the access, in words.
    pub reason: String,
    /// The properties that force it (`DBName`), as byoa or AWS named them.
    pub forcing: Vec<String>,
    /// The `byoa.yaml` fields whose change causes it (`database.name`), when byoa traced them.
    pub spec: Vec<String>,
    /// Who said so: `byoa`, `aws` or both.
    pub source: &'static str,
    /// Allowed by `--allow-replace`.
    pub allowed: bool,
    /// How to avoid it, when byoa knows a better way than allowing it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Hazard {
    /// `stack/LogicalId`, as `--allow-replace` takes it.
    pub fn id(&self) -> String {
        format!("{}/{}", self.stack, self.logical_id)
    }
}

/// The hazards of a deploy. `changes` are AWS's rows with the module stack each belongs to;
/// `allowed` holds `LogicalId` or `stack/LogicalId` entries.
pub fn hazards(
    predicted: Option<&Diff<'_>>,
    changes: &[(String, ResourceChange)],
    allowed: &[String],
) -> Vec<Hazard> {
    let table = Table::get();
    let mut out: Vec<Hazard> = Vec::new();
    if let Some(diff) = predicted {
        for s in &diff.stacks {
            for r in &s.resources {
                let Some(why) = &r.data_loss else { continue };
                out.push(Hazard {
                    stack: s.stack.clone(),
                    logical_id: r.logical_id.clone(),
                    kind: r.kind.clone(),
                    reason: why.clone(),
                    forcing: r
                        .properties
                        .iter()
                        .filter(|p| p.replacement >= Replacement::Conditional)
                        .map(|p| match &p.why {
                            Some(w) => format!("{} ({w})", p.path),
                            None => p.path.clone(),
                        })
                        .collect(),
                    spec: fields_behind(r, Replacement::Conditional),
                    source: "byoa",
                    allowed: false,
                    hint: keep_generated_identifier(s, r),
                });
            }
            // The vendor's own access is the access stack's grants.
            if s.stack == naming::ACCESS {
                for a in s.iam.iter().filter(|a| a.broadened) {
                    out.push(Hazard {
                        stack: s.stack.clone(),
                        logical_id: a.logical_id.clone(),
                        kind: a.kind.clone(),
                        reason: format!("broadens the vendor's access: {}", a.added.join("; ")),
                        forcing: Vec::new(),
                        spec: Vec::new(),
                        source: "byoa",
                        allowed: false,
                        hint: None,
                    });
                }
            }
        }
    }
    for (stack, c) in changes {
        if !table.is_stateful(&c.kind) {
            continue;
        }
        let aws = match (c.action.as_str(), c.replacement.as_deref()) {
            ("Remove", _) => Impact::Destroy,
            ("Modify", Some("True")) => Impact::Replace,
            ("Modify", Some("Conditional")) => Impact::MayReplace,
            _ => continue,
        };
        let predicted_row = predicted.and_then(|d| {
            d.stacks
                .iter()
                .find(|s| s.stack == *stack)?
                .resources
                .iter()
                .find(|r| r.logical_id == c.logical_id)
        });
        // byoa knows the deletion policy: a removed resource that is retained keeps its data.
        if aws == Impact::Destroy && predicted_row.is_some_and(|r| r.impact == Impact::Orphan) {
            continue;
        }
        if let Some(h) = out
            .iter_mut()
            .find(|h| h.stack == *stack && h.logical_id == c.logical_id)
        {
            h.source = "byoa and aws";
            for p in &c.recreating {
                if !h
                    .forcing
                    .iter()
                    .any(|f| f == p || f.starts_with(&format!("{p} (")))
                {
                    h.forcing.push(p.clone());
                }
            }
            continue;
        }
        let reason = match aws {
            Impact::Destroy => "deleted with its data",
            Impact::Replace => "replaced: the new resource starts empty",
            _ => "may be replaced: the new resource would start empty",
        };
        out.push(Hazard {
            stack: stack.clone(),
            logical_id: c.logical_id.clone(),
            kind: c.kind.clone(),
            reason: reason.to_owned(),
            forcing: c.recreating.clone(),
            spec: predicted_row
                .map(|r| fields_behind(r, Replacement::Conditional))
                .unwrap_or_default(),
            source: "aws",
            allowed: false,
            hint: None,
        });
    }
    for h in &mut out {
        h.allowed = allowed.iter().any(|a| *a == h.logical_id || *a == h.id());
    }
    out
}

/// The way out when a database instance is replaced to get byoa's fixed identifier, having
/// had one CloudFormation generated (a deployment made before fixed identifiers): keep the
/// generated one, in this environment only.
fn keep_generated_identifier(s: &StackDiff<'_>, r: &ResourceDiff) -> Option<String> {
    if r.kind != "AWS::RDS::DBInstance" {
        return None;
    }
    let pointer = format!(
        "/Resources/{}/Properties/DBInstanceIdentifier",
        r.logical_id
    );
    let named =
        |stack: Option<&Stack>| stack.is_some_and(|st| st.template().pointer(&pointer).is_some());
    (!named(s.old) && named(s.new)).then(|| {
        "the deployed instance has the identifier CloudFormation generated and byoa now fixes it: to keep this database, set `identifier: generated` under `database:` in this environment's overlay (README, \"Fixed database identifiers\")".to_owned()
    })
}

/// The spec fields behind the properties of `r` that change with at least `least` (all of
/// them with `Replacement::Never`), else behind the resource itself; sorted, each once.
pub fn fields_behind(r: &ResourceDiff, least: Replacement) -> Vec<String> {
    let mut fields: Vec<String> = r
        .properties
        .iter()
        .filter(|p| p.replacement >= least)
        .flat_map(|p| p.spec.iter().cloned())
        .collect();
    if fields.is_empty() {
        fields.clone_from(&r.spec);
    }
    fields.sort();
    fields.dedup();
    fields
}

#[cfg(test)]
mod tests;
