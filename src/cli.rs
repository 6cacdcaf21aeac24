//! Command-line definitions (clap derive). Parsing only: no behaviour lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cfn::emit::Format;
use crate::diff::render::DiffFormat;
use crate::policy::report::CheckFormat;
use crate::report::DiagFormat;

/// Compile one validated spec into CloudFormation for bring-your-own-AWS deployments.
#[derive(Debug, Parser)]
#[command(name = "byoa", version, about, long_about = None, after_help = "\
Examples:
  byoa init --blueprint api-postgres my-product
  byoa validate my-product/byoa.yaml
  byoa synth my-product/byoa.yaml --env prod
  byoa check --profile hipaa --format sarif > check.sarif
  byoa diff /tmp/before out
  byoa deploy --env dev --parameter CertificateArn=arn:...
  byoa access verify --customer acme-corp
  byoa rollout --all --report rollout.json
  byoa fleet status
  byoa schema > schemas/byoa.schema.json

Exit codes: 0 success, 1 findings, 2 error, 3 stopped by the deploy's data-loss guard.")]
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

    /// Estimate what the environment's stacks cost a month, offline, from a dated price table.
    #[command(after_help = "\
Prices come from the price table built into byoa (pricing/aws.json: AWS on-demand list prices,
each entry with its source and date); --prices applies a file of negotiated rates on top.
Usage-based lines rest on assumptions (GB through NAT, load balancer capacity units, log
volume, ...): defaults per environment, each printed with the estimate, each overridable.
A line whose price the table lacks for the region is shown as unpriced, never as zero.

Examples:
  byoa cost --env prod
  byoa cost examples/acme-api/byoa.yaml --env dev --format markdown
  byoa cost --env prod --assume nat_gb=500 --assume alb_lcu=3
  byoa cost --env prod --prices rates.json   # {\"prices\": {\"nat.gb\": {\"us-east-1\": 0.03}}}")]
    Cost(CostArgs),

    /// Compile the spec into CloudFormation templates and a manifest.
    #[command(after_help = "\
Examples:
  byoa synth --env dev
  byoa synth examples/acme-api/byoa.yaml --env prod --out build/prod --format json
  byoa synth --env prod --graph      # also out/graph.md, a diagram of the stacks
  byoa synth --env prod --access-doc # also out/access.md, the vendor's permissions in words")]
    Synth(SynthArgs),

    /// Check templates against the compliance rules (CloudFormation Guard, in-process).
    #[command(after_help = "\
Without PATHS, the templates listed in out/manifest.json are checked, re-synthesized first when
the spec changed since. Profiles default to the spec's `compliance.profiles`, else all of them;
the spec's `compliance.exceptions` suppress findings until they expire.

Examples:
  byoa check --env prod
  byoa check --profile hipaa --format sarif > check.sarif
  byoa check out/ --format markdown > controls.md
  byoa check template.yaml --rules my-rules/ --profile soc2

Exit codes: 0 no findings, 1 findings, 2 error.")]
    Check(CheckArgs),

    /// Compare two sets of templates: what each stack gains, loses, replaces or breaks.
    #[command(after_help = "\
OLD and NEW are each a directory of templates (an out/ folder: the templates its manifest.json
lists, else every template file in it) or one template file. Stacks pair by file name, so a
YAML out/ compares with a JSON one. Replacement is predicted from CloudFormation's resource
provider schemas (create-only properties) and spreads through Ref, GetAtt and Sub.
With --deployed, OLD is the account itself: the templates of the stacks that NEW's manifest
names (the root and its nested stacks, or the access stack), reached as `byoa deploy` does.

Examples:
  byoa synth --env prod --out /tmp/before   # before an edit of byoa.yaml
  byoa synth --env prod && byoa diff /tmp/before
  byoa diff old/database.yaml out/database.yaml --text
  byoa diff /tmp/before out --format json
  byoa diff /tmp/before out --cost --assume nat_gb=500   # assumptions: byoa.yaml, then these
  byoa diff --deployed --role-arn arn:aws:iam::123456789012:role/acme-deployer --external-id $ID

Exit codes: 0 no changes, 1 changes, 2 error, 3 the monthly cost rises by more than
--max-cost-increase.")]
    Diff(DiffArgs),

    /// Deploy the product's stacks into an account through a change set, stopping before data loss.
    #[command(after_help = "\
Synthesizes the spec into --out, uploads the module templates to the access stack's artifact
bucket, makes a change set for the root stack (nested stacks included), shows it, and executes
it while following the events. A change set that would replace, may replace or delete a data
store (database, key, secret, log group, repository, bucket) or drop the DeletionPolicy that
keeps its data stops the deploy: confirm on a terminal, or allow each resource with
--allow-replace. Without a terminal, it stops. The access stack belongs to the customer and is
deployed only with --stack access.

Examples:
  byoa deploy --env dev --parameter AvailabilityZones=us-east-1a,us-east-1b \\
      --parameter CertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/abc
  byoa deploy --env prod --role-arn arn:aws:iam::123456789012:role/acme-deployer --external-id $ID
  byoa deploy --env prod --review              # make the change set, leave it for review
  byoa deploy --env prod --allow-replace database/Database

Ctrl-C while the events are followed stops the following, not the deployment: `byoa status
--follow` picks it up again.

Exit codes: 0 deployed or nothing to change, 2 error or failed deployment, 3 stopped by the
data-loss guard, 130 Ctrl-C while following.")]
    Deploy(DeployArgs),

    /// Delete the product's stacks (or, named, the access stack), saying what stays behind.
    #[command(after_help = "\
Lists every data store of the deployed stacks (nested ones included) and its fate: retained
(stays, with its physical id), deleted with a final snapshot, or deleted with its data; then
deletes the stack and follows it until it is gone. A stack holding any data store is deleted
only when confirmed on a terminal or with --confirm and the stack's name. The access stack is
refused while the product's root stack exists (its execution role is what deletes them). The
vendor's deployer role may not delete stacks (the access stack grants no DeleteStack): destroy
runs with the customer's credentials, or in an account you own.

Examples:
  byoa destroy --env dev
  byoa destroy --env dev --confirm acme-api-dev-root     # no terminal (CI)
  byoa destroy --env dev --stack access --confirm acme-api-dev-access

Exit codes: 0 deleted or nothing to delete, 2 error or failed delete, 3 not confirmed.")]
    Destroy(DestroyArgs),

    /// Detect what changed in the account outside CloudFormation (nested stacks included).
    #[command(after_help = "\
Examples:
  byoa drift --env prod
  byoa drift --env prod --stack access

Exit codes: 0 in sync (or not deployed), 1 drifted, 2 error or drift not detectable.")]
    Drift(StatusArgs),

    /// Show a deployed stack: its status, its nested stacks', its latest events, the way out of
    /// a stuck state; with --follow, follow an operation until it settles.
    #[command(after_help = "\
Examples:
  byoa status --env prod
  byoa status --env prod --follow       # after Ctrl-C stopped `byoa deploy` following

Exit codes: 0 the stack is settled and healthy (or absent), 2 error, failed or stuck.")]
    Status(StatusArgs),

    /// Prove a customer's access works as it should: their external id opens the deployer
    /// role, a wrong or missing one does not, the access stack's outputs are byoa's.
    #[command(subcommand)]
    Access(AccessCommand),

    /// Deploy this version of the product to many customers' accounts, in waves.
    #[command(after_help = "\
Customers come from customers.yaml beside the spec (--customers FILE for another). The canaries
(`canary: true`) deploy first, together; then the others in batches of --batch-size, at most
--concurrency at a time, each through its own deployer role and external id, in its own region,
with its parameters over the root stack's. Each customer goes through the deploy's change set and
data-loss guard: a change set that would lose data stops that customer (blocked, never allowed
by a rollout). A customer not deployed counts against --max-failures; past it (or when a canary
is not deployed) the customers left are not started. Every customer keeps its row: a live table
on a terminal, a line per change in a log, and a JSON report (--report FILE, --format json).

With --engine stacksets, CloudFormation StackSets deploys instead (see docs/fleet.md): the
same flags become the operation's preferences.

Examples:
  byoa rollout --all
  byoa rollout --customer acme-corp,globex --concurrency 2
  byoa rollout --all --batch-size 20 --max-failures 2 --report rollout.json
  byoa rollout --all --engine stacksets --org-unit ou-abcd-12345678

Exit codes: 0 every customer deployed or unchanged, 2 a customer failed or was halted (or
an error), 3 only stopped by the data-loss guard.")]
    Rollout(RolloutArgs),

    /// The fleet: every customer's deployed version, stack status, drift and access, read live.
    #[command(subcommand)]
    Fleet(FleetCommand),

    /// Print the JSON Schema of byoa.yaml (editors complete and check specs with it).
    #[command(after_help = "Example:\n  byoa schema > schemas/byoa.schema.json")]
    Schema,

    /// Manage customers.yaml: the customer accounts of the product.
    Customers(CustomersArgs),

    /// Publish the templates and print each customer's quick-create links (and launch page).
    #[command(after_help = "\
The access stack's link prefills the customer's external id; the root stack's prefills where
its nested templates are and the customer's `parameters` from customers.yaml. Everything
else is chosen in the console's form. The bucket must let the customers' CloudFormation read
its objects (a bucket policy for their accounts or organization); keys are content-addressed,
so a link sent earlier keeps launching what it launched then.

Examples:
  byoa launch --customer acme-corp --bucket acme-launch-templates
  byoa launch --all --base-url https://templates.example.com/acme --format json")]
    Launch(LaunchArgs),
}

#[derive(Debug, Args)]
pub struct LaunchArgs {
    #[command(flatten)]
    pub fleet: CustomerArgs,

    /// The customer to launch (repeatable).
    #[arg(long = "customer", value_name = "ID", required_unless_present = "all")]
    pub customers: Vec<String>,

    /// Every customer of customers.yaml.
    #[arg(long, conflicts_with = "customers")]
    pub all: bool,

    /// Upload the templates to this S3 bucket (in the vendor's account) and link to them.
    #[arg(
        long,
        required_unless_present = "base_url",
        conflicts_with = "base_url"
    )]
    pub bucket: Option<String>,

    /// Link to templates hosted under this URL instead (upload the printed keys yourself).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Directory the launch pages are written to (`<dir>/<customer>.html`).
    #[arg(long, default_value = "out/launch")]
    pub pages: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: EventFormat,

    /// The bucket's region (default: the spec's region).
    #[arg(long)]
    pub region: Option<String>,
}

#[derive(Debug, Args)]
pub struct CustomersArgs {
    #[command(subcommand)]
    pub command: CustomersCommand,
}

#[derive(Debug, Subcommand)]
pub enum CustomersCommand {
    /// Add a customer, with a new external id generated by byoa.
    #[command(after_help = "\
The external id is generated (40 random letters and digits), never chosen: the customer's
deployer role requires it, and one per customer keeps one customer from making the vendor act
in another's account. It is not a secret. The entry is appended to customers.yaml (comments
kept), checked against the spec first; nothing is written if it does not validate.

Example:
  byoa customers add acme-corp --name \"Acme Corp\" --account 222222222222 --region eu-west-1 --env prod")]
    Add(CustomersAddArgs),

    /// Print the JSON Schema of customers.yaml.
    Schema,
}

#[derive(Debug, Args)]
pub struct CustomersAddArgs {
    /// The customer's id: lowercase letters, digits and hyphens.
    pub id: String,

    /// The customer's name, as its people read it.
    #[arg(long)]
    pub name: String,

    /// The customer's 12-digit AWS account id.
    #[arg(long, value_name = "ACCOUNT_ID")]
    pub account: String,

    /// The region the customer runs the product in.
    #[arg(long)]
    pub region: String,

    /// The spec's environment the customer runs (default: the spec's only one).
    #[arg(long, short)]
    pub env: Option<String>,

    /// A value for a root stack parameter in this account (repeatable).
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,

    /// Deploy to this customer in a rollout's first wave.
    #[arg(long)]
    pub canary: bool,

    /// Path to the spec.
    #[arg(long, default_value = "byoa.yaml")]
    pub spec: PathBuf,

    /// The customers file (default: customers.yaml beside the spec).
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
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

    /// The vendor's 12-digit AWS account id (the default is AWS's documentation example: replace
    /// it before anyone launches the access stack).
    #[arg(long, default_value = crate::spec::validate::PLACEHOLDER_ACCOUNT)]
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
pub struct CostArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: CostFormat,

    /// A usage assumption, `key=value` (repeatable), e.g. `nat_gb=500`.
    #[arg(long = "assume", value_name = "KEY=VALUE")]
    pub assume: Vec<String>,

    /// A price-override file (negotiated rates) applied on top of the built-in table.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,

    /// Price the stacks in this region instead of the spec's (one the residency allows).
    #[arg(long)]
    pub region: Option<String>,
}

/// How `byoa cost` prints its estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CostFormat {
    #[default]
    Text,
    Json,
    Markdown,
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

    /// Also write access.md: every permission the access template gives the vendor, who may
    /// assume each role, and what the vendor cannot do, for a customer's security reviewer.
    #[arg(long)]
    pub access_doc: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Template files or directories to check (default: the templates in --out).
    pub paths: Vec<PathBuf>,

    /// The spec: compliance profiles and exceptions (default: byoa.yaml, when it exists).
    #[arg(long)]
    pub spec: Option<PathBuf>,

    /// Environment overlay of the spec (default: the one out/manifest.json records).
    #[arg(long, short)]
    pub env: Option<String>,

    /// Directory of synthesized templates, used when no PATHS are given.
    #[arg(long, short, default_value = "out")]
    pub out: PathBuf,

    /// Profile to check against (repeatable): soc2, hipaa, pci-dss, iso27001, gdpr, ...
    #[arg(long = "profile", short = 'p', value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Directory of your own rules (`*.guard`, or `rules/` and `profiles/` like policies/).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,

    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    pub format: CheckFormat,

    /// Add the control matrix to the text report.
    #[arg(long)]
    pub controls: bool,

    /// Judge exception expiry as of this date, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// Directory the synthesized templates are written to before they are deployed.
    #[arg(long, short, default_value = "out")]
    pub out: PathBuf,

    /// Which stack: the product's root stack, or the customer's access stack.
    #[arg(long, value_enum, default_value_t)]
    pub stack: DeployStack,

    /// A value for a stack parameter (repeatable). Without one, an update keeps the deployed
    /// value and a create uses the template's default.
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,

    /// Let the change set replace or delete this stateful resource: `LogicalId` or
    /// `stack/LogicalId` as the deploy names it (repeatable).
    #[arg(long = "allow-replace", value_name = "ID")]
    pub allow_replace: Vec<String>,

    /// Make the change set and stop: someone reviews it, and a rerun executes it.
    #[arg(long)]
    pub review: bool,

    /// A stack stuck in UPDATE_ROLLBACK_FAILED: continue its rollback first (skipping the
    /// resources that failed to roll back), then deploy.
    #[arg(long)]
    pub continue_rollback: bool,

    /// Skip drift detection before an update (it takes seconds to minutes on large stacks).
    #[arg(long)]
    pub no_drift: bool,

    /// How to print the events followed: lines for people, or JSON lines for machines on
    /// standard output (everything else then goes to standard error).
    #[arg(long, value_enum, default_value_t)]
    pub events: EventFormat,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// How to reach the customer's account.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// AWS region (default: the spec's region; another one is refused).
    #[arg(long)]
    pub region: Option<String>,

    /// AWS profile for the credentials (default: the standard chain).
    #[arg(long)]
    pub profile: Option<String>,

    /// The customer's deployer role, assumed first (the access stack's `DeployerRoleArn`).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,

    /// The external id the deployer role's trust requires.
    #[arg(long, requires = "role_arn")]
    pub external_id: Option<String>,

    /// Send every AWS call to this endpoint (an AWS-compatible server such as moto).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// Which stack: the product's root stack, or the customer's access stack.
    #[arg(long, value_enum, default_value_t)]
    pub stack: DeployStack,

    /// Delete without asking, naming the stack to delete (it must match).
    #[arg(long, value_name = "STACK")]
    pub confirm: Option<String>,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// Which stack: the product's root stack, or the customer's access stack.
    #[arg(long, value_enum, default_value_t)]
    pub stack: DeployStack,

    /// Follow a running operation until the stack settles.
    #[arg(long)]
    pub follow: bool,

    /// How many of the latest events to show.
    #[arg(long, default_value_t = 10)]
    pub events: usize,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// How `byoa deploy` prints the events it follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum EventFormat {
    #[default]
    Text,
    Json,
}

/// The stack `byoa deploy` deploys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DeployStack {
    #[default]
    Root,
    Access,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The templates before: a directory (an out/ folder) or one template file. With
    /// --deployed, the templates after (default: out).
    #[arg(required_unless_present = "deployed")]
    pub old: Option<PathBuf>,

    /// The templates after: a directory or one template file (default: out).
    #[arg(conflicts_with = "deployed")]
    pub new: Option<PathBuf>,

    /// Compare with the stacks deployed in the account (their templates as submitted), the
    /// root's nested stacks included, instead of OLD.
    #[arg(long)]
    pub deployed: bool,

    /// With --deployed: which stack.
    #[arg(long, value_enum, default_value_t, requires = "deployed")]
    pub stack: DeployStack,

    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,

    /// Add a unified text diff of each changed template.
    #[arg(long)]
    pub text: bool,

    /// Add the monthly cost change per stack and in total (`byoa cost`'s table, in the region
    /// and environment NEW's manifest records, with the usage assumptions `byoa cost` uses
    /// for that environment: the spec's `cost.assume`, then --assume).
    #[arg(long)]
    pub cost: bool,

    /// Exit 3 when the monthly cost (its upper bound) rises by more than this many USD
    /// (implies --cost).
    #[arg(long, value_name = "USD")]
    pub max_cost_increase: Option<f64>,

    /// The spec NEW was synthesized from, whose `cost.assume` (with the environment's
    /// overlay) the cost change uses [default: byoa.yaml, when it exists].
    #[arg(long, value_name = "PATH")]
    pub spec: Option<PathBuf>,

    /// A usage assumption for the cost change, `key=value` (repeatable), as `byoa cost
    /// --assume`.
    #[arg(long = "assume", value_name = "KEY=VALUE")]
    pub assume: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// Assume the customer's deployer role with its external id (must work), with a wrong one
    /// and with none (both must be refused), and compare the access stack's outputs with what
    /// byoa expects.
    #[command(after_help = "\
Examples:
  byoa access verify --customer acme-corp

Exit codes: 0 every check passed, 1 a check failed, 2 error (or AWS gave no answer that proves
anything).")]
    Verify(AccessVerifyArgs),
}

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// One line per customer: deployed version (current or behind this synthesis), stack status,
    /// drift, access.
    #[command(after_help = "\
The version is the hash of the templates deployed (the root stack's template and the module
templates its ArtifactBaseUrl names), compared with this synthesis. Drift is the last detection's
result (`byoa drift` runs one).

Examples:
  byoa fleet status
  byoa fleet status --format json > fleet.json

Exit codes: 0 every customer current, settled, in sync and reachable; 1 otherwise; 2 error.")]
    Status(FleetStatusArgs),
}

/// The customers a fleet command acts on.
#[derive(Debug, Args)]
pub struct CustomerArgs {
    /// Path to the spec.
    #[arg(default_value = "byoa.yaml")]
    pub spec: PathBuf,

    /// The customers file (default: customers.yaml beside the spec).
    #[arg(long = "customers", value_name = "FILE")]
    pub customers_file: Option<PathBuf>,

    /// AWS profile for the vendor's own credentials (default: the standard chain).
    #[arg(long)]
    pub profile: Option<String>,

    /// Send every AWS call to this endpoint (an AWS-compatible server such as moto).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct AccessVerifyArgs {
    #[command(flatten)]
    pub fleet: CustomerArgs,

    /// The customer's id in customers.yaml.
    #[arg(long)]
    pub customer: String,
}

/// How a fleet command prints its table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    #[default]
    Text,
    Json,
}

/// What deploys the customers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// byoa's own waves, one change set per customer through its deployer role.
    #[default]
    Waves,
    /// CloudFormation StackSets from the vendor's (or the Organization's administrator) account.
    Stacksets,
}

#[derive(Debug, Args)]
pub struct RolloutArgs {
    #[command(flatten)]
    pub fleet: CustomerArgs,

    /// The customers to deploy (ids, repeatable or comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub customer: Vec<String>,

    /// Every customer in the file.
    #[arg(long)]
    pub all: bool,

    /// Customers per wave after the canaries.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,

    /// Customers deploying at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: u32,

    /// Customers that may fail (or be blocked) before the remaining ones are not started.
    #[arg(long, default_value_t = 0)]
    pub max_failures: u32,

    /// A value for a root stack parameter, for every customer (repeatable); a customer's own
    /// `parameters` win.
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,

    /// Also write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Print the final table as text, or the JSON report on standard output.
    #[arg(long, value_enum, default_value_t)]
    pub format: TableFormat,

    /// What deploys: byoa's waves, or CloudFormation StackSets.
    #[arg(long, value_enum, default_value_t)]
    pub engine: Engine,

    /// With --engine stacksets: the vendor's template bucket (readable by the customers'
    /// accounts) the templates are uploaded to, content-addressed.
    #[arg(long, value_name = "BUCKET")]
    pub bucket: Option<String>,

    /// With --engine stacksets: deploy to the accounts of these Organization units
    /// (service-managed permissions) instead of the customers' account ids (self-managed).
    #[arg(long = "org-unit", value_name = "OU")]
    pub org_units: Vec<String>,
}

#[derive(Debug, Args)]
pub struct FleetStatusArgs {
    #[command(flatten)]
    pub fleet: CustomerArgs,

    /// Only these customers (ids, repeatable or comma-separated); default: all.
    #[arg(long, value_delimiter = ',')]
    pub customer: Vec<String>,

    /// Accounts read at the same time.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: u32,

    #[arg(long, value_enum, default_value_t)]
    pub format: TableFormat,
}
