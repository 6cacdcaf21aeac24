//! Module compilers: `Model` -> one `Template` per stack.
//!
//! Each compiler is a pure function of the model. This file lists them in deployment order;
//! later modules (database, services, access, monitoring, root) are added here.

pub mod access;
pub mod monitoring;
pub mod network;

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
    let mut stacks = vec![stack(model, network::MODULE, network::build(model))];
    stacks.push(stack(model, monitoring::MODULE, monitoring::build(model)));
    // Launched by the customer before anything else, but listed last: nothing depends on it.
    stacks.push(stack(model, access::MODULE, access::build(model)));
    stacks
}

fn stack(model: &Model, module: &str, template: Template) -> Stack {
    Stack {
        module: module.to_owned(),
        stack_name: model.stack_name(module),
        template,
    }
}
