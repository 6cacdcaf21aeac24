//! Load balancer routes of services: an `expose` block -> what Elastic Load Balancing would
//! refuse at deploy, as coded diagnostics at the field.
//!
//! Input: the services of a schema-valid spec. Output: diagnostics for health-check paths and
//! path patterns that do not start with `/` or are too long, host headers outside the allowed
//! characters, and rules with more condition values than a listener rule holds (refused, not
//! split: a split rule would need a priority of its own). Limits come from the generated table
//! (resource provider schemas); the character sets are a hand list from the Elastic Load
//! Balancing documentation, which the schemas do not carry.

use crate::diag::{Code, Diagnostic};
use crate::spec::aws::table::Table;
use crate::spec::types::Spec;

/// Longest path pattern or host header value a rule condition takes (a hand-kept limit).
const CONDITION_VALUE_MAX: usize = 128;
/// Services whose listener rules byoa can give distinct priorities: the compiler spreads them
/// over the priorities a listener allows (1 to 50,000 in the table), 500 positions per tier.
const RULE_POSITIONS: usize = 500;
/// Characters of a path pattern besides ASCII letters and digits (hand list).
const PATH_CHARS: &str = "_-.$/~\"'@:+&*?";

pub fn check(spec: &Spec, d: &mut Vec<Diagnostic>) {
    let limits = &Table::get().limits;
    for (i, s) in spec.services.iter().enumerate() {
        let Some(expose) = &s.expose else { continue };
        let base = format!("/services/{i}/expose");
        if i >= RULE_POSITIONS {
            d.push(
                Diagnostic::error(
                    Code::ServiceRoute,
                    base.clone(),
                    format!(
                        "service `{}` is number {} in `services`; byoa orders the load balancer rules of the first {RULE_POSITIONS} only",
                        s.name,
                        i + 1
                    ),
                )
                .with_help("list exposed services first, or split the product"),
            );
        }
        let health = &expose.health_check_path;
        if !health.starts_with('/') || health.len() > limits.health_check_path_max {
            d.push(
                Diagnostic::error(
                    Code::ServiceHealthCheck,
                    format!("{base}/health_check_path"),
                    format!(
                        "health-check path `{health}` of service `{}` must start with `/` and have at most {} characters",
                        s.name, limits.health_check_path_max
                    ),
                )
                .with_help(format!("e.g. `/{}`", health.trim_start_matches('/'))),
            );
        }
        for (j, path) in expose.paths.iter().enumerate() {
            let bad = path
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || PATH_CHARS.contains(*c)));
            let problem = if !path.starts_with('/') {
                Some("must start with `/`".to_owned())
            } else if path.len() > CONDITION_VALUE_MAX {
                Some(format!("is longer than {CONDITION_VALUE_MAX} characters"))
            } else {
                bad.map(|c| format!("contains `{c}`, which path patterns do not allow"))
            };
            if let Some(problem) = problem {
                d.push(
                    Diagnostic::error(
                        Code::ServiceRoute,
                        format!("{base}/paths/{j}"),
                        format!("path pattern `{path}` of service `{}` {problem}", s.name),
                    )
                    .with_help(
                        "a path pattern starts with `/` and uses letters, digits, `_-.$/~\"'@:+&` and the wildcards `*` and `?`",
                    ),
                );
            }
        }
        if let Some(host) = &expose.host
            && !is_host_pattern(host)
        {
            d.push(
                Diagnostic::error(
                    Code::ServiceRoute,
                    format!("{base}/host"),
                    format!("host header `{host}` of service `{}` is not a host name pattern", s.name),
                )
                .with_help(format!(
                    "use letters, digits, `-`, `.` and the wildcards `*` and `?`, at most {CONDITION_VALUE_MAX} characters, with a `.` followed by letters only, e.g. `api.example.com`"
                )),
            );
        }
        let values = expose.paths.len() + usize::from(expose.host.is_some());
        if values > limits.path_pattern_values_max {
            d.push(
                Diagnostic::error(
                    Code::ServiceRoute,
                    format!("{base}/paths"),
                    format!(
                        "service `{}` routes on {values} values (paths and host); a listener rule holds at most {}",
                        s.name, limits.path_pattern_values_max
                    ),
                )
                .with_help("use fewer, broader path patterns (`/api/*` covers `/api/a` and `/api/b`)"),
            );
        }
    }
}

/// A host-header condition value: letters, digits, `-`, `.`, `*`, `?`; at least one `.`, and
/// only letters (or wildcards) after the last one.
fn is_host_pattern(host: &str) -> bool {
    let chars_ok = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-.*?".contains(c));
    let tld_ok = host.rsplit_once('.').is_some_and(|(_, tld)| {
        !tld.is_empty()
            && tld
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '*' || c == '?')
    });
    chars_ok && tld_ok && host.len() <= CONDITION_VALUE_MAX
}

#[cfg(test)]
mod tests {
    use super::is_host_pattern;

    #[test]
    fn host_patterns_need_a_dot_and_a_lettered_end() {
        assert!(is_host_pattern("api.example.com"));
        assert!(is_host_pattern("*.example.com"));
        assert!(!is_host_pattern("localhost"));
        assert!(!is_host_pattern("api.example.com:443"));
        assert!(!is_host_pattern("10.0.0.1"));
        assert!(!is_host_pattern("api_example.com"));
    }
}
