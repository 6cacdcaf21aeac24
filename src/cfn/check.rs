//! Template checks that run before anything is written: every reference resolves, logical ids
//! are well formed, and CloudFormation's size limits hold. A failure here is a byoa bug or a
//! spec too large for one stack, never something to discover at deploy time.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::cfn::Template;

/// CloudFormation quotas (per template).
pub const MAX_RESOURCES: usize = 500;
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_OUTPUTS: usize = 200;
pub const MAX_MAPPINGS: usize = 200;
/// Largest template body passed inline to the API.
pub const MAX_BODY_BYTES: usize = 51_200;
/// Largest template body read from S3.
pub const MAX_URL_BODY_BYTES: usize = 1_000_000;
/// Longest logical id.
pub const MAX_LOGICAL_ID: usize = 255;

/// Every problem with `template`, as sentences. `value` is `template.to_value()` and `bytes`
/// its serialized size (both already made by the caller, who emits them).
pub fn problems(name: &str, template: &Template, value: &Value, bytes: usize) -> Vec<String> {
    let mut out = Vec::new();
    let counts = [
        ("resources", template.resources.len(), MAX_RESOURCES),
        ("parameters", template.parameters.len(), MAX_PARAMETERS),
        ("outputs", template.outputs.len(), MAX_OUTPUTS),
        ("mappings", template.mappings.len(), MAX_MAPPINGS),
    ];
    for (what, n, max) in counts {
        if n > max {
            out.push(format!(
                "template `{name}` has {n} {what}; CloudFormation allows {max}"
            ));
        }
    }
    if bytes > MAX_URL_BODY_BYTES {
        out.push(format!(
            "template `{name}` is {bytes} bytes; CloudFormation reads at most {MAX_URL_BODY_BYTES} from S3"
        ));
    }
    let ids = template
        .parameters
        .keys()
        .chain(template.resources.keys())
        .chain(template.outputs.keys())
        .chain(template.conditions.keys())
        .chain(template.mappings.keys());
    for id in ids {
        if id.is_empty()
            || id.len() > MAX_LOGICAL_ID
            || !id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            out.push(format!("template `{name}`: logical id `{id}` must be 1 to {MAX_LOGICAL_ID} letters and digits"));
        }
    }
    for id in template.parameters.keys() {
        if template.resources.contains_key(id) {
            out.push(format!(
                "template `{name}`: `{id}` is both a parameter and a resource"
            ));
        }
    }
    out.extend(
        dangling_in(template, value)
            .into_iter()
            .map(|r| format!("template `{name}`: {r}")),
    );
    out
}

/// References that point at nothing: `Ref`, `Fn::GetAtt`, `Fn::Sub` variables, `DependsOn`,
/// `Condition` and `Fn::If` names.
pub fn dangling_references(template: &Template) -> Vec<String> {
    dangling_in(template, &template.to_value())
}

/// `dangling_references` over `value`, the template's JSON form.
fn dangling_in(template: &Template, value: &Value) -> Vec<String> {
    let mut refs = Refs::default();
    collect(value, &mut refs);
    for r in template.resources.values() {
        refs.resources.extend(r.depends_on.iter().cloned());
        refs.conditions.extend(r.condition.iter().cloned());
    }
    refs.conditions.extend(
        template
            .outputs
            .values()
            .filter_map(|o| o.condition.clone()),
    );
    let has_ref = |id: &str| {
        id.starts_with("AWS::")
            || template.parameters.contains_key(id)
            || template.resources.contains_key(id)
    };
    let mut out = Vec::new();
    for id in &refs.refs {
        if !has_ref(id) {
            out.push(format!("`Ref` to unknown `{id}`"));
        }
    }
    for id in &refs.resources {
        if !template.resources.contains_key(id) {
            out.push(format!("reference to unknown resource `{id}`"));
        }
    }
    for id in &refs.conditions {
        if !template.conditions.contains_key(id) {
            out.push(format!("unknown condition `{id}`"));
        }
    }
    out
}

#[derive(Default)]
struct Refs {
    refs: BTreeSet<String>,
    resources: BTreeSet<String>,
    conditions: BTreeSet<String>,
}

fn collect(v: &Value, refs: &mut Refs) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(id)) = m.get("Ref") {
                refs.refs.insert(id.clone());
            }
            match m.get("Fn::GetAtt") {
                Some(Value::Array(a)) => {
                    if let Some(Value::String(id)) = a.first() {
                        refs.resources.insert(id.clone());
                    }
                }
                Some(Value::String(s)) => {
                    refs.resources
                        .insert(s.split('.').next().unwrap_or_default().to_owned());
                }
                _ => {}
            }
            if let Some(sub) = m.get("Fn::Sub") {
                let (text, vars) = match sub {
                    Value::String(s) => (s.as_str(), None),
                    Value::Array(a) => (a.first().and_then(Value::as_str).unwrap_or(""), a.get(1)),
                    _ => ("", None),
                };
                for var in sub_variables(text) {
                    if vars.and_then(|v| v.get(&var)).is_some() {
                        continue;
                    }
                    match var.split_once('.') {
                        Some((id, _)) => refs.resources.insert(id.to_owned()),
                        None => refs.refs.insert(var),
                    };
                }
            }
            if let Some(Value::Array(a)) = m.get("Fn::If")
                && let Some(Value::String(c)) = a.first()
            {
                refs.conditions.insert(c.clone());
            }
            if let Some(Value::String(c)) = m.get("Condition")
                && m.len() == 1
            {
                refs.conditions.insert(c.clone());
            }
            m.values().for_each(|x| collect(x, refs));
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, refs)),
        _ => {}
    }
}

/// Every id `value` names through `Ref`, `Fn::GetAtt` or a `Fn::Sub` variable (resources,
/// parameters and pseudo parameters alike), at any depth.
pub fn referenced_ids(value: &Value) -> BTreeSet<String> {
    let mut refs = Refs::default();
    collect(value, &mut refs);
    refs.refs.append(&mut refs.resources);
    refs.refs
}

/// The `${Name}` variables of a `Fn::Sub` string (`${!Literal}` is an escape, not a variable).
pub fn sub_variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let var = &after[..end];
        if !var.starts_with('!') {
            out.push(var.to_owned());
        }
        rest = &after[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfn::func::*;
    use crate::cfn::{Parameter, Resource};
    use serde_json::json;

    #[test]
    fn finds_dangling_refs_getatts_and_sub_variables() {
        let mut t = Template::new("t", vec![]);
        t.add_parameter("P", Parameter::new("String", "g", "l", "d"));
        t.add_resource(
            "A",
            Resource::new(
                "AWS::S3::Bucket",
                json!({"X": r#ref("P"), "Y": r#ref("Nope"), "Z": get_att("Gone", "Arn"),
                    "S": sub("${A}-${AWS::Region}-${Missing.Arn}-${!Literal}"),
                    "V": {"Fn::Sub": ["${Local}", {"Local": "x"}]},
                    "I": if_("NoCond", json!(1), json!(2))}),
            )
            .depends_on("Absent"),
            None,
        );
        let mut found = dangling_references(&t);
        found.sort();
        assert_eq!(
            found,
            vec![
                "`Ref` to unknown `Nope`",
                "reference to unknown resource `Absent`",
                "reference to unknown resource `Gone`",
                "reference to unknown resource `Missing`",
                "unknown condition `NoCond`",
            ]
        );
    }

    #[test]
    fn flags_limits_and_bad_ids() {
        let mut t = Template::new("t", vec![]);
        for i in 0..=MAX_RESOURCES {
            t.add_resource(
                &format!("R{i}"),
                Resource::new("AWS::SNS::Topic", json!({})),
                None,
            );
        }
        t.add_resource("bad-id", Resource::new("AWS::SNS::Topic", json!({})), None);
        let p = problems("x", &t, &t.to_value(), MAX_URL_BODY_BYTES + 1);
        assert!(p.iter().any(|s| s.contains("502 resources")), "{p:?}");
        assert!(p.iter().any(|s| s.contains("bytes")), "{p:?}");
        assert!(p.iter().any(|s| s.contains("`bad-id`")), "{p:?}");
    }
}
