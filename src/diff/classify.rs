//! Classification: from changed rows to what they do to the account.
//!
//! Input: the rows of `compare` and `replace`, and both templates. Output: each resource's
//! impact (CDK's worst-of order), data loss on stateful types (replaced, may be replaced,
//! destroyed, or losing a `DeletionPolicy` that kept its data), each stack's status and worst
//! impact, and access changes apart: IAM grants (identity and resource policies, trust,
//! attachments, boundaries) and security-group ingress rules, each flagged when it broadens
//! what is allowed. A grant is one effect x action x resource x principal x condition, so adding
//! a statement, an action or a resource adds grants; an ingress rule broadens unless an old rule
//! of the same group already covers its protocol, ports and source (CIDR containment).

use std::collections::BTreeSet;

use ipnet::IpNet;
use serde_json::Value;

use super::compare::{keys, section, type_of};
use super::table::Table;
use super::{AccessChange, Change, Impact, Replacement, ResourceDiff, StackDiff, StackStatus};

/// Sets the impact and data loss of one resource row.
pub fn resource(r: &mut ResourceDiff, old: &Value, new: &Value) {
    let old_r = section(old, "Resources").and_then(|m| m.get(&r.logical_id));
    let new_r = section(new, "Resources").and_then(|m| m.get(&r.logical_id));
    let old_kind = r.old_type.as_deref().unwrap_or(&r.kind);
    let old_policy = old_r.and_then(|o| deletion_policy(old_kind, o));
    r.impact = match r.change {
        Change::Added => Impact::Create,
        Change::Removed if matches!(old_policy, Some("Retain" | "RetainExceptOnCreate")) => {
            Impact::Orphan
        }
        Change::Removed => Impact::Destroy,
        Change::Modified => match r.properties.iter().map(|p| p.replacement).max() {
            Some(Replacement::Blocked) => Impact::Blocked,
            Some(Replacement::Always) => Impact::Replace,
            Some(Replacement::Conditional) => Impact::MayReplace,
            _ => Impact::Update,
        },
    };
    let table = Table::get();
    if !table.is_stateful(&r.kind) && !table.is_stateful(old_kind) {
        return;
    }
    r.data_loss = match r.impact {
        Impact::Destroy if old_policy == Some("Snapshot") => {
            Some("deleted (a final snapshot is kept)".to_owned())
        }
        Impact::Destroy => Some("deleted with its data".to_owned()),
        Impact::Replace => Some("replaced: the new resource starts empty".to_owned()),
        Impact::MayReplace => {
            Some("may be replaced: the new resource would start empty".to_owned())
        }
        // Orphaned: CloudFormation lets go of it, data and all.
        Impact::Orphan | Impact::Create => None,
        _ => {
            let new_policy = new_r.and_then(|n| deletion_policy(&r.kind, n));
            old_policy
                .filter(|o| keeps(o) && !new_policy.is_some_and(keeps))
                .map(|o| format!("loses `DeletionPolicy: {o}`: deleting it would delete its data"))
        }
    };
}

/// The deletion policy in force: the attribute, else CloudFormation's default (`Snapshot` for
/// an RDS cluster and for an RDS instance outside a cluster, `Delete` otherwise).
pub fn deletion_policy<'a>(kind: &str, resource: &'a Value) -> Option<&'a str> {
    if let Some(p) = resource.get("DeletionPolicy").and_then(Value::as_str) {
        return Some(p);
    }
    let in_cluster = resource
        .pointer("/Properties/DBClusterIdentifier")
        .is_some();
    match kind {
        "AWS::RDS::DBCluster" => Some("Snapshot"),
        "AWS::RDS::DBInstance" if !in_cluster => Some("Snapshot"),
        _ => None,
    }
}

fn keeps(policy: &str) -> bool {
    matches!(policy, "Retain" | "RetainExceptOnCreate" | "Snapshot")
}

/// Sets a stack's status and worst impact from its rows.
pub fn stack(s: &mut StackDiff) {
    let other_rows = !(s.parameters.is_empty()
        && s.outputs.is_empty()
        && s.conditions.is_empty()
        && s.sections.is_empty()
        && s.iam.is_empty()
        && s.ingress.is_empty());
    s.status = match (&s.old, &s.new) {
        (None, Some(_)) => StackStatus::Added,
        (Some(_), None) => StackStatus::Removed,
        _ if other_rows || !s.resources.is_empty() => StackStatus::Modified,
        _ => StackStatus::Unchanged,
    };
    let worst = s
        .resources
        .iter()
        .map(|r| r.impact)
        .max()
        .unwrap_or(Impact::NoChange);
    s.impact = if other_rows {
        worst.max(Impact::Update)
    } else {
        worst
    };
}

/// Text of a value inside a grant or rule: strings as they are, anything else as compact JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Items of a value that may be one item or a list.
fn items(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    }
}

/// The policy documents of a resource, each with a label (`trust`, `policy Deploy`, ...).
fn documents<'a>(kind: &str, props: &'a Value) -> Vec<(String, &'a Value)> {
    let one = |key: &str, label: &str| {
        props
            .get(key)
            .map(|d| vec![(label.to_owned(), d)])
            .unwrap_or_default()
    };
    match kind {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            let mut docs = one("AssumeRolePolicyDocument", "trust");
            for p in items(props.get("Policies")) {
                if let Some(d) = p.get("PolicyDocument") {
                    let name = p.get("PolicyName").map(text).unwrap_or_default();
                    docs.push((format!("policy {name}"), d));
                }
            }
            docs
        }
        "AWS::IAM::ManagedPolicy"
        | "AWS::IAM::Policy"
        | "AWS::IAM::RolePolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::GroupPolicy"
        | "AWS::S3::BucketPolicy"
        | "AWS::SNS::TopicPolicy"
        | "AWS::SQS::QueuePolicy" => one("PolicyDocument", "policy"),
        "AWS::KMS::Key" => one("KeyPolicy", "key policy"),
        "AWS::SecretsManager::ResourcePolicy" => one("ResourcePolicy", "resource policy"),
        "AWS::ECR::Repository" => one("RepositoryPolicyText", "repository policy"),
        _ => Vec::new(),
    }
}

/// One grant of a resource, as the diff shows it (`line`) and what decides whether adding it
/// broadens access: an Allow broadens unless a grant the resource already had allows the same
/// action, for the same principal, on a resource pattern that covers this one, under no
/// condition or the same one (so replacing `ec2:<region>:<account>:*` with tagged
/// `security-group/*` narrows).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Grant {
    line: String,
    /// Adding it could allow more (an Allow, an attachment); removing it could not.
    allows: bool,
    /// Label, effect, action and principal: grants comparable for coverage share these.
    scope: Option<(String, String, String, String)>,
    /// The resource as a pattern (an `Fn::Sub` string unwrapped), when it names one.
    resource: Option<String>,
    condition: Option<String>,
}

impl Grant {
    fn plain(line: String, allows: bool) -> Grant {
        Grant {
            line,
            allows,
            scope: None,
            resource: None,
            condition: None,
        }
    }

    /// Whether `self`, held before, already allowed everything `other` allows.
    fn covers(&self, other: &Grant) -> bool {
        let (Some(scope), Some(mine), Some(theirs)) =
            (&self.scope, &self.resource, &other.resource)
        else {
            return false;
        };
        Some(scope) == other.scope.as_ref()
            && (self.condition.is_none() || self.condition == other.condition)
            && pattern_covers(mine, theirs)
    }
}

/// Whether IAM resource pattern `wide` matches everything `narrow` matches: equal, `*`, or a
/// single trailing `*` whose prefix `narrow` starts with.
fn pattern_covers(wide: &str, narrow: &str) -> bool {
    if wide == narrow || wide == "*" {
        return true;
    }
    match wide.strip_suffix('*') {
        Some(prefix) => !prefix.contains(['*', '?']) && narrow.starts_with(prefix),
        None => false,
    }
}

/// A resource value as a pattern: a string, or the string of an `Fn::Sub`.
fn pattern(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) if m.len() == 1 => {
            m.get("Fn::Sub").and_then(Value::as_str).map(str::to_owned)
        }
        _ => None,
    }
}

/// The grants of one resource.
fn grants(resource: &Value) -> BTreeSet<Grant> {
    let kind = type_of(resource);
    let props = resource.get("Properties").unwrap_or(&Value::Null);
    let mut out = BTreeSet::new();
    for (label, doc) in documents(kind, props) {
        for st in items(doc.get("Statement")) {
            let effect = st.get("Effect").map(text).unwrap_or_default();
            let either = |k: &str, not: &str| -> Vec<String> {
                let mut v: Vec<String> = items(st.get(k)).into_iter().map(text).collect();
                v.extend(
                    items(st.get(not))
                        .into_iter()
                        .map(|x| format!("not {}", text(x))),
                );
                v
            };
            let principals = either("Principal", "NotPrincipal");
            let principal = match principals.as_slice() {
                [] => String::new(),
                p => format!(" by {}", p.join(", ")),
            };
            let condition = st.get("Condition").map(text);
            let if_condition = condition
                .as_ref()
                .map(|c| format!(" if {c}"))
                .unwrap_or_default();
            // `NotResource` is never a pattern to compare: it only shows.
            let mut resources: Vec<(String, Option<String>)> = items(st.get("Resource"))
                .into_iter()
                .map(|r| (format!(" on {}", text(r)), pattern(r)))
                .collect();
            resources.extend(
                items(st.get("NotResource"))
                    .into_iter()
                    .map(|r| (format!(" on not {}", text(r)), None)),
            );
            if resources.is_empty() {
                resources.push((String::new(), None));
            }
            for action in either("Action", "NotAction") {
                for (on, resource) in &resources {
                    out.insert(Grant {
                        line: format!("{label}: {effect} {action}{on}{principal}{if_condition}"),
                        allows: effect == "Allow",
                        scope: Some((
                            label.clone(),
                            effect.clone(),
                            action.clone(),
                            principal.clone(),
                        )),
                        resource: resource.clone(),
                        condition: condition.clone(),
                    });
                }
            }
        }
    }
    for arn in items(props.get("ManagedPolicyArns")) {
        out.insert(Grant::plain(
            format!("attach managed policy {}", text(arn)),
            true,
        ));
    }
    for target in [
        "Roles",
        "Users",
        "Groups",
        "RoleName",
        "UserName",
        "GroupName",
    ] {
        if kind.ends_with("Policy") && kind.starts_with("AWS::IAM::") {
            for t in items(props.get(target)) {
                out.insert(Grant::plain(format!("attached to {}", text(t)), true));
            }
        }
    }
    // A boundary limits: removing or changing it is what broadens.
    if let Some(b) = props.get("PermissionsBoundary") {
        out.insert(Grant::plain(
            format!("permissions boundary {}", text(b)),
            false,
        ));
    }
    out
}

/// IAM changes, one row per resource whose grants differ.
pub fn iam(old: &Value, new: &Value) -> Vec<AccessChange> {
    let (o, n) = (section(old, "Resources"), section(new, "Resources"));
    keys(o, n)
        .into_iter()
        .filter_map(|id| {
            let (a, b) = (o.and_then(|m| m.get(id)), n.and_then(|m| m.get(id)));
            if a == b {
                return None;
            }
            let before = a.map(grants).unwrap_or_default();
            let after = b.map(grants).unwrap_or_default();
            let lines = |set: &BTreeSet<Grant>| -> BTreeSet<String> {
                set.iter().map(|g| g.line.clone()).collect()
            };
            let (before_lines, after_lines) = (lines(&before), lines(&after));
            let added: Vec<&Grant> = after
                .iter()
                .filter(|g| !before_lines.contains(&g.line))
                .collect();
            let removed: Vec<&Grant> = before
                .iter()
                .filter(|g| !after_lines.contains(&g.line))
                .collect();
            if added.is_empty() && removed.is_empty() {
                return None;
            }
            let broadened = added
                .iter()
                .any(|g| g.allows && !before.iter().any(|old| old.allows && old.covers(g)))
                || removed.iter().any(|g| !g.allows);
            Some(AccessChange {
                logical_id: id.to_owned(),
                kind: type_of(b.or(a).expect("one side has it")).to_owned(),
                added: added.into_iter().map(|g| g.line.clone()).collect(),
                removed: removed.into_iter().map(|g| g.line.clone()).collect(),
                broadened,
            })
        })
        .collect()
}

/// One ingress rule, from a security group's inline list or a `SecurityGroupIngress` resource.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    /// The logical id of the resource that defines it.
    owner: String,
    kind: String,
    group: String,
    protocol: String,
    ports: Option<(i64, i64)>,
    ports_text: String,
    cidr: Option<IpNet>,
    source: String,
    standalone: bool,
}

impl Rule {
    fn new(owner: &str, kind: &str, group: String, r: &Value, standalone: bool) -> Rule {
        let protocol = r.get("IpProtocol").map(text).unwrap_or_default();
        let port = |k: &str| r.get(k).and_then(Value::as_i64);
        let ports = port("FromPort").zip(port("ToPort"));
        let ports_text = match (r.get("FromPort"), r.get("ToPort")) {
            (Some(f), Some(t)) if f == t => format!(" {}", text(f)),
            (Some(f), Some(t)) => format!(" {}-{}", text(f), text(t)),
            _ => String::new(),
        };
        let source_value = [
            "CidrIp",
            "CidrIpv6",
            "SourceSecurityGroupId",
            "SourcePrefixListId",
        ]
        .iter()
        .find_map(|k| r.get(*k))
        .or_else(|| r.get("SourceSecurityGroupName"));
        let source = source_value.map(text).unwrap_or_default();
        Rule {
            owner: owner.to_owned(),
            kind: kind.to_owned(),
            group,
            protocol,
            ports,
            ports_text,
            cidr: source.parse().ok(),
            source,
            standalone,
        }
    }

    fn line(&self) -> String {
        let protocol = if self.protocol == "-1" {
            "all traffic"
        } else {
            &self.protocol
        };
        let into = if self.standalone {
            format!(" into {}", self.group)
        } else {
            String::new()
        };
        format!("{protocol}{} from {}{into}", self.ports_text, self.source)
    }

    /// Whether this (old) rule already allows everything `other` allows.
    fn covers(&self, other: &Rule) -> bool {
        let protocol = self.protocol == "-1" || self.protocol == other.protocol;
        let ports = self.protocol == "-1"
            || self.ports_text == other.ports_text
            || matches!((self.ports, other.ports), (Some((a, b)), Some((c, d))) if a <= c && d <= b);
        let source = match (self.cidr, other.cidr) {
            (Some(a), Some(b)) => a.contains(&b),
            _ => self.source == other.source,
        };
        self.group == other.group && protocol && ports && source
    }
}

fn rules(template: &Value) -> Vec<Rule> {
    let mut out = Vec::new();
    for (id, r) in section(template, "Resources").into_iter().flatten() {
        let kind = type_of(r);
        let props = r.get("Properties").unwrap_or(&Value::Null);
        match kind {
            "AWS::EC2::SecurityGroup" => {
                for rule in items(props.get("SecurityGroupIngress")) {
                    out.push(Rule::new(id, kind, id.clone(), rule, false));
                }
            }
            "AWS::EC2::SecurityGroupIngress" => {
                let group = props.get("GroupId").or_else(|| props.get("GroupName"));
                let group = group.map(text).unwrap_or_default();
                // A `Ref` to the group in the same template names it like an inline rule does.
                let group = match props.pointer("/GroupId/Ref").and_then(Value::as_str) {
                    Some(g) => g.to_owned(),
                    None => group,
                };
                out.push(Rule::new(id, kind, group, props, true));
            }
            _ => {}
        }
    }
    out
}

/// Ingress changes, one row per resource whose rules differ.
pub fn ingress(old: &Value, new: &Value) -> Vec<AccessChange> {
    let (before, after) = (rules(old), rules(new));
    let lines = |rules: &[Rule]| -> BTreeSet<(String, String)> {
        rules.iter().map(|r| (r.owner.clone(), r.line())).collect()
    };
    let (old_lines, new_lines) = (lines(&before), lines(&after));
    let mut rows: Vec<AccessChange> = Vec::new();
    let mut row = |rule: &Rule, added: bool, broadens: bool| {
        let i = match rows.iter().position(|r| r.logical_id == rule.owner) {
            Some(i) => i,
            None => {
                rows.push(AccessChange {
                    logical_id: rule.owner.clone(),
                    kind: rule.kind.clone(),
                    added: Vec::new(),
                    removed: Vec::new(),
                    broadened: false,
                });
                rows.len() - 1
            }
        };
        let r = &mut rows[i];
        if added { &mut r.added } else { &mut r.removed }.push(rule.line());
        r.broadened |= broadens;
    };
    for rule in &after {
        if !old_lines.contains(&(rule.owner.clone(), rule.line())) {
            row(rule, true, !before.iter().any(|o| o.covers(rule)));
        }
    }
    for rule in &before {
        if !new_lines.contains(&(rule.owner.clone(), rule.line())) {
            row(rule, false, false);
        }
    }
    rows
}
