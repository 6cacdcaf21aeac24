//! What validation knows of the compliance rules, handed to it as data.
//!
//! Input: filled by the caller (the command layer, from `policy`'s rule set) with each rule's
//! resource types and the profile controls it evidences. Output: the answers validation needs
//! (which controls a conflicting spec value breaks, which resource types a lasting exception
//! can waive). The spec stage never loads rules itself, so it stays upstream of `policy`. An
//! empty catalogue knows no rule: no shift-left conflict is reported and no exception is
//! written into a template.

use std::collections::BTreeMap;

/// Rules by name, with their resource types and controls.
#[derive(Debug, Clone, Default)]
pub struct RuleCatalogue {
    rules: BTreeMap<String, CatalogueRule>,
}

#[derive(Debug, Clone, Default)]
struct CatalogueRule {
    resource_types: Vec<String>,
    /// `(profile, control id)` in the order the caller added them.
    controls: Vec<(String, String)>,
}

impl RuleCatalogue {
    /// Records `rule` and the resource types it judges (none for a rule about whole templates).
    pub fn add_rule(&mut self, rule: &str, resource_types: &[String]) {
        self.rules
            .entry(rule.to_owned())
            .or_default()
            .resource_types = resource_types.to_vec();
    }

    /// Records that `rule` evidences control `control` of `profile`.
    pub fn add_control(&mut self, profile: &str, control: &str, rule: &str) {
        let entry = (profile.to_owned(), control.to_owned());
        let controls = &mut self.rules.entry(rule.to_owned()).or_default().controls;
        if !controls.contains(&entry) {
            controls.push(entry);
        }
    }

    /// `profile control` for every control of `profiles` that `rule` evidences, in the order
    /// they were added, e.g. `hipaa 164.308(a)(7)(ii)(A)`.
    pub fn controls(&self, rule: &str, profiles: &[String]) -> Vec<String> {
        self.rules.get(rule).map_or_else(Vec::new, |r| {
            r.controls
                .iter()
                .filter(|(p, _)| profiles.contains(p))
                .map(|(p, c)| format!("{p} {c}"))
                .collect()
        })
    }

    /// The rules it knows, by name.
    pub fn rules(&self) -> impl Iterator<Item = &str> {
        self.rules.keys().map(String::as_str)
    }

    /// The resource types `rule` judges; empty for an unknown rule or a template rule.
    pub fn resource_types(&self, rule: &str) -> &[String] {
        self.rules.get(rule).map_or(&[], |r| &r.resource_types)
    }
}

#[cfg(test)]
mod tests {
    use super::RuleCatalogue;

    #[test]
    fn controls_follow_the_selected_profiles_in_insertion_order() {
        let mut c = RuleCatalogue::default();
        c.add_rule("R", &["AWS::S3::Bucket".to_owned()]);
        c.add_control("soc2", "CC6.1", "R");
        c.add_control("hipaa", "164.312", "R");
        c.add_control("soc2", "CC6.1", "R");
        let both = ["hipaa".to_owned(), "soc2".to_owned()];
        assert_eq!(c.controls("R", &both), ["soc2 CC6.1", "hipaa 164.312"]);
        assert_eq!(c.controls("R", &both[..1]), ["hipaa 164.312"]);
        assert!(c.controls("OTHER", &both).is_empty());
        assert_eq!(c.resource_types("R"), ["AWS::S3::Bucket"]);
        assert!(c.resource_types("OTHER").is_empty());
    }
}
