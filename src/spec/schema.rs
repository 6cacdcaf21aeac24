//! The JSON Schema of `byoa.yaml`, generated from the spec types, and schema validation.
//!
//! Input: the spec as a JSON value. Output: diagnostics, one per schema violation, each with a
//! pointer, a stable code and a help line (did-you-mean for misspelled fields and choices).
//! The same schema is committed as `schemas/byoa.schema.json` for editors; a test keeps the two
//! identical.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use crate::diag::{Code, Diagnostic, did_you_mean, pointer_to_field, push_pointer};
use crate::spec::source::json_kind;
use crate::spec::types::Spec;

/// Where the committed schema lives, relative to the repository root.
pub const SCHEMA_PATH: &str = "schemas/byoa.schema.json";

/// The `$id` editors see.
const SCHEMA_ID: &str = "https://byoa.dev/schemas/byoa.schema.json";

/// Types whose items are merged by `name` in overlays: their `name` stays required there.
const NAMED_ITEMS: &[&str] = &["Service"];

/// The schema as a JSON value (built once per process).
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(build)
}

/// The schema as the bytes committed to `schemas/`.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(schema()).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// The draft 2020-12 schema of what deserializes into `T`, without the `null` branches
/// schemars adds for optional fields (an absent field is how YAML says "none").
pub fn generate<T: schemars::JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let mut root = generator.into_root_schema_for::<T>().to_value();
    strip_null(&mut root);
    root
}

fn build() -> Value {
    let mut root = generate::<Spec>();
    let obj = root.as_object_mut().expect("the root schema is an object");
    obj.insert("$id".into(), json!(SCHEMA_ID));
    obj.insert("title".into(), json!("byoa product specification"));

    // Overlays: every object type again, with nothing required, so an environment can override
    // any single field. Editors then complete inside `environments:` too.
    let defs = obj
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let objects: Vec<String> = defs
        .iter()
        .filter(|(_, d)| d.get("properties").is_some())
        .map(|(k, _)| k.clone())
        .collect();
    let mut overlay_defs = Map::new();
    for name in &objects {
        let mut def = defs[name].clone();
        partial(&mut def, &objects, NAMED_ITEMS.contains(&name.as_str()));
        overlay_defs.insert(format!("{name}Overlay"), def);
    }
    let mut overlay = json!({
        "description": "Overrides for one environment: any field of the spec.",
        "type": "object",
        "additionalProperties": false,
        "properties": obj["properties"].clone(),
    });
    overlay["properties"]
        .as_object_mut()
        .expect("properties is an object")
        .shift_remove("environments");
    partial(&mut overlay, &objects, false);
    overlay_defs.insert("Overlay".into(), overlay);
    obj["properties"]["environments"]["additionalProperties"] = json!({"$ref": "#/$defs/Overlay"});
    obj["properties"]["environments"]["propertyNames"] = json!({"pattern": ENV_NAME_PATTERN});
    let all_defs = obj
        .get_mut("$defs")
        .and_then(Value::as_object_mut)
        .expect("the spec has definitions");
    all_defs.extend(overlay_defs);
    all_defs.sort_keys();
    root
}

/// Environment names: short, lowercase, usable in stack names.
pub const ENV_NAME_PATTERN: &str = "^[a-z][a-z0-9-]{0,15}$";

/// Makes `schema` an overlay: drops `required` (except `name` for named list items) and
/// points references at the overlay variants.
fn partial(schema: &mut Value, objects: &[String], keep_name: bool) {
    match schema {
        Value::Object(map) => {
            if keep_name && map.get("required").is_some() {
                map.insert("required".into(), json!(["name"]));
            } else {
                map.remove("required");
            }
            map.remove("default");
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/$defs/")
                && objects.iter().any(|o| o == name)
            {
                *r = format!("#/$defs/{name}Overlay");
            }
            for (key, v) in map.iter_mut() {
                // Items of a named list keep `name` required; nested objects do not.
                let keep = key == "items" && NAMED_ITEMS.iter().any(|n| refers_to(v, n));
                partial(v, objects, keep);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| partial(v, objects, false)),
        _ => {}
    }
}

fn refers_to(schema: &Value, def: &str) -> bool {
    schema.get("$ref").and_then(Value::as_str) == Some(&format!("#/$defs/{def}"))
}

/// An absent field takes its default; an explicit `null` is not a value byoa accepts, so the
/// schema says so (schemars makes every `Option` nullable).
fn strip_null(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = map.get("anyOf") {
                let rest: Vec<Value> = any
                    .iter()
                    .filter(|s| s.get("type") != Some(&json!("null")))
                    .cloned()
                    .collect();
                if rest.len() == 1 {
                    map.remove("anyOf");
                    if let Value::Object(inner) = &rest[0] {
                        for (k, v) in inner {
                            map.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            map.values_mut().for_each(strip_null);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// Checks `value` against the schema and returns one diagnostic per problem.
pub fn check(value: &Value) -> Vec<Diagnostic> {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        jsonschema::validator_for(schema()).expect("the generated schema is valid")
    });
    check_with(schema(), validator, value)
}

/// Checks `value` against another generated schema (`root`, compiled into `validator`) with the
/// same messages: `customers.yaml` is checked this way.
pub fn check_with(
    root: &Value,
    validator: &jsonschema::Validator,
    value: &Value,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for error in validator.iter_errors(value) {
        translate(root, &error, &mut out);
    }
    out
}

fn translate(root: &Value, error: &jsonschema::ValidationError<'_>, out: &mut Vec<Diagnostic>) {
    use jsonschema::error::ValidationErrorKind as K;
    let pointer = error.instance_path().as_str().to_owned();
    let field = shown(&pointer);
    let found = error.instance();
    match error.kind() {
        K::AdditionalProperties { unexpected } => {
            let allowed = allowed_fields(root, &pointer);
            for key in unexpected {
                let mut d = Diagnostic::error(
                    Code::SpecUnknownField,
                    push_pointer(&pointer, key),
                    format!("unknown field `{key}` in {field}"),
                )
                .at_key();
                d = match did_you_mean(key, allowed.iter().map(String::as_str)) {
                    Some(best) => d.with_help(format!("did you mean `{best}`?")),
                    None if !allowed.is_empty() => {
                        d.with_help(format!("expected one of: {}", backticked(&allowed)))
                    }
                    None => d,
                };
                out.push(d);
            }
        }
        K::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            out.push(
                Diagnostic::error(
                    Code::SpecMissingField,
                    pointer.clone(),
                    format!("missing required field `{name}` in {field}"),
                )
                .at_key()
                .with_help(required_help(&pointer, name)),
            );
        }
        K::Type { kind } => {
            let expected = type_words(&format!("{kind:?}"));
            out.push(
                Diagnostic::error(
                    Code::SpecType,
                    pointer.clone(),
                    format!("{field} must be {expected}, found {}", json_kind(found)),
                )
                .with_help(type_help(&expected, found)),
            );
        }
        K::Enum { options } => {
            let choices: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            out.push(enum_diag(&pointer, &field, found, &choices));
        }
        K::Minimum { limit } | K::ExclusiveMinimum { limit } => out.push(range(
            &pointer,
            format!("{field} must be at least {limit}, found {found}"),
        )),
        K::Maximum { limit } | K::ExclusiveMaximum { limit } => out.push(range(
            &pointer,
            format!("{field} must be at most {limit}, found {found}"),
        )),
        K::MinLength { limit } => out.push(range(
            &pointer,
            format!("{field} must be at least {limit} characters long, found {found}"),
        )),
        K::MaxLength { limit } => out.push(range(
            &pointer,
            format!("{field} must be at most {limit} characters long, found {found}"),
        )),
        K::MinItems { limit } => out.push(range(
            &pointer,
            format!("{field} must have at least {limit} items"),
        )),
        K::MaxItems { limit } => out.push(range(
            &pointer,
            format!("{field} must have at most {limit} items"),
        )),
        K::Pattern { pattern } => out.push(
            Diagnostic::error(
                Code::SpecPattern,
                pointer.clone(),
                format!("{field} must match `{pattern}`, found {found}"),
            )
            .with_help(pattern_help(pattern)),
        ),
        // Environment names are checked by `spec::check_base`, at the key, with a help line.
        K::PropertyNames { .. } => {}
        K::AnyOf { context } | K::OneOfNotValid { context } => {
            // An enum whose variants carry descriptions is a `oneOf` of `const`s: report it as
            // one choice among all of them.
            let consts: Option<Vec<String>> = context
                .iter()
                .map(|branch| match branch.as_slice() {
                    [e] => match e.kind() {
                        K::Constant { expected_value } => {
                            expected_value.as_str().map(str::to_owned)
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            match consts {
                Some(choices) if !choices.is_empty() => {
                    out.push(enum_diag(&pointer, &field, found, &choices));
                }
                // Otherwise report the branch that came closest: the fewest problems.
                _ => {
                    if let Some(best) = context.iter().min_by_key(|errors| errors.len()) {
                        best.iter().for_each(|e| translate(root, e, out));
                    }
                }
            }
        }
        _ => out.push(Diagnostic::error(
            Code::SpecInvalid,
            pointer.clone(),
            format!("{field}: {error}"),
        )),
    }
}

fn enum_diag(pointer: &str, field: &str, found: &Value, choices: &[String]) -> Diagnostic {
    let given = found
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| found.to_string());
    let d = Diagnostic::error(
        Code::SpecEnum,
        pointer,
        format!(
            "{field} must be one of {}, found `{given}`",
            backticked(choices)
        ),
    );
    match did_you_mean(&given, choices.iter().map(String::as_str)) {
        Some(best) => d.with_help(format!("did you mean `{best}`?")),
        None => d.with_help(format!("write one of {}", backticked(choices))),
    }
}

fn range(pointer: &str, message: String) -> Diagnostic {
    Diagnostic::error(Code::SpecRange, pointer, message)
}

/// `the spec` for the root, else the field in backticks.
fn shown(pointer: &str) -> String {
    if pointer.is_empty() {
        "the spec".to_owned()
    } else {
        format!("`{}`", pointer_to_field(pointer))
    }
}

fn backticked(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_words(kind: &str) -> String {
    let word = |t: &str| match t {
        "Integer" => "a whole number",
        "Number" => "a number",
        "String" => "a string",
        "Boolean" => "`true` or `false`",
        "Array" => "a list",
        "Object" => "a mapping",
        "Null" => "empty",
        _ => "another type",
    };
    let names: Vec<&str> = [
        "Integer", "Number", "String", "Boolean", "Array", "Object", "Null",
    ]
    .into_iter()
    .filter(|t| kind.contains(t))
    .collect();
    match names.as_slice() {
        [] => "another type".to_owned(),
        [one] => word(one).to_owned(),
        many => many
            .iter()
            .map(|t| word(t))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn type_help(expected: &str, found: &Value) -> String {
    match (expected, found) {
        ("a string", Value::Number(_) | Value::Bool(_)) => {
            "quote the value, e.g. `\"...\"`".to_owned()
        }
        ("a whole number", Value::String(s)) if s.trim().parse::<i64>().is_ok() => {
            format!("remove the quotes: `{}`", s.trim())
        }
        ("`true` or `false`", Value::String(s)) => {
            format!("YAML reads `{s}` as text here; write `true` or `false`")
        }
        ("a list", _) => "write a list, e.g. `[a, b]` or one `- item` per line".to_owned(),
        (_, Value::Null) => "give the field a value or remove it".to_owned(),
        _ => format!("write {expected}"),
    }
}

fn required_help(pointer: &str, name: &str) -> String {
    let example = match name {
        "name" => "name: my-product",
        "vendor_account_id" => "vendor_account_id: \"111111111111\"",
        "region" => "region: us-east-1",
        _ => "",
    };
    let place = if pointer.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("under `{}`", pointer_to_field(pointer))
    };
    if example.is_empty() {
        format!("add `{name}:` {place}")
    } else {
        format!("add `{example}` {place}")
    }
}

fn pattern_help(pattern: &str) -> String {
    match pattern {
        ENV_NAME_PATTERN => {
            "use lowercase letters, digits and hyphens, starting with a letter (at most 16)".into()
        }
        _ => "see the field's description in `byoa schema`".into(),
    }
}

/// The field names the schema allows at `pointer` (for did-you-mean).
fn allowed_fields(root: &Value, pointer: &str) -> Vec<String> {
    let mut node = resolve(root, root);
    for segment in pointer.split('/').skip(1) {
        let next = if segment.bytes().all(|b| b.is_ascii_digit()) {
            node.get("items")
        } else {
            node.get("properties")
                .and_then(|p| p.get(segment))
                .or_else(|| node.get("additionalProperties"))
        };
        match next {
            Some(n) => node = resolve(root, n),
            None => return Vec::new(),
        }
    }
    node.get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| root.get("$defs")?.get(name))
            .unwrap_or(node),
        None => node,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_schema_matches_the_types() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/byoa.schema.json");
        if std::env::var_os("BYOA_BLESS").is_some() {
            std::fs::write(path, schema_text()).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == schema_text(),
            "schemas/byoa.schema.json is stale: run `BYOA_BLESS=1 cargo test committed_schema`"
        );
    }

    #[test]
    fn optional_fields_do_not_accept_null() {
        let d = check(
            &json!({"product": {"name": "acme", "vendor_account_id": "111111111111"},
            "region": "us-east-1", "network": {"az_count": null}}),
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::SpecType);
    }

    #[test]
    fn overlay_schema_requires_nothing_but_service_names() {
        let d = check(
            &json!({"product": {"name": "acme", "vendor_account_id": "111111111111"},
            "region": "us-east-1",
            "environments": {"dev": {"product": {"tags": {"a": "b"}}, "services": [{"cpu": 256}]}}}),
        );
        let codes: Vec<_> = d.iter().map(|d| (d.code, d.pointer.clone())).collect();
        assert_eq!(
            codes,
            vec![(
                Code::SpecMissingField,
                Some("/environments/dev/services/0".to_owned())
            )]
        );
    }

    #[test]
    fn suggests_the_field_meant() {
        let d = check(
            &json!({"product": {"name": "acme", "vendor_account_id": "111111111111"},
            "region": "us-east-1", "database": {"multi_a": true}}),
        );
        assert_eq!(d[0].code, Code::SpecUnknownField);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `multi_az`?"));
    }
}
