//! `byoa diff`: read two sets of templates, compare them, name the spec fields behind each
//! changed property (when the new side is an output directory with its source map), print
//! the changes.
//!
//! Exit codes: 0 no changes, 1 changes, 2 error (every error a coded diagnostic). Colour only
//! when the global setting allows it and the diff itself goes to a terminal.

use std::io::{self, IsTerminal};
use std::path::Path;

use super::Ctx;
use crate::deploy::plan::Target;
use crate::deploy::run::deployed_templates;
use crate::diag::{Code, Diagnostic};
use crate::diff::{self, load, render::DiffFormat};
use crate::report::DiagFormat;
use crate::{cost, exit};
use crate::{naming, policy, spec, synth};

/// `byoa diff OLD [NEW]`.
pub fn run(ctx: &mut Ctx<'_>, args: &crate::cli::DiffArgs) -> io::Result<i32> {
    let diag_format = match args.format {
        DiffFormat::Text => DiagFormat::Human,
        DiffFormat::Json => DiagFormat::Json,
    };
    let out = Path::new("out");
    // With --deployed, the one directory given (else out/) is the new side.
    let (old_dir, new_dir) = match (&args.old, args.deployed) {
        (Some(old), false) => (Some(old.as_path()), args.new.as_deref().unwrap_or(out)),
        (dir, _) => (None, dir.as_deref().unwrap_or(out)),
    };
    let sides = match old_dir {
        Some(old) => load::sides(old, new_dir),
        None => deployed(args, new_dir),
    };
    let (old, new) = match sides {
        Ok(sides) => sides,
        Err(diags) => {
            ctx.report(&diags, diag_format)?;
            return Ok(exit::ERROR);
        }
    };
    let old_map = old_dir.map(load::sources).unwrap_or(Ok(None));
    let (old_map, new_map) = match (old_map, load::sources(new_dir)) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            let diags: Vec<_> = a.err().into_iter().chain(b.err()).collect();
            ctx.report(&diags, diag_format)?;
            return Ok(exit::ERROR);
        }
    };
    let mut result = diff::diff(&old, &new);
    if let Some(map) = &new_map {
        diff::annotate(&mut result, old_map.as_ref(), map);
    }
    let delta = if args.cost || args.max_cost_increase.is_some() {
        let required = args.max_cost_increase.is_some();
        match cost_delta(ctx, args, (&old, &new), new_dir, required)? {
            Priced::Delta(d) => Some(d),
            // A ceiling that cannot be checked fails the run rather than passing it.
            Priced::NoManifest if !required => None,
            Priced::NoManifest | Priced::Failed => return Ok(exit::ERROR),
        }
    } else {
        None
    };
    match (args.format, &delta) {
        (DiffFormat::Text, _) => {
            let color = ctx.color && io::stdout().is_terminal();
            diff::render::text(ctx.out, &result, color, args.text)?;
            if let Some(d) = &delta {
                ctx.out.write_all(cost::delta::text(d).as_bytes())?;
            }
        }
        (DiffFormat::Json, None) => diff::render::json(ctx.out, &result, args.text)?,
        // The diff's document with the cost change added under `cost`.
        (DiffFormat::Json, Some(d)) => {
            let mut doc = Vec::new();
            diff::render::json(&mut doc, &result, args.text)?;
            let mut doc: serde_json::Value =
                serde_json::from_slice(&doc).map_err(io::Error::other)?;
            let mut cost = serde_json::to_value(d).map_err(io::Error::other)?;
            cost["change"] = serde_json::to_value(d.change()).map_err(io::Error::other)?;
            doc["cost"] = cost;
            let text = serde_json::to_string_pretty(&doc).map_err(io::Error::other)?;
            writeln!(ctx.out, "{text}")?;
        }
    }
    if let (Some(d), Some(limit)) = (&delta, args.max_cost_increase) {
        let rise = d.change().max;
        if rise > limit {
            let d = Diagnostic::new(
                Code::CostIncrease,
                format!(
                    "the monthly cost rises by up to ${rise:.2}, more than the ${limit:.2} allowed"
                ),
            );
            ctx.report(&[d], diag_format)?;
            return Ok(exit::BLOCKED);
        }
    }
    Ok(if result.has_changes() {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// What `cost_delta` could make of the two sides.
enum Priced {
    Delta(cost::delta::Delta),
    /// NEW has no manifest (reported: a warning unless the change was required).
    NoManifest,
    /// The spec or an `--assume` value is bad (reported).
    Failed,
}

/// The monthly cost change from `old` to `new`, priced in the region and environment of
/// `new_dir`'s manifest with the assumptions `byoa cost` uses there.
fn cost_delta(
    ctx: &mut Ctx<'_>,
    args: &crate::cli::DiffArgs,
    (old, new): (&[diff::Stack], &[diff::Stack]),
    new_dir: &Path,
    required: bool,
) -> io::Result<Priced> {
    let Some(manifest) = synth::read_manifest(new_dir) else {
        let d = Diagnostic::new(
            Code::CostManifest,
            format!(
                "the cost change needs the region and environment of `{}`'s manifest.json",
                new_dir.display()
            ),
        )
        .with_help("diff two output directories of `byoa synth`");
        let d = if required { d } else { d.as_warning() };
        ctx.report(&[d], DiagFormat::Human)?;
        return Ok(Priced::NoManifest);
    };
    let assume = match assumptions(args, &manifest) {
        Ok((assume, warnings)) => {
            ctx.warn(&warnings)?;
            assume
        }
        Err(diags) => {
            ctx.report(&diags, DiagFormat::Human)?;
            return Ok(Priced::Failed);
        }
    };
    let side = |stacks: &[diff::Stack]| -> Vec<(String, serde_json::Value)> {
        stacks
            .iter()
            .map(|s| (s.name.clone(), s.template().clone()))
            .collect()
    };
    Ok(Priced::Delta(cost::delta::delta(
        &side(old),
        &side(new),
        &manifest.region,
        &cost::PriceTable::builtin(),
        &assume,
    )))
}

/// The usage assumptions of the manifest's environment as `byoa cost` makes them: the
/// defaults, the spec's `cost.assume` (its overlay applied), then `--assume`. The spec is
/// `--spec`, else `byoa.yaml` when there is one (without it, the defaults, said in a
/// warning). A spec of another product is refused; one edited since the synthesis is read
/// as it is now, with a warning.
fn assumptions(
    args: &crate::cli::DiffArgs,
    manifest: &synth::Manifest,
) -> Result<(cost::Assumptions, Vec<Diagnostic>), Vec<Diagnostic>> {
    let default = Path::new("byoa.yaml");
    let path = args.spec.as_deref().unwrap_or(default);
    let mut warnings = Vec::new();
    let assume = if args.spec.is_none() && !path.exists() {
        warnings.push(
            Diagnostic::new(
                Code::CostSpec,
                format!(
                    "no spec at `{}`: the cost change uses `{}`'s default usage assumptions",
                    path.display(),
                    manifest.environment
                ),
            )
            .with_help("name the spec NEW was synthesized from with --spec")
            .as_warning(),
        );
        cost::Assumptions::defaults(&manifest.environment)
    } else {
        // A spec without `environments:` synthesizes as the default environment.
        let env = (manifest.environment != spec::DEFAULT_ENVIRONMENT)
            .then_some(manifest.environment.as_str());
        let loaded = spec::load(path, env, policy::catalogue())?;
        if loaded.model.product != manifest.product {
            return Err(vec![
                Diagnostic::file_error(
                    Code::CostSpec,
                    path,
                    format!(
                        "`{}` is product `{}`, NEW was synthesized for `{}`",
                        path.display(),
                        loaded.model.product,
                        manifest.product
                    ),
                )
                .with_help("name the spec NEW was synthesized from with --spec"),
            ]);
        }
        if loaded.spec_sha256 != manifest.spec_sha256 {
            warnings.push(
                Diagnostic::file_error(
                    Code::CostSpec,
                    path,
                    format!(
                        "`{}` changed since NEW was synthesized: its usage assumptions are \
                         read as they are now",
                        path.display()
                    ),
                )
                .as_warning(),
            );
        }
        cost::Assumptions::for_model(&loaded.model)
    };
    Ok((assume.given(&args.assume)?, warnings))
}

/// The deployed stacks that `dir`'s manifest names (old) and `dir`'s templates (new).
fn deployed(
    args: &crate::cli::DiffArgs,
    dir: &Path,
) -> Result<(Vec<diff::Stack>, Vec<diff::Stack>), Vec<Diagnostic>> {
    let manifest = synth::read_manifest(dir).ok_or_else(|| {
        vec![
            Diagnostic::file_error(
                Code::DiffNotFound,
                &dir.join(synth::MANIFEST),
                format!(
                    "`{}` has no manifest.json: --deployed compares a `byoa synth` output",
                    dir.display()
                ),
            )
            .with_help("run `byoa synth --env ENV` first (or name its --out directory)"),
        ]
    })?;
    let target = super::deploy::target(args.stack);
    let module = target.module();
    let stack = manifest
        .stack_name(module)
        .map(str::to_owned)
        .ok_or_else(|| {
            vec![Diagnostic::new(
                Code::DiffNotFound,
                format!("`{}` holds no `{module}` template", dir.display()),
            )]
        })?;
    let new: Vec<diff::Stack> = load::side(dir)?
        .into_iter()
        .filter(|s| (s.name == naming::ACCESS) == (target == Target::Access))
        .collect();
    let cloud = super::deploy::connect(&args.connect, manifest.region.clone(), None)?;
    let exists = crate::deploy::Cloud::stack(&cloud, &stack)
        .map_err(crate::deploy::run::aws)?
        .is_some_and(|s| !s.is_review());
    let old = if exists {
        deployed_templates(&cloud, &stack, target)?
    } else {
        Vec::new()
    };
    Ok((old, new))
}
