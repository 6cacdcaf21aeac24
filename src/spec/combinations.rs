//! Combinations that deploy but cannot work: a schema-valid spec whose values each pass on
//! their own, but together give a product that runs wrong or not at all.
//!
//! Input: the merged spec of one environment. Output: coded diagnostics at the field a user
//! edits, each with the fix. What is checked: services with no way out of the VPC (`nat:
//! none` with `endpoints: false`, in `vpc`), scaling bounds with no metric to scale on,
//! container health-check commands that ECS cannot run, privileged ports for containers that
//! never run as root, exception dates that are not real dates, and MFA required of a vendor
//! role whose name says a pipeline assumes it. (Overlays naming a service the spec does not
//! define are refused where overlays are merged, in `spec`.)

use crate::diag::{Code, Diagnostic};
use crate::spec::types::Spec;

/// Ports below this need root (or a capability Fargate containers do not get).
const FIRST_UNPRIVILEGED_PORT: u16 = 1024;

/// Words in a role's name that say a CI/CD pipeline assumes it.
const PIPELINE_WORDS: &[&str] = &[
    "actions",
    "atlantis",
    "bitbucket",
    "buildkite",
    "cd",
    "ci",
    "cicd",
    "circleci",
    "codebuild",
    "codepipeline",
    "gha",
    "github",
    "gitlab",
    "jenkins",
    "oidc",
    "pipeline",
    "pipelines",
    "spacelift",
];

pub fn check(spec: &Spec, d: &mut Vec<Diagnostic>) {
    mfa_for_a_pipeline(spec, d);
    crate::spec::vpc::check_way_out(&spec.network, !spec.services.is_empty(), d);
    for (i, s) in spec.services.iter().enumerate() {
        let base = format!("/services/{i}");
        let sc = &s.scaling;
        let metric = sc.cpu_percent.is_some()
            || sc.memory_percent.is_some()
            || sc.requests_per_target.is_some();
        if sc.max > sc.min && !metric {
            d.push(
                Diagnostic::error(
                    Code::ServiceScaling,
                    format!("{base}/scaling/max"),
                    format!(
                        "service `{}` may scale to {} tasks but has no metric to scale on, so it stays at {}",
                        s.name, sc.max, sc.min
                    ),
                )
                .with_help("add `cpu_percent: 60` (or `memory_percent`, `requests_per_target`), or set `max` to `min`"),
            );
        }
        if let Some(command) = &s.health_check_command
            && !matches!(
                command.first().map(String::as_str),
                Some("CMD" | "CMD-SHELL")
            )
        {
            d.push(
                Diagnostic::error(
                    Code::ServiceHealthCheck,
                    format!("{base}/health_check_command"),
                    format!(
                        "the health-check command of service `{}` does not start with `CMD` or `CMD-SHELL`",
                        s.name
                    ),
                )
                .with_help(format!(
                    "ECS runs `[\"CMD\", program, args...]` or `[\"CMD-SHELL\", \"a shell line\"]`, e.g. `[\"CMD-SHELL\", \"{}\"]`",
                    command.join(" ").replace('"', "'")
                )),
            );
        }
        if let Some(port) = s.port
            && port < FIRST_UNPRIVILEGED_PORT
        {
            d.push(
                Diagnostic::error(
                    Code::ServicePort,
                    format!("{base}/port"),
                    format!(
                        "service `{}` listens on port {port}, which only root may open, and its container never runs as root",
                        s.name
                    ),
                )
                .with_help("listen on 1024 or above, e.g. `port: 8080`: the load balancer still serves HTTPS on 443"),
            );
        }
    }
    for (i, e) in spec.compliance.exceptions.iter().enumerate() {
        if let Some(date) = &e.expires
            && !is_real_date(date)
        {
            d.push(
                Diagnostic::error(
                    Code::ComplianceExceptionDate,
                    format!("/compliance/exceptions/{i}/expires"),
                    format!(
                        "the exception for `{}` expires on `{date}`, which is no calendar date",
                        e.rule
                    ),
                )
                .with_help("write a real date, YYYY-MM-DD, e.g. `2027-01-31`"),
            );
        }
    }
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD` (the form of an exception's
/// `expires`; `policy` checks its own dates with it too).
pub fn is_real_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// `require_mfa` puts `aws:MultiFactorAuthPresent` in the deployer role's trust: only a
/// session a person opened with an MFA code satisfies it. A pipeline's session (web identity
/// or access keys) never does, so a vendor role named like a pipeline's would be refused on
/// every deploy. A warning: the name is a hint, not proof.
fn mfa_for_a_pipeline(spec: &Spec, d: &mut Vec<Diagnostic>) {
    let access = &spec.access;
    let Some(arn) = access
        .vendor_role_arn
        .as_deref()
        .filter(|_| access.require_mfa)
    else {
        return;
    };
    // The role's path and name: `role/ci/deploy` is a pipeline's as much as `role/ci-deploy`.
    let name = arn.split_once(":role/").map_or(arn, |(_, name)| name);
    let word = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .find(|w| PIPELINE_WORDS.contains(&w.as_str()));
    let Some(word) = word else { return };
    d.push(
        Diagnostic::error(
            Code::AccessMfaPipeline,
            "/access/require_mfa",
            format!(
                "`require_mfa` admits only sessions opened with an MFA code, but the vendor role `{name}` looks like a pipeline's (`{word}`): a pipeline never has one, so its deploys would all be refused"
            ),
        )
        .as_warning()
        .with_help("require MFA when people deploy from a role they assume with a code; for a pipeline's role, drop `require_mfa` and narrow it with `source_cidrs` and a short `max_session_hours`"),
    );
}

#[cfg(test)]
mod tests {
    use super::is_real_date;

    #[test]
    fn real_dates_follow_month_lengths_and_leap_years() {
        assert!(is_real_date("2027-01-31"));
        assert!(is_real_date("2028-02-29"));
        assert!(!is_real_date("2027-02-29"));
        assert!(!is_real_date("2100-02-29"));
        assert!(is_real_date("2000-02-29"));
        assert!(!is_real_date("2027-04-31"));
        assert!(!is_real_date("2027-13-01"));
        assert!(!is_real_date("2027-00-10"));
        assert!(!is_real_date("2027-01-00"));
        assert!(!is_real_date("2027-1-5"));
        assert!(!is_real_date("2027-01-05x"));
    }
}
