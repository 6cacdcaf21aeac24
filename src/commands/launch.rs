//! `byoa launch`: publishes one product version's templates and gives each customer its
//! console quick-create links, access stack first, then the root.
//!
//! Orchestration only: loads the customers (checked against the spec), synthesizes each
//! environment once, lays the templates out (`launch::publish`), uploads them with `--bucket`
//! (through the AWS wall, in the vendor's account) or names them under `--base-url`, and
//! builds the links (`launch::links`). A link over `links::LONG_LINK` characters is a warning.

use std::collections::BTreeMap;
use std::io;

use serde_json::json;

use super::Ctx;
use crate::cli::{EventFormat, LaunchArgs};
use crate::customers::Customer;
use crate::deploy::Cloud;
use crate::deploy::aws::{Aws, Connection};
use crate::diag::{Code, Diagnostic};
use crate::exit;
use crate::launch::links::{self, TemplateParameter};
use crate::launch::page::{self, Button, Cost, Page};
use crate::launch::publish::{self, Layout};
use crate::naming::{self, console::ARTIFACT_BASE_URL};
use crate::synth::Output;

/// One stack's link for one customer.
struct Link {
    module: &'static str,
    stack_name: String,
    url: String,
}

pub fn run(ctx: &mut Ctx<'_>, args: &LaunchArgs) -> io::Result<i32> {
    // The customers, one synthesis per environment they use, each customer in a region where
    // its environment's templates can run: what rollout and fleet status load too.
    let fleet = match super::fleet::load(&args.fleet, &args.customers, args.all) {
        Ok(f) => f,
        Err(d) => return ctx.fail(&d),
    };
    let (outputs, models) = (&fleet.outputs, &fleet.models);
    let picked: Vec<&Customer> = fleet.selected.iter().collect();
    let layouts: BTreeMap<&String, Layout> = outputs
        .iter()
        .map(|(env, o)| (env, publish::layout(o)))
        .collect();
    let url = match where_templates_go(args, outputs, &layouts) {
        Ok(u) => u,
        Err(d) => return ctx.fail(&d),
    };
    let mut warnings = fleet.warnings.clone();
    let mut report = Vec::new();
    for c in &picked {
        let output = &outputs[&c.environment];
        let layout = &layouts[&c.environment];
        let links = match customer_links(c, output, layout, &*url) {
            Ok(l) => l,
            Err(d) => return ctx.fail(&[d]),
        };
        for l in &links {
            if l.url.len() > links::LONG_LINK {
                warnings.push(
                    Diagnostic::new(
                        Code::LaunchLongLink,
                        format!(
                            "the {} link for `{}` is {} characters long",
                            l.module,
                            c.id,
                            l.url.len()
                        ),
                    )
                    .as_warning()
                    .with_help(format!("links over {} characters break in some browsers and mail clients: prefill fewer parameters, or send the launch page instead", links::LONG_LINK)),
                );
            }
        }
        let page = match write_page(args, c, &models[&c.environment], output, &links) {
            Ok(p) => p,
            Err(d) => return ctx.fail(&[d]),
        };
        report.push((c, links, page));
    }
    ctx.warn(&warnings)?;
    match args.format {
        EventFormat::Json => {
            let rows: Vec<_> = report
                .iter()
                .map(|(c, links, page)| {
                    json!({
                        "page": page.display().to_string(),
                        "customer": c.id,
                        "account_id": c.account_id,
                        "region": c.region,
                        "environment": c.environment,
                        "links": links.iter().map(|l| json!({"stack": l.module, "stack_name": l.stack_name, "url": l.url})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            writeln!(ctx.out, "{}", serde_json::to_string_pretty(&rows)?)?;
        }
        EventFormat::Text => {
            for (c, links, page) in &report {
                writeln!(
                    ctx.out,
                    "{} ({}, account {}, {}, environment {})",
                    c.id, c.name, c.account_id, c.region, c.environment
                )?;
                for (i, l) in links.iter().enumerate() {
                    writeln!(
                        ctx.out,
                        "  {}. {} stack `{}`:\n     {}",
                        i + 1,
                        l.module,
                        l.stack_name,
                        l.url
                    )?;
                }
                writeln!(ctx.out, "  launch page: {}", page.display())?;
            }
        }
    }
    Ok(exit::OK)
}

/// Writes customer `c`'s launch page (`<pages>/<id>.html`, atomically) and returns its path.
fn write_page(
    args: &LaunchArgs,
    c: &Customer,
    model: &crate::spec::Model,
    output: &Output,
    links: &[Link],
) -> Result<std::path::PathBuf, Diagnostic> {
    let buttons = links
        .iter()
        .map(|l| Button {
            label: format!("Launch the {} stack", l.module),
            stack_name: l.stack_name.clone(),
            region: c.region.clone(),
            url: l.url.clone(),
        })
        .collect();
    let html = page::render(&Page {
        model,
        output,
        customer: &c.name,
        buttons,
        cost: cost(model, &c.region),
    })?;
    crate::synth::create_dir(&args.pages)?;
    let path = args.pages.join(format!("{}.html", c.id));
    crate::synth::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// The monthly estimate in the customer's region with the built-in price table and the spec's
/// usage assumptions; none when the estimate cannot be made (the page then shows no figure
/// rather than a wrong one).
fn cost(model: &crate::spec::Model, region: &str) -> Option<Cost> {
    let e = crate::cost::estimate_in(
        model,
        region,
        &crate::cost::table::PriceTable::builtin(),
        &crate::cost::assume::Assumptions::for_model(model),
    )
    .ok()?;
    let (monthly, basis) = crate::cost::headline(&e);
    Some(Cost { monthly, basis })
}

/// How a published key becomes the URL a link names.
type KeyUrl = Box<dyn Fn(&str) -> String>;

/// Uploads with `--bucket` and returns how a key becomes a URL.
fn where_templates_go(
    args: &LaunchArgs,
    outputs: &BTreeMap<String, Output>,
    layouts: &BTreeMap<&String, Layout>,
) -> Result<KeyUrl, Vec<Diagnostic>> {
    if let Some(base) = &args.base_url {
        // The console launches only templates it reads from S3.
        let s3 = base.starts_with("https://")
            && base
                .split('/')
                .nth(2)
                .is_some_and(|host| host.ends_with(".amazonaws.com") && host.contains("s3"));
        if !s3 {
            return Err(vec![Diagnostic::new(
                Code::LaunchTemplates,
                format!("`--base-url {base}` is not an S3 address: the console launches only templates it reads from S3"),
            )
            .with_help("give the bucket's address, e.g. `https://BUCKET.s3.REGION.amazonaws.com/PREFIX`, or use `--bucket`")]);
        }
        let base = base.trim_end_matches('/').to_owned();
        return Ok(Box::new(move |key: &str| format!("{base}/{key}")));
    }
    let bucket = args.bucket.clone().ok_or_else(|| {
        vec![Diagnostic::new(
            Code::LaunchTemplates,
            "give `--bucket` or `--base-url`",
        )]
    })?;
    let region = args.region.clone().unwrap_or_else(|| {
        outputs
            .values()
            .next()
            .map(|o| o.manifest.region.clone())
            .unwrap_or_default()
    });
    let cloud = Aws::connect(&Connection {
        region,
        endpoint_url: args.fleet.endpoint_url.clone(),
        profile: args.fleet.profile.clone(),
        role_arn: None,
        external_id: None,
    })
    .map_err(crate::deploy::run::aws)?;
    for layout in layouts.values() {
        for o in &layout.objects {
            cloud
                .put_object(&bucket, &o.key, o.body.as_bytes())
                .map_err(|e| {
                    vec![Diagnostic::new(Code::LaunchTemplates, format!("cannot publish `{}`: {e}", o.key))
                        .with_help("check the bucket's name and region, and that the credentials may put objects in it")]
                })?;
        }
    }
    Ok(Box::new(move |key: &str| cloud.object_url(&bucket, key)))
}

/// The access stack's link, then the root's, for customer `c`.
fn customer_links(
    c: &Customer,
    output: &Output,
    layout: &Layout,
    url: &dyn Fn(&str) -> String,
) -> Result<Vec<Link>, Diagnostic> {
    let mut out = Vec::new();
    for (module, key, prefill) in [
        (
            naming::ACCESS,
            &layout.access_key,
            vec![("ExternalId".to_owned(), c.external_id.clone())],
        ),
        (
            naming::ROOT,
            &layout.root_key,
            std::iter::once((ARTIFACT_BASE_URL.to_owned(), url(&layout.nested_prefix)))
                .chain(c.parameters.iter().map(|(k, v)| (k.clone(), v.clone())))
                .collect(),
        ),
    ] {
        let stack = &output
            .templates
            .iter()
            .find(|r| r.stack.module == module)
            .expect("every synthesis has an access and a root stack")
            .stack;
        let parameters: Vec<TemplateParameter<'_>> = stack
            .template
            .parameters
            .iter()
            .map(|(name, p)| TemplateParameter {
                name,
                no_echo: p.no_echo,
            })
            .collect();
        let link = links::quick_create(
            &c.region,
            &url(key),
            &stack.stack_name,
            &parameters,
            &prefill,
        )
        .map_err(|d| {
            let help = d.help.clone().unwrap_or_default();
            d.with_help(format!("{help} (customer `{}` in {})", c.id, c.environment))
        })?;
        out.push(Link {
            module,
            stack_name: stack.stack_name.clone(),
            url: link,
        });
    }
    Ok(out)
}
