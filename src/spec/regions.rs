//! Commercial AWS regions byoa knows, with the number of availability zones a typical account
//! sees and the residency group each belongs to. A fact table, not logic: update it when AWS
//! opens a region.

use crate::spec::types::Residency;

/// A region: code, zones a typical account can use, residency group.
#[derive(Debug, Clone, Copy)]
pub struct Region {
    pub code: &'static str,
    pub zones: usize,
    pub group: Group,
}

/// The residency group a region belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Us,
    Eu,
    Apac,
    Other,
}

const fn r(code: &'static str, zones: usize, group: Group) -> Region {
    Region { code, zones, group }
}

/// Sorted by code.
pub const REGIONS: &[Region] = &[
    r("af-south-1", 3, Group::Other),
    r("ap-east-1", 3, Group::Apac),
    r("ap-east-2", 3, Group::Apac),
    r("ap-northeast-1", 3, Group::Apac),
    r("ap-northeast-2", 4, Group::Apac),
    r("ap-northeast-3", 3, Group::Apac),
    r("ap-south-1", 3, Group::Apac),
    r("ap-south-2", 3, Group::Apac),
    r("ap-southeast-1", 3, Group::Apac),
    r("ap-southeast-2", 3, Group::Apac),
    r("ap-southeast-3", 3, Group::Apac),
    r("ap-southeast-4", 3, Group::Apac),
    r("ap-southeast-5", 3, Group::Apac),
    r("ap-southeast-7", 3, Group::Apac),
    r("ca-central-1", 3, Group::Other),
    r("ca-west-1", 3, Group::Other),
    r("eu-central-1", 3, Group::Eu),
    r("eu-central-2", 3, Group::Eu),
    r("eu-north-1", 3, Group::Eu),
    r("eu-south-1", 3, Group::Eu),
    r("eu-south-2", 3, Group::Eu),
    r("eu-west-1", 3, Group::Eu),
    r("eu-west-2", 3, Group::Eu),
    r("eu-west-3", 3, Group::Eu),
    r("il-central-1", 3, Group::Other),
    r("me-central-1", 3, Group::Other),
    r("me-south-1", 3, Group::Other),
    r("mx-central-1", 3, Group::Other),
    r("sa-east-1", 3, Group::Other),
    r("us-east-1", 6, Group::Us),
    r("us-east-2", 3, Group::Us),
    r("us-west-1", 2, Group::Us),
    r("us-west-2", 4, Group::Us),
];

/// Looks a region up by code.
pub fn find(code: &str) -> Option<&'static Region> {
    REGIONS
        .binary_search_by(|r| r.code.cmp(code))
        .ok()
        .map(|i| &REGIONS[i])
}

/// Whether `residency` allows data in `region`.
pub fn allowed(residency: Residency, region: &Region) -> bool {
    match residency {
        Residency::Global => true,
        Residency::Us => region.group == Group::Us,
        Residency::Eu => region.group == Group::Eu,
        Residency::Apac => region.group == Group::Apac,
    }
}

/// The regions `residency` allows, in table order.
pub fn allowed_codes(residency: Residency) -> Vec<&'static str> {
    REGIONS
        .iter()
        .filter(|r| allowed(residency, r))
        .map(|r| r.code)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(REGIONS.windows(2).all(|w| w[0].code < w[1].code));
        assert_eq!(find("eu-west-1").map(|r| r.zones), Some(3));
        assert!(find("us-gov-west-1").is_none());
    }

    #[test]
    fn residency_partitions_regions() {
        let eu = allowed_codes(Residency::Eu);
        assert!(eu.iter().all(|c| c.starts_with("eu-")));
        assert!(!allowed(Residency::Us, find("eu-west-1").unwrap()));
        assert_eq!(allowed_codes(Residency::Global).len(), REGIONS.len());
    }
}
