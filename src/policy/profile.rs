//! Profile files: a compliance framework's controls, each evidenced by rules -> `Profile`.
//!
//! Input: a profile file's name and YAML text (`policies/profiles/` or the user's). Output: the
//! profile with its `# Source:` comment, or every problem in the file. Invariants: the file
//! stem is the profile name, control ids are unique and every control names at least one rule
//! (whether those rules exist is checked by the rule set, which sees them all).

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::PolicyError;
use crate::diag::Code;

/// A compliance profile: controls, each evidenced by rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// `hipaa`: the file stem.
    pub name: String,
    pub title: String,
    /// The `# Source:` comment: where the control ids come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip)]
    pub file: String,
    pub controls: Vec<Control>,
}

/// One control of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub rules: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    profile: String,
    title: String,
    controls: Vec<Control>,
}

/// Parses a profile file (YAML). Rule names are checked later, against the whole rule set.
pub fn parse_profile(file: &str, text: &str) -> Result<Profile, Vec<PolicyError>> {
    let options = serde_saphyr::options! { strict_booleans: true };
    let parsed: ProfileFile = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize).filter(|l| *l > 0);
        let message = e.to_string();
        let message = message.lines().next().unwrap_or_default().trim();
        vec![PolicyError::new(
            Code::PolicyProfile,
            file,
            line,
            format!("not a profile: {message}"),
        )]
    })?;
    let mut errors = Vec::new();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if parsed.profile != stem {
        errors.push(PolicyError::new(
            Code::PolicyProfile,
            file,
            line_of("profile:"),
            format!(
                "profile `{}` is in a file named `{stem}`: the file stem must be the profile name",
                parsed.profile
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    for c in &parsed.controls {
        if !seen.insert(c.id.as_str()) {
            errors.push(PolicyError::new(
                Code::PolicyProfile,
                file,
                line_of(&c.id),
                format!("control `{}` is listed twice", c.id),
            ));
        }
        if c.rules.is_empty() {
            errors.push(PolicyError::new(
                Code::PolicyProfile,
                file,
                line_of(&c.id),
                format!("control `{}` names no rule: it would always pass", c.id),
            ));
        }
    }
    if parsed.controls.is_empty() {
        errors.push(PolicyError::new(
            Code::PolicyProfile,
            file,
            None,
            "the profile has no controls",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Profile {
        name: parsed.profile,
        title: parsed.title,
        source: source_comment(text),
        file: file.to_owned(),
        controls: parsed.controls,
    })
}

/// The `# Source:` comment with its `#   ` continuation lines.
fn source_comment(text: &str) -> Option<String> {
    let mut out: Option<String> = None;
    for line in text.lines() {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            if out.is_some() {
                break;
            }
            continue;
        };
        match &mut out {
            None => {
                if let Some(v) = comment.trim_start().strip_prefix("Source:") {
                    out = Some(v.trim().to_owned());
                }
            }
            Some(s) if comment.starts_with("   ") => {
                s.push(' ');
                s.push_str(comment.trim());
            }
            Some(_) => break,
        }
    }
    out.filter(|s| !s.is_empty())
}
