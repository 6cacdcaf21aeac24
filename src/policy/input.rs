//! Check inputs: template files on disk -> parsed `Template`s, and the spec's compliance
//! settings -> profile names and exceptions with their positions.
//!
//! Input: files and directories the command layer names (it resolves `out/` and manifests;
//! policy never reads or re-runs synthesis), and the validated spec's `compliance` with the
//! source map of the view it came from. Output: templates, or one error per unreadable file,
//! naming its path; `SpecPolicy`. Nothing here parses the spec.

use std::path::{Path, PathBuf};

use super::{Exception, PolicyError, Template};
use crate::diag::{Code, Target};
use crate::spec::types::Compliance;
use crate::yaml_positions::SourceMap;

/// File extensions read from a directory of templates.
const TEMPLATE_EXTENSIONS: [&str; 5] = ["yaml", "yml", "json", "template", "jsn"];

/// What the spec contributes to a check.
#[derive(Debug, Clone, Default)]
pub struct SpecPolicy {
    /// `compliance.profiles`, as profile names (`pci-dss`).
    pub profiles: Vec<String>,
    pub exceptions: Vec<Exception>,
    /// The spec sets `residency:`: its profile is checked with the selected ones.
    pub residency: bool,
}

/// Reads templates from files and directories. A directory for which `listed` names files
/// (the templates its manifest lists) gives those; any other directory gives its template
/// files, sorted by name.
pub fn templates_from_paths(
    paths: &[PathBuf],
    listed: &dyn Fn(&Path) -> Option<Vec<PathBuf>>,
) -> Result<Vec<Template>, Vec<PolicyError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        if path.is_dir() {
            if let Some(listed) = listed(path) {
                files.extend(listed);
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
                            Code::PolicyInput,
                            &shown,
                            None,
                            "holds no template files (.yaml, .yml, .json, .template)",
                        ));
                    }
                    files.extend(found);
                }
                Err(e) => errors.push(PolicyError::new(
                    Code::PolicyInput,
                    &shown,
                    None,
                    format!("cannot list: {e}"),
                )),
            }
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            errors.push(PolicyError::new(
                Code::PolicyInput,
                &shown,
                None,
                "does not exist",
            ));
        }
    }
    // Parsing (YAML twice: values, then positions) is most of a check whose outcomes are cached.
    let read = crate::parallel::map(files, crate::parallel::cores(4), |file| {
        let shown = file.display().to_string();
        match std::fs::read_to_string(&file) {
            Ok(text) => Template::parse(&shown, text),
            Err(e) => Err(PolicyError::new(
                Code::PolicyInput,
                &shown,
                None,
                format!("cannot read: {e}"),
            )),
        }
    });
    let mut templates = Vec::new();
    for result in read {
        match result {
            Ok(t) => templates.push(t),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(templates)
    } else {
        Err(errors)
    }
}

/// The profiles and exceptions of `compliance`, each exception with the position `map` gives
/// `/compliance/exceptions/<i>` (an environment's view maps its own list to the overlay's
/// lines).
pub fn spec_policy(compliance: &Compliance, map: &SourceMap) -> SpecPolicy {
    let exceptions = compliance
        .exceptions
        .iter()
        .enumerate()
        .map(|(i, e)| Exception {
            rule: e.rule.clone(),
            resource: e.resource.clone(),
            reason: e.reason.clone(),
            expires: e.expires.clone(),
            location: Some(map.locate(&format!("/compliance/exceptions/{i}"), Target::Value)),
        })
        .collect();
    let profiles = compliance
        .profiles
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    SpecPolicy {
        profiles,
        exceptions,
        residency: false,
    }
}
