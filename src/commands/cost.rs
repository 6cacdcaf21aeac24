//! `byoa cost`: loads the spec for one environment, the price table (and an override file),
//! the usage assumptions, and prints the estimate `cost::estimate` makes, as text, JSON or
//! Markdown. Orchestration only: the pricing is in `cost`.

use std::io;

use super::Ctx;
use crate::cli::{self, CostFormat};
use crate::cost::{self, Assumptions, PriceTable};
use crate::diag::{Code, Diagnostic};
use crate::spec::regions;
use crate::{exit, policy, spec};

pub fn run(ctx: &mut Ctx<'_>, args: &cli::CostArgs) -> io::Result<i32> {
    let loaded = match spec::load(
        &args.spec.spec,
        args.spec.env.as_deref(),
        policy::catalogue(),
    ) {
        Ok(l) => l,
        Err(diags) => return ctx.fail(&diags),
    };
    ctx.warn(&loaded.warnings)?;
    let model = &loaded.model;
    let mut table = PriceTable::builtin();
    if let Some(path) = &args.prices {
        let applied = std::fs::read_to_string(path)
            .map_err(|e| {
                Diagnostic::file_error(Code::CostPrices, path, format!("cannot read: {e}"))
            })
            .and_then(|text| table.apply_overrides(&text, path));
        if let Err(d) = applied {
            return ctx.fail(&[d]);
        }
    }
    let assume = Assumptions::for_model(model);
    let assume = match assume.given(&args.assume) {
        Ok(a) => a,
        Err(diags) => return ctx.fail(&diags),
    };
    let region = args.region.as_deref().unwrap_or(&model.region);
    if let Err(d) = check_region(model, region) {
        return ctx.fail(&[d]);
    }
    let estimate = match cost::estimate_in(model, region, &table, &assume) {
        Ok(e) => e,
        Err(diags) => return ctx.fail(&diags),
    };
    let text = match args.format {
        CostFormat::Text => cost::render::text(&estimate),
        CostFormat::Json => cost::render::json(&estimate),
        CostFormat::Markdown => cost::render::markdown(&estimate),
    };
    ctx.out.write_all(text.as_bytes())?;
    Ok(exit::OK)
}

/// A region given with `--region` must be one the spec's residency allows.
fn check_region(model: &spec::Model, region: &str) -> Result<(), Diagnostic> {
    let Some(r) = regions::find(region) else {
        return Err(Diagnostic::new(
            Code::RegionUnknown,
            format!("`{region}` is not a known commercial AWS region"),
        ));
    };
    if regions::allowed(model.residency, r) {
        Ok(())
    } else {
        Err(Diagnostic::new(
            Code::ResidencyRegion,
            format!("`{region}` is outside the spec's data residency"),
        )
        .with_help(format!(
            "the residency allows {}",
            regions::allowed_codes(model.residency).join(", ")
        )))
    }
}
