//! Access verification: is a customer's access stack what byoa expects? Pure.
//!
//! Input: how three `AssumeRole` calls into the customer's deployer role ended (with the
//! customer's external id, with a wrong one, with none), the access stack as the deployer sees
//! it (`DescribeStacks`), and what byoa expects of it (`Expected`: the account, the deployer
//! role's ARN, names derived from the product and environment, the outputs the synthesized
//! access template declares). Output: one `Check` per property, passed with what was seen or
//! failed with a coded diagnostic.
//!
//! Invariants: a refusal (`AccessDenied`) is the pass for the wrong and the missing external
//! id, and any success there is a failure (the trust does not enforce the external id: the
//! confused-deputy protection is off); an answer that is neither (a network error, throttling)
//! proves nothing and is reported as unverifiable, never as a pass.

use super::{CloudError, StackState};
use crate::diag::{Code, Diagnostic};
use crate::naming;

/// What byoa expects of one customer's access stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub account_id: String,
    pub deployer_role_arn: String,
    pub access_stack: String,
    pub product: String,
    pub environment: String,
    /// The outputs of the synthesized access template that exist in every launch (not behind a
    /// condition).
    pub outputs: Vec<String>,
}

/// One verified property.
#[derive(Debug, Clone)]
pub struct Check {
    pub what: String,
    /// What was seen, or why it fails.
    pub result: Result<String, Diagnostic>,
}

impl Check {
    fn pass(what: impl Into<String>, seen: impl Into<String>) -> Check {
        Check {
            what: what.into(),
            result: Ok(seen.into()),
        }
    }

    fn fail(what: impl Into<String>, d: Diagnostic) -> Check {
        Check {
            what: what.into(),
            result: Err(d),
        }
    }

    pub fn passed(&self) -> bool {
        self.result.is_ok()
    }
}

/// Whether AWS refused an `AssumeRole` (as opposed to failing to answer).
pub fn is_refusal(e: &CloudError) -> bool {
    e.code.as_deref() == Some("AccessDenied")
}

/// The three `AssumeRole` checks: `right` must succeed (its value: the session's ARN), `wrong`
/// and `none` must be refused.
pub fn assume_checks(
    expected: &Expected,
    right: &Result<String, CloudError>,
    wrong: &Result<String, CloudError>,
    none: &Result<String, CloudError>,
) -> Vec<Check> {
    let role = &expected.deployer_role_arn;
    let mut out = Vec::new();
    let what = "assume the deployer role with the customer's external id";
    out.push(match right {
        Ok(session) => Check::pass(what, format!("allowed as {session}")),
        Err(e) if is_refusal(e) => Check::fail(
            what,
            Diagnostic::new(
                Code::AccessAssumeRefused,
                format!("`{role}` refused the customer's external id: {}", e.message),
            )
            .with_help("the customer has not launched the access stack yet, launched it with another external id, or switched the vendor's access off; send them the launch link again"),
        ),
        Err(e) => Check::fail(what, unverifiable(e)),
    });
    for (what, answer) in [
        ("refuse a wrong external id", wrong),
        ("refuse a missing external id", none),
    ] {
        out.push(match answer {
            Err(e) if is_refusal(e) => Check::pass(what, "refused (AccessDenied)"),
            Ok(session) => Check::fail(
                what,
                Diagnostic::new(
                    Code::AccessExternalIdNotEnforced,
                    format!("`{role}` can be assumed without the customer's external id (as {session}): anyone the trust names can act as this vendor in the customer's account"),
                )
                .with_help("the customer updates the access stack from byoa's `access.yaml`: its trust requires `sts:ExternalId`"),
            ),
            Err(e) => Check::fail(what, unverifiable(e)),
        });
    }
    out
}

fn unverifiable(e: &CloudError) -> Diagnostic {
    Diagnostic::new(
        Code::AccessUnverifiable,
        format!("{e}: neither allowed nor refused, so this proves nothing"),
    )
    .with_help(
        "check the network, the endpoint and the vendor's own credentials, then verify again",
    )
}

/// The access stack's checks: it exists and is settled, and its outputs are the ones byoa
/// expects.
pub fn stack_checks(expected: &Expected, stack: Option<&StackState>) -> Vec<Check> {
    let name = &expected.access_stack;
    let what = format!("access stack `{name}` is launched and settled");
    let Some(stack) = stack else {
        return vec![Check::fail(
            what,
            Diagnostic::new(
                Code::AccessStackMissing,
                format!("the access stack `{name}` does not exist in this account and region"),
            )
            .with_help("the customer launches it from the launch page's first button"),
        )];
    };
    let settled = stack.status.ends_with("_COMPLETE")
        && (!stack.status.contains("ROLLBACK") || stack.status == "UPDATE_ROLLBACK_COMPLETE");
    if !settled {
        return vec![Check::fail(
            what,
            Diagnostic::new(
                Code::AccessStackMissing,
                format!("the access stack `{name}` is {}", stack.status),
            )
            .with_help(
                "wait for the customer's launch or update to finish, or ask them to relaunch it",
            ),
        )];
    }
    let mut out = vec![Check::pass(what, stack.status.clone())];
    let output = |key: &str| {
        stack
            .outputs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let acct = &expected.account_id;
    let exact = [
        ("DeployerRoleArn", expected.deployer_role_arn.clone()),
        (
            "PermissionsBoundaryArn",
            format!(
                "arn:aws:iam::{acct}:policy{}{}",
                naming::BOUNDARY_PATH,
                naming::boundary_policy(&expected.product, &expected.environment)
            ),
        ),
        (
            "ProductStackPrefix",
            naming::stack_prefix(&expected.product, &expected.environment),
        ),
    ];
    for (key, want) in exact {
        out.push(compare(name, key, output(key), |v| v == want, &want));
    }
    let in_account = format!("arn:aws:iam::{acct}:role/");
    out.push(compare(
        name,
        "ExecutionRoleArn",
        output("ExecutionRoleArn"),
        |v| v.starts_with(&in_account),
        &format!("a role of account {acct}"),
    ));
    out.push(compare(
        name,
        "ArtifactBucketName",
        output("ArtifactBucketName"),
        |v| !v.is_empty(),
        "a bucket name",
    ));
    let missing: Vec<&str> = expected
        .outputs
        .iter()
        .map(String::as_str)
        .filter(|k| output(k).is_none())
        .collect();
    let what = "every output of this byoa's access template";
    out.push(if missing.is_empty() {
        Check::pass(what, format!("{} present", expected.outputs.len()))
    } else {
        Check::fail(
            what,
            Diagnostic::new(
                Code::AccessOutputMismatch,
                format!(
                    "the access stack `{name}` has no output {}: it was launched from an older or another `access.yaml`",
                    missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            )
            .with_help("the customer updates the access stack with this byoa's `access.yaml`"),
        )
    });
    out
}

fn compare(
    stack: &str,
    key: &str,
    seen: Option<&str>,
    ok: impl Fn(&str) -> bool,
    want: &str,
) -> Check {
    let what = format!("output `{key}`");
    match seen {
        Some(v) if ok(v) => Check::pass(what, v),
        Some(v) => Check::fail(
            what,
            Diagnostic::new(
                Code::AccessOutputMismatch,
                format!("the access stack `{stack}` outputs `{key}` = `{v}`; byoa expects {want}"),
            )
            .with_help("the stack was launched from another product's or environment's `access.yaml`, or changed by hand: the customer relaunches it from the launch page"),
        ),
        None => Check::fail(
            what,
            Diagnostic::new(
                Code::AccessOutputMismatch,
                format!("the access stack `{stack}` has no output `{key}`; byoa expects {want}"),
            )
            .with_help("the customer updates the access stack with this byoa's `access.yaml`"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected() -> Expected {
        Expected {
            account_id: "222222222222".into(),
            deployer_role_arn: "arn:aws:iam::222222222222:role/byoa/acme-api-dev-deployer".into(),
            access_stack: "acme-api-dev-access".into(),
            product: "acme-api".into(),
            environment: "dev".into(),
            outputs: vec!["DeployerRoleArn".into(), "TrailArn".into()],
        }
    }

    fn denied() -> CloudError {
        CloudError {
            operation: "AssumeRole",
            target: "role".into(),
            code: Some("AccessDenied".into()),
            message: "User: arn:aws:iam::111111111111:user/v is not authorized to perform: sts:AssumeRole on resource: role".into(),
        }
    }

    fn stack(outputs: &[(&str, &str)]) -> StackState {
        StackState {
            name: "acme-api-dev-access".into(),
            id: "id".into(),
            status: "CREATE_COMPLETE".into(),
            reason: None,
            parameters: vec![],
            values: vec![],
            drift: None,
            outputs: outputs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    fn good_outputs() -> Vec<(&'static str, &'static str)> {
        vec![
            (
                "DeployerRoleArn",
                "arn:aws:iam::222222222222:role/byoa/acme-api-dev-deployer",
            ),
            (
                "PermissionsBoundaryArn",
                "arn:aws:iam::222222222222:policy/byoa/acme-api-dev-boundary",
            ),
            ("ProductStackPrefix", "acme-api-dev-"),
            (
                "ExecutionRoleArn",
                "arn:aws:iam::222222222222:role/acme-api-dev-access-ExecutionRole-1",
            ),
            ("ArtifactBucketName", "acme-api-dev-access-artifactbucket-1"),
            (
                "TrailArn",
                "arn:aws:cloudtrail:us-east-1:222222222222:trail/t",
            ),
        ]
    }

    #[test]
    fn refusals_of_wrong_and_missing_ids_are_the_pass() {
        let checks = assume_checks(
            &expected(),
            &Ok("arn:aws:sts::222222222222:assumed-role/x/byoa".into()),
            &Err(denied()),
            &Err(denied()),
        );
        assert!(checks.iter().all(Check::passed), "{checks:?}");
        assert_eq!(checks[1].result.as_ref().unwrap(), "refused (AccessDenied)");
    }

    #[test]
    fn an_accepted_wrong_id_fails_and_a_refused_right_id_fails_with_their_own_codes() {
        let checks = assume_checks(&expected(), &Err(denied()), &Ok("s".into()), &Err(denied()));
        let codes: Vec<Option<Code>> = checks
            .iter()
            .map(|c| c.result.as_ref().err().map(|d| d.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                Some(Code::AccessAssumeRefused),
                Some(Code::AccessExternalIdNotEnforced),
                None
            ]
        );
    }

    #[test]
    fn an_answer_that_is_neither_allow_nor_refuse_proves_nothing() {
        let timeout = CloudError::new("AssumeRole", "role", "connection refused");
        let checks = assume_checks(
            &expected(),
            &Ok("s".into()),
            &Err(timeout.clone()),
            &Err(timeout),
        );
        assert_eq!(
            checks[1].result.as_ref().unwrap_err().code,
            Code::AccessUnverifiable
        );
        assert!(!checks[2].passed());
    }

    #[test]
    fn a_launched_stack_with_the_expected_outputs_passes_every_check() {
        let s = stack(&good_outputs());
        let checks = stack_checks(&expected(), Some(&s));
        assert!(checks.iter().all(Check::passed), "{checks:?}");
        assert_eq!(checks.len(), 7);
    }

    #[test]
    fn another_environments_stack_and_a_missing_output_are_named() {
        let mut outputs = good_outputs();
        outputs[2] = ("ProductStackPrefix", "acme-api-prod-");
        outputs.pop();
        let s = stack(&outputs);
        let failed: Vec<String> = stack_checks(&expected(), Some(&s))
            .into_iter()
            .filter_map(|c| c.result.err())
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect();
        assert_eq!(failed.len(), 2, "{failed:?}");
        assert!(
            failed[0]
                .contains("`ProductStackPrefix` = `acme-api-prod-`; byoa expects acme-api-dev-"),
            "{failed:?}"
        );
        assert!(failed[1].contains("has no output `TrailArn`"), "{failed:?}");
    }

    #[test]
    fn a_missing_or_failed_access_stack_stops_the_stack_checks() {
        let checks = stack_checks(&expected(), None);
        assert_eq!(checks.len(), 1);
        assert_eq!(
            checks[0].result.as_ref().unwrap_err().code,
            Code::AccessStackMissing
        );
        let mut s = stack(&good_outputs());
        s.status = "ROLLBACK_COMPLETE".into();
        let checks = stack_checks(&expected(), Some(&s));
        assert!(
            checks[0]
                .result
                .as_ref()
                .unwrap_err()
                .message
                .contains("ROLLBACK_COMPLETE")
        );
    }
}
