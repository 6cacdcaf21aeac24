//! The database instances' identifiers (`database.identifier`): whether an environment's can
//! be fixed, and what choosing `generated` gives up.
//!
//! Input: the merged spec of one environment with its name. Output: a `database.identifier`
//! error at `database.name` when a fixed identifier (`naming::database_instance`: product,
//! environment and database name; the primary's and each read replica's) is not one RDS
//! takes, and a `database.identifier-generated` warning when the environment keeps
//! CloudFormation's generated identifiers, which leaves the database log groups to RDS (not
//! encrypted with the database key, kept forever). A product or environment name refused on
//! its own field is not refused again here. Pure.

use crate::diag::{Code, Diagnostic};
use crate::naming;
use crate::spec::types::{Identifier, Spec};
use crate::spec::validate::is_dns_label;

/// Appends the problems of `environment`'s database identifiers to `d`.
pub fn check(spec: &Spec, environment: &str, d: &mut Vec<Diagnostic>) {
    let Some(db) = &spec.database else { return };
    if db.identifier == Identifier::Generated {
        d.push(
            Diagnostic::error(
                Code::DatabaseIdentifierGenerated,
                "/database/identifier",
                format!(
                    "environment `{environment}` keeps CloudFormation's generated database identifiers: RDS creates the database log groups itself, not encrypted with the database key and kept forever"
                ),
            )
            .as_warning()
            .with_help(
                "keep `identifier: generated` only where a deployed database must not be replaced; a new environment should use the default (`fixed`)",
            ),
        );
        return;
    }
    if !is_dns_label(&spec.product.name) || !is_dns_label(environment) {
        return;
    }
    let instances = std::iter::once(None).chain((1..=db.read_replicas).map(Some));
    let bad = instances
        .map(|replica| {
            naming::database_instance(&spec.product.name, environment, &db.name, replica)
        })
        .find(|id| !naming::is_rds_instance_identifier(id));
    if let Some(id) = bad {
        d.push(
            Diagnostic::error(
                Code::DatabaseIdentifier,
                "/database/name",
                format!(
                    "environment `{environment}` would name a database instance `{id}` ({} characters), which RDS refuses: at most 63 letters, digits or single hyphens, not ending with one",
                    id.len()
                ),
            )
            .with_help(
                "shorten the database name (`_` becomes `-`: no `__`, no `_` at the end), or set `database.identifier: generated` for this environment",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const SPEC: &str = r#"
product: {name: acme-api, vendor_account_id: "111111111111"}
access: {vendor_role_arn: "arn:aws:iam::111111111111:role/byoa-deploy"}
region: us-east-1
database: {read_replicas: 2, name: billing_db}
environments:
  prod: {}
  legacy: {database: {identifier: generated}}
  long: {database: {name: a_database_name_that_fits_postgresql_but_not_an_identifier}}
"#;

    fn load(env: &str) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        crate::spec::load_str(Path::new("byoa.yaml"), SPEC, Some(env), &Default::default())
            .map(|l| l.warnings)
    }

    #[test]
    fn generated_identifiers_warn_only_in_the_environment_that_chose_them() {
        let prod = load("prod").expect("valid");
        assert!(
            prod.iter()
                .all(|d| d.code != Code::DatabaseIdentifierGenerated)
        );
        let legacy = load("legacy").expect("valid");
        let w = legacy
            .iter()
            .find(|d| d.code == Code::DatabaseIdentifierGenerated)
            .expect("a warning");
        assert!(!w.is_error());
        assert!(w.message.contains("`legacy`"), "{}", w.message);
    }

    #[test]
    fn refuses_at_the_database_name_an_identifier_rds_would_refuse() {
        let errors = load("long").expect_err("refused");
        let e = errors
            .iter()
            .find(|d| d.code == Code::DatabaseIdentifier)
            .expect("the identifier error");
        assert!(e.is_error());
        assert_eq!(e.pointer.as_deref(), Some("/database/name"));
        // The primary's is 70 characters already.
        assert!(
            e.message.contains(
                "`acme-api-long-a-database-name-that-fits-postgresql-but-not-an-identifier`"
            ),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_replica_alone_can_break_the_limit_and_generated_names_nothing() {
        let mut spec: Spec = serde_json::from_value(serde_json::json!({
            "product": {"name": "acme", "vendor_account_id": "111111111111"},
            "region": "us-east-1",
            "database": {"read_replicas": 2, "name": "a".repeat(50)},
        }))
        .unwrap();
        // `acme-prod-<50>` is 60 characters, its first replica's 70.
        let mut d = Vec::new();
        check(&spec, "prod", &mut d);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("-replica-1`"), "{}", d[0].message);
        // Names RDS takes once joined, and the trailing or doubled `_` it does not.
        for (name, ok) in [("billing_db", true), ("db_", false), ("a__b", false)] {
            spec.database.as_mut().unwrap().name = name.to_owned();
            d.clear();
            check(&spec, "prod", &mut d);
            assert_eq!(d.is_empty(), ok, "{name}: {d:?}");
        }
        // A product name refused on its own field is not refused again here.
        spec.product.name = "Acme_Corp".to_owned();
        d.clear();
        check(&spec, "prod", &mut d);
        assert!(d.is_empty(), "{d:?}");
        // `generated` names nothing, so nothing is refused.
        spec.product.name = "acme".to_owned();
        spec.database.as_mut().unwrap().identifier = Identifier::Generated;
        d.clear();
        check(&spec, "prod", &mut d);
        assert!(d.iter().all(|d| !d.is_error()), "{d:?}");
    }
}
