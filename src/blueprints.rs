//! Blueprints: handlebars starters for `byoa init`.
//!
//! Input: the blueprint name and the user's answers. Output: a commented `byoa.yaml` (and the
//! schema beside it, so editors complete the file offline). Templates are embedded in the
//! binary. Handlebars is used for these human-facing files only, never for CloudFormation.
//! Errors are `init.*` diagnostics (or `io.write`, naming the path).

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use serde_json::json;

use crate::diag::{Code, Diagnostic};
use crate::spec::catalogue::RuleCatalogue;
use crate::spec::schema::schema_text;
use crate::synth::{create_dir, write_atomic};

/// Embedded blueprints: name, description, template.
pub const BLUEPRINTS: &[(&str, &str, &str)] = &[(
    "api-postgres",
    "an HTTPS API and a worker on Fargate with RDS PostgreSQL",
    include_str!("../blueprints/api-postgres.yaml.hbs"),
)];

/// Renders blueprint `name` with the given values.
pub fn render(
    name: &str,
    product: &str,
    vendor_account_id: &str,
    region: &str,
) -> Result<String, Diagnostic> {
    let Some((_, _, template)) = BLUEPRINTS.iter().find(|(n, _, _)| *n == name) else {
        let known: Vec<String> = BLUEPRINTS
            .iter()
            .map(|(n, d, _)| format!("`{n}` ({d})"))
            .collect();
        return Err(
            Diagnostic::new(Code::InitBlueprint, format!("unknown blueprint `{name}`"))
                .with_help(format!("available: {}", known.join(", "))),
        );
    };
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(
        template,
        &json!({"name": product, "vendor_account_id": vendor_account_id, "region": region}),
    )
    .map_err(|e| {
        Diagnostic::new(
            Code::InitBlueprint,
            format!("blueprint `{name}` failed to render: {e}"),
        )
    })
}

/// `byoa init`: writes `byoa.yaml` and `byoa.schema.json` into `args.dir`, and returns the
/// spec's path with its warnings. The spec is validated (every environment) before anything is
/// written: an argument that makes it invalid (`--region us-east-7`, an account id of 11
/// digits) is refused as `init.argument`, and nothing is written.
pub fn init(
    args: &crate::cli::InitArgs,
    catalogue: &RuleCatalogue,
) -> Result<(PathBuf, Vec<Diagnostic>), Diagnostic> {
    let dir = &args.dir;
    let spec = dir.join("byoa.yaml");
    if spec.exists() && !args.force {
        return Err(Diagnostic::file_error(
            Code::InitExists,
            &spec,
            format!("`{}` already exists", spec.display()),
        )
        .with_help("pass `--force` to overwrite it"));
    }
    let name = match &args.name {
        Some(n) => n.clone(),
        None => default_name(dir),
    };
    if !crate::spec::validate::is_dns_label(&name) {
        return Err(Diagnostic::new(
            Code::InitName,
            format!("product name `{name}` is not valid"),
        )
        .with_help("use lowercase letters, digits and single hyphens (pass `--name`)"));
    }
    let text = render(
        &args.blueprint,
        &name,
        &args.vendor_account_id,
        &args.region,
    )?;
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        crate::spec::check_str(&spec, &text, catalogue)
            .into_iter()
            .partition(Diagnostic::is_error);
    if let Some(e) = errors.into_iter().next() {
        let mut refused = Diagnostic::new(
            Code::InitArgument,
            format!(
                "nothing written: the spec would not validate: {}",
                e.message
            ),
        );
        refused.help = e.help;
        return Err(refused);
    }
    create_dir(dir)?;
    write_atomic(&dir.join("byoa.schema.json"), schema_text().as_bytes())?;
    write_atomic(&spec, text.as_bytes())?;
    Ok((spec, warnings))
}

fn default_name(dir: &Path) -> String {
    let base = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    base.file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.to_ascii_lowercase().replace(['_', ' ', '.'], "-"))
        .filter(|n| crate::spec::validate::is_dns_label(n))
        .unwrap_or_else(|| "my-product".to_owned())
}
