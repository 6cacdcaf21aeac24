//! Diagnostics: the one model for every problem found in a user's files.
//!
//! Stages produce `Diagnostic`s as data (never early returns, never prints); each names a stable
//! `Code`, a message, where the problem is and a help line. Where is a JSON pointer into the
//! spec (which `SourceMap`, in `spec::source`, turns into `file:line:column`), or a `Location`
//! in any other file the user deals with (a template, a rule file, an output path), with or
//! without a line, or nothing for a problem in the command line itself. Renderers live in
//! `report`.

use std::fmt;
use std::path::{Path, PathBuf};

macro_rules! codes {
    ($($variant:ident = $code:literal : $summary:literal,)*) => {
        /// A stable diagnostic code. Users grep for these and CI may key on them: never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users see it, e.g. `network.cidr-overlap`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    IoNotFound = "io.not-found": "the spec file does not exist",
    IoIsDirectory = "io.is-directory": "a directory was given where a spec file was expected",
    IoTooLarge = "io.too-large": "the spec file is larger than byoa reads (1 MiB)",
    IoNotText = "io.not-text": "the spec file is not UTF-8 text",
    IoRead = "io.read": "the spec file could not be read",
    YamlSyntax = "yaml.syntax": "the file is not valid YAML",
    YamlDuplicateKey = "yaml.duplicate-key": "a mapping has the same key twice",
    YamlEmpty = "yaml.empty": "the file holds no YAML document",
    YamlNotMapping = "yaml.not-mapping": "the top level of the spec is not a mapping",
    SpecUnknownField = "spec.unknown-field": "a field that the spec does not define",
    SpecMissingField = "spec.missing-field": "a required field is absent",
    SpecType = "spec.type": "a value has the wrong type",
    SpecEnum = "spec.enum": "a value is not one of the allowed choices",
    SpecRange = "spec.range": "a number or length is outside its allowed range",
    SpecPattern = "spec.pattern": "a string does not have the required form",
    SpecInvalid = "spec.invalid": "a value breaks a schema rule",
    EnvUnknown = "env.unknown": "the selected environment is not defined in `environments`",
    EnvName = "env.name": "an environment name is not valid",
    EnvOverlap = "env.overlap": "an environment's name starts with another's, so the vendor access of one reaches the other",
    EnvUnknownService = "env.unknown-service": "an environment overlay names a service the spec does not define (overlays change services, they do not add them)",
    ProductName = "product.name": "the product name cannot be used in stack and resource names",
    ProductAccountId = "product.account-id": "the vendor account id is not 12 digits",
    ProductPlaceholderAccount = "product.placeholder-account": "the vendor account id is `123456789012`, the example AWS's documentation uses (a warning)",
    ProductTag = "product.tag": "a tag key or value breaks AWS tag rules",
    RegionUnknown = "region.unknown": "the region is not a known commercial AWS region",
    ResidencyRegion = "residency.region-not-allowed": "the region is outside the chosen data residency",
    NetworkCidrSyntax = "network.cidr-syntax": "a CIDR block is not valid IPv4 CIDR notation",
    NetworkVpcSize = "network.vpc-size": "the VPC CIDR is not between /16 and /28",
    NetworkSubnetTooSmall = "network.subnet-too-small": "a subnet is too small for what it hosts",
    NetworkSubnetOutsideVpc = "network.subnet-outside-vpc": "a subnet is not inside the VPC CIDR",
    NetworkCidrOverlap = "network.cidr-overlap": "two subnets overlap",
    NetworkSubnetCount = "network.subnet-count": "a subnet tier does not have one CIDR per zone",
    NetworkAzCount = "network.az-count": "the number of availability zones does not fit the region",
    NetworkZone = "network.zone": "an availability zone is not in the spec's region",
    NetworkNoEgress = "network.no-egress": "services have no way out of the VPC (`nat: none` and `endpoints: false`), so their tasks cannot pull images or send logs",
    NetworkExistingField = "network.existing-field": "a field that shapes byoa's own VPC is set for the customer's existing VPC (`existing: true`)",
    NetworkEgress = "network.egress": "an egress rule is not valid (a bad or repeated destination, port 443, which is always allowed, or a description EC2 refuses), or opens the whole internet or a way with no route (warnings)",
    NetworkNoLoadBalancer = "network.no-load-balancer": "a service is exposed but the load balancer is off",
    NetworkRetention = "network.retention": "a log retention is not a value CloudWatch Logs accepts",
    NetworkHttpOnly = "network.http-only": "the load balancer serves plain HTTP outside a development environment's overlay, or with a compliance profile selected",
    NetworkSslPolicy = "network.ssl-policy": "the listener's TLS policy is not one of the predefined security policies of Application Load Balancers",
    ServiceName = "service.name": "a service name is not valid or not unique",
    ServiceFargateSize = "service.fargate-size": "the cpu and memory pair is not a Fargate task size",
    ServicePort = "service.port": "an exposed service has no port, or a port below 1024 that a container not running as root cannot open",
    ServiceDatabase = "service.database": "a service uses a database the spec does not have",
    ServiceEnvironment = "service.environment": "an environment variable is set twice or is reserved",
    ServicePlaintextSecret = "service.plaintext-secret": "an environment variable named like a secret (`DB_PASSWORD`, `DB_PASS`, `API_KEY`, `*_TOKEN`) has its value written in the spec",
    ServiceScaling = "service.scaling": "the scaling bounds are inconsistent, or a maximum has no metric to scale on",
    ServiceRoute = "service.route": "a load balancer route is missing, used twice, or has a path pattern, host header or number of values a listener rule refuses",
    ServiceHealthCheck = "service.health-check": "a load balancer health-check path does not start with `/` or is too long, or a container health-check command does not start with `CMD` or `CMD-SHELL`",
    ServiceReservedName = "service.reserved-name": "a service name would give a template id that byoa uses for something else",
    ServiceUser = "service.user": "a service's container would run as root",
    ServiceSpot = "service.spot": "a service runs on Fargate Spot in a production environment, or in a spec without environments",
    ServiceSidecar = "service.sidecar": "a sidecar's name, image, port, CPU or memory does not fit its task",
    ServiceSecret = "service.secret": "a secret is neither a Secrets Manager secret (name or ARN) nor an SSM parameter (`ssm:NAME` or ARN)",
    ServiceSecretStore = "service.secret-store": "a Secrets Manager secret name has the shape of an SSM parameter path (a warning: ECS would ask Secrets Manager for it)",
    ServicePermissionAction = "service.permission-action": "a task permission names an action that is not `service:Action` or that AWS's IAM action catalogue does not know",
    ServicePermissionWildcard = "service.permission-wildcard": "a task permission grants every action of a service (`s3:*`) or of the services a prefix pattern matches (`s*:Get*`), without an exception",
    ServicePermissionResource = "service.permission-resource": "a task permission's resource is not an ARN, `*` or a resource byoa creates, or no action of its grant can act on it",
    ServicePermissionAccountWide = "service.permission-account-wide": "a task permission reaches every resource of a type in the account (`*`, `arn:aws:s3:::*`), not only named ones, without an exception",
    ServicePermissionDenied = "service.permission-denied": "a task permission names IAM actions (`iam:PassRole`, or `*` and patterns that cover IAM), which the permissions boundary denies every product role",
    ServicePermissionsSize = "service.permissions-size": "the task permissions of all services do not fit the permissions boundary (IAM allows 6,144 characters a managed policy)",
    SecretKnownToken = "secret.known-token": "a spec value has the shape of a credential: a provider's token (AWS access key id, GitHub, GitLab, Slack, Stripe, Google, ...), a PEM private key or a JSON Web Token",
    SecretUrlCredentials = "secret.url-credentials": "a URL in the spec carries a password (`scheme://user:password@host`)",
    SecretHighEntropy = "secret.high-entropy": "a spec value holds a random-looking string that may be a key or token (a warning)",
    DatabaseStorage = "database.storage": "the storage settings are inconsistent",
    DatabaseName = "database.name": "the database name is not valid for PostgreSQL",
    DatabaseInstanceClass = "database.instance-class": "the instance class is not `db.<family>.<size>`, or RDS does not offer it for the engine version or in the region",
    DatabaseEngineVersion = "database.engine-version": "the engine version is not a PostgreSQL version RDS can still create",
    DatabaseIdentifier = "database.identifier": "a database instance's fixed identifier (`<product>-<environment>-<database name>`, `-replica-<n>`) is not one RDS takes",
    DatabaseIdentifierGenerated = "database.identifier-generated": "an environment keeps CloudFormation's generated database identifiers, so RDS creates the database log groups unencrypted and kept forever (a warning)",
    DatabaseWindow = "database.window": "a backup or maintenance window is not real UTC times, is shorter than 30 minutes, or the two overlap",
    ComplianceExceptionDate = "compliance.exception-date": "an exception's `expires` is not a calendar date",
    ComplianceConflict = "compliance.conflict": "a spec value breaks a control of a selected compliance profile",
    ComplianceUnknownRule = "compliance.unknown-rule": "an exception names a rule byoa does not have",
    ComplianceHookException = "compliance.hook-exception": "the in-account hook cannot honour an exception that expires or names no resource",
    AccessArn = "access.arn": "the vendor role ARN is not an IAM role of the vendor account",
    AccessVendorRole = "access.vendor-role": "the spec names no vendor role for the deployer role to trust",
    AccessWholeAccount = "access.whole-account": "the deployer role trusts every principal of the vendor account",
    AccessMfaPipeline = "access.mfa-pipeline": "MFA is required of a vendor role whose name says a pipeline assumes it, and pipelines never carry MFA (a warning)",
    TemplateLimit = "template.limit": "a template exceeds a CloudFormation quota (resources, parameters, outputs, mappings, bytes)",
    TemplateLogicalId = "template.logical-id": "a logical id is malformed or names both a parameter and a resource",
    TemplateDuplicateId = "template.duplicate-id": "a logical id, parameter, output or condition is defined twice in one template (a byoa bug: please report it)",
    TemplateReference = "template.reference": "a `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, `DependsOn` or condition names nothing in the template",
    RootWiring = "root.wiring": "the root stack cannot wire its nested stacks' outputs to parameters",
    CustomersInvalid = "customers.invalid": "`customers.yaml` breaks its schema (a field unknown, missing or malformed)",
    CustomersDuplicate = "customers.duplicate": "two customers share an id or an external id",
    CustomersEnvironment = "customers.environment": "a customer runs an environment the spec does not define",
    CustomersRegion = "customers.region": "a customer's region is not one its environment's residency allows",
    CustomersRegionBound = "customers.region-bound": "a customer's region is allowed, but its environment's templates hold something of the spec's region only (named zones, a database class RDS does not offer there)",
    CustomersUnknown = "customers.unknown": "a customer named on the command line is not in `customers.yaml`",
    CustomersAppend = "customers.append": "`byoa customers add` cannot add the customer (it exists, or the file cannot take the entry)",
    LaunchLink = "launch.link": "a quick-create link cannot be built (a stack name the console refuses)",
    LaunchParameter = "launch.parameter": "a prefilled value names a parameter the template lacks, or a NoEcho one the console ignores",
    LaunchLongLink = "launch.long-link": "a quick-create link is longer than some browsers and mail clients accept",
    LaunchTemplates = "launch.templates": "templates cannot be published: no `--bucket` or `--base-url`, or the upload failed",
    CostPrices = "cost.prices": "a price table or price-override file cannot be read or is not valid",
    CostAssume = "cost.assume": "an `--assume` value is not `key=number` with a key `byoa cost` knows",
    CostManifest = "cost.manifest": "`byoa diff --cost` needs NEW to be an output directory with its manifest.json (the region and environment to price in)",
    CostSpec = "cost.spec": "`byoa diff --cost`: the spec whose usage assumptions price the change is missing, of another product, or edited since NEW was synthesized",
    CostIncrease = "cost.increase": "`byoa diff --max-cost-increase`: the change raises the monthly cost by more than allowed",
    CostUnpriced = "cost.unpriced": "an estimate line has no price for its region in the table: it is shown, never counted as zero",
    InitExists = "init.exists": "`byoa init` would overwrite an existing spec",
    InitBlueprint = "init.blueprint": "the blueprint does not exist or does not render",
    InitName = "init.name": "the product name given to (or guessed by) `byoa init` is not valid",
    InitArgument = "init.argument": "an argument of `byoa init` would give a spec that does not validate; nothing is written",
    LaunchPage = "launch.page": "the launch page does not render (a byoa bug: please report it)",
    IoWrite = "io.write": "an output file or directory could not be written, renamed or removed",
    IoOutputForeign = "io.output-foreign": "the output directory holds files byoa did not write, so byoa will not replace it",
    IoOutputLocked = "io.output-locked": "another byoa run is writing an output directory beside the same one",
    IoOutput = "io.output": "standard output or standard error could not be written",
    ArgDate = "arg.date": "a date on the command line is not YYYY-MM-DD",
    PolicyInput = "policy.input": "a rules directory, rule file or template given to `byoa check` cannot be found or read, or there are no templates to check",
    PolicyRule = "policy.rule": "a rule file's header or body is not valid, or two files define the same rule",
    PolicyRuleSyntax = "policy.rule-syntax": "a rule does not parse as CloudFormation Guard",
    PolicyProfile = "policy.profile": "a profile file is not valid, names a rule that does not exist, or a profile named does not exist",
    PolicyTemplate = "policy.template": "a file given to `byoa check` is not a CloudFormation template byoa or cfn-guard can read",
    PolicyEngine = "policy.engine": "cfn-guard failed in a way byoa does not expect",
    PolicyRuleTest = "policy.rule-test": "a rule's test file cannot be read or run",
    PolicyExceptionUnused = "policy.exception-unused": "an exception in the spec matches no finding",
    DiffNotFound = "diff.not-found": "a path given to `byoa diff` does not exist",
    DiffRead = "diff.read": "a template file or directory could not be read",
    DiffNotTemplate = "diff.not-template": "a file is not a CloudFormation template (YAML or JSON with `Resources`)",
    DiffSources = "diff.sources": "the source map (`sources.json`) beside the templates of a side cannot be read",
    DiffNoTemplates = "diff.no-templates": "a directory given to `byoa diff` holds no template files",
    DiffDuplicateStack = "diff.duplicate-stack": "two templates in one directory have the same stack name",
    DiffMixedInputs = "diff.mixed-inputs": "one side of `byoa diff` is a file and the other a directory",
    DeployArguments = "deploy.arguments": "a `byoa deploy` argument is malformed (`--parameter` not KEY=VALUE, an unknown `--stack`)",
    DeployPlan = "deploy.plan": "the synthesized output cannot be deployed as asked (no such stack, no artifact bucket)",
    DeployParameter = "deploy.parameter": "a stack parameter has no value, is not the stack's, is given twice, or is byoa's own",
    DeployAws = "deploy.aws": "an AWS call failed: the message names the operation, the stack and AWS's reason",
    DeployAccessStack = "deploy.access-stack": "the access stack is missing or not ready, or would be deployed without `--stack access`",
    DeployStackState = "deploy.stack-state": "the stack is busy or in a state that takes no change set until it is recovered",
    DeployDataLoss = "deploy.data-loss": "the change set would replace, may replace or delete stored data, or broaden the vendor's access, and nobody allowed it",
    DeployFailed = "deploy.failed": "the stack operation failed: the message names the root cause and the recovery step",
    AccessAssumeRefused = "access.assume-refused": "the customer's deployer role refused its own external id: the access stack is not launched, launched with another id, or switched off",
    AccessExternalIdNotEnforced = "access.external-id-not-enforced": "the deployer role can be assumed with a wrong or no external id: its trust does not require the customer's",
    AccessUnverifiable = "access.unverifiable": "AWS neither allowed nor refused an `AssumeRole` of `byoa access verify` (network, endpoint, throttling): nothing is proven",
    AccessStackMissing = "access.stack-missing": "the customer's access stack does not exist or is not settled",
    AccessOutputMismatch = "access.output-mismatch": "an output of the customer's access stack is missing or not what this spec's access template gives",
    RolloutArguments = "rollout.arguments": "a `byoa rollout` or `byoa fleet` argument cannot be used (e.g. a zero batch size)",
    RolloutConcurrencyLowered = "rollout.concurrency-lowered": "StackSets runs at most `--max-failures` + 1 accounts at a time: a higher `--concurrency` was lowered",
    FleetUnreadable = "fleet.unreadable": "a customer's account could not be read through its deployer role (refused, or AWS failed): its row says unknown",
    RolloutNotDeployed = "rollout.not-deployed": "a customer of a rollout failed, was stopped by the data-loss guard or was halted by the failure threshold",
}

impl Code {
    /// Whether the code reports a value that may be a secret: no renderer may quote the value
    /// (`report` masks the source line).
    pub fn is_about_a_secret(self) -> bool {
        matches!(
            self,
            Code::ServicePlaintextSecret
                | Code::SecretKnownToken
                | Code::SecretUrlCredentials
                | Code::SecretHighEntropy
        )
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Whether a diagnostic points at a mapping key or at its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Key,
    Value,
}

/// A file, and where in it when that is known: 1-based `line` and `column`, 0 when unknown
/// (line 0: the whole file, as for an unreadable or unwritable file; column 0: the whole line).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The whole of `file`.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            line: 0,
            column: 0,
        }
    }

    /// `line` (1-based) of `file`; `column` 0 when only the line is known.
    pub fn at(file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

/// `file`, `file:line` or `file:line:column`, as far as known.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// One problem in the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// JSON pointer of the field concerned (`/network/cidr`): in the spec, or in the file of
    /// `location` when a stage set one (a template's `/Resources/Api`).
    pub pointer: Option<String>,
    pub target: Target,
    /// The file and position. Spec diagnostics get theirs from the pointer when reported; none
    /// for a problem in the command line.
    pub location: Option<Location>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error about the field at `pointer` (its value).
    pub fn error(code: Code, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            pointer: Some(pointer.into()),
            target: Target::Value,
            location: None,
            help: None,
        }
    }

    /// An error located nowhere yet: a problem in the command line, or one that `in_file`
    /// places.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            pointer: None,
            target: Target::Value,
            location: None,
            help: None,
        }
    }

    /// An error about a whole file (I/O, YAML syntax), with an optional position.
    pub fn file_error(code: Code, file: &Path, message: impl Into<String>) -> Self {
        Diagnostic::new(code, message).in_file(file)
    }

    /// Places the diagnostic in `file` (the whole file until `with_position`).
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.location = Some(Location::file(file));
        self
    }

    /// Names the field concerned inside the diagnostic's file (`/Resources/Api`).
    pub fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// The same problem as something to look at that does not fail the run.
    pub fn as_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn at_key(mut self) -> Self {
        self.target = Target::Key;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_position(mut self, line: usize, column: usize) -> Self {
        if let Some(loc) = &mut self.location {
            loc.line = line;
            loc.column = column;
        }
        self
    }

    /// The field the diagnostic concerns, in the dotted form users write (`services[1].port`).
    pub fn field(&self) -> Option<String> {
        self.pointer.as_deref().map(pointer_to_field)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// One line for callers that carry a single message: `file:line: message`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Sorts diagnostics by file position, then code, and drops exact repeats (the same problem is
/// found once per environment when every environment is validated).
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| (&a.location, a.code, &a.message).cmp(&(&b.location, b.code, &b.message)));
    diags.dedup_by(|a, b| a.location == b.location && a.code == b.code && a.message == b.message);
}

/// `/services/1/port` -> `services[1].port`.
pub fn pointer_to_field(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

/// Appends one escaped segment to a JSON pointer.
pub fn push_pointer(pointer: &str, segment: &str) -> String {
    format!(
        "{pointer}/{}",
        segment.replace('~', "~0").replace('/', "~1")
    )
}

/// The closest candidate to `word`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            let (area, name) = s.split_once('.').expect("codes are area.name");
            assert!(!area.is_empty() && !name.is_empty(), "{s}");
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '-'),
                "{s} has characters outside [a-z.-]"
            );
        }
    }

    #[test]
    fn pointer_renders_as_dotted_field() {
        assert_eq!(pointer_to_field("/services/1/port"), "services[1].port");
        assert_eq!(pointer_to_field("/product/tags/a~1b"), "product.tags.a/b");
        assert_eq!(pointer_to_field(""), "");
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("multi_a", ["multi_az", "name"]),
            Some("multi_az")
        );
        assert_eq!(did_you_mean("zzz", ["multi_az", "name"]), None);
    }
}
