//! `byoa fleet status`, and what every fleet command (`rollout`, `access verify`) shares: the
//! customers file, one synthesis per environment, and the connection to a customer's account.
//!
//! Orchestration only. `fleet status` reads each selected customer's account live through its
//! deployer role (with its external id, in its region), several at a time: the root stack
//! (`DescribeStacks`: status, parameters, last drift result) and its template (`GetTemplate`),
//! and hands them to `deploy::fleet`, which decides version, currency and health. One line per
//! customer, also when its account cannot be read; `--format json` prints the rows.
//!
//! Exit codes: 0 every customer healthy (current, settled, in sync, reachable), 1 otherwise,
//! 2 error (nothing read).

use std::collections::BTreeMap;
use std::io;

use super::Ctx;
use crate::cfn::emit::Format;
use crate::cli::{CustomerArgs, FleetStatusArgs, SpecArgs, TableFormat};
use crate::customers::Customer;
use crate::deploy::aws::{Aws, Connection};
use crate::deploy::fleet::{self, Current, Row, Seen, Who};
use crate::deploy::{Cloud, plan};
use crate::diag::{Code, Diagnostic};
use crate::hash::sha256_hex;
use crate::report::table;
use crate::synth::Output;
use crate::{exit, naming, parallel, spec};

/// The selected customers and one synthesis per environment they use.
pub struct Fleet {
    pub selected: Vec<Customer>,
    /// By environment.
    pub outputs: BTreeMap<String, Output>,
    /// The validated spec of each environment, by environment.
    pub models: BTreeMap<String, spec::Model>,
    /// The spec's warnings, to show once.
    pub warnings: Vec<Diagnostic>,
}

/// Loads the customers file `args` names (or the one beside the spec, checked against the
/// spec), selects `ids` (or every customer), and synthesizes their environments.
pub fn load(args: &CustomerArgs, ids: &[String], all: bool) -> Result<Fleet, Vec<Diagnostic>> {
    let customers = super::customers::load(&args.spec, args.customers_file.as_deref())?;
    let selected: Vec<Customer> = customers.select(ids, all)?.into_iter().cloned().collect();
    let (outputs, models, warnings) = synthesize(args, &selected)?;
    Ok(Fleet {
        selected,
        outputs,
        models,
        warnings,
    })
}

/// One synthesis and model per environment, by environment, and the warnings to show once.
type Syntheses = (
    BTreeMap<String, Output>,
    BTreeMap<String, spec::Model>,
    Vec<Diagnostic>,
);

/// One synthesis per environment the customers use. The templates take their region from
/// where they are launched; customers in a region where their environment's templates cannot
/// run (named zones of another region, a database class missing there) are refused.
fn synthesize(args: &CustomerArgs, selected: &[Customer]) -> Result<Syntheses, Vec<Diagnostic>> {
    let mut outputs = BTreeMap::new();
    let mut models = BTreeMap::new();
    let mut warnings = Vec::new();
    for c in selected {
        if outputs.contains_key(&c.environment) {
            continue;
        }
        let spec = SpecArgs {
            spec: args.spec.clone(),
            env: (c.environment != spec::DEFAULT_ENVIRONMENT).then(|| c.environment.clone()),
        };
        let (loaded, output) = super::synth::load_and_synthesize(&spec, Format::Yaml)?;
        warnings.extend(loaded.warnings);
        outputs.insert(c.environment.clone(), output);
        models.insert(c.environment.clone(), loaded.model);
    }
    let wrong: Vec<Diagnostic> = selected
        .iter()
        .filter_map(|c| {
            let why = spec::placement::region_bound(models.get(&c.environment)?, &c.region)?;
            Some(
                Diagnostic::new(
                    Code::CustomersRegionBound,
                    format!(
                        "customer `{}` is in `{}`, where the `{}` templates cannot run: {why}",
                        c.id, c.region, c.environment
                    ),
                )
                .with_help("give that customer an environment of its own whose spec overlay sets `region:` (and its zones)"),
            )
        })
        .collect();
    if wrong.is_empty() {
        Ok((outputs, models, warnings))
    } else {
        Err(wrong)
    }
}

/// How to reach `customer`'s account: its region, its deployer role, its external id.
pub fn connection(args: &CustomerArgs, customer: &Customer, output: &Output) -> Connection {
    Connection {
        region: customer.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        profile: args.profile.clone(),
        role_arn: Some(customer.deployer_role_arn(&output.manifest.product, &customer.environment)),
        external_id: Some(customer.external_id.clone()),
    }
}

/// The root template of `output`, as deployed.
fn root_body(output: &Output) -> &str {
    output
        .templates
        .iter()
        .find(|r| r.stack.module == naming::ROOT)
        .map_or("", |r| r.body.as_str())
}

pub fn status(ctx: &mut Ctx<'_>, args: &FleetStatusArgs) -> io::Result<i32> {
    let Fleet {
        selected,
        outputs,
        warnings,
        ..
    } = match load(&args.fleet, &args.customer, args.customer.is_empty()) {
        Ok(f) => f,
        Err(d) => return ctx.fail(&d),
    };
    ctx.warn(&warnings)?;
    let current: BTreeMap<&str, Current> = outputs
        .iter()
        .map(|(env, o)| {
            (
                env.as_str(),
                Current {
                    template_set: plan::template_set(o),
                    root_sha256: sha256_hex(root_body(o).as_bytes()),
                },
            )
        })
        .collect();
    let rows: Vec<Row> = parallel::map(
        selected.iter().collect(),
        args.concurrency as usize,
        |c: &Customer| {
            let output = &outputs[&c.environment];
            let seen = read(&connection(&args.fleet, c, output), output);
            let who = Who {
                customer: &c.id,
                account_id: &c.account_id,
                region: &c.region,
                environment: &c.environment,
            };
            fleet::row(&who, &current[c.environment.as_str()], &seen)
        },
    );
    match args.format {
        TableFormat::Json => writeln!(
            ctx.out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "customers": rows,
                "versions": current.iter().map(|(env, c)| (env.to_string(), c.template_set.clone())).collect::<BTreeMap<_, _>>(),
            }))
            .unwrap_or_default()
        )?,
        TableFormat::Text => {
            let cells: Vec<Vec<String>> = rows.iter().map(cells).collect();
            write!(
                ctx.out,
                "{}",
                table::render(
                    &[
                        "customer", "account", "region", "env", "version", "currency", "stack",
                        "drift", "access"
                    ],
                    &cells
                )
            )?;
            for (env, c) in &current {
                writeln!(ctx.out, "this synthesis of `{env}`: {}", c.template_set)?;
            }
        }
    }
    let unreadable: Vec<Diagnostic> = rows
        .iter()
        .filter_map(|r| {
            let problem = r.problem.as_deref()?;
            Some(
                Diagnostic::new(
                    Code::FleetUnreadable,
                    format!("customer `{}`: {problem}", r.customer),
                )
                .with_help(format!(
                    "`byoa access verify --customer {}` says what is wrong with the access",
                    r.customer
                ))
                .as_warning(),
            )
        })
        .collect();
    ctx.report(&unreadable, crate::report::DiagFormat::Human)?;
    Ok(if rows.iter().all(Row::healthy) {
        exit::OK
    } else {
        exit::FINDINGS
    })
}

fn cells(r: &Row) -> Vec<String> {
    let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    vec![
        r.customer.clone(),
        r.account_id.clone(),
        r.region.clone(),
        r.environment.clone(),
        or(&r.version),
        r.currency.as_str().to_owned(),
        or(&r.stack_status),
        or(&r.drift),
        if r.access { "ok" } else { "no" }.to_owned(),
    ]
}

/// What the account answers, through the customer's deployer role.
fn read(connection: &Connection, output: &Output) -> Seen {
    let cloud = match Aws::connect(connection) {
        Ok(c) => c,
        Err(e) => {
            return Seen {
                access: Err(e.to_string()),
                root: None,
                root_sha256: None,
                error: None,
            };
        }
    };
    let name = output
        .manifest
        .stack_name(naming::ROOT)
        .unwrap_or_default()
        .to_owned();
    let root = cloud.stack(&name);
    let template = match &root {
        Ok(Some(_)) => Some(cloud.template(&name).map(|t| sha256_hex(t.as_bytes()))),
        _ => None,
    }
    .transpose();
    let (root, error) = match root {
        Ok(r) => (r, None),
        Err(e) => (None, Some(e.to_string())),
    };
    let (root_sha256, error) = match template {
        Ok(sha) => (sha, error),
        Err(e) => (None, error.or(Some(e.to_string()))),
    };
    Seen {
        access: Ok(()),
        root,
        root_sha256,
        error,
    }
}
