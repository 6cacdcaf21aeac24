//! Benchmark of `byoa diff` on acme-50 prod (56 templates) against a changed copy (a bigger
//! database instance and a service with more CPU): reading both `out/`-like directories plus
//! the diff, as the command does it (templates with the same bytes on both sides stay
//! unparsed), and the diff alone on fully parsed templates. Run with `cargo bench --bench
//! diff`; figures go in closing notes, never in tests.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use byoa::cfn::emit::Format;
use byoa::diff::{self, Stack};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// acme-50 prod, after `edit` of the spec text, synthesized into a temporary directory.
fn out_dir(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let path = format!("{}/examples/acme-50/byoa.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = edit(std::fs::read_to_string(&path).expect("example exists"));
    let loaded = byoa::spec::load_str(
        Path::new(&path),
        &text,
        Some("prod"),
        byoa::policy::catalogue(),
    )
    .expect("valid");
    let output = byoa::commands::synth::synthesize(&loaded, Format::Yaml).expect("renders");
    let dir = tempfile::tempdir().expect("temp dir");
    output.write(dir.path()).expect("written");
    dir
}

fn parsed(dir: &Path) -> Vec<Stack> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("listed")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let name = f.file_stem().and_then(|s| s.to_str()).expect("stem");
            let text = std::fs::read_to_string(f).expect("read");
            diff::load::parse(name, &f.display().to_string(), &text).expect("parses")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let before = out_dir(|t| t);
    let after = out_dir(|t| {
        t.replacen(
            "instance_class: db.r6g.large",
            "instance_class: db.r6g.xlarge",
            1,
        )
        .replacen("cpu: 256", "cpu: 512", 1)
        .replacen("memory: 512", "memory: 1024", 1)
    });
    let (a, b) = (before.path(), after.path());
    c.bench_function("acme-50 prod: read both out/ + diff", |bench| {
        bench.iter(|| {
            let (old, new) = diff::load::sides(black_box(a), black_box(b)).expect("read");
            diff::diff(&old, &new).impact()
        })
    });
    let (old, new) = (parsed(a), parsed(b));
    assert!(
        diff::diff(&old, &new).has_changes(),
        "the edit changes something"
    );
    c.bench_function("acme-50 prod: diff only (all parsed)", |bench| {
        bench.iter(|| diff::diff(black_box(&old), black_box(&new)).impact())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
