//! The StackSets engine against scripted answers in the shapes of the CloudFormation API
//! reference (DescribeStackSetOperation, ListStackInstances' `StackInstanceStatus`): moto
//! emulates stack sets but finishes every operation at once and ignores the operation
//! preferences, so concurrency, failure tolerance and cancelled instances are tested here.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use super::*;
use crate::deploy::waves::plan;
use crate::deploy::{CloudResult, DeployedSet, StackSets, TemplateSource};

#[derive(Default)]
struct Script {
    exists: bool,
    /// What `DescribeStackSet` answers when it exists, and the bucket's objects by key.
    deployed: DeployedSet,
    objects: std::collections::BTreeMap<String, String>,
    /// `DescribeStackSetOperation` answers, one per call (the last one repeats).
    operation: Vec<(&'static str, Option<&'static str>)>,
    /// `ListStackInstances` answers, one per call (the last one repeats).
    instances: Vec<Vec<StackInstance>>,
    polls: Cell<usize>,
    lists: Cell<usize>,
    calls: RefCell<Vec<String>>,
    paused: Cell<Duration>,
}

fn pick<T: Clone>(answers: &[T], n: &Cell<usize>) -> T {
    let i = n.get();
    n.set(i + 1);
    answers[i.min(answers.len() - 1)].clone()
}

impl StackSets for Script {
    fn stack_set(&self, _: &str) -> CloudResult<Option<DeployedSet>> {
        Ok(self.exists.then(|| self.deployed.clone()))
    }
    fn get_object(&self, _: &str, key: &str) -> CloudResult<Option<String>> {
        Ok(self.objects.get(key).cloned())
    }
    fn create_stack_set(&self, r: &StackSetRequest) -> CloudResult<()> {
        self.calls.borrow_mut().push(format!(
            "CreateStackSet {} service_managed={}",
            r.name, r.service_managed
        ));
        Ok(())
    }
    fn update_stack_set(&self, r: &StackSetRequest) -> CloudResult<String> {
        self.calls.borrow_mut().push(format!(
            "UpdateStackSet MaxConcurrentCount={} FailureToleranceCount={}",
            r.max_concurrent, r.failure_tolerance
        ));
        Ok("op-update".into())
    }
    fn create_instances(
        &self,
        r: &StackSetRequest,
        targets: &StackSetTargets,
        regions: &[String],
        overrides: &[ParameterValue],
    ) -> CloudResult<String> {
        self.calls.borrow_mut().push(format!(
            "CreateStackInstances {targets:?} {regions:?} overrides={} MaxConcurrentCount={} FailureToleranceCount={}",
            overrides.iter().map(|p| format!("{}={}", p.key, p.value.clone().unwrap_or_default())).collect::<Vec<_>>().join(","),
            r.max_concurrent, r.failure_tolerance
        ));
        Ok("op-create".into())
    }
    fn operation(&self, _: &str, _: &str) -> CloudResult<(String, Option<String>)> {
        let (s, r) = pick(&self.operation, &self.polls);
        Ok((s.into(), r.map(str::to_owned)))
    }
    fn instances(&self, _: &str) -> CloudResult<Vec<StackInstance>> {
        Ok(pick(&self.instances, &self.lists))
    }
    fn pause(&self, d: Duration) {
        self.paused.set(self.paused.get() + d);
    }
}

fn instance(account: &str, detailed: &str, reason: Option<&str>) -> StackInstance {
    StackInstance {
        account: account.into(),
        region: "us-east-1".into(),
        status: if detailed == "SUCCEEDED" {
            "CURRENT"
        } else {
            "OUTDATED"
        }
        .into(),
        detailed: Some(detailed.into()),
        reason: reason.map(str::to_owned),
    }
}

fn members(n: usize) -> Vec<Member> {
    (0..n)
        .map(|i| Member {
            id: format!("c{i}"),
            account: format!("22222222222{i}"),
            region: "us-east-1".into(),
            overrides: vec![],
        })
        .collect()
}

fn request(concurrency: u32, failures: u32) -> StackSetRequest {
    let (max_concurrent, failure_tolerance, _) = preferences(concurrency, failures);
    StackSetRequest {
        name: "acme-api-prod-root".into(),
        template: TemplateSource::Url("https://b.s3.amazonaws.com/templates/x/root.yaml".into()),
        parameters: vec![],
        capabilities: vec!["CAPABILITY_NAMED_IAM".into()],
        tags: vec![],
        description: "d".into(),
        service_managed: false,
        max_concurrent,
        failure_tolerance,
    }
}

fn board_for(m: &[Member], failures: usize) -> Board {
    let ids: Vec<(String, bool)> = m.iter().map(|m| (m.id.clone(), false)).collect();
    Board::new(&plan(&ids, usize::MAX), failures)
}

#[test]
fn concurrency_over_the_failure_tolerance_plus_one_is_lowered_and_said() {
    assert_eq!(preferences(4, 0).0, 1);
    assert!(preferences(4, 0).2.unwrap().contains("lowered to 1"));
    assert_eq!(preferences(3, 5), (3, 5, None));
}

#[test]
fn past_the_failure_tolerance_aws_cancels_the_rest_and_every_customer_keeps_its_row() {
    let m = members(4);
    let mut board = board_for(&m, 1);
    // An update of a stack set with four instances, tolerance 1, two at a time: the first two
    // run, one fails; the next two run, one fails: past the tolerance, the operation fails and
    // the instance it had not reached yet... here both were reached; a third pair is cancelled.
    let script = Script {
        exists: true,
        operation: vec![
            ("RUNNING", None),
            ("RUNNING", None),
            ("FAILED", Some("Failure tolerance exceeded")),
        ],
        instances: vec![
            vec![
                instance("222222222220", "RUNNING", None),
                instance("222222222221", "RUNNING", None),
                instance("222222222222", "PENDING", None),
                instance("222222222223", "PENDING", None),
            ],
            vec![
                instance("222222222220", "SUCCEEDED", None),
                instance(
                    "222222222221",
                    "FAILED",
                    Some(
                        "ResourceLogicalId:Database, ResourceType:AWS::RDS::DBInstance, ResourceStatusReason:Resource handler returned message: \"quota exceeded\"",
                    ),
                ),
                instance("222222222222", "RUNNING", None),
                instance("222222222223", "PENDING", None),
            ],
            vec![
                instance("222222222220", "SUCCEEDED", None),
                instance("222222222221", "FAILED", Some("quota exceeded")),
                instance(
                    "222222222222",
                    "FAILED",
                    Some(
                        "Role AWSCloudFormationStackSetExecutionRole is invalid or cannot be assumed",
                    ),
                ),
                instance(
                    "222222222223",
                    "CANCELLED",
                    Some("Cancelled since failure tolerance has exceeded"),
                ),
            ],
        ],
        ..Script::default()
    };
    let mut seen = 0;
    run(&script, &request(2, 1), &m, &[], &mut board, &mut |_| {
        seen += 1
    })
    .unwrap();
    let states: Vec<State> = board.rows.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        vec![State::Deployed, State::Failed, State::Failed, State::Halted]
    );
    assert!(
        board.rows[2].detail.contains("cannot be assumed"),
        "{}",
        board.rows[2].detail
    );
    assert!(
        board.rows[3].detail.starts_with("CANCELLED"),
        "{}",
        board.rows[3].detail
    );
    assert_eq!(board.rows[1].code.as_deref(), Some("rollout.not-deployed"));
    assert_eq!(
        script.calls.borrow()[0],
        "UpdateStackSet MaxConcurrentCount=2 FailureToleranceCount=1"
    );
    assert_eq!(
        script.paused.get(),
        POLL * 2,
        "polled until the operation ended"
    );
    assert!(seen >= 3);
}

#[test]
fn a_new_stack_set_gets_one_create_instances_per_region_and_parameter_set() {
    let mut m = members(3);
    m[2].overrides = vec![ParameterValue {
        key: "ImageTag".into(),
        value: Some("1.4.2".into()),
    }];
    let mut board = board_for(&m, 0);
    let done: Vec<StackInstance> = m
        .iter()
        .map(|m| instance(&m.account, "SUCCEEDED", None))
        .collect();
    let script = Script {
        exists: false,
        operation: vec![("SUCCEEDED", None)],
        instances: vec![vec![], done],
        ..Script::default()
    };
    run(&script, &request(1, 0), &m, &[], &mut board, &mut |_| {}).unwrap();
    let calls = script.calls.borrow();
    assert_eq!(
        calls[0],
        "CreateStackSet acme-api-prod-root service_managed=false"
    );
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(
        calls[1]
            .contains("Accounts([\"222222222220\", \"222222222221\"]) [\"us-east-1\"] overrides="),
        "{calls:?}"
    );
    assert!(
        calls[2].contains("Accounts([\"222222222222\"])")
            && calls[2].contains("overrides=ImageTag=1.4.2"),
        "{calls:?}"
    );
    assert_eq!(board.count(State::Deployed), 3);
}

#[test]
fn service_managed_targets_the_units_and_a_customer_outside_them_is_named() {
    let m = members(2);
    let mut board = board_for(&m, 5);
    let script = Script {
        exists: false,
        operation: vec![("SUCCEEDED", None)],
        instances: vec![vec![], vec![instance("222222222220", "SUCCEEDED", None)]],
        ..Script::default()
    };
    let units = vec!["ou-abcd-12345678".to_owned()];
    run(&script, &request(1, 5), &m, &units, &mut board, &mut |_| {}).unwrap();
    assert!(script.calls.borrow()[1].contains("OrgUnits([\"ou-abcd-12345678\"])"));
    assert_eq!(board.rows[0].state, State::Deployed);
    assert_eq!(board.rows[1].state, State::Failed);
    assert!(
        board.rows[1].detail.contains("not in ou-abcd-12345678"),
        "{}",
        board.rows[1].detail
    );
}

/// acme-api's dev templates, `edit`ed first.
fn output(edit: &dyn Fn(String) -> String) -> Output {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-api/byoa.yaml");
    let text = edit(std::fs::read_to_string(path).unwrap());
    let loaded = crate::spec::load_str(
        std::path::Path::new("byoa.yaml"),
        &text,
        Some("dev"),
        &Default::default(),
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    crate::synth::synthesize(&loaded, crate::cfn::emit::Format::Yaml, None).unwrap()
}

/// A stack set running `deployed`'s templates, as `byoa rollout --engine stacksets` left it:
/// the root template in the stack set, the module templates in the bucket.
fn running(deployed: &Output) -> Script {
    let set = plan::template_set(deployed);
    let mut objects = std::collections::BTreeMap::new();
    for r in plan::nested(deployed) {
        objects.insert(format!("templates/{set}/{}", r.file), r.body.clone());
    }
    let root = deployed
        .templates
        .iter()
        .find(|r| r.stack.module == naming::ROOT)
        .unwrap();
    Script {
        exists: true,
        deployed: DeployedSet {
            template: root.body.clone(),
            parameters: vec![(
                ARTIFACT_BASE_URL.into(),
                format!("https://b.s3.us-east-1.amazonaws.com/templates/{set}"),
            )],
        },
        objects,
        ..Script::default()
    }
}

#[test]
fn an_update_that_replaces_the_database_is_predicted_and_stopped() {
    let before = output(&|t| t);
    let script = running(&before);
    assert!(
        predict(&script, "b", &script.deployed, &before)
            .unwrap()
            .is_empty()
    );
    let renamed = output(&|t| t.replacen("\ndatabase:\n", "\ndatabase:\n  name: orders\n", 1));
    let hazards = predict(&script, "b", &script.deployed, &renamed).unwrap();
    let h = hazards
        .iter()
        .find(|h| h.logical_id == "Database")
        .unwrap_or_else(|| panic!("{hazards:?}"));
    assert_eq!(h.stack, "database");
    assert!(h.spec.contains(&"database.name".to_owned()), "{h:?}");
}

#[test]
fn old_templates_missing_from_the_bucket_make_the_prediction_fail_not_pass() {
    let before = output(&|t| t);
    let mut script = running(&before);
    script.objects.clear();
    let e = predict(&script, "b", &script.deployed, &before).unwrap_err();
    assert!(e.message.contains("is not in the bucket"), "{e}");
    script.deployed.parameters.clear();
    let e = predict(&script, "b", &script.deployed, &before).unwrap_err();
    assert!(e.message.contains("names no byoa template set"), "{e}");
}
