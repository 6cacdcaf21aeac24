//! The load balancer's settings AWS constrains by name: the HTTPS listener's security policy
//! must be one of Elastic Load Balancing's predefined policies (there are no custom ones for an
//! Application Load Balancer).
//!
//! Input: the merged spec's `network.load_balancer`. Output: `network.ssl-policy` errors with
//! the closest known name. The names come from the generated table (`table::SslPolicies`:
//! moto's emulated list joined with a dated hand list of documented names moto lacks).
//! Invariant: a name whose shape is already refused (`TlsPolicy::parse`) gets no second error.

use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::spec::aws::table::Table;

use crate::spec::types::LoadBalancer;
use crate::spec::values::TlsPolicy;

pub fn check(lb: &LoadBalancer, table: &Table, d: &mut Vec<Diagnostic>) {
    let name = lb.ssl_policy.as_str();
    if !lb.enabled || TlsPolicy::parse(name).is_err() {
        return;
    }
    let known = &table.alb_ssl_policies.names;
    if known.iter().any(|p| p == name) {
        return;
    }
    let help = match did_you_mean(name, known.iter().map(String::as_str)) {
        Some(near) => format!("did you mean `{near}`?"),
        None => {
            "use a predefined policy, e.g. `ELBSecurityPolicy-TLS13-1-2-2021-06` (TLS 1.3 and 1.2)"
                .to_owned()
        }
    };
    d.push(
        Diagnostic::error(
            Code::NetworkSslPolicy,
            "/network/load_balancer/ssl_policy",
            format!("`{name}` is not a security policy of Application Load Balancers"),
        )
        .with_help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(name: &str) -> Vec<Diagnostic> {
        let lb = LoadBalancer {
            ssl_policy: name.to_owned(),
            ..LoadBalancer::default()
        };
        let mut d = Vec::new();
        check(&lb, Table::get(), &mut d);
        d
    }

    #[test]
    fn predefined_policies_pass_and_near_misses_get_the_closest() {
        for ok in [
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
            "ELBSecurityPolicy-2016-08",
        ] {
            assert!(errors(ok).is_empty(), "{ok}");
        }
        let d = errors("ELBSecurityPolicy-TLS13-1-2-2021-07");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::NetworkSslPolicy);
        assert_eq!(
            d[0].help.as_deref(),
            Some("did you mean `ELBSecurityPolicy-TLS13-1-2-2021-06`?")
        );
        // A Network Load Balancer's policy is not an Application Load Balancer's.
        assert_eq!(errors("ELBSecurityPolicy-2015-05").len(), 1);
        // A malformed name is refused by its shape, once, elsewhere.
        assert!(errors("TLS1.2").is_empty());
    }

    #[test]
    fn a_disabled_load_balancer_has_no_policy_to_check() {
        let lb = LoadBalancer {
            enabled: false,
            ssl_policy: "ELBSecurityPolicy-Nope".to_owned(),
            ..LoadBalancer::default()
        };
        let mut d = Vec::new();
        check(&lb, Table::get(), &mut d);
        assert!(d.is_empty());
    }
}
