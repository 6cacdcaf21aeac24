use std::collections::BTreeMap;

use super::*;
use crate::deploy::CloudError;
use crate::deploy::scripted::{Scripted, event};

/// A follower that records nothing and never stops.
struct Quiet;

impl Progress for Quiet {
    fn event(&mut self, _: &StackEvent) {}
    fn tick(&mut self, _: usize, _: usize, _: Duration) {}
    fn rollout(&mut self, _: &str, _: &Rollout, _: &[String]) {}
    fn interrupted(&mut self) -> bool {
        false
    }
}

#[test]
fn a_stack_that_no_longer_answers_is_gone_but_other_errors_stop_the_follower() {
    // Deleted: no stack, and its events answer "does not exist".
    let mut cloud = Scripted::default();
    let gone = CloudError::new("DescribeStackEvents", "s", "Stack with id s does not exist");
    cloud.events_error.insert("s".into(), gone);
    let settled = follow(&cloud, "s", None, 1, &mut Quiet).unwrap();
    assert_eq!(settled.status, "DELETE_COMPLETE");
    // Throttled past the SDK's retries: the follower says so.
    let mut cloud = Scripted::default();
    let mut throttled = CloudError::new("DescribeStackEvents", "s", "Rate exceeded");
    throttled.code = Some("Throttling".into());
    cloud.events_error.insert("s".into(), throttled.clone());
    assert_eq!(
        follow(&cloud, "s", None, 1, &mut Quiet).unwrap_err(),
        throttled
    );
}

#[test]
fn the_root_cause_is_the_earliest_failure_that_no_other_explains() {
    let failures = vec![
        event(
            "root",
            "Api",
            "AWS::CloudFormation::Stack",
            "CREATE_FAILED",
            9,
            Some(
                "Embedded stack arn:x was not successfully created: The following resource(s) failed to create: [Service].",
            ),
        ),
        event(
            "nested",
            "Repo",
            "AWS::ECR::Repository",
            "CREATE_FAILED",
            3,
            Some("Resource creation cancelled"),
        ),
        event(
            "nested",
            "Service",
            "AWS::ECS::Service",
            "CREATE_FAILED",
            5,
            Some("Invalid request provided: subnet not found"),
        ),
        event(
            "root",
            "root",
            "AWS::CloudFormation::Stack",
            "ROLLBACK_IN_PROGRESS",
            10,
            Some("The following resource(s) failed to create: [Api]."),
        ),
    ];
    let cause = root_cause(&failures).unwrap();
    assert_eq!(cause.logical_id, "Service");
    // Nothing but consequences: the first one is still better than nothing.
    assert_eq!(root_cause(&failures[..1]).unwrap().logical_id, "Api");
    assert!(root_cause(&[]).is_none());
}

#[test]
fn every_stuck_state_has_its_exact_step() {
    let skip = vec!["Api.Service".to_owned(), "Queue".to_owned()];
    let step = recovery("s", "UPDATE_ROLLBACK_FAILED", &skip).unwrap();
    assert!(step.contains("aws cloudformation continue-update-rollback --stack-name s --resources-to-skip Api.Service Queue"), "{step}");
    assert!(
        recovery("s", "ROLLBACK_FAILED", &skip)
            .unwrap()
            .contains("delete-stack --stack-name s --retain-resources Api.Service Queue")
    );
    assert!(
        recovery("s", "UPDATE_FAILED", &[])
            .unwrap()
            .contains("rollback-stack --stack-name s")
    );
    assert!(
        recovery("s", "ROLLBACK_COMPLETE", &[])
            .unwrap()
            .contains("must be deleted")
    );
    assert!(
        recovery("s", "UPDATE_ROLLBACK_COMPLETE", &[])
            .unwrap()
            .contains("previous version")
    );
    assert_eq!(recovery("s", "UPDATE_COMPLETE", &[]), None);
}

#[test]
fn skipping_names_nested_resources_through_their_stack_and_only_the_still_failed() {
    let nested = BTreeMap::from([("root-Api-X".to_owned(), "Api".to_owned())]);
    let failures = vec![
        event(
            "root-Api-X",
            "Service",
            "AWS::ECS::Service",
            "UPDATE_FAILED",
            3,
            None,
        ),
        event("root", "Queue", "AWS::SQS::Queue", "UPDATE_FAILED", 4, None),
        event("root", "Topic", "AWS::SNS::Topic", "CREATE_FAILED", 2, None),
        event(
            "root",
            "Api",
            "AWS::CloudFormation::Stack",
            "UPDATE_FAILED",
            5,
            None,
        ),
    ];
    assert_eq!(
        skippable(&failures, "root", &nested),
        ["Queue", "Api.Service"]
    );
}
