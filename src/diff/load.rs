//! Diff inputs: the templates on one side of a `byoa diff`.
//!
//! Input: a template file, or a directory (an `out/`-like folder: the templates its
//! `manifest.json` lists, else every `.yaml`/`.yml`/`.json`/`.template` file in it, the
//! manifest itself excepted). Output: `Stack`s named by file stem, so a YAML `out/` pairs with
//! a JSON one; or every problem as a coded diagnostic naming the path.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Stack;
use crate::diag::{Code, Diagnostic};
use crate::synth;

const TEMPLATE_EXTENSIONS: [&str; 5] = ["yaml", "yml", "json", "template", "jsn"];

/// Reads one side of a diff.
pub fn side(path: &Path) -> Result<Vec<Stack>, Vec<Diagnostic>> {
    let files = if path.is_dir() {
        directory(path)?
    } else if path.is_file() {
        vec![path.to_path_buf()]
    } else {
        return Err(vec![Diagnostic::file_error(
            Code::DiffNotFound,
            path,
            format!("`{}` does not exist", path.display()),
        )]);
    };
    let mut stacks: Vec<Stack> = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match template(&file) {
            Ok(stack) if stacks.iter().any(|s| s.name == stack.name) => {
                errors.push(Diagnostic::file_error(
                    Code::DiffDuplicateStack,
                    &file,
                    format!(
                        "two templates in `{}` are named `{}`: keep one format per directory",
                        path.display(),
                        stack.name
                    ),
                ));
            }
            Ok(stack) => stacks.push(stack),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(stacks)
    } else {
        Err(errors)
    }
}

fn directory(dir: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    if let Some(manifest) = synth::read_manifest(dir) {
        return Ok(manifest
            .templates
            .iter()
            .map(|t| dir.join(&t.file))
            .collect());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![Diagnostic::file_error(
            Code::DiffRead,
            dir,
            format!("cannot list `{}`: {e}", dir.display()),
        )]
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.file_name().is_some_and(|n| n != synth::MANIFEST)
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| TEMPLATE_EXTENSIONS.contains(&e))
        })
        .collect();
    if files.is_empty() {
        return Err(vec![Diagnostic::file_error(
            Code::DiffNoTemplates,
            dir,
            format!(
                "`{}` holds no template files (.yaml, .yml, .json, .template)",
                dir.display()
            ),
        )]);
    }
    files.sort();
    Ok(files)
}

/// Reads and parses one template file.
pub fn template(file: &Path) -> Result<Stack, Diagnostic> {
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| {
        Diagnostic::file_error(Code::DiffRead, file, format!("cannot read `{shown}`: {e}"))
    })?;
    let name = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    parse(&name, &shown, &text).map_err(|(message, line)| {
        Diagnostic::file_error(Code::DiffNotTemplate, file, message).with_position(line, 1)
    })
}

/// Parses template text (JSON when it starts with `{`, else YAML). Errors carry a line (0 when
/// unknown).
pub fn parse(name: &str, file: &str, text: &str) -> Result<Stack, (String, usize)> {
    let value: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text)
            .map_err(|e| (format!("`{file}` is not valid JSON: {e}"), e.line()))?
    } else {
        serde_saphyr::from_str(text).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line() as usize);
            let message = e.to_string();
            let first = message.lines().next().unwrap_or_default();
            (format!("`{file}` is not valid YAML: {first}"), line)
        })?
    };
    if !value.get("Resources").is_some_and(Value::is_object) {
        return Err((
            format!("`{file}` is not a CloudFormation template: it has no `Resources` mapping"),
            0,
        ));
    }
    Ok(Stack {
        name: name.to_owned(),
        file: file.to_owned(),
        template: value,
    })
}
