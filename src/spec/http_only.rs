//! The plain-HTTP load balancer (`network.load_balancer.https: false`): where a spec may ask
//! for it.
//!
//! Input: the raw document (for where the value is written) and the merged spec of one
//! environment with its name. Output: `network.http-only` errors at the field. Plain HTTP is a
//! development convenience (no certificate to obtain before the first deploy), so it is an
//! environment's choice only: refused in the base document (every environment, production
//! included, would inherit it), in a production environment (`naming::is_production`), and
//! whenever a compliance profile is selected, since every profile requires encryption in
//! transit (`ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK`, `ELBV2_HTTPS_LISTENER_MODERN_TLS`); the
//! message names the profiles.

use serde_json::Value;

use crate::diag::{Code, Diagnostic};
use crate::spec::types::Spec;

const POINTER: &str = "/network/load_balancer/https";

/// An error when the base document itself turns HTTPS off.
pub fn check_base(document: &Value) -> Option<Diagnostic> {
    let https = document.pointer(POINTER)?;
    (https == &Value::Bool(false)).then(|| {
        Diagnostic::error(
            Code::NetworkHttpOnly,
            POINTER,
            "`https: false` in the base document would serve every environment, production included, in plain HTTP",
        )
        .with_help(
            "set it in a development environment's overlay: `environments: {dev: {network: {load_balancer: {https: false}}}}`",
        )
    })
}

/// Errors for an environment that serves plain HTTP where it must not.
pub fn check(spec: &Spec, environment: &str, d: &mut Vec<Diagnostic>) {
    let lb = &spec.network.load_balancer;
    if lb.https || !lb.enabled {
        return;
    }
    let profiles: Vec<String> = spec
        .compliance
        .profiles
        .iter()
        .map(|p| format!("`{}`", p.as_str()))
        .collect();
    if !profiles.is_empty() {
        d.push(
            Diagnostic::error(
                Code::NetworkHttpOnly,
                POINTER,
                format!(
                    "environment `{environment}` serves plain HTTP, which compliance profile{} {} forbid{} (encryption in transit)",
                    if profiles.len() == 1 { "" } else { "s" },
                    profiles.join(", "),
                    if profiles.len() == 1 { "s" } else { "" },
                ),
            )
            .with_help(
                "remove `https: false` (and provide the certificate ARN at launch), or set `compliance: {profiles: []}` in this environment's overlay too",
            ),
        );
    }
    if crate::naming::is_production(environment) {
        d.push(
            Diagnostic::error(
                Code::NetworkHttpOnly,
                POINTER,
                format!(
                    "environment `{environment}` is a production one and would serve plain HTTP"
                ),
            )
            .with_help("serve HTTPS in production: remove `https: false` from this environment"),
        );
    }
}

#[cfg(test)]
mod tests {
    fn codes(text: &str, env: &str) -> Vec<String> {
        let path = std::path::Path::new("byoa.yaml");
        match crate::spec::load_str(path, text, Some(env), &Default::default()) {
            Ok(_) => Vec::new(),
            Err(d) => d.iter().map(|d| d.code.as_str().to_owned()).collect(),
        }
    }

    const BASE: &str = "product: {name: acme, vendor_account_id: \"111111111111\"}\naccess: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\nregion: us-east-1\n";

    #[test]
    fn plain_http_is_an_overlay_choice_without_profiles_outside_production() {
        let overlay = |env: &str, profiles: &str| {
            format!(
                "{BASE}compliance: {{profiles: [{profiles}]}}\nenvironments:\n  {env}: {{network: {{load_balancer: {{https: false}}}}}}\n"
            )
        };
        assert_eq!(codes(&overlay("dev", ""), "dev"), Vec::<String>::new());
        assert_eq!(codes(&overlay("dev", "soc2"), "dev"), ["network.http-only"]);
        assert_eq!(codes(&overlay("prod", ""), "prod"), ["network.http-only"]);
        let base = format!(
            "{BASE}network: {{load_balancer: {{https: false}}}}\nenvironments: {{dev: {{}}}}\n"
        );
        assert_eq!(codes(&base, "dev"), ["network.http-only"]);
    }
}
