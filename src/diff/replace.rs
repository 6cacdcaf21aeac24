//! Replacement prediction: whether changing a property replaces its resource, and how a
//! replacement spreads to the resources that reference it.
//!
//! Input: a resource type, its old and new `Properties`, and the embedded `table`. Output: one
//! `PropertyChange` per changed top-level property, strictest verdict first found: blocked (the
//! hand-kept list of updates AWS refuses), always (a `createOnlyProperties` pointer at or under
//! the property changed), conditional (a `conditionalCreateOnlyProperties` pointer, or a type
//! the table lacks), never. `propagate` then repeats until nothing changes: a replaced resource
//! gets a new physical id and new attributes, so every property that names it through `Ref`,
//! `Fn::GetAtt` or `Fn::Sub` changes too, and replaces its resource when that property is
//! create-only there.

use std::collections::BTreeMap;

use serde_json::Value;

use super::compare::{section, type_of};
use super::table::Table;
use super::{Change, EntryChange, Impact, PropertyChange, Replacement, ResourceDiff};
use crate::cfn::check::referenced_ids;

/// One changed property per top-level key whose value differs, in the new template's order.
pub fn predict(kind: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<PropertyChange> {
    let (o, n) = (
        old.and_then(Value::as_object),
        new.and_then(Value::as_object),
    );
    super::compare::keys(o, n)
        .into_iter()
        .filter_map(|key| {
            let (a, b) = (o.and_then(|m| m.get(key)), n.and_then(|m| m.get(key)));
            if a == b {
                return None;
            }
            let (replacement, why) =
                verdict(kind, key, |rest| values_at(a, rest) != values_at(b, rest));
            Some(PropertyChange {
                path: key.to_owned(),
                replacement,
                why,
                propagated: false,
                spec: Vec::new(),
            })
        })
        .collect()
}

/// The verdict for the top-level property `key` of a `kind`, where `touched(rest)` says whether
/// the part of its value under the pointer segments `rest` changed (empty `rest`: the whole).
fn verdict(
    kind: &str,
    key: &str,
    touched: impl Fn(&[&str]) -> bool,
) -> (Replacement, Option<String>) {
    let table = Table::get();
    if let Some(why) = table.blocked(kind, key) {
        return (Replacement::Blocked, Some(why.to_owned()));
    }
    let Some(entry) = table.entry(kind) else {
        return (
            Replacement::Conditional,
            Some(format!("`{kind}` is not in byoa's replacement table")),
        );
    };
    for (pointers, replacement) in [
        (&entry.create_only, Replacement::Always),
        (&entry.conditional, Replacement::Conditional),
    ] {
        for pointer in pointers {
            let Some(tail) = pointer.strip_prefix("/properties/") else {
                continue;
            };
            let mut segments = tail.split('/');
            if segments.next() != Some(key) {
                continue;
            }
            let rest: Vec<&str> = segments.collect();
            if touched(&rest) {
                let why = match (rest.is_empty(), table.note(kind, key)) {
                    (true, note) => note.map(str::to_owned),
                    (false, _) => Some(format!("`{tail}` changed")),
                };
                return (replacement, why);
            }
        }
    }
    (Replacement::Never, None)
}

/// The values under the pointer segments `rest` (`*` matches every array item or map value).
fn values_at<'a>(value: Option<&'a Value>, rest: &[&str]) -> Vec<&'a Value> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Some((first, rest)) = rest.split_first() else {
        return vec![value];
    };
    match (value, *first) {
        (Value::Array(a), "*") => a.iter().flat_map(|v| values_at(Some(v), rest)).collect(),
        (Value::Object(m), "*") => m.values().flat_map(|v| values_at(Some(v), rest)).collect(),
        (Value::Array(a), i) => values_at(i.parse::<usize>().ok().and_then(|i| a.get(i)), rest),
        (Value::Object(m), k) => values_at(m.get(k), rest),
        _ => Vec::new(),
    }
}

/// How strictly each resource is replaced (`Always` or `Conditional`), for resources in both
/// templates whose replacement is predicted.
fn replaced(resources: &[ResourceDiff]) -> BTreeMap<String, Replacement> {
    resources
        .iter()
        .filter(|r| r.change == Change::Modified)
        .filter_map(|r| {
            let worst = r
                .properties
                .iter()
                .map(|p| p.replacement)
                .filter(|p| matches!(p, Replacement::Always | Replacement::Conditional))
                .max()?;
            Some((r.logical_id.clone(), worst))
        })
        .collect()
}

/// Replaced resources and changing parameters: id -> how surely it changes.
pub fn changing(resources: &[ResourceDiff], seeds: &Seeds) -> BTreeMap<String, Replacement> {
    let mut out = replaced(resources);
    for (id, (r, _)) in seeds {
        let e = out.entry(id.clone()).or_insert(*r);
        *e = (*e).max(*r);
    }
    out
}

fn why_via(ids: &BTreeMap<&str, Replacement>, seeds: &Seeds) -> String {
    // Parameters grouped by where their new value comes from.
    let mut params: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for id in ids.keys() {
        if let Some((_, why)) = seeds.get(*id) {
            params.entry(why).or_default().push(format!("`{id}`"));
        }
    }
    let mut parts: Vec<String> = params
        .into_iter()
        .map(|(why, names)| match names.as_slice() {
            [one] => format!("parameter {one} changes, {why}"),
            _ => format!("parameters {} change, {why}", names.join(", ")),
        })
        .collect();
    let resources: BTreeMap<&str, Replacement> = ids
        .iter()
        .filter(|(id, _)| !seeds.contains_key(**id))
        .map(|(id, r)| (*id, *r))
        .collect();
    let always: Vec<&str> = resources
        .iter()
        .filter(|(_, r)| **r == Replacement::Always)
        .map(|(id, _)| *id)
        .collect();
    let names = |v: Vec<&str>| {
        v.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !resources.is_empty() && always.is_empty() {
        parts.push(format!(
            "references {}, which may be replaced",
            names(resources.keys().copied().collect())
        ));
    } else if !always.is_empty() {
        parts.push(format!("references {}, which is replaced", names(always)));
    }
    parts.join("; ")
}

/// Parameters whose value changes although the template does not show it (a parent stack
/// passes another value): id -> (how surely, why in words).
pub type Seeds = BTreeMap<String, (Replacement, String)>;

/// Spreads replacement through references until nothing changes, starting from the replaced
/// resources and the `seeds`. Rows are added for resources whose own text is unchanged but
/// which reference something that changes; `resources` stays in the new template's order.
pub fn propagate(resources: &mut Vec<ResourceDiff>, new: &Value, seeds: &Seeds) {
    let Some(all) = section(new, "Resources") else {
        return;
    };
    loop {
        let replaced = changing(resources, seeds);
        if replaced.is_empty() {
            return;
        }
        let mut changed = false;
        for (id, resource) in all {
            if resources
                .iter()
                .any(|r| r.logical_id == *id && r.change != Change::Modified)
            {
                continue;
            }
            let kind = type_of(resource);
            let Some(props) = resource.get("Properties").and_then(Value::as_object) else {
                continue;
            };
            for (key, value) in props {
                let hits = |v: &Value| -> BTreeMap<&str, Replacement> {
                    referenced_ids(v)
                        .iter()
                        .filter_map(|i| replaced.get_key_value(i.as_str()))
                        .map(|(i, r)| (i.as_str(), *r))
                        .collect()
                };
                let via = hits(value);
                if via.is_empty() {
                    continue;
                }
                let (mut replacement, _) = verdict(kind, key, |rest| {
                    values_at(Some(value), rest)
                        .into_iter()
                        .any(|v| !hits(v).is_empty())
                });
                // A resource that only may be replaced makes its referrers only may-replace.
                if replacement == Replacement::Always
                    && via.values().all(|r| *r == Replacement::Conditional)
                {
                    replacement = Replacement::Conditional;
                }
                changed |= record(resources, id, kind, key, replacement, why_via(&via, seeds));
            }
        }
        if !changed {
            break;
        }
    }
    let order: BTreeMap<&str, usize> = all
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    resources.sort_by_key(|r| {
        order
            .get(r.logical_id.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
}

/// Records a propagated change; true when it is new or stricter than what was known.
fn record(
    resources: &mut Vec<ResourceDiff>,
    id: &str,
    kind: &str,
    key: &str,
    replacement: Replacement,
    why: String,
) -> bool {
    let row = match resources.iter().position(|r| r.logical_id == id) {
        Some(i) => &mut resources[i],
        None => {
            resources.push(ResourceDiff {
                logical_id: id.to_owned(),
                kind: kind.to_owned(),
                old_type: None,
                change: Change::Modified,
                impact: Impact::NoChange,
                properties: Vec::new(),
                attributes: Vec::new(),
                data_loss: None,
                spec: Vec::new(),
            });
            resources.last_mut().expect("just pushed")
        }
    };
    match row.properties.iter_mut().find(|p| p.path == key) {
        Some(p) if p.replacement >= replacement => false,
        Some(p) => {
            p.replacement = replacement;
            p.why = Some(why);
            true
        }
        None => {
            row.properties.push(PropertyChange {
                path: key.to_owned(),
                replacement,
                why: Some(why),
                propagated: true,
                spec: Vec::new(),
            });
            true
        }
    }
}

/// Marks outputs whose value names a replaced resource or a changing parameter: their value
/// changes with it.
pub fn outputs_via(
    outputs: &mut Vec<EntryChange>,
    resources: &[ResourceDiff],
    new: &Value,
    seeds: &Seeds,
) {
    let replaced = changing(resources, seeds);
    let Some(all) = section(new, "Outputs") else {
        return;
    };
    for (id, output) in all {
        let via: Vec<String> = referenced_ids(output.get("Value").unwrap_or(&Value::Null))
            .into_iter()
            .filter(|i| replaced.contains_key(i))
            .collect();
        if via.is_empty() {
            continue;
        }
        match outputs.iter_mut().find(|o| o.id == *id) {
            Some(o) => o.via = via,
            None => outputs.push(EntryChange {
                id: id.clone(),
                change: Change::Modified,
                fields: Vec::new(),
                via,
            }),
        }
    }
}
