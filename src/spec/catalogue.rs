//! What validation knows of the compliance rules, handed to it as data.
//!
//! Input: filled by the caller (the command layer, from `policy`'s rule set) with each rule's
//! resource types and the profile controls it evidences. Output: the answers validation needs
//! (which controls a conflicting spec value breaks, which resource types a lasting exception
//! can waive). The spec stage never loads rules itself, so it stays upstream of `policy`. An
//! empty catalogue knows no rule: no shift-left conflict is reported and no exception is
//! written into a template.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Rules by name, with their resource types and controls.
#[derive(Debug, Clone, Default)]
pub struct RuleCatalogue {
    /// Each rule's resource types.
    rules: BTreeMap<String, Vec<String>>,
    /// Each rule's controls: filled by `add_control`, or on first use by `load` (reading the
    /// profiles costs a parse that a spec without a conflict never needs).
    controls: OnceLock<Controls>,
    load: Option<fn() -> Controls>,
}

/// `(profile, control id)` for each rule, in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct Controls(BTreeMap<String, Vec<(String, String)>>);

impl Controls {
    /// Records that `rule` evidences control `control` of `profile`.
    pub fn add(&mut self, profile: &str, control: &str, rule: &str) {
        let entry = (profile.to_owned(), control.to_owned());
        let controls = self.0.entry(rule.to_owned()).or_default();
        if !controls.contains(&entry) {
            controls.push(entry);
        }
    }
}

impl RuleCatalogue {
    /// Records `rule` and the resource types it judges (none for a rule about whole templates).
    pub fn add_rule(&mut self, rule: &str, resource_types: &[String]) {
        self.rules.insert(rule.to_owned(), resource_types.to_vec());
    }

    /// Records that `rule` evidences control `control` of `profile`.
    pub fn add_control(&mut self, profile: &str, control: &str, rule: &str) {
        if self.controls.get().is_none() {
            let _ = self.controls.set(Controls::default());
        }
        if let Some(controls) = self.controls.get_mut() {
            controls.add(profile, control, rule);
        }
    }

    /// The catalogue whose controls `load` gives, read when first asked for.
    pub fn with_controls_from(mut self, load: fn() -> Controls) -> Self {
        self.load = Some(load);
        self
    }

    /// `profile control` for every control of `profiles` that `rule` evidences, in the order
    /// they were added, e.g. `hipaa 164.308(a)(7)(ii)(A)`.
    pub fn controls(&self, rule: &str, profiles: &[String]) -> Vec<String> {
        let all = self
            .controls
            .get_or_init(|| self.load.map(|load| load()).unwrap_or_default());
        all.0.get(rule).map_or_else(Vec::new, |controls| {
            controls
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
        self.rules.get(rule).map_or(&[], Vec::as_slice)
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

    #[test]
    fn controls_given_lazily_are_read_on_first_use() {
        fn load() -> super::Controls {
            let mut c = super::Controls::default();
            c.add("soc2", "CC7.2", "R");
            c
        }
        let c = RuleCatalogue::default().with_controls_from(load);
        assert_eq!(c.controls("R", &["soc2".to_owned()]), ["soc2 CC7.2"]);
        assert!(
            RuleCatalogue::default()
                .controls("R", &["soc2".to_owned()])
                .is_empty()
        );
    }
}
