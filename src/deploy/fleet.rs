//! Fleet status: for one customer, the deployed version, the stack's status and drift, and
//! whether the vendor's access still works, from what its account answers. Pure.
//!
//! Input: what `commands::fleet` read live from the account through the customer's deployer
//! role (the root stack as `DescribeStacks` reports it and the sha256 of its template as
//! `GetTemplate` returns it, or why the role could not be assumed) and the `Current` version of
//! this synthesis. Output: a `Row` for the table and the JSON report. No database: the account
//! is the record.
//!
//! The version is read from what is deployed, not from a tag. Stack tags propagate to every
//! taggable resource, so a tag carrying the spec hash would make every spec edit (a comment
//! included) an update of every resource of the product. What is deployed names its version
//! already: the root stack's `ArtifactBaseUrl` parameter ends with the hash of the module
//! templates (`templates/<set hash>`, content-addressed by `deploy::plan`), and `GetTemplate`
//! returns the root template as submitted. A customer is `current` when both equal this
//! synthesis's, `behind` when either differs (an older or simply another version: the hash
//! says which templates run, not when they were made), `not-deployed` without a root stack.
//! Customer parameters are not part of the version: they are the customer's.

use serde::Serialize;

use super::StackState;
use super::plan;
use crate::naming::console::ARTIFACT_BASE_URL;

/// This synthesis's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// `plan::template_set`.
    pub template_set: String,
    /// sha256 of the root template's bytes as deployed (`synth::Rendered::body`).
    pub root_sha256: String,
}

/// What the account answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The deployer role was assumed with the customer's external id, or why not.
    pub access: Result<(), String>,
    pub root: Option<StackState>,
    /// sha256 of `GetTemplate` of the root stack.
    pub root_sha256: Option<String>,
    /// A read after the assume failed (`DescribeStacks`, `GetTemplate`).
    pub error: Option<String>,
}

/// Whether a customer runs this synthesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Currency {
    Current,
    Behind,
    NotDeployed,
    /// The account could not be read.
    Unknown,
}

impl Currency {
    pub fn as_str(self) -> &'static str {
        match self {
            Currency::Current => "current",
            Currency::Behind => "behind",
            Currency::NotDeployed => "not-deployed",
            Currency::Unknown => "unknown",
        }
    }
}

/// One customer's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub customer: String,
    pub account_id: String,
    pub region: String,
    pub environment: String,
    /// The deployed template set (16 hex digits).
    pub version: Option<String>,
    pub currency: Currency,
    pub stack_status: Option<String>,
    /// The last drift detection's result; `None` where the API gives none.
    pub drift: Option<String>,
    /// The deployer role with the customer's external id still works.
    pub access: bool,
    /// Why access or a read failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Row {
    /// Everything is as it should be: access works, this version runs, in a settled stack
    /// that has not drifted.
    pub fn healthy(&self) -> bool {
        self.access
            && self.currency == Currency::Current
            && self
                .stack_status
                .as_deref()
                .is_some_and(|s| s.ends_with("_COMPLETE") && !s.contains("ROLLBACK"))
            && self.drift.as_deref() != Some("DRIFTED")
    }
}

/// Who the row is about: id, account, region, environment.
pub struct Who<'a> {
    pub customer: &'a str,
    pub account_id: &'a str,
    pub region: &'a str,
    pub environment: &'a str,
}

pub fn row(who: &Who<'_>, current: &Current, seen: &Seen) -> Row {
    let version = seen.root.as_ref().and_then(|s| {
        s.values
            .iter()
            .find(|(k, _)| k == ARTIFACT_BASE_URL)
            .and_then(|(_, v)| plan::deployed_set(v))
            .map(str::to_owned)
    });
    let currency = match (&seen.access, &seen.root, &seen.error) {
        (Err(_), _, _) | (_, _, Some(_)) => Currency::Unknown,
        (Ok(()), None, None) => Currency::NotDeployed,
        (Ok(()), Some(_), None) => {
            let same_set = version.as_deref() == Some(current.template_set.as_str());
            let same_root = seen.root_sha256.as_deref() == Some(current.root_sha256.as_str());
            if same_set && same_root {
                Currency::Current
            } else {
                Currency::Behind
            }
        }
    };
    Row {
        customer: who.customer.to_owned(),
        account_id: who.account_id.to_owned(),
        region: who.region.to_owned(),
        environment: who.environment.to_owned(),
        version,
        currency,
        stack_status: seen.root.as_ref().map(|s| s.status.clone()),
        drift: seen
            .root
            .as_ref()
            .and_then(|s| s.drift.clone())
            .filter(|d| d != "NOT_CHECKED"),
        access: seen.access.is_ok(),
        problem: seen.access.clone().err().or_else(|| seen.error.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who() -> Who<'static> {
        Who {
            customer: "acme-corp",
            account_id: "222222222222",
            region: "us-east-1",
            environment: "prod",
        }
    }

    fn current() -> Current {
        Current {
            template_set: "0123456789abcdef".into(),
            root_sha256: "aa".into(),
        }
    }

    fn root(set: &str, drift: Option<&str>) -> StackState {
        StackState {
            name: "acme-api-prod-root".into(),
            id: "id".into(),
            status: "UPDATE_COMPLETE".into(),
            reason: None,
            parameters: vec![ARTIFACT_BASE_URL.into()],
            values: vec![(
                ARTIFACT_BASE_URL.into(),
                format!("https://b.s3.us-east-1.amazonaws.com/templates/{set}"),
            )],
            drift: drift.map(str::to_owned),
            outputs: vec![],
        }
    }

    fn seen(root: Option<StackState>, sha: &str) -> Seen {
        Seen {
            access: Ok(()),
            root,
            root_sha256: Some(sha.into()),
            error: None,
        }
    }

    #[test]
    fn the_version_is_the_template_set_in_artifact_base_url_and_both_hashes_decide_currency() {
        let r = row(
            &who(),
            &current(),
            &seen(Some(root("0123456789abcdef", None)), "aa"),
        );
        assert_eq!(r.version.as_deref(), Some("0123456789abcdef"));
        assert_eq!(r.currency, Currency::Current);
        assert!(r.healthy());
        // Another module set, or the same modules under another root template: behind.
        let r = row(
            &who(),
            &current(),
            &seen(Some(root("fedcba9876543210", None)), "aa"),
        );
        assert_eq!(r.currency, Currency::Behind);
        let r = row(
            &who(),
            &current(),
            &seen(Some(root("0123456789abcdef", None)), "bb"),
        );
        assert_eq!(r.currency, Currency::Behind);
        assert!(!r.healthy());
    }

    #[test]
    fn drift_is_reported_as_the_api_gives_it_and_not_checked_is_none() {
        let r = row(
            &who(),
            &current(),
            &seen(Some(root("0123456789abcdef", Some("DRIFTED"))), "aa"),
        );
        assert_eq!(r.drift.as_deref(), Some("DRIFTED"));
        assert!(!r.healthy(), "drift is not healthy");
        let r = row(
            &who(),
            &current(),
            &seen(Some(root("0123456789abcdef", Some("NOT_CHECKED"))), "aa"),
        );
        assert_eq!(r.drift, None);
    }

    #[test]
    fn broken_access_is_unknown_with_its_reason_and_no_stack_is_not_deployed() {
        let s = Seen {
            access: Err("AccessDenied".into()),
            root: None,
            root_sha256: None,
            error: None,
        };
        let r = row(&who(), &current(), &s);
        assert_eq!(r.currency, Currency::Unknown);
        assert!(!r.access);
        assert_eq!(r.problem.as_deref(), Some("AccessDenied"));
        let r = row(&who(), &current(), &seen(None, "aa"));
        assert_eq!(r.currency, Currency::NotDeployed);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["currency"], "not-deployed");
    }

    #[test]
    fn an_artifact_url_without_a_template_set_gives_no_version() {
        assert_eq!(
            plan::deployed_set("https://b/templates/0123456789abcdef/"),
            Some("0123456789abcdef")
        );
        assert_eq!(plan::deployed_set("https://b/other/0123456789abcdef"), None);
        assert_eq!(plan::deployed_set("https://b/templates/xyz"), None);
    }
}
