//! Module compilers: `Model` -> one `Template` per stack.
//!
//! Each compiler is a pure function of the model. This file lists them in deployment order;
//! later modules (database, services, access, monitoring, root) are added here.

pub mod network;
pub mod service;

use crate::cfn::Template;
use crate::spec::Model;

/// One stack to emit: its module id (the file name), its stack name and its template.
#[derive(Debug, Clone)]
pub struct Stack {
    pub module: String,
    pub stack_name: String,
    pub template: Template,
}

/// Compiles every stack the model calls for, in deployment order.
pub fn build_all(model: &Model) -> Vec<Stack> {
    let stack = |module: &str, template: Template| Stack {
        module: module.to_owned(),
        stack_name: model.stack_name(module),
        template,
    };
    let mut stacks = vec![stack(network::MODULE, network::build(model))];
    if !model.services.is_empty() {
        stacks.push(stack(
            service::CLUSTER_MODULE,
            service::build_cluster(model),
        ));
    }
    for s in &model.services {
        stacks.push(stack(&service::module(s), service::build(model, s)));
    }
    stacks
}

/// A lowercase, hyphenated name (a service name) in CamelCase, the prefix of the logical ids,
/// parameters and outputs that must be unique across a product: `billing-worker` ->
/// `BillingWorker`.
pub fn camel(name: &str) -> String {
    name.split('-')
        .flat_map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_capitalizes_each_hyphenated_part() {
        assert_eq!(camel("api"), "Api");
        assert_eq!(camel("billing-worker"), "BillingWorker");
        assert_eq!(camel("v2-api-3"), "V2Api3");
        assert_eq!(camel(""), "");
    }
}
