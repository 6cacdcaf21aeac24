//! Benchmarks of `byoa check`, in memory: acme-api and acme-50 (prod) against every embedded
//! profile. Run with `cargo bench --bench check`; figures go in closing notes, never in tests.
//!
//! Besides the whole check (parse templates, one cfn-guard call, findings, exceptions, report
//! model), it times the cfn-guard call alone, and two other ways to batch the same work (one
//! call per template, one call per rule) so the cost of splitting calls stays visible, and
//! cfn-guard with one trivial rule (what loading the templates into it costs).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use byoa::cfn::emit::Format;
use byoa::policy::guard::{Engine, Guard, RuleInput, TemplateInput};
use byoa::policy::{self, CheckInput, PolicySet, Template};

/// The example's prod templates, rendered in memory.
fn templates(name: &str) -> Vec<Template> {
    let path = format!("{}/examples/{name}/byoa.yaml", env!("CARGO_MANIFEST_DIR"));
    let loaded = byoa::spec::load(Path::new(&path), Some("prod"), byoa::policy::catalogue())
        .expect("valid example");
    let output = byoa::commands::synth::synthesize(&loaded, Format::Yaml).expect("renders");
    output
        .templates
        .into_iter()
        .map(|r| Template::parse(&r.file, r.body).expect("parses"))
        .collect()
}

fn bench(c: &mut Criterion) {
    let set = PolicySet::load(&[]).expect("embedded rules load");
    for example in ["acme-api", "acme-50"] {
        let parsed = templates(example);
        let resources: usize = parsed.iter().map(|t| t.resources.len()).sum();
        let label = format!(
            "{example} prod ({} templates, {resources} resources, {} rules)",
            parsed.len(),
            set.rules.len()
        );
        let texts: Vec<(String, String)> = parsed
            .iter()
            .map(|t| (t.file.clone(), t.text.clone()))
            .collect();

        c.bench_function(&format!("{label}: whole check, all profiles"), |b| {
            b.iter(|| {
                let templates = texts
                    .iter()
                    .map(|(f, t)| Template::parse(f, t.clone()).expect("parses"))
                    .collect();
                let report = policy::check(
                    &Guard,
                    CheckInput {
                        selection: set.select(&[]).expect("all profiles"),
                        templates,
                        exceptions: Vec::new(),
                        today: "2026-01-01".to_owned(),
                    },
                )
                .expect("evaluates");
                black_box(report.findings.len())
            })
        });

        let rules: Vec<RuleInput<'_>> = set.rules.iter().map(|r| r.input()).collect();
        let inputs: Vec<TemplateInput<'_>> = parsed.iter().map(|t| t.input()).collect();
        c.bench_function(&format!("{label}: cfn-guard, one call"), |b| {
            b.iter(|| {
                Guard
                    .evaluate(black_box(&rules), black_box(&inputs))
                    .expect("ok")
            })
        });
        // What loading the templates into cfn-guard costs: one trivial rule, same templates.
        let trivial = [RuleInput {
            name: "TRIVIAL",
            text: "rule TRIVIAL { Resources exists }",
        }];
        c.bench_function(&format!("{label}: cfn-guard, one trivial rule"), |b| {
            b.iter(|| {
                Guard
                    .evaluate(black_box(&trivial), black_box(&inputs))
                    .expect("ok")
            })
        });
        c.bench_function(&format!("{label}: cfn-guard, one call per template"), |b| {
            b.iter(|| {
                for t in &inputs {
                    Guard
                        .evaluate(black_box(&rules), std::slice::from_ref(t))
                        .expect("ok");
                }
            })
        });
        c.bench_function(&format!("{label}: cfn-guard, one call per rule"), |b| {
            b.iter(|| {
                for r in &rules {
                    Guard
                        .evaluate(std::slice::from_ref(r), black_box(&inputs))
                        .expect("ok");
                }
            })
        });
        c.bench_function(&format!("{label}: template parsing only"), |b| {
            b.iter(|| {
                for (f, t) in &texts {
                    black_box(Template::parse(f, t.clone()).expect("parses"));
                }
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
