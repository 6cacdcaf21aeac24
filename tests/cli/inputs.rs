//! Inputs that are not specs at all: each gives one clear line naming the path, exit code 2,
//! and never a panic.

use crate::byoa;

fn first_line(err: &str) -> &str {
    err.lines().next().unwrap_or_default()
}

fn rejects(path: &std::path::Path, code: &str, words: &str) {
    let shown = path.display().to_string();
    let (status, _, err) = byoa(&["validate", &shown]);
    assert_eq!(status, 2, "{err}");
    let line = first_line(&err);
    assert!(line.starts_with(&format!("error[{code}]: ")), "{line}");
    assert!(line.contains(words), "{line}");
    assert!(err.contains(&shown), "the path is named: {err}");
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    rejects(
        &dir.path().join("nope.yaml"),
        "io.not-found",
        "does not exist",
    );
}

#[test]
fn directory() {
    let dir = tempfile::tempdir().unwrap();
    rejects(dir.path(), "io.is-directory", "is a directory");
}

#[test]
fn binary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.png");
    std::fs::write(
        &path,
        [
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0xff, 0xfe,
        ],
    )
    .unwrap();
    rejects(&path, "io.not-text", "is not UTF-8 text");
}

#[test]
fn ten_megabyte_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    std::fs::write(&path, "a: b\n".repeat(2 * 1024 * 1024)).unwrap();
    rejects(&path, "io.too-large", "byoa reads specs of at most");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.yaml");
    std::fs::write(&path, "").unwrap();
    rejects(&path, "yaml.empty", "is empty");
}

#[test]
fn text_that_is_not_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.yaml");
    std::fs::write(&path, "product: [unclosed\n\tregion: \"x\n").unwrap();
    rejects(&path, "yaml.syntax", "invalid YAML");
}

#[test]
fn deeply_nested_and_aliased_yaml_does_not_hang_or_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.yaml");
    // A billion-laughs style alias expansion and a deep nesting.
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9 {
        text.push_str(&format!(
            "b{i}: &b{i} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
            p = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            }
        ));
    }
    text.push_str(&"[".repeat(10_000));
    std::fs::write(&path, text).unwrap();
    let (status, _, err) = byoa(&["validate", path.to_str().unwrap()]);
    assert_eq!(status, 2, "{err}");
    assert!(first_line(&err).starts_with("error[yaml."), "{err}");
}

#[test]
fn exit_codes_and_broken_pipe_as_a_process() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_byoa");
    let status = Command::new(bin)
        .args(["validate", "/nonexistent/byoa.yaml"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    let status = Command::new(bin).arg("--version").output().unwrap();
    assert_eq!(status.status.code(), Some(0));
    let status = Command::new(bin).arg("frobnicate").output().unwrap();
    assert_eq!(status.status.code(), Some(2));
    // `byoa schema | true`: the reader is gone before byoa writes; that is not an error.
    let mut child = Command::new(bin)
        .arg("schema")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .as_mut()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err, "");
}

#[test]
fn help_shows_examples() {
    for cmd in [
        vec!["--help"],
        vec!["synth", "--help"],
        vec!["validate", "--help"],
        vec!["init", "--help"],
    ] {
        let (code, out, _) = byoa(&cmd);
        assert_eq!(code, 0);
        assert!(out.contains("Example"), "{cmd:?}: {out}");
    }
}
