//! Renders an `Estimate`: text for a terminal, JSON for tools, Markdown for a pull request or
//! a page. Every renderer shows the same facts: per module and per resource line the hourly
//! and monthly amount, module subtotals, the totals (fixed and usage apart), the assumptions,
//! the price table's date, and each unpriced line with its reason under the code
//! `cost.unpriced`.

use std::fmt::Write;

use super::rules::{Basis, Range};
use super::{Estimate, Line, summary};
use crate::diag::Code;

/// `$12.34`, or `$12.34..$56.78` for a range.
pub fn money_range(r: Range) -> String {
    if (r.max - r.min).abs() < 0.005 {
        money(r.min)
    } else {
        format!("{}..{}", money(r.min), money(r.max))
    }
}

fn money(v: f64) -> String {
    format!("${v:.2}")
}

/// An hourly amount: four decimals, as small charges are a fraction of a cent an hour.
fn hourly_money(r: Range) -> String {
    if (r.max - r.min).abs() < 0.00005 {
        format!("${:.4}", r.min)
    } else {
        format!("${:.4}..${:.4}", r.min, r.max)
    }
}

fn quantity(r: Range) -> String {
    let n = |v: f64| {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    if r.min == r.max {
        n(r.min)
    } else {
        format!("{}..{}", n(r.min), n(r.max))
    }
}

fn hourly(e: &Estimate, m: Range) -> Range {
    m.scale(1.0 / e.hours_per_month)
}

fn price_cell(l: &Line) -> String {
    match (l.unit_price, &l.unpriced) {
        (Some(p), _) => format!(
            "{} x ${p}/{}{}",
            quantity(l.quantity),
            l.unit,
            if l.overridden { " (override)" } else { "" }
        ),
        (None, Some(_)) => format!("{} {}", quantity(l.quantity), l.unit),
        (None, None) => "included".to_owned(),
    }
}

fn basis(b: Basis) -> &'static str {
    match b {
        Basis::Fixed => "fixed",
        Basis::Usage => "usage",
    }
}

/// The estimate for a terminal.
pub fn text(e: &Estimate) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", summary(e));
    let _ = writeln!(
        s,
        "{} hours a month; prices per unit from the table of {}{}",
        e.hours_per_month,
        e.prices_date,
        e.price_overrides
            .as_ref()
            .map(|o| format!(", with the overrides of {o}"))
            .unwrap_or_default()
    );
    for m in &e.modules {
        if m.lines.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{}  {}/month", m.module, money_range(m.totals.monthly));
        for l in &m.lines {
            let amount = match l.monthly {
                Some(mo) => format!(
                    "{}/h  {}/month",
                    hourly_money(hourly(e, mo)),
                    money_range(mo)
                ),
                None => format!("unpriced ({})", Code::CostUnpriced.as_str()),
            };
            let _ = writeln!(
                s,
                "  {:<28} {:<5} {}  [{}]  {}",
                l.resource,
                basis(l.basis),
                l.item,
                price_cell(l),
                amount
            );
            if let Some(why) = &l.unpriced {
                let _ = writeln!(s, "      why unpriced: {why}");
            }
            if let Some(note) = &l.note {
                let _ = writeln!(s, "      {note}");
            }
        }
    }
    let _ = writeln!(s, "\nassumptions (override with --assume key=value):");
    for a in &e.assumptions.0 {
        let _ = writeln!(
            s,
            "  {} = {} {}  ({}; {})",
            a.key,
            quantity(Range::one(a.value)),
            a.unit,
            a.meaning,
            match a.origin {
                super::assume::Origin::ProductionDefault => "production default",
                super::assume::Origin::DevelopmentDefault => "development default",
                super::assume::Origin::Spec => "spec: cost.assume",
                super::assume::Origin::Given => "given",
            }
        );
    }
    let _ = writeln!(
        s,
        "\nlist prices: no account free tier, savings plans, taxes or data transfer out"
    );
    s
}

/// The estimate as JSON (the `Estimate` itself, plus the one-line summary).
pub fn json(e: &Estimate) -> String {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("summary".into(), summary(e).into());
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// The estimate as Markdown.
pub fn markdown(e: &Estimate) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Monthly cost estimate: {} {} in {}\n",
        e.product, e.environment, e.region
    );
    let _ = writeln!(s, "**{}**\n", summary(e));
    let _ = writeln!(
        s,
        "| module | resource | basis | charge | quantity x price | hourly | monthly |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---:|---:|");
    for m in &e.modules {
        for l in &m.lines {
            let (h, mo) = match l.monthly {
                Some(mo) => (hourly_money(hourly(e, mo)), money_range(mo)),
                None => (
                    String::new(),
                    format!("unpriced (`{}`)", Code::CostUnpriced.as_str()),
                ),
            };
            let mut charge = l.item.clone();
            if let Some(why) = &l.unpriced {
                let _ = write!(charge, "; {why}");
            }
            let _ = writeln!(
                s,
                "| {} | `{}` | {} | {} | {} | {} | {} |",
                m.module,
                l.resource,
                basis(l.basis),
                charge.replace('|', "\\|"),
                price_cell(l),
                h,
                mo
            );
        }
        if !m.lines.is_empty() {
            let _ = writeln!(
                s,
                "| **{}** | | | | | | **{}** |",
                m.module,
                money_range(m.totals.monthly)
            );
        }
    }
    let _ = writeln!(s, "\n| assumption | value | meaning |\n|---|---|---|");
    for a in &e.assumptions.0 {
        let _ = writeln!(
            s,
            "| `{}` | {} {} | {} |",
            a.key,
            quantity(Range::one(a.value)),
            a.unit,
            a.meaning
        );
    }
    let _ = writeln!(
        s,
        "\nAWS on-demand list prices of {}, {} hours a month; no account free tier, savings \
         plans, taxes or data transfer out.",
        e.prices_date, e.hours_per_month
    );
    s
}
