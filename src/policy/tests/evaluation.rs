//! The evaluation `check` runs (pairs skipped by resource type, each rule handed a view of the
//! template with only the resources it reads, groups of views, calls on several threads,
//! outcomes taken from the cache) gives exactly the outcomes of every rule
//! evaluated on its own against every template, in the same order: on every example in every
//! environment, on the template fixtures and on every rule test case that is a template.

use std::collections::BTreeSet;
use std::path::Path;

use crate::cfn::emit::Format;
use crate::policy::cache::Cache;
use crate::policy::check::evaluate;
use crate::policy::guard::{Engine, Guard, Outcome, RuleInput, TemplateInput};
use crate::policy::{PolicySet, Rule, Template, catalogue};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `t` declares a list of resource types no template in `shapes` did (and adds it).
/// What decides which rules `check` hands a template is the types it declares; the rest is one
/// engine call either way. One template per list of types keeps the test in a minute of a
/// debug build, where acme-50's fifty service stacks and the rule tests' cases repeat lists.
fn new_shape(shapes: &mut BTreeSet<String>, t: &Template) -> bool {
    let mut types: Vec<&str> = t.resources.iter().map(|r| r.kind.as_str()).collect();
    types.sort_unstable();
    shapes.insert(types.join(","))
}

/// Every template of every example in every environment it defines, one per shape.
fn example_templates() -> Vec<Template> {
    let mut templates = Vec::new();
    let mut shapes = BTreeSet::new();
    for example in ["acme-api", "acme-50", "acme-api-enterprise"] {
        let path = root().join(format!("examples/{example}/byoa.yaml"));
        let source = crate::spec::read(&path).expect("the example reads");
        for env in crate::spec::environments(&source) {
            let loaded = crate::spec::load_source(&source, Some(&env), catalogue())
                .expect("the example is valid");
            let format = Format::Yaml;
            let stacks = crate::modules::build_all(&loaded.model, format.extension())
                .expect("the example builds");
            for stack in stacks {
                let body = crate::cfn::emit::render(&stack.template.to_value(), format);
                let file = format!("{example}/{env}/{}", stack.file(format.extension()));
                let t = Template::parse(&file, body).unwrap();
                if new_shape(&mut shapes, &t) {
                    templates.push(t);
                }
            }
        }
    }
    templates
}

/// The templates under tests/fixtures and the rule test cases' inputs that are templates (have
/// `Resources`), one per shape.
fn fixture_templates() -> Vec<Template> {
    let mut templates = Vec::new();
    let mut shapes = BTreeSet::new();
    let fixtures = root().join("tests/fixtures");
    for f in files(&fixtures.join("weak")).chain(files(&fixtures.join("unbounded-access"))) {
        let text = std::fs::read_to_string(&f).unwrap();
        templates.push(Template::parse(&f.display().to_string(), text).unwrap());
    }
    for f in files(&root().join("policies/tests")) {
        let cases: Vec<serde_json::Value> =
            serde_saphyr::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        for (i, case) in cases.iter().enumerate() {
            let name = format!("{} case {}", f.display(), i + 1);
            if let Ok(t) = Template::parse(&name, case["input"].to_string())
                && new_shape(&mut shapes, &t)
            {
                templates.push(t);
            }
        }
    }
    templates
}

/// The files in `dir`, sorted.
fn files(dir: &Path) -> impl Iterator<Item = std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.into_iter()
}

/// Each rule on its own against every template, nothing skipped (cfn-guard evaluates each rule
/// file of a call in a scope of its own, as the hook test shows against a combined file).
fn each_rule_alone(rules: &[&Rule], templates: &[Template]) -> Vec<Outcome> {
    let inputs: Vec<TemplateInput<'_>> = templates.iter().map(Template::input).collect();
    let rules: Vec<RuleInput<'_>> = rules.iter().map(|r| r.input()).collect();
    let mut all = Guard.evaluate(&rules, &inputs).expect("the rules evaluate");
    all.sort_by_key(|o| (o.rule, o.template));
    all
}

fn assert_same(label: &str, templates: &[Template], got: &[Outcome], want: &[Outcome]) {
    let rules: Vec<&Rule> = PolicySet::embedded().rules.iter().collect();
    if got != want {
        let first = got.iter().zip(want).position(|(g, w)| g != w);
        let at = first.map_or(got.len().min(want.len()), |i| i);
        let o = got.get(at).or(want.get(at)).expect("an outcome differs");
        panic!(
            "{label}: {} outcomes against {}; first difference at {at}: {} on {}\ngot  {:?}\nwant {:?}",
            got.len(),
            want.len(),
            rules[o.rule].name,
            templates[o.template].file,
            got.get(at),
            want.get(at)
        );
    }
}

#[test]
fn grouped_parallel_and_cached_evaluation_equals_each_rule_alone() {
    let rules: Vec<&Rule> = PolicySet::embedded().rules.iter().collect();
    for (label, templates) in [
        ("examples", example_templates()),
        ("fixtures", fixture_templates()),
    ] {
        assert!(templates.len() > 5, "{label}: {}", templates.len());
        let want = each_rule_alone(&rules, &templates);

        let mut cache = Cache::new("test");
        let (cold, calls) = evaluate(&Guard, &rules, &templates, &mut cache).expect("evaluates");
        assert!(calls > 0);
        assert_same(label, &templates, &cold, &want);

        // The next run reads what this one kept, and needs no engine call.
        let kept = cache.into_kept().expect("new pairs were evaluated");
        let mut cache = Cache::read(&kept, "test");
        let (warm, calls) = evaluate(&Guard, &rules, &templates, &mut cache).expect("evaluates");
        assert_eq!(calls, 0, "{label}: every pair comes from the cache");
        assert_same(label, &templates, &warm, &want);
        assert!(cache.into_kept().is_none(), "nothing new to keep");
    }
}
