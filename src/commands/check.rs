//! `byoa check`: gather templates (from `out/`, resynthesizing when stale, or from paths) and
//! the spec's compliance settings, evaluate the selected rules, report findings.
//!
//! The spec is read and validated once per run; its model feeds the re-synthesis and its
//! source map the positions of its exceptions, which `policy` receives as data with the
//! templates (policy never reads the spec or runs synthesis itself). When it checks `out/`,
//! the outcomes of each (rule, template) pair are kept beside it for the next run
//! (`.out.byoa-cache.json`, see `cache_path`): an unchanged template is not evaluated again.

use std::io;
use std::path::{Path, PathBuf};

use super::Ctx;
use crate::cfn::emit::Format;
use crate::cfn::sources::SourceMap;
use crate::diag::{Code, Diagnostic};
use crate::policy::input::{self, SpecPolicy};
use crate::report::DiagFormat;
use crate::{cli, policy, spec, synth};

/// `byoa check`: read the spec once, bring `out/` up to date with it (or read the templates
/// named), evaluate, report.
pub fn run(ctx: &mut Ctx<'_>, args: &cli::CheckArgs) -> io::Result<i32> {
    let today = match &args.today {
        Some(d) if policy::is_date(d) => d.clone(),
        Some(d) => {
            let message = format!("`--today {d}` is not a date (YYYY-MM-DD)");
            return ctx.fail(&[Diagnostic::new(Code::ArgDate, message)]);
        }
        None => policy::today_utc(),
    };
    // The embedded set is parsed once per process (validation needs it too).
    let with_user_rules;
    let policies = if args.rules.is_empty() {
        policy::PolicySet::embedded()
    } else {
        with_user_rules = match policy::PolicySet::load(&args.rules) {
            Ok(p) => p,
            Err(errors) => return fail_all(ctx, &errors),
        };
        &with_user_rules
    };
    let spec_path = match &args.spec {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from("byoa.yaml")).filter(|p| p.is_file()),
    };
    let inputs = match gather(args, spec_path.as_deref()) {
        Ok(i) => i,
        Err(diags) => return ctx.fail(&diags),
    };
    ctx.warn(&inputs.warnings)?;
    if let Some(why) = &inputs.resynthesized
        && !ctx.quiet
    {
        writeln!(ctx.err, "note: {why}: synthesized it before checking")?;
    }
    let names = if args.profiles.is_empty() {
        let mut names = inputs.spec.profiles.clone();
        // A spec that names a residency is checked for it, whatever profiles it selects.
        if inputs.spec.residency && !names.iter().any(|n| n == RESIDENCY) {
            names.push(RESIDENCY.to_owned());
        }
        names
    } else {
        args.profiles.clone()
    };
    let selection = match policies.select(&names) {
        Ok(s) => s,
        Err(message) => return ctx.fail(&[Diagnostic::new(Code::PolicyProfile, message)]),
    };
    let origins = inputs.origins;
    let cache_file = inputs.cache;
    let mut cache = cache_file
        .as_deref()
        .map_or_else(policy::Cache::default, read_cache);
    let mut report = match policy::check_cached(
        &policy::guard::Guard,
        policy::CheckInput {
            selection,
            templates: inputs.templates,
            exceptions: inputs.spec.exceptions,
            today,
        },
        &mut cache,
    ) {
        Ok(r) => r,
        Err(errors) => return fail_all(ctx, &errors),
    };
    if let (Some(path), Some(text)) = (cache_file, cache.into_kept()) {
        // The cache only saves time: a run that cannot keep it reports the same, and one that
        // loses it to a crash evaluates again (so it is renamed into place, never flushed).
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        if std::fs::write(&tmp, text).is_err() || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
    if let Some((loaded, map)) = &origins {
        place_on_spec(&mut report, loaded, map);
    }
    policy::report::render(ctx.out, &report, args.format, args.controls)?;
    // The text report shows its warnings; beside a machine format they go to standard error.
    // An unused exception is the only warning a report has today.
    if args.format != policy::report::CheckFormat::Text && !ctx.quiet {
        let warnings: Vec<Diagnostic> = report
            .warnings
            .iter()
            .map(|w| Diagnostic {
                location: w.location.clone(),
                ..Diagnostic::new(Code::PolicyExceptionUnused, w.message.clone()).as_warning()
            })
            .collect();
        ctx.report(&warnings, DiagFormat::Human)?;
    }
    if ctx.verbose {
        writeln!(
            ctx.err,
            "evaluated {} rules x {} templates in {} cfn-guard call(s): {:.1} ms",
            report.rules.len(),
            report.templates.len(),
            report.engine_calls,
            report.engine_time.as_secs_f64() * 1000.0
        )?;
    }
    Ok(report.exit_code())
}

/// Gives each finding the spec line of the field(s) behind its property (else behind its
/// resource), from the source map synthesis wrote beside the templates.
fn place_on_spec(report: &mut policy::Report, loaded: &spec::Loaded, map: &SourceMap) {
    for f in &mut report.findings {
        let Some(id) = f.resource.clone() else {
            continue;
        };
        let module = Path::new(&f.template)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        // `/Resources/<id>/Properties/<Property>/...`
        let property = f
            .path
            .as_deref()
            .and_then(|p| p.split('/').nth(4))
            .map(|p| p.replace("~1", "/").replace("~0", "~"));
        let mut fields = property
            .map(|p| map.fields(module, &id, &p))
            .unwrap_or_default();
        if fields.is_empty() {
            fields = map.resource_fields(module, &id);
        }
        let Some(first) = fields.first() else {
            continue;
        };
        let at = loaded.locate_field(first);
        f.spec = Some(policy::SpecOrigin {
            file: at.file.display().to_string(),
            line: at.line,
            column: at.column,
            fields: fields.iter().map(|s| (*s).to_owned()).collect(),
        });
    }
}

fn fail_all(ctx: &mut Ctx<'_>, errors: &[policy::PolicyError]) -> io::Result<i32> {
    ctx.fail(&diagnostics(errors))
}

fn diagnostics(errors: &[policy::PolicyError]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(policy::PolicyError::to_diagnostic)
        .collect()
}

/// The profile of `residency:` (policies/profiles/residency.yaml).
const RESIDENCY: &str = "residency";

/// What a check evaluates.
struct Inputs {
    templates: Vec<policy::Template>,
    spec: SpecPolicy,
    /// The spec and `out/`'s source map, to place findings on the spec's lines.
    origins: Option<(spec::Loaded, SourceMap)>,
    /// Why `out/` was (re)written before the check, when it was.
    resynthesized: Option<String>,
    /// The spec's warnings (values that may be secrets), shown before the report.
    warnings: Vec<Diagnostic>,
    /// Where outcomes are kept across runs: beside `out/` when checking it.
    cache: Option<PathBuf>,
}

/// The outcome cache of the templates in `out`: `.<out>.byoa-cache.json` beside it (like the
/// lock and staging directories of `out_dir`), so it goes with the project and never enters
/// `out/`, which synthesis replaces as a whole.
fn cache_path(out: &Path) -> Option<PathBuf> {
    let out = std::path::absolute(out).ok()?;
    let name = out.file_name()?.to_str()?;
    Some(out.with_file_name(format!(".{name}.byoa-cache.json")))
}

/// The cache at `path` when this very build wrote it (byoa's version and its executable's size
/// and time), else an empty one: another build may evaluate or report differently.
fn read_cache(path: &Path) -> policy::Cache {
    let exe = std::env::current_exe().and_then(std::fs::metadata);
    let Ok(exe) = exe else {
        return policy::Cache::default();
    };
    let modified = exe
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let build = format!("{} {} {modified}", env!("CARGO_PKG_VERSION"), exe.len());
    match std::fs::read_to_string(path) {
        Ok(text) => policy::Cache::read(&text, &build),
        Err(_) => policy::Cache::new(&build),
    }
}

/// The templates (the ones named, else those of `out/`, brought up to date with the spec first)
/// and what the spec says about compliance. The spec is read and validated once.
fn gather(args: &cli::CheckArgs, spec_path: Option<&Path>) -> Result<Inputs, Vec<Diagnostic>> {
    if !args.paths.is_empty() {
        let templates =
            input::templates_from_paths(&args.paths, &listed).map_err(|e| diagnostics(&e))?;
        let (loaded, spec) = match spec_path {
            Some(p) => read_spec(p, args.env.clone(), false)?,
            None => (None, SpecPolicy::default()),
        };
        return Ok(Inputs {
            templates,
            spec,
            origins: None,
            resynthesized: None,
            warnings: loaded.map(|l| l.warnings).unwrap_or_default(),
            cache: None,
        });
    }
    let mut manifest = synth::read_manifest(&args.out);
    // The environment: as asked, else the one out/'s templates were made for.
    let env = args
        .env
        .clone()
        .or_else(|| manifest.as_ref().map(|m| m.environment.clone()));
    let (loaded, spec) = match spec_path {
        Some(p) => read_spec(p, env, true)?,
        None => (None, SpecPolicy::default()),
    };
    let mut resynthesized = None;
    if let (Some(loaded), Some(path)) = (&loaded, spec_path) {
        // Synthesis is cheap: what this byoa makes of the spec now decides whether `out/`
        // can be trusted as it is.
        let output = super::synth::synthesize(loaded, out_format(manifest.as_ref()))?;
        if let Some(why) = stale(&args.out, manifest.as_ref(), loaded, path, &output.manifest) {
            output.write(&args.out).map_err(|d| vec![d])?;
            manifest = Some(output.manifest);
            resynthesized = Some(why);
        }
    } else if let Some(m) = &manifest {
        let changed = edited(&args.out, m);
        if !changed.is_empty() {
            let message = format!(
                "{} in `{}` changed since byoa wrote them; they are not what the manifest lists",
                changed.join(", "),
                args.out.display()
            );
            return Err(vec![Diagnostic::new(Code::PolicyInput, message).with_help(
                "run `byoa synth` again, or pass `--spec` so `check` does it",
            )]);
        }
    }
    let Some(manifest) = manifest else {
        let message = format!(
            "no templates to check: `{}` does not exist; run `byoa synth` or pass template files",
            args.out.join(synth::MANIFEST).display()
        );
        return Err(vec![Diagnostic::new(Code::PolicyInput, message)]);
    };
    // Without a spec nothing can be synthesized for another environment: checking out/ as it is
    // would report on the wrong one.
    if let (None, Some(asked)) = (&loaded, &args.env)
        && *asked != manifest.environment
    {
        let message = format!(
            "`--env {asked}` asked, but `{}` holds the templates of `{}` and no spec is here to synthesize `{asked}`",
            args.out.display(),
            manifest.environment
        );
        return Err(vec![Diagnostic::new(Code::PolicyInput, message).with_help(format!(
            "run in the spec's directory, or pass `--spec <byoa.yaml>`; or check `{}` with `--env {}`",
            manifest.environment, manifest.environment
        ))]);
    }
    let files: Vec<PathBuf> = manifest
        .templates
        .iter()
        .map(|t| args.out.join(&t.file))
        .collect();
    let templates = input::templates_from_paths(&files, &listed).map_err(|e| diagnostics(&e))?;
    // A missing or unreadable map leaves findings on the templates only.
    let map = crate::diff::load::sources(&args.out).ok().flatten();
    let warnings = loaded
        .as_ref()
        .map(|l| l.warnings.clone())
        .unwrap_or_default();
    Ok(Inputs {
        templates,
        spec,
        origins: loaded.zip(map),
        resynthesized,
        warnings,
        cache: cache_path(&args.out),
    })
}

/// Reads and validates the spec at `path` (its only parse in the run) for `env`, and takes its
/// profiles and exceptions. Without an environment, a spec that has environments gives its base
/// document's settings when templates were named (there is nothing to validate them against);
/// checking `out/` needs the environment, so that is an error there.
fn read_spec(
    path: &Path,
    env: Option<String>,
    from_out: bool,
) -> Result<(Option<spec::Loaded>, SpecPolicy), Vec<Diagnostic>> {
    let source = spec::read(path)?;
    let has_environments = !spec::environments(&source).is_empty();
    let env = env.filter(|e| e != spec::DEFAULT_ENVIRONMENT || has_environments);
    if env.is_none() && has_environments && !from_out {
        let compliance = spec::base_compliance(&source)?;
        return Ok((None, input::spec_policy(&compliance, &source.map)));
    }
    let loaded = spec::load_source(&source, env.as_deref(), policy::catalogue())?;
    let mut spec_policy = input::spec_policy(&loaded.model.compliance, &loaded.map);
    spec_policy.residency = source.value.get("residency").is_some();
    Ok((Some(loaded), spec_policy))
}

/// Why `out` must be synthesized again before a check (so it never judges stale output): no
/// manifest, or one that records another spec hash or environment.
fn stale(
    out: &Path,
    manifest: Option<&synth::Manifest>,
    loaded: &spec::Loaded,
    spec_path: &Path,
    now: &synth::Manifest,
) -> Option<String> {
    let edited = manifest.map(|m| edited(out, m)).unwrap_or_default();
    let differ = |m: &synth::Manifest| {
        let files = |m: &synth::Manifest| -> Vec<(String, String)> {
            m.templates
                .iter()
                .map(|t| (t.file.clone(), t.sha256.clone()))
                .collect()
        };
        files(m) != files(now)
    };
    match manifest {
        None => Some(format!("{} has no manifest", out.display())),
        Some(m) if m.spec_sha256 != loaded.spec_sha256 => Some(format!(
            "{} changed since {} was synthesized",
            spec_path.display(),
            out.display()
        )),
        Some(m) if m.environment != loaded.model.environment => Some(format!(
            "{} holds environment `{}`, not `{}`",
            out.display(),
            m.environment,
            loaded.model.environment
        )),
        Some(_) if !edited.is_empty() => Some(format!(
            "{} in {} changed since byoa wrote them",
            edited.join(", "),
            out.display()
        )),
        Some(m) if differ(m) => Some(format!(
            "{} is not what this byoa makes of {} (written by byoa {})",
            out.display(),
            spec_path.display(),
            m.byoa_version
        )),
        Some(_) => None,
    }
}

/// The templates `manifest` lists whose bytes in `out` are missing or no
/// longer hash to what it records, as `` `file` `` for a message.
fn edited(out: &Path, manifest: &synth::Manifest) -> Vec<String> {
    manifest
        .templates
        .iter()
        .filter(|t| {
            std::fs::read(out.join(&t.file))
                .map_or(true, |bytes| crate::hash::sha256_hex(&bytes) != t.sha256)
        })
        .map(|t| format!("`{}`", t.file))
        .collect()
}

/// The format `out/` was synthesized in (YAML when there is nothing to tell).
fn out_format(manifest: Option<&synth::Manifest>) -> Format {
    match manifest.and_then(|m| m.templates.first()) {
        Some(t) if t.file.ends_with(".json") => Format::Json,
        _ => Format::Yaml,
    }
}

/// The templates a directory's manifest lists, when it has one.
fn listed(dir: &Path) -> Option<Vec<PathBuf>> {
    synth::read_manifest(dir).map(|m| m.templates.iter().map(|t| dir.join(&t.file)).collect())
}
