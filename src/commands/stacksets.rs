//! `byoa rollout --engine stacksets`: the rollout's customers deployed by CloudFormation
//! StackSets from the vendor's account, one stack set per environment (named like the root
//! stack), with the rollout's status table.
//!
//! Orchestration only: connects with the vendor's own credentials (no customer role: the
//! StackSets administration and execution roles act), plans the root deploy as `byoa deploy`
//! does but into the vendor's template bucket (`--bucket`, readable by the customers'
//! accounts), uploads, and runs `deploy::stacksets`. The stack set's parameter values are the
//! common `--parameter`s over the first customer's; each customer's own are its instance's
//! overrides (self-managed; service-managed stack sets take overrides per unit, not per
//! account, so there the stack set's values apply to every account). An update runs only when
//! byoa's prediction finds nothing the data-loss guard would stop; else every customer of the
//! stack set is `blocked` and nothing is sent.

use std::collections::BTreeMap;

use crate::cli::RolloutArgs;
use crate::customers::Customer;
use crate::deploy::aws::{Aws, Connection};
use crate::deploy::plan::{self, Target};
use crate::deploy::stacksets::{self, Member};
use crate::deploy::waves::{Board, State};
use crate::deploy::{Cloud, ParameterValue, StackSetRequest, StackSets, run};
use crate::diag::{Code, Diagnostic};
use crate::synth::Output;

/// Runs the customers of every environment through its stack set.
pub fn run(
    args: &RolloutArgs,
    selected: &[Customer],
    outputs: &BTreeMap<String, Output>,
    common: &[(String, String)],
    board: &mut Board,
    seen: &mut dyn FnMut(&Board),
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let Some(bucket) = &args.bucket else {
        return Err(vec![Diagnostic::new(
            Code::RolloutArguments,
            "`--engine stacksets` needs `--bucket`: the vendor's template bucket the customers' accounts read the templates from",
        )
        .with_help("create a bucket whose policy lets the customers' accounts (or the Organization) read `templates/*`, and pass its name")]);
    };
    let (max_concurrent, failure_tolerance, note) =
        stacksets::preferences(args.concurrency, args.max_failures);
    let notes: Vec<Diagnostic> = note
        .into_iter()
        .map(|n| Diagnostic::new(Code::RolloutConcurrencyLowered, n).as_warning())
        .collect();
    for (env, output) in outputs {
        let customers: Vec<&Customer> = selected.iter().filter(|c| &c.environment == env).collect();
        let Some(first) = customers.first() else {
            continue;
        };
        let cloud = Aws::connect(&Connection {
            region: output.manifest.region.clone(),
            endpoint_url: args.fleet.endpoint_url.clone(),
            profile: args.fleet.profile.clone(),
            role_arn: None,
            external_id: None,
        })
        .map_err(run::aws)?;
        let mut given: Vec<(String, String)> = first
            .parameters
            .iter()
            .filter(|(k, _)| !common.iter().any(|(c, _)| c == *k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        given.extend(common.iter().cloned());
        let url = |b: &str, k: &str| cloud.object_url(b, k);
        let planned = plan::plan(
            &plan::Inputs {
                output,
                target: Target::Root,
                existing: None,
                given: &given,
                bucket: Some(bucket),
                role_arn: None,
            },
            &url,
        )?;
        for u in &planned.uploads {
            cloud
                .put_object(bucket, &u.key, u.body.as_bytes())
                .map_err(run::aws)?;
        }
        let r = &planned.request;
        let request = StackSetRequest {
            name: r.stack_name.clone(),
            template: r.template.clone(),
            parameters: r.parameters.clone(),
            capabilities: r.capabilities.clone(),
            tags: r.tags.clone(),
            description: r.description.clone(),
            service_managed: !args.org_units.is_empty(),
            max_concurrent,
            failure_tolerance,
        };
        let members: Vec<Member> = customers
            .iter()
            .map(|c| Member {
                id: c.id.clone(),
                account: c.account_id.clone(),
                region: c.region.clone(),
                overrides: c
                    .parameters
                    .iter()
                    .map(|(k, v)| ParameterValue {
                        key: k.clone(),
                        value: Some(v.clone()),
                    })
                    .collect(),
            })
            .collect();
        // No change set per account: byoa's prediction is the guard, and what it would stop
        // is not updated (the waves engine, or `byoa deploy --allow-replace` per account, can).
        if let Some(deployed) = cloud.stack_set(&request.name).map_err(run::aws)? {
            let hazards =
                stacksets::predict(&cloud, bucket, &deployed, output).map_err(run::aws)?;
            if !hazards.is_empty() {
                let first = super::deploy::blocked(&hazards);
                let detail = format!(
                    "stack set not updated: {} resource(s) would lose data or widen access: {}",
                    hazards.len(),
                    first
                        .first()
                        .map(|d| d.message.as_str())
                        .unwrap_or_default()
                );
                for m in &members {
                    board.set(
                        &m.id,
                        State::Blocked,
                        &detail,
                        Some(Code::DeployDataLoss.as_str()),
                    );
                }
                seen(board);
                continue;
            }
        }
        stacksets::run(&cloud, &request, &members, &args.org_units, board, seen)
            .map_err(run::aws)?;
    }
    Ok(notes)
}
