//! Check inputs: which templates to read and which spec to take profiles and exceptions from.
//!
//! Input: template files or directories named on the command line, or else the templates that
//! `out/manifest.json` lists (re-synthesized first when the spec changed since, so `byoa check`
//! never judges stale output); the spec when one is found. Output: parsed `Template`s, the
//! spec's profile names and its exceptions with their `file:line:column`. Errors name the path.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Exception, PolicyError, Template};
use crate::cfn::emit::Format;
use crate::diag::{Diagnostic, Target};
use crate::spec::types::Compliance;
use crate::spec::{self, source};
use crate::synth;

/// File extensions read from a directory of templates.
const TEMPLATE_EXTENSIONS: [&str; 5] = ["yaml", "yml", "json", "template", "jsn"];

/// What the spec contributes to a check.
#[derive(Debug, Clone, Default)]
pub struct SpecPolicy {
    /// `compliance.profiles`, as profile names (`pci-dss`).
    pub profiles: Vec<String>,
    pub exceptions: Vec<Exception>,
}

/// Why inputs could not be gathered.
#[derive(Debug)]
pub enum InputError {
    /// The spec is invalid: its diagnostics.
    Spec(Vec<Diagnostic>),
    /// Files that cannot be read or are not templates.
    Files(Vec<PolicyError>),
    /// Anything else, one message.
    Other(String),
}

impl From<Vec<PolicyError>> for InputError {
    fn from(e: Vec<PolicyError>) -> Self {
        InputError::Files(e)
    }
}

/// Reads templates from files and directories. A directory holding a `manifest.json` gives the
/// templates it lists; any other directory gives its template files, sorted by name.
pub fn templates_from_paths(paths: &[PathBuf]) -> Result<Vec<Template>, Vec<PolicyError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        if path.is_dir() {
            if let Some(manifest) = synth::read_manifest(path) {
                files.extend(manifest.templates.iter().map(|t| path.join(&t.file)));
                continue;
            }
            match std::fs::read_dir(path) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            p.is_file()
                                && p.extension()
                                    .and_then(|e| e.to_str())
                                    .is_some_and(|e| TEMPLATE_EXTENSIONS.contains(&e))
                        })
                        .collect();
                    found.sort();
                    if found.is_empty() {
                        errors.push(PolicyError::new(
                            &shown,
                            None,
                            "holds no template files (.yaml, .yml, .json, .template)",
                        ));
                    }
                    files.extend(found);
                }
                Err(e) => errors.push(PolicyError::new(&shown, None, format!("cannot list: {e}"))),
            }
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            errors.push(PolicyError::new(&shown, None, "does not exist"));
        }
    }
    let mut templates = Vec::new();
    for file in files {
        let shown = file.display().to_string();
        match std::fs::read_to_string(&file) {
            Ok(text) => match Template::parse(&shown, text) {
                Ok(t) => templates.push(t),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(PolicyError::new(&shown, None, format!("cannot read: {e}"))),
        }
    }
    if errors.is_empty() {
        Ok(templates)
    } else {
        Err(errors)
    }
}

/// The outcome of looking at `out/`: the templates, and whether they were re-synthesized.
#[derive(Debug)]
pub struct OutDir {
    pub templates: Vec<Template>,
    /// Why `out/` was (re)written before the check, when it was.
    pub resynthesized: Option<String>,
}

/// The templates in `out` per its manifest, re-synthesizing from `spec` first when the spec's
/// hash (or the environment) differs from what the manifest records, or there is no manifest.
pub fn templates_from_out(
    out: &Path,
    spec_path: Option<&Path>,
    env: Option<&str>,
) -> Result<OutDir, InputError> {
    let manifest = synth::read_manifest(out);
    let mut resynthesized = None;
    if let Some(spec_path) = spec_path {
        let env = env.or(manifest.as_ref().map(|m| m.environment.as_str()));
        let env = env.filter(|e| *e != spec::DEFAULT_ENVIRONMENT || has_environments(spec_path));
        let loaded = spec::load(spec_path, env, super::catalogue()).map_err(InputError::Spec)?;
        let why = match &manifest {
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
            Some(_) => None,
        };
        if let Some(why) = why {
            let format =
                manifest
                    .as_ref()
                    .and_then(|m| m.templates.first())
                    .map_or(Format::Yaml, |t| {
                        if t.file.ends_with(".json") {
                            Format::Json
                        } else {
                            Format::Yaml
                        }
                    });
            let output = synth::render(
                &loaded,
                format,
                super::hook::rule_file(super::PolicySet::embedded(), &loaded.model),
            )
            .map_err(|problems| InputError::Other(problems.join("\n")))?;
            synth::write(out, &output).map_err(InputError::Other)?;
            resynthesized = Some(why);
        }
    }
    let Some(manifest) = synth::read_manifest(out) else {
        return Err(InputError::Other(format!(
            "no templates to check: `{}` does not exist; run `byoa synth` or pass template files",
            out.join(synth::MANIFEST).display()
        )));
    };
    let files: Vec<PathBuf> = manifest
        .templates
        .iter()
        .map(|t| out.join(&t.file))
        .collect();
    let templates = templates_from_paths(&files)?;
    Ok(OutDir {
        templates,
        resynthesized,
    })
}

fn has_environments(spec_path: &Path) -> bool {
    source::load(spec_path)
        .ok()
        .and_then(|s| s.value.get("environments").cloned())
        .is_some_and(|e| e.as_object().is_some_and(|m| !m.is_empty()))
}

/// The profiles and exceptions of the spec at `path` for `env` (the overlaid view when an
/// environment is known, else the base document's `compliance:`), with the spec line of each
/// exception.
pub fn spec_policy(path: &Path, env: Option<&str>) -> Result<SpecPolicy, InputError> {
    let source = source::load(path).map_err(|d| InputError::Spec(vec![d]))?;
    let compliance: Compliance = match env {
        Some(env) => {
            spec::load(path, Some(env), super::catalogue())
                .map_err(InputError::Spec)?
                .model
                .compliance
        }
        None if !has_environments(path) => {
            spec::load(path, None, super::catalogue())
                .map_err(InputError::Spec)?
                .model
                .compliance
        }
        None => {
            let raw = source
                .value
                .get("compliance")
                .cloned()
                .unwrap_or(Value::Null);
            if raw.is_null() {
                Compliance::default()
            } else {
                serde_json::from_value(raw).map_err(|e| {
                    InputError::Other(format!("{}: `compliance` is invalid: {e}", path.display()))
                })?
            }
        }
    };
    // Lists are replaced by overlays: an environment's own list is where its exceptions are.
    let base = match env {
        Some(env)
            if source
                .value
                .pointer(&format!("/environments/{env}/compliance/exceptions"))
                .is_some() =>
        {
            format!("/environments/{env}/compliance/exceptions")
        }
        _ => "/compliance/exceptions".to_owned(),
    };
    let exceptions = compliance
        .exceptions
        .iter()
        .enumerate()
        .map(|(i, e)| Exception {
            rule: e.rule.clone(),
            resource: e.resource.clone(),
            reason: e.reason.clone(),
            expires: e.expires.clone(),
            location: Some(source.map.locate(&format!("{base}/{i}"), Target::Value)),
        })
        .collect();
    let profiles = compliance
        .profiles
        .iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    Ok(SpecPolicy {
        profiles,
        exceptions,
    })
}
