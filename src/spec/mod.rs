//! Spec stage: `byoa.yaml` on disk -> a validated `Model` for one environment.
//!
//! The pipeline is load (YAML + positions) -> schema check -> environment overlay -> typed spec
//! -> semantic validation. Every stage adds diagnostics instead of stopping at the first, and
//! every diagnostic is resolved to `file:line:column` here, before it leaves the stage; a field
//! of the source map synthesis writes (`database.instance_class`) resolves the same way
//! (`Loaded::locate_field`).

pub mod aws;
pub mod build;
pub mod catalogue;
pub mod combinations;
pub mod compliance;
pub mod compute;
pub mod http_only;
pub mod identifier;
pub mod model;
pub mod permissions;
pub mod placement;
pub mod regions;
pub mod schema;
pub mod secrets;
pub mod source;
pub mod types;
pub mod validate;
pub mod values;
pub mod vpc;

use std::path::Path;

use serde_json::Value;

use crate::diag::{Code, Diagnostic, did_you_mean, push_pointer, sort_and_dedup};
pub use catalogue::{Controls, RuleCatalogue};
pub use model::Model;
pub use source::Source;
use source::SourceMap;
use types::{Compliance, Spec};

/// Proof that a value was built by `validate`: only this module can make one.
#[derive(Debug, Clone)]
pub struct Sealed(());

/// The environment used when a spec defines no `environments:`.
pub const DEFAULT_ENVIRONMENT: &str = "default";

/// A spec loaded for one environment.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub model: Model,
    /// sha256 of the spec file's bytes, recorded in the manifest.
    pub spec_sha256: String,
    /// Positions of the environment's merged view: a pointer into the model's spec values
    /// (`/compliance/exceptions/0`) resolves to the line it came from, overlay or base.
    pub map: SourceMap,
    /// Problems that stop nothing (a value that may be a secret), positioned and sorted: a
    /// command shows them beside its output.
    pub warnings: Vec<Diagnostic>,
}

impl Loaded {
    /// Where the spec field `field` (a source-map path: `database.instance_class`,
    /// `services.api.cpu`) is written for this environment: the line of the overlay that sets
    /// it, else of the base document, else (a default) of the closest block the user wrote
    /// (`database:`, the service's item, the top of the file). For a finding or a change, this
    /// is the line a reviewer edits.
    pub fn locate_field(&self, field: &str) -> crate::diag::Location {
        let mut pointer = String::new();
        let mut parts = field.split('.');
        while let Some(part) = parts.next() {
            pointer = push_pointer(&pointer, part);
            if part == "services"
                && let Some(name) = parts.next()
            {
                // Services are a list, named in the map by `name`; an unknown one reports at
                // the list.
                match self.model.services.iter().position(|s| s.name == name) {
                    Some(i) => pointer = push_pointer(&pointer, &i.to_string()),
                    None => break,
                }
            }
        }
        self.map.locate(&pointer, crate::diag::Target::Key)
    }
}

/// Loads `path` and validates it for `env` (or the only environment there is) against the
/// rules in `catalogue`.
pub fn load(
    path: &Path,
    env: Option<&str>,
    catalogue: &RuleCatalogue,
) -> Result<Loaded, Vec<Diagnostic>> {
    load_source(&read(path)?, env, catalogue)
}

/// Like `load`, from text already in memory; `path` only names it in messages.
pub fn load_str(
    path: &Path,
    text: &str,
    env: Option<&str>,
    catalogue: &RuleCatalogue,
) -> Result<Loaded, Vec<Diagnostic>> {
    let source = source::parse(path, text).map_err(|d| vec![d])?;
    load_source(&source, env, catalogue)
}

/// Reads and parses `path` once, for callers that look at the document before choosing an
/// environment (`load_source` then validates it).
pub fn read(path: &Path) -> Result<Source, Vec<Diagnostic>> {
    source::load(path).map_err(|d| vec![d])
}

/// Validates a parsed spec for `env`, like `load`.
pub fn load_source(
    source: &Source,
    env: Option<&str>,
    catalogue: &RuleCatalogue,
) -> Result<Loaded, Vec<Diagnostic>> {
    let (environments, mut diags) = check_base(source);
    let env = match select(&environments, env) {
        Ok(env) => env,
        Err(more) => return Err(finish(&source.map, [diags, more].concat())),
    };
    match view(source, env.as_deref(), catalogue) {
        Ok((model, map, mut warnings)) if diags.is_empty() => {
            sort_and_dedup(&mut warnings);
            Ok(Loaded {
                model,
                spec_sha256: source.sha256.clone(),
                map,
                warnings,
            })
        }
        Ok((_, _, warnings)) => {
            diags.extend(warnings);
            Err(finish(&source.map, diags))
        }
        Err(more) => {
            diags.extend(more);
            Err(finish(&source.map, diags))
        }
    }
}

/// Validates the spec and every environment in it; returns every problem found, warnings
/// included.
pub fn check_all(path: &Path, catalogue: &RuleCatalogue) -> Vec<Diagnostic> {
    match source::load(path) {
        Ok(source) => check_source(&source, catalogue),
        Err(d) => vec![d],
    }
}

/// `check_all` of spec text not yet on disk (`byoa init` checks what it would write).
pub fn check_str(path: &Path, text: &str, catalogue: &RuleCatalogue) -> Vec<Diagnostic> {
    match source::parse(path, text) {
        Ok(source) => check_source(&source, catalogue),
        Err(d) => vec![d],
    }
}

fn check_source(source: &Source, catalogue: &RuleCatalogue) -> Vec<Diagnostic> {
    let (environments, mut diags) = check_base(source);
    let views: Vec<Option<&str>> = if environments.is_empty() {
        vec![None]
    } else {
        environments.iter().map(|e| Some(e.as_str())).collect()
    };
    for env in views {
        match view(source, env, catalogue) {
            Ok((_, _, warnings)) => diags.extend(warnings),
            Err(errors) => diags.extend(errors),
        }
    }
    finish(&source.map, diags)
}

/// Schema-checks the whole document (overlays included against the overlay schema) and returns
/// the environment names with every problem found.
fn check_base(source: &Source) -> (Vec<String>, Vec<Diagnostic>) {
    let mut diags = schema::check(&source.value);
    diags.extend(http_only::check_base(&source.value));
    let envs = environments(source);
    for name in &envs {
        if !regex_like_env_name(name) {
            diags.push(
                Diagnostic::error(
                    Code::EnvName,
                    push_pointer("/environments", name),
                    format!("environment name `{name}` is not valid"),
                )
                .at_key()
                .with_help(
                    "use at most 16 lowercase letters, digits and hyphens, starting with a letter",
                ),
            );
        }
        let known = base_service_names(&source.value);
        for (i, service) in unknown_services(&source.value, name) {
            let pointer = format!("{}/services/{i}/name", push_pointer("/environments", name));
            let help = match did_you_mean(&service, known.iter().map(String::as_str)) {
                Some(near) => format!("did you mean `{near}`?"),
                None => {
                    "add the service to `services:` first; an overlay only changes it".to_owned()
                }
            };
            diags.push(
                Diagnostic::error(
                    Code::EnvUnknownService,
                    pointer,
                    format!(
                        "environment `{name}` changes service `{service}`, which `services:` does not define"
                    ),
                )
                .with_help(help),
            );
        }
    }
    // Every name the stacks of an environment give starts with `<product>-<env>-`, and its
    // access stack scopes the vendor by that prefix: `prod-eu`'s names would start with
    // `prod`'s prefix.
    for name in &envs {
        let Some(shorter) = envs.iter().find(|e| name.starts_with(&format!("{e}-"))) else {
            continue;
        };
        diags.push(
            Diagnostic::error(
                Code::EnvOverlap,
                push_pointer("/environments", name),
                format!(
                    "environment `{name}` starts with `{shorter}-`: its stacks and resources would be named inside `{shorter}`'s, which `{shorter}`'s access stack lets the vendor manage"
                ),
            )
            .at_key()
            .with_help(format!(
                "rename `{name}` so it does not start with `{shorter}-` (e.g. put the distinguishing part first)"
            )),
        );
    }
    (envs, diags)
}

/// The names of the base document's services.
fn base_service_names(value: &Value) -> Vec<String> {
    let services = value.get("services").and_then(Value::as_array);
    services
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("name")?.as_str().map(str::to_owned))
        .collect()
}

/// The services of `env`'s overlay that name no service of the base document, with their
/// index in the overlay: an overlay changes services, it never adds one.
fn unknown_services(value: &Value, env: &str) -> Vec<(usize, String)> {
    let known = base_service_names(value);
    let overlay = value
        .get("environments")
        .and_then(|e| e.get(env))
        .and_then(|o| o.get("services"))
        .and_then(Value::as_array);
    overlay
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.get("name")?.as_str()?.to_owned())))
        .filter(|(_, n)| !known.contains(n))
        .collect()
}

/// The names under the document's `environments:`, in the order written.
pub fn environments(source: &Source) -> Vec<String> {
    source
        .value
        .get("environments")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The base document's `compliance:` settings, no environment applied: for a caller that has a
/// spec with environments but no environment to choose. Schema problems in them are reported
/// as `load` reports them.
pub fn base_compliance(source: &Source) -> Result<Compliance, Vec<Diagnostic>> {
    let Some(raw) = source.value.get("compliance").filter(|v| !v.is_null()) else {
        return Ok(Compliance::default());
    };
    let broken: Vec<Diagnostic> = schema::check(&source.value)
        .into_iter()
        .filter(|d| {
            d.pointer
                .as_deref()
                .is_some_and(|p| p == "/compliance" || p.starts_with("/compliance/"))
        })
        .collect();
    if !broken.is_empty() {
        return Err(finish(&source.map, broken));
    }
    serde_json::from_value(raw.clone()).map_err(|e| {
        let d = Diagnostic::error(
            Code::SpecInvalid,
            "/compliance",
            format!("`compliance` is invalid: {e}"),
        );
        finish(&source.map, vec![d])
    })
}

fn regex_like_env_name(name: &str) -> bool {
    name.len() <= 16 && validate::is_dns_label(name)
}

fn select(environments: &[String], env: Option<&str>) -> Result<Option<String>, Vec<Diagnostic>> {
    match env {
        Some(e) if environments.iter().any(|x| x == e) => Ok(Some(e.to_owned())),
        Some(e) => {
            let mut d = Diagnostic::error(
                Code::EnvUnknown,
                "/environments",
                format!("environment `{e}` is not defined in the spec"),
            )
            .at_key();
            d = match did_you_mean(e, environments.iter().map(String::as_str)) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None if environments.is_empty() => {
                    d.with_help("the spec has no `environments:`; run without `--env`")
                }
                None => d.with_help(format!("defined: {}", environments.join(", "))),
            };
            if environments.is_empty() {
                d.pointer = Some(String::new());
            }
            Err(vec![d])
        }
        None if environments.is_empty() => Ok(None),
        None => {
            let d = Diagnostic::error(
                Code::EnvUnknown,
                "/environments",
                "the spec defines environments; choose one",
            )
            .at_key()
            .with_help(format!(
                "pass `--env` with one of: {}",
                environments.join(", ")
            ));
            Err(vec![d])
        }
    }
}

/// Builds the merged view of one environment and validates it. Values that break the schema
/// (already reported by `check_base`) are dropped first, so their defaults stand in and the
/// semantic checks still report everything else. Returns the model with the view's positions
/// and the warnings, positioned.
fn view(
    source: &Source,
    env: Option<&str>,
    catalogue: &RuleCatalogue,
) -> Result<(Model, SourceMap, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut value = source.value.clone();
    let mut map = source.map.clone();
    let overlays = value
        .as_object_mut()
        .and_then(|o| o.shift_remove("environments"));
    if let Some(env) = env {
        let mut overlay = overlays.as_ref().and_then(|o| o.get(env)).cloned();
        // Reported by `check_base`; dropped here so that no service is created.
        let unknown = unknown_services(&source.value, env);
        if let Some(items) = overlay
            .as_mut()
            .and_then(|o| o.get_mut("services"))
            .and_then(Value::as_array_mut)
        {
            let mut index = 0..;
            items.retain(|_| {
                let i = index.next().unwrap_or_default();
                !unknown.iter().any(|(j, _)| *j == i)
            });
        }
        if let Some(overlay) = overlay {
            let from = push_pointer("/environments", env);
            merge(&mut value, &overlay, &from, "", &mut map);
        }
    }
    let broken = schema::check(&value);
    let mut pointers: Vec<&str> = broken.iter().filter_map(|d| d.pointer.as_deref()).collect();
    pointers.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in pointers {
        drop_at(&mut value, p);
    }
    // Read before serde fills the defaults, which cannot be told from written fields.
    let not_for_existing = vpc::not_for_existing(&value);
    // Still not a spec (a required field is missing): the schema problems are all there is.
    let spec: Spec = serde_json::from_value(value).map_err(|_| Vec::new())?;
    let name = env.unwrap_or(DEFAULT_ENVIRONMENT);
    match validate::validate(&spec, name, catalogue) {
        Ok((model, mut warnings)) if not_for_existing.is_empty() => {
            map.resolve(&mut warnings);
            Ok((model, map, warnings))
        }
        Ok((_, mut d)) | Err(mut d) => {
            d.extend(not_for_existing);
            map.resolve(&mut d);
            Err(d)
        }
    }
}

/// Removes the value at `pointer`; an element of a list takes the whole list with it.
fn drop_at(value: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    match value.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.shift_remove(&last.replace("~1", "/").replace("~0", "~"));
        }
        Some(Value::Array(_)) => drop_at(value, parent),
        _ => {}
    }
}

/// Lays `overlay` over `base`: maps merge key by key, lists of named items merge by `name`,
/// anything else is replaced. Positions follow the values that win.
fn merge(base: &mut Value, overlay: &Value, from: &str, to: &str, map: &mut SourceMap) {
    match (base, overlay) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                let (f, t) = (push_pointer(from, k), push_pointer(to, k));
                match b.get_mut(k) {
                    Some(existing) => merge(existing, v, &f, &t, map),
                    None => {
                        b.insert(k.clone(), v.clone());
                        map.overlay(&f, &t);
                    }
                }
            }
        }
        (Value::Array(b), Value::Array(o)) if named(b) && named(o) => {
            for (i, item) in o.iter().enumerate() {
                let f = push_pointer(from, &i.to_string());
                match b.iter().position(|x| x.get("name") == item.get("name")) {
                    Some(j) => merge(&mut b[j], item, &f, &push_pointer(to, &j.to_string()), map),
                    None => {
                        map.overlay(&f, &push_pointer(to, &b.len().to_string()));
                        b.push(item.clone());
                    }
                }
            }
        }
        (b, o) => {
            *b = o.clone();
            map.overlay(from, to);
        }
    }
}

fn named(items: &[Value]) -> bool {
    items
        .iter()
        .all(|x| x.get("name").is_some_and(Value::is_string))
}

/// Resolves positions and sorts.
fn finish(map: &SourceMap, mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    map.resolve(&mut diags);
    sort_and_dedup(&mut diags);
    diags
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spec_fields_locate_to_the_line_that_sets_them_overlay_first() {
        let text = "product: {name: acme, vendor_account_id: \"111111111111\"}\n\
                    region: us-east-1\n\
                    database:\n  instance_class: db.r6g.large\n\
                    services:\n  - name: api\n    cpu: 512\n    memory: 1024\n  - name: worker\n\
                    environments:\n  dev:\n    database:\n      multi_az: false\n\
                    \x20   services:\n      - name: worker\n        cpu: 1024\n        memory: 2048\n\
                    access: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\n";
        let loaded = load_str(
            Path::new("byoa.yaml"),
            text,
            Some("dev"),
            &Default::default(),
        )
        .expect("valid");
        let line = |field: &str| loaded.locate_field(field).line;
        assert_eq!(line("database.instance_class"), 4);
        // Set by the overlay: its line, not the base's.
        assert_eq!(line("database.multi_az"), 13);
        assert_eq!(line("services.api.cpu"), 7);
        assert_eq!(line("services.worker.cpu"), 16);
        // Defaults report at the closest block written (where its contents start): the
        // service's item, the section.
        assert_eq!(line("services.api.scaling.min"), 6);
        assert_eq!(line("database.storage_gb"), 4);
        // Not written at all, or a service that does not exist: the top of the file.
        assert_eq!(line("monitoring.dashboard"), 1);
        assert_eq!(line("services.billing.cpu"), 5);
        assert_eq!(loaded.locate_field("region").file, Path::new("byoa.yaml"));
    }

    #[test]
    fn overlay_merges_maps_replaces_lists_and_merges_named_items() {
        let mut base = json!({"network": {"nat": "per-az", "cidr": "10.0.0.0/16"},
            "services": [{"name": "api", "cpu": 256}, {"name": "worker"}],
            "access": {"source_cidrs": ["1.1.1.1/32", "2.2.2.2/32"]}});
        let overlay = json!({"network": {"nat": "single"},
            "services": [{"name": "worker", "cpu": 512}, {"name": "cron"}],
            "access": {"source_cidrs": ["3.3.3.3/32"]}});
        merge(
            &mut base,
            &overlay,
            "/environments/dev",
            "",
            &mut SourceMap::default(),
        );
        assert_eq!(
            base,
            json!({"network": {"nat": "single", "cidr": "10.0.0.0/16"},
                "services": [{"name": "api", "cpu": 256}, {"name": "worker", "cpu": 512}, {"name": "cron"}],
                "access": {"source_cidrs": ["3.3.3.3/32"]}})
        );
    }
}
