//! Capabilities: what a deployer must acknowledge to create or update a stack from a template.
//!
//! Input: a `Template`. Output: the set of CloudFormation capabilities its resource types call
//! for. CloudFormation refuses a stack (`InsufficientCapabilities`) when one is missing, so the
//! deployer passes exactly these, and the customer sees them in the console before launching.
//! A template that nests stacks needs its children's capabilities too: `with_nested` adds them.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::cfn::Template;

/// A capability the stack's creator acknowledges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Capability {
    /// The template creates IAM resources.
    #[serde(rename = "CAPABILITY_IAM")]
    Iam,
    /// The template creates IAM resources with names it chooses (they cannot be replaced in
    /// place and collide across stacks), which CloudFormation makes the creator acknowledge
    /// separately.
    #[serde(rename = "CAPABILITY_NAMED_IAM")]
    NamedIam,
    /// The template expands into more than it shows: nested stacks or serverless resources.
    #[serde(rename = "CAPABILITY_AUTO_EXPAND")]
    AutoExpand,
}

impl Capability {
    /// The name CloudFormation's API takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Iam => "CAPABILITY_IAM",
            Capability::NamedIam => "CAPABILITY_NAMED_IAM",
            Capability::AutoExpand => "CAPABILITY_AUTO_EXPAND",
        }
    }
}

/// IAM resource types whose property names the resource itself: setting it makes the
/// resource a named one. Other IAM types (inline `AWS::IAM::Policy`, `RolePolicy`, ...) name
/// no IAM principal or managed policy of their own.
const IAM_NAME_PROPERTIES: &[(&str, &str)] = &[
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::IAM::User", "UserName"),
    ("AWS::IAM::Group", "GroupName"),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
    ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
];

/// The capabilities `template`'s own resources call for.
pub fn required(template: &Template) -> BTreeSet<Capability> {
    let mut out = BTreeSet::new();
    for r in template.resources.values() {
        if r.kind.starts_with("AWS::IAM::") {
            let named = IAM_NAME_PROPERTIES
                .iter()
                .any(|(kind, name)| r.kind == *kind && r.properties.get(name).is_some());
            out.insert(if named {
                Capability::NamedIam
            } else {
                Capability::Iam
            });
        }
        if r.kind == "AWS::CloudFormation::Stack" || r.kind.starts_with("AWS::Serverless::") {
            out.insert(Capability::AutoExpand);
        }
    }
    minimal(out)
}

/// `own` widened by the capabilities of the stacks a template nests: CloudFormation asks the
/// parent's creator to acknowledge what its nested stacks create.
pub fn with_nested<'a>(
    own: &BTreeSet<Capability>,
    nested: impl IntoIterator<Item = &'a BTreeSet<Capability>>,
) -> BTreeSet<Capability> {
    let mut all = own.clone();
    for n in nested {
        all.extend(n.iter().copied());
    }
    minimal(all)
}

/// CAPABILITY_NAMED_IAM covers unnamed IAM resources as well: one IAM capability, not two.
fn minimal(mut set: BTreeSet<Capability>) -> BTreeSet<Capability> {
    if set.contains(&Capability::NamedIam) {
        set.remove(&Capability::Iam);
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfn::Resource;
    use serde_json::json;

    fn template(resources: &[(&str, serde_json::Value)]) -> Template {
        let mut t = Template::new("t", vec![]);
        for (i, (kind, props)) in resources.iter().enumerate() {
            t.add_resource(&format!("R{i}"), Resource::new(kind, props.clone()), None);
        }
        t
    }

    #[test]
    fn iam_resources_call_for_the_iam_capability() {
        let role = template(&[("AWS::IAM::Role", json!({"AssumeRolePolicyDocument": {}}))]);
        assert_eq!(required(&role), BTreeSet::from([Capability::Iam]));
        // A role's inline policy names the role it attaches to, not a principal of its own.
        let inline = template(&[(
            "AWS::IAM::RolePolicy",
            json!({"RoleName": "x", "PolicyName": "p"}),
        )]);
        assert_eq!(required(&inline), BTreeSet::from([Capability::Iam]));
        assert!(required(&template(&[("AWS::SNS::Topic", json!({}))])).is_empty());
    }

    #[test]
    fn a_named_role_calls_for_named_iam_only() {
        let t = template(&[
            ("AWS::IAM::Role", json!({"RoleName": "vendor-access"})),
            ("AWS::IAM::Role", json!({})),
        ]);
        assert_eq!(required(&t), BTreeSet::from([Capability::NamedIam]));
    }

    #[test]
    fn nesting_stacks_calls_for_auto_expand_and_the_childrens_capabilities() {
        let root = template(&[("AWS::CloudFormation::Stack", json!({"TemplateURL": "x"}))]);
        let own = required(&root);
        assert_eq!(own, BTreeSet::from([Capability::AutoExpand]));
        let child = BTreeSet::from([Capability::Iam]);
        let named = BTreeSet::from([Capability::NamedIam]);
        assert_eq!(
            with_nested(&own, [&child]),
            BTreeSet::from([Capability::Iam, Capability::AutoExpand])
        );
        assert_eq!(
            with_nested(&own, [&child, &named]),
            BTreeSet::from([Capability::NamedIam, Capability::AutoExpand])
        );
        assert_eq!(
            serde_json::to_value([
                Capability::Iam,
                Capability::NamedIam,
                Capability::AutoExpand
            ])
            .unwrap(),
            json!([
                "CAPABILITY_IAM",
                "CAPABILITY_NAMED_IAM",
                "CAPABILITY_AUTO_EXPAND"
            ])
        );
    }
}
