//! The access template made concrete: synthesized for one example and environment, its
//! intrinsics resolved against a fake account (CloudFormation's naming for what it leaves
//! unnamed), and the policies of a role gathered from wherever the template attaches them.
//!
//! The resolution is deliberately small: `Ref`, `Fn::GetAtt ... Arn`, `Fn::Sub` (string form)
//! over pseudo parameters, `ExternalId` and the template's own roles, policies, buckets, keys,
//! log groups and trail.
//! Anything else panics rather than being evaluated as something it is not.

use std::path::Path;

use serde_json::{Value, json};

use crate::synth_to;

/// The customer account the access stack is evaluated in.
pub(super) const ACCOUNT: &str = "123456789012";
/// Stands for the random suffix CloudFormation appends to the names it generates.
pub(super) const SUFFIX: &str = "1A2B3C4D5E6F";

/// One synthesized access template and what the rows need to know about its product.
pub(super) struct Access {
    pub(super) product: String,
    pub(super) env: String,
    pub(super) region: String,
    /// The access stack's name as byoa's manifest gives it. It starts with the product's
    /// prefix, so only explicit denies keep the prefix grants off it: the worst case.
    pub(super) stack: String,
    pub(super) template: Value,
    /// The product has a database stack (so its deploy needs RDS).
    pub(super) database: bool,
    /// The spec sets `compliance.enforce_in_account`: the template carries the Guard hook.
    pub(super) enforced: bool,
    /// The customer updated the stack with `VendorAccess` = `Disabled` (the kill switch).
    pub(super) disabled: bool,
    /// The service templates, by service name: their task roles' policies.
    pub(super) services: Vec<(String, Value)>,
}

impl Access {
    /// Synthesizes `spec` for `env`; `enforced` says the spec sets `enforce_in_account`.
    pub(super) fn synth(spec: &Path, env: &str, enforced: bool) -> Self {
        let dir = synth_to(spec, Some(env), "json");
        let manifest = byoa::synth::read_manifest(dir.path()).expect("manifest");
        let read = |file: &str| -> Value {
            let text = std::fs::read_to_string(dir.path().join(file)).expect("template");
            serde_json::from_str(&text).expect("template is JSON")
        };
        let stack = manifest.templates.iter().find(|t| t.module == "access");
        Access {
            product: manifest.product.clone(),
            env: env.to_owned(),
            region: manifest.region.clone(),
            stack: stack.expect("an access stack").stack_name.clone(),
            template: read("access.json"),
            database: manifest.templates.iter().any(|t| t.module == "database"),
            enforced,
            disabled: false,
            services: manifest
                .templates
                .iter()
                .filter_map(|t| {
                    Some((t.module.strip_prefix("service-")?.to_owned(), read(&t.file)))
                })
                .collect(),
        }
    }

    /// The services whose task role the spec grants something.
    pub(super) fn granting_services(&self) -> Vec<&str> {
        self.services
            .iter()
            .filter(|(_, t)| t["Resources"]["TaskRole"]["Properties"]["Policies"].is_array())
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// The task role of `service` as it runs: its inline policies, resolved against this
    /// account and the names below, and the access stack's permissions boundary.
    pub(super) fn task_role(&self, service: &str) -> PolicySet {
        let template = &self
            .services
            .iter()
            .find(|(n, _)| n == service)
            .expect("a service")
            .1;
        let role = &template["Resources"]["TaskRole"]["Properties"];
        let boundary = role["PermissionsBoundary"]["Fn::Sub"]
            .as_str()
            .expect("a boundary");
        assert_eq!(self.sub(boundary), self.physical("PermissionsBoundary").1);
        let identity = role["Policies"]
            .as_array()
            .expect("task policies")
            .iter()
            .map(|p| {
                named(
                    p["PolicyName"].as_str().expect("name"),
                    self.resolve_task(service, &p["PolicyDocument"]),
                )
            })
            .collect();
        PolicySet {
            identity,
            boundary: vec![named(
                "PermissionsBoundary",
                self.document("PermissionsBoundary"),
            )],
        }
    }

    /// The ARN of what a service stack names: its log group, and the database's secret and
    /// key it receives as parameters.
    pub(super) fn service_resource(&self, service: &str, name: &str) -> String {
        let (region, p) = (&self.region, self.prefix());
        match name {
            "LogGroup" => format!(
                "arn:aws:logs:{region}:{ACCOUNT}:log-group:{p}root-Service{service}-{SUFFIX}-LogGroup-{SUFFIX}:*"
            ),
            "DatabaseSecretArn" => format!(
                "arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:rds!db-0a1b2c3d-0000-4000-8000-000000000001-AbCdEf"
            ),
            "DatabaseKeyArn" => {
                format!("arn:aws:kms:{region}:{ACCOUNT}:key/0a1b2c3d-0000-4000-8000-00000000db00")
            }
            other => panic!(
                "{}: service `{service}` names `{other}`, which this test cannot resolve",
                self.label()
            ),
        }
    }

    /// A task policy resolved: `Fn::Sub` over pseudo parameters, `Ref` of the database's
    /// parameters, `GetAtt LogGroup.Arn`; anything else panics.
    fn resolve_task(&self, service: &str, value: &Value) -> Value {
        match value {
            Value::Array(items) => items
                .iter()
                .map(|v| self.resolve_task(service, v))
                .collect(),
            Value::Object(map)
                if map.len() == 1 && map.keys().any(|k| k == "Ref" || k.starts_with("Fn::")) =>
            {
                let (key, arg) = map.iter().next().expect("one key");
                match (key.as_str(), arg) {
                    ("Fn::Sub", Value::String(text)) => json!(self.sub(text)),
                    ("Ref", Value::String(name)) => json!(self.service_resource(service, name)),
                    ("Fn::GetAtt", Value::Array(a)) if a == &[json!("LogGroup"), json!("Arn")] => {
                        json!(self.service_resource(service, "LogGroup"))
                    }
                    _ => panic!("{}: cannot resolve {value} in a task policy", self.label()),
                }
            }
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), self.resolve_task(service, v)))
                .collect(),
            other => other.clone(),
        }
    }

    /// The same stack after the customer set `VendorAccess` to `Disabled`.
    pub(super) fn disabled(mut self) -> Self {
        self.disabled = true;
        self
    }

    /// The value of a parameter the conditions read, as this stack was launched: the hook
    /// switched on where the spec asks for it (the worst case: its role exists), the newest
    /// rule file, and vendor access as `disabled` says.
    fn parameter(&self, name: &str) -> &'static str {
        match name {
            "VendorAccess" if self.disabled => "Disabled",
            "VendorAccess" => "Enabled",
            "EnforceCompliance" if self.enforced => "true",
            "EnforceCompliance" => "false",
            "RuleFileVersion" => "",
            _ => panic!("{}: no value for parameter `{name}`", self.label()),
        }
    }

    /// Whether template condition `name` holds: `Fn::Equals` of a parameter and a literal,
    /// and `Fn::Not`; anything else panics.
    pub(super) fn holds(&self, name: &str) -> bool {
        let c = &self.template["Conditions"][name];
        self.truth(c)
    }

    fn truth(&self, c: &Value) -> bool {
        if let Some(pair) = c.get("Fn::Equals").and_then(Value::as_array) {
            let side = |v: &Value| match v.get("Ref").and_then(Value::as_str) {
                Some(p) => self.parameter(p).to_owned(),
                None => v.as_str().expect("a literal").to_owned(),
            };
            return side(&pair[0]) == side(&pair[1]);
        }
        if let Some(inner) = c.get("Fn::Not").and_then(|n| n.get(0)) {
            return !self.truth(inner);
        }
        if let Some(name) = c.get("Condition").and_then(Value::as_str) {
            return self.holds(name);
        }
        panic!("{}: cannot evaluate condition {c}", self.label())
    }

    /// Whether resource `id` exists in the stack (its `Condition`, if any, holds).
    pub(super) fn exists(&self, id: &str) -> bool {
        self.resource(id)
            .get("Condition")
            .and_then(Value::as_str)
            .is_none_or(|c| self.holds(c))
    }

    /// `<product>-<env>-`, the start of every stack and generated name of this environment.
    pub(super) fn prefix(&self) -> String {
        format!("{}-{}-", self.product, self.env)
    }

    pub(super) fn label(&self) -> String {
        let hook = if self.enforced { "+hook" } else { "" };
        let off = if self.disabled {
            " (access disabled)"
        } else {
            ""
        };
        format!("{}/{}{hook}{off}", self.product, self.env)
    }

    pub(super) fn resource(&self, id: &str) -> &Value {
        self.template["Resources"]
            .get(id)
            .unwrap_or_else(|| panic!("{}: access template has no `{id}`", self.label()))
    }

    /// What `Ref` and `Fn::GetAtt Arn` give for a resource of this template, the way
    /// CloudFormation names what the template leaves unnamed (`<stack>-<id>-<suffix>`).
    pub(super) fn physical(&self, id: &str) -> (String, String) {
        let r = self.resource(id);
        let p = &r["Properties"];
        let generated = format!("{}-{id}-{SUFFIX}", self.stack);
        let named = |key: &str| p[key].as_str().map_or(generated.clone(), str::to_owned);
        let (region, account) = (&self.region, ACCOUNT);
        match r["Type"].as_str().expect("Type") {
            "AWS::IAM::Role" => {
                let name = named("RoleName");
                let arn = format!("arn:aws:iam::{account}:role{}{name}", path(p));
                (name, arn)
            }
            "AWS::IAM::ManagedPolicy" => {
                let arn = format!(
                    "arn:aws:iam::{account}:policy{}{}",
                    path(p),
                    named("ManagedPolicyName")
                );
                (arn.clone(), arn)
            }
            "AWS::S3::Bucket" => {
                let name = named("BucketName").to_lowercase();
                (name.clone(), format!("arn:aws:s3:::{name}"))
            }
            "AWS::KMS::Key" => {
                // One key id per logical id, so a statement on one key never covers another.
                let n = self.template["Resources"]
                    .as_object()
                    .expect("Resources")
                    .keys()
                    .position(|k| k == id)
                    .expect("the key");
                let key = format!("0a1b2c3d-0000-4000-8000-{n:012}");
                let arn = format!("arn:aws:kms:{region}:{account}:key/{key}");
                (key, arn)
            }
            // `Fn::GetAtt Arn` of a log group ends with `:*`, the resource reference says.
            "AWS::Logs::LogGroup" => {
                let name = named("LogGroupName");
                let arn = format!("arn:aws:logs:{region}:{account}:log-group:{name}:*");
                (name, arn)
            }
            "AWS::CloudTrail::Trail" => {
                let name = named("TrailName");
                let arn = format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}");
                (name, arn)
            }
            other => panic!("{}: no physical name for `{id}` ({other})", self.label()),
        }
    }

    /// `value` with every intrinsic the access policies use resolved. Anything else (another
    /// intrinsic, a pseudo parameter or attribute not modelled here) panics: a policy this
    /// function does not understand must not be evaluated as something else.
    pub(super) fn resolve(&self, value: &Value) -> Value {
        match value {
            // `AWS::NoValue` (null here) leaves a list without the item.
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.resolve(v))
                    .filter(|v| !v.is_null())
                    .collect(),
            ),
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().expect("one key");
                match key.as_str() {
                    "Ref" if arg == "AWS::NoValue" => Value::Null,
                    "Ref" => json!(self.reference(arg.as_str().expect("Ref takes a name"))),
                    "Fn::If" => {
                        let branch = if self.holds(arg[0].as_str().expect("a condition name")) {
                            &arg[1]
                        } else {
                            &arg[2]
                        };
                        self.resolve(branch)
                    }
                    "Fn::GetAtt" => {
                        let parts: Vec<&str> = match arg {
                            Value::String(s) => s.splitn(2, '.').collect(),
                            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                            _ => panic!("{}: malformed Fn::GetAtt {arg}", self.label()),
                        };
                        json!(self.attribute(parts[0], parts[1]))
                    }
                    "Fn::Sub" => {
                        let text = arg.as_str().unwrap_or_else(|| {
                            panic!("{}: Fn::Sub with a variable map: {arg}", self.label())
                        });
                        json!(self.sub(text))
                    }
                    k if k.starts_with("Fn::") || k == "Condition" => {
                        panic!("{}: cannot resolve intrinsic `{k}`: {value}", self.label())
                    }
                    _ => Value::Object(
                        map.iter()
                            .map(|(k, v)| (k.clone(), self.resolve(v)))
                            .collect(),
                    ),
                }
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    pub(super) fn reference(&self, name: &str) -> String {
        match name {
            "AWS::AccountId" => ACCOUNT.to_owned(),
            "AWS::Region" => self.region.clone(),
            "AWS::Partition" => "aws".to_owned(),
            "AWS::StackName" => self.stack.clone(),
            "AWS::URLSuffix" => "amazonaws.com".to_owned(),
            "ExternalId" => "external-id-of-this-customer".to_owned(),
            id => self.physical(id).0,
        }
    }

    fn attribute(&self, id: &str, attribute: &str) -> String {
        assert_eq!(
            attribute,
            "Arn",
            "{}: cannot resolve `{id}.{attribute}`",
            self.label()
        );
        self.physical(id).1
    }

    /// `Fn::Sub` in its string form: `${Name}`, `${Resource.Attribute}`, `${!Literal}`.
    fn sub(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find('}')
                .unwrap_or_else(|| panic!("{}: unclosed `${{` in {text}", self.label()));
            let name = &rest[start + 2..start + end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str(&format!("${{{literal}}}"));
            } else if let Some((id, attribute)) = name.split_once('.') {
                out.push_str(&self.attribute(id, attribute));
            } else {
                out.push_str(&self.reference(name));
            }
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The policies that apply to role `role`: its inline `Policies`, the template's managed
    /// policies and role policies that name it with `Ref`, and its permissions boundary. A
    /// policy attached in any other way (an AWS managed policy ARN, a role named by a literal)
    /// panics, since the evaluation would silently miss it.
    pub(super) fn role_policies(&self, role: &str) -> PolicySet {
        let props = &self.resource(role)["Properties"];
        let mut set = PolicySet::default();
        for p in props["Policies"].as_array().into_iter().flatten() {
            let name = p["PolicyName"].as_str().expect("PolicyName");
            set.identity
                .push(named(name, self.resolve(&p["PolicyDocument"])));
        }
        assert!(
            props.get("ManagedPolicyArns").is_none(),
            "{}: `{role}` has managed policy ARNs this test cannot read: {}",
            self.label(),
            props["ManagedPolicyArns"]
        );
        if let Some(b) = props.get("PermissionsBoundary") {
            let id = b["Ref"].as_str().unwrap_or_else(|| {
                panic!(
                    "{}: `{role}` has a boundary this test cannot read: {b}",
                    self.label()
                )
            });
            set.boundary.push(named(id, self.document(id)));
        }
        let this = json!({ "Ref": role });
        let resources = self.template["Resources"].as_object().expect("Resources");
        for (id, r) in resources {
            let p = &r["Properties"];
            let attached = match r["Type"].as_str().expect("Type") {
                "AWS::IAM::ManagedPolicy" | "AWS::IAM::Policy" => {
                    p["Roles"].as_array().into_iter().flatten().any(|r| {
                        assert!(
                            r.get("Ref").is_some(),
                            "{}: `{id}` names a role by {r}",
                            self.label()
                        );
                        *r == this
                    })
                }
                "AWS::IAM::RolePolicy" => {
                    assert!(
                        p["RoleName"].get("Ref").is_some(),
                        "{}: `{id}` names its role by {}",
                        self.label(),
                        p["RoleName"]
                    );
                    p["RoleName"] == this
                }
                _ => false,
            };
            if attached && self.exists(id) {
                set.identity.push(named(id, self.document(id)));
            }
        }
        assert!(
            !set.identity.is_empty(),
            "{}: `{role}` has no policy",
            self.label()
        );
        set
    }

    /// The vendor account `DeployerRole` trusts (the account of its trust policy's principal).
    pub(super) fn vendor_account(&self) -> String {
        let trust =
            self.resolve(&self.resource("DeployerRole")["Properties"]["AssumeRolePolicyDocument"]);
        let principal = trust["Statement"][0]["Principal"]["AWS"]
            .as_str()
            .unwrap_or_else(|| {
                panic!(
                    "{}: the deployer trusts no single AWS principal: {trust}",
                    self.label()
                )
            });
        principal.split(':').nth(4).expect("an IAM ARN").to_owned()
    }

    /// The resolved `PolicyDocument` of policy resource `id`.
    pub(super) fn document(&self, id: &str) -> Value {
        self.resolve(&self.resource(id)["Properties"]["PolicyDocument"])
    }
}

/// A resource's IAM path (`/` unless it sets `Path`).
fn path(props: &Value) -> &str {
    props["Path"].as_str().unwrap_or("/")
}

pub(super) fn named(name: &str, policy: Value) -> Value {
    json!({ "name": name, "policy": policy })
}

/// The identity policies and permissions boundary of one principal.
#[derive(Default, Clone)]
pub(super) struct PolicySet {
    pub(super) identity: Vec<Value>,
    pub(super) boundary: Vec<Value>,
}

impl PolicySet {
    pub(super) fn to_json(&self) -> Value {
        json!({ "identity": self.identity, "boundary": self.boundary })
    }

    /// Every action the set names, `Action` and `NotAction` alike.
    pub(super) fn actions(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in self.identity.iter().chain(&self.boundary) {
            for s in p["policy"]["Statement"].as_array().expect("Statement list") {
                for key in ["Action", "NotAction"] {
                    match &s[key] {
                        Value::String(a) => out.push(a.clone()),
                        Value::Array(a) => {
                            out.extend(a.iter().filter_map(Value::as_str).map(str::to_owned))
                        }
                        _ => {}
                    }
                }
            }
        }
        out
    }
}
