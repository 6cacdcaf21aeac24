//! Module needs: what a module's stacks require from the stacks they share with the other
//! modules (`access`, `network`, `monitoring`) and hand to the services that use them.
//!
//! Stage: modules. Each module compiler returns its template together with its `Needs`: the
//! IAM actions CloudFormation calls to create, update and delete the module's resources
//! (`Grant`s: actions on resource patterns, scoped by the product prefix where CloudFormation
//! names the resource), what its own roles may do and the AWS managed policies they attach (the
//! permissions boundary and the attach allow-list), the services its roles are passed to, the service-linked roles its
//! resources make AWS create, the services that encrypt with a product key on CloudFormation's
//! behalf, the traffic it must admit (`Ingress`), what it hands to the containers of the
//! services that use it (`Export`) and what the monitoring stack alarms on (`alarm::Alarm`).
//! `access` builds the execution role from the aggregated needs, `network` its security-group
//! rules, `monitoring` its alarms and each service stack its container's environment, so none
//! of them lists another module's resources.
//!
//! Each module also owns a table from every resource type it emits to the actions that type
//! requires (`ResourceActions`); the tests hold the grants against those tables.
//!
//! Invariants: a grant is identified by its `sid`; two modules that declare the same sid declare
//! the same grant (the shared const), and aggregation keeps the first. Grants are constants,
//! never built from user input, so a clash is a bug in byoa and panics. Aggregation order is
//! fixed (`aggregate`), so the execution role's statements are the same bytes on every run.

use crate::cfn::Parameter;
use crate::modules::alarm::Alarm;

/// The managed policy of the execution role a grant belongs to. Four policies because one
/// managed policy holds at most 6,144 characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    Network,
    Data,
    Compute,
    Monitoring,
}

/// The resources a grant applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// `*`: AWS supports no resource-level permission for these calls (or the resource has an
    /// ARN only once it exists).
    Any,
    /// `arn:${AWS::Partition}:<pattern>`: resources whose ids AWS generates, scoped to the
    /// account (and region). `{prefix}` in the pattern stands for the product prefix
    /// `<product>-<environment>-` that starts every name CloudFormation generates for the
    /// product's stacks; `{bucket_prefix}` for its lowercase form (bucket names).
    Arn(&'static str),
    /// Several patterns, in this order.
    Arns(&'static [&'static str]),
    /// Patterns as `Arns`, and only resources that carry the product's and environment's tags
    /// (`aws:ResourceTag`): for resources whose ids AWS generates, which byoa tags when it
    /// creates them.
    Tagged(&'static [&'static str]),
}

/// Actions the execution role must allow on some resources for one module's resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub part: Part,
    /// The statement id in the execution role; unique across modules.
    pub sid: &'static str,
    /// Exact actions (never `*` or `service:*`), in the order the statement lists them.
    pub actions: &'static [&'static str],
    pub on: On,
}

/// A security group of the network stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    LoadBalancer,
    Services,
    Database,
}

/// Traffic a module's resources must admit: TCP on `port` into the group `to` from the group
/// `from`. The network creates the `to` group and the rule when the `from` group exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ingress {
    pub to: Group,
    pub from: Group,
    pub port: u16,
    /// What flows, for the group's description (`PostgreSQL`, `HTTP`).
    pub protocol: &'static str,
}

/// A value a module hands to another stack (a service stack, the monitoring stack): a
/// parameter of that stack, which the root feeds from the module's output of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The parameter's and the output's name.
    pub name: String,
    /// The console group of the parameter.
    pub group: &'static str,
    pub label: String,
    pub description: String,
    /// The parameter's `AllowedPattern` and the message shown when a value breaks it.
    pub pattern: &'static str,
    pub pattern_help: &'static str,
}

impl Input {
    /// The parameter the receiving stack declares.
    pub fn parameter(&self) -> Parameter {
        Parameter::new("String", self.group, &self.label, &self.description)
            .pattern(self.pattern, self.pattern_help)
    }
}

/// A secret variable of the container: the JSON key `key` of the secret whose ARN is `input`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretVariable {
    pub variable: &'static str,
    pub input: &'static str,
    pub key: &'static str,
}

/// A key the task execution role may decrypt with (through `via`, e.g. `secretsmanager`) to
/// read the exported secrets; `sid` names the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decrypt {
    pub sid: &'static str,
    pub input: &'static str,
    pub via: &'static str,
}

/// What a module exports to the containers of the services that use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub inputs: Vec<Input>,
    /// Plain variables: (variable, input).
    pub environment: Vec<(&'static str, &'static str)>,
    pub secrets: Vec<SecretVariable>,
    pub decrypt: Option<Decrypt>,
}

/// A resource type and the actions CloudFormation calls to create, read, update, tag and
/// delete it with the settings byoa gives it.
pub type ResourceActions = (&'static str, &'static [&'static str]);

/// One grant of a service's task role as the permissions boundary allows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStatement {
    /// The service's name.
    pub service: String,
    /// An allow statement; its `Sid` is unique in the boundary.
    pub statement: serde_json::Value,
    /// Why the product needs it, from the spec.
    pub reason: Option<String>,
}

/// What one module (or the aggregate of all modules) needs from the shared stacks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub grants: Vec<Grant>,
    /// Service principals the module's roles are passed to (`iam:PassedToService`).
    pub passes_roles_to: Vec<&'static str>,
    /// Service-linked roles the module's resources need (`iam:AWSServiceName`).
    pub service_linked_roles: Vec<&'static str>,
    /// Services (`ecr`, `rds`, ...) that use a product key on CloudFormation's behalf.
    pub keys_used_through: Vec<&'static str>,
    /// Every action the module's roles are granted, by their inline policies and by the AWS
    /// managed policies they attach: the permissions boundary of every product role allows
    /// these and nothing else (each role's own policy scopes them to resources).
    pub role_actions: Vec<&'static str>,
    /// Resources outside the product's names that the module's roles use (the log group RDS
    /// enhanced monitoring writes to, the secrets the spec names): with the product's own, the
    /// only resources the permissions boundary lets a product role touch.
    pub role_resources: Vec<serde_json::Value>,
    /// The grants the spec gives services' tasks, as the permissions boundary allows them
    /// (one statement each, on the resources the spec names).
    pub task_statements: Vec<TaskStatement>,
    /// AWS managed policies the module's roles attach (`iam::aws:policy/<path and name>`
    /// after the partition): the only ones the execution role may attach.
    pub attached_policies: Vec<&'static str>,
    pub ingress: Vec<Ingress>,
    /// What the module hands to the services that use it.
    pub exports: Vec<Export>,
    /// What the monitoring stack alarms on for the module, and the parameters the alarms'
    /// dimensions refer to.
    pub alarms: Vec<Alarm>,
    pub alarm_inputs: Vec<Input>,
    /// Rows of dashboard widgets (`alarm::graph`) for the module, top to bottom.
    pub dashboard_rows: Vec<Vec<serde_json::Value>>,
    /// The spec fields behind what the shared stacks build from these needs, by what they
    /// decide: the source map traces the shared stacks' resources to them.
    pub decided_by: Vec<(Decides, String)>,
}

/// What a spec field decides in the needs of a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decides {
    /// Which grants of this execution-role policy the module asks for (`Needs::grant_if`).
    Grants(Part),
    /// The roles the module's resources use (roles passed to services, role actions): the
    /// execution role's compute policy (`iam:PassRole`) and the permissions boundary.
    Roles,
    /// The module's rows (and alarms) on the dashboard.
    Dashboard,
}

impl Needs {
    /// The needs of all modules, each list in the order of `parts` with repeats dropped. The
    /// caller passes the modules in one fixed order: network, the services (in spec order),
    /// the cluster, monitoring, the database. That is the order the execution role's
    /// statements and condition lists have always had; changing it would change the access
    /// template of every customer without changing a permission.
    pub fn aggregate<'a>(parts: impl IntoIterator<Item = &'a Needs>) -> Needs {
        Self::gather(parts, true)
    }

    /// `aggregate` without the alarms and dashboard rows, which only the monitoring stack
    /// reads and which are the costly part to copy: what the network and access stacks are
    /// built from.
    pub fn aggregate_unwatched<'a>(parts: impl IntoIterator<Item = &'a Needs>) -> Needs {
        Self::gather(parts, false)
    }

    fn gather<'a>(parts: impl IntoIterator<Item = &'a Needs>, watched: bool) -> Needs {
        let mut all = Needs::default();
        for n in parts {
            for g in &n.grants {
                match all.grants.iter().find(|a| a.sid == g.sid) {
                    Some(existing) => assert_eq!(
                        existing, g,
                        "two modules declare different grants named {}",
                        g.sid
                    ),
                    None => all.grants.push(*g),
                }
            }
            extend_unique(&mut all.passes_roles_to, &n.passes_roles_to);
            extend_unique(&mut all.service_linked_roles, &n.service_linked_roles);
            extend_unique(&mut all.keys_used_through, &n.keys_used_through);
            extend_unique(&mut all.role_actions, &n.role_actions);
            extend_unique(&mut all.role_resources, &n.role_resources);
            extend_unique(&mut all.task_statements, &n.task_statements);
            extend_unique(&mut all.attached_policies, &n.attached_policies);
            extend_unique(&mut all.ingress, &n.ingress);
            extend_unique(&mut all.exports, &n.exports);
            // Alarm ids and input names are built from user names: two that collide are kept,
            // so the monitoring template (which checks its ids) reports them.
            if watched {
                all.alarms.extend(n.alarms.iter().cloned());
                all.dashboard_rows.extend(n.dashboard_rows.iter().cloned());
            }
            extend_unique(&mut all.alarm_inputs, &n.alarm_inputs);
            extend_unique(&mut all.decided_by, &n.decided_by);
        }
        all
    }

    /// Asks for `grants` when `on`. Either way `field` (a spec path) is recorded as deciding
    /// them: turning a grant off changes its policy as much as turning it on.
    pub fn grant_if(&mut self, on: bool, field: impl Into<String>, grants: &[Grant]) {
        let field = field.into();
        if on {
            self.grants.extend_from_slice(grants);
        }
        for g in grants {
            self.decided(Decides::Grants(g.part), field.clone());
        }
    }

    /// Records that `field` decides `what`.
    pub fn decided(&mut self, what: Decides, field: impl Into<String>) {
        let decided = (what, field.into());
        if !self.decided_by.contains(&decided) {
            self.decided_by.push(decided);
        }
    }

    /// The spec fields that decide `what`.
    pub fn fields_deciding(&self, what: Decides) -> impl Iterator<Item = &str> {
        self.decided_by
            .iter()
            .filter(move |(d, _)| *d == what)
            .map(|(_, f)| f.as_str())
    }

    /// The grants of one policy, in aggregation order.
    pub fn grants_of(&self, part: Part) -> impl Iterator<Item = &Grant> {
        self.grants.iter().filter(move |g| g.part == part)
    }
}

pub(crate) fn extend_unique<T: PartialEq + Clone>(into: &mut Vec<T>, from: &[T]) {
    for x in from {
        if !into.contains(x) {
            into.push(x.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Grant = Grant {
        part: Part::Data,
        sid: "A",
        actions: &["s3:GetObject"],
        on: On::Any,
    };
    const B: Grant = Grant {
        part: Part::Compute,
        sid: "B",
        actions: &["iam:GetRole"],
        on: On::Arn("iam::${AWS::AccountId}:role/{prefix}*"),
    };

    #[test]
    fn aggregation_keeps_first_occurrence_in_module_order() {
        let first = Needs {
            grants: vec![B, A],
            passes_roles_to: vec!["ecs-tasks.amazonaws.com"],
            ..Needs::default()
        };
        let second = Needs {
            grants: vec![A],
            passes_roles_to: vec!["monitoring.rds.amazonaws.com", "ecs-tasks.amazonaws.com"],
            ..Needs::default()
        };
        let all = Needs::aggregate([&first, &second]);
        assert_eq!(all.grants, vec![B, A]);
        assert_eq!(
            all.passes_roles_to,
            vec!["ecs-tasks.amazonaws.com", "monitoring.rds.amazonaws.com"]
        );
        assert_eq!(all.grants_of(Part::Data).collect::<Vec<_>>(), vec![&A]);
    }

    #[test]
    fn aggregation_keeps_alarms_whose_ids_collide_for_the_template_to_report() {
        let alarm = |description: &str| Alarm {
            id: "DatabaseCpuAlarm".into(),
            description: description.into(),
            watch: serde_json::json!({}),
            rule: crate::modules::alarm::Rule::above(80, "missing"),
            from: vec![],
            when: vec![],
        };
        let service = Needs {
            alarms: vec![alarm("a service named database")],
            ..Needs::default()
        };
        let database = Needs {
            alarms: vec![alarm("the database")],
            ..Needs::default()
        };
        assert_eq!(Needs::aggregate([&service, &database]).alarms.len(), 2);
        let with_row = Needs {
            grants: vec![A],
            dashboard_rows: vec![vec![serde_json::json!({"type": "metric"})]],
            ..service
        };
        let unwatched = Needs::aggregate_unwatched([&with_row, &database]);
        assert!(unwatched.alarms.is_empty() && unwatched.dashboard_rows.is_empty());
        assert_eq!(
            unwatched.grants,
            [A],
            "everything else is aggregated as ever"
        );
    }

    #[test]
    #[should_panic(expected = "different grants named A")]
    fn two_grants_with_one_sid_must_be_the_same() {
        let other = Grant {
            actions: &["s3:PutObject"],
            ..A
        };
        let one = Needs {
            grants: vec![A],
            ..Needs::default()
        };
        let two = Needs {
            grants: vec![other],
            ..Needs::default()
        };
        Needs::aggregate([&one, &two]);
    }
}
