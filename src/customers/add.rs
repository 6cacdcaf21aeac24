//! `byoa customers add`'s pure core: a new entry appended to the text of `customers.yaml`.
//!
//! Input: the file's current text (none when it does not exist yet) and the new customer.
//! Output: the new text and the file as it then loads. The entry is appended as text, not by
//! re-serializing the file, so the vendor's comments and layout survive; the result is loaded
//! again and must be exactly the old customers plus the new one, or nothing is written (a file
//! in flow style, say, gets the entry to paste by hand).

use std::path::Path;

use super::{Customer, Customers, load_str};
use crate::diag::{Code, Diagnostic};

const HEADER: &str = "# The customers of this product: one entry per AWS account. Add one with\n\
# `byoa customers add`, which generates its external id (never choose one by hand).\n\
# Schema: schemas/customers.schema.json (`byoa customers schema`).\n";

/// `text` with `customer` appended, and the file as it then loads.
pub fn append(
    path: &Path,
    text: Option<&str>,
    customer: &Customer,
) -> Result<(String, Customers), Vec<Diagnostic>> {
    // The entry on its own first: a malformed value is reported as such, not as a file byoa
    // cannot append to.
    if let Err(mut diags) = load_str(path, &format!("customers:\n{}", entry(customer))) {
        for d in &mut diags {
            d.location = None;
            d.message = format!("the new customer: {}", d.message);
        }
        return Err(diags);
    }
    let before = match text {
        Some(t) => load_str(path, t)?.customers,
        None => Vec::new(),
    };
    if before.iter().any(|c| c.id == customer.id) {
        return Err(vec![
            Diagnostic::new(
                Code::CustomersAppend,
                format!(
                    "customer `{}` is already in `{}`",
                    customer.id,
                    path.display()
                ),
            )
            .with_help("choose another id, or edit the entry"),
        ]);
    }
    let mut out = match text {
        None => format!("{HEADER}customers:\n"),
        Some(t) => {
            let mut t = t.to_owned();
            if !t.is_empty() && !t.ends_with('\n') {
                t.push('\n');
            }
            if before.is_empty() && !has_customers_key(&t) {
                t.push_str("customers:\n");
            }
            t
        }
    };
    out.push_str(&entry(customer));
    let after = load_str(path, &out).ok();
    let mut expected = before;
    expected.push(customer.clone());
    match after {
        Some(loaded) if loaded.customers == expected => Ok((out, loaded)),
        _ => Err(vec![
            Diagnostic::new(
                Code::CustomersAppend,
                format!(
                    "`{}` is not laid out as a block list under `customers:` at its end, so byoa cannot append to it safely; nothing was written",
                    path.display()
                ),
            )
            .with_help(format!("add this entry to `customers:` by hand:\n{}", entry(customer))),
        ]),
    }
}

/// `customers:` as a top-level key (an empty file or one of comments has none).
fn has_customers_key(text: &str) -> bool {
    text.lines().any(|l| l.trim_end().starts_with("customers:"))
}

/// The entry in block style. Strings are written as JSON strings, which YAML reads back as the
/// same text whatever they contain.
fn entry(c: &Customer) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("a string serializes");
    let mut e = format!(
        "  - id: {}\n    name: {}\n    account_id: {}\n    region: {}\n    environment: {}\n    external_id: {}\n",
        q(&c.id),
        q(&c.name),
        q(&c.account_id),
        q(&c.region),
        q(&c.environment),
        q(&c.external_id),
    );
    if !c.parameters.is_empty() {
        e.push_str("    parameters:\n");
        for (k, v) in &c.parameters {
            e.push_str(&format!("      {}: {}\n", q(k), q(v)));
        }
    }
    if c.canary {
        e.push_str("    canary: true\n");
    }
    e
}
