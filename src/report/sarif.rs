//! SARIF 2.1.0 for diagnostics: what code scanning shows as pull-request annotations.
//!
//! Input: any diagnostics (spec, synthesis, init, policy inputs). Output: one SARIF document
//! with one run; a rule per code that occurs (id = the code, description = its summary), a
//! result per diagnostic located at its file, line and column as far as known (a problem in
//! the command line has no location), the spec field or template id as a logical location.
//! The document validates against the official 2.1.0 schema (see tests/cli/diagnostics.rs).

use serde_json::{Value, json};

use crate::diag::{Code, Diagnostic, Location, Severity};
use crate::hash::sha256_hex;

/// The official location of the SARIF 2.1.0 schema, named in every document.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF document for `diags`.
pub fn document(diags: &[Diagnostic]) -> Value {
    let mut codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.summary()},
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let index = codes.binary_search(&d.code).expect("every code has a rule");
            result(d, index)
        })
        .collect();
    log(rules, results)
}

/// A SARIF log of one byoa run with `rules` (reporting descriptors) and `results`: the envelope
/// every SARIF document byoa writes shares.
pub fn log(rules: Vec<Value>, results: Vec<Value>) -> Value {
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "byoa",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn result(d: &Diagnostic, rule_index: usize) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let field = d.field();
    let file = d.location.as_ref().map(|l| l.file.display().to_string());
    let mut result = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": text},
        // Stable across runs and line moves: what and where, not the line.
        "partialFingerprints": {
            "byoaDiagnostic/v1": sha256_hex(format!("{}|{}|{}|{}",
                d.code.as_str(), file.as_deref().unwrap_or(""),
                field.as_deref().unwrap_or(""), d.message).as_bytes()),
        },
    });
    let mut location = json!({});
    if let Some(l) = &d.location {
        location["physicalLocation"] = physical(l);
    }
    if let Some(field) = field.filter(|f| !f.is_empty()) {
        location["logicalLocations"] = json!([{"fullyQualifiedName": field}]);
    }
    if location.as_object().is_some_and(|o| !o.is_empty()) {
        result["locations"] = json!([location]);
    }
    result
}

fn physical(l: &Location) -> Value {
    let mut p = json!({"artifactLocation": {"uri": uri_reference(&l.file.display().to_string())}});
    if l.line > 0 {
        p["region"] = json!({"startLine": l.line});
        if l.column > 0 {
            p["region"]["startColumn"] = json!(l.column);
        }
    }
    p
}

/// A file path as a URI reference: forward slashes, and every byte outside the unreserved and
/// path characters of RFC 3986 percent-encoded (spaces, `%`, `#`, `?`, non-ASCII).
pub fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("out/network.yaml"), "out/network.yaml");
        assert_eq!(uri_reference("my specs\\a#1.yaml"), "my%20specs/a%231.yaml");
        assert_eq!(uri_reference("é"), "%C3%A9");
    }

    #[test]
    fn unknown_positions_are_left_out_not_zero() {
        let whole = Diagnostic::file_error(Code::IoWrite, "out".as_ref(), "cannot write");
        let cli = Diagnostic::new(Code::ArgDate, "not a date");
        let doc = document(&[whole, cli]);
        let results = &doc["runs"][0]["results"];
        let physical = &results[0]["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "out");
        assert!(physical.get("region").is_none(), "{physical}");
        assert!(results[1].get("locations").is_none(), "{}", results[1]);
        // Rules in code order, each result pointing at its own.
        let rules = &doc["runs"][0]["tool"]["driver"]["rules"];
        assert_eq!(
            rules[results[0]["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "io.write"
        );
        assert_eq!(
            rules[results[1]["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "arg.date"
        );
    }
}
