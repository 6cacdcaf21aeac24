//! Change sets for people: AWS's rows per module stack, each with what it does to data.
//!
//! Input: the rows of a change set and its nested change sets (with their module), byoa's
//! prediction and the guard's hazards. Output: text, one line per resource, grouped by module
//! stack; nested-stack rows are the groups themselves. A row the guard stops says why and how
//! to allow it; one that byoa predicts differently from AWS says both.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::ResourceChange;
use super::guard::Hazard;
use crate::diff::Diff;

/// The change set of `stack` as text.
pub fn change_set(
    stack: &str,
    changes: &[(String, ResourceChange)],
    predicted: Option<&Diff<'_>>,
    hazards: &[Hazard],
) -> String {
    let mut groups: BTreeMap<&str, Vec<&ResourceChange>> = BTreeMap::new();
    for (module, c) in changes {
        // A nested stack with its own change set is the group of its rows.
        if c.nested_change_set.is_none() {
            groups.entry(module.as_str()).or_default().push(c);
        }
    }
    let mut out = String::new();
    let count: usize = groups.values().map(Vec::len).sum();
    let _ = write!(out, "change set for {stack}: {count} resource change(s)");
    let width = groups
        .values()
        .flatten()
        .map(|c| c.logical_id.len())
        .max()
        .unwrap_or(0);
    for (module, rows) in &groups {
        let _ = write!(out, "\n  {module}");
        for c in rows {
            let sign = match c.action.as_str() {
                "Add" => '+',
                "Remove" => '-',
                "Modify" => '~',
                "Import" => '<',
                _ => '?',
            };
            let what = match (c.action.as_str(), c.replacement.as_deref()) {
                ("Modify", Some("True")) => "replace".to_owned(),
                ("Modify", Some("Conditional")) => "may replace".to_owned(),
                ("Modify", _) => "modify".to_owned(),
                (a, _) => a.to_lowercase(),
            };
            let _ = write!(
                out,
                "\n    {sign} {:<width$}  {:<36} {what}",
                c.logical_id, c.kind
            );
            if !c.recreating.is_empty() {
                let _ = write!(out, " ({})", c.recreating.join(", "));
            }
            if let Some(p) = predicted_impact(predicted, module, &c.logical_id)
                && p != what
            {
                let _ = write!(out, "; byoa predicts {p}");
            }
            let fields = spec_fields(predicted, module, &c.logical_id);
            if !fields.is_empty() {
                let _ = write!(out, "\n      from byoa.yaml: {}", fields.join(", "));
            }
            if let Some(h) = hazards
                .iter()
                .find(|h| h.stack == *module && h.logical_id == c.logical_id)
            {
                let _ = write!(out, "\n      data: {}", h.reason);
                if h.allowed {
                    let _ = write!(out, " (allowed by --allow-replace)");
                }
            }
        }
    }
    // Hazards AWS has no row for (a lost deletion policy is a plain modify to AWS).
    for h in hazards {
        let listed = changes
            .iter()
            .any(|(m, c)| *m == h.stack && c.logical_id == h.logical_id);
        if !listed {
            let _ = write!(out, "\n  {}: {} {}", h.stack, h.logical_id, h.reason);
            if h.allowed {
                let _ = write!(out, " (allowed by --allow-replace)");
            }
        }
    }
    out
}

/// The spec fields behind a resource's changed properties (or its existence), as traced.
fn spec_fields(predicted: Option<&Diff<'_>>, module: &str, id: &str) -> Vec<String> {
    let Some(r) = predicted
        .and_then(|d| d.stacks.iter().find(|s| s.stack == module))
        .and_then(|s| s.resources.iter().find(|r| r.logical_id == id))
    else {
        return Vec::new();
    };
    super::guard::fields_behind(r, crate::diff::Replacement::Never)
}

/// byoa's word for what happens to a resource, in the change set's vocabulary.
fn predicted_impact(predicted: Option<&Diff<'_>>, module: &str, id: &str) -> Option<String> {
    let r = predicted?
        .stacks
        .iter()
        .find(|s| s.stack == module)?
        .resources
        .iter()
        .find(|r| r.logical_id == id)?;
    Some(
        match r.impact.as_str() {
            "update" => "modify",
            "create" => "add",
            "destroy" | "orphan" => "remove",
            other => other,
        }
        .replace('-', " "),
    )
}
