//! Loading: a path on disk -> the spec as a JSON value plus a map from JSON pointers to source
//! positions.
//!
//! This is the only place that reads the spec file. Every failure (missing file, directory,
//! binary or oversized file, YAML syntax) becomes a `Diagnostic` with the path in it; nothing
//! panics. Positions come from the YAML event stream (`yaml_positions`, shared with `policy`'s
//! template lines), so any later stage can report a problem by pointer alone and still print
//! `file:line:column`.

use std::path::Path;

use serde_json::Value;

use crate::diag::{Code, Diagnostic};
pub use crate::yaml_positions::SourceMap;

/// Largest spec byoa reads. Real specs are a few KiB; this keeps a stray log file from being
/// parsed for minutes.
pub const MAX_SPEC_BYTES: u64 = 1024 * 1024;

/// A loaded spec file: its value and where each node came from.
#[derive(Debug, Clone)]
pub struct Source {
    pub value: Value,
    pub map: SourceMap,
    /// sha256 of the file's bytes, hex.
    pub sha256: String,
}

/// Reads and parses `path`. Any failure is returned as one diagnostic naming the path.
pub fn load(path: &Path) -> Result<Source, Diagnostic> {
    let text = read_text(path)?;
    parse(path, &text)
}

fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| io_diag(path, &e))?;
    if meta.is_dir() {
        return Err(Diagnostic::file_error(
            Code::IoIsDirectory,
            path,
            format!("`{shown}` is a directory, not a spec file"),
        )
        .with_help(format!(
            "pass the spec inside it, e.g. `{}`",
            path.join("byoa.yaml").display()
        )));
    }
    if meta.len() > MAX_SPEC_BYTES {
        return Err(Diagnostic::file_error(
            Code::IoTooLarge,
            path,
            format!(
                "`{shown}` is {} bytes; byoa reads specs of at most {MAX_SPEC_BYTES} bytes",
                meta.len()
            ),
        )
        .with_help("check that the path names a byoa spec"));
    }
    let bytes = std::fs::read(path).map_err(|e| io_diag(path, &e))?;
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::file_error(
            Code::IoNotText,
            path,
            format!(
                "`{shown}` is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
        .with_help("a spec is a YAML text file; check that the path names a byoa spec")
    })
}

fn io_diag(path: &Path, e: &std::io::Error) -> Diagnostic {
    let shown = path.display();
    if e.kind() == std::io::ErrorKind::NotFound {
        Diagnostic::file_error(Code::IoNotFound, path, format!("`{shown}` does not exist"))
            .with_help("run `byoa init` to write a starter spec, or pass the spec's path")
    } else {
        Diagnostic::file_error(Code::IoRead, path, format!("cannot read `{shown}`: {e}"))
    }
}

/// Parses spec text. `path` is used for messages only.
pub fn parse(path: &Path, text: &str) -> Result<Source, Diagnostic> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        reject_unsupported_tags: true,
    };
    let value: Value = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line() as usize, l.column() as usize))
            .unwrap_or((1, 1));
        yaml_error(path, &first_line(&e.to_string())).with_position(line.max(1), column.max(1))
    })?;
    match &value {
        Value::Null => {
            return Err(Diagnostic::file_error(
                Code::YamlEmpty,
                path,
                format!("`{}` is empty", path.display()),
            )
            .with_position(1, 1)
            .with_help("run `byoa init` to write a starter spec"));
        }
        Value::Object(_) => {}
        other => {
            return Err(Diagnostic::file_error(
                Code::YamlNotMapping,
                path,
                format!(
                    "the spec must be a mapping of fields, found {}",
                    json_kind(other)
                ),
            )
            .with_position(1, 1)
            .with_help("start with `product:` and `region:`; see `byoa init`"));
        }
    }
    let map = SourceMap::from_yaml(path, text);
    let sha256 = crate::hash::sha256_hex(text.as_bytes());
    Ok(Source { value, map, sha256 })
}

/// A YAML error without the parser's own position prefix (the location is shown anyway) and
/// without its advice about parser options, which users cannot set.
fn yaml_error(path: &Path, message: &str) -> Diagnostic {
    let mut m = message.trim_start_matches("error: ");
    if let Some(rest) = m.strip_prefix("line ")
        && let Some((_, after)) = rest.split_once(": ")
    {
        m = after;
    }
    if let Some(key) = m.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key).trim();
        return Diagnostic::file_error(
            Code::YamlDuplicateKey,
            path,
            format!("`{key}` is given twice in the same mapping"),
        )
        .with_help(format!(
            "keep one `{key}:`; YAML does not merge repeated keys"
        ));
    }
    Diagnostic::file_error(Code::YamlSyntax, path, format!("invalid YAML: {m}"))
}

/// The error's first line, without the snippet serde-saphyr renders below it.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_owned()
}

/// The JSON type name of a value, as schema errors say it.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Target;

    fn src(text: &str) -> Source {
        parse(Path::new("byoa.yaml"), text).expect("parses")
    }

    #[test]
    fn records_positions_of_keys_and_values() {
        let s = src("product:\n  name: acme\nservices:\n  - name: api\n    port: 8080\n");
        let at = |p: &str, t| {
            let l = s.map.locate(p, t);
            (l.line, l.column)
        };
        assert_eq!(at("/product/name", Target::Value), (2, 9));
        assert_eq!(at("/product/name", Target::Key), (2, 3));
        assert_eq!(at("/services/0/port", Target::Value), (5, 11));
        assert_eq!(at("/services/0", Target::Value), (4, 5));
        // A field the user did not write reports at its closest written ancestor.
        assert_eq!(at("/services/0/memory", Target::Value), (4, 5));
    }

    #[test]
    fn flow_collections_are_mapped_too() {
        let s = src("network: {zones: [a, b]}\n");
        let l = s.map.locate("/network/zones/1", Target::Value);
        assert_eq!((l.line, l.column), (1, 22));
    }

    #[test]
    fn overlay_re_roots_positions() {
        let mut s = src(
            "network:\n  nat: per-az\nenvironments:\n  dev:\n    network:\n      nat: single\n",
        );
        s.map.overlay("/environments/dev", "");
        let l = s.map.locate("/network/nat", Target::Value);
        assert_eq!((l.line, l.column), (6, 12));
    }

    #[test]
    fn rejects_empty_scalar_and_list_documents() {
        for (text, code) in [
            ("", Code::YamlEmpty),
            ("# only a comment\n", Code::YamlEmpty),
            ("just a string\n", Code::YamlNotMapping),
            ("- a\n- b\n", Code::YamlNotMapping),
            ("a: [1, 2\n", Code::YamlSyntax),
            ("a: 1\na: 2\n", Code::YamlDuplicateKey),
        ] {
            let err = parse(Path::new("x.yaml"), text).expect_err(text);
            assert_eq!(err.code, code, "{text:?}: {}", err.message);
        }
    }

    #[test]
    fn norway_stays_a_string() {
        let s = src("country: no\nflag: yes\n");
        assert_eq!(s.value["country"], Value::String("no".into()));
        assert_eq!(s.value["flag"], Value::String("yes".into()));
    }
}
