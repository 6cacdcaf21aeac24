//! Deploys that fail, stop or start from a stuck stack: root causes, recovery steps, ECS
//! rollouts, Ctrl-C, a failed first create and a stuck rollback, against scripted answers.

use super::*;

#[test]
fn a_failed_update_names_the_root_cause_and_the_way_out() {
    let before = output(&|t| t);
    let after = output(&|t| t.replace("cpu: 512\n    memory: 1024", "cpu: 1024\n    memory: 2048"));
    let mut cloud = account(&before);
    cloud.answer = ready(vec![ResourceChange {
        action: "Modify".into(),
        logical_id: "ServiceApi".into(),
        kind: "AWS::CloudFormation::Stack".into(),
        ..Default::default()
    }]);
    let nested =
        "arn:aws:cloudformation:us-east-1:123456789012:stack/acme-api-dev-root-ServiceApi-X/1";
    let mut stack_row = event(
        ROOT,
        "ServiceApi",
        "AWS::CloudFormation::Stack",
        "UPDATE_FAILED",
        5,
        Some("Embedded stack arn:... was not successfully updated"),
    );
    stack_row.physical_id = Some(nested.into());
    cloud.execution.insert(
        ROOT.into(),
        vec![
            stack_row,
            event(
                ROOT,
                ROOT,
                "AWS::CloudFormation::Stack",
                "UPDATE_ROLLBACK_IN_PROGRESS",
                6,
                None,
            ),
            event(
                ROOT,
                ROOT,
                "AWS::CloudFormation::Stack",
                "UPDATE_ROLLBACK_FAILED",
                9,
                None,
            ),
        ],
    );
    cloud.execution.insert(
        nested.into(),
        vec![
            event(
                "acme-api-dev-root-ServiceApi-X",
                "Service",
                "AWS::ECS::Service",
                "UPDATE_FAILED",
                3,
                Some("ECS Deployment Circuit Breaker was triggered"),
            ),
            event(
                "acme-api-dev-root-ServiceApi-X",
                "TaskDefinition",
                "AWS::ECS::TaskDefinition",
                "UPDATE_FAILED",
                4,
                Some("Resource update cancelled"),
            ),
            event(
                "acme-api-dev-root-ServiceApi-X",
                "Service",
                "AWS::ECS::Service",
                "UPDATE_FAILED",
                8,
                Some("Service did not stabilize during rollback"),
            ),
        ],
    );
    cloud.final_status = "UPDATE_ROLLBACK_FAILED".into();
    let outcome = deploy(&cloud, &request(&after, &[], &[]), &mut Recorder::default()).unwrap();
    let Outcome::Failed { settled, recovery } = outcome else {
        panic!("not failed: {outcome:?}")
    };
    let cause = settled.root_cause.unwrap();
    assert_eq!(cause.logical_id, "Service");
    assert_eq!(
        cause.reason.as_deref(),
        Some("ECS Deployment Circuit Breaker was triggered")
    );
    let recovery = recovery.unwrap();
    assert!(
        recovery.contains(&format!(
            "continue-update-rollback --stack-name {ROOT} --resources-to-skip ServiceApi.Service"
        )),
        "{recovery}"
    );
}

#[test]
fn stacks_that_take_no_change_set_are_refused_with_the_way_out() {
    let before = output(&|t| t);
    for (status, expect) in [
        ("UPDATE_IN_PROGRESS", "another operation is running"),
        ("UPDATE_ROLLBACK_FAILED", "takes no change set"),
    ] {
        let cloud = account(&before);
        cloud
            .stacks
            .borrow_mut()
            .insert(ROOT.into(), state(ROOT, status, &[]));
        let err = deploy(
            &cloud,
            &request(&before, &[], &[]),
            &mut Recorder::default(),
        )
        .unwrap_err();
        assert_eq!(err[0].code, Code::DeployStackState);
        assert!(
            err[0].message.contains(expect),
            "{status}: {}",
            err[0].message
        );
        assert!(err[0].help.is_some());
    }
    // A failed first create: without a yes, kept and refused; with one, deleted and created.
    let cloud = account(&before);
    cloud
        .stacks
        .borrow_mut()
        .insert(ROOT.into(), state(ROOT, "ROLLBACK_COMPLETE", &[]));
    let err = deploy(
        &cloud,
        &request(&before, &[], &[]),
        &mut Recorder::default(),
    )
    .unwrap_err();
    assert!(
        err[0]
            .message
            .contains("ROLLBACK_COMPLETE and was not deleted")
    );
    assert!(
        !cloud
            .calls
            .borrow()
            .iter()
            .any(|c| c.starts_with("DeleteStack"))
    );
}

#[test]
fn a_failing_ecs_rollout_shows_its_tasks_and_why_they_stopped() {
    let before = output(&|t| t);
    let after = output(&|t| t.replace("cpu: 512\n    memory: 1024", "cpu: 1024\n    memory: 2048"));
    let mut cloud = account(&before);
    cloud.answer = ready(vec![ResourceChange {
        action: "Modify".into(),
        logical_id: "Service".into(),
        kind: "AWS::ECS::Service".into(),
        ..Default::default()
    }]);
    let arn = "arn:aws:ecs:us-east-1:123456789012:service/acme-api-dev/api";
    let mut started = event(
        ROOT,
        "Service",
        "AWS::ECS::Service",
        "UPDATE_IN_PROGRESS",
        1,
        None,
    );
    started.physical_id = Some(arn.into());
    let mut failed = event(
        ROOT,
        "Service",
        "AWS::ECS::Service",
        "UPDATE_FAILED",
        40,
        Some("Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'."),
    );
    failed.physical_id = Some(arn.into());
    let mut waiting = Vec::new();
    for second in 2..8 {
        let mut e = event(
            ROOT,
            "Service",
            "AWS::ECS::Service",
            "UPDATE_IN_PROGRESS",
            second,
            Some("Eventual consistency check initiated"),
        );
        e.physical_id = Some(arn.into());
        waiting.push(e);
    }
    let mut events = vec![started];
    events.extend(waiting);
    events.push(failed);
    events.push(event(
        ROOT,
        ROOT,
        "AWS::CloudFormation::Stack",
        "UPDATE_ROLLBACK_COMPLETE",
        59,
        None,
    ));
    cloud.execution.insert(ROOT.into(), events);
    cloud.final_status = "UPDATE_ROLLBACK_COMPLETE".into();
    let rollout = |running, failed, state: &str| crate::deploy::Rollout {
        desired: 1,
        running,
        pending: 1 - running,
        failed,
        state: Some(state.into()),
        reason: None,
    };
    cloud.rollouts.insert(
        arn.into(),
        vec![
            rollout(0, 0, "IN_PROGRESS"),
            rollout(0, 2, "IN_PROGRESS"),
            rollout(0, 3, "FAILED"),
        ],
    );
    let pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): api:v2 not found";
    cloud.stopped.insert(
        arn.into(),
        vec![format!("Task failed to start; api: {pull}"); 3],
    );
    let mut ui = Recorder::default();
    let outcome = deploy(&cloud, &request(&after, &[], &[]), &mut ui).unwrap();
    let Outcome::Failed { settled, recovery } = outcome else {
        panic!("not failed: {outcome:?}")
    };
    assert_eq!(
        ui.rollouts.first().map(String::as_str),
        Some("Service 0/1 failed 0"),
        "{:?}",
        ui.rollouts
    );
    assert!(
        ui.rollouts.iter().any(|r| r.ends_with("failed 2")),
        "{:?}",
        ui.rollouts
    );
    // The same reason, stopped twice, is reported once.
    assert_eq!(
        settled.stopped_tasks,
        [format!("Task failed to start; api: {pull}")]
    );
    assert_eq!(settled.root_cause.unwrap().logical_id, "Service");
    assert!(recovery.unwrap().contains("previous version"));
}

#[test]
fn ctrl_c_stops_following_and_never_the_deployment() {
    let before = output(&|t| t);
    let after = output(&renamed_database);
    let mut cloud = account(&before);
    replacing_change_set(&mut cloud);
    cloud.execution.insert(
        ROOT.into(),
        (0..10)
            .map(|i| {
                event(
                    ROOT,
                    "Database",
                    "AWS::CloudFormation::Stack",
                    "UPDATE_IN_PROGRESS",
                    i,
                    None,
                )
            })
            .collect(),
    );
    let allow = RENAMED.map(str::to_owned);
    let mut ui = Recorder {
        interrupt_after: Some(2),
        ..Default::default()
    };
    let outcome = deploy(&cloud, &request(&after, &[], &allow), &mut ui).unwrap();
    let Outcome::Detached(settled) = outcome else {
        panic!("not detached: {outcome:?}")
    };
    assert!(settled.interrupted);
    assert_eq!(settled.status, "UPDATE_IN_PROGRESS");
    assert_eq!(ui.ticks, 2);
    // Nothing was cancelled: the only calls after executing are reads.
    let calls = cloud.calls.borrow();
    assert_eq!(
        calls.last().map(String::as_str),
        Some("ExecuteChangeSet arn:cs/root")
    );
}

#[test]
fn a_failed_first_create_is_deleted_when_confirmed_and_created_again() {
    let before = output(&|t| t);
    let mut cloud = account(&before);
    cloud
        .stacks
        .borrow_mut()
        .insert(ROOT.into(), state(ROOT, "ROLLBACK_COMPLETE", &[]));
    cloud.answer = ready(Vec::new());
    let mut ui = Recorder {
        answer: true,
        ..Default::default()
    };
    let given = NEEDED_PARAMETERS.map(|(k, v)| (k.to_owned(), v.to_owned()));
    let mut req = request(&before, &given, &[]);
    req.review = true;
    assert!(matches!(
        deploy(&cloud, &req, &mut ui).unwrap(),
        Outcome::Review { .. }
    ));
    assert_eq!(ui.asked, [format!("delete the empty stack `{ROOT}` now?")]);
    let calls = cloud.calls.borrow();
    assert_eq!(calls[0], format!("DeleteStack {ROOT}"));
    // Gone, so the stack is created again (a CREATE change set, nothing kept from before).
    let sent = cloud.requests.borrow();
    assert_eq!(sent[0].kind, crate::deploy::ChangeSetKind::Create);
}

#[test]
fn a_stuck_rollback_is_refused_with_its_skip_list_or_continued_when_asked() {
    let before = output(&|t| t);
    let mut cloud = account(&before);
    cloud.stacks.borrow_mut().insert(
        ROOT.into(),
        state(
            ROOT,
            "UPDATE_ROLLBACK_FAILED",
            &["AvailabilityZones", "CertificateArn"],
        ),
    );
    let nested =
        format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{ROOT}-ServiceApi-X/1");
    cloud.resources.get_mut(ROOT).unwrap().push(StackResource {
        logical_id: "ServiceApi".into(),
        physical_id: Some(nested.clone()),
        kind: "AWS::CloudFormation::Stack".into(),
    });
    let nested_name = format!("{ROOT}-ServiceApi-X");
    cloud.history.insert(
        ROOT.into(),
        vec![
            event(
                ROOT,
                "Queue",
                "AWS::SQS::Queue",
                "UPDATE_FAILED",
                1,
                Some("before the rollback: not to skip"),
            ),
            event(
                ROOT,
                ROOT,
                "AWS::CloudFormation::Stack",
                "UPDATE_ROLLBACK_IN_PROGRESS",
                2,
                None,
            ),
            event(
                ROOT,
                ROOT,
                "AWS::CloudFormation::Stack",
                "UPDATE_ROLLBACK_FAILED",
                9,
                None,
            ),
        ],
    );
    cloud.history.insert(
        nested_name.clone(),
        vec![event(
            &nested_name,
            "Service",
            "AWS::ECS::Service",
            "UPDATE_FAILED",
            5,
            Some("Service did not stabilize"),
        )],
    );
    let err = deploy(
        &cloud,
        &request(&before, &[], &[]),
        &mut Recorder::default(),
    )
    .unwrap_err();
    let help = err[0].help.clone().unwrap();
    assert!(
        !help.contains("Queue"),
        "a failure from before the rollback is not skipped: {help}"
    );
    assert!(
        help.contains(&format!(
            "continue-update-rollback --stack-name {ROOT} --resources-to-skip ServiceApi.Service`"
        )),
        "{help}"
    );
    assert!(help.contains("--continue-rollback"), "{help}");
    // Asked: the rollback goes on first, then the deploy.
    cloud.execution.insert(
        ROOT.into(),
        vec![event(
            ROOT,
            ROOT,
            "AWS::CloudFormation::Stack",
            "UPDATE_ROLLBACK_COMPLETE",
            20,
            None,
        )],
    );
    cloud.final_status = "UPDATE_ROLLBACK_COMPLETE".into();
    cloud.answer = ready(Vec::new());
    let mut req = request(&before, &[], &[]);
    req.continue_rollback = true;
    req.review = true;
    let mut ui = Recorder::default();
    let outcome = deploy(&cloud, &req, &mut ui).unwrap();
    assert!(matches!(outcome, Outcome::Review { .. }), "{outcome:?}");
    assert_eq!(
        cloud.calls.borrow()[0],
        format!("ContinueUpdateRollback {ROOT} skip ServiceApi.Service")
    );
    assert_eq!(
        cloud.requests.borrow()[0].kind,
        crate::deploy::ChangeSetKind::Update
    );
}

const NEEDED_PARAMETERS: [(&str, &str); 2] = [
    ("AvailabilityZones", "us-east-1a,us-east-1b"),
    (
        "CertificateArn",
        "arn:aws:acm:us-east-1:123456789012:certificate/x",
    ),
];
