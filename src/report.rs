//! Reporting: diagnostics -> text for people (colour on a terminal), JSON or SARIF 2.1.0 for
//! tools (`sarif`); and `access_doc`, the page that tells a customer's security reviewer what
//! the emitted access template lets the vendor do.
//!
//! The only module that formats diagnostics, whatever produced them: the spec, synthesis,
//! `init`, the policy inputs of `check`, I/O. The human form quotes the offending source line
//! with a caret under the column, in the style of compiler errors. Output is a pure function
//! of the diagnostics (and, for the quoted lines, of the files they point at).

pub mod access_doc;
pub mod sarif;
pub mod table;

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};
use serde_json::json;

use crate::diag::{Code, Diagnostic, Severity, Target};

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DiagFormat {
    /// Text for people.
    #[default]
    Human,
    /// One JSON document for tools.
    Json,
    /// SARIF 2.1.0, for code scanning (pull-request annotations).
    Sarif,
}

/// Writes `diags` in `format`.
pub fn diagnostics(
    w: &mut dyn Write,
    diags: &[Diagnostic],
    format: DiagFormat,
    color: bool,
) -> io::Result<()> {
    match format {
        DiagFormat::Human => human(w, diags, color),
        DiagFormat::Json => {
            let items: Vec<_> = diags.iter().map(to_json).collect();
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let doc = json!({
                "diagnostics": items,
                "errors": errors,
                "warnings": diags.len() - errors,
            });
            pretty(w, &doc)
        }
        DiagFormat::Sarif => pretty(w, &sarif::document(diags)),
    }
}

fn pretty(w: &mut dyn Write, doc: &serde_json::Value) -> io::Result<()> {
    writeln!(
        w,
        "{}",
        serde_json::to_string_pretty(doc).expect("JSON serializes")
    )
}

fn to_json(d: &Diagnostic) -> serde_json::Value {
    json!({
        "code": d.code.as_str(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": d.location.as_ref().map(|l| l.file.display().to_string()),
        "line": d.location.as_ref().map(|l| l.line).filter(|n| *n > 0),
        "column": d.location.as_ref().map(|l| l.column).filter(|n| *n > 0),
        "field": d.field(),
        "help": d.help,
    })
}

fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

fn human(w: &mut dyn Write, diags: &[Diagnostic], color: bool) -> io::Result<()> {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
    let blue = Style::new().fg_color(Some(AnsiColor::Blue.into())).bold();
    let bold = Style::new().bold();
    let mut sources: HashMap<PathBuf, Option<Vec<String>>> = HashMap::new();
    for d in diags {
        let (word, style) = match d.severity {
            Severity::Error => ("error", red),
            Severity::Warning => ("warning", yellow),
        };
        writeln!(
            w,
            "{}{} {}",
            paint(color, style, &format!("{word}[{}]", d.code.as_str())),
            paint(color, bold, ":"),
            paint(color, bold, &d.message)
        )?;
        if let Some(loc) = &d.location {
            if loc.line == 0 {
                writeln!(w, "  {} {}", paint(color, blue, "-->"), loc.file.display())?;
            } else {
                writeln!(w, "  {} {loc}", paint(color, blue, "-->"))?;
                let lines = sources.entry(loc.file.clone()).or_insert_with(|| {
                    std::fs::read_to_string(&loc.file)
                        .ok()
                        .map(|t| t.lines().map(str::to_owned).collect())
                });
                if let Some(text) = lines.as_ref().and_then(|l| l.get(loc.line - 1)) {
                    let text = quoted_line(d, text, loc.column);
                    let number = loc.line.to_string();
                    let pad = " ".repeat(number.len());
                    let gutter = paint(color, blue, "|");
                    writeln!(w, "{pad} {gutter}")?;
                    writeln!(w, "{} {gutter} {text}", paint(color, blue, &number))?;
                    if loc.column > 0 {
                        let caret = paint(color, style, "^");
                        writeln!(w, "{pad} {gutter} {}{caret}", " ".repeat(loc.column - 1))?;
                    }
                }
            }
        }
        if let Some(help) = &d.help {
            writeln!(w, "  {} {help}", paint(color, blue, "= help:"))?;
        }
        writeln!(w)?;
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors > 0 || warnings > 0 {
        let plural = |n: usize, s: &str| format!("{n} {s}{}", if n == 1 { "" } else { "s" });
        writeln!(
            w,
            "{}",
            paint(
                color,
                if errors > 0 { red } else { yellow },
                &format!(
                    "{}, {}",
                    plural(errors, "error"),
                    plural(warnings, "warning")
                )
            )
        )?;
    }
    Ok(())
}

/// The source line as quoted under `d`. A diagnostic about a secret quotes the line only up to
/// the value (after the key, when it points at one) and masks the rest: a report must never
/// print the secret it warns about, and CI logs keep what is printed.
fn quoted_line(d: &Diagnostic, text: &str, column: usize) -> String {
    if !d.code.is_about_a_secret() {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(column.saturating_sub(1)).collect();
    if d.target == Target::Key {
        let key: String = text
            .chars()
            .skip(kept.chars().count())
            .take_while(|c| *c != ':')
            .collect();
        kept.push_str(&key);
        kept.push_str(": ");
    }
    kept.push_str("****");
    kept
}

/// The table of diagnostic codes, as committed in `docs/diagnostics.md`.
pub fn codes_markdown() -> String {
    let mut s = String::from(
        "# Diagnostic codes\n\n\
         Generated from `src/diag.rs` (a test keeps this file current). Codes are stable:\n\
         scripts may match on them.\n\n\
         | code | meaning |\n| --- | --- |\n",
    );
    for code in Code::ALL {
        s.push_str(&format!("| `{}` | {} |\n", code.as_str(), code.summary()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_code_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md");
        if std::env::var_os("BYOA_BLESS").is_some() {
            std::fs::write(path, codes_markdown()).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == codes_markdown(),
            "docs/diagnostics.md is stale: run `BYOA_BLESS=1 cargo test committed_code_table`"
        );
    }

    #[test]
    fn a_line_without_a_column_is_quoted_without_a_caret() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("RULE.guard");
        std::fs::write(&file, "# Rule: RULE\n# Severity: urgent\n").unwrap();
        let at_line = Diagnostic::new(Code::PolicyInput, "bad severity")
            .in_file(&file)
            .with_position(2, 0);
        let argument = Diagnostic::new(Code::ArgDate, "`--today x` is not a date");
        let mut out = Vec::new();
        diagnostics(&mut out, &[at_line, argument], DiagFormat::Human, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = format!(
            "error[policy.input]: bad severity\n  --> {}:2\n  |\n2 | # Severity: urgent\n\n\
             error[arg.date]: `--today x` is not a date\n\n2 errors, 0 warnings\n",
            file.display()
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn a_secret_is_masked_in_the_quoted_line_other_lines_are_whole() {
        let line = "    environment: {LOG_LEVEL: info, DB_PASSWORD: hunter2, B: c}";
        let at = |code, column| {
            Diagnostic::error(code, "/x", "m")
                .in_file("byoa.yaml")
                .with_position(1, column)
        };
        // At the value (column of `hunter2`), and at the key.
        let value = at(Code::SecretHighEntropy, 49);
        assert_eq!(
            quoted_line(&value, line, 49),
            "    environment: {LOG_LEVEL: info, DB_PASSWORD: ****"
        );
        let key = at(Code::ServicePlaintextSecret, 36).at_key();
        assert_eq!(
            quoted_line(&key, line, 36),
            "    environment: {LOG_LEVEL: info, DB_PASSWORD: ****"
        );
        assert_eq!(quoted_line(&at(Code::SpecType, 50), line, 50), line);
        // Unicode before the value, or no column at all: never a panic, never the value.
        let quoted = quoted_line(&value, "  ünïcödé: hunter2", 12);
        assert_eq!(quoted, "  ünïcödé: ****");
        assert_eq!(quoted_line(&value, "x: hunter2", 0), "****");
    }

    #[test]
    fn plain_output_has_no_escape_codes() {
        let d = Diagnostic::error(Code::SpecType, "/x", "bad").with_help("fix it");
        let mut out = Vec::new();
        diagnostics(&mut out, &[d], DiagFormat::Human, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}'));
        assert!(text.starts_with("error[spec.type]: bad\n"));
        assert!(text.contains("= help: fix it"));
    }
}
