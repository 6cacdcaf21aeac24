//! Changes that cross nested stacks: a parent wires one child's outputs into another child's
//! parameters (`Fn::GetAtt Child.Outputs.X`), so a replacement in one stack changes parameter
//! values in another whose own template is unchanged.
//!
//! Input: every stack's rows (before classification) and new templates. Output: the same rows,
//! with `replace::propagate` rerun in each stack from "seeds" (parameters whose value changes)
//! until no stack gains a seed. A child is found by its `AWS::CloudFormation::Stack` resource's
//! `TemplateURL`, whose last path segment names the child's template file (`.../database.yaml`
//! -> stack `database`). A seed comes from a child output that changes (its text, or a replaced
//! resource or changing parameter it names), from a parent resource that is replaced, or from
//! a parameter value the parent passes that differs between the two templates.

use std::collections::BTreeMap;

use serde_json::Value;

use super::compare::{section, type_of};
use super::replace::{self, Seeds};
use super::{Change, Replacement, StackDiff};
use crate::cfn::check::sub_variables;

/// Propagates through parents and children until every stack is stable.
pub fn propagate(stacks: &mut [StackDiff<'_>]) {
    let mut seeds: Vec<Seeds> = vec![Seeds::new(); stacks.len()];
    loop {
        for (s, seeds) in stacks.iter_mut().zip(&seeds) {
            let Some(new) = s.new else { continue };
            // Nothing replaced and nothing seeded: nothing to spread (and no need to parse).
            if s.resources.is_empty() && seeds.is_empty() {
                continue;
            }
            replace::propagate(&mut s.resources, new.template(), seeds);
            replace::outputs_via(&mut s.outputs, &s.resources, new.template(), seeds);
        }
        let quiet = stacks
            .iter()
            .all(|s| s.resources.is_empty() && s.outputs.is_empty());
        if quiet && seeds.iter().all(Seeds::is_empty) {
            return;
        }
        let next = from_parents(stacks, &seeds);
        if next == seeds {
            return;
        }
        seeds = next;
    }
}

/// The child stack a nested-stack resource deploys, from the file name in its `TemplateURL`.
pub fn child_name(resource: &Value) -> Option<String> {
    let url = resource.pointer("/Properties/TemplateURL")?;
    let text = match url {
        Value::String(s) => s.clone(),
        Value::Object(m) => match (m.get("Fn::Sub"), m.get("Fn::Join")) {
            (Some(Value::String(s)), _) => s.clone(),
            (Some(Value::Array(a)), _) => a.first()?.as_str()?.to_owned(),
            (_, Some(Value::Array(a))) => a
                .get(1)?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect(),
            _ => return None,
        },
        _ => return None,
    };
    let file = text.rsplit('/').next()?;
    Some(file.split('.').next()?.to_owned())
}

/// Every `(resource, attribute)` that `value` reads through `Fn::GetAtt` or a `Fn::Sub`
/// variable.
fn get_atts(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(m) => {
            match m.get("Fn::GetAtt") {
                Some(Value::Array(a)) => {
                    if let (Some(id), Some(attr)) = (a.first(), a.get(1)) {
                        out.push((text(id), text(attr)));
                    }
                }
                Some(Value::String(s)) => {
                    if let Some((id, attr)) = s.split_once('.') {
                        out.push((id.to_owned(), attr.to_owned()));
                    }
                }
                _ => {}
            }
            let sub = match m.get("Fn::Sub") {
                Some(Value::String(s)) => Some(s.as_str()),
                Some(Value::Array(a)) => a.first().and_then(Value::as_str),
                _ => None,
            };
            for var in sub.map(sub_variables).unwrap_or_default() {
                if let Some((id, attr)) = var.split_once('.') {
                    out.push((id.to_owned(), attr.to_owned()));
                }
            }
            m.values().for_each(|v| get_atts(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| get_atts(v, out)),
        _ => {}
    }
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// How surely each output of a stack changes value.
fn changing_outputs(s: &StackDiff<'_>, seeds: &Seeds) -> BTreeMap<String, Replacement> {
    let changing = replace::changing(&s.resources, seeds);
    s.outputs
        .iter()
        .filter(|o| o.change != Change::Removed)
        .filter_map(|o| {
            let how = if o.change == Change::Added || o.fields.iter().any(|f| f == "Value") {
                Replacement::Always
            } else {
                o.via
                    .iter()
                    .filter_map(|v| changing.get(v))
                    .copied()
                    .max()?
            };
            Some((o.id.clone(), how))
        })
        .collect()
}

/// The seeds each stack receives from its parents, given the current ones.
fn from_parents(stacks: &[StackDiff<'_>], seeds: &[Seeds]) -> Vec<Seeds> {
    let index: BTreeMap<&str, usize> = stacks
        .iter()
        .enumerate()
        .map(|(i, s)| (s.stack.as_str(), i))
        .collect();
    let mut next = seeds.to_vec();
    // A parent passes something new only when a child's output changes or the parent itself
    // has changed resources: otherwise its template need not even be parsed.
    let outputs_change = stacks.iter().any(|s| !s.outputs.is_empty());
    for (p, parent) in stacks.iter().enumerate() {
        if !outputs_change && parent.resources.is_empty() {
            continue;
        }
        let Some(new) = parent.new.filter(|n| n.may_nest()) else {
            continue;
        };
        let Some(resources) = section(new.template(), "Resources") else {
            continue;
        };
        let old = match parent.old {
            Some(o) if o.same_text(new) => Some(resources),
            Some(o) => section(o.template(), "Resources"),
            None => None,
        };
        // Nested-stack resource id -> child index.
        let children: BTreeMap<&str, usize> = resources
            .iter()
            .filter(|(_, r)| type_of(r) == "AWS::CloudFormation::Stack")
            .filter_map(|(id, r)| Some((id.as_str(), *index.get(child_name(r)?.as_str())?)))
            .collect();
        let outputs: BTreeMap<&str, BTreeMap<String, Replacement>> = children
            .iter()
            .map(|(id, c)| (*id, changing_outputs(&stacks[*c], &seeds[*c])))
            .collect();
        let replaced = replace::changing(&parent.resources, &seeds[p]);
        for (id, c) in &children {
            let Some(params) = resources[*id]
                .pointer("/Properties/Parameters")
                .and_then(Value::as_object)
            else {
                continue;
            };
            let before = old
                .and_then(|o| o.get(*id))
                .and_then(|r| r.pointer("/Properties/Parameters"));
            for (name, value) in params {
                let mut found: Vec<(Replacement, String)> = Vec::new();
                if before.and_then(|b| b.get(name)) != Some(value) {
                    found.push((
                        Replacement::Always,
                        format!("`{}` passes another value", parent.stack),
                    ));
                }
                let mut reads = Vec::new();
                get_atts(value, &mut reads);
                for (source, attr) in reads {
                    let output = attr.strip_prefix("Outputs.").unwrap_or_default();
                    if let Some(how) = outputs.get(source.as_str()).and_then(|o| o.get(output)) {
                        let from = stacks[children[source.as_str()]].stack.as_str();
                        found.push((*how, format!("from `{from}` outputs")));
                    }
                }
                for id in crate::cfn::check::referenced_ids(value) {
                    if let Some(how) = replaced.get(&id) {
                        found.push((*how, format!("from `{}` resource `{id}`", parent.stack)));
                    }
                }
                let Some(how) = found.iter().map(|(h, _)| *h).max() else {
                    continue;
                };
                let mut why: Vec<String> = found.into_iter().map(|(_, w)| w).collect();
                why.dedup();
                let entry = next[*c]
                    .entry(name.clone())
                    .or_insert((how, why.join("; ")));
                if entry.0 < how {
                    *entry = (how, why.join("; "));
                }
            }
        }
    }
    next
}
