//! Benchmark of `byoa diff` on acme-50 prod (51 templates) against a changed copy (a bigger
//! database instance and a service with more CPU), in memory: parsing the emitted YAML of both
//! sides plus the diff, and the diff alone. Run with `cargo bench --bench diff`; figures go in
//! closing notes, never in tests.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use byoa::cfn::emit::Format;
use byoa::diff::{self, Stack};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The emitted (file, YAML body) pairs of acme-50 prod, after `edit` of the spec text.
fn bodies(edit: impl Fn(String) -> String) -> Vec<(String, String)> {
    let path = format!("{}/examples/acme-50/byoa.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = edit(std::fs::read_to_string(&path).expect("example exists"));
    let loaded = byoa::spec::load_str(Path::new(&path), &text, Some("prod")).expect("valid");
    let output = byoa::synth::render(&loaded, Format::Yaml).expect("renders");
    output
        .templates
        .into_iter()
        .map(|t| (t.file, t.body))
        .collect()
}

fn parse(bodies: &[(String, String)]) -> Vec<Stack> {
    bodies
        .iter()
        .map(|(file, body)| {
            let name = file.trim_end_matches(".yaml");
            diff::load::parse(name, file, body).expect("parses")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let before = bodies(|t| t);
    let after = bodies(|t| {
        t.replacen(
            "instance_class: db.r6g.large",
            "instance_class: db.r6g.xlarge",
            1,
        )
        .replacen("cpu: 256", "cpu: 512", 1)
        .replacen("memory: 512", "memory: 1024", 1)
    });
    let (old, new) = (parse(&before), parse(&after));
    assert!(
        diff::diff(&old, &new).has_changes(),
        "the edit changes something"
    );
    c.bench_function("acme-50 prod: parse both sides + diff", |b| {
        b.iter(|| {
            let (old, new) = (parse(black_box(&before)), parse(black_box(&after)));
            diff::diff(&old, &new).impact()
        })
    });
    c.bench_function("acme-50 prod: diff only", |b| {
        b.iter(|| diff::diff(black_box(&old), black_box(&new)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
