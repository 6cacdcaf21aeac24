//! Module compilers: `Model` -> one `Template` per stack.
//!
//! Each compiler is a pure function of the model that returns its template and its `Needs`
//! (what it requires from the shared stacks). `build_all` compiles the modules, aggregates their
//! needs in one fixed order, builds the shared stacks from them (the network's security-group
//! rules, the access stack's execution role), lists the stacks in deployment order and
//! finishes with the root stack, which nests the others (all but `access`, which the customer
//! launches first, on its own).

pub mod access;
pub mod alarm;
pub mod database;
pub mod monitoring;
pub mod needs;
pub mod network;
pub mod root;
pub mod secure;
pub mod service;

use serde_json::json;

use crate::cfn::Template;
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
        waive(model, &mut template);
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
/// the template files the root points at.
pub fn build_all(model: &Model, extension: &str) -> Result<Vec<Stack>, Vec<String>> {
    let cluster = (!model.services.is_empty()).then(|| service::build_cluster(model));
    let database = model.database.is_some().then(|| database::build(model));
    let database_exports = database.as_ref().map_or(&[][..], |d| &d.needs.exports[..]);
    let services: Vec<(String, Compiled)> = model
        .services
        .iter()
        .map(|s| {
            let uses = if s.uses_database {
                database_exports
            } else {
                &[]
            };
            (service::module(s), service::build(model, s, uses))
        })
        .collect();
    // The network admits what the others need; monitoring alarms on what the network and the
    // others ask for; access grants what all of them need.
    let ingress = Needs::aggregate(in_order(None, &services, &cluster, None, &database)).ingress;
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
    let all = Needs::aggregate(all);

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
    // Launched by the customer first, on its own; nothing in the root depends on it.
    let standalone = vec![Stack::new(
        model,
        access::MODULE,
        access::build(model, &all),
    )];
    let root = Stack::new(model, root::MODULE, root::build(model, &nested, extension)?);
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

/// Writes the spec's lasting exceptions for named resources into the template: the resource's
/// `Metadata.guard.SuppressedRules` (which the Guard rules, and so the in-account hook, honour)
/// and `Metadata.byoa.Exceptions` with each reason, so the deployed template is its own audit
/// trail. Left out: exceptions that expire (baked into a deployed template they would outlive
/// their date, while `byoa check` reopens them on time) and exceptions naming no resource
/// (they would waive the rule for compliant resources too).
fn waive(model: &Model, template: &mut Template) {
    let lasting = model
        .compliance
        .exceptions
        .iter()
        .filter(|e| e.expires.is_none());
    let catalogue = crate::policy::PolicySet::embedded();
    for e in lasting {
        let Some(id) = &e.resource else { continue };
        // Only where the rule looks: the root's nested stack `Database` is not the database.
        let types: &[String] = catalogue.rule(&e.rule).map_or(&[], |r| &r.resources);
        let resource = template
            .resources
            .get_mut(id)
            .filter(|r| types.contains(&r.kind));
        if let Some(resource) = resource {
            let meta = resource.metadata.get_or_insert_with(|| json!({}));
            let rules = &mut meta["guard"]["SuppressedRules"];
            if rules.is_null() {
                *rules = json!([]);
            }
            if let Some(list) = rules.as_array_mut()
                && !list.iter().any(|r| r == &e.rule)
            {
                list.push(json!(e.rule));
            }
            let reasons = &mut meta["byoa"]["Exceptions"];
            if reasons.is_null() {
                *reasons = json!([]);
            }
            if let Some(list) = reasons.as_array_mut() {
                list.push(json!({"Rule": e.rule, "Reason": e.reason}));
            }
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

/// `service-api` -> `ServiceApi`, `billing_worker` -> `BillingWorker`: a name as a logical-id
/// fragment.
pub fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod coverage;

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn database_metadata(exceptions: &str) -> (serde_json::Value, serde_json::Value) {
        let spec = format!(
            "product: {{name: acme, vendor_account_id: \"111111111111\"}}\nregion: us-east-1\n\
             database: {{multi_az: false}}\ncompliance:\n  profiles: [soc2]\n  exceptions:\n{exceptions}"
        );
        let model = crate::spec::load_str(Path::new("byoa.yaml"), &spec, None)
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
            db["byoa"]["Exceptions"][0]["Reason"],
            "one zone is enough here"
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

    #[test]
    fn only_services_that_use_the_database_get_what_it_exports() {
        let spec = "product: {name: acme, vendor_account_id: \"111111111111\"}\nregion: us-east-1\n\
             database: {}\nservices:\n  - {name: api, uses_database: true}\n  - {name: worker}\n";
        let model = crate::spec::load_str(Path::new("byoa.yaml"), spec, None)
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

    #[test]
    fn camel_case_names() {
        assert_eq!(super::camel("service-api"), "ServiceApi");
        assert_eq!(super::camel("billing-worker2"), "BillingWorker2");
        assert_eq!(super::camel("api"), "Api");
    }
}
