//! The rule set: embedded rules and profiles plus the user's `--rules` -> `PolicySet`, and the
//! profiles a run selects.
//!
//! Input: the files `build.rs` embeds from `policies/`, and directories or files the user
//! names. Output: every rule and profile, cross-checked (every control names rules that exist;
//! a rule no profile maps is reported under the `custom` profile), and the `RuleCatalogue`
//! that spec validation receives as data. Errors name the file and line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::PolicyError;
use super::profile::{Control, Profile, parse_profile};
use super::rule::{Rule, parse_rule};
use crate::diag::{Code, did_you_mean};
use crate::spec::{Controls, RuleCatalogue};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/policies.rs"));
}

/// The profile that collects rules no profile maps (the user's own rules, usually).
pub const CUSTOM_PROFILE: &str = "custom";

/// What validation needs of the embedded rule set (built once per process): the catalogue the
/// command layer hands to `spec::load`. It reads the rules' headers alone; the profiles are
/// parsed (with the whole set) only if validation asks which controls a rule evidences.
pub fn catalogue() -> &'static RuleCatalogue {
    static CATALOGUE: std::sync::OnceLock<RuleCatalogue> = std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut catalogue = RuleCatalogue::default();
        for (file, text) in embedded::RULES {
            let rule = parse_rule(file, text).expect("the embedded rule set is valid");
            catalogue.add_rule(&rule.name, &rule.resources);
        }
        catalogue.with_controls_from(|| PolicySet::embedded().controls())
    })
}

/// Every rule and profile byoa knows: the embedded set plus the user's.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub rules: Vec<Rule>,
    pub profiles: Vec<Profile>,
}

impl PolicySet {
    /// The embedded rules and profiles alone, parsed once per process (a test keeps them
    /// valid, so this cannot fail at run time).
    pub fn embedded() -> &'static PolicySet {
        static SET: std::sync::OnceLock<PolicySet> = std::sync::OnceLock::new();
        SET.get_or_init(|| PolicySet::load(&[]).expect("the embedded rule set is valid"))
    }

    /// The profile controls each rule evidences, in profile and control order (what spec
    /// validation names when a value conflicts with a rule).
    pub fn controls(&self) -> Controls {
        let mut controls = Controls::default();
        for p in &self.profiles {
            for c in &p.controls {
                for r in &c.rules {
                    controls.add(&p.name, &c.id, r);
                }
            }
        }
        controls
    }

    /// The embedded rules and profiles, plus the rules (and profiles) in `user_dirs`.
    pub fn load(user_dirs: &[PathBuf]) -> Result<PolicySet, Vec<PolicyError>> {
        let mut rules: Vec<(String, String)> = embedded::RULES
            .iter()
            .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
            .collect();
        let mut profiles: Vec<(String, String)> = embedded::PROFILES
            .iter()
            .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
            .collect();
        let mut errors = Vec::new();
        for dir in user_dirs {
            match read_user_dir(dir) {
                Ok((r, p)) => {
                    rules.extend(r);
                    profiles.extend(p);
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        PolicySet::from_sources(&rules, &profiles)
    }

    /// Builds a set from (file, text) pairs; checks names and cross-references.
    pub fn from_sources(
        rules: &[(String, String)],
        profiles: &[(String, String)],
    ) -> Result<PolicySet, Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut set = PolicySet::default();
        for (file, text) in rules {
            match parse_rule(file, text) {
                Ok(rule) => {
                    if let Some(first) = set.rules.iter().find(|r| r.name == rule.name) {
                        errors.push(PolicyError::new(
                            Code::PolicyRule,
                            file,
                            None,
                            format!("rule `{}` is already defined by {}", rule.name, first.file),
                        ));
                    } else {
                        set.rules.push(rule);
                    }
                }
                Err(e) => errors.extend(e),
            }
        }
        for (file, text) in profiles {
            match parse_profile(file, text) {
                Ok(p) => {
                    if p.name == CUSTOM_PROFILE {
                        errors.push(PolicyError::new(
                            Code::PolicyProfile,
                            file,
                            None,
                            format!("`{CUSTOM_PROFILE}` is reserved for rules no profile maps"),
                        ));
                    } else if let Some(first) = set.profiles.iter().find(|q| q.name == p.name) {
                        errors.push(PolicyError::new(
                            Code::PolicyProfile,
                            file,
                            None,
                            format!("profile `{}` is already defined by {}", p.name, first.file),
                        ));
                    } else {
                        set.profiles.push(p);
                    }
                }
                Err(e) => errors.extend(e),
            }
        }
        let names: Vec<&str> = set.rules.iter().map(|r| r.name.as_str()).collect();
        for p in &set.profiles {
            for c in &p.controls {
                for r in &c.rules {
                    if !names.contains(&r.as_str()) {
                        let hint = did_you_mean(r, names.iter().copied())
                            .map(|b| format!(" (did you mean `{b}`?)"))
                            .unwrap_or_default();
                        let line = profile_line(profiles, &p.file, r);
                        errors.push(PolicyError::new(
                            Code::PolicyProfile,
                            &p.file,
                            line,
                            format!(
                                "control `{}` names rule `{r}`, which does not exist{hint}",
                                c.id
                            ),
                        ));
                    }
                }
            }
        }
        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            return Err(errors);
        }
        set.rules.sort_by(|a, b| a.name.cmp(&b.name));
        let unmapped: Vec<Control> = set
            .rules
            .iter()
            .filter(|r| {
                !set.profiles
                    .iter()
                    .any(|p| p.controls.iter().any(|c| c.rules.contains(&r.name)))
            })
            .map(|r| Control {
                id: r.name.clone(),
                title: r.title.clone(),
                rules: vec![r.name.clone()],
            })
            .collect();
        if !unmapped.is_empty() {
            set.profiles.push(Profile {
                name: CUSTOM_PROFILE.to_owned(),
                title: "Rules no profile maps".to_owned(),
                source: Some("the rules given with --rules".to_owned()),
                file: String::new(),
                controls: unmapped,
            });
        }
        Ok(set)
    }

    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// The profiles named (all of them when `names` is empty) plus `custom` when it exists,
    /// and the rules they map, by name.
    pub fn select(&self, names: &[String]) -> Result<Selection<'_>, String> {
        let mut profiles: Vec<&Profile> = Vec::new();
        if names.is_empty() {
            profiles.extend(&self.profiles);
        } else {
            for name in names {
                let Some(p) = self.profiles.iter().find(|p| &p.name == name) else {
                    let known: Vec<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
                    let hint = match did_you_mean(name, known.iter().copied()) {
                        Some(b) => format!("did you mean `{b}`?"),
                        None => format!("known profiles: {}", known.join(", ")),
                    };
                    return Err(format!("profile `{name}` does not exist; {hint}"));
                };
                if !profiles.iter().any(|q| q.name == p.name) {
                    profiles.push(p);
                }
            }
            if let Some(custom) = self.profiles.iter().find(|p| p.name == CUSTOM_PROFILE)
                && !profiles.iter().any(|q| q.name == CUSTOM_PROFILE)
            {
                profiles.push(custom);
            }
        }
        let wanted: BTreeSet<&str> = profiles
            .iter()
            .flat_map(|p| p.controls.iter().flat_map(|c| c.rules.iter()))
            .map(String::as_str)
            .collect();
        let rules = self
            .rules
            .iter()
            .filter(|r| wanted.contains(r.name.as_str()))
            .collect();
        Ok(Selection { profiles, rules })
    }
}

fn profile_line(profiles: &[(String, String)], file: &str, rule: &str) -> Option<usize> {
    let text = &profiles.iter().find(|(f, _)| f == file)?.1;
    text.lines().position(|l| l.contains(rule)).map(|i| i + 1)
}

/// A policy file: its name as shown to the user, and its text.
type Source = (String, String);

/// The rules and profiles in a `--rules` directory: `DIR/rules/*.guard` and
/// `DIR/profiles/*.yaml` when it is laid out like `policies/`, else `DIR/*.guard`; a single
/// `.guard` file is accepted too.
fn read_user_dir(dir: &Path) -> Result<(Vec<Source>, Vec<Source>), PolicyError> {
    let shown = dir.display().to_string();
    let read = |p: &Path| {
        std::fs::read_to_string(p)
            .map(|t| (p.display().to_string(), t))
            .map_err(|e| {
                PolicyError::new(
                    Code::PolicyInput,
                    &p.display().to_string(),
                    None,
                    format!("cannot read: {e}"),
                )
            })
    };
    if dir.is_file() {
        return Ok((vec![read(dir)?], Vec::new()));
    }
    if !dir.is_dir() {
        return Err(PolicyError::new(
            Code::PolicyInput,
            &shown,
            None,
            "no such rules directory",
        ));
    }
    let list = |d: &Path, exts: &[&str]| -> Result<Vec<PathBuf>, PolicyError> {
        if !d.is_dir() {
            return Ok(Vec::new());
        }
        let mut out: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|e| {
                PolicyError::new(
                    Code::PolicyInput,
                    &d.display().to_string(),
                    None,
                    format!("cannot list: {e}"),
                )
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| exts.contains(&e))
            })
            .collect();
        out.sort();
        Ok(out)
    };
    let (rule_paths, profile_paths) = if dir.join("rules").is_dir() || dir.join("profiles").is_dir()
    {
        (
            list(&dir.join("rules"), &["guard"])?,
            list(&dir.join("profiles"), &["yaml", "yml"])?,
        )
    } else {
        (list(dir, &["guard"])?, Vec::new())
    };
    if rule_paths.is_empty() && profile_paths.is_empty() {
        return Err(PolicyError::new(
            Code::PolicyInput,
            &shown,
            None,
            "holds no `.guard` rule files",
        ));
    }
    let rules = rule_paths
        .iter()
        .map(|p| read(p))
        .collect::<Result<_, _>>()?;
    let profiles = profile_paths
        .iter()
        .map(|p| read(p))
        .collect::<Result<_, _>>()?;
    Ok((rules, profiles))
}

/// The profiles chosen for a run and the rules they map.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    pub profiles: Vec<&'a Profile>,
    pub rules: Vec<&'a Rule>,
}
