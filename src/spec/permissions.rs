//! Task permissions: a service's `permissions` -> the model's `TaskGrant`s, or coded
//! diagnostics at the field.
//!
//! Stage: validation. Input: one schema-valid service of the merged spec (with the spec's
//! compliance exceptions) and the IAM action catalogue (`aws::iam`, AWS's Service
//! Authorization Reference as offline data). Output: grants whose actions exist in the
//! catalogue, in AWS's spelling, and whose resources are `*`, an ARN or a resource byoa creates
//! for the service (`byoa:log-group`, `byoa:database-secret`).
//!
//! Decisions, each with a test:
//! - IAM reads actions case-insensitively: `S3:getobject` is `s3:GetObject`, so both spellings
//!   give the same template bytes.
//! - A pattern inside an action name (`s3:Get*`, `s3:Get?bject`) is expanded into the actions
//!   the catalogue lists on its date and emitted as that list: the customer reviews exactly what
//!   is granted, and an action AWS adds later is not granted silently. A pattern that matches
//!   nothing is an unknown action.
//! - A whole service (`s3:*`) or a pattern in the service prefix (`s*:Get*`) is refused unless
//!   an exception for `IAM_NO_WILDCARD_ACTION` accepts it (then it stays as written).
//! - A resource that reaches every resource of a type in the account (`*`, `arn:aws:s3:::*`,
//!   `...:table/*`, or any account `*`) is refused unless an exception for
//!   `IAM_MUTATING_ACTIONS_SCOPED` accepts it; `*` needs none for actions that act on no resource
//!   type and only read or list (`sts:GetCallerIdentity`): IAM knows no narrower resource.
//! - An action that acts on no resource type with any resource but `*` never matches in IAM:
//!   refused. An ARN of a service none of the grant's actions acts on is refused.
//! - Every IAM action is refused, and so are `*`, `*:*` and prefix patterns that cover `iam`,
//!   whatever the exceptions: the permissions boundary denies IAM to every product role, and
//!   such a grant breaks four more rules (admin access, privilege escalation, boundaries,
//!   PassRole) than the exception names.
//! - ARNs name the customer's partition, region and account as `${AWS::Partition}`,
//!   `${AWS::Region}` and `${AWS::AccountId}`, so one spec fits every account; any other
//!   `${...}` is refused.
//!
//! Invariant: a grant in the model is exactly what the task role's policy and the permissions
//! boundary say (the boundary maps byoa's resources to the product's name patterns).

use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::spec::aws::iam::{Action, Catalogue, glob};
use crate::spec::types::Spec;

/// The rule whose exception accepts a wildcard action.
pub const WILDCARD_RULE: &str = "IAM_NO_WILDCARD_ACTION";
/// The rule whose exception accepts an account-wide resource.
pub const ACCOUNT_WIDE_RULE: &str = "IAM_MUTATING_ACTIONS_SCOPED";
/// The placeholders an ARN may name, as `Fn::Sub` resolves them at launch.
pub const PLACEHOLDERS: &[&str] = &["${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}"];
/// Characters of the permissions boundary left for task grants: IAM allows 6,144 a managed
/// policy, byoa's own statements use about 2,400 of them, and intrinsics and the product's name
/// patterns grow what the spec says.
pub const BOUNDARY_BUDGET: usize = 3_000;

/// One grant of a service's task role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskGrant {
    /// Its position in the service's list, from 1: its statements' ids end with it.
    pub number: usize,
    /// `service:Action` in AWS's spelling, patterns expanded, without repeats, in spec order.
    pub actions: Vec<String>,
    pub resources: Vec<GrantResource>,
    /// Why the product needs it, shown to the customer.
    pub reason: Option<String>,
}

impl TaskGrant {
    /// About as many characters as its statement takes in a policy.
    pub fn size(&self) -> usize {
        let quoted = |s: &str| s.len() + 3;
        60 + self.actions.iter().map(|a| quoted(a)).sum::<usize>()
            + self
                .resources
                .iter()
                .map(|r| match r {
                    GrantResource::Any => 4,
                    GrantResource::Arn(a) => quoted(a),
                    GrantResource::LogGroup | GrantResource::DatabaseSecret => 90,
                })
                .sum::<usize>()
    }
}

/// A resource of a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantResource {
    /// `*`.
    Any,
    /// An ARN; it may name the placeholders.
    Arn(String),
    /// `byoa:log-group`: the service's own log group (and its streams).
    LogGroup,
    /// `byoa:database-secret`: the database's credentials secret, which RDS manages.
    DatabaseSecret,
}

/// The resources byoa creates that a grant may name, and what each needs of the service.
pub const SHORTHANDS: &[&str] = &["byoa:log-group", "byoa:database-secret"];

/// The grants of service `index` of `spec`; problems are appended to `d`.
pub fn grants(spec: &Spec, index: usize, d: &mut Vec<Diagnostic>) -> Vec<TaskGrant> {
    let service = &spec.services[index];
    let accepted = |rule: &str| spec.compliance.exceptions.iter().any(|e| e.rule == rule);
    let mut out = Vec::new();
    for (i, grant) in service.permissions.iter().enumerate() {
        let at = format!("/services/{index}/permissions/{i}");
        let mut actions: Vec<String> = Vec::new();
        // The catalogue's entries of the actions, and whether a wildcard was accepted.
        let mut known: Vec<(String, &Action, Vec<&str>)> = Vec::new();
        let mut wildcard = false;
        for (j, written) in grant.actions.iter().enumerate() {
            let ptr = format!("{at}/actions/{j}");
            match action(written) {
                Err(problem) => d.push(problem.diagnostic(written, &ptr)),
                Ok(Parsed::Wildcard(canonical)) => {
                    if accepted(WILDCARD_RULE) {
                        wildcard = true;
                        push_unique(&mut actions, canonical);
                    } else {
                        d.push(wildcard_refused(written, &ptr));
                    }
                }
                Ok(Parsed::Actions(prefix, list)) => {
                    let arn_services: Vec<&str> = Catalogue::get()
                        .service(&prefix)
                        .map(|s| s.arn_services.iter().map(String::as_str).collect())
                        .unwrap_or_default();
                    for a in list {
                        let name = format!("{prefix}:{}", a.name);
                        push_unique(&mut actions, name.clone());
                        known.push((name, a, arn_services.clone()));
                    }
                }
            }
        }
        let mut resources = Vec::new();
        for (k, written) in grant.resources.iter().enumerate() {
            let ptr = format!("{at}/resources/{k}");
            match resource(written, spec.services[index].uses_database) {
                Ok(r) => resources.push((k, r)),
                Err((message, help)) => d.push(
                    Diagnostic::error(Code::ServicePermissionResource, ptr, message)
                        .with_help(help),
                ),
            }
        }
        check_reach(&at, &known, wildcard, &resources, &accepted, d);
        out.push(TaskGrant {
            number: i + 1,
            actions,
            resources: resources.into_iter().map(|(_, r)| r).collect(),
            reason: grant.reason.clone(),
        });
    }
    out
}

/// Every service's grants together fit the permissions boundary: an error at the first
/// service whose grants pass the budget.
pub fn check_size(spec: &Spec, services: &[Vec<TaskGrant>], d: &mut Vec<Diagnostic>) {
    let mut total = 0;
    for (i, grants) in services.iter().enumerate() {
        total += grants.iter().map(TaskGrant::size).sum::<usize>();
        if total > BOUNDARY_BUDGET {
            d.push(
                Diagnostic::error(
                    Code::ServicePermissionsSize,
                    format!("/services/{i}/permissions"),
                    format!(
                        "the task permissions up to service `{}` take about {total} characters of the permissions boundary, which holds {BOUNDARY_BUDGET} for them",
                        spec.services[i].name
                    ),
                )
                .with_help("name fewer actions (a pattern such as `s3:Get*` expands into every action it matches) or fewer resources, e.g. one ARN pattern for a product's buckets"),
            );
            return;
        }
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// What an action string stands for.
enum Parsed<'c> {
    /// A wildcard that needs an exception, in the spelling it is emitted with.
    Wildcard(String),
    /// Actions of one service prefix (lowercase), from the catalogue.
    Actions(String, Vec<&'c Action>),
}

/// Why an action string is refused.
enum Problem {
    Shape,
    UnknownPrefix(String),
    UnknownAction(String, String),
    Denied,
}

impl Problem {
    fn diagnostic(self, written: &str, ptr: &str) -> Diagnostic {
        let (code, message, help) = match self {
            Problem::Shape => (
                Code::ServicePermissionAction,
                format!("`{written}` is not an IAM action"),
                "write `<service prefix>:<action>`, e.g. `s3:GetObject`".to_owned(),
            ),
            Problem::UnknownPrefix(prefix) => (
                Code::ServicePermissionAction,
                format!("`{prefix}` is not a service prefix the IAM catalogue knows"),
                match did_you_mean(&prefix, Catalogue::get().prefixes()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "the prefixes are those of AWS's Service Authorization Reference (`s3`, `sqs`, `dynamodb`, ...)".to_owned(),
                },
            ),
            Problem::UnknownAction(prefix, name) => {
                let service = Catalogue::get().service(&prefix).expect("a known prefix");
                let lowered: Vec<String> = service
                    .actions
                    .iter()
                    .map(|a| a.name.to_ascii_lowercase())
                    .collect();
                let near = did_you_mean(
                    &name.to_ascii_lowercase(),
                    lowered.iter().map(String::as_str),
                )
                .and_then(|n| service.action(n));
                (
                    Code::ServicePermissionAction,
                    format!("`{prefix}` has no action `{name}` in the IAM catalogue"),
                    match near {
                        Some(a) => format!("did you mean `{prefix}:{}`?", a.name),
                        None => format!("AWS's Service Authorization Reference lists the actions of `{prefix}`"),
                    },
                )
            }
            Problem::Denied => (
                Code::ServicePermissionDenied,
                format!("`{written}` grants IAM actions, which the permissions boundary denies every product role"),
                "a product's tasks never manage identities: name the services they call instead".to_owned(),
            ),
        };
        Diagnostic::error(code, ptr, message).with_help(help)
    }
}

fn wildcard_refused(written: &str, ptr: &str) -> Diagnostic {
    Diagnostic::error(
        Code::ServicePermissionWildcard,
        ptr,
        format!("`{written}` grants every action it matches, including those AWS adds later"),
    )
    .with_help(format!(
        "list the actions the tasks call (a pattern inside a name, such as `s3:Get*`, is expanded into today's actions); or accept it with `compliance.exceptions: [{{rule: {WILDCARD_RULE}, reason: ...}}]`"
    ))
}

/// Reads one action string.
fn action(written: &str) -> Result<Parsed<'static>, Problem> {
    let pattern = |s: &str| s.contains(['*', '?']);
    if written == "*" {
        return Err(Problem::Denied);
    }
    let (prefix, name) = written.split_once(':').ok_or(Problem::Shape)?;
    let prefix = prefix.to_ascii_lowercase();
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*' | '?'))
    };
    if !word(&prefix) || !word(name) {
        return Err(Problem::Shape);
    }
    // IAM, by name or through a pattern (`*:*`): the boundary denies it to every product role,
    // and four rules (admin access, privilege escalation, boundaries, PassRole) would fail.
    if glob(prefix.as_bytes(), b"iam") {
        return Err(Problem::Denied);
    }
    if pattern(&prefix) {
        return Ok(Parsed::Wildcard(format!("{prefix}:{name}")));
    }
    let catalogue = Catalogue::get();
    let service = catalogue
        .service(&prefix)
        .ok_or_else(|| Problem::UnknownPrefix(prefix.clone()))?;
    if name.chars().all(|c| c == '*') {
        return Ok(Parsed::Wildcard(format!("{prefix}:*")));
    }
    let list = if pattern(name) {
        service.matching(name)
    } else {
        service.action(name).into_iter().collect()
    };
    if list.is_empty() {
        return Err(Problem::UnknownAction(prefix, name.to_owned()));
    }
    Ok(Parsed::Actions(prefix, list))
}

/// Reads one resource string: the resource, or the message and help of its refusal.
fn resource(written: &str, uses_database: bool) -> Result<GrantResource, (String, String)> {
    if written == "*" {
        return Ok(GrantResource::Any);
    }
    if written.starts_with("byoa:") {
        return match written {
            "byoa:log-group" => Ok(GrantResource::LogGroup),
            "byoa:database-secret" if uses_database => Ok(GrantResource::DatabaseSecret),
            "byoa:database-secret" => Err((
                "`byoa:database-secret` names the database's secret, which reaches only a service that uses the database".to_owned(),
                "set `uses_database: true` on the service".to_owned(),
            )),
            other => Err((
                format!("`{other}` is not a resource byoa creates for a service"),
                match did_you_mean(other, SHORTHANDS.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("byoa's resources are {}", SHORTHANDS.join(", ")),
                },
            )),
        };
    }
    for placeholder in placeholders(written) {
        if !PLACEHOLDERS.contains(&placeholder) {
            let help = match did_you_mean(placeholder, PLACEHOLDERS.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("an ARN may name {}", PLACEHOLDERS.join(", ")),
            };
            return Err((
                format!("`{placeholder}` in `{written}` is not a placeholder byoa fills at launch"),
                help,
            ));
        }
    }
    Arn::parse(written).ok_or_else(|| {
        (
            format!("`{written}` is not an ARN, `*` or a resource byoa creates"),
            "write `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<resource>`, or one of byoa's resources (`byoa:log-group`, `byoa:database-secret`)".to_owned(),
        )
    })?;
    Ok(GrantResource::Arn(written.to_owned()))
}

/// The `${...}` in `text`, each with its braces.
fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let tail = &rest[start..];
        let end = tail.find('}').map_or(tail.len(), |e| e + 1);
        out.push(&tail[..end]);
        rest = &tail[end..];
    }
    out
}

/// The parts of an ARN that validation judges, the placeholders filled with values of their
/// shape (their own `::` would split the ARN wrongly).
struct Arn {
    service: String,
    account: String,
    resource: String,
}

impl Arn {
    fn parse(text: &str) -> Option<Arn> {
        let filled = text
            .replace("${AWS::Partition}", "aws")
            .replace("${AWS::Region}", "region")
            .replace("${AWS::AccountId}", "000000000000");
        let parts: Vec<&str> = filled.splitn(6, ':').collect();
        let [arn, partition, service, _region, account, resource] = parts[..] else {
            return None;
        };
        let partition_ok = partition.starts_with("aws")
            && partition
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-');
        let service_ok = !service.is_empty()
            && service
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        (arn == "arn" && partition_ok && service_ok && !resource.is_empty()).then(|| Arn {
            service: service.to_owned(),
            account: account.to_owned(),
            resource: resource.to_owned(),
        })
    }

    /// Every resource of a type in an account (or in any account): the resource part is
    /// resource-type words ending in `*` (`*`, `table/*`, `secret:*`), as the Guard rule
    /// `IAM_MUTATING_ACTIONS_SCOPED` reads it, or the account is `*`. S3 names buckets without
    /// a type: `arn:aws:s3:::*`, `*/*` and `*-uploads/*` reach buckets of anyone in the account.
    fn account_wide(&self) -> bool {
        if self.account == "*" {
            return true;
        }
        // A bucket name is the resource part's first word: only a name that starts with `*`
        // reaches buckets that are not the product's.
        if self.service == "s3" {
            return self.resource.starts_with('*');
        }
        let Some(mut rest) = self.resource.as_str().strip_suffix('*') else {
            return false;
        };
        while !rest.is_empty() {
            let next = rest.strip_prefix("*/").or_else(|| {
                let end = rest.find([':', '/'])?;
                let word = &rest[..end];
                let is_type = word.starts_with(|c: char| c.is_ascii_lowercase())
                    && word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                is_type.then(|| &rest[end + 1..])
            });
            match next {
                Some(r) => rest = r,
                None => return false,
            }
        }
        true
    }
}

/// The checks that join a grant's actions and resources: resource-less actions need `*`, an
/// ARN must be of a service some action acts on, and account-wide resources need an exception
/// (except `*` for read-only resource-less actions).
fn check_reach(
    at: &str,
    known: &[(String, &Action, Vec<&str>)],
    wildcard: bool,
    resources: &[(usize, GrantResource)],
    accepted: &dyn Fn(&str) -> bool,
    d: &mut Vec<Diagnostic>,
) {
    let narrow = resources.iter().any(|(_, r)| *r != GrantResource::Any);
    for (name, _, _) in known.iter().filter(|(_, a, _)| a.resource_less) {
        if narrow {
            d.push(
                Diagnostic::error(
                    Code::ServicePermissionResource,
                    format!("{at}/actions"),
                    format!("`{name}` acts on no resource type: IAM grants it only on `*`, so with these resources it would never be allowed"),
                )
                .with_help("move it into a grant of its own with `resources: [\"*\"]`"),
            );
            break;
        }
    }
    let arn_services: Vec<&str> = known
        .iter()
        .flat_map(|(_, _, s)| s.iter().copied())
        .collect();
    for (k, r) in resources {
        let ptr = format!("{at}/resources/{k}");
        let (service, wide, shown): (Option<String>, bool, String) = match r {
            GrantResource::Any => {
                let harmless = !wildcard
                    && !known.is_empty()
                    && known
                        .iter()
                        .all(|(_, a, _)| a.resource_less && a.level.is_read_only());
                (None, !harmless, "*".to_owned())
            }
            GrantResource::Arn(text) => {
                let arn = Arn::parse(text).expect("parsed before");
                (Some(arn.service.clone()), arn.account_wide(), text.clone())
            }
            GrantResource::LogGroup => (Some("logs".to_owned()), false, String::new()),
            GrantResource::DatabaseSecret => {
                (Some("secretsmanager".to_owned()), false, String::new())
            }
        };
        if let Some(service) = service
            && !wildcard
            && !arn_services.is_empty()
            && !arn_services.contains(&service.as_str())
        {
            let mut acts: Vec<&str> = arn_services.clone();
            acts.sort_unstable();
            acts.dedup();
            d.push(
                Diagnostic::error(
                    Code::ServicePermissionResource,
                    ptr.clone(),
                    format!("no action of the grant acts on `{service}` resources"),
                )
                .with_help(format!(
                    "its actions act on {} resources; put this resource in a grant of its own with the actions for it",
                    acts.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                )),
            );
        }
        if wide && !accepted(ACCOUNT_WIDE_RULE) {
            d.push(
                Diagnostic::error(
                    Code::ServicePermissionAccountWide,
                    ptr,
                    if shown == "*" {
                        "`*` reaches every resource in the account, not only the product's".to_owned()
                    } else {
                        format!("`{shown}` reaches every resource of its type in the account, not only the product's")
                    },
                )
                .with_help(format!(
                    "name the resources (a name prefix such as `arn:${{AWS::Partition}}:s3:::acme-uploads-*` is scoped); or accept it with `compliance.exceptions: [{{rule: {ACCOUNT_WIDE_RULE}, reason: ...}}]`"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// A spec whose service `api` (using the database) has `permissions`, and `exceptions`.
    fn spec(permissions: Value, exceptions: &[&str]) -> Spec {
        let exceptions: Vec<Value> = exceptions
            .iter()
            .map(|r| json!({"rule": r, "reason": "accepted for the test"}))
            .collect();
        serde_json::from_value(json!({
            "product": {"name": "acme", "vendor_account_id": "111111111111"},
            "region": "us-east-1",
            "compliance": {"exceptions": exceptions},
            "database": {},
            "services": [{"name": "api", "uses_database": true, "permissions": permissions}],
        }))
        .expect("test spec deserializes")
    }

    fn run(permissions: Value, exceptions: &[&str]) -> (Vec<TaskGrant>, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let g = grants(&spec(permissions, exceptions), 0, &mut d);
        (g, d)
    }

    /// The actions of one grant of `actions` on `resource`, which must be accepted.
    fn actions_of(actions: &[&str], resource: &str) -> Vec<String> {
        let (g, d) = run(json!([{"actions": actions, "resources": [resource]}]), &[]);
        assert!(d.is_empty(), "{d:#?}");
        g[0].actions.clone()
    }

    /// (code, pointer, help) of each problem with one grant.
    fn problems(
        actions: &[&str],
        resources: &[&str],
        exceptions: &[&str],
    ) -> Vec<(Code, String, String)> {
        let (_, d) = run(
            json!([{"actions": actions, "resources": resources}]),
            exceptions,
        );
        d.into_iter()
            .map(|d| {
                (
                    d.code,
                    d.pointer.unwrap_or_default(),
                    d.help.unwrap_or_default(),
                )
            })
            .collect()
    }

    fn codes(actions: &[&str], resources: &[&str], exceptions: &[&str]) -> Vec<Code> {
        problems(actions, resources, exceptions)
            .into_iter()
            .map(|p| p.0)
            .collect()
    }

    const BUCKET: &str = "arn:${AWS::Partition}:s3:::acme-uploads-${AWS::AccountId}/*";
    const QUEUE: &str = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:acme-jobs";

    #[test]
    fn actions_are_read_in_any_case_and_written_in_aws_spelling() {
        assert_eq!(
            actions_of(&["S3:getobject", "s3:GetObject", "s3:PUTOBJECT"], BUCKET),
            ["s3:GetObject", "s3:PutObject"]
        );
        // Every action of a service, its case mixed, reads back as itself.
        let s3 = Catalogue::get().service("s3").unwrap();
        for a in &s3.actions {
            let mixed: String = a
                .name
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect();
            let found = action(&format!("S3:{mixed}")).ok().and_then(|p| match p {
                Parsed::Actions(prefix, list) if list.len() == 1 => {
                    Some(format!("{prefix}:{}", list[0].name))
                }
                _ => None,
            });
            assert_eq!(found, Some(format!("s3:{}", a.name)));
        }
    }

    #[test]
    fn patterns_inside_a_name_expand_into_todays_actions() {
        let all = actions_of(&["s3:GetObject*"], BUCKET);
        assert!(
            all.len() > 5 && all.contains(&"s3:GetObjectTagging".to_owned()),
            "{all:?}"
        );
        assert!(
            all.iter()
                .all(|a| a.starts_with("s3:GetObject") && !a.contains('*'))
        );
        assert_eq!(actions_of(&["s3:Get?bject"], BUCKET), ["s3:GetObject"]);
        // Expansion and a listed action do not repeat it.
        assert_eq!(
            actions_of(&["s3:GetObject", "s3:Get?bject"], BUCKET),
            ["s3:GetObject"]
        );
        assert_eq!(
            codes(&["s3:Frobnicate*"], &[BUCKET], &[]),
            [Code::ServicePermissionAction]
        );
    }

    #[test]
    fn unknown_prefixes_and_actions_suggest_the_closest() {
        let table = "arn:aws:dynamodb:us-east-1:111111111111:table/orders";
        let p = problems(&["dynamdb:GetItem", "dynamodb:GetItm"], &[table], &[]);
        assert_eq!(
            p,
            [
                (
                    Code::ServicePermissionAction,
                    "/services/0/permissions/0/actions/0".into(),
                    "did you mean `dynamodb`?".into()
                ),
                (
                    Code::ServicePermissionAction,
                    "/services/0/permissions/0/actions/1".into(),
                    "did you mean `dynamodb:GetItem`?".into()
                ),
            ]
        );
        assert!(
            problems(&["sqs:sendmesage"], &[QUEUE], &[])[0]
                .2
                .contains("`sqs:SendMessage`")
        );
        // Nothing close: the help says where the names come from.
        assert!(
            problems(&["zz9:GetObject"], &[BUCKET], &[])[0]
                .2
                .contains("Service Authorization Reference")
        );
    }

    #[test]
    fn strings_that_are_not_actions_are_refused_without_panicking() {
        for bad in [
            "",
            ":",
            "::",
            "GetObject",
            "s3:",
            ":GetObject",
            "s3:Get Object",
            "s3:GetÖbject",
            "arn:aws:s3:::bucket",
            "s3:*:*",
            "${AWS::Region}:x",
            &"s3:".repeat(200),
        ] {
            let c = codes(&[bad], &[BUCKET], &[]);
            assert_eq!(c, [Code::ServicePermissionAction], "{bad:?}");
        }
    }

    #[test]
    fn wildcards_need_an_exception_and_then_stay_as_written() {
        for wild in ["s3:*", "S3:*", "s3:**", "s*:GetObject", "sq?:SendMessage"] {
            assert_eq!(
                codes(&[wild], &[BUCKET], &[]),
                [Code::ServicePermissionWildcard],
                "{wild}"
            );
        }
        let (g, d) = run(
            json!([{"actions": ["S3:*"], "resources": [BUCKET]}]),
            &[WILDCARD_RULE],
        );
        assert!(d.is_empty(), "{d:#?}");
        assert_eq!(g[0].actions, ["s3:*"]);
        let help = &problems(&["s3:*"], &[BUCKET], &[])[0].2;
        assert!(help.contains("rule: IAM_NO_WILDCARD_ACTION"), "{help}");
    }

    #[test]
    fn iam_actions_are_refused_as_the_boundary_denies_them() {
        // `*` and prefix patterns cover IAM: refused whatever the exceptions.
        for a in [
            "iam:PassRole",
            "IAM:CreateRole",
            "iam:*",
            "iam:Put*",
            "*",
            "*:*",
            "*:GetObject",
            "i?m:Get*",
        ] {
            assert_eq!(
                codes(&[a], &["*"], &[WILDCARD_RULE, ACCOUNT_WIDE_RULE]),
                [Code::ServicePermissionDenied],
                "{a}"
            );
        }
    }

    #[test]
    fn account_wide_resources_need_an_exception() {
        let wide = [
            "*",
            "arn:aws:s3:::*",
            "arn:aws:s3:::*/*",
            "arn:${AWS::Partition}:s3:::*-uploads/*",
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*",
            "arn:aws:dynamodb:us-east-1:*:table/orders",
        ];
        for r in wide {
            let actions = if r.contains("dynamodb") {
                "dynamodb:GetItem"
            } else {
                "s3:GetObject"
            };
            assert_eq!(
                codes(&[actions], &[r], &[]),
                [Code::ServicePermissionAccountWide],
                "{r}"
            );
            assert!(
                codes(&[actions], &[r], &[ACCOUNT_WIDE_RULE]).is_empty(),
                "{r}"
            );
        }
        for r in [
            "arn:aws:s3:::acme-uploads/*",
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders",
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/acme-*",
        ] {
            let actions = if r.contains("dynamodb") {
                "dynamodb:PutItem"
            } else {
                "s3:PutObject"
            };
            assert!(codes(&[actions], &[r], &[]).is_empty(), "{r}");
        }
    }

    #[test]
    fn star_is_the_only_resource_of_actions_without_resource_types() {
        // Read-only and resource-less: `*` is all IAM knows, no exception needed.
        assert!(codes(&["sts:GetCallerIdentity"], &["*"], &[]).is_empty());
        // Resource-less but a write: account-wide like any other.
        assert_eq!(
            codes(&["xray:PutTraceSegments"], &["*"], &[]),
            [Code::ServicePermissionAccountWide]
        );
        // With a resource IAM would never match it.
        let p = problems(&["sts:GetCallerIdentity", "s3:GetObject"], &[BUCKET], &[]);
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(
            (p[0].0, p[0].1.as_str()),
            (
                Code::ServicePermissionResource,
                "/services/0/permissions/0/actions"
            )
        );
    }

    #[test]
    fn an_arn_must_be_of_a_service_the_actions_act_on() {
        let p = problems(&["sqs:SendMessage"], &[BUCKET], &[]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, Code::ServicePermissionResource);
        assert!(p[0].2.contains("`sqs`"), "{}", p[0].2);
        // `sts` acts on `iam` roles.
        let role = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/acme-reader";
        assert!(codes(&["sts:AssumeRole"], &[role], &[]).is_empty());
    }

    #[test]
    fn arns_name_only_the_three_placeholders() {
        let p = problems(
            &["sqs:SendMessage"],
            &["arn:aws:sqs:${AWS::Region}:${AWS::AccountID}:q"],
            &[],
        );
        assert_eq!(p[0].0, Code::ServicePermissionResource);
        assert_eq!(p[0].2, "did you mean `${AWS::AccountId}`?");
        for bad in [
            "arn:aws:s3:::b/${aws:username}",
            "arn:aws:s3:::b/${",
            "s3:::bucket",
            "arn:aws:S3:::b",
            "arn:aws:s3:::",
        ] {
            assert_eq!(
                codes(&["s3:GetObject"], &[bad], &[]),
                [Code::ServicePermissionResource],
                "{bad}"
            );
        }
    }

    #[test]
    fn byoa_resources_are_named_and_need_what_they_reach() {
        let (g, d) = run(
            json!([{"actions": ["secretsmanager:GetSecretValue"], "resources": ["byoa:database-secret"]},
                   {"actions": ["logs:PutLogEvents"], "resources": ["byoa:log-group"], "reason": "audit"}]),
            &[],
        );
        assert!(d.is_empty(), "{d:#?}");
        assert_eq!(g[0].resources, [GrantResource::DatabaseSecret]);
        assert_eq!(
            (g[1].number, &g[1].resources, g[1].reason.as_deref()),
            (2, &vec![GrantResource::LogGroup], Some("audit"))
        );
        assert_eq!(
            problems(&["logs:PutLogEvents"], &["byoa:log-grup"], &[])[0].2,
            "did you mean `byoa:log-group`?"
        );
        // A shorthand of another service than the actions'.
        assert_eq!(
            codes(&["s3:GetObject"], &["byoa:log-group"], &[]),
            [Code::ServicePermissionResource]
        );
        let mut no_db = spec(
            json!([{"actions": ["secretsmanager:GetSecretValue"], "resources": ["byoa:database-secret"]}]),
            &[],
        );
        no_db.services[0].uses_database = false;
        let mut d = Vec::new();
        grants(&no_db, 0, &mut d);
        assert_eq!(d[0].code, Code::ServicePermissionResource);
        assert_eq!(
            d[0].help.as_deref(),
            Some("set `uses_database: true` on the service")
        );
    }

    #[test]
    fn all_grants_together_must_fit_the_boundary() {
        let one = json!({"actions": ["s3:GetObject"], "resources": [BUCKET]});
        let fits = spec(json!([one.clone()]), &[]);
        let mut d = Vec::new();
        let g = grants(&fits, 0, &mut d);
        check_size(&fits, std::slice::from_ref(&g), &mut d);
        assert!(d.is_empty());
        let n = BOUNDARY_BUDGET / g[0].size() + 1;
        let big = spec(Value::Array(vec![one; n]), &[]);
        let g = grants(&big, 0, &mut d);
        check_size(&big, &[g], &mut d);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].code, d[0].pointer.as_deref()),
            (
                Code::ServicePermissionsSize,
                Some("/services/0/permissions")
            )
        );
    }
}
