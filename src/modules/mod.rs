//! Module compilers: `Model` -> one `Template` per stack.
//!
//! Each compiler is a pure function of the model. `build_all` lists them in deployment order
//! and finishes with the root stack, which nests the others (all but `access`, which the
//! customer launches first, on its own).

pub mod access;
pub mod database;
pub mod monitoring;
pub mod network;
pub mod root;
pub mod secure;
pub mod service;

use serde_json::json;

use crate::cfn::Template;
use crate::spec::Model;

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
    let mut nested = vec![Stack::new(model, network::MODULE, network::build(model))];
    if !model.services.is_empty() {
        let cluster = service::build_cluster(model);
        nested.push(Stack::new(model, service::CLUSTER_MODULE, cluster));
    }
    if model.database.is_some() {
        nested.push(Stack::new(model, database::MODULE, database::build(model)));
    }
    for s in &model.services {
        nested.push(Stack::new(
            model,
            &service::module(s),
            service::build(model, s),
        ));
    }
    nested.push(Stack::new(
        model,
        monitoring::MODULE,
        monitoring::build(model),
    ));
    // Launched by the customer first, on its own; nothing in the root depends on it.
    let standalone = vec![Stack::new(model, access::MODULE, access::build(model))];
    let root = Stack::new(model, root::MODULE, root::build(model, &nested, extension)?);
    Ok(nested.into_iter().chain(standalone).chain([root]).collect())
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
mod tests {
    #[test]
    fn camel_case_names() {
        assert_eq!(super::camel("service-api"), "ServiceApi");
        assert_eq!(super::camel("billing-worker2"), "BillingWorker2");
        assert_eq!(super::camel("api"), "Api");
    }
}
