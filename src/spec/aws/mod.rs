//! AWS-aware validation: a schema-valid spec -> what AWS would refuse at deploy, found at
//! `validate` time, each a coded diagnostic at the spec field with a did-you-mean where one
//! helps.
//!
//! Input: the merged spec of one environment. Output: diagnostics appended to validation's
//! list. The values come from `table` (generated from the data bundled with the pinned
//! cfn-lint, dated); each check module says which of its values are a hand list instead.
//! Invariant: a value another check already refuses for its shape gets no second diagnostic.

pub mod iam;
pub mod table;

mod database;
mod load_balancer;
mod service;
pub mod tags;

use crate::diag::Diagnostic;
use crate::spec::types::Spec;

/// Appends what AWS would refuse in `spec` to `d`.
pub fn check(spec: &Spec, d: &mut Vec<Diagnostic>) {
    if let Some(db) = &spec.database {
        database::check(db, &spec.region, d);
    }
    load_balancer::check(&spec.network.load_balancer, table::Table::get(), d);
    service::check(spec, d);
    tags::check(spec, d);
}
