//! The customer's kill switch: the `VendorAccess` parameter of the access stack.
//!
//! Updating the access stack with `VendorAccess` = `Disabled` takes the vendor out at once, in
//! two ways, because either alone leaves a gap:
//! - the deployer role's trust gains an explicit deny for the vendor, so no new session starts
//!   (the allow stays beside it: a trust policy is never left without one);
//! - the role gains an inline policy that denies every action, so a session the vendor already
//!   holds (valid for up to `max_session_hours`) loses every permission with its next call:
//!   IAM evaluates a role's policies on every request, not when the session starts.
//!
//! Setting it back to `Enabled` restores both. The execution role is not changed: only
//! CloudFormation can assume it, and without the deployer the vendor cannot start an operation.

use serde_json::{Value, json};

use crate::cfn::func::{equals, if_, no_value, r#ref};
use crate::cfn::{Parameter, Resource, Template};

/// The parameter's name; the launch page tells the customer to set it.
pub const PARAMETER: &str = "VendorAccess";

/// Condition: the customer disabled the vendor's access.
pub const DISABLED: &str = "VendorAccessDisabled";

/// Adds the parameter and its condition.
pub(super) fn switch(t: &mut Template, group: &str) {
    t.add_parameter(
        PARAMETER,
        Parameter::new(
            "String",
            group,
            "Vendor access",
            "Disabled takes the vendor out at once: the deployer role can no longer be assumed, and sessions the vendor already holds lose every permission. Your product keeps running; nothing is deleted. Set Enabled (update this stack) to let the vendor deploy again.",
        )
        .allowed_values(["Enabled", "Disabled"])
        .default("Enabled"),
    );
    t.add_condition(DISABLED, equals(r#ref(PARAMETER), json!("Disabled")));
}

/// The trust statements: `allow` always, and, while access is disabled, a deny for the same
/// principal.
pub(super) fn trust(allow: Value) -> Vec<Value> {
    let deny = json!({
        "Sid": "VendorAccessDisabled",
        "Effect": "Deny",
        "Principal": allow["Principal"].clone(),
        "Action": "sts:AssumeRole",
    });
    vec![allow, if_(DISABLED, deny, no_value())]
}

/// While access is disabled, an inline policy of the deployer role (its own resource, created
/// only under the condition) that denies everything.
pub(super) fn deny_all(t: &mut Template, role: &str) {
    t.add_resource(
        "VendorAccessRevoked",
        Resource::new(
            "AWS::IAM::RolePolicy",
            json!({
                "RoleName": r#ref(role),
                "PolicyName": "vendor-access-disabled",
                "PolicyDocument": crate::modules::secure::document(vec![json!({
                    "Sid": "VendorAccessDisabled",
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                })]),
            }),
        )
        .condition(DISABLED),
        None,
    );
}
