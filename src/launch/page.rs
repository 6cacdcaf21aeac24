//! The launch page: one customer's synthesis -> a self-contained HTML page their cloud admin
//! reads before launching.
//!
//! Input: a `Page` (the validated model and its synthesis for the customer's environment, the
//! customer's display name, the launch buttons the caller made, an optional cost estimate).
//! Output: the HTML text, rendered from `blueprints/launch.html.hbs`, which is embedded in the
//! binary. The page says who the vendor is, gives one button per stack in the order to launch
//! them, what the vendor may and may never do (`permissions`, read from the access template),
//! what the stacks create (resource counts by kind, from the templates), the architecture
//! (`diagram`), the cost when there is an estimate, and how to take the access back.
//! Invariants: no script and no external asset (inline CSS, inline SVG; the only URLs are the
//! buttons'); every value is escaped (handlebars escapes `{{...}}`; the words helper escapes
//! before it marks code); deterministic. A render failure is `launch.page` (a byoa bug).

use std::collections::BTreeMap;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output as HbOutput, RenderContext, RenderError,
};
use serde::Serialize;
use serde_json::{Value, json};

use super::diagram::{self, escape};
use super::permissions::{self, Group, Line};
use crate::diag::{Code, Diagnostic};
use crate::graph::wiring;
use crate::modules::{Stack, access, root};
use crate::spec::model::Model;
use crate::synth::Output;

/// The page's template.
const TEMPLATE: &str = include_str!("../../blueprints/launch.html.hbs");

/// The access-stack parameter that switches the vendor's access on and off (`Enabled` or
/// `Disabled`): when the template declares it, the page tells the customer how to use it.
use crate::modules::access::revoke::PARAMETER as KILL_SWITCH;

/// What one launch page shows.
pub struct Page<'a> {
    /// The validated product for the customer's environment: vendor and product names.
    pub model: &'a Model,
    /// Its synthesis: the templates the buttons launch, read for permissions, counts, diagram.
    pub output: &'a Output,
    /// The customer's display name.
    pub customer: &'a str,
    /// One per stack, in launch order (access first, then root).
    pub buttons: Vec<Button>,
    /// The monthly estimate, when there is one; the page has no cost section without it.
    pub cost: Option<Cost>,
}

/// A launch button: a console quick-create link for one stack.
#[derive(Debug, Clone, Serialize)]
pub struct Button {
    /// What the button says (`Launch the access stack`).
    pub label: String,
    pub stack_name: String,
    pub region: String,
    pub url: String,
}

/// A cost estimate as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Cost {
    /// The figure, currency and period included (`about 412 USD a month`).
    pub monthly: String,
    /// What it assumes (prices of which date, which usage).
    pub basis: String,
}

/// The page's HTML.
pub fn render(page: &Page<'_>) -> Result<String, Diagnostic> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_helper("words", Box::new(words_helper));
    hb.render_template(TEMPLATE, &context(page)).map_err(|e| {
        Diagnostic::new(
            Code::LaunchPage,
            format!("the launch page failed to render: {e}"),
        )
    })
}

/// Everything the template reads.
fn context(page: &Page<'_>) -> Value {
    let model = page.model;
    let output = page.output;
    let stacks: Vec<&Stack> = output.templates.iter().map(|r| &r.stack).collect();
    let access_stack = stacks.iter().find(|s| s.module == access::MODULE);
    let summary = access_stack
        .map(|s| permissions::summarize(&s.template.to_value()))
        .unwrap_or(permissions::Summary {
            entry: Vec::new(),
            direct: Vec::new(),
            through_cloudformation: Vec::new(),
            applications: Vec::new(),
            never: Vec::new(),
        });
    let owner = model
        .tags
        .iter()
        .find(|(k, _)| k == "byoa:owner")
        .map(|(_, v)| v.clone());
    let root_stack = stacks.iter().find(|s| s.module == root::MODULE);
    let wires: Vec<Value> = root_stack
        .map(|r| wiring(&r.template))
        .unwrap_or_default()
        .iter()
        .map(|e| json!({"from": module_of(&stacks, &e.from), "to": module_of(&stacks, &e.to), "outputs": e.outputs.join(", ")}))
        .collect();
    json!({
        "product": model.product,
        "environment": model.environment,
        "customer": page.customer,
        "vendor": owner,
        "vendor_account": model.vendor_account_id,
        "buttons": page.buttons,
        "entry": lines(&summary.entry),
        "entry_notes": access_stack.map(|s| parameter_notes(s, &summary.entry)).unwrap_or_default(),
        "direct": groups(&summary.direct),
        "through": groups(&summary.through_cloudformation),
        "applications": groups(&summary.applications),
        "never": lines(&summary.never),
        "stacks": stacks.iter().map(|s| created(s)).collect::<Vec<_>>(),
        "total": stacks.iter().map(|s| s.template.resources.len()).sum::<usize>(),
        "diagram": diagram::svg(&stacks),
        "wires": wires,
        "cost": page.cost,
        "your_network": root_stack.map(|r| your_network(&r.template)).unwrap_or_default(),
        "revoke": revoke(access_stack.copied(), root_stack.copied()),
    })
}

/// The root's parameters naming the customer's own VPC and subnets (`network.existing`), with
/// what each must offer: empty when byoa creates the VPC.
fn your_network(root: &crate::cfn::Template) -> Vec<Value> {
    use crate::naming::console;
    [
        console::EXISTING_VPC_ID,
        console::EXISTING_PUBLIC_SUBNET_IDS,
        console::EXISTING_PRIVATE_SUBNET_IDS,
        console::EXISTING_ISOLATED_SUBNET_IDS,
    ]
    .iter()
    .filter_map(|name| root.parameters.get(*name))
    .map(|p| json!({"label": p.label, "description": p.description}))
    .collect()
}

/// How to take the access back, in the order a customer would reach for it: the kill switch
/// when the access template has one, deleting the access stack, and what stays running.
fn revoke(access: Option<&Stack>, root: Option<&Stack>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(access) = access {
        let name = &access.stack_name;
        if let Some(switch) = access.template.parameters.get(KILL_SWITCH) {
            // What the switch does is the parameter's own description: the words the customer
            // also reads in the console form, kept by the module that builds the switch.
            out.push(format!(
                "At once: update the access stack `{name}` and set its parameter \
                 `{KILL_SWITCH}` to `Disabled`. {}",
                switch.description
            ));
        }
        out.push(format!(
            "For good: delete the access stack `{name}`. Its roles and policies go with it: \
             the vendor keeps no way into your account."
        ));
    }
    if let Some(root) = root {
        out.push(format!(
            "The product itself runs on in the root stack `{}` and its nested stacks; delete \
             the root stack to remove it.",
            root.stack_name
        ));
    }
    out
}

/// The access stack's parameters the trust lines name (`<the parameter ExternalId>`), each
/// with its description from the template: what the customer fills in, in the template's words.
fn parameter_notes(access: &Stack, entry: &[Line]) -> Vec<String> {
    const NAMED: &str = "<the parameter ";
    let mut out: Vec<String> = Vec::new();
    for line in entry {
        for (i, _) in line.text.match_indices(NAMED) {
            let rest = &line.text[i + NAMED.len()..];
            let Some(name) = rest.split('>').next() else {
                continue;
            };
            let Some(p) = access.template.parameters.get(name) else {
                continue;
            };
            let note = format!("`{name}`: {}", p.description);
            if !out.contains(&note) {
                out.push(note);
            }
        }
    }
    out
}

/// The module whose nested stack the root calls `id`.
fn module_of(stacks: &[&Stack], id: &str) -> String {
    stacks
        .iter()
        .find(|s| crate::naming::child_id(&s.module) == id)
        .map_or_else(|| id.to_owned(), |s| s.module.clone())
}

fn lines(lines: &[Line]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| {
            json!({
                "text": l.text,
                "sid": l.sid,
                "actions": l.actions.join(", "),
                "binds": l.binds,
            })
        })
        .collect()
}

fn groups(groups: &[Group]) -> Vec<Value> {
    groups
        .iter()
        .map(|g| json!({"service": g.service, "lines": lines(&g.lines)}))
        .collect()
}

/// One stack's resources, counted by kind in words (`Subnet` x 6), most first, then by name.
fn created(stack: &Stack) -> Value {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in stack.template.resources.values() {
        *counts.entry(kind_words(&r.kind)).or_default() += 1;
    }
    let mut kinds: Vec<(String, usize)> = counts.into_iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    json!({
        "module": stack.module,
        "stack_name": stack.stack_name,
        "count": stack.template.resources.len(),
        "kinds": kinds.iter().map(|(k, n)| json!({"kind": k, "count": n})).collect::<Vec<_>>(),
    })
}

/// `AWS::EC2::SecurityGroup` -> `EC2 SecurityGroup`; a nested stack is a stack.
fn kind_words(kind: &str) -> String {
    let mut parts = kind.split("::").skip(1);
    match (parts.next(), parts.next()) {
        (Some("CloudFormation"), Some("Stack")) => "nested stack".to_owned(),
        (Some(service), Some(name)) => format!("{service} {name}"),
        _ => kind.to_owned(),
    }
}

/// `{{words text}}`: the text escaped, then each `value` in backticks set as code.
fn words_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn HbOutput,
) -> HelperResult {
    let text = h.param(0).and_then(|p| p.value().as_str()).ok_or_else(|| {
        RenderError::from(handlebars::RenderErrorReason::InvalidParamType(
            "words takes a string",
        ))
    })?;
    out.write(&words_html(text))?;
    Ok(())
}

/// Escaped text with `` `code` `` spans as `<code>`; an unpaired backtick stays a backtick.
fn words_html(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let code = i % 2 == 1 && i + 1 < parts.len();
        match code {
            true => out.push_str(&format!("<code>{}</code>", escape(part))),
            false if i % 2 == 1 => out.push_str(&format!("`{}", escape(part))),
            false => out.push_str(&escape(part)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::fixtures;

    fn buttons(product: &str) -> Vec<Button> {
        ["access", "root"]
            .iter()
            .map(|m| Button {
                label: format!("Launch the {m} stack"),
                stack_name: format!("{product}-prod-{m}"),
                region: "us-east-1".into(),
                url: format!("https://console.example/{m}?a=1&b=<2>"),
            })
            .collect()
    }

    fn page_html(output: &Output, model: &Model, cost: Option<Cost>) -> String {
        render(&Page {
            model,
            output,
            customer: "Globex <Corp> & Sons",
            buttons: buttons(&model.product),
            cost,
        })
        .unwrap()
    }

    #[test]
    fn the_page_escapes_names_and_links_and_holds_no_script() {
        let (model, output) = fixtures::model_and_output("acme-api", "prod");
        let html = page_html(&output, &model, None);
        assert!(html.contains("Globex &lt;Corp&gt; &amp; Sons"), "{html}");
        assert!(
            html.contains("href=\"https://console.example/access?a&#x3D;1&amp;b&#x3D;&lt;2&gt;\""),
            "{html}"
        );
        assert!(!html.contains("<script"));
        assert!(!html.contains("Globex <Corp>"));
        let access = html.find("Launch the access stack").unwrap();
        let root = html.find("Launch the root stack").unwrap();
        assert!(access < root, "buttons in the order given");
    }

    #[test]
    fn the_customers_vpc_and_what_its_subnets_need_show_only_for_an_existing_vpc() {
        let (model, output) = fixtures::model_and_output("acme-api", "prod");
        assert!(!page_html(&output, &model, None).contains("id=\"your-network\""));
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/network/byoa.yaml");
        let text = std::fs::read_to_string(&path).expect("the network fixture");
        let loaded = crate::spec::load_str(&path, &text, Some("customer-vpc"), &Default::default())
            .expect("valid");
        let output = crate::synth::synthesize(&loaded, crate::cfn::emit::Format::Yaml, None)
            .expect("synthesizes");
        let html = page_html(&output, &loaded.model, None);
        assert!(html.contains("id=\"your-network\""), "{html}");
        for label in [
            "VPC",
            "Public subnets",
            "Private subnets",
            "Database subnets",
        ] {
            assert!(
                html.contains(&format!("<strong>{label}</strong>")),
                "{label}"
            );
        }
        assert!(
            html.contains("VPC endpoints for ECR (api and dkr)"),
            "{html}"
        );
    }

    #[test]
    fn the_cost_section_shows_only_with_an_estimate() {
        let (model, output) = fixtures::model_and_output("acme-api", "prod");
        assert!(!page_html(&output, &model, None).contains("id=\"cost\""));
        let cost = Cost {
            monthly: "about 412 USD a month".into(),
            basis: "us-east-1 prices of 2026-11-01".into(),
        };
        let html = page_html(&output, &model, Some(cost));
        assert!(html.contains("id=\"cost\""));
        assert!(html.contains("about 412 USD a month"));
    }

    #[test]
    fn the_kill_switch_is_explained_only_when_the_access_template_has_it() {
        let (model, mut output) = fixtures::model_and_output("acme-api", "prod");
        let switch = "set its parameter <code>VendorAccess</code> to <code>Disabled</code>";
        let html = page_html(&output, &model, None);
        assert!(html.contains(switch), "{html}");
        let at_once = html.find(switch).unwrap();
        let for_good = html.find("For good: delete the access stack").unwrap();
        assert!(at_once < for_good, "the switch comes first");
        let access = output
            .templates
            .iter_mut()
            .find(|r| r.stack.module == "access")
            .unwrap();
        access.stack.template.parameters.shift_remove(KILL_SWITCH);
        assert!(!page_html(&output, &model, None).contains(switch));
    }

    #[test]
    fn the_trusts_parameters_are_explained_in_the_templates_words() {
        let (model, output) = fixtures::model_and_output("acme-api", "prod");
        let html = page_html(&output, &model, None);
        assert!(
            html.contains("<code>ExternalId</code>: The external ID the vendor gave you."),
            "{html}"
        );
    }

    #[test]
    fn the_permissions_and_the_counts_are_the_templates() {
        let (model, output) = fixtures::model_and_output("acme-api", "prod");
        let html = page_html(&output, &model, None);
        assert!(html.contains("stacks named <code>acme-api-prod-*</code>"));
        assert!(html.contains("data-sid=\"NeverTouchAuditTrail\""));
        let network = &output.templates[0].stack;
        let subnets = network
            .template
            .resources
            .values()
            .filter(|r| r.kind == "AWS::EC2::Subnet")
            .count();
        assert!(subnets > 0);
        let row = format!(
            "<td class=\"n\">{}</td>\n        <td class=\"kinds\">EC2 Subnet × {subnets}, ",
            network.template.resources.len()
        );
        assert!(html.contains(&row), "{row} in {html}");
    }

    #[test]
    fn fifty_services_fit_one_page() {
        let (model, output) = fixtures::model_and_output("acme-50", "prod");
        let html = page_html(&output, &model, None);
        assert_eq!(
            html.matches("<g class=\"node").count(),
            output.templates.len()
        );
        assert_eq!(
            html.matches("<tr data-stack=").count(),
            output.templates.len()
        );
    }

    #[test]
    fn backticks_become_code_after_escaping() {
        assert_eq!(words_html("a `<b>` c"), "a <code>&lt;b&gt;</code> c");
        assert_eq!(words_html("odd ` one"), "odd ` one");
    }
}
