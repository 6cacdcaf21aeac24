//! Benchmarks: load + validate + synthesize the example specs, in memory (no disk writes).
//! Run with `cargo bench`; figures go in closing notes, never in tests.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use byoa::cfn::emit::Format;

/// The allocator the `byoa` binary uses, so the figures are the ones users see.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn example(name: &str) -> (String, String) {
    let path = format!("{}/examples/{name}/byoa.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("example exists");
    (path, text)
}

fn bench(c: &mut Criterion) {
    let (path, text) = example("acme-api");
    let path = Path::new(&path);
    c.bench_function("acme-api prod: load + validate", |b| {
        b.iter(|| {
            byoa::spec::load_str(
                path,
                black_box(&text),
                Some("prod"),
                byoa::policy::catalogue(),
            )
            .expect("valid")
        })
    });
    c.bench_function("acme-api prod: load + validate + synth (yaml)", |b| {
        b.iter(|| {
            let loaded = byoa::spec::load_str(
                path,
                black_box(&text),
                Some("prod"),
                byoa::policy::catalogue(),
            )
            .expect("valid");
            byoa::commands::synth::synthesize(&loaded, Format::Yaml).expect("renders")
        })
    });
    let loaded =
        byoa::spec::load_str(path, &text, Some("prod"), byoa::policy::catalogue()).expect("valid");
    c.bench_function("acme-api prod: network module only", |b| {
        b.iter(|| byoa::modules::network::build(black_box(&loaded.model), &[]))
    });

    let (path50, text50) = example("acme-50");
    let path50 = Path::new(&path50);
    c.bench_function("acme-50 prod: load + validate + synth (yaml)", |b| {
        b.iter(|| {
            let loaded = byoa::spec::load_str(
                path50,
                black_box(&text50),
                Some("prod"),
                byoa::policy::catalogue(),
            )
            .expect("valid");
            byoa::commands::synth::synthesize(&loaded, Format::Yaml).expect("renders")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
