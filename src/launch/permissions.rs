//! The permissions summary of the launch page: an access template -> what the vendor may do in
//! the customer's account, in plain words.
//!
//! Input: the access template as a JSON value (the synthesis's access stack). Output: a
//! `Summary`: how the vendor gets in (the trust of every role an outside principal may assume,
//! with the conditions that bind it: external id, MFA, source addresses), what those roles may
//! do directly, what the roles CloudFormation assumes may do for them (grouped by service:
//! "create, update and delete load balancers named `acme-prod-*`"), and every explicit deny
//! (what can never be done, by whom). Roles are told apart by their trust, never by their
//! logical ids, and every line is read from a statement of the template (its `Sid` kept
//! beside it), so the summary cannot promise what the template does not say. It reads the
//! template with the access page's words (`report::access_doc`), so both pages say a value
//! the same way. Text marks values as code with backticks; the renderer escapes it.
//! Invariants: deterministic (template order); a statement the summary has no words for is
//! still listed, with its actions as written.

use serde_json::{Map, Value};

use crate::report::access_doc::{
    Policy, Scope, Words, conditions, guarded, list_of, policies, scope, statements, task_grants,
};

/// The service a role trusts when it is CloudFormation's to assume.
const CLOUDFORMATION: &str = "cloudformation.amazonaws.com";

/// Everything the launch page says about the vendor's permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Who may assume the vendor's roles, and only when: one line per trust statement.
    pub entry: Vec<Line>,
    /// What the vendor's roles may do themselves, by service.
    pub direct: Vec<Group>,
    /// What CloudFormation may do for the vendor (through the roles it assumes), by service.
    pub through_cloudformation: Vec<Group>,
    /// What the spec lets the product's own applications do (each service's task grants, as
    /// the permissions boundary allows them), one group per service, the vendor's reason after
    /// each line.
    pub applications: Vec<Group>,
    /// Every explicit deny of the roles above and of the permissions boundary: what can never
    /// be done, whatever any policy allows.
    pub never: Vec<Line>,
}

/// The lines of one service, in the template's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The service's name in words (`Elastic Load Balancing`).
    pub service: String,
    pub lines: Vec<Line>,
}

/// One statement (or its part for one service) in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// A sentence without its subject: "create, update and delete ...". Values in backticks.
    pub text: String,
    /// The statement's `Sid`: where a reviewer finds it in the template.
    pub sid: String,
    /// The IAM actions the line covers, as written.
    pub actions: Vec<String>,
    /// Whom a deny binds (`the vendor`, `CloudFormation`, `the product's roles`); empty for
    /// allows, whose subject is their section.
    pub binds: Vec<&'static str>,
}

/// The roles of the template by whom their trust names.
struct Roles {
    /// Assumed by a principal outside the account's services: the vendor.
    vendor: Vec<String>,
    /// Assumed by CloudFormation.
    cloudformation: Vec<String>,
}

/// The summary of the access template `template`.
pub fn summarize(template: &Value) -> Summary {
    let empty = Map::new();
    let resources = template["Resources"].as_object().unwrap_or(&empty);
    let words = Words { template };
    let roles = roles(resources);
    let all = policies(&words, resources);
    let mut entry = Vec::new();
    for role in &roles.vendor {
        let trust = &resources[role]["Properties"]["AssumeRolePolicyDocument"];
        for st in standing(trust).filter(|st| st["Effect"] == "Allow") {
            entry.push(trust_line(&words, role, st));
        }
    }
    let held_by = |names: &[String]| -> Vec<&Value> {
        always(&all)
            .filter(|p| p.roles.iter().any(|r| names.contains(r)))
            .flat_map(|p| standing(p.document))
            .collect()
    };
    let direct = held_by(&roles.vendor);
    let through = held_by(&roles.cloudformation);
    let mut never: Vec<Line> = Vec::new();
    let boundary: Vec<&Value> = always(&all)
        .filter(|p| p.boundary)
        .flat_map(|p| standing(p.document))
        .collect();
    for (who, list) in [
        ("the vendor", &direct),
        ("CloudFormation", &through),
        ("the product's roles", &boundary),
    ] {
        for st in list.iter().filter(|st| st["Effect"] == "Deny") {
            let mut line = deny_line(&words, st);
            match never
                .iter_mut()
                .find(|l| l.sid == line.sid && l.text == line.text)
            {
                Some(seen) if !seen.binds.contains(&who) => seen.binds.push(who),
                Some(_) => {}
                None => {
                    line.binds.push(who);
                    never.push(line);
                }
            }
        }
    }
    let mut applications: Vec<Group> = Vec::new();
    for grant in task_grants(resources) {
        let mut lines: Vec<Line> = groups(&words, &[grant.statement])
            .into_iter()
            .flat_map(|g| g.lines)
            .collect();
        if let Some(reason) = grant.reason {
            for line in &mut lines {
                line.text.push_str(&format!(" (why: {reason})"));
            }
        }
        let service = format!("the `{}` service", grant.service);
        match applications.iter_mut().find(|g| g.service == service) {
            Some(group) => group.lines.extend(lines),
            None => applications.push(Group { service, lines }),
        }
    }
    Summary {
        entry,
        direct: groups(&words, &direct),
        through_cloudformation: groups(&words, &through),
        applications,
        never,
    }
}

/// The policies that exist whatever the stack's parameters say. One created only under a
/// template condition (the kill switch's deny-all) describes a state the customer chooses, not
/// what the vendor gets: the page explains the switch where it says how to revoke access.
fn always<'p, 'a>(all: &'p [Policy<'a>]) -> impl Iterator<Item = &'p Policy<'a>> {
    all.iter().filter(|p| p.condition.is_none())
}

/// The statements of `document` that hold whatever the parameters say (`Fn::If` ones do not).
fn standing(document: &Value) -> impl Iterator<Item = &Value> {
    guarded(document)
        .into_iter()
        .filter(|(condition, _)| condition.is_none())
        .map(|(_, st)| st)
}

fn roles(resources: &Map<String, Value>) -> Roles {
    let mut out = Roles {
        vendor: Vec::new(),
        cloudformation: Vec::new(),
    };
    for (id, r) in resources {
        if r["Type"] != "AWS::IAM::Role" {
            continue;
        }
        let trust = &r["Properties"]["AssumeRolePolicyDocument"];
        let principals: Vec<&Value> = statements(trust).map(|st| &st["Principal"]).collect();
        if principals
            .iter()
            .any(|p| p.get("AWS").is_some() || *p == "*")
        {
            out.vendor.push(id.clone());
        } else if principals
            .iter()
            .any(|p| list_of(&p["Service"]).any(|s| s == CLOUDFORMATION))
        {
            out.cloudformation.push(id.clone());
        }
    }
    out
}

/// "`DeployerRole` may be assumed by `arn:...`, only when ..."
fn trust_line(words: &Words<'_>, role: &str, st: &Value) -> Line {
    let who: Vec<String> = st["Principal"]
        .as_object()
        .map(|m| {
            m.values()
                .flat_map(list_of)
                .map(|p| format!("`{}`", words.readable(p)))
                .collect()
        })
        .unwrap_or_else(|| vec![format!("`{}`", words.readable(&st["Principal"]))]);
    let mut text = format!("`{role}` may be assumed by {}", and_list(&who));
    let when = conditions(words, &st["Condition"]);
    if when.is_empty() {
        text.push_str(", with no condition");
    } else {
        text.push_str(&format!(", only when {}", when.join(" and ")));
    }
    Line {
        text,
        sid: sid(st),
        actions: actions(st),
        binds: Vec::new(),
    }
}

/// The allows of `statements` split by service, services in order of first appearance.
fn groups(words: &Words<'_>, statements: &[&Value]) -> Vec<Group> {
    let mut out: Vec<(String, Vec<Line>)> = Vec::new();
    for st in statements.iter().filter(|st| st["Effect"] == "Allow") {
        let all = actions(st);
        let mut services: Vec<&str> = all.iter().map(|a| service_of(a)).collect();
        services.dedup();
        let mut seen: Vec<&str> = Vec::new();
        for service in services {
            if seen.contains(&service) {
                continue;
            }
            seen.push(service);
            let own: Vec<String> = all
                .iter()
                .filter(|a| service_of(a) == service)
                .cloned()
                .collect();
            let mut text = format!(
                "{} {}",
                verbs(&own, st.get("NotAction").is_some()),
                resources(words, st, &[service])
            );
            let when = conditions(words, &st["Condition"]);
            if !when.is_empty() {
                text.push_str(&format!(", only when {}", when.join(" and ")));
            }
            let line = Line {
                text,
                sid: sid(st),
                actions: own,
                binds: Vec::new(),
            };
            let name = service_name(service);
            match out.iter_mut().find(|(s, _)| *s == name) {
                Some((_, lines)) => lines.push(line),
                None => out.push((name, vec![line])),
            }
        }
    }
    out.into_iter()
        .map(|(service, lines)| Group { service, lines })
        .collect()
}

/// "never delete and update any CloudTrail resource, when ..."
fn deny_line(words: &Words<'_>, st: &Value) -> Line {
    let all = actions(st);
    let mut services: Vec<&str> = Vec::new();
    for a in &all {
        if !services.contains(&service_of(a)) {
            services.push(service_of(a));
        }
    }
    let mut text = format!(
        "never {} {}",
        verbs(&all, st.get("NotAction").is_some()),
        resources(words, st, &services)
    );
    let when = conditions(words, &st["Condition"]);
    if !when.is_empty() {
        text.push_str(&format!(", when {}", when.join(" and ")));
    }
    Line {
        text,
        sid: sid(st),
        actions: all,
        binds: Vec::new(),
    }
}

fn sid(st: &Value) -> String {
    st["Sid"].as_str().unwrap_or("(no Sid)").to_owned()
}

/// The statement's actions (or the ones its `NotAction` excludes), as written.
fn actions(st: &Value) -> Vec<String> {
    let key = if st.get("NotAction").is_some() {
        "NotAction"
    } else {
        "Action"
    };
    list_of(&st[key])
        .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned))
        .collect()
}

fn service_of(action: &str) -> &str {
    action.split_once(':').map_or("*", |(s, _)| s)
}

/// What the actions do, in plain verbs: `create, update and delete`. `except` says the list is
/// a `NotAction`: everything but these.
fn verbs(actions: &[String], except: bool) -> String {
    if except {
        let listed: Vec<String> = actions.iter().map(|a| format!("`{a}`")).collect();
        return format!("do anything but {} on", and_list(&listed));
    }
    if actions.iter().any(|a| a == "*" || a.ends_with(":*")) {
        return "do anything to".to_owned();
    }
    // Two actions or fewer are said as they are named: "delete role permissions boundary"
    // says more than "delete".
    if actions.len() <= 2 {
        let named: Vec<String> = actions
            .iter()
            .map(|a| spaced(a.split_once(':').map_or(a.as_str(), |(_, n)| n)))
            .collect();
        return format!("{} on", and_list(&named));
    }
    let mut kinds: Vec<&str> = actions.iter().map(|a| verb(a)).collect();
    kinds.sort_by_key(|k| VERBS.iter().position(|v| v == k));
    kinds.dedup();
    let words: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
    and_list(&words)
}

/// The verbs in the order the page says them.
const VERBS: &[&str] = &[
    "create", "read", "update", "tag", "untag", "delete", "pass", "use",
];

/// One action's verb, from the name AWS gives it.
fn verb(action: &str) -> &'static str {
    let name = action.split_once(':').map_or(action, |(_, n)| n);
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
    let tags = name.contains("Tag") || name.starts_with("Untag");
    if tags && starts(&["Untag", "Remove", "Delete"]) {
        "untag"
    } else if tags && starts(&["Tag", "Add", "Create"]) {
        "tag"
    } else if starts(&[
        "Describe",
        "Get",
        "List",
        "BatchGet",
        "BatchCheck",
        "Filter",
        "Lookup",
        "Validate",
        "Detect",
        "Search",
    ]) {
        "read"
    } else if name.ends_with("Grant") {
        // A grant lets a service use a key: it creates no key.
        "use"
    } else if starts(&["Create", "Allocate", "Register", "Run", "Initiate"]) {
        "create"
    } else if starts(&["Delete", "Deregister", "Release", "Retire"]) {
        "delete"
    } else if name == "PassRole" {
        "pass"
    } else if starts(&[
        "Update",
        "Modify",
        "Put",
        "Set",
        "Replace",
        "Enable",
        "Disable",
        "Reboot",
        "Reset",
        "Attach",
        "Detach",
        "Associate",
        "Disassociate",
        "Authorize",
        "Revoke",
        "Add",
        "Remove",
        "Execute",
        "Continue",
        "Rollback",
        "Cancel",
        "Upload",
        "Complete",
        "Subscribe",
        "Unsubscribe",
        "Start",
        "Stop",
        "Restore",
    ]) {
        "update"
    } else {
        "use"
    }
}

/// The statement's resources in words: `load balancers named `acme-prod-*``, `any EC2 resource
/// in the account`, the access stack's own resources by their kind and id.
fn resources(words: &Words<'_>, st: &Value, services: &[&str]) -> String {
    let (except, key) = if st.get("NotResource").is_some() {
        (true, "NotResource")
    } else {
        (false, "Resource")
    };
    let mut said: Vec<String> = Vec::new();
    // Account-wide kinds are said once: "any subnets, route tables and VPCs in the account".
    let mut anywhere: Vec<String> = Vec::new();
    // So are the access stack's own resources, by kind: "roles `A` and `B`".
    let mut own: Vec<Own> = Vec::new();
    for r in list_of(&st[key]) {
        let text = words.readable(r);
        if let Some((id, objects)) = own_id(&text)
            && let Some(noun) = own_noun(words, &id)
        {
            match own.iter_mut().find(|o| o.id == id) {
                Some(o) => {
                    o.objects |= objects;
                    o.itself |= !objects;
                }
                None => own.push(Own {
                    noun,
                    itself: !objects,
                    objects,
                    id,
                }),
            }
            continue;
        }
        if let (Scope::AccountWide, Some((_, kind))) = (scope(&text), arn_type(&text)) {
            let kind = plural(&kind);
            if !anywhere.contains(&kind) {
                anywhere.push(kind);
            }
            continue;
        }
        let phrase = resource(&text, services);
        if !said.contains(&phrase) {
            said.push(phrase);
        }
    }
    if !own.is_empty() {
        said.insert(0, own_phrase(&own));
    }
    if !anywhere.is_empty() {
        said.push(format!("any {} in the account", and_list(&anywhere)));
    }
    match except {
        true => format!("any resource but {}", and_list(&said)),
        false => and_list(&said),
    }
}

fn resource(text: &str, services: &[&str]) -> String {
    let names: Vec<String> = services
        .iter()
        .filter(|s| **s != "*")
        .map(|s| service_name(s))
        .collect();
    let any = match names.len() {
        0 => "any resource in the account".to_owned(),
        1..=3 => format!("any {} resource in the account", names.join(", ")),
        _ => format!("any resource of {}", and_list(&names)),
    };
    match (scope(text), arn_type(text)) {
        (Scope::Everything, _) => any,
        (Scope::AccountWide, _) => any,
        (Scope::Named, Some((name, _))) if name == "<access stack>" => {
            "this access stack".to_owned()
        }
        (Scope::Named, Some((name, kind))) if !name.is_empty() => {
            format!("{} named `{name}`", plural(&kind))
        }
        (Scope::Named, Some((_, kind))) => plural(&kind),
        (Scope::Named, None) => format!("`{text}`"),
    }
}

/// A resource of the access stack itself that a statement names.
struct Own {
    /// Its kind in words (`log group`).
    noun: String,
    id: String,
    /// The statement names the resource itself.
    itself: bool,
    /// The statement names what it holds (`<Bucket ARN>/*`).
    objects: bool,
}

/// The logical id in `<Trail ARN>`, `<Trail>`, `<Bucket ARN>/*` (its objects) or an ARN whose
/// name is one (`arn:...:log-group:<TrailLogGroup>`). `<access stack>` is not a resource.
fn own_id(text: &str) -> Option<(String, bool)> {
    let at = match text.strip_prefix("arn:") {
        Some(_) => text.rfind([':', '/']).map(|i| i + 1)?,
        None => 0,
    };
    let inner = text[at..].strip_prefix('<')?;
    let (id, rest) = inner.split_once('>')?;
    let id = id.strip_suffix(" ARN").unwrap_or(id);
    Some((id.to_owned(), !rest.is_empty()))
}

/// `AWS::Logs::LogGroup` of the resource `id` -> `log group`; `None` when `id` is not a
/// resource of the template.
fn own_noun(words: &Words<'_>, id: &str) -> Option<String> {
    let kind = words.template["Resources"].get(id)?["Type"].as_str()?;
    kind.rsplit("::").next().map(spaced)
}

/// "the access stack's roles `A` and `B`, bucket `C` and its objects and key `D`"; what a
/// statement names only the objects of is said apart: "the objects in the access stack's
/// bucket `E`".
fn own_phrase(own: &[Own]) -> String {
    let (inside, own): (Vec<&Own>, Vec<&Own>) = own.iter().partition(|o| !o.itself);
    let mut nouns: Vec<&str> = Vec::new();
    for o in &own {
        if !nouns.contains(&o.noun.as_str()) {
            nouns.push(&o.noun);
        }
    }
    let groups: Vec<String> = nouns
        .iter()
        .map(|noun| {
            let of: Vec<&&Own> = own.iter().filter(|o| o.noun == *noun).collect();
            let ids: Vec<String> = of
                .iter()
                .map(|o| match o.objects {
                    true => format!("`{}` and its objects", o.id),
                    false => format!("`{}`", o.id),
                })
                .collect();
            let noun = match of.len() {
                1 => (*noun).to_owned(),
                _ => plural(noun),
            };
            format!("{noun} {}", and_list(&ids))
        })
        .collect();
    let mut said: Vec<String> = Vec::new();
    if !groups.is_empty() {
        said.push(format!("the access stack's {}", and_list(&groups)));
    }
    for o in inside {
        said.push(format!(
            "the objects in the access stack's {} `{}`",
            o.noun, o.id
        ));
    }
    and_list(&said)
}

/// An ARN's resource type in words and its name pattern: `loadbalancer/app/*` -> (`app/*`,
/// `load balancer`); `stack/acme-prod-*/*` -> (`acme-prod-*`, `stack`); an S3 ARN is a
/// bucket.
fn arn_type(text: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return None;
    }
    let (service, rest) = (parts[2], parts[5]);
    if service == "s3" {
        let (bucket, object) = rest.split_once('/').unwrap_or((rest, ""));
        return Some(match object.is_empty() {
            true => (bucket.to_owned(), "bucket".to_owned()),
            false => (rest.to_owned(), "object".to_owned()),
        });
    }
    if service == "sns" && !rest.contains(['/', ':']) {
        return Some((rest.to_owned(), "topic".to_owned()));
    }
    if service == "ssm" && rest.starts_with("parameter/aws/") {
        return Some(("/aws/*".to_owned(), "public parameter".to_owned()));
    }
    let cut = rest.find(['/', ':'])?;
    let (kind, name) = (&rest[..cut], &rest[cut + 1..]);
    let name = name.strip_suffix("/*").unwrap_or(name);
    let name = if name == "*" { "" } else { name };
    Some((name.to_owned(), type_word(kind)))
}

/// A resource-type word of an ARN as people say it.
fn type_word(kind: &str) -> String {
    match kind {
        "loadbalancer" => "load balancer",
        "targetgroup" => "target group",
        "natgateway" => "NAT gateway",
        "db" => "database",
        "pg" => "DB parameter group",
        "subgrp" => "DB subnet group",
        "og" => "DB option group",
        "snapshot" => "DB snapshot",
        "webacl" | "regional" => "web ACL",
        "elastic-ip" => "elastic IP",
        "vpc" => "VPC",
        "key" => "KMS key",
        other => return other.replace('-', " "),
    }
    .to_owned()
}

fn plural(noun: &str) -> String {
    match noun {
        n if n.ends_with('y') && !n[..n.len() - 1].ends_with(['a', 'e', 'o', 'u']) => {
            format!("{}ies", &n[..n.len() - 1])
        }
        n if n.ends_with('s') => n.to_owned(),
        n => format!("{n}s"),
    }
}

/// `LogGroup` -> `log group`.
fn spaced(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A service's name in words; the IAM prefix itself when the page has none.
pub fn service_name(prefix: &str) -> String {
    match prefix {
        "*" => "every service",
        "application-autoscaling" => "Application Auto Scaling",
        "cloudformation" => "CloudFormation",
        "cloudtrail" => "CloudTrail",
        "cloudwatch" => "CloudWatch",
        "ec2" => "EC2 networking",
        "ecr" => "ECR (container images)",
        "ecs" => "ECS (containers)",
        "elasticloadbalancing" => "Elastic Load Balancing",
        "events" => "EventBridge",
        "iam" => "IAM",
        "kms" => "KMS (keys)",
        "logs" => "CloudWatch Logs",
        "rds" => "RDS (database)",
        "s3" => "S3",
        "secretsmanager" => "Secrets Manager",
        "servicediscovery" => "Cloud Map",
        "sns" => "SNS (notifications)",
        "ssm" => "Systems Manager",
        "sts" => "STS",
        "wafv2" => "WAF",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::launch::fixtures;

    fn prod() -> Value {
        fixtures::access(&fixtures::output("acme-api", "prod"))
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    fn group<'a>(groups: &'a [Group], service: &str) -> Vec<&'a str> {
        let found = groups.iter().find(|g| g.service == service);
        texts(
            &found
                .unwrap_or_else(|| panic!("no {service} in {groups:#?}"))
                .lines,
        )
    }

    /// The deny statement `sid` of the policy that holds it, removed from `template`.
    fn without_statement(template: &mut Value, sid: &str) {
        let drop = |doc: &mut Value| {
            if let Some(list) = doc["Statement"].as_array_mut() {
                list.retain(|st| st["Sid"] != sid);
            }
        };
        for r in template["Resources"].as_object_mut().unwrap().values_mut() {
            let p = &mut r["Properties"];
            drop(&mut p["PolicyDocument"]);
            for inline in p["Policies"].as_array_mut().into_iter().flatten() {
                drop(&mut inline["PolicyDocument"]);
            }
        }
    }

    #[test]
    fn the_products_applications_show_their_grants_with_the_vendors_reason() {
        assert!(summarize(&prod()).applications.is_empty());
        let output = fixtures::output_with("acme-api", "prod", |spec| {
            spec.replacen(
                "  - name: api\n",
                "  - name: api\n    permissions:\n      - actions: [sqs:SendMessage]\n        resources: [\"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:acme-jobs\"]\n        reason: queues jobs\n",
                1,
            )
        });
        let summary = summarize(&fixtures::access(&output));
        let lines = group(&summary.applications, "the `api` service");
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("acme-jobs") && lines[0].ends_with(" (why: queues jobs)"),
            "{}",
            lines[0]
        );
        assert_eq!(summary.applications[0].lines[0].sid, "ApiTask1");
    }

    #[test]
    fn the_vendor_gets_in_only_with_the_external_id() {
        let summary = summarize(&prod());
        assert_eq!(
            texts(&summary.entry),
            [
                "`DeployerRole` may be assumed by `arn:aws:iam::111111111111:role/byoa-deploy`, \
              only when the caller presents the external ID `<the parameter ExternalId>`"
            ]
        );
    }

    #[test]
    fn mfa_and_source_addresses_bind_the_vendor_when_the_spec_asks() {
        let output = fixtures::output_with("acme-api", "prod", |spec| {
            spec.replace(
                "require_mfa: false",
                "require_mfa: true\n  source_cidrs: [203.0.113.0/24]",
            )
        });
        let entry = summarize(&fixtures::access(&output)).entry;
        let text = &entry[0].text;
        assert!(text.contains("the caller signed in with MFA"), "{text}");
        assert!(
            text.contains("the call comes from the addresses `203.0.113.0/24`"),
            "{text}"
        );
    }

    #[test]
    fn the_vendor_drives_only_the_products_stacks_directly() {
        let summary = summarize(&prod());
        let stacks = group(&summary.direct, "CloudFormation");
        assert!(
            stacks[0].starts_with(
                "create, read, update, tag, untag and delete stacks named `acme-api-prod-*`, \
                 only when `aws:ResourceTag/byoa:product` is `acme-api` or absent and "
            ),
            "{stacks:#?}"
        );
        assert_eq!(stacks[1], "read any CloudFormation resource in the account");
        assert_eq!(
            group(&summary.direct, "IAM"),
            [
                "pass role on the access stack's role `ExecutionRole`, only when the role is \
              passed to `cloudformation.amazonaws.com`"
            ]
        );
        assert!(
            summary.direct.iter().all(|g| g.service != "EC2 networking"),
            "the vendor creates no network itself: {:#?}",
            summary.direct
        );
    }

    #[test]
    fn cloudformation_works_for_the_vendor_by_service() {
        let summary = summarize(&prod());
        let services: Vec<&str> = summary
            .through_cloudformation
            .iter()
            .map(|g| g.service.as_str())
            .collect();
        assert_eq!(
            services[..3],
            ["EC2 networking", "Elastic Load Balancing", "WAF"]
        );
        assert!(
            group(&summary.through_cloudformation, "RDS (database)").contains(
                &"create, update, tag, untag and delete databases named `acme-api-prod-*`, \
                  DB parameter groups named `acme-api-prod-*`, DB subnet groups named \
                  `acme-api-prod-*` and any DB option groups and DB snapshots in the account"
            )
        );
        let ec2 = group(&summary.through_cloudformation, "EC2 networking");
        assert!(
            ec2.iter().any(|l| l.contains(
                "subnets and VPCs in the account, only when the resource is tagged \
                 `byoa:product=acme-api` and `byoa:environment=prod`"
            )),
            "{ec2:#?}"
        );
    }

    #[test]
    fn dev_names_its_own_environment() {
        let dev = summarize(&fixtures::access(&fixtures::output("acme-api", "dev")));
        let all: Vec<&str> = dev
            .through_cloudformation
            .iter()
            .flat_map(|g| texts(&g.lines))
            .collect();
        assert!(
            all.iter()
                .any(|l| l.contains("roles named `acme-api-dev-*`"))
        );
        assert!(!all.iter().any(|l| l.contains("acme-api-prod")), "{all:#?}");
    }

    #[test]
    fn denies_say_whom_they_bind() {
        let summary = summarize(&prod());
        let audit = summary
            .never
            .iter()
            .find(|l| l.sid == "NeverTouchAuditTrail")
            .expect("the audit trail deny");
        assert_eq!(
            audit.binds,
            ["the vendor", "CloudFormation", "the product's roles"]
        );
        assert!(
            audit
                .text
                .starts_with("never do anything to the access stack's trail `Trail`"),
            "{}",
            audit.text
        );
        let iam = summary
            .never
            .iter()
            .find(|l| l.sid == "NeverUseIam")
            .unwrap();
        assert_eq!(iam.binds, ["the product's roles"]);
        assert_eq!(
            iam.text,
            "never do anything to any IAM resource in the account"
        );
    }

    #[test]
    fn the_access_stacks_own_resources_are_named_by_kind() {
        let summary = summarize(&prod());
        let s3 = group(&summary.direct, "S3");
        assert!(
            s3.contains(&"put object on the objects in the access stack's bucket `ArtifactBucket`"),
            "{s3:#?}"
        );
        let roles = summary
            .never
            .iter()
            .find(|l| l.sid == "NeverChangeAccessRoles")
            .unwrap();
        assert!(
            roles.text.starts_with(
                "never do anything to the access stack's roles `DeployerRole` and \
                 `ExecutionRole` and managed policies `PermissionsBoundary`, "
            ),
            "{}",
            roles.text
        );
    }

    #[test]
    fn the_kill_switch_is_a_state_the_customer_chooses_not_a_standing_deny() {
        let template = prod();
        let revoked = &template["Resources"]["VendorAccessRevoked"];
        assert_eq!(revoked["Condition"], "VendorAccessDisabled", "{revoked}");
        let summary = summarize(&template);
        assert_eq!(
            summary.entry.len(),
            1,
            "the conditional trust deny is no way in"
        );
        assert!(
            !summary
                .never
                .iter()
                .any(|l| l.sid == "VendorAccessDisabled"),
            "{:#?}",
            summary.never
        );
    }

    #[test]
    fn a_deny_removed_from_the_template_leaves_the_summary() {
        let before = summarize(&prod());
        let mut template = prod();
        without_statement(&mut template, "NeverTouchOtherProducts");
        let after = summarize(&template);
        assert_eq!(after.never.len() + 1, before.never.len());
        assert!(
            before
                .never
                .iter()
                .any(|l| l.sid == "NeverTouchOtherProducts")
        );
        assert!(
            !after
                .never
                .iter()
                .any(|l| l.sid == "NeverTouchOtherProducts")
        );
    }

    #[test]
    fn a_widened_resource_changes_the_line() {
        let mut template = prod();
        let policy = &mut template["Resources"]["ExecutionNetworkPolicy"]["Properties"];
        let statements = policy["PolicyDocument"]["Statement"]
            .as_array_mut()
            .unwrap();
        let attach = statements
            .iter_mut()
            .find(|st| st["Sid"] == "AttachWebAcl")
            .unwrap();
        attach["Resource"] = json!("*");
        let summary = summarize(&template);
        assert!(
            group(&summary.through_cloudformation, "Elastic Load Balancing")
                .contains(&"set web acl on any Elastic Load Balancing resource in the account")
        );
    }

    #[test]
    fn verbs_come_from_action_names() {
        let said = |actions: &[&str]| {
            let list: Vec<String> = actions.iter().map(|a| (*a).to_owned()).collect();
            verbs(&list, false)
        };
        assert_eq!(
            said(&["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute"]),
            "create, update and delete"
        );
        assert_eq!(
            said(&["kms:CreateGrant", "kms:RetireGrant", "kms:Decrypt"]),
            "use"
        );
        assert_eq!(
            said(&["ecs:TagResource", "ecs:UntagResource", "ec2:DescribeVpcs"]),
            "read, tag and untag"
        );
        assert_eq!(
            said(&["iam:DeleteRolePermissionsBoundary"]),
            "delete role permissions boundary on"
        );
        assert_eq!(said(&["s3:*"]), "do anything to");
        assert_eq!(plural("key"), "keys");
        assert_eq!(plural("policy"), "policies");
        assert_eq!(plural("repository"), "repositories");
    }
}
