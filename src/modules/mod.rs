//! Module compilers: `Model` -> one `Template` per stack.
//!
//! Each compiler is a pure function of the model that returns its template and its `Needs`
//! (what it requires from the shared stacks). `build_all` compiles the modules, aggregates their
//! needs in one fixed order, builds the shared stacks from them (the network's security-group
//! rules, the access stack's execution role and permissions boundary), gives every role of a
//! product stack that boundary, lists the stacks in deployment order and
//! finishes with the root stack, which nests the others (all but `access`, which the customer
//! launches first, on its own).
//!
//! While they build a resource, compilers record the spec fields behind its properties on the
//! template (`Template::trace`; alarms carry theirs in `Alarm::from`, grants in
//! `Needs::grant_if`); `Stack::new` adds what every stack shares (tags, the permissions
//! boundary). The test that edits one spec field at a time and diffs the templates
//! (`tests/cli/sources.rs`) fails on a property that changes without being traced.

pub mod access;
pub mod alarm;
pub mod database;
pub mod monitoring;
pub mod needs;
pub mod network;
pub mod root;
pub mod scanners;
pub mod secure;
pub mod service;

use serde_json::json;

use crate::cfn::Template;
use crate::diag::Diagnostic;
use crate::modules::needs::{Needs, ResourceActions};
use crate::spec::Model;

/// A module's template and what the module needs from the shared stacks.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub template: Template,
    pub needs: Needs,
}

/// One stack to emit: its module id (the file name), its stack name and its template.
#[derive(Debug, Clone)]
pub struct Stack {
    pub module: String,
    pub stack_name: String,
    pub template: Template,
}

impl Stack {
    /// A stack of `module`. Every template refuses to launch outside the regions the spec's
    /// residency allows: the customer sees the refusal in the console, before anything exists.
    fn new(model: &Model, module: &str, mut template: Template) -> Self {
        let allowed = crate::spec::regions::allowed_codes(model.residency);
        template.add_rule(
            "RegionAllowed",
            json!({"Assertions": [{
                "Assert": {"Fn::Contains": [allowed, {"Ref": "AWS::Region"}]},
                "AssertDescription": format!(
                    "{} stores data only in these regions ({} residency): choose one of them",
                    model.product,
                    residency_name(model.residency)
                ),
            }]}),
        );
        if module != access::MODULE {
            bound_roles(model, &mut template);
        }
        waive(model, &mut template);
        scanners::design_choices(&mut template);
        trace_tags(&mut template);
        Stack {
            module: module.to_owned(),
            stack_name: model.stack_name(module),
            template,
        }
    }

    /// The file the stack's template is written to.
    pub fn file(&self, extension: &str) -> String {
        format!("{}.{extension}", self.module)
    }
}

/// Compiles every stack the model calls for, in deployment order, root last. `extension` names
/// the template files the root points at. Errors are the root's wiring problems, located in
/// its template file.
pub fn build_all(model: &Model, extension: &str) -> Result<Vec<Stack>, Vec<Diagnostic>> {
    let cluster = (!model.services.is_empty()).then(|| service::build_cluster(model));
    let database = model.database.is_some().then(|| database::build(model));
    let database_exports = database.as_ref().map_or(&[][..], |d| &d.needs.exports[..]);
    // Each service's module depends on the model and the database's exports alone.
    let each: Vec<&crate::spec::model::Service> = model.services.iter().collect();
    let services: Vec<(String, Compiled)> =
        crate::parallel::map(each, crate::parallel::cores(4), |s| {
            let uses = if s.uses_database {
                database_exports
            } else {
                &[]
            };
            (service::module(s), service::build(model, s, uses))
        });
    // The network admits what the others need; monitoring alarms on what the network and the
    // others ask for; access grants what all of them need.
    let ingress =
        Needs::aggregate_unwatched(in_order(None, &services, &cluster, None, &database)).ingress;
    let network = network::build(model, &ingress);
    let watched = in_order(Some(&network), &services, &cluster, None, &database);
    let monitoring = monitoring::build(model, &Needs::aggregate(watched));
    let all = in_order(
        Some(&network),
        &services,
        &cluster,
        Some(&monitoring),
        &database,
    );
    let all = Needs::aggregate_unwatched(all);

    let mut nested = vec![Stack::new(model, network::MODULE, network.template)];
    if let Some(cluster) = cluster {
        nested.push(Stack::new(model, service::CLUSTER_MODULE, cluster.template));
    }
    if let Some(database) = database {
        nested.push(Stack::new(model, database::MODULE, database.template));
    }
    for (module, compiled) in services {
        nested.push(Stack::new(model, &module, compiled.template));
    }
    nested.push(Stack::new(model, monitoring::MODULE, monitoring.template));
    // Launched by the customer first, on its own; nothing in the root depends on it, so the
    // two are built at once.
    let (access, root_template) = crate::parallel::join(
        || access::build(model, &all),
        || root::build(model, &nested, extension),
    );
    let standalone = vec![Stack::new(model, access::MODULE, access)];
    let root_file = format!("{}.{extension}", root::MODULE);
    let root_template = root_template.map_err(|problems| {
        problems
            .into_iter()
            .map(|d| d.in_file(&root_file))
            .collect::<Vec<_>>()
    })?;
    let root = Stack::new(model, root::MODULE, root_template);
    Ok(nested.into_iter().chain(standalone).chain([root]).collect())
}

/// The modules' needs in the one order they are aggregated in (see `Needs::aggregate`):
/// network, services (in spec order), cluster, monitoring, database.
fn in_order<'a>(
    network: Option<&'a Compiled>,
    services: &'a [(String, Compiled)],
    cluster: &'a Option<Compiled>,
    monitoring: Option<&'a Compiled>,
    database: &'a Option<Compiled>,
) -> Vec<&'a Needs> {
    network
        .into_iter()
        .chain(services.iter().map(|(_, c)| c))
        .chain(cluster)
        .chain(monitoring)
        .chain(database)
        .map(|c| &c.needs)
        .collect()
}

/// Every resource type a product stack may hold, with the actions CloudFormation calls for it,
/// from the tables of the modules that emit them (keys, log groups, roles and nested stacks,
/// which every module uses, from the access stack's foundation; buckets from `secure`).
pub fn resource_actions() -> impl Iterator<Item = &'static ResourceActions> {
    [
        access::RESOURCE_ACTIONS,
        secure::RESOURCE_ACTIONS,
        network::RESOURCE_ACTIONS,
        service::RESOURCE_ACTIONS,
        database::RESOURCE_ACTIONS,
        monitoring::RESOURCE_ACTIONS,
    ]
    .into_iter()
    .flatten()
}

/// Gives every role of a product stack the access stack's permissions boundary: the execution
/// role can create no role without it, so one set here, for every module, is one a module cannot
/// forget. The access stack's own roles are the customer's, created by the customer; they define
/// the boundary and are not held by it.
fn bound_roles(model: &Model, template: &mut Template) {
    let mut bound = Vec::new();
    for (id, r) in &mut template.resources {
        if r.kind == "AWS::IAM::Role" {
            r.properties["PermissionsBoundary"] = access::boundary_arn(model);
            bound.push(id.clone());
        }
    }
    // The boundary's name is the product's.
    for id in bound {
        template.trace(&id, "PermissionsBoundary", ["product.name"]);
    }
}

/// Every tagged resource carries the product's tags (`Template::add_resource`): its `Tags`
/// follow the product's name, owner and tags wherever the resource comes from.
fn trace_tags(template: &mut Template) {
    let tagged: Vec<String> = template
        .resources
        .iter()
        .filter(|(_, r)| r.properties.get("Tags").is_some())
        .map(|(id, _)| id.clone())
        .collect();
    for id in tagged {
        template.trace(
            &id,
            "Tags",
            ["product.name", "product.owner", "product.tags"],
        );
    }
}

/// Writes the model's waivers (lasting spec exceptions for named resources) into the
/// template: the resource's `Metadata.guard.SuppressedRules` (which the Guard rules, and so the
/// in-account hook, honour), the checkov and cfn-lint keys where those tools check the same
/// thing (`scanners::equivalents`), and `Metadata.byoa.Exceptions` with each reason, so the
/// deployed template is its own audit trail and every scanner honours the same decision. Only
/// resources of a type the rule judges are touched.
fn waive(model: &Model, template: &mut Template) {
    for w in &model.waivers {
        let resource = template
            .resources
            .get_mut(&w.resource)
            .filter(|r| w.resource_types.contains(&r.kind));
        if let Some(resource) = resource {
            let (checkov, cfn_lint) = scanners::equivalents(&w.rule);
            let ids = scanners::Ids {
                guard: &[w.rule.as_str()],
                checkov,
                cfn_lint,
            };
            scanners::suppress(resource, &w.rule, ids, &w.reason);
        }
    }
}

fn residency_name(r: crate::spec::types::Residency) -> &'static str {
    use crate::spec::types::Residency;
    match r {
        Residency::Us => "US",
        Residency::Eu => "EU",
        Residency::Apac => "Asia-Pacific",
        Residency::Global => "global",
    }
}

#[cfg(test)]
mod coverage;

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn database_metadata(exceptions: &str) -> (serde_json::Value, serde_json::Value) {
        let spec = format!(
            "product: {{name: acme, vendor_account_id: \"111111111111\"}}\naccess: {{vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}}\nregion: us-east-1\n\
             database: {{multi_az: false}}\ncompliance:\n  profiles: [soc2]\n  exceptions:\n{exceptions}"
        );
        // The rule judges database instances only (not the root's nested stack of that id).
        let mut catalogue = crate::spec::RuleCatalogue::default();
        catalogue.add_rule("RDS_MULTI_AZ_SUPPORT", &["AWS::RDS::DBInstance".to_owned()]);
        let model = crate::spec::load_str(Path::new("byoa.yaml"), &spec, None, &catalogue)
            .expect("valid")
            .model;
        let stacks = super::build_all(&model, "yaml").expect("builds");
        let find = |module: &str| {
            stacks
                .iter()
                .find(|s| s.module == module)
                .unwrap()
                .template
                .to_value()
        };
        (
            find("database")["Resources"]["Database"]["Metadata"].clone(),
            find("root")["Resources"]["Database"]["Metadata"].clone(),
        )
    }

    #[test]
    fn lasting_exceptions_for_named_resources_are_written_into_the_template() {
        let (db, root) = database_metadata(
            "    - {rule: RDS_MULTI_AZ_SUPPORT, resource: Database, reason: one zone is enough here}\n",
        );
        assert_eq!(
            db["guard"]["SuppressedRules"],
            serde_json::json!(["RDS_MULTI_AZ_SUPPORT"])
        );
        assert_eq!(
            db["byoa"]["Exceptions"][0],
            serde_json::json!({"Rule": "RDS_MULTI_AZ_SUPPORT", "Reason": "one zone is enough here"})
        );
        // checkov checks the same thing (CKV_AWS_157): it honours the same decision.
        assert_eq!(
            db["checkov"]["skip"],
            serde_json::json!([{"id": "CKV_AWS_157", "comment": "one zone is enough here"}])
        );
        // The root's nested stack of the same logical id is not what the rule judges.
        assert!(root.is_null(), "{root}");
    }

    #[test]
    fn expiring_or_unnamed_exceptions_stay_out_of_templates() {
        let (db, _) = database_metadata(
            "    - {rule: RDS_MULTI_AZ_SUPPORT, resource: Database, reason: one zone until the migration, expires: 2030-01-01}\n",
        );
        assert!(db.is_null(), "{db}");
        let (db, _) = database_metadata(
            "    - {rule: RDS_MULTI_AZ_SUPPORT, reason: one zone everywhere in this product}\n",
        );
        assert!(db.is_null(), "{db}");
    }

    /// A product with every optional stack, its services named `names`; `network`,
    /// `monitoring` and `compliance` are the contents of those sections.
    fn everything(
        names: &[&str],
        [network, monitoring, compliance]: [&str; 3],
    ) -> Result<crate::spec::Model, Vec<crate::diag::Diagnostic>> {
        let services: String = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                format!(
                    "  - {{name: {n}, port: 8080, uses_database: true, discovery: true, \
                     secrets: {{A: shared/a}}, expose: {{paths: [\"/{i}/*\"]}}, \
                     scaling: {{min: 1, max: 3, cpu_percent: 50, requests_per_target: 100}}}}\n"
                )
            })
            .collect();
        let spec = format!(
            "product: {{name: acme, vendor_account_id: \"111111111111\"}}\nregion: us-east-1\n\
             compliance: {{{compliance}}}\n\
             network: {{{network}}}\nmonitoring: {{{monitoring}}}\n\
             database: {{read_replicas: 2, instance_class: db.r6g.large, max_storage_gb: 100}}\n\
             access: {{vendor_role_arn: \"arn:aws:iam::111111111111:role/x\", require_mfa: true}}\n\
             services:\n{services}"
        );
        crate::spec::load_str(Path::new("byoa.yaml"), &spec, None, &Default::default())
            .map(|l| l.model)
    }

    /// Compliance that adds the in-account hook and its resources.
    const HARDENED: &str = "profiles: [hipaa], enforce_in_account: true";

    /// Every id of every template: (module, section, id).
    fn ids(stacks: &[super::Stack]) -> Vec<(String, &'static str, String)> {
        let mut out = Vec::new();
        for st in stacks {
            let t = &st.template;
            let sections: [(&'static str, Vec<&String>); 6] = [
                ("Parameters", t.parameters.keys().collect()),
                ("Rules", t.rules.keys().collect()),
                ("Mappings", t.mappings.keys().collect()),
                ("Conditions", t.conditions.keys().collect()),
                ("Resources", t.resources.keys().collect()),
                ("Outputs", t.outputs.keys().collect()),
            ];
            for (section, keys) in sections {
                out.extend(
                    keys.into_iter()
                        .map(|k| (st.module.clone(), section, k.clone())),
                );
            }
        }
        out
    }

    #[test]
    fn every_fixed_id_with_a_service_tail_is_known_to_naming() {
        use crate::naming::{self, ServicePart};
        let lean = "az_count: 2, nat: single, flow_logs: {enabled: false}, \
                    load_balancer: {access_logs: false, waf: false, deletion_protection: false}";
        let variants = [
            ["zones: [us-east-1a, us-east-1b]", "", HARDENED],
            ["az_count: 3, nat: single", "", HARDENED],
            [lean, "dashboard: false, audit_trail: false", ""],
        ];
        for sections in variants {
            let model = everything(&["zq", "zr"], sections).expect("valid");
            let stacks = super::build_all(&model, "yaml").expect("builds");
            let from_services = |id: &str| {
                model.services.iter().any(|s| {
                    ServicePart::ALL.iter().any(|p| s.id.id(*p) == id)
                        || naming::child_id(&naming::service_module(&s.name)) == id
                })
            };
            let service_tail = |id: &str| {
                let mut tails = ServicePart::ALL.iter().map(|p| p.suffix());
                tails.any(|t| id.len() > t.len() && id.ends_with(t))
            };
            for (module, section, id) in ids(&stacks) {
                if !from_services(&id) && service_tail(&id) {
                    assert!(
                        naming::FIXED_WITH_SERVICE_TAILS.contains(&id.as_str()),
                        "{module} {section} `{id}` ends like a service id: list it in naming"
                    );
                }
            }
        }
    }

    /// Service names made of the leading words of every fixed id (`DatabaseCpuAlarm` ->
    /// `database`, `database-cpu`, `database-cpu-alarm`) and names that look reserved.
    fn adversarial_names() -> Vec<String> {
        let model = everything(&["zq"], ["az_count: 2", "", HARDENED]).expect("valid");
        let stacks = super::build_all(&model, "yaml").expect("builds");
        let mut names: Vec<String> = [
            "database",
            "network",
            "alb",
            "load-balancer",
            "cluster",
            "trail",
            "vpc",
            "flow",
            "alarm",
            "dashboard",
            "monitoring",
            "root",
            "access",
            "service",
            "namespace",
            "key",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for (_, _, id) in ids(&stacks) {
            let mut words: Vec<String> = Vec::new();
            for c in id.chars() {
                match words.last_mut() {
                    Some(w) if !c.is_ascii_uppercase() => w.push(c.to_ascii_lowercase()),
                    _ => words.push(c.to_ascii_lowercase().to_string()),
                }
            }
            for n in 1..=words.len() {
                names.push(words[..n].join("-"));
            }
        }
        names.retain(|n| crate::spec::validate::is_dns_label(n) && n.len() <= 24 && n != "zq");
        names.sort();
        names.dedup();
        names
    }

    #[test]
    fn services_named_like_fixed_ids_are_refused_or_get_ids_of_their_own() {
        use crate::diag::Code;
        let mut refused = Vec::new();
        for name in adversarial_names() {
            match everything(&[&name, "api"], ["az_count: 2", "", HARDENED]) {
                Err(d) => {
                    assert!(
                        d.iter().all(|d| d.code == Code::ServiceReservedName),
                        "`{name}`: {d:#?}"
                    );
                    refused.push(name);
                }
                Ok(model) => {
                    let stacks = super::build_all(&model, "yaml")
                        .unwrap_or_else(|p| panic!("`{name}`: {p:#?}"));
                    for st in &stacks {
                        let t = &st.template;
                        for id in t.parameters.keys() {
                            assert!(
                                !t.resources.contains_key(id),
                                "`{name}`: {} {id}",
                                st.module
                            );
                        }
                        assert!(t.duplicates().is_empty(), "`{name}`: {:#?}", t.duplicates());
                    }
                }
            }
        }
        assert_eq!(refused, ["database", "flow"]);
    }

    #[test]
    fn only_services_that_use_the_database_get_what_it_exports() {
        let spec = "product: {name: acme, vendor_account_id: \"111111111111\"}\naccess: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\nregion: us-east-1\n\
             database: {}\nservices:\n  - {name: api, uses_database: true}\n  - {name: worker}\n";
        let model = crate::spec::load_str(Path::new("byoa.yaml"), spec, None, &Default::default())
            .expect("valid")
            .model;
        let stacks = super::build_all(&model, "yaml").expect("builds");
        let text = |module: &str| {
            let stack = stacks.iter().find(|s| s.module == module).unwrap();
            serde_json::to_string(&stack.template.to_value()).unwrap()
        };
        for exported in [
            "DB_HOST",
            "DB_PASSWORD",
            "DatabaseKeyArn",
            "DecryptDatabaseSecret",
        ] {
            assert!(text("service-api").contains(exported), "{exported}");
            assert!(!text("service-worker").contains(exported), "{exported}");
        }
    }
}
