//! Cost: what the stacks byoa emits for one environment will cost a month, offline.
//!
//! Stage: beside `synth`, after `modules` (it never writes anything). Input: a `Model`, a dated
//! `PriceTable` and the usage `Assumptions`. Output: an `Estimate`: per module (stack) and per
//! resource, each charge with its quantity, unit price and monthly amount as a min..max range
//! (autoscaled tasks, autoscaled storage), fixed baseline apart from usage, and the lines the
//! table cannot price, visibly unpriced.
//! The estimate prices the templates themselves (as emitted), so what is priced is what would
//! be deployed; `price_templates` prices any set of parsed templates (`byoa diff` can price
//! both sides). Pure: no I/O, no clock, no network. List prices only: no free tiers of the
//! account, no taxes, no data transfer out, no savings plans.
//!
//! One file, one job: `table` loads the price table and override files, `assume` holds the
//! usage assumptions, `rules` says what each resource type is charged for, `render` prints an
//! estimate as text, JSON or Markdown.

pub mod assume;
pub mod delta;
pub mod render;
pub mod rules;
pub mod table;

use serde::Serialize;
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::modules;
use crate::spec::Model;
pub use assume::Assumptions;
use rules::{Basis, Pricing, Range};
use table::Price;
pub use table::PriceTable;

/// A month's estimate for one environment in one region.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub product: String,
    pub environment: String,
    pub region: String,
    pub currency: String,
    /// The price table's date.
    pub prices_date: String,
    /// The override file applied to the table, if any.
    pub price_overrides: Option<String>,
    pub hours_per_month: f64,
    pub modules: Vec<ModuleEstimate>,
    pub assumptions: Assumptions,
    pub totals: Totals,
}

/// The lines of one stack.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleEstimate {
    pub module: String,
    pub lines: Vec<Line>,
    pub totals: Totals,
}

/// One charge of one resource.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Logical id.
    pub resource: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub item: String,
    pub basis: Basis,
    pub quantity: Range,
    pub unit: String,
    pub price_key: Option<String>,
    /// Per unit; absent when unpriced or included.
    pub unit_price: Option<f64>,
    /// Whether the unit price came from an override file.
    pub overridden: bool,
    /// A month; absent when unpriced.
    pub monthly: Option<Range>,
    /// Why the line has no price.
    pub unpriced: Option<String>,
    pub note: Option<String>,
}

/// Sums of priced lines, and how many lines are unpriced.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Totals {
    pub fixed: Range,
    pub usage: Range,
    pub monthly: Range,
    pub unpriced: usize,
}

impl Totals {
    fn of<'a>(lines: impl IntoIterator<Item = &'a Line>) -> Totals {
        let mut t = Totals::default();
        for l in lines {
            match l.monthly {
                None => t.unpriced += 1,
                Some(m) => {
                    let part = match l.basis {
                        Basis::Fixed => &mut t.fixed,
                        Basis::Usage => &mut t.usage,
                    };
                    part.min += m.min;
                    part.max += m.max;
                    t.monthly.min += m.min;
                    t.monthly.max += m.max;
                }
            }
        }
        t
    }

    fn merge(self, o: Totals) -> Totals {
        Totals {
            fixed: self.fixed.plus(o.fixed),
            usage: self.usage.plus(o.usage),
            monthly: self.monthly.plus(o.monthly),
            unpriced: self.unpriced + o.unpriced,
        }
    }
}

/// The estimate for `model` in its own region.
pub fn estimate(
    model: &Model,
    table: &PriceTable,
    assume: &Assumptions,
) -> Result<Estimate, Vec<Diagnostic>> {
    estimate_in(model, &model.region, table, assume)
}

/// The estimate for `model` launched in `region` (a customer may run another region of the
/// residency than the spec's).
pub fn estimate_in(
    model: &Model,
    region: &str,
    table: &PriceTable,
    assume: &Assumptions,
) -> Result<Estimate, Vec<Diagnostic>> {
    let stacks = modules::build_all(model, "yaml")?;
    let templates: Vec<(String, Value)> = stacks
        .iter()
        .filter(|s| s.module != modules::root::MODULE)
        .map(|s| (s.module.clone(), s.template.to_value()))
        .collect();
    let modules = price_templates(&templates, region, table, assume);
    let totals = modules
        .iter()
        .fold(Totals::default(), |t, m| t.merge(m.totals));
    Ok(Estimate {
        product: model.product.clone(),
        environment: model.environment.clone(),
        region: region.to_owned(),
        currency: table.currency.clone(),
        prices_date: table.date.clone(),
        price_overrides: table.overrides.clone(),
        hours_per_month: table.hours_per_month,
        modules,
        assumptions: assume.clone(),
        totals,
    })
}

/// Prices each `(module, template)`: one `ModuleEstimate` per template, in the given order.
/// A resource type with neither a rule nor a place in `rules::FREE` is an unpriced line.
pub fn price_templates(
    templates: &[(String, Value)],
    region: &str,
    table: &PriceTable,
    assume: &Assumptions,
) -> Vec<ModuleEstimate> {
    templates
        .iter()
        .map(|(module, template)| {
            let mut lines = Vec::new();
            let resources = template.get("Resources").and_then(Value::as_object);
            for (id, resource) in resources.into_iter().flatten() {
                let kind = resource["Type"].as_str().unwrap_or_default();
                if rules::free(kind).is_some() {
                    continue;
                }
                let ctx = rules::Ctx {
                    id,
                    properties: &resource["Properties"],
                    template,
                    assume,
                    hours: table.hours_per_month,
                };
                let charges = match rules::rule(kind) {
                    Some(rule) => rule(&ctx),
                    None => vec![rules::Charge {
                        item: format!("{kind} (no price rule)"),
                        basis: Basis::Fixed,
                        quantity: Range::one(1.0),
                        price: Pricing::Unknown(format!("byoa has no price rule for `{kind}`")),
                        note: None,
                    }],
                };
                lines.extend(
                    charges
                        .into_iter()
                        .map(|c| line(id, kind, c, region, table)),
                );
            }
            let totals = Totals::of(&lines);
            ModuleEstimate {
                module: module.clone(),
                lines,
                totals,
            }
        })
        .collect()
}

fn line(id: &str, kind: &str, c: rules::Charge, region: &str, table: &PriceTable) -> Line {
    let base = Line {
        resource: id.to_owned(),
        kind: kind.to_owned(),
        item: c.item,
        basis: c.basis,
        quantity: c.quantity,
        unit: String::new(),
        price_key: None,
        unit_price: None,
        overridden: false,
        monthly: None,
        unpriced: None,
        note: c.note,
    };
    match c.price {
        Pricing::Included => Line {
            monthly: Some(Range::one(0.0)),
            ..base
        },
        Pricing::Unknown(why) => Line {
            unpriced: Some(why),
            ..base
        },
        Pricing::Entry(key) => {
            let unit = table.unit(&key).to_owned();
            match table.price(&key, region) {
                Price::Known { usd, overridden } => Line {
                    unit,
                    unit_price: Some(usd),
                    overridden,
                    monthly: Some(c.quantity.scale(usd)),
                    price_key: Some(key),
                    ..base
                },
                Price::Unpriced(why) => Line {
                    unit,
                    unpriced: Some(why),
                    price_key: Some(key),
                    ..base
                },
            }
        }
    }
}

/// One line for a page or a pull request: the monthly range, what it rests on and the date
/// of the prices (`$X..$Y a month ...`).
pub fn summary(e: &Estimate) -> String {
    let (figure, basis) = headline(e);
    format!(
        "{figure} for {} {} in {} ({basis})",
        e.product, e.environment, e.region
    )
}

/// The estimate in two parts, for a page that shows the figure large: `$X..$Y a month` (`at
/// least` when lines are unpriced) and what it rests on (fixed and usage parts, the prices'
/// date, how many items are unpriced).
pub fn headline(e: &Estimate) -> (String, String) {
    let unpriced = match e.totals.unpriced {
        0 => String::new(),
        1 => "; 1 item unpriced".to_owned(),
        n => format!("; {n} items unpriced"),
    };
    // With lines unpriced the sum is a floor, and says so.
    let floor = if e.totals.unpriced > 0 {
        "at least "
    } else {
        ""
    };
    (
        format!("{floor}{} a month", render::money_range(e.totals.monthly)),
        format!(
            "fixed {}, usage {}; AWS list prices of {}{}",
            render::money_range(e.totals.fixed),
            render::money_range(e.totals.usage),
            e.prices_date,
            unpriced
        ),
    )
}

#[cfg(test)]
mod tests;
