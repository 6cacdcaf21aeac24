//! Template model: a typed CloudFormation template, built in Rust by the module compilers.
//!
//! Input: calls from a compiler (`add_parameter`, `add_resource`, ...). Output: an ordered JSON
//! value in the conventional key order, which `emit` turns into YAML or JSON bytes. Insertion
//! order is kept everywhere, so the same model always gives the same bytes. Properties are JSON
//! values written with the helpers in `func`; the structure around them (parameters, policies,
//! tags, the console's parameter groups) is typed so no template can forget it. Adding an id
//! twice keeps the first and records the problem, which `check::problems` reports (synthesis
//! fails with it) instead of panicking. Beside the template, not emitted, the compiler records
//! which spec fields decide each resource property (`trace`, see `sources`).

pub mod capabilities;
pub mod check;
pub mod emit;
pub mod func;
pub mod sources;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

/// What happens to a resource's data when it is deleted or replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Delete,
    Retain,
    Snapshot,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Delete => "Delete",
            Policy::Retain => "Retain",
            Policy::Snapshot => "Snapshot",
        }
    }
}

/// A template parameter, with the label and group the console shows.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub kind: String,
    pub description: String,
    pub label: String,
    pub group: String,
    pub default: Option<Value>,
    pub allowed_values: Vec<Value>,
    pub allowed_pattern: Option<String>,
    pub constraint_description: Option<String>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub no_echo: bool,
}

impl Parameter {
    /// A parameter of CloudFormation type `kind` with its console group, label and description.
    pub fn new(kind: &str, group: &str, label: &str, description: &str) -> Self {
        Parameter {
            kind: kind.to_owned(),
            description: description.to_owned(),
            label: label.to_owned(),
            group: group.to_owned(),
            default: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            constraint_description: None,
            min_length: None,
            max_length: None,
            no_echo: false,
        }
    }

    pub fn default(mut self, v: impl Into<Value>) -> Self {
        self.default = Some(v.into());
        self
    }

    pub fn allowed_values<V: Into<Value>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }

    pub fn pattern(mut self, pattern: &str, constraint: &str) -> Self {
        self.allowed_pattern = Some(pattern.to_owned());
        self.constraint_description = Some(constraint.to_owned());
        self
    }

    pub fn length(mut self, min: u32, max: u32) -> Self {
        self.min_length = Some(min);
        self.max_length = Some(max);
        self
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Type".into(), json!(self.kind));
        m.insert("Description".into(), json!(self.description));
        if let Some(d) = &self.default {
            m.insert("Default".into(), d.clone());
        }
        if !self.allowed_values.is_empty() {
            m.insert(
                "AllowedValues".into(),
                Value::Array(self.allowed_values.clone()),
            );
        }
        if let Some(p) = &self.allowed_pattern {
            m.insert("AllowedPattern".into(), json!(p));
        }
        if let Some(n) = self.min_length {
            m.insert("MinLength".into(), json!(n));
        }
        if let Some(n) = self.max_length {
            m.insert("MaxLength".into(), json!(n));
        }
        if let Some(c) = &self.constraint_description {
            m.insert("ConstraintDescription".into(), json!(c));
        }
        if self.no_echo {
            m.insert("NoEcho".into(), json!(true));
        }
        Value::Object(m)
    }
}

/// A resource. `properties` is a JSON object.
#[derive(Debug, Clone)]
pub struct Resource {
    pub kind: String,
    pub properties: Value,
    pub depends_on: Vec<String>,
    pub condition: Option<String>,
    pub deletion_policy: Option<Policy>,
    pub update_replace_policy: Option<Policy>,
    pub metadata: Option<Value>,
}

impl Resource {
    pub fn new(kind: &str, properties: Value) -> Self {
        Resource {
            kind: kind.to_owned(),
            properties,
            depends_on: Vec::new(),
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            metadata: None,
        }
    }

    pub fn depends_on(mut self, id: &str) -> Self {
        self.depends_on.push(id.to_owned());
        self
    }

    pub fn condition(mut self, name: &str) -> Self {
        self.condition = Some(name.to_owned());
        self
    }

    /// Sets both `DeletionPolicy` and `UpdateReplacePolicy`.
    pub fn keep(mut self, policy: Policy) -> Self {
        self.deletion_policy = Some(policy);
        self.update_replace_policy = Some(policy);
        self
    }

    /// The resource as a value, with `properties` (its own, or a copy of them) as its
    /// `Properties`, left out when empty.
    fn to_value(&self, properties: Value) -> Value {
        let mut m = Map::new();
        m.insert("Type".into(), json!(self.kind));
        if let Some(c) = &self.condition {
            m.insert("Condition".into(), json!(c));
        }
        match self.depends_on.as_slice() {
            [] => {}
            [one] => {
                m.insert("DependsOn".into(), json!(one));
            }
            many => {
                m.insert("DependsOn".into(), json!(many));
            }
        }
        if let Some(p) = self.deletion_policy {
            m.insert("DeletionPolicy".into(), json!(p.as_str()));
        }
        if let Some(p) = self.update_replace_policy {
            m.insert("UpdateReplacePolicy".into(), json!(p.as_str()));
        }
        if let Some(meta) = &self.metadata {
            m.insert("Metadata".into(), meta.clone());
        }
        if properties.as_object().is_some_and(|p| !p.is_empty()) {
            m.insert("Properties".into(), properties);
        }
        Value::Object(m)
    }
}

/// A template output.
#[derive(Debug, Clone)]
pub struct Output {
    pub description: String,
    pub value: Value,
    pub condition: Option<String>,
}

/// A whole template.
#[derive(Debug, Clone, Default)]
pub struct Template {
    pub description: String,
    pub parameters: IndexMap<String, Parameter>,
    pub rules: IndexMap<String, Value>,
    pub mappings: IndexMap<String, Value>,
    pub conditions: IndexMap<String, Value>,
    pub resources: IndexMap<String, Resource>,
    pub outputs: IndexMap<String, Output>,
    /// Compliance rules whose subject the customer owns, not the template (rule, why), in
    /// `Metadata.byoa.CustomerControls`: `byoa check` reports them as the customer's.
    pub customer_controls: Vec<(String, String)>,
    /// Tags added to every resource whose type takes `Tags` as a list of `Key`/`Value`.
    tags: Vec<(String, String)>,
    /// Ids added twice (a compiler bug, or names that validation let collide).
    duplicates: Vec<DuplicateId>,
    /// The spec fields behind resource properties, as the compiler recorded them (not
    /// emitted: synthesis writes them to `sources.json`).
    sources: sources::Sources,
}

impl Template {
    /// A template whose taggable resources all carry `tags`.
    pub fn new(description: impl Into<String>, tags: Vec<(String, String)>) -> Self {
        Template {
            description: description.into(),
            tags,
            ..Template::default()
        }
    }

    /// The tags every taggable resource carries (a deployer gives the stack the same ones).
    pub fn tags(&self) -> &[(String, String)] {
        &self.tags
    }

    /// What went wrong while the template was built: ids added twice.
    pub fn duplicates(&self) -> &[DuplicateId] {
        &self.duplicates
    }

    /// Records that the spec `fields` (dotted paths, `database.instance_class`) decide
    /// `property` of resource `id`.
    pub fn trace<S: Into<String>>(
        &mut self,
        id: &str,
        property: &str,
        fields: impl IntoIterator<Item = S>,
    ) {
        self.sources.record(id, property, fields);
    }

    /// Records that the spec `fields` decide whether resource `id` exists at all (a replica
    /// per `database.read_replicas`, the flow logs per `network.flow_logs.enabled`).
    pub fn trace_resource<S: Into<String>>(
        &mut self,
        id: &str,
        fields: impl IntoIterator<Item = S>,
    ) {
        self.sources.record_resource(id, fields);
    }

    /// `trace_resource` for every resource added since the template held `since` resources:
    /// a compiler notes `t.resources.len()` before a block the spec switches on, and traces
    /// what the block added to the fields that switch it.
    pub fn trace_resources_since(&mut self, since: usize, fields: &[&str]) {
        let added: Vec<String> = self.resources.keys().skip(since).cloned().collect();
        for id in added {
            self.trace_resource(&id, fields.iter().copied());
        }
    }

    /// `trace` for a table of `(property, fields)` whose fields are relative to `under`
    /// (`services.api`): the shape a compiler keeps beside the resource it builds.
    pub fn trace_all(&mut self, id: &str, under: &str, table: &[(&str, &[&str])]) {
        for (property, fields) in table {
            self.trace(id, property, fields.iter().map(|f| format!("{under}.{f}")));
        }
    }

    /// The spec fields recorded for this template's resources, moved out (synthesis writes
    /// them to `sources.json`); the template records none afterwards.
    pub fn take_sources(&mut self) -> sources::Sources {
        std::mem::take(&mut self.sources)
    }

    pub fn add_parameter(&mut self, id: &str, p: Parameter) {
        insert_new(
            &mut self.parameters,
            &mut self.duplicates,
            "Parameters",
            id,
            p,
        );
    }

    pub fn add_condition(&mut self, id: &str, c: Value) {
        insert_new(
            &mut self.conditions,
            &mut self.duplicates,
            "Conditions",
            id,
            c,
        );
    }

    pub fn add_mapping(&mut self, id: &str, m: Value) {
        insert_new(&mut self.mappings, &mut self.duplicates, "Mappings", id, m);
    }

    pub fn add_rule(&mut self, id: &str, r: Value) {
        insert_new(&mut self.rules, &mut self.duplicates, "Rules", id, r);
    }

    /// Adds a resource, tagging it when its type is taggable. `name` (when given) becomes the
    /// `Name` tag, which the console shows in resource lists.
    pub fn add_resource(&mut self, id: &str, mut r: Resource, name: Option<Value>) {
        if TAGGABLE.contains(&r.kind.as_str()) {
            let name_tag = name.map(|n| json!({"Key": "Name", "Value": n}));
            let tags: Vec<Value> = name_tag
                .into_iter()
                .chain(self.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})))
                .collect();
            r.properties
                .as_object_mut()
                .expect("resource properties are an object")
                .insert("Tags".into(), Value::Array(tags));
        }
        insert_new(
            &mut self.resources,
            &mut self.duplicates,
            "Resources",
            id,
            r,
        );
    }

    pub fn add_output(&mut self, id: &str, description: &str, value: Value) {
        let output = Output {
            description: description.to_owned(),
            value,
            condition: None,
        };
        insert_new(
            &mut self.outputs,
            &mut self.duplicates,
            "Outputs",
            id,
            output,
        );
    }

    /// The console's parameter groups and labels, in the order parameters were added.
    fn interface(&self) -> Value {
        let mut groups: IndexMap<&str, Vec<&str>> = IndexMap::new();
        let mut labels = Map::new();
        for (id, p) in &self.parameters {
            groups.entry(p.group.as_str()).or_default().push(id);
            labels.insert(id.clone(), json!({"default": p.label}));
        }
        json!({
            "ParameterGroups": groups
                .into_iter()
                .map(|(g, ids)| json!({"Label": {"default": g}, "Parameters": ids}))
                .collect::<Vec<_>>(),
            "ParameterLabels": labels,
        })
    }

    /// The template as an ordered JSON value, in the conventional section order.
    pub fn to_value(&self) -> Value {
        let properties = self.resources.values().map(|r| r.properties.clone());
        self.value_with(properties.collect())
    }

    /// `f` of this template and its value, the value built without copying the resources'
    /// properties (the bulk of a template): they are moved into it and back afterwards, so
    /// `f` sees the template's resources without properties. Synthesis renders and checks
    /// each template this way.
    pub fn lend_value<R>(&mut self, f: impl FnOnce(&Template, &Value) -> R) -> R {
        let lent = |p: &Value| p.as_object().is_some_and(|p| !p.is_empty());
        let properties: Vec<Value> = self
            .resources
            .values_mut()
            .map(|r| {
                if lent(&r.properties) {
                    std::mem::take(&mut r.properties)
                } else {
                    r.properties.clone()
                }
            })
            .collect();
        let mut value = self.value_with(properties);
        let result = f(self, &value);
        let back = value
            .get_mut("Resources")
            .and_then(Value::as_object_mut)
            .map(std::mem::take)
            .unwrap_or_default();
        for (r, (_, mut v)) in self.resources.values_mut().zip(back) {
            if let Some(p) = v.as_object_mut().and_then(|v| v.shift_remove("Properties")) {
                r.properties = p;
            }
        }
        result
    }

    /// The template's value with `properties` (one per resource, in order) as the resources'.
    fn value_with(&self, properties: Vec<Value>) -> Value {
        let mut m = Map::new();
        m.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        m.insert("Description".into(), json!(self.description));
        let mut metadata = Map::new();
        if !self.parameters.is_empty() {
            metadata.insert("AWS::CloudFormation::Interface".into(), self.interface());
        }
        if !self.customer_controls.is_empty() {
            let controls: Vec<Value> = self
                .customer_controls
                .iter()
                .map(|(rule, reason)| json!({"Rule": rule, "Reason": reason}))
                .collect();
            metadata.insert("byoa".into(), json!({"CustomerControls": controls}));
        }
        if !metadata.is_empty() {
            m.insert("Metadata".into(), Value::Object(metadata));
        }
        if !self.parameters.is_empty() {
            m.insert(
                "Parameters".into(),
                Value::Object(
                    self.parameters
                        .iter()
                        .map(|(k, p)| (k.clone(), p.to_value()))
                        .collect(),
                ),
            );
        }
        let section = |items: &IndexMap<String, Value>| {
            Value::Object(items.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        };
        if !self.rules.is_empty() {
            m.insert("Rules".into(), section(&self.rules));
        }
        if !self.mappings.is_empty() {
            m.insert("Mappings".into(), section(&self.mappings));
        }
        if !self.conditions.is_empty() {
            m.insert("Conditions".into(), section(&self.conditions));
        }
        m.insert(
            "Resources".into(),
            Value::Object(
                self.resources
                    .iter()
                    .zip(properties)
                    .map(|((k, r), p)| (k.clone(), r.to_value(p)))
                    .collect(),
            ),
        );
        if !self.outputs.is_empty() {
            let outputs = self.outputs.iter().map(|(k, o)| {
                let mut v = Map::new();
                v.insert("Description".into(), json!(o.description));
                if let Some(c) = &o.condition {
                    v.insert("Condition".into(), json!(c));
                }
                v.insert("Value".into(), o.value.clone());
                (k.clone(), Value::Object(v))
            });
            m.insert("Outputs".into(), Value::Object(outputs.collect()));
        }
        Value::Object(m)
    }
}

/// An id added twice to one section of a template (a compiler bug): the first definition is
/// kept and `check::problems` reports the second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateId {
    /// The template section, e.g. `Resources`.
    pub section: &'static str,
    pub id: String,
}

/// Inserts `value` under a new `id`; an id already there keeps its first value and the
/// duplicate is recorded.
fn insert_new<T>(
    section: &mut IndexMap<String, T>,
    duplicates: &mut Vec<DuplicateId>,
    name: &'static str,
    id: &str,
    value: T,
) {
    if section.contains_key(id) {
        duplicates.push(DuplicateId {
            section: name,
            id: id.to_owned(),
        });
    } else {
        section.insert(id.to_owned(), value);
    }
}

/// Types whose `Tags` is a list of `{Key, Value}`: `add_resource` tags them. A compiler that
/// emits a type in neither this list nor `UNTAGGABLE` fails a test, so every new type gets a
/// decision.
pub const TAGGABLE: &[&str] = &[
    "AWS::WAFv2::WebACL",
    "AWS::CloudFormation::Stack",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::FlowLog",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::IAM::Role",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBParameterGroup",
    "AWS::RDS::DBSubnetGroup",
    "AWS::S3::Bucket",
    "AWS::ECS::Cluster",
    "AWS::ECS::Service",
    "AWS::ECS::TaskDefinition",
    "AWS::ECR::Repository",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ServiceDiscovery::PrivateDnsNamespace",
    "AWS::ServiceDiscovery::Service",
    "AWS::SNS::Topic",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::CloudTrail::Trail",
    "AWS::Events::Rule",
];

/// Types that take no tags at all.
pub const UNTAGGABLE: &[&str] = &[
    "AWS::WAFv2::WebACLAssociation",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::KMS::Alias",
    "AWS::S3::BucketPolicy",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
    "AWS::CloudFormation::GuardHook",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lent_value_is_the_template_value_and_the_template_gets_its_properties_back() {
        let mut t = Template::new("t", vec![("Product".into(), "acme".into())]);
        t.add_resource(
            "Bucket",
            Resource::new("AWS::S3::Bucket", json!({"BucketName": "b"})),
            None,
        );
        t.add_resource(
            "Handle",
            Resource::new("AWS::CloudFormation::WaitConditionHandle", json!({})),
            None,
        );
        t.add_output("Name", "the bucket", json!({"Ref": "Bucket"}));
        let before = t.to_value();
        let seen = t.lend_value(|lent, value| {
            assert_eq!(value, &before);
            lent.resources
                .values()
                .map(|r| r.properties.clone())
                .collect::<Vec<_>>()
        });
        assert_eq!(seen, [Value::Null, json!({})], "only properties are lent");
        assert_eq!(t.to_value(), before);
        assert_eq!(t.resources["Handle"].properties, json!({}));
    }

    #[test]
    fn sections_appear_exactly_when_the_template_has_something_in_them() {
        let mut t = Template::new("t", vec![]);
        let sections = |t: &Template| -> Vec<String> {
            t.to_value().as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(
            sections(&t),
            ["AWSTemplateFormatVersion", "Description", "Resources"]
        );
        t.add_parameter(
            "Email",
            Parameter::new("String", "G", "Email", "an address"),
        );
        t.customer_controls
            .push(("R".into(), "the customer's".into()));
        t.add_rule("OnlyHere", json!({"Assertions": []}));
        t.add_mapping("Map", json!({"a": {"b": "c"}}));
        t.add_condition("Yes", json!({"Fn::Equals": ["a", "a"]}));
        t.add_output("Out", "an output", json!("x"));
        assert_eq!(
            sections(&t),
            [
                "AWSTemplateFormatVersion",
                "Description",
                "Metadata",
                "Parameters",
                "Rules",
                "Mappings",
                "Conditions",
                "Resources",
                "Outputs"
            ]
        );
        let metadata = &t.to_value()["Metadata"];
        assert!(metadata["AWS::CloudFormation::Interface"].is_object());
        assert_eq!(metadata["byoa"]["CustomerControls"][0]["Rule"], "R");
    }
}
