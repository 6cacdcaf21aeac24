//! The monthly cost change between two sets of templates (`byoa diff --cost`): each stack
//! priced before and after with the same table, region and assumptions, and the difference.
//!
//! Input: the stacks of both sides as `(name, parsed template)`, paired by name. Output:
//! `Delta`, per stack and in total, as min..max ranges; unpriced lines are counted on each
//! side (a change into an unpriced type shows as unpriced, not as free).

use std::fmt::Write;

use serde::Serialize;
use serde_json::Value;

use super::assume::Origin;
use super::render::money_range;
use super::rules::Range;
use super::{Assumptions, PriceTable, price_templates};

#[derive(Debug, Clone, Serialize)]
pub struct StackDelta {
    pub stack: String,
    /// A month before and after; `None` where the stack does not exist on that side.
    pub old: Option<Range>,
    pub new: Option<Range>,
    pub unpriced_old: usize,
    pub unpriced_new: usize,
}

impl StackDelta {
    /// After minus before (min with min, max with max).
    pub fn change(&self) -> Range {
        let o = self.old.unwrap_or_default();
        let n = self.new.unwrap_or_default();
        Range {
            min: n.min - o.min,
            max: n.max - o.max,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Delta {
    pub region: String,
    pub prices_date: String,
    pub stacks: Vec<StackDelta>,
    /// The usage assumptions both sides were priced with.
    pub assumptions: Assumptions,
}

impl Delta {
    pub fn change(&self) -> Range {
        self.stacks
            .iter()
            .fold(Range::default(), |t, s| t.plus(s.change()))
    }
}

/// Prices both sides and pairs the stacks by name (old order, then stacks only in `new`).
pub fn delta(
    old: &[(String, Value)],
    new: &[(String, Value)],
    region: &str,
    table: &PriceTable,
    assume: &Assumptions,
) -> Delta {
    let before = price_templates(old, region, table, assume);
    let after = price_templates(new, region, table, assume);
    let mut names: Vec<&String> = old.iter().map(|(n, _)| n).collect();
    names.extend(
        new.iter()
            .map(|(n, _)| n)
            .filter(|n| !old.iter().any(|(o, _)| o == *n)),
    );
    let stacks = names
        .into_iter()
        .map(|name| {
            let b = before.iter().find(|m| &m.module == name);
            let a = after.iter().find(|m| &m.module == name);
            StackDelta {
                stack: name.clone(),
                old: b.map(|m| m.totals.monthly),
                new: a.map(|m| m.totals.monthly),
                unpriced_old: b.map_or(0, |m| m.totals.unpriced),
                unpriced_new: a.map_or(0, |m| m.totals.unpriced),
            }
        })
        .collect();
    Delta {
        region: region.to_owned(),
        prices_date: table.date.clone(),
        stacks,
        assumptions: assume.clone(),
    }
}

fn signed(r: Range) -> String {
    let one = |v: f64| {
        if v < 0.0 {
            format!("-${:.2}", -v)
        } else {
            format!("+${v:.2}")
        }
    };
    if (r.max - r.min).abs() < 0.005 {
        one(r.min)
    } else {
        format!("{}..{}", one(r.min), one(r.max))
    }
}

/// The delta for people: one line per stack whose cost changes, then the total.
pub fn text(d: &Delta) -> String {
    let mut s = format!(
        "\nmonthly cost ({}, AWS list prices of {}):\n",
        d.region, d.prices_date
    );
    for st in &d.stacks {
        let c = st.change();
        if c.min.abs() < 0.005 && c.max.abs() < 0.005 && st.unpriced_old == st.unpriced_new {
            continue;
        }
        let side = |r: Option<Range>| r.map_or("-".to_owned(), money_range);
        let _ = write!(
            s,
            "  {:<32} {} -> {}  {}/month",
            st.stack,
            side(st.old),
            side(st.new),
            signed(c)
        );
        if st.unpriced_new > st.unpriced_old {
            let _ = write!(
                s,
                "  ({} more unpriced, {})",
                st.unpriced_new - st.unpriced_old,
                crate::diag::Code::CostUnpriced.as_str()
            );
        }
        s.push('\n');
    }
    let _ = writeln!(s, "  total {}/month", signed(d.change()));
    // The defaults go unsaid (`byoa cost` lists them); a value the spec or --assume set is
    // part of what the figures mean.
    let set: Vec<String> = d
        .assumptions
        .0
        .iter()
        .filter(|a| matches!(a.origin, Origin::Spec | Origin::Given))
        .map(|a| format!("{}={}", a.key, a.value))
        .collect();
    if !set.is_empty() {
        let _ = writeln!(s, "  assuming {} (the spec, --assume)", set.join(", "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_nat_gateway_adds_its_hours_and_address() {
        let nat = |n: usize| {
            let mut r = serde_json::Map::new();
            for i in 0..n {
                r.insert(
                    format!("Nat{i}"),
                    serde_json::json!({"Type": "AWS::EC2::NatGateway"}),
                );
                r.insert(
                    format!("Eip{i}"),
                    serde_json::json!({"Type": "AWS::EC2::EIP"}),
                );
            }
            vec![("net".to_owned(), serde_json::json!({"Resources": r}))]
        };
        let t = PriceTable::builtin();
        let a = Assumptions::defaults("dev");
        let d = delta(&nat(1), &nat(2), "us-east-1", &t, &a);
        // nat_gb is shared by the gateways: only the hours and the address are added.
        let want = 730.0 * (0.045 + 0.005);
        assert!((d.change().min - want).abs() < 1e-9, "{:?}", d.change());
        assert!(text(&d).contains("+$36.50/month"), "{}", text(&d));
    }
}
