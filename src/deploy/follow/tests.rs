use std::collections::BTreeMap;

use super::*;
use crate::deploy::CloudError;
use crate::deploy::scripted::{Scripted, event};

/// A follower that records nothing and never stops.
use crate::deploy::run::Unattended as Quiet;

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
    // Each kind of consequence alone: the stack's own row, a parent listing its failed
    // children.
    let mut more = failures.clone();
    more.push(event(
        "root",
        "root",
        "AWS::CloudFormation::Stack",
        "UPDATE_ROLLBACK_FAILED",
        1,
        Some("Internal Failure"),
    ));
    more.push(event(
        "nested",
        "Inner",
        "AWS::CloudFormation::Stack",
        "UPDATE_FAILED",
        2,
        Some("The following resource(s) failed to update: [Service]."),
    ));
    assert_eq!(root_cause(&more).unwrap().logical_id, "Service");
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
    let again = recovery("s", "DELETE_FAILED", &skip).unwrap();
    assert!(
        again.starts_with("delete again") && again.contains("--retain-resources Api.Service Queue"),
        "{again}"
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
    assert_eq!(skippable(&failures, &nested), ["Queue", "Api.Service"]);
}

fn service_event(status: &str) -> StackEvent {
    let mut e = event("s", "Api", "AWS::ECS::Service", status, 1, None);
    e.physical_id = Some("arn:aws:ecs:us-east-1:1:service/c/api".into());
    e
}

#[test]
fn a_service_is_watched_from_its_start_until_it_settles_and_never_while_deleted() {
    let mut rolling = BTreeMap::new();
    track_service(&mut rolling, &service_event("DELETE_IN_PROGRESS"));
    assert!(rolling.is_empty());
    track_service(&mut rolling, &service_event("UPDATE_IN_PROGRESS"));
    assert_eq!(rolling.len(), 1);
    track_service(&mut rolling, &service_event("UPDATE_FAILED"));
    assert!(rolling.is_empty());
    track_service(&mut rolling, &service_event("CREATE_IN_PROGRESS"));
    track_service(&mut rolling, &service_event("CREATE_COMPLETE"));
    assert!(rolling.is_empty());
}

#[test]
fn a_rolling_service_is_read_every_ten_seconds_with_only_its_new_failures() {
    let arn = "arn:aws:ecs:us-east-1:1:service/c/api";
    let mut cloud = Scripted::default();
    let rollout = |failed| Rollout {
        desired: 2,
        failed,
        ..Rollout::default()
    };
    cloud
        .rollouts
        .insert(arn.into(), vec![rollout(2), rollout(3)]);
    cloud.stopped.insert(
        arn.into(),
        vec!["first".into(), "second".into(), "third".into()],
    );
    let mut watch = Watch::default();
    // The first read: two failures, two reasons.
    assert_eq!(
        watch_service(&cloud, arn, &mut watch, &mut Quiet),
        ["first", "second"]
    );
    // Not due yet at 9 s; due at exactly 10 s, with the one new failure.
    cloud.sleep(Duration::from_secs(9));
    assert!(watch_service(&cloud, arn, &mut watch, &mut Quiet).is_empty());
    assert_eq!(cloud.rollout_calls.get(), 1);
    cloud.sleep(Duration::from_secs(1));
    assert_eq!(
        watch_service(&cloud, arn, &mut watch, &mut Quiet),
        ["first"]
    );
    assert_eq!(cloud.rollout_calls.get(), 2);
}
