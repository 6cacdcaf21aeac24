//! Template checks that run before anything is written: every reference resolves, logical ids
//! are well formed, and CloudFormation's size limits hold. A failure here is a byoa bug or a
//! spec too large for one stack, never something to discover at deploy time.
//!
//! Problems are diagnostics located in the template's file (its name in the output directory)
//! and, where there is one, at the JSON pointer of the id concerned.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::cfn::Template;
use crate::diag::{Code, Diagnostic, push_pointer};

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

/// Every problem with `template`, located in `file`. `value` is `template.to_value()` and
/// `bytes` its serialized size (both already made by the caller, who emits them).
pub fn problems(file: &str, template: &Template, value: &Value, bytes: usize) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = template
        .duplicates()
        .iter()
        .map(|d| {
            let what = d.section.trim_end_matches('s').to_ascii_lowercase();
            Diagnostic::new(
                Code::TemplateDuplicateId,
                format!("{what} `{}` is defined twice", d.id),
            )
            .at_pointer(push_pointer(&format!("/{}", d.section), &d.id))
        })
        .collect();
    let counts = [
        ("Resources", template.resources.len(), MAX_RESOURCES),
        ("Parameters", template.parameters.len(), MAX_PARAMETERS),
        ("Outputs", template.outputs.len(), MAX_OUTPUTS),
        ("Mappings", template.mappings.len(), MAX_MAPPINGS),
    ];
    for (section, n, max) in counts {
        if n > max {
            let what = section.to_ascii_lowercase();
            out.push(
                Diagnostic::new(
                    Code::TemplateLimit,
                    format!("the template has {n} {what}; CloudFormation allows {max}"),
                )
                .at_pointer(format!("/{section}")),
            );
        }
    }
    if bytes > MAX_URL_BODY_BYTES {
        out.push(Diagnostic::new(
            Code::TemplateLimit,
            format!(
                "the template is {bytes} bytes; CloudFormation reads at most {MAX_URL_BODY_BYTES} from S3"
            ),
        ));
    }
    let sections = [
        ("Parameters", template.parameters.keys().collect::<Vec<_>>()),
        ("Resources", template.resources.keys().collect()),
        ("Outputs", template.outputs.keys().collect()),
        ("Conditions", template.conditions.keys().collect()),
        ("Mappings", template.mappings.keys().collect()),
    ];
    for (section, ids) in sections {
        for id in ids {
            if id.is_empty()
                || id.len() > MAX_LOGICAL_ID
                || !id.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                out.push(
                    Diagnostic::new(
                        Code::TemplateLogicalId,
                        format!(
                            "logical id `{id}` must be 1 to {MAX_LOGICAL_ID} letters and digits"
                        ),
                    )
                    .at_pointer(push_pointer(&format!("/{section}"), id)),
                );
            }
        }
    }
    for id in template.parameters.keys() {
        if template.resources.contains_key(id) {
            out.push(
                Diagnostic::new(
                    Code::TemplateLogicalId,
                    format!("`{id}` is both a parameter and a resource"),
                )
                .at_pointer(push_pointer("/Resources", id)),
            );
        }
    }
    out.extend(dangling_in(template, value));
    out.into_iter().map(|d| d.in_file(file)).collect()
}

/// References that point at nothing: `Ref`, `Fn::GetAtt`, `Fn::Sub` variables, `DependsOn`,
/// `Condition` and `Fn::If` names, as sentences (what the compilers' unit tests assert on).
pub fn dangling_references(template: &Template) -> Vec<String> {
    dangling_in(template, &template.to_value())
        .into_iter()
        .map(|d| d.message)
        .collect()
}

/// `dangling_references` over `value`, the template's JSON form.
fn dangling_in(template: &Template, value: &Value) -> Vec<Diagnostic> {
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
    let refs_unknown = refs.refs.iter().filter(|id| !has_ref(id));
    let resources_unknown = refs
        .resources
        .iter()
        .filter(|id| !template.resources.contains_key(*id));
    let conditions_unknown = refs
        .conditions
        .iter()
        .filter(|id| !template.conditions.contains_key(*id));
    refs_unknown
        .map(|id| format!("`Ref` to unknown `{id}`"))
        .chain(resources_unknown.map(|id| format!("reference to unknown resource `{id}`")))
        .chain(conditions_unknown.map(|id| format!("unknown condition `{id}`")))
        .map(|message| Diagnostic::new(Code::TemplateReference, message))
        .collect()
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
    use crate::diag::Location;
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
        let p = problems("x.yaml", &t, &t.to_value(), MAX_URL_BODY_BYTES + 1);
        let find = |needle: &str| {
            p.iter()
                .find(|d| d.message.contains(needle))
                .unwrap_or_else(|| panic!("no `{needle}` in {p:#?}"))
        };
        assert_eq!(find("502 resources").code, Code::TemplateLimit);
        assert_eq!(find("bytes").code, Code::TemplateLimit);
        let bad = find("`bad-id`");
        assert_eq!(bad.code, Code::TemplateLogicalId);
        assert_eq!(bad.pointer.as_deref(), Some("/Resources/bad-id"));
        assert!(
            p.iter()
                .all(|d| d.location == Some(Location::file("x.yaml")))
        );
    }

    #[test]
    fn an_id_added_twice_is_reported_and_keeps_its_first_definition() {
        let mut t = Template::new("t", vec![]);
        t.add_resource("A", Resource::new("AWS::SNS::Topic", json!({})), None);
        t.add_resource("A", Resource::new("AWS::S3::Bucket", json!({})), None);
        t.add_parameter("P", Parameter::new("String", "g", "l", "d"));
        t.add_parameter("P", Parameter::new("Number", "g", "l", "d"));
        t.add_output("O", "first", json!(1));
        t.add_output("O", "second", json!(2));
        t.add_condition("C", json!(true));
        t.add_condition("C", json!(false));
        assert_eq!(t.resources["A"].kind, "AWS::SNS::Topic");
        assert_eq!(t.parameters["P"].kind, "String");
        assert_eq!(t.outputs["O"].description, "first");
        let p = problems("x.yaml", &t, &t.to_value(), 0);
        let found: Vec<(Code, &str, Option<&str>)> = p
            .iter()
            .map(|d| (d.code, d.message.as_str(), d.pointer.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Code::TemplateDuplicateId,
                    "resource `A` is defined twice",
                    Some("/Resources/A")
                ),
                (
                    Code::TemplateDuplicateId,
                    "parameter `P` is defined twice",
                    Some("/Parameters/P")
                ),
                (
                    Code::TemplateDuplicateId,
                    "output `O` is defined twice",
                    Some("/Outputs/O")
                ),
                (
                    Code::TemplateDuplicateId,
                    "condition `C` is defined twice",
                    Some("/Conditions/C")
                ),
            ]
        );
    }
}
