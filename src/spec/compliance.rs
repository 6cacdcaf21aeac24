//! Shift left: spec values that a selected compliance profile forbids, reported at the spec's
//! line before any template exists.
//!
//! Each check is tied to the Guard rule that would fail on the emitted template, so the message
//! names the same rule and the profile's control ids that `byoa check` would. A spec exception
//! for that rule (with its reason) accepts the deviation and silences the conflict here; the
//! finding then shows as suppressed in every report.

use crate::diag::{Code, Diagnostic};
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
    if !n.flow_logs.enabled {
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
