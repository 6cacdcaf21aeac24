//! `byoa customers add` and `byoa customers schema`; and the loading every customer command
//! shares (`load`): `customers.yaml` checked on its own and against the spec.
//!
//! Orchestration only: the entry is built here from the arguments, its external id generated
//! by `customers::external_id`, appended by `customers::add` (pure), checked against the spec,
//! and written atomically; a refused entry writes nothing.

use std::io;
use std::path::{Path, PathBuf};

use super::Ctx;
use crate::cli::{CustomersAddArgs, CustomersArgs, CustomersCommand};
use crate::customers::{self, Customer, Customers};
use crate::diag::{Code, Diagnostic};
use crate::spec::types::Residency;
use crate::{exit, policy, spec};

pub fn run(ctx: &mut Ctx<'_>, args: &CustomersArgs) -> io::Result<i32> {
    match &args.command {
        CustomersCommand::Add(add) => run_add(ctx, add),
        CustomersCommand::Schema => {
            ctx.out.write_all(customers::schema_text().as_bytes())?;
            Ok(exit::OK)
        }
    }
}

/// The customers file for `spec`: `explicit`, else `customers.yaml` beside the spec.
pub fn path(spec: &Path, explicit: Option<&Path>) -> PathBuf {
    explicit.map_or_else(|| customers::beside(spec), Path::to_path_buf)
}

/// Loads the customers of `spec` and checks them against it.
pub fn load(spec: &Path, explicit: Option<&Path>) -> Result<Customers, Vec<Diagnostic>> {
    let file = path(spec, explicit);
    if !file.exists() {
        return Err(vec![
            Diagnostic::file_error(
                Code::CustomersUnknown,
                &file,
                format!("`{}` does not exist", file.display()),
            )
            .with_help("add the first customer with `byoa customers add ID --name ... --account ... --region ... --env ...`"),
        ]);
    }
    let loaded = customers::load(&file)?;
    loaded.check_against(&environments(spec)?)?;
    Ok(loaded)
}

/// Every environment of the spec, with the residency it sets.
pub fn environments(spec: &Path) -> Result<Vec<(String, Residency)>, Vec<Diagnostic>> {
    let source = spec::read(spec)?;
    let mut names = spec::environments(&source);
    if names.is_empty() {
        names.push(spec::DEFAULT_ENVIRONMENT.to_owned());
    }
    names
        .into_iter()
        .map(|env| {
            let only = (env != spec::DEFAULT_ENVIRONMENT).then_some(env.as_str());
            let loaded = spec::load_source(&source, only, policy::catalogue())?;
            Ok((env, loaded.model.residency))
        })
        .collect()
}

fn run_add(ctx: &mut Ctx<'_>, args: &CustomersAddArgs) -> io::Result<i32> {
    let file = path(&args.spec, args.customers.as_deref());
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            return ctx.fail(&[Diagnostic::file_error(
                Code::IoRead,
                &file,
                format!("cannot read `{}`: {e}", file.display()),
            )]);
        }
    };
    let taken: Vec<String> = match &text {
        Some(t) => match customers::load_str(&file, t) {
            Ok(c) => c.customers.into_iter().map(|c| c.external_id).collect(),
            Err(d) => return ctx.fail(&d),
        },
        None => Vec::new(),
    };
    let taken: Vec<&str> = taken.iter().map(String::as_str).collect();
    let external_id = match customers::external_id::generate(&taken) {
        Ok(id) => id,
        Err(d) => return ctx.fail(&[d]),
    };
    // The same `KEY=VALUE` flags `byoa deploy` and `byoa rollout` take.
    let parameters = match super::deploy::parameters(&args.parameters) {
        Ok(p) => p.into_iter().collect(),
        Err(d) => return ctx.fail(&d),
    };
    let customer = Customer {
        id: args.id.clone(),
        name: args.name.clone(),
        account_id: args.account.clone(),
        region: args.region.clone(),
        environment: args
            .env
            .clone()
            .unwrap_or_else(|| spec::DEFAULT_ENVIRONMENT.to_owned()),
        external_id,
        parameters,
        canary: args.canary,
    };
    let (new_text, loaded) = match customers::add::append(&file, text.as_deref(), &customer) {
        Ok(both) => both,
        Err(d) => return ctx.fail(&d),
    };
    if let Err(d) = environments(&args.spec).and_then(|envs| loaded.check_against(&envs)) {
        return ctx.fail(&d);
    }
    if let Err(d) = crate::synth::write_atomic(&file, new_text.as_bytes()) {
        return ctx.fail(&[d]);
    }
    if !ctx.quiet {
        writeln!(
            ctx.err,
            "added customer `{}` to {} with external id {}\n  the deployer role will be {}",
            customer.id,
            file.display(),
            customer.external_id,
            customer.deployer_role_arn(&spec_product(&args.spec), &customer.environment)
        )?;
    }
    Ok(exit::OK)
}

/// The product name, for the message (the spec validated above).
fn spec_product(spec: &Path) -> String {
    spec::read(spec)
        .ok()
        .and_then(|s| s.value["product"]["name"].as_str().map(str::to_owned))
        .unwrap_or_default()
}
