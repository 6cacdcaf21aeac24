//! `out/` is replaced as a whole: a refused or failed run leaves it byte for byte as it was, a
//! run killed at any instant leaves either the previous output or the new one (never a mix),
//! files of earlier runs that a run does not produce are gone, two runs at once cannot
//! interleave, and nothing is left beside `out/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{byoa, root};

/// Every file under `dir`, by path relative to it, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                files.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    files
}

/// The names in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

fn example(name: &str) -> String {
    root()
        .join("examples")
        .join(name)
        .join("byoa.yaml")
        .to_string_lossy()
        .into_owned()
}

fn synth(spec: &str, env: &str, out: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["synth", spec, "--env", env, "--out", out.to_str().unwrap()];
    args.extend(extra);
    let (code, _, err) = byoa(&args);
    (code, err)
}

#[test]
fn a_file_byoa_did_not_write_is_refused_and_out_stays_byte_identical() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    assert_eq!(synth(&example("acme-api"), "prod", &out, &[]).0, 0);
    std::fs::write(out.join("notes.txt"), "the user's own notes").unwrap();
    let before = snapshot(&out);

    let (code, err) = synth(&example("acme-50"), "dev", &out, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error[io.output-foreign]: "), "{err}");
    assert!(err.contains("`notes.txt`"), "{err}");
    assert_eq!(snapshot(&out), before, "a refused run changes nothing");
    assert_eq!(
        names(parent.path()),
        ["out"],
        "and leaves nothing beside it"
    );

    // `--out .` in a working tree is the same case: nothing there is byoa's.
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("Cargo.toml"), "[package]").unwrap();
    let (code, err) = synth(&example("acme-api"), "dev", tree.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(names(tree.path()), ["Cargo.toml"]);

    // Nor is the working directory swapped from under the shell, even when empty.
    let empty = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_byoa"))
        .args(["synth", &example("acme-api"), "--env", "dev", "--out", "."])
        .current_dir(empty.path())
        .output()
        .expect("byoa runs");
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.contains("is the working directory"), "{err}");
    assert!(names(empty.path()).is_empty());
}

#[test]
fn a_spec_that_fails_leaves_out_byte_identical() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    assert_eq!(synth(&example("acme-api"), "prod", &out, &["--graph"]).0, 0);
    let before = snapshot(&out);
    let bad = root().join("tests/specs/five_mistakes.yaml");
    let (code, _) = synth(bad.to_str().unwrap(), "dev", &out, &[]);
    assert_eq!(code, 2);
    assert_eq!(snapshot(&out), before);
}

#[test]
fn files_of_an_earlier_spec_that_this_run_does_not_produce_are_gone() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    assert_eq!(synth(&example("acme-50"), "prod", &out, &["--graph"]).0, 0);
    assert!(out.join("graph.md").is_file());
    assert!(names(&out).iter().any(|n| n.starts_with("service-")));

    assert_eq!(synth(&example("acme-api"), "dev", &out, &[]).0, 0);
    let fresh = parent.path().join("fresh");
    assert_eq!(synth(&example("acme-api"), "dev", &fresh, &[]).0, 0);
    assert_eq!(
        snapshot(&out),
        snapshot(&fresh),
        "out/ holds exactly what a run into an empty directory writes: no stale service \
         template, no old graph.md"
    );
    assert_eq!(names(parent.path()), ["fresh", "out"]);
}

/// A small deterministic generator (a fixed seed makes a failure reproducible).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// A synth run: spec and environment.
type Run = (String, &'static str);

/// Two runs and their complete outputs, synthesized into `complete-0` and `complete-1` under
/// `parent`: two environments of one spec, so the same file names with different bytes in
/// every file.
fn two_outputs(parent: &Path) -> ([Run; 2], Vec<BTreeMap<PathBuf, Vec<u8>>>) {
    let runs = [(example("acme-api"), "prod"), (example("acme-api"), "dev")];
    let complete = runs
        .iter()
        .enumerate()
        .map(|(i, (spec, env))| {
            let dir = parent.join(format!("complete-{i}"));
            assert_eq!(synth(spec, env, &dir, &[]).0, 0);
            snapshot(&dir)
        })
        .collect();
    (runs, complete)
}

fn spawn_synth(spec: &str, env: &str, out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_byoa"))
        .args(["-q", "synth", spec, "--env", env, "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("byoa runs")
}

#[test]
fn a_synth_killed_at_any_instant_leaves_the_old_output_or_the_new_one() {
    let parent = tempfile::tempdir().unwrap();
    // The two complete outputs a run may leave: the previous one or its own.
    let (runs, complete) = two_outputs(parent.path());
    let out = parent.path().join("out");
    let started = Instant::now();
    let status = spawn_synth(&runs[0].0, runs[0].1, &out).wait().unwrap();
    assert!(status.success());
    let whole_run = started.elapsed().as_micros() as u64;

    let mut rng = Lcg(11);
    let mut previous = 0;
    let (mut killed, mut finished) = (0, 0);
    for i in 1..=24 {
        let next = i % 2;
        let mut child = spawn_synth(&runs[next].0, runs[next].1, &out);
        std::thread::sleep(Duration::from_micros(rng.below(whole_run * 5 / 4)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            finished += 1;
        } else {
            killed += 1;
        }
        let now = snapshot(&out);
        if now == complete[next] {
            previous = next;
        } else {
            assert!(
                now == complete[previous],
                "run {i} killed after a random delay left out/ neither as it was nor complete: {:?}",
                now.keys().collect::<Vec<_>>()
            );
        }
    }
    assert!(
        killed > 0,
        "the delays kill some runs ({killed} killed, {finished} finished)"
    );
    // The next run cleans up whatever the killed ones left beside out/.
    assert_eq!(synth(&runs[0].0, runs[0].1, &out, &[]).0, 0);
    assert_eq!(snapshot(&out), complete[0]);
    assert_eq!(names(parent.path()), ["complete-0", "complete-1", "out"]);
}

#[test]
fn two_synths_at_once_never_interleave() {
    let parent = tempfile::tempdir().unwrap();
    // The two complete outputs a run may leave: the previous one or its own.
    let (runs, complete) = two_outputs(parent.path());
    let out = parent.path().join("out");
    let mut refused = 0;
    for _ in 0..4 {
        let children: Vec<_> = runs
            .iter()
            .map(|(spec, env)| spawn_synth(spec, env, &out))
            .collect();
        for c in children {
            let done = c.wait_with_output().unwrap();
            if !done.status.success() {
                let err = String::from_utf8_lossy(&done.stderr);
                assert!(err.starts_with("error[io.output-locked]: "), "{err}");
                assert!(err.contains("another byoa run is writing"), "{err}");
                refused += 1;
            }
        }
        let now = snapshot(&out);
        assert!(
            now == complete[0] || now == complete[1],
            "out/ is one run's output"
        );
        assert_eq!(names(parent.path()), ["complete-0", "complete-1", "out"]);
    }
    let _ = refused;
}
