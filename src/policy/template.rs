//! Templates to check: CloudFormation text (YAML or JSON) -> `Template`, with each resource's
//! type, the rules its own metadata waives and the line of its logical id.
//!
//! Input: a file name as the user gave it and the file's text. Output: the template, or a
//! `PolicyError` naming the file (and line) when it is not valid YAML or JSON or has no
//! `Resources`. Lines come from the same positioned YAML parse the spec loader uses (JSON is
//! YAML too), so flow style and quoted keys find their lines like block style does.

use std::path::Path;

use serde_json::Value;

use super::PolicyError;
use super::guard::TemplateInput;
use crate::diag::{Code, Target, push_pointer};
use crate::yaml_positions::SourceMap;

/// A resource of a template, as the reports need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub id: String,
    pub kind: String,
    /// Line of the resource's logical id in the template file.
    pub line: usize,
    /// `Metadata.guard.SuppressedRules`: rules the template itself waives for this resource.
    pub suppressed_rules: Vec<String>,
    /// `Metadata.byoa.Exceptions`: `(rule, reason)` of every deviation the template states for
    /// this resource, a byoa rule's or another rule set's.
    pub stated_exceptions: Vec<(String, String)>,
}

/// A CloudFormation template to check.
#[derive(Debug, Clone)]
pub struct Template {
    /// The file as the user names it (`out/database.yaml`).
    pub file: String,
    pub text: String,
    pub resources: Vec<Resource>,
    /// `Metadata.byoa.CustomerControls`: rules whose subject the customer owns, with why.
    pub customer_controls: Vec<(String, String)>,
    /// Positions of the template's keys and values.
    map: SourceMap,
    /// The parsed text's top-level mapping.
    value: serde_json::Map<String, Value>,
}

impl Template {
    /// Parses `text` (YAML or JSON) enough to list its resources and their lines.
    pub fn parse(file: &str, text: String) -> Result<Template, PolicyError> {
        let is_json = text.trim_start().starts_with('{');
        let value: Value = if is_json {
            serde_json::from_str(&text).map_err(|e| {
                PolicyError::new(
                    Code::PolicyTemplate,
                    file,
                    Some(e.line()),
                    format!("invalid JSON: {e}"),
                )
            })?
        } else {
            serde_saphyr::from_str(&text).map_err(|e| {
                let line = e.location().map(|l| l.line() as usize).filter(|l| *l > 0);
                let message = e.to_string();
                let message = message.lines().next().unwrap_or_default().to_owned();
                PolicyError::new(
                    Code::PolicyTemplate,
                    file,
                    line,
                    format!("invalid YAML: {message}"),
                )
            })?
        };
        let no_resources = || {
            PolicyError::new(
                Code::PolicyTemplate,
                file,
                None,
                "not a CloudFormation template: it has no `Resources` mapping",
            )
        };
        let Value::Object(value) = value else {
            return Err(no_resources());
        };
        let Some(resources) = value.get("Resources").and_then(Value::as_object) else {
            return Err(no_resources());
        };
        let map = SourceMap::from_yaml(Path::new(file), &text);
        let key_line = |pointer: &str| map.position(pointer, Target::Key).map(|p| p.line);
        let resources_line = key_line("/Resources").unwrap_or(1);
        let resources = resources
            .iter()
            .map(|(id, r)| Resource {
                id: id.clone(),
                kind: r
                    .get("Type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                line: key_line(&push_pointer("/Resources", id)).unwrap_or(resources_line),
                suppressed_rules: r
                    .pointer("/Metadata/guard/SuppressedRules")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                stated_exceptions: r
                    .pointer("/Metadata/byoa/Exceptions")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|e| {
                                let field = |k: &str| e.get(k).and_then(Value::as_str);
                                Some((field("Rule")?.to_owned(), field("Reason")?.to_owned()))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        let customer_controls = value
            .get("Metadata")
            .and_then(|m| m.pointer("/byoa/CustomerControls"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_owned);
                Some((text("Rule")?, text("Reason")?))
            })
            .collect();
        Ok(Template {
            file: file.to_owned(),
            text,
            resources,
            customer_controls,
            map,
            value,
        })
    }

    /// The template as the engine takes it.
    pub fn input(&self) -> TemplateInput<'_> {
        TemplateInput {
            name: &self.file,
            text: &self.text,
        }
    }

    /// The template's top-level sections, parsed.
    pub fn value(&self) -> &serde_json::Map<String, Value> {
        &self.value
    }

    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// The line a finding points at: the resource's logical id, else the top-level key its
    /// path starts with, else line 1.
    pub fn line_of(&self, resource: Option<&str>, path: Option<&str>) -> usize {
        if let Some(r) = resource.and_then(|id| self.resource(id)) {
            return r.line;
        }
        path.and_then(|p| p.split('/').nth(1))
            .and_then(|k| self.map.position(&format!("/{k}"), Target::Key))
            .map_or(1, |p| p.line)
    }
}
