//! The price table: dated on-demand list prices, one entry per billable dimension byoa prices
//! (`fargate.vcpu-hour.x86_64`, `nat.gb`, ...), each with its unit, where AWS publishes it
//! (`source`), where the figure was read (`evidence`) and a figure per region.
//!
//! Input: the table shipped in `pricing/aws.json` (embedded, so `byoa cost` needs no file and
//! no network), optionally a price-override file of negotiated rates. Output: `PriceTable`,
//! whose `price(key, region)` answers a figure or why there is none.
//! Invariants: a region missing from an entry is unpriced, never zero; every figure is finite
//! and non-negative; an override names only entries and regions the table knows the shape of
//! (a misspelt key is an error, not a silently ignored rate).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{Code, Diagnostic};

/// The table byoa ships, built into the binary.
pub const BUILTIN: &str = include_str!("../../pricing/aws.json");

/// The file `BUILTIN` comes from, for messages.
pub const BUILTIN_PATH: &str = "pricing/aws.json";

/// The only table schema this byoa reads.
const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    pub schema: u32,
    /// The day the figures were read, `YYYY-MM-DD`.
    pub date: String,
    pub currency: String,
    pub hours_per_month: f64,
    #[serde(default)]
    pub about: String,
    pub prices: BTreeMap<String, Entry>,
    /// The override file applied on top, if any (not part of the file format).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub unit: String,
    pub source: String,
    #[serde(default)]
    pub evidence: String,
    pub regions: BTreeMap<String, f64>,
    /// Why a region absent from `regions` has no figure.
    #[serde(default)]
    pub missing: String,
    /// Regions whose figure came from the override file (not part of the file format).
    #[serde(skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
}

/// A figure, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Price {
    /// Per unit, and whether an override file set it.
    Known {
        usd: f64,
        overridden: bool,
    },
    Unpriced(String),
}

/// Negotiated rates: `{"note": "...", "prices": {"nat.gb": {"us-east-1": 0.03}}}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
    prices: BTreeMap<String, BTreeMap<String, f64>>,
}

impl PriceTable {
    /// The table shipped with byoa.
    pub fn builtin() -> PriceTable {
        // The embedded table is checked by a test; a broken one is a build defect.
        PriceTable::parse(BUILTIN, Path::new(BUILTIN_PATH)).expect("the built-in price table")
    }

    /// Reads a table from `text`; `path` names it in messages.
    pub fn parse(text: &str, path: &Path) -> Result<PriceTable, Diagnostic> {
        let table: PriceTable = serde_json::from_str(text)
            .map_err(|e| invalid(path, format!("not a price table: {e}")))?;
        if table.schema != SCHEMA {
            return Err(invalid(
                path,
                format!(
                    "schema `{}` is not one this byoa reads (`{SCHEMA}`)",
                    table.schema
                ),
            ));
        }
        if !is_date(&table.date) {
            return Err(invalid(
                path,
                format!("date `{}` is not YYYY-MM-DD", table.date),
            ));
        }
        if !(table.hours_per_month.is_finite() && table.hours_per_month > 0.0) {
            return Err(invalid(path, "`hours_per_month` must be a positive number"));
        }
        for (key, entry) in &table.prices {
            check_figures(path, key, &entry.regions)?;
            if entry.source.trim().is_empty() {
                return Err(invalid(path, format!("entry `{key}` has no `source`")));
            }
        }
        Ok(table)
    }

    /// Applies a price-override file: its figures replace (or add) the table's for the keys
    /// and regions it names.
    pub fn apply_overrides(&mut self, text: &str, path: &Path) -> Result<(), Diagnostic> {
        let o: Overrides = serde_json::from_str(text)
            .map_err(|e| invalid(path, format!("not a price-override file: {e}")))?;
        for (key, regions) in o.prices {
            check_figures(path, &key, &regions)?;
            let Some(entry) = self.prices.get_mut(&key) else {
                let known: Vec<&str> = self.prices.keys().map(String::as_str).collect();
                let mut d = invalid(path, format!("`{key}` is not an entry of the price table"));
                if let Some(m) = crate::diag::did_you_mean(&key, known.iter().copied()) {
                    d = d.with_help(format!("did you mean `{m}`?"));
                }
                return Err(d);
            };
            for (region, usd) in regions {
                entry.regions.insert(region.clone(), usd);
                entry.overridden.push(region);
            }
        }
        self.overrides = Some(path.display().to_string());
        Ok(())
    }

    /// The figure for `key` in `region`.
    pub fn price(&self, key: &str, region: &str) -> Price {
        let Some(entry) = self.prices.get(key) else {
            return Price::Unpriced(format!("the price table has no entry `{key}`"));
        };
        match entry.regions.get(region) {
            Some(&usd) => Price::Known {
                usd,
                overridden: entry.overridden.iter().any(|r| r == region),
            },
            None => Price::Unpriced(format!("`{key}` in {region}: {}", entry.missing)),
        }
    }

    /// The unit an entry is priced in (`vCPU-hour`), or `unit` for an unknown key.
    pub fn unit(&self, key: &str) -> &str {
        self.prices.get(key).map_or("unit", |e| e.unit.as_str())
    }
}

fn check_figures(
    path: &Path,
    key: &str,
    regions: &BTreeMap<String, f64>,
) -> Result<(), Diagnostic> {
    match regions.iter().find(|(_, v)| !(v.is_finite() && **v >= 0.0)) {
        Some((region, v)) => Err(invalid(
            path,
            format!("`{key}` in {region} is `{v}`: a price is a number of at least 0"),
        )),
        None => Ok(()),
    }
}

fn invalid(path: &Path, message: impl Into<String>) -> Diagnostic {
    Diagnostic::file_error(Code::CostPrices, path, message)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_is_dated() {
        let t = PriceTable::builtin();
        assert!(is_date(&t.date));
        assert_eq!(t.hours_per_month, 730.0);
        assert!(t.prices.values().all(|e| !e.source.is_empty()));
    }

    #[test]
    fn a_region_without_a_figure_is_unpriced_with_the_reason() {
        let t = PriceTable::builtin();
        assert_eq!(
            t.price("nat.hour", "us-east-1"),
            Price::Known {
                usd: 0.045,
                overridden: false
            }
        );
        let Price::Unpriced(why) = t.price("rds.storage.io2.single-az", "us-east-1") else {
            panic!("io2 has no figure");
        };
        assert!(why.contains("io2"), "{why}");
        assert!(matches!(
            t.price("no.such.key", "us-east-1"),
            Price::Unpriced(_)
        ));
    }

    #[test]
    fn overrides_replace_figures_and_refuse_unknown_keys() {
        let mut t = PriceTable::builtin();
        let p = Path::new("rates.json");
        t.apply_overrides(
            r#"{"prices": {"nat.gb": {"us-east-1": 0.01, "eu-west-1": 0.02}}}"#,
            p,
        )
        .unwrap();
        assert_eq!(
            t.price("nat.gb", "us-east-1"),
            Price::Known {
                usd: 0.01,
                overridden: true
            }
        );
        assert_eq!(
            t.price("nat.gb", "eu-west-1"),
            Price::Known {
                usd: 0.02,
                overridden: true
            }
        );
        let e = t
            .apply_overrides(r#"{"prices": {"nat.gbb": {"us-east-1": 0.01}}}"#, p)
            .unwrap_err();
        assert_eq!(e.code, Code::CostPrices);
        let e = t
            .apply_overrides(r#"{"prices": {"nat.gb": {"us-east-1": -1}}}"#, p)
            .unwrap_err();
        assert!(e.message.contains("at least 0"), "{}", e.message);
    }

    #[test]
    fn rejects_an_undated_table() {
        let bad = BUILTIN.replacen("\"date\": \"2026-11-30\"", "\"date\": \"Nov 2026\"", 1);
        assert!(PriceTable::parse(&bad, Path::new("t.json")).is_err());
    }
}
