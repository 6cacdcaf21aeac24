//! What a rule is handed of a template: the resources it can select, not the whole template.
//!
//! Why: cfn-guard 3.2.1 deep-copies the value under every step of every query it walks (the
//! whole `Resources` mapping, then each resource), so a rule's cost grows with the template
//! although most rules read one or two resource types; with compiling a regex for every
//! comparison, this copying was most of a cold `byoa check`'s time under `perf`.
//!
//! Input: a rule and a parsed template. Output: the view, as the indices of the template's
//! resources the rule may read, or `None` for the whole template. Invariant: a rule's outcomes on
//! its view equal its outcomes on the whole template (a test compares them for every embedded
//! rule on every example and every rule fixture). A view keeps every section besides `Resources`
//! and every resource of a type the rule's `# Resources:` header names or its text spells out
//! (`'AWS::EC2::FlowLog'` in a lookup); a rule about whole templates (`*`, `template`), or one
//! whose text names a type only in part (`/AWS::IAM::.*/`), gets the whole template.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::rule::Rule;
use super::template::Template;
use crate::hash::sha256_hex;

/// The resource types a rule may read, or `None` when it may read any.
pub(super) fn types_read(rule: &Rule) -> Option<BTreeSet<&str>> {
    if rule.resources.is_empty() {
        return None;
    }
    let mut types: BTreeSet<&str> = rule.resources.iter().map(String::as_str).collect();
    for (start, _) in rule.text.match_indices("AWS::") {
        let token = rule.text[start..]
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
            .next()
            .unwrap_or_default();
        let parts: Vec<&str> = token.split("::").collect();
        match parts.len() {
            // `AWS::Region`, `AWS::AccountId`: pseudo parameters, not types.
            2 if !parts[1].is_empty() => {}
            n if n >= 3 && parts.iter().all(|p| !p.is_empty()) => {
                types.insert(token);
            }
            _ => return None,
        }
    }
    Some(types)
}

/// The indices of `template`'s resources whose type is in `types`; `None` when that is all of
/// them (the template's own text serves, and its cache key stays that of the file).
pub(super) fn select(template: &Template, types: Option<&BTreeSet<&str>>) -> Option<Vec<usize>> {
    let types = types?;
    let chosen: Vec<usize> = (0..template.resources.len())
        .filter(|&i| types.contains(template.resources[i].kind.as_str()))
        .collect();
    (chosen.len() < template.resources.len()).then_some(chosen)
}

/// What identifies the views of one template without writing them: the hash of its sections
/// besides `Resources` and of each resource, so a run whose pairs the cache holds writes no view.
pub(super) struct Digest {
    sections: String,
    resources: Vec<String>,
}

impl Digest {
    pub(super) fn of(template: &Template) -> Digest {
        let mut sections = String::new();
        for (key, value) in template.value().iter().filter(|(k, _)| *k != "Resources") {
            sections.push_str(&Value::String(key.clone()).to_string());
            sections.push_str(&value.to_string());
        }
        let resources = template.value().get("Resources");
        Digest {
            sections: sha256_hex(sections.as_bytes()),
            resources: template
                .resources
                .iter()
                .map(|r| {
                    let value = resources.and_then(|all| all.get(&r.id));
                    sha256_hex(value.map(Value::to_string).unwrap_or_default().as_bytes())
                })
                .collect(),
        }
    }

    /// The hash of the view of the `chosen` resources: of the other sections' hash and of each
    /// chosen resource's id and hash, in order (what `text` writes, and nothing else).
    pub(super) fn view(&self, template: &Template, chosen: &[usize]) -> String {
        let mut key = format!("view\n{}\n", self.sections);
        for &i in chosen {
            key.push_str(&format!(
                "{:?}={}\n",
                template.resources[i].id, self.resources[i]
            ));
        }
        sha256_hex(key.as_bytes())
    }
}

/// The template as JSON with only the `chosen` resources, every other section as it is.
pub(super) fn text(template: &Template, chosen: &[usize]) -> String {
    let mut view = Map::new();
    for (key, value) in template.value() {
        if key == "Resources" {
            let resources: Map<String, Value> = chosen
                .iter()
                .filter_map(|&i| {
                    let id = &template.resources[i].id;
                    Some((id.clone(), value.get(id)?.clone()))
                })
                .collect();
            view.insert(key.clone(), Value::Object(resources));
        } else {
            view.insert(key.clone(), value.clone());
        }
    }
    Value::Object(view).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(resources: &[&str], text: &str) -> Rule {
        Rule {
            name: "R".into(),
            title: String::new(),
            severity: Default::default(),
            resources: resources.iter().map(|s| (*s).to_owned()).collect(),
            fix: String::new(),
            file: "R.guard".into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_rule_reads_its_header_types_and_the_types_its_text_names() {
        let r = rule(
            &["AWS::S3::Bucket"],
            "let x = Resources.*[ Type == 'AWS::EC2::FlowLog' ]\n\
             let y = Resources.*[ Type in ['AWS::SNS::Topic', \"AWS::SQS::Queue\"] ]\n\
             Properties.Region == 'AWS::Region' # a pseudo parameter is no type",
        );
        let types: Vec<&str> = types_read(&r).unwrap().into_iter().collect();
        assert_eq!(
            types,
            [
                "AWS::EC2::FlowLog",
                "AWS::S3::Bucket",
                "AWS::SNS::Topic",
                "AWS::SQS::Queue"
            ]
        );
    }

    #[test]
    fn a_template_rule_or_a_partial_type_reads_the_whole_template() {
        assert_eq!(types_read(&rule(&[], "rule R { Resources exists }")), None);
        let regex = rule(&["AWS::IAM::Role"], "Resources.*[ Type == /AWS::IAM::/ ]");
        assert_eq!(types_read(&regex), None);
        let any = rule(&["AWS::IAM::Role"], "Resources.*[ Type == /^AWS::/ ]");
        assert_eq!(types_read(&any), None);
    }

    fn template() -> Template {
        let text = "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  P: {Type: String}\n\
                    Resources:\n  B:\n    Type: AWS::S3::Bucket\n  Q:\n    Type: AWS::SQS::Queue\n\
                    \x20 C:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: c}\n";
        Template::parse("t.yaml", text.to_owned()).unwrap()
    }

    #[test]
    fn a_view_keeps_the_chosen_resources_in_order_and_every_other_section() {
        let t = template();
        let types: BTreeSet<&str> = ["AWS::S3::Bucket"].into();
        let chosen = select(&t, Some(&types)).expect("not every resource");
        assert_eq!(chosen, [0, 2]);
        assert_eq!(
            text(&t, &chosen),
            r#"{"AWSTemplateFormatVersion":"2010-09-09","Parameters":{"P":{"Type":"String"}},"Resources":{"B":{"Type":"AWS::S3::Bucket"},"C":{"Type":"AWS::S3::Bucket","Properties":{"BucketName":"c"}}}}"#
        );
    }

    #[test]
    fn a_views_hash_changes_with_its_resources_and_sections_and_with_nothing_else() {
        let t = template();
        let d = Digest::of(&t);
        let buckets = d.view(&t, &[0, 2]);
        assert_eq!(buckets, Digest::of(&t).view(&t, &[0, 2]), "deterministic");
        assert_ne!(buckets, d.view(&t, &[0]));
        assert_ne!(buckets, d.view(&t, &[2, 0]), "order is part of the text");
        let edit =
            |from: &str, to: &str| Template::parse("t.yaml", t.text.replace(from, to)).unwrap();
        // The queue is outside the view: editing it keeps the view's hash.
        let queue = edit("AWS::SQS::Queue", "AWS::SNS::Topic");
        assert_eq!(Digest::of(&queue).view(&queue, &[0, 2]), buckets);
        let bucket = edit("BucketName: c", "BucketName: d");
        assert_ne!(Digest::of(&bucket).view(&bucket, &[0, 2]), buckets);
        let parameter = edit("P: {Type: String}", "P: {Type: Number}");
        assert_ne!(Digest::of(&parameter).view(&parameter, &[0, 2]), buckets);
    }

    #[test]
    fn a_view_of_every_resource_is_the_template_itself() {
        let t = template();
        let types: BTreeSet<&str> = ["AWS::S3::Bucket", "AWS::SQS::Queue"].into();
        assert_eq!(select(&t, Some(&types)), None);
        assert_eq!(select(&t, None), None);
        let none: BTreeSet<&str> = ["AWS::SNS::Topic"].into();
        assert_eq!(select(&t, Some(&none)), Some(vec![]));
    }
}
