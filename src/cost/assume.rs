//! Usage assumptions: the quantities no template says (GB through the NAT gateways, load
//! balancer capacity units, log volume, requests), as explicit values.
//!
//! Input: the environment's name (which picks a default set), the spec's `cost.assume` (the
//! environment's overlay applied) and `--assume key=value` pairs, each replacing the one before.
//! Output: `Assumptions`, every key with its value, unit, meaning and where the value came
//! from; the estimate prints them all, so a reader sees what the usage lines rest on.
//! Defaults: environments named `prod`, `production` or starting `prod-` get the production
//! column, every other environment the development one. They are a starting point for a
//! small product, not a measurement: override them with what the product really does.

use serde::Serialize;

use crate::diag::{Code, Diagnostic};
use crate::spec::types::CostAssumptions;

/// One usage quantity.
struct Key {
    key: &'static str,
    unit: &'static str,
    meaning: &'static str,
    production: f64,
    development: f64,
}

const KEYS: &[Key] = &[
    Key {
        key: "nat_gb",
        unit: "GB/month",
        meaning: "data processed by the NAT gateways, all of them together",
        production: 100.0,
        development: 10.0,
    },
    Key {
        key: "alb_lcu",
        unit: "LCU",
        meaning: "load balancer capacity units used in an average hour",
        production: 1.0,
        development: 0.1,
    },
    Key {
        key: "waf_requests_m",
        unit: "million requests/month",
        meaning: "requests the web ACL inspects",
        production: 10.0,
        development: 1.0,
    },
    Key {
        key: "service_log_gb",
        unit: "GB/month per service",
        meaning: "application logs each service writes to CloudWatch Logs",
        production: 5.0,
        development: 0.5,
    },
    Key {
        key: "flow_log_gb",
        unit: "GB/month",
        meaning: "VPC flow-log records delivered to CloudWatch Logs",
        production: 10.0,
        development: 1.0,
    },
    Key {
        key: "trail_log_gb",
        unit: "GB/month",
        meaning: "CloudTrail events copied to CloudWatch Logs",
        production: 1.0,
        development: 0.2,
    },
    Key {
        key: "db_log_gb",
        unit: "GB/month",
        meaning: "database logs exported to CloudWatch Logs",
        production: 1.0,
        development: 0.2,
    },
    Key {
        key: "s3_gb",
        unit: "GB per bucket",
        meaning: "objects each bucket holds (access logs, audit logs, artifacts)",
        production: 10.0,
        development: 1.0,
    },
    Key {
        key: "ecr_gb",
        unit: "GB per repository",
        meaning: "container images each repository holds",
        production: 2.0,
        development: 1.0,
    },
    Key {
        key: "backup_extra_gb",
        unit: "GB",
        meaning: "database backup storage beyond the free amount (the provisioned storage)",
        production: 0.0,
        development: 0.0,
    },
    Key {
        key: "insights_metrics",
        unit: "metrics",
        meaning: "CloudWatch metrics Container Insights publishes for the cluster and its services",
        production: 50.0,
        development: 50.0,
    },
    Key {
        key: "insights_gb",
        unit: "GB/month",
        meaning: "Container Insights performance events ingested into CloudWatch Logs",
        production: 2.0,
        development: 0.5,
    },
    Key {
        key: "kms_requests_10k",
        unit: "10,000 requests/month per key",
        meaning: "requests each KMS key serves",
        production: 1.0,
        development: 0.2,
    },
];

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The production default set.
    ProductionDefault,
    /// The development default set.
    DevelopmentDefault,
    /// The spec's `cost.assume` (its environment overlay applied).
    Spec,
    /// `--assume`.
    Given,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assumption {
    pub key: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub meaning: &'static str,
    pub origin: Origin,
}

/// Every usage quantity, in a fixed order.
#[derive(Debug, Clone, Serialize)]
pub struct Assumptions(pub Vec<Assumption>);

impl Assumptions {
    /// The defaults for `environment`.
    pub fn defaults(environment: &str) -> Assumptions {
        let production = crate::naming::is_production(environment);
        Assumptions(
            KEYS.iter()
                .map(|k| Assumption {
                    key: k.key,
                    value: if production {
                        k.production
                    } else {
                        k.development
                    },
                    unit: k.unit,
                    meaning: k.meaning,
                    origin: if production {
                        Origin::ProductionDefault
                    } else {
                        Origin::DevelopmentDefault
                    },
                })
                .collect(),
        )
    }

    /// The defaults of `model`'s environment with its spec's `cost.assume` applied.
    pub fn for_model(model: &crate::spec::Model) -> Assumptions {
        Assumptions::defaults(&model.environment).with_spec(&model.cost)
    }

    /// Applies the spec's `cost.assume` values.
    pub fn with_spec(mut self, spec: &CostAssumptions) -> Assumptions {
        let given = serde_json::to_value(spec).unwrap_or_default();
        for a in &mut self.0 {
            if let Some(v) = given.get(a.key).and_then(serde_json::Value::as_f64) {
                a.value = v;
                a.origin = Origin::Spec;
            }
        }
        self
    }

    /// Applies `key=value` pairs; every bad pair is a diagnostic.
    pub fn given(mut self, pairs: &[String]) -> Result<Assumptions, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        for pair in pairs {
            match self.set(pair) {
                Ok(()) => {}
                Err(d) => problems.push(d),
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }

    fn set(&mut self, pair: &str) -> Result<(), Diagnostic> {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(
                Diagnostic::new(Code::CostAssume, format!("`{pair}` is not `key=value`"))
                    .with_help("e.g. `--assume nat_gb=500`"),
            );
        };
        let key = key.trim();
        let Some(a) = self.0.iter_mut().find(|a| a.key == key) else {
            let mut d = Diagnostic::new(
                Code::CostAssume,
                format!("`{key}` is not a usage assumption"),
            );
            let keys = KEYS.iter().map(|k| k.key);
            d = match crate::diag::did_you_mean(key, keys) {
                Some(m) => d.with_help(format!("did you mean `{m}`?")),
                None => d.with_help(format!(
                    "the assumptions are {}",
                    KEYS.iter().map(|k| k.key).collect::<Vec<_>>().join(", ")
                )),
            };
            return Err(d);
        };
        match value.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => {
                a.value = v;
                a.origin = Origin::Given;
                Ok(())
            }
            _ => Err(Diagnostic::new(
                Code::CostAssume,
                format!(
                    "`{key}` must be a number of at least 0, not `{}`",
                    value.trim()
                ),
            )),
        }
    }

    /// The value of `key` (one of `KEYS`: rules name only those).
    pub fn get(&self, key: &str) -> f64 {
        self.0
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value)
            .unwrap_or_else(|| panic!("`{key}` is not an assumption byoa defines"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_and_development_defaults_differ() {
        assert_eq!(Assumptions::defaults("prod").get("nat_gb"), 100.0);
        assert_eq!(Assumptions::defaults("prod-eu").get("nat_gb"), 100.0);
        assert_eq!(Assumptions::defaults("dev").get("nat_gb"), 10.0);
    }

    #[test]
    fn the_spec_fields_are_the_assumption_keys_and_override_the_defaults() {
        let schema = serde_json::to_value(schemars::schema_for!(CostAssumptions)).unwrap();
        let fields: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        let keys: Vec<&str> = KEYS.iter().map(|k| k.key).collect();
        assert_eq!(fields, keys);
        let spec = CostAssumptions {
            nat_gb: Some(700.0),
            ..CostAssumptions::default()
        };
        let a = Assumptions::defaults("prod").with_spec(&spec);
        assert_eq!(a.get("nat_gb"), 700.0);
        assert_eq!(a.0[0].origin, Origin::Spec);
        assert_eq!(a.0[1].origin, Origin::ProductionDefault);
        let a = a.given(&["nat_gb=5".into()]).unwrap();
        assert_eq!(a.get("nat_gb"), 5.0, "--assume wins over the spec");
    }

    #[test]
    fn given_values_win_and_bad_ones_are_all_reported() {
        let a = Assumptions::defaults("dev")
            .given(&["nat_gb=500".into()])
            .unwrap();
        assert_eq!(a.get("nat_gb"), 500.0);
        assert!(
            a.0.iter()
                .any(|x| x.key == "nat_gb" && x.origin == Origin::Given)
        );
        let e = Assumptions::defaults("dev")
            .given(&["nat_gbb=1".into(), "alb_lcu".into(), "s3_gb=-2".into()])
            .unwrap_err();
        assert_eq!(e.len(), 3);
        assert!(e.iter().all(|d| d.code == Code::CostAssume));
        assert_eq!(e[0].help.as_deref(), Some("did you mean `nat_gb`?"));
    }
}
