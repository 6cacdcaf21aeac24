//! Diff inputs: the templates on both sides of a `byoa diff`.
//!
//! Input: two paths, each a template file or a directory (an `out/`-like folder: the templates
//! its `manifest.json` lists, else every `.yaml`/`.yml`/`.json`/`.template` file in it, the
//! manifest and the source map excepted); two directories or two files, not one of each.
//! Output: `Stack`s named by file stem, so a YAML `out/` pairs with a JSON one (two files pair
//! whatever their names); or every problem as a coded diagnostic naming the path. `sources`
//! reads a directory's source map (`sources.json`), for `diff::annotate`. A pair with the same bytes
//! on both sides is kept as text (`Stack::deferred`): parsing YAML is most of a diff's time,
//! and most templates of a typical diff are untouched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Stack;
use crate::cfn::sources::{self, SourceMap};
use crate::diag::{Code, Diagnostic};
use crate::synth;

const TEMPLATE_EXTENSIONS: [&str; 5] = ["yaml", "yml", "json", "template", "jsn"];

/// One template file read as text: (stack name, file as shown, text).
type Read = (String, PathBuf, String);

/// A parsed template, or why not with a line (0 when unknown).
type Parsed = Result<Value, (String, usize)>;

/// Reads both sides of a diff.
pub fn sides(old: &Path, new: &Path) -> Result<(Vec<Stack>, Vec<Stack>), Vec<Diagnostic>> {
    if old.is_dir() != new.is_dir() && old.exists() && new.exists() {
        let (dir, file) = if old.is_dir() { (old, new) } else { (new, old) };
        let d = Diagnostic::file_error(
            Code::DiffMixedInputs,
            file,
            format!(
                "`{}` is a file but `{}` is a directory: compare two directories or two files",
                file.display(),
                dir.display()
            ),
        )
        .with_help(format!(
            "to compare one stack, name its template in the directory: `{}`",
            dir.join(file.file_name().unwrap_or_default()).display()
        ));
        return Err(vec![d]);
    }
    let (a, b) = (texts(old), texts(new));
    let (mut a, b) = match (a, b) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => return Err(a.err().into_iter().chain(b.err()).flatten().collect()),
    };
    // Two files are one stack, whatever their names: the new one names it.
    if let ([one], [other]) = (a.as_mut_slice(), b.as_slice())
        && old.is_file()
    {
        one.0.clone_from(&other.0);
    }
    let texts_a: BTreeMap<&str, &str> = a.iter().map(|r| (r.0.as_str(), r.2.as_str())).collect();
    let texts_b: BTreeMap<&str, &str> = b.iter().map(|r| (r.0.as_str(), r.2.as_str())).collect();
    let same = |(name, _, text): &Read, other: &BTreeMap<&str, &str>| {
        other.get(name.as_str()) == Some(&text.as_str())
    };
    // Both sides' changed files are parsed together, on all cores.
    let to_parse: Vec<&Read> = (a.iter().filter(|r| !same(r, &texts_b)))
        .chain(b.iter().filter(|r| !same(r, &texts_a)))
        .collect();
    let mut parsed = parse_all(&to_parse).into_iter();
    let mut errors = Vec::new();
    let mut stacks = |read: &[Read], other: &BTreeMap<&str, &str>| -> Vec<Stack> {
        read.iter()
            .filter_map(|r @ (name, file, text)| {
                let shown = file.display().to_string();
                if same(r, other) {
                    return Some(Stack::deferred(name, shown, text.clone()));
                }
                match parsed.next().expect("one result per parsed file") {
                    Ok(v) => Some(Stack::new(name, shown, v)),
                    Err((message, line)) => {
                        errors.push(
                            Diagnostic::file_error(Code::DiffNotTemplate, file, message)
                                .with_position(line, 1),
                        );
                        None
                    }
                }
            })
            .collect()
    };
    let old_stacks = stacks(&a, &texts_b);
    let new_stacks = stacks(&b, &texts_a);
    if errors.is_empty() {
        Ok((old_stacks, new_stacks))
    } else {
        Err(errors)
    }
}

/// Parses files on as many threads as there are cores, the largest first, each thread taking
/// the next file when it is free; results in input order.
fn parse_all(files: &[&Read]) -> Vec<Parsed> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(files[*i].2.len()));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut results: Vec<(usize, Parsed)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(files.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = order.get(k) else { break done };
                        let (_, file, text) = files[i];
                        done.push((i, parse_value(&file.display().to_string(), text)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a parser thread does not panic"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The template files of one side, read.
/// One side alone, its templates kept as text until needed: the other side comes from
/// elsewhere (the deployed stacks).
pub fn side(path: &Path) -> Result<Vec<Stack>, Vec<Diagnostic>> {
    Ok(texts(path)?
        .into_iter()
        .map(|(name, file, text)| Stack::deferred(name, file.display().to_string(), text))
        .collect())
}

fn texts(path: &Path) -> Result<Vec<Read>, Vec<Diagnostic>> {
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
    let mut read: Vec<Read> = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if read.iter().any(|r| r.0 == name) {
            errors.push(Diagnostic::file_error(
                Code::DiffDuplicateStack,
                &file,
                format!(
                    "two templates in `{}` are named `{name}`: keep one format per directory",
                    path.display()
                ),
            ));
            continue;
        }
        match std::fs::read_to_string(&file) {
            Ok(text) => read.push((name, file, text)),
            Err(e) => errors.push(Diagnostic::file_error(
                Code::DiffRead,
                &file,
                format!("cannot read `{}`: {e}", file.display()),
            )),
        }
    }
    if errors.is_empty() {
        Ok(read)
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
                && p.file_name()
                    .is_some_and(|n| n != synth::MANIFEST && n != sources::FILE)
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

/// The source map beside the templates of `dir` (the file its manifest names, else
/// `sources.json`): `None` when there is none (a file, or an output written before byoa kept
/// one), an error when there is one that cannot be read.
pub fn sources(dir: &Path) -> Result<Option<SourceMap>, Diagnostic> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let file = synth::read_manifest(dir)
        .and_then(|m| m.sources)
        .unwrap_or_else(|| sources::FILE.to_owned());
    let path = dir.join(file);
    if !path.is_file() {
        return Ok(None);
    }
    let unreadable = |why: String| {
        Diagnostic::file_error(
            Code::DiffSources,
            &path,
            format!("cannot read the source map `{}`: {why}", path.display()),
        )
        .with_help("synthesize the templates again to rewrite it, or delete it")
    };
    let text = std::fs::read_to_string(&path).map_err(|e| unreadable(e.to_string()))?;
    SourceMap::from_json(&text)
        .map(Some)
        .map_err(|e| unreadable(e.to_string()))
}

/// Parses template text (JSON when it starts with `{`, else YAML) into a `Stack`.
pub fn parse(name: &str, file: &str, text: &str) -> Result<Stack, (String, usize)> {
    parse_value(file, text).map(|v| Stack::new(name, file, v))
}

/// Parses template text; errors carry a line (0 when unknown).
pub fn parse_value(file: &str, text: &str) -> Parsed {
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
    Ok(value)
}
