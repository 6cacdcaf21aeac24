//! Template model compare: pairs stacks by name and lists what differs, section by section.
//!
//! Input: two parsed templates (either may be empty when a stack is added or removed). Output:
//! unclassified rows: resources added, removed or modified (which top-level properties, with
//! the replacement the table predicts for each, and which attributes), parameters, outputs,
//! conditions, and the names of other top-level sections that differ. Rows follow the new
//! template's order, then what only the old one has. Impacts are set later by `classify`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    Change, EntryChange, Impact, PropertyChange, Replacement, ResourceDiff, Stack, replace,
};

/// Sections with rows of their own; any other top-level key is reported by name.
const OWN_SECTIONS: [&str; 4] = ["Resources", "Parameters", "Outputs", "Conditions"];

/// Resource keys that are attributes rather than properties.
const ATTRIBUTES: [&str; 7] = [
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "DependsOn",
    "Condition",
    "Metadata",
    "CreationPolicy",
    "UpdatePolicy",
];

/// Pairs stacks by name, sorted by name; a stack in one set only is paired with `None`.
pub fn pair<'a>(old: &'a [Stack], new: &'a [Stack]) -> Vec<(Option<&'a Stack>, Option<&'a Stack>)> {
    let mut pairs: BTreeMap<&str, (Option<&Stack>, Option<&Stack>)> = BTreeMap::new();
    for s in old {
        pairs.entry(&s.name).or_default().0 = Some(s);
    }
    for s in new {
        pairs.entry(&s.name).or_default().1 = Some(s);
    }
    pairs.into_values().collect()
}

/// The mapping under `key` at the top of a template.
pub fn section<'a>(template: &'a Value, key: &str) -> Option<&'a Map<String, Value>> {
    template.get(key).and_then(Value::as_object)
}

/// Keys of two mappings: the new one's in its order, then those only the old one has.
pub fn keys<'a>(
    old: Option<&'a Map<String, Value>>,
    new: Option<&'a Map<String, Value>>,
) -> Vec<&'a str> {
    let mut out: Vec<&str> = new
        .into_iter()
        .flat_map(|m| m.keys())
        .map(String::as_str)
        .collect();
    out.extend(
        old.into_iter()
            .flat_map(|m| m.keys())
            .filter(|k| !new.is_some_and(|n| n.contains_key(*k)))
            .map(String::as_str),
    );
    out
}

/// The parameters, outputs or conditions (`key`) that differ.
pub fn entries(old: &Value, new: &Value, key: &str) -> Vec<EntryChange> {
    let (o, n) = (section(old, key), section(new, key));
    keys(o, n)
        .into_iter()
        .filter_map(|id| {
            let (a, b) = (o.and_then(|m| m.get(id)), n.and_then(|m| m.get(id)));
            let change = match (a, b) {
                (None, Some(_)) => Change::Added,
                (Some(_), None) => Change::Removed,
                (Some(a), Some(b)) if a != b => Change::Modified,
                _ => return None,
            };
            let fields = match (a.and_then(Value::as_object), b.and_then(Value::as_object)) {
                (Some(a), Some(b)) if change == Change::Modified => keys(Some(a), Some(b))
                    .into_iter()
                    .filter(|k| a.get(*k) != b.get(*k))
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            };
            Some(EntryChange {
                id: id.to_owned(),
                change,
                fields,
                via: Vec::new(),
            })
        })
        .collect()
}

/// Top-level sections other than resources, parameters, outputs and conditions that differ.
pub fn sections(old: &Value, new: &Value) -> Vec<String> {
    keys(old.as_object(), new.as_object())
        .into_iter()
        .filter(|k| !OWN_SECTIONS.contains(k) && old.get(*k) != new.get(*k))
        .map(str::to_owned)
        .collect()
}

/// The type of a resource entry (empty when it has none).
pub fn type_of(resource: &Value) -> &str {
    resource
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Resources that differ, with the replacement predicted for each changed property.
pub fn resources(old: &Value, new: &Value) -> Vec<ResourceDiff> {
    let (o, n) = (section(old, "Resources"), section(new, "Resources"));
    keys(o, n)
        .into_iter()
        .filter_map(|id| {
            let (a, b) = (o.and_then(|m| m.get(id)), n.and_then(|m| m.get(id)));
            let row = |kind: &str, change| ResourceDiff {
                logical_id: id.to_owned(),
                kind: kind.to_owned(),
                old_type: None,
                change,
                impact: Impact::NoChange,
                properties: Vec::new(),
                attributes: Vec::new(),
                data_loss: None,
                spec: Vec::new(),
            };
            match (a, b) {
                (None, Some(b)) => Some(row(type_of(b), Change::Added)),
                (Some(a), None) => Some(row(type_of(a), Change::Removed)),
                (Some(a), Some(b)) if a != b => {
                    let (ka, kb) = (type_of(a), type_of(b));
                    let mut r = row(kb, Change::Modified);
                    if ka != kb {
                        r.old_type = Some(ka.to_owned());
                        r.properties.push(PropertyChange {
                            path: "Type".to_owned(),
                            replacement: Replacement::Always,
                            why: Some(format!("`{ka}` becomes `{kb}`")),
                            propagated: false,
                            spec: Vec::new(),
                        });
                    }
                    r.properties.extend(replace::predict(
                        kb,
                        a.get("Properties"),
                        b.get("Properties"),
                    ));
                    r.attributes = ATTRIBUTES
                        .iter()
                        .filter(|k| a.get(**k) != b.get(**k))
                        .map(|k| (*k).to_owned())
                        .collect();
                    Some(r)
                }
                _ => None,
            }
        })
        .collect()
}
