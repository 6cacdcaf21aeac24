//! Unit tests of the policy model, one file per job like the code: `rules` (headers and rule
//! test files), `set` (profiles and the rule set), `templates` (lines, error codes, exception
//! positions), `check` (evaluation with a scripted engine and with cfn-guard, exceptions, the
//! matrix, dates), `hook` (the combined hook file against each rule alone), `evaluation` (the
//! grouped, parallel and cached evaluation against each rule on every template). Shared here: a
//! good rule, a profile and the set they make.

mod check;
mod evaluation;
mod hook;
mod rules;
mod set;
mod templates;

use super::*;

const GOOD_RULE: &str = "# Rule: S3_BUCKET_VERSIONING_ENABLED
# Title: S3 buckets keep object versions
# Severity: medium
# Resources: AWS::S3::Bucket
# Fix: set VersioningConfiguration.Status: Enabled,
#   then keep it on
#
# Sample.

let buckets = Resources.*[ Type == 'AWS::S3::Bucket'
  Metadata.guard.SuppressedRules not exists or
  Metadata.guard.SuppressedRules.* != 'S3_BUCKET_VERSIONING_ENABLED' ]
rule S3_BUCKET_VERSIONING_ENABLED when %buckets !empty {
  %buckets.Properties.VersioningConfiguration.Status == 'Enabled'
  << Violation: versioning is off Fix: turn it on >>
}
";

fn rule_file(name: &str, header: &str, body: &str) -> (String, String) {
    (
        format!("policies/rules/{name}.guard"),
        format!("{header}\n{body}"),
    )
}

fn messages(errors: &[PolicyError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

const PROFILE: &str = "# Source: test controls, 2026
#   second line
profile: soc2
title: SOC 2
controls:
  - id: CC6.1
    title: Encryption
    rules: [S3_BUCKET_VERSIONING_ENABLED]
";

fn set(
    rules: &[(String, String)],
    profiles: &[(&str, &str)],
) -> Result<PolicySet, Vec<PolicyError>> {
    let profiles: Vec<(String, String)> = profiles
        .iter()
        .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
        .collect();
    PolicySet::from_sources(rules, &profiles)
}

fn good_rules() -> Vec<(String, String)> {
    vec![(
        "policies/rules/S3_BUCKET_VERSIONING_ENABLED.guard".to_owned(),
        GOOD_RULE.to_owned(),
    )]
}
