//! The stage order, enforced: spec -> model -> modules -> cfn -> emit, with policy beside them
//! and only `commands` connecting them. Reads `src/` and fails on any `crate::` path that runs
//! against the order (`use crate::policy`, `crate::{policy, spec}`, `crate::synth::write`).

use std::path::Path;

use crate::root;

/// (the module whose files are read, the modules it must never name).
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "spec",
        &[
            "modules",
            "policy",
            "synth",
            "commands",
            "deploy",
            "customers",
            "launch",
        ],
    ),
    (
        "modules",
        &[
            "policy",
            "synth",
            "commands",
            "deploy",
            "customers",
            "launch",
        ],
    ),
    (
        "cfn",
        &[
            "spec",
            "modules",
            "policy",
            "synth",
            "commands",
            "customers",
            "launch",
        ],
    ),
    (
        "synth",
        &[
            "policy",
            "commands",
            "deploy",
            "customers",
            "launch",
            "cost",
        ],
    ),
    (
        "policy",
        &["synth", "commands", "deploy", "customers", "launch", "cost"],
    ),
    (
        "diff",
        &[
            "policy",
            "commands",
            "deploy",
            "customers",
            "launch",
            "cost",
        ],
    ),
    // Deploy sits after synth and diff; it never reaches back into the front of the pipeline.
    (
        "deploy",
        &["modules", "policy", "commands", "report", "launch"],
    ),
    // Customers sit beside the spec: they read the spec's regions, nothing compiled.
    (
        "customers",
        &[
            "modules", "cfn", "policy", "synth", "commands", "deploy", "diff", "launch",
        ],
    ),
    // Cost is pure: the model and a dated price table; what reads it (diff, launch) comes later.
    (
        "cost",
        &["commands", "deploy", "customers", "launch", "synth"],
    ),
    // Launch comes last: it reads synthesized output and deploy's upload plan.
    ("launch", &["policy", "commands"]),
    (
        "yaml_positions",
        &["spec", "modules", "policy", "synth", "commands"],
    ),
    ("diag", &["spec", "modules", "policy", "synth", "commands"]),
    // A leaf: validation and the modules share its names, so it can depend on neither.
    (
        "naming",
        &[
            "spec", "modules", "cfn", "policy", "synth", "commands", "diag", "report",
        ],
    ),
];

/// The top-level modules a line names through `crate::`, with the path as written.
fn crate_paths(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or_default();
            for item in inner.split(',') {
                let name = item.trim().split("::").next().unwrap_or_default();
                out.push((name.to_owned(), format!("crate::{}", item.trim())));
            }
        } else {
            let path: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let name = path.split("::").next().unwrap_or_default();
            out.push((
                name.to_owned(),
                format!("crate::{}", path.trim_end_matches(':')),
            ));
        }
        rest = after;
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source directory") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_against_the_stage_order() {
    let src = root().join("src");
    let mut violations = Vec::new();
    for (module, never) in FORBIDDEN {
        let mut files = Vec::new();
        let dir = src.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        }
        let file = src.join(format!("{module}.rs"));
        if file.is_file() {
            files.push(file);
        }
        assert!(!files.is_empty(), "no source for `{module}`");
        for file in files {
            let shown = file.strip_prefix(root()).unwrap().display().to_string();
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for (name, path) in crate_paths(line) {
                    if never.contains(&name.as_str()) {
                        violations.push(format!("{shown}:{}: {path}", n + 1));
                    }
                }
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

/// One wall per big engine: only `deploy/aws.rs` names the AWS SDK.
#[test]
fn only_the_aws_wall_names_the_sdk() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let wall = src.join("deploy").join("aws.rs");
    let mut named = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let names = [
            "aws_sdk_",
            "aws_config",
            "aws_smithy",
            "aws_credential_types",
        ]
        .iter()
        .any(|n| text.contains(&format!("{n}::")) || text.contains(&format!("use {n}")));
        if names && *file != wall {
            named.push(file.display().to_string());
        }
    }
    assert!(
        named.is_empty(),
        "the AWS SDK is named outside deploy/aws.rs: {named:?}"
    );
    let wall_text = std::fs::read_to_string(&wall).unwrap();
    assert!(
        wall_text.contains("aws_sdk_cloudformation"),
        "the wall moved"
    );
}

#[test]
fn crate_paths_are_found_in_every_form() {
    let names =
        |line: &str| -> Vec<String> { crate_paths(line).into_iter().map(|(n, _)| n).collect() };
    assert_eq!(
        names("use crate::{cli, policy::PolicySet};"),
        ["cli", "policy"]
    );
    assert_eq!(
        names("let x = crate::synth::write(a, crate::spec::y);"),
        ["synth", "spec"]
    );
    assert!(names("use super::PolicyError;").is_empty());
}
