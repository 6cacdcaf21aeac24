//! Policy stage (work in progress).
pub mod guard;
