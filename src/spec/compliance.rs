//! Shift left: spec values that a selected compliance profile forbids, reported at the spec's
//! line before any template exists.
//!
//! Each check is tied to the Guard rule that would fail on the emitted template, so the message
//! names the same rule and the profile's control ids that `byoa check` would. A spec exception
//! for that rule (with its reason) accepts the deviation and silences the conflict here; the
//! finding then shows as suppressed in every report.

use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::spec::catalogue::RuleCatalogue;
use crate::spec::types::Spec;

/// One spec value that a rule forbids.
struct Conflict {
    rule: &'static str,
    pointer: String,
    /// What the spec says, e.g. "`backup_retention_days: 1`".
    found: String,
    /// What the rule needs, e.g. "at least 7 days of backups".
    needs: &'static str,
    help: String,
}

/// Spec values that break a rule, whatever the profiles.
fn conflicts(spec: &Spec) -> Vec<Conflict> {
    let mut out = Vec::new();
    let mut push = |rule, pointer: &str, found: String, needs, help: &str| {
        out.push(Conflict {
            rule,
            pointer: pointer.to_owned(),
            found,
            needs,
            help: help.to_owned(),
        })
    };
    let n = &spec.network;
    // In the customer's VPC the flow logs are the customer's (`existing` refuses the fields).
    if n.existing {
    } else if !n.flow_logs.enabled {
        push(
            "VPC_FLOW_LOGS_ENABLED",
            "/network/flow_logs/enabled",
            "`enabled: false`".into(),
            "VPC flow logs",
            "remove `enabled: false`",
        );
    } else {
        let days = n.flow_logs.retention_days;
        let pointer = "/network/flow_logs/retention_days";
        if days < 90 {
            push(
                "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
                pointer,
                format!("`retention_days: {days}`"),
                "logs kept for at least 90 days",
                "set `retention_days: 90` or more",
            );
        }
        if days < 365 {
            push(
                "AUDIT_LOG_RETENTION_ONE_YEAR",
                pointer,
                format!("`retention_days: {days}`"),
                "flow logs kept for at least 365 days",
                "set `retention_days: 365` or more",
            );
        }
    }
    if n.load_balancer.enabled {
        let lb = &n.load_balancer;
        if !lb.access_logs {
            push(
                "ELB_LOGGING_ENABLED",
                "/network/load_balancer/access_logs",
                "`access_logs: false`".into(),
                "load balancer access logs",
                "set `access_logs: true`",
            );
        }
        if !lb.deletion_protection {
            push(
                "ELB_DELETION_PROTECTION_ENABLED",
                "/network/load_balancer/deletion_protection",
                "`deletion_protection: false`".into(),
                "a load balancer protected from deletion",
                "set `deletion_protection: true`",
            );
        }
        if !lb.waf {
            push(
                "ALB_WAF_ENABLED",
                "/network/load_balancer/waf",
                "`waf: false`".into(),
                "a web application firewall in front of the load balancer",
                "set `waf: true`",
            );
        }
    }
    if let Some(db) = &spec.database {
        if db.backup_retention_days < 7 {
            push(
                "DB_INSTANCE_BACKUP_ENABLED",
                "/database/backup_retention_days",
                format!("`backup_retention_days: {}`", db.backup_retention_days),
                "at least 7 days of backups",
                "set `backup_retention_days: 7` or more",
            );
        }
        if !db.deletion_protection {
            push(
                "RDS_INSTANCE_DELETION_PROTECTION_ENABLED",
                "/database/deletion_protection",
                "`deletion_protection: false`".into(),
                "a database protected from deletion",
                "set `deletion_protection: true`",
            );
        }
        if !db.multi_az {
            push(
                "RDS_MULTI_AZ_SUPPORT",
                "/database/multi_az",
                "`multi_az: false`".into(),
                "a standby database in a second zone",
                "set `multi_az: true`",
            );
        }
        if !db.iam_auth {
            push(
                "RDS_INSTANCE_IAM_AUTHENTICATION_CONFIGURED",
                "/database/iam_auth",
                "`iam_auth: false`".into(),
                "IAM database authentication",
                "set `iam_auth: true`",
            );
        }
    }
    if spec.monitoring.log_retention_days < 90 {
        push(
            "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
            "/monitoring/log_retention_days",
            format!(
                "`log_retention_days: {}`",
                spec.monitoring.log_retention_days
            ),
            "logs kept for at least 90 days",
            "set `log_retention_days: 90` or more",
        );
    }
    if !spec.monitoring.audit_trail {
        push(
            "CLOUDTRAIL_IS_LOGGING",
            "/monitoring/audit_trail",
            "`audit_trail: false`".into(),
            "an audit trail of API calls",
            "set `audit_trail: true`, or add an exception for CLOUDTRAIL_IS_LOGGING naming the organization trail that covers the account",
        );
    }
    for (i, s) in spec.services.iter().enumerate() {
        if !s.read_only_root_fs {
            push(
                "ECS_CONTAINERS_READONLY_ACCESS",
                &format!("/services/{i}/read_only_root_fs"),
                "`read_only_root_fs: false`".into(),
                "containers with a read-only root file system",
                "set `read_only_root_fs: true` (byoa mounts a writable /tmp)",
            );
        }
    }
    out
}

/// Exceptions naming a rule the catalogue (byoa's own rules) does not know: a typo silences
/// nothing, and the finding it meant to accept fails every check. A warning, not an error: the
/// rule may be one of the team's own (`byoa check --rules DIR`), which validation does not
/// load. An empty catalogue (no rule set loaded) judges nothing.
pub fn unknown_rules(spec: &Spec, catalogue: &RuleCatalogue) -> Vec<Diagnostic> {
    if catalogue.rules().next().is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, e) in spec.compliance.exceptions.iter().enumerate() {
        if catalogue.rules().any(|r| r == e.rule) {
            continue;
        }
        let help = match did_you_mean(&e.rule, catalogue.rules()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => "the control matrix (`byoa check --format markdown`) names every rule of byoa; ignore this if the rule is one of yours (`byoa check --rules DIR`)".to_owned(),
        };
        out.push(
            Diagnostic::error(
                Code::ComplianceUnknownRule,
                format!("/compliance/exceptions/{i}/rule"),
                format!(
                    "the exception names `{}`, which is not one of byoa's rules: it accepts nothing unless the rule is your own",
                    e.rule
                ),
            )
            .with_help(help)
            .as_warning(),
        );
    }
    out
}

/// Exceptions the in-account hook never sees. Templates carry only lasting exceptions for named
/// resources (`Metadata.guard.SuppressedRules`): one that expires would outlive its date in a
/// deployed template, and one for every resource would waive resources nobody has reviewed. So
/// with `enforce_in_account` such an exception holds in `byoa check` but not in the account,
/// where the hook blocks the stack at deploy: a warning now instead of a failed deploy later.
pub fn hook_blind(spec: &Spec) -> Vec<Diagnostic> {
    if !spec.compliance.enforce_in_account {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, e) in spec.compliance.exceptions.iter().enumerate() {
        let why = match (&e.resource, &e.expires) {
            (None, _) => "names no resource",
            (Some(_), Some(_)) => "expires",
            (Some(_), None) => continue,
        };
        out.push(
            Diagnostic::error(
                Code::ComplianceHookException,
                format!("/compliance/exceptions/{i}"),
                format!(
                    "the exception for `{}` {why}, so the templates do not carry it: `byoa check` accepts the deviation, but the in-account hook (`enforce_in_account`) blocks the stack that has it",
                    e.rule
                ),
            )
            .with_help(
                "name the resource (`resource: <logical id>`) and drop `expires` to carry the exception into the template, or fix the deviation",
            )
            .as_warning(),
        );
    }
    out
}

/// The conflicts between `spec` and its selected profiles. `controls(rule)` names the control
/// ids of the selected profiles that the rule evidences (empty: no selected profile has it).
pub fn check(spec: &Spec, controls: &dyn Fn(&str) -> Vec<String>) -> Vec<Diagnostic> {
    if spec.compliance.profiles.is_empty() {
        return Vec::new();
    }
    conflicts(spec)
        .into_iter()
        .filter(|c| {
            !spec
                .compliance
                .exceptions
                .iter()
                .any(|e| e.rule == c.rule)
        })
        .filter_map(|c| {
            let ids = controls(c.rule);
            (!ids.is_empty()).then(|| {
                Diagnostic::error(
                    Code::ComplianceConflict,
                    c.pointer,
                    format!(
                        "{} conflicts with {} ({}): it needs {}",
                        c.found,
                        ids.join(", "),
                        c.rule,
                        c.needs
                    ),
                )
                .with_help(format!(
                    "{}; or accept the deviation with an exception: `compliance.exceptions: [{{rule: {}, reason: ...}}]`",
                    c.help, c.rule
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// A spec with `profiles: [soc2]` and `patch` merged into its sections.
    fn spec(patch: Value) -> Spec {
        let mut v = json!({
            "product": {"name": "acme", "vendor_account_id": "111111111111"},
            "region": "us-east-1",
            "compliance": {"profiles": ["soc2"]},
            "database": {},
            "services": [{"name": "api"}],
        });
        for (k, p) in patch.as_object().expect("patch is a mapping") {
            match (v.get_mut(k), p) {
                (Some(Value::Object(section)), Value::Object(fields)) => {
                    section.extend(fields.clone());
                }
                _ => v[k] = p.clone(),
            }
        }
        serde_json::from_value(v).expect("test spec deserializes")
    }

    /// Every rule evidences one control, named after it.
    fn all_rules(rule: &str) -> Vec<String> {
        vec![format!("ctl-{rule}")]
    }

    /// (rule, field) of each conflict found.
    fn found(spec: &Spec) -> Vec<(String, String)> {
        check(spec, &all_rules)
            .into_iter()
            .map(|d| {
                let rule = d.message.split(['(', ')']).nth(1).unwrap_or_default();
                (rule.to_owned(), d.pointer.unwrap_or_default())
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(r, p)| ((*r).to_owned(), (*p).to_owned()))
            .collect()
    }

    #[test]
    fn the_defaults_conflict_with_nothing() {
        assert_eq!(found(&spec(json!({}))), pairs(&[]));
    }

    #[test]
    fn every_weakened_default_is_a_conflict_at_its_field() {
        let weak = spec(json!({
            "network": {
                "flow_logs": {"retention_days": 30},
                "load_balancer": {"access_logs": false, "deletion_protection": false, "waf": false},
            },
            "database": {"backup_retention_days": 1, "deletion_protection": false,
                         "multi_az": false, "iam_auth": false},
            "monitoring": {"log_retention_days": 30, "audit_trail": false},
            "services": [{"name": "api"}, {"name": "worker", "read_only_root_fs": false}],
        }));
        assert_eq!(
            found(&weak),
            pairs(&[
                (
                    "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
                    "/network/flow_logs/retention_days"
                ),
                (
                    "AUDIT_LOG_RETENTION_ONE_YEAR",
                    "/network/flow_logs/retention_days"
                ),
                ("ELB_LOGGING_ENABLED", "/network/load_balancer/access_logs"),
                (
                    "ELB_DELETION_PROTECTION_ENABLED",
                    "/network/load_balancer/deletion_protection"
                ),
                ("ALB_WAF_ENABLED", "/network/load_balancer/waf"),
                (
                    "DB_INSTANCE_BACKUP_ENABLED",
                    "/database/backup_retention_days"
                ),
                (
                    "RDS_INSTANCE_DELETION_PROTECTION_ENABLED",
                    "/database/deletion_protection"
                ),
                ("RDS_MULTI_AZ_SUPPORT", "/database/multi_az"),
                (
                    "RDS_INSTANCE_IAM_AUTHENTICATION_CONFIGURED",
                    "/database/iam_auth"
                ),
                (
                    "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
                    "/monitoring/log_retention_days"
                ),
                ("CLOUDTRAIL_IS_LOGGING", "/monitoring/audit_trail"),
                (
                    "ECS_CONTAINERS_READONLY_ACCESS",
                    "/services/1/read_only_root_fs"
                ),
            ])
        );
    }

    #[test]
    fn without_a_profile_nothing_conflicts() {
        let weak = spec(json!({
            "compliance": {"profiles": []},
            "monitoring": {"audit_trail": false},
        }));
        assert_eq!(found(&weak), pairs(&[]));
    }

    #[test]
    fn disabled_parts_are_one_conflict_or_none() {
        // Flow logs off: one conflict, and their retention no longer matters.
        let off = spec(json!({"network": {"flow_logs": {"enabled": false, "retention_days": 1}}}));
        assert_eq!(
            found(&off),
            pairs(&[("VPC_FLOW_LOGS_ENABLED", "/network/flow_logs/enabled")])
        );
        // No load balancer, no database: their settings are not conflicts.
        let none = spec(json!({
            "network": {"load_balancer": {"enabled": false, "access_logs": false, "waf": false}},
            "database": null,
        }));
        assert_eq!(found(&none), pairs(&[]));
    }

    #[test]
    fn flow_log_retention_thresholds_are_90_and_365_days() {
        let at = |days: u32| {
            found(&spec(
                json!({"network": {"flow_logs": {"retention_days": days}}}),
            ))
        };
        let ptr = "/network/flow_logs/retention_days";
        let both = pairs(&[
            ("CW_LOGGROUP_RETENTION_PERIOD_CHECK", ptr),
            ("AUDIT_LOG_RETENTION_ONE_YEAR", ptr),
        ]);
        let audit = pairs(&[("AUDIT_LOG_RETENTION_ONE_YEAR", ptr)]);
        assert_eq!(at(89), both);
        assert_eq!(at(90), audit);
        assert_eq!(at(364), audit);
        assert_eq!(at(365), pairs(&[]));
    }

    #[test]
    fn log_and_backup_retention_thresholds_are_90_and_7_days() {
        let logs = |days: u32| found(&spec(json!({"monitoring": {"log_retention_days": days}})));
        assert_eq!(
            logs(89),
            pairs(&[(
                "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
                "/monitoring/log_retention_days"
            )])
        );
        assert_eq!(logs(90), pairs(&[]));
        let backups = |days: u8| found(&spec(json!({"database": {"backup_retention_days": days}})));
        assert_eq!(
            backups(6),
            pairs(&[(
                "DB_INSTANCE_BACKUP_ENABLED",
                "/database/backup_retention_days"
            )])
        );
        assert_eq!(backups(7), pairs(&[]));
    }

    #[test]
    fn an_exception_silences_its_rule_only() {
        let weak = spec(json!({
            "compliance": {"profiles": ["soc2"], "exceptions": [
                {"rule": "CLOUDTRAIL_IS_LOGGING", "reason": "the organization trail covers it"},
            ]},
            "database": {"multi_az": false},
            "monitoring": {"audit_trail": false},
        }));
        assert_eq!(
            found(&weak),
            pairs(&[("RDS_MULTI_AZ_SUPPORT", "/database/multi_az")])
        );
    }

    #[test]
    fn an_exception_for_an_unknown_rule_is_a_warning_with_the_closest_rule() {
        let with = |rule: &str| {
            spec(json!({"compliance": {"exceptions": [{"rule": rule, "reason": "accepted"}]}}))
        };
        let mut catalogue = RuleCatalogue::default();
        catalogue.add_rule("RDS_MULTI_AZ_SUPPORT", &["AWS::RDS::DBInstance".to_owned()]);
        catalogue.add_rule("S3_BUCKET_VERSIONING_ENABLED", &[]);
        assert!(unknown_rules(&with("RDS_MULTI_AZ_SUPPORT"), &catalogue).is_empty());
        let d = unknown_rules(&with("RDS_MULTI_AZ"), &catalogue);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::ComplianceUnknownRule);
        assert!(!d[0].is_error());
        assert_eq!(
            d[0].pointer.as_deref(),
            Some("/compliance/exceptions/0/rule")
        );
        assert_eq!(
            d[0].help.as_deref(),
            Some("did you mean `RDS_MULTI_AZ_SUPPORT`?")
        );
        let own = unknown_rules(&with("TEAM_TAGGING_POLICY"), &catalogue);
        assert!(own[0].help.as_deref().unwrap().contains("--rules"));
        // No rule set loaded: nothing is judged.
        assert!(unknown_rules(&with("ANYTHING"), &RuleCatalogue::default()).is_empty());
    }

    #[test]
    fn with_the_hook_on_an_expiring_or_unnamed_exception_is_a_warning_at_it() {
        let exceptions = json!([
            {"rule": "RDS_MULTI_AZ_SUPPORT", "resource": "Database", "reason": "one zone is enough"},
            {"rule": "RDS_MULTI_AZ_SUPPORT", "reason": "one zone everywhere in this product"},
            {"rule": "S3_BUCKET_LOGGING_ENABLED", "resource": "Trail", "reason": "until the log bucket exists", "expires": "2030-01-01"},
        ]);
        let hook = |on: bool| {
            hook_blind(&spec(
                json!({"compliance": {"enforce_in_account": on, "exceptions": exceptions.clone()}}),
            ))
        };
        assert!(hook(false).is_empty());
        let found: Vec<(String, String)> = hook(true)
            .iter()
            .map(|d| (d.pointer.clone().unwrap_or_default(), d.message.clone()))
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "/compliance/exceptions/1");
        assert!(found[0].1.contains("names no resource"), "{}", found[0].1);
        assert_eq!(found[1].0, "/compliance/exceptions/2");
        assert!(
            found[1].1.contains("`S3_BUCKET_LOGGING_ENABLED` expires"),
            "{}",
            found[1].1
        );
        assert!(
            hook(true)
                .iter()
                .all(|d| d.code == Code::ComplianceHookException
                    && d.severity == crate::diag::Severity::Warning)
        );
    }

    #[test]
    fn a_rule_no_selected_profile_evidences_is_not_a_conflict() {
        let weak =
            spec(json!({"database": {"multi_az": false}, "monitoring": {"audit_trail": false}}));
        let only_trail = |rule: &str| {
            if rule == "CLOUDTRAIL_IS_LOGGING" {
                vec!["CC7.2".to_owned(), "A.12.4.1".to_owned()]
            } else {
                Vec::new()
            }
        };
        let diags = check(&weak, &only_trail);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        let d = &diags[0];
        assert_eq!(d.code, Code::ComplianceConflict);
        assert!(d.is_error());
        assert_eq!(
            d.message,
            "`audit_trail: false` conflicts with CC7.2, A.12.4.1 (CLOUDTRAIL_IS_LOGGING): it needs an audit trail of API calls"
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "set `audit_trail: true`, or add an exception for CLOUDTRAIL_IS_LOGGING naming the organization trail that covers the account; \
                 or accept the deviation with an exception: `compliance.exceptions: [{rule: CLOUDTRAIL_IS_LOGGING, reason: ...}]`"
            )
        );
    }
}
