//! Module compilers: `Model` -> one `Template` per stack.
//!
//! Each compiler is a pure function of the model. This file lists them in deployment order;
//! later modules (database, services, access, monitoring, root) are added here.

pub mod database;
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
    let mut stacks = vec![Stack {
        module: network::MODULE.to_owned(),
        stack_name: model.stack_name(network::MODULE),
        template: network::build(model),
    }];
    if model.database.is_some() {
        stacks.push(Stack {
            module: database::MODULE.to_owned(),
            stack_name: model.stack_name(database::MODULE),
            template: database::build(model),
        });
    }
    stacks
}
