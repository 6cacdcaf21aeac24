//! Serialization: template value -> bytes, YAML or JSON, deterministic.
//!
//! YAML is written by hand from the JSON value so that byoa controls every byte: block style,
//! two-space indentation, and quoting of any string a YAML 1.1 or 1.2 reader could take for
//! something else (`yes`, `on`, `1e3`, `0777`, `*`, `null`, ...). JSON is pretty-printed with two
//! spaces. Both end with a newline.

use serde_json::Value;

/// Output format of templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Yaml,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
        }
    }
}

/// Renders `value` in `format`.
pub fn render(value: &Value, format: Format) -> String {
    match format {
        Format::Yaml => to_yaml(value),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(value).expect("a JSON value serializes");
            s.push('\n');
            s
        }
    }
}

/// Renders a JSON value as block-style YAML.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::with_capacity(64 * 1024);
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        scalar => {
            push_scalar(&mut out, scalar);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let step = left.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        left -= step;
    }
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, level: usize) {
    for (i, (k, v)) in m.iter().enumerate() {
        // The first key of a map inside a sequence item follows the `- ` on the same line.
        if i > 0 || !out.ends_with("- ") {
            indent(out, level);
        }
        push_quoted(out, k);
        out.push(':');
        write_child(out, v, level);
    }
}

fn write_seq(out: &mut String, a: &[Value], level: usize) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 || !out.ends_with("- ") {
            indent(out, level);
        }
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => write_map(out, m, level + 2),
            Value::Array(inner) if !inner.is_empty() => write_seq(out, inner, level + 2),
            scalar => {
                push_scalar(out, scalar);
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:`.
fn write_child(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, level + 2);
        }
        scalar => {
            out.push(' ');
            push_scalar(out, scalar);
            out.push('\n');
        }
    }
}

fn push_scalar(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{n}");
        }
        Value::String(s) => push_quoted(out, s),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

/// Words YAML 1.1 readers turn into booleans or null.
const RESERVED: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

/// A string as a YAML scalar: plain when nothing could misread it, else JSON-style double
/// quotes (a JSON string is a valid YAML double-quoted scalar).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(&mut out, s);
    out
}

/// `quote(s)`, written at the end of `out`.
fn push_quoted(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else {
        out.push_str(&serde_json::to_string(s).expect("a string serializes"));
    }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '/' || first == '_') {
        return false;
    }
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) {
        return false;
    }
    if s.ends_with(':') || s.contains(": ") || s.contains(" #") {
        return false;
    }
    // Letters, digits and a few punctuation marks that never start YAML syntax mid-scalar.
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./:@=+, ()".contains(&b))
        && !s.ends_with(' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_nested_block_yaml() {
        let v = json!({"A": {"B": [1, {"C": "x", "D": []}], "E": {}}, "F": ["a", ["b"]]});
        assert_eq!(
            to_yaml(&v),
            "A:\n  B:\n    - 1\n    - C: x\n      D: []\n  E: {}\nF:\n  - a\n  - - b\n"
        );
    }

    #[test]
    fn quotes_what_a_yaml_reader_could_misread() {
        for s in [
            "yes",
            "No",
            "on",
            "~",
            "",
            "10",
            "1e3",
            "0777",
            "*",
            "a: b",
            "#x",
            "-x",
            " x",
            "x ",
            "@x",
            "!Ref",
            "a\nb",
            "10.0.0.0/16",
            "true",
            "null",
            "x:",
        ] {
            assert!(quote(s).starts_with('"'), "{s:?} left plain");
        }
        for s in [
            "AWS::EC2::VPC",
            "arn:aws:iam::aws:policy/x",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "/health",
        ] {
            assert_eq!(quote(s), s);
        }
    }

    #[test]
    fn yaml_reads_back_to_the_same_value() {
        let v = json!({"S": ["yes", "10", "a\"b\\c\nd", "ü", "x: y", ""], "N": [1, -2, 2.5, true, null],
            "Nested": [{"A": [{"B": 1}]}, [[]], {}]});
        let back: Value = serde_saphyr::from_str(&to_yaml(&v)).unwrap();
        assert_eq!(back, v);
    }
}
