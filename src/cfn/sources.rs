//! Source map: which fields of the spec decide each resource property of a template.
//!
//! Stage: the template model. Input: the module compilers, which record, while they build a
//! resource from the model, the spec fields behind each of its top-level properties
//! (`Template::trace`), and the fields that decide whether a resource exists at all
//! (`Template::trace_resource`). Output: `Sources` per template, `(logical id, property) ->
//! field paths` and `logical id -> field paths`, gathered per stack into a `SourceMap`, which synthesis writes as `out/sources.json` and the
//! diff reads to say why a property changes (`database.instance_class -> DBInstanceClass`).
//!
//! A field path is the field's place in the spec after the environment overlay, dotted, with a
//! service named by its `name` (`services.api.scaling.min`, `network.load_balancer.waf`): the
//! same path whether the value came from the base document or from `environments:`.
//! Invariants: everything is kept sorted (`BTreeMap`/`BTreeSet`), so the map's bytes depend only
//! on what was recorded, never on the order it was recorded in; recording is additive (a
//! property decided by several fields lists them all). The map never holds values, only names.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The file beside the templates that holds a synthesis's `SourceMap`.
pub const FILE: &str = "sources.json";

/// The spec fields behind the resources of one template: whether a resource exists at all
/// (`resources`: logical id -> field paths) and each of its properties (`properties`: logical
/// id -> property -> field paths).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sources {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    resources: BTreeMap<String, BTreeSet<String>>,
    #[serde(default)]
    properties: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

impl Sources {
    /// Records that `fields` decide whether resource `id` exists (added to what is there; no
    /// fields, no entry).
    pub fn record_resource<S: Into<String>>(
        &mut self,
        id: &str,
        fields: impl IntoIterator<Item = S>,
    ) {
        let mut fields = fields.into_iter().peekable();
        if fields.peek().is_some() {
            let set = self.resources.entry(id.to_owned()).or_default();
            set.extend(fields.map(Into::into));
        }
    }

    /// The fields that decide whether `id` exists, sorted; empty when nothing was recorded.
    pub fn resource_fields(&self, id: &str) -> Vec<&str> {
        self.resources
            .get(id)
            .map(|f| f.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Every resource whose existence was traced.
    pub fn traced_resources(&self) -> impl Iterator<Item = &str> {
        self.resources.keys().map(String::as_str)
    }

    /// Records that `fields` decide `property` of resource `id` (added to what is there; no
    /// fields, no entry).
    pub fn record<S: Into<String>>(
        &mut self,
        id: &str,
        property: &str,
        fields: impl IntoIterator<Item = S>,
    ) {
        let mut fields = fields.into_iter().peekable();
        if fields.peek().is_none() {
            return;
        }
        self.properties
            .entry(id.to_owned())
            .or_default()
            .entry(property.to_owned())
            .or_default()
            .extend(fields.map(Into::into));
    }

    /// The fields behind `property` of `id`, sorted; empty when nothing was recorded.
    pub fn fields(&self, id: &str, property: &str) -> Vec<&str> {
        self.properties
            .get(id)
            .and_then(|p| p.get(property))
            .map(|f| f.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Every `(logical id, property, fields)` recorded, sorted.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, &BTreeSet<String>)> {
        self.properties.iter().flat_map(|(id, props)| {
            props
                .iter()
                .map(move |(p, fields)| (id.as_str(), p.as_str(), fields))
        })
    }
}

/// The `Sources` of every stack of one synthesis, by stack (module) name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMap {
    pub stacks: BTreeMap<String, Sources>,
}

impl SourceMap {
    /// The fields behind `property` of resource `id` in `stack`; empty when unknown.
    pub fn fields(&self, stack: &str, id: &str, property: &str) -> Vec<&str> {
        self.stacks
            .get(stack)
            .map(|s| s.fields(id, property))
            .unwrap_or_default()
    }

    /// The fields that decide whether resource `id` of `stack` exists; empty when unknown.
    pub fn resource_fields(&self, stack: &str, id: &str) -> Vec<&str> {
        self.stacks
            .get(stack)
            .map(|s| s.resource_fields(id))
            .unwrap_or_default()
    }

    /// The map as `sources.json` holds it: pretty JSON, keys sorted, a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("the source map serializes");
        s.push('\n');
        s
    }

    pub fn from_json(text: &str) -> Result<SourceMap, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recording_order_does_not_change_the_bytes() {
        let mut a = Sources::default();
        a.record("Database", "MultiAZ", ["database.multi_az"]);
        a.record("Database", "DBInstanceClass", ["database.instance_class"]);
        a.record(
            "Alarm",
            "Threshold",
            ["database.storage_gb", "database.instance_class"],
        );
        let mut b = Sources::default();
        b.record("Alarm", "Threshold", ["database.instance_class"]);
        b.record("Database", "DBInstanceClass", ["database.instance_class"]);
        b.record("Alarm", "Threshold", ["database.storage_gb"]);
        b.record("Database", "MultiAZ", ["database.multi_az"]);
        b.record_resource("DatabaseReplica1", ["database.read_replicas"]);
        a.record_resource("DatabaseReplica1", ["database.read_replicas"]);
        assert_eq!(a, b);
        let map = |s: Sources| SourceMap {
            stacks: [("database".to_owned(), s)].into(),
        };
        let (a, b) = (map(a).to_json(), map(b).to_json());
        assert_eq!(a, b);
        let back = SourceMap::from_json(&a).expect("reads back");
        assert_eq!(
            back.fields("database", "Alarm", "Threshold"),
            ["database.instance_class", "database.storage_gb"]
        );
        assert!(back.fields("database", "Alarm", "Period").is_empty());
        assert!(back.fields("network", "Alarm", "Threshold").is_empty());
        assert_eq!(
            back.resource_fields("database", "DatabaseReplica1"),
            ["database.read_replicas"]
        );
        assert!(back.resource_fields("database", "Database").is_empty());
    }
}
