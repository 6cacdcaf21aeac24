//! Command-line definitions (clap derive). Parsing only: no behaviour lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cfn::emit::Format;
use crate::report::DiagFormat;

/// Compile one validated spec into CloudFormation for bring-your-own-AWS deployments.
#[derive(Debug, Parser)]
#[command(name = "byoa", version, about, long_about = None, after_help = "\
Examples:
  byoa init --blueprint api-postgres my-product
  byoa validate my-product/byoa.yaml
  byoa synth my-product/byoa.yaml --env prod
  byoa schema > schemas/byoa.schema.json

Exit codes: 0 success, 1 findings, 2 error.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter spec from a blueprint.
    #[command(after_help = "\
Examples:
  byoa init my-product
  byoa init --blueprint api-postgres --name acme --vendor-account-id 111111111111 acme")]
    Init(InitArgs),

    /// Check a spec and print every problem with file:line:column.
    #[command(after_help = "\
Without --env, the spec and every environment in it are checked.

Examples:
  byoa validate
  byoa validate examples/acme-api/byoa.yaml --env prod --format json")]
    Validate(ValidateArgs),

    /// Compile the spec into CloudFormation templates and a manifest.
    #[command(after_help = "\
Examples:
  byoa synth --env dev
  byoa synth examples/acme-api/byoa.yaml --env prod --out build/prod --format json
  byoa synth --env prod --graph      # also out/graph.md, a diagram of the stacks")]
    Synth(SynthArgs),

    /// Print the JSON Schema of byoa.yaml (editors complete and check specs with it).
    #[command(after_help = "Example:\n  byoa schema > schemas/byoa.schema.json")]
    Schema,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to create the spec in.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Starter to use.
    #[arg(long, default_value = "api-postgres")]
    pub blueprint: String,

    /// Product name (default: the directory's name).
    #[arg(long)]
    pub name: Option<String>,

    /// The vendor's 12-digit AWS account id.
    #[arg(long, default_value = "123456789012")]
    pub vendor_account_id: String,

    /// Region to deploy into.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,

    /// Overwrite an existing byoa.yaml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SpecArgs {
    /// Path to the spec.
    #[arg(default_value = "byoa.yaml")]
    pub spec: PathBuf,

    /// Environment overlay to apply (a key of `environments:`).
    #[arg(long, short)]
    pub env: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiagFormat,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// Directory to write templates and manifest.json into.
    #[arg(long, short, default_value = "out")]
    pub out: PathBuf,

    /// Template format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    /// Also write graph.md: a Mermaid diagram of the stacks and their wiring.
    #[arg(long)]
    pub graph: bool,
}
