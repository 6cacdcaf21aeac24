//! Values byoa turns into tags: `product.owner` becomes the `byoa:owner` tag of every resource.
//!
//! Input: the product section. Output: a `product.tag` diagnostic when the owner is too long for
//! a tag value (the limit from the generated table) or holds a character AWS tags refuse (a
//! hand list: the tag pattern of the resource provider schemas, letters, digits, spaces and
//! `_ . : / = + - @`). The user's own `product.tags` are checked in `validate`.

use crate::diag::{Code, Diagnostic};
use crate::spec::aws::table::Table;
use crate::spec::types::Spec;

/// Whether AWS allows `c` in a tag key or value.
pub fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

pub fn check(spec: &Spec, d: &mut Vec<Diagnostic>) {
    let Some(owner) = &spec.product.owner else {
        return;
    };
    let max = Table::get().limits.tag_value_max;
    let problem = if owner.chars().count() > max {
        Some(format!("is longer than {max} characters"))
    } else {
        owner
            .chars()
            .find(|c| !tag_char(*c))
            .map(|c| format!("contains `{c}`, which AWS tags do not allow"))
    };
    if let Some(problem) = problem {
        d.push(
            Diagnostic::error(
                Code::ProductTag,
                "/product/owner",
                format!("the owner `{owner}` becomes the `byoa:owner` tag value, and {problem}"),
            )
            .with_help("write the team or e-mail address alone, e.g. `platform@example.com`"),
        );
    }
}
