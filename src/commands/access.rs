//! `byoa access verify --customer C`: proves a customer's access is what byoa expects, after
//! the customer launched the access stack.
//!
//! Orchestration only: synthesizes the customer's environment (for the names and outputs
//! byoa expects), makes three `AssumeRole` calls into the customer's deployer role (with the
//! customer's external id, with a wrong one, with none), reads the access stack through the
//! session the right id opened, and hands everything to `deploy::access_check`. Prints one
//! line per check, then the failed ones as diagnostics.
//!
//! Exit codes: 0 every check passed, 1 a check failed, 2 error (including an AWS answer that
//! is neither allow nor refuse: it proves nothing).

use std::io;

use super::Ctx;
use super::fleet::{connection, load};
use crate::cli::AccessVerifyArgs;
use crate::deploy::Cloud;
use crate::deploy::access_check::{self, Check, Expected};
use crate::deploy::aws::{self, Aws};
use crate::diag::{Code, Diagnostic};
use crate::report::DiagFormat;
use crate::{exit, naming};

/// An external id no customer has: byoa's own are random and at least 32 characters.
const WRONG_EXTERNAL_ID: &str = "byoa-verify-wrong-external-id";

pub fn verify(ctx: &mut Ctx<'_>, args: &AccessVerifyArgs) -> io::Result<i32> {
    let fleet = match load(&args.fleet, std::slice::from_ref(&args.customer), false) {
        Ok(f) => f,
        Err(d) => return ctx.fail(&d),
    };
    ctx.warn(&fleet.warnings)?;
    let Some(customer) = fleet.selected.first() else {
        return ctx.fail(&[Diagnostic::new(
            Code::RolloutArguments,
            format!("no customer `{}`", args.customer),
        )]);
    };
    let output = &fleet.outputs[&customer.environment];
    let connection = connection(&args.fleet, customer, output);
    let role = connection.role_arn.clone().unwrap_or_default();
    let access = output
        .templates
        .iter()
        .find(|r| r.stack.module == naming::ACCESS);
    let expected = Expected {
        account_id: customer.account_id.clone(),
        deployer_role_arn: role.clone(),
        access_stack: output
            .manifest
            .stack_name(naming::ACCESS)
            .unwrap_or_default()
            .to_owned(),
        product: output.manifest.product.clone(),
        environment: customer.environment.clone(),
        outputs: access
            .map(|r| {
                r.stack
                    .template
                    .outputs
                    .iter()
                    .filter(|(_, o)| o.condition.is_none())
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default(),
    };
    let wrong = if customer.external_id == WRONG_EXTERNAL_ID {
        format!("{WRONG_EXTERNAL_ID}-2")
    } else {
        WRONG_EXTERNAL_ID.to_owned()
    };
    let right = aws::assume_role(&connection, &role, Some(&customer.external_id));
    let with_wrong = aws::assume_role(&connection, &role, Some(&wrong));
    let with_none = aws::assume_role(&connection, &role, None);
    let mut checks = access_check::assume_checks(&expected, &right, &with_wrong, &with_none);
    if right.is_ok() {
        let stack = Aws::connect(&connection).and_then(|cloud| cloud.stack(&expected.access_stack));
        match stack {
            Ok(s) => checks.extend(access_check::stack_checks(&expected, s.as_ref())),
            Err(e) => return ctx.fail(&crate::deploy::run::aws(e)),
        }
    }
    if !ctx.quiet {
        writeln!(
            ctx.out,
            "access of `{}` (account {}, {}) through {role}:",
            customer.id, customer.account_id, customer.region
        )?;
        for c in &checks {
            let (mark, seen) = match &c.result {
                Ok(seen) => ("ok  ", seen.clone()),
                Err(d) => ("FAIL", format!("[{}]", d.code.as_str())),
            };
            writeln!(ctx.out, "  {mark} {}: {seen}", c.what)?;
        }
    }
    let failed: Vec<Diagnostic> = checks
        .iter()
        .filter_map(|c| c.result.clone().err())
        .collect();
    ctx.report(&failed, DiagFormat::Human)?;
    Ok(if checks.iter().all(Check::passed) {
        exit::OK
    } else if failed.iter().any(|d| d.code == Code::AccessUnverifiable) {
        exit::ERROR
    } else {
        exit::FINDINGS
    })
}
