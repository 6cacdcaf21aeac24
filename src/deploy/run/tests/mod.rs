//! The deploy sequence against scripted AWS answers: the paths moto cannot play (a change set
//! with replacement details, nested stacks and their events). Failures, stuck states, ECS
//! rollouts and Ctrl-C are in `recovery`.

use std::path::Path;
use std::time::Duration;

use super::*;
use crate::cfn::emit::Format;
use crate::deploy::scripted::{Scripted, event, state};
use crate::deploy::{ChangeSet, ResourceChange, StackResource};

const ROOT: &str = "acme-api-dev-root";
const ACCESS: &str = "acme-api-dev-access";
const BUCKET: &str = "acme-artifacts";

fn output(edit: &dyn Fn(String) -> String) -> Output {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-api/byoa.yaml");
    let text = edit(std::fs::read_to_string(path).unwrap());
    let loaded = crate::spec::load_str(
        Path::new("byoa.yaml"),
        &text,
        Some("dev"),
        &Default::default(),
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    crate::synth::synthesize(&loaded, Format::Yaml, None).unwrap()
}

/// The database named `orders` instead of the default: `DBName` is create-only.
fn renamed_database(text: String) -> String {
    text.replacen("\ndatabase:\n", "\ndatabase:\n  name: orders\n", 1)
}

/// What renaming the database replaces: the instance, renamed with it, and its log groups,
/// named after the instance (the old groups are retained).
const RENAMED: [&str; 3] = [
    "database/Database",
    "database/DatabasePostgresqlLogGroup",
    "database/DatabaseUpgradeLogGroup",
];

/// The template `out` holds for `module`.
fn body<'a>(out: &'a Output, module: &str) -> &'a str {
    &out.templates
        .iter()
        .find(|r| r.stack.module == module)
        .unwrap()
        .body
}

/// A scripted account where `deployed` is the root stack as it runs now.
fn account(deployed: &Output) -> Scripted {
    let mut cloud = Scripted {
        final_status: "UPDATE_COMPLETE".into(),
        ..Default::default()
    };
    cloud.stacks.borrow_mut().insert(
        ACCESS.into(),
        state(ACCESS, "CREATE_COMPLETE", &["ExternalId"]),
    );
    cloud.resources.insert(
        ACCESS.into(),
        vec![
            StackResource {
                logical_id: ARTIFACT_BUCKET.into(),
                physical_id: Some(BUCKET.into()),
                kind: "AWS::S3::Bucket".into(),
            },
            StackResource {
                logical_id: EXECUTION_ROLE.into(),
                physical_id: Some("acme-api-dev-access-ExecutionRole-ABC".into()),
                kind: "AWS::IAM::Role".into(),
            },
        ],
    );
    cloud
        .templates
        .insert(ACCESS.into(), body(deployed, "access").to_owned());
    let root = deployed
        .templates
        .iter()
        .find(|r| r.stack.module == "root")
        .unwrap();
    cloud.stacks.borrow_mut().insert(
        ROOT.into(),
        state(
            ROOT,
            "UPDATE_COMPLETE",
            &["ArtifactBaseUrl", "AvailabilityZones", "CertificateArn"],
        ),
    );
    cloud.templates.insert(ROOT.into(), root.body.clone());
    let parsed = diff::load::parse_value("root", &root.body).unwrap();
    let mut nested = Vec::new();
    for (id, r) in parsed["Resources"].as_object().unwrap() {
        let Some(module) = diff::nested::child_name(r) else {
            continue;
        };
        let physical =
            format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{ROOT}-{id}-X/1");
        let body = &deployed
            .templates
            .iter()
            .find(|t| t.stack.module == module)
            .unwrap()
            .body;
        cloud.templates.insert(physical.clone(), body.clone());
        nested.push(StackResource {
            logical_id: id.clone(),
            physical_id: Some(physical),
            kind: "AWS::CloudFormation::Stack".into(),
        });
    }
    cloud.resources.insert(ROOT.into(), nested);
    cloud
}

/// AWS's change set for renaming the database: the root's `Database` stack row points at a
/// nested change set whose `Database` instance is replaced because of `DBName`.
fn replacing_change_set(cloud: &mut Scripted) {
    let nested_stack =
        format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{ROOT}-Database-X/1");
    cloud.answer = ready(vec![ResourceChange {
        action: "Modify".into(),
        logical_id: "Database".into(),
        physical_id: Some(nested_stack),
        kind: "AWS::CloudFormation::Stack".into(),
        replacement: Some("False".into()),
        nested_change_set: Some("arn:cs/database".into()),
        ..Default::default()
    }]);
    cloud.nested.insert(
        "arn:cs/database".into(),
        ChangeSet {
            id: "arn:cs/database".into(),
            status: "CREATE_COMPLETE".into(),
            changes: vec![ResourceChange {
                action: "Modify".into(),
                logical_id: "Database".into(),
                kind: "AWS::RDS::DBInstance".into(),
                replacement: Some("True".into()),
                recreating: vec!["DBName".into()],
                ..Default::default()
            }],
            ..Default::default()
        },
    );
}

/// The root's change set, computed and ready to execute, with `changes`.
fn ready(changes: Vec<ResourceChange>) -> ChangeSet {
    ChangeSet {
        id: "arn:cs/root".into(),
        status: "CREATE_COMPLETE".into(),
        execution_status: "AVAILABLE".into(),
        changes,
        ..Default::default()
    }
}

#[derive(Default)]
struct Recorder {
    lines: Vec<String>,
    answer: bool,
    asked: Vec<String>,
    events: Vec<String>,
    ticks: usize,
    rollouts: Vec<String>,
    stopped: Vec<String>,
    /// Ctrl-C after this many ticks.
    interrupt_after: Option<usize>,
}

impl Progress for Recorder {
    fn event(&mut self, e: &crate::deploy::StackEvent) {
        self.events
            .push(format!("{} {} {}", e.stack_name, e.logical_id, e.status));
    }
    fn tick(&mut self, _done: usize, _total: usize, _elapsed: Duration) {
        self.ticks += 1;
    }
    fn interrupted(&mut self) -> bool {
        self.interrupt_after.is_some_and(|n| self.ticks >= n)
    }
    fn rollout(&mut self, id: &str, r: &crate::deploy::Rollout, stopped: &[String]) {
        self.rollouts.push(format!(
            "{id} {}/{} failed {}",
            r.running, r.desired, r.failed
        ));
        self.stopped.extend(stopped.iter().cloned());
    }
}

impl Ui for Recorder {
    fn say(&mut self, line: &str) {
        self.lines.push(line.to_owned());
    }
    fn confirm(&mut self, question: &str) -> bool {
        self.asked.push(question.to_owned());
        self.answer
    }
}

fn request<'a>(
    output: &'a Output,
    given: &'a [(String, String)],
    allow: &'a [String],
) -> Request<'a> {
    Request {
        output,
        target: Target::Root,
        given,
        allow,
        review: false,
        drift: true,
        continue_rollback: false,
    }
}

#[test]
fn a_database_replacing_edit_is_blocked_without_a_terminal_and_nothing_executes() {
    let before = output(&|t| t);
    let after = output(&renamed_database);
    let mut cloud = account(&before);
    replacing_change_set(&mut cloud);
    let mut ui = Recorder::default();
    let outcome = deploy(&cloud, &request(&after, &[], &[]), &mut ui).unwrap();
    let Outcome::Blocked { hazards } = outcome else {
        panic!("not blocked: {outcome:?}")
    };
    let ids: Vec<String> = hazards.iter().map(Hazard::id).collect();
    assert_eq!(ids, RENAMED, "{hazards:?}");
    let h = &hazards[0];
    assert_eq!(
        (h.stack.as_str(), h.logical_id.as_str()),
        ("database", "Database")
    );
    assert_eq!(h.kind, "AWS::RDS::DBInstance");
    assert!(h.forcing.iter().any(|f| f.starts_with("DBName")), "{h:?}");
    assert_eq!(h.source, "byoa and aws");
    // Traced back to the spec: the field that was edited.
    assert!(h.spec.contains(&"database.name".to_owned()), "{h:?}");
    assert_eq!(ui.asked.len(), 1);
    assert!(
        !cloud
            .calls
            .borrow()
            .iter()
            .any(|c| c.starts_with("ExecuteChangeSet"))
    );
    // The change set shows the nested row under its module, with what happens to the data.
    let shown = ui.lines.join("\n");
    assert!(shown.contains("  database\n    ~ Database"), "{shown}");
    assert!(shown.contains("replace (DBName)"), "{shown}");
    assert!(
        shown.contains("from byoa.yaml: database.identifier, database.name, product.name"),
        "{shown}"
    );
    assert!(
        shown.contains("data: replaced: the new resource starts empty"),
        "{shown}"
    );
}

#[test]
fn an_allowed_replacement_executes_and_follows_nested_events() {
    let before = output(&|t| t);
    let after = output(&renamed_database);
    let mut cloud = account(&before);
    replacing_change_set(&mut cloud);
    let nested = format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{ROOT}-Database-X/1");
    let mut root_event = event(
        ROOT,
        "Database",
        "AWS::CloudFormation::Stack",
        "UPDATE_IN_PROGRESS",
        1,
        None,
    );
    root_event.physical_id = Some(nested.clone());
    cloud.execution.insert(
        ROOT.into(),
        vec![
            event(
                ROOT,
                ROOT,
                "AWS::CloudFormation::Stack",
                "UPDATE_IN_PROGRESS",
                0,
                Some("User Initiated"),
            ),
            root_event,
            event(
                ROOT,
                ROOT,
                "AWS::CloudFormation::Stack",
                "UPDATE_COMPLETE",
                9,
                None,
            ),
        ],
    );
    cloud.execution.insert(
        nested.clone(),
        vec![
            event(
                "db-nested",
                "Database",
                "AWS::RDS::DBInstance",
                "UPDATE_IN_PROGRESS",
                2,
                None,
            ),
            event(
                "db-nested",
                "Database",
                "AWS::RDS::DBInstance",
                "UPDATE_COMPLETE",
                8,
                None,
            ),
            event(
                "db-nested",
                "DatabaseParameterGroup",
                "AWS::RDS::DBParameterGroup",
                "UPDATE_COMPLETE",
                8,
                None,
            ),
        ],
    );
    // CloudFormation takes a while before the first event: the follower waits, it does not
    // take a quiet stack for a settled one.
    cloud.quiet_polls.set(3);
    let allow = RENAMED.map(str::to_owned);
    let mut ui = Recorder::default();
    let outcome = deploy(&cloud, &request(&after, &[], &allow), &mut ui).unwrap();
    let Outcome::Deployed(settled) = outcome else {
        panic!("not deployed: {outcome:?}")
    };
    assert_eq!(settled.status, "UPDATE_COMPLETE");
    // Two resources of the nested stack settled; the stacks' own events do not count.
    assert_eq!(settled.done, 2);
    assert!(ui.asked.is_empty(), "an allowed replacement asks nothing");
    assert!(
        ui.events
            .contains(&"db-nested Database UPDATE_COMPLETE".to_owned()),
        "{:?}",
        ui.events
    );
    assert!(ui.lines.join("\n").contains("(allowed by --allow-replace)"));
    // The nested templates went to the bucket under one content-addressed prefix, and the
    // root was told where.
    let puts = cloud.puts.borrow();
    assert!(
        puts.iter().any(
            |p| p.starts_with(&format!("{BUCKET}/templates/")) && p.ends_with("/database.yaml")
        )
    );
    let req = &cloud.requests.borrow()[0];
    let base = req
        .parameters
        .iter()
        .find(|p| p.key == "ArtifactBaseUrl")
        .unwrap();
    let base = base.value.as_deref().unwrap();
    assert!(
        puts.iter()
            .any(|p| base.ends_with(p.trim_start_matches(BUCKET).rsplit_once('/').unwrap().0)),
        "{base} {puts:?}"
    );
    // An update keeps parameters it is not given.
    let azs = req
        .parameters
        .iter()
        .find(|p| p.key == "AvailabilityZones")
        .unwrap();
    assert_eq!(azs.value, None);
    assert_eq!(req.kind, crate::deploy::ChangeSetKind::Update);
    // CloudFormation acts with the access stack's execution role, never the deployer's rights
    // (no outputs yet: the ARN is built from the role's name and the access stack's account).
    assert_eq!(
        req.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/acme-api-dev-access-ExecutionRole-ABC")
    );
}

#[test]
fn a_person_on_a_terminal_may_confirm_instead() {
    let before = output(&|t| t);
    let after = output(&renamed_database);
    let mut cloud = account(&before);
    replacing_change_set(&mut cloud);
    cloud.execution.insert(
        ROOT.into(),
        vec![event(
            ROOT,
            ROOT,
            "AWS::CloudFormation::Stack",
            "UPDATE_COMPLETE",
            9,
            None,
        )],
    );
    let mut ui = Recorder {
        answer: true,
        ..Default::default()
    };
    let outcome = deploy(&cloud, &request(&after, &[], &[]), &mut ui).unwrap();
    assert!(matches!(outcome, Outcome::Deployed(_)), "{outcome:?}");
    assert!(
        ui.asked[0].contains("3 resource(s) above lose data"),
        "{:?}",
        ui.asked
    );
}

#[test]
fn review_leaves_the_change_set_unexecuted() {
    let before = output(&|t| t);
    let after = output(&|t| {
        t.replace(
            "instance_class: db.t4g.medium",
            "instance_class: db.t4g.large",
        )
    });
    let mut cloud = account(&before);
    replacing_change_set(&mut cloud);
    // AWS: an instance class change modifies in place.
    cloud.nested.get_mut("arn:cs/database").unwrap().changes[0].replacement = Some("False".into());
    cloud.nested.get_mut("arn:cs/database").unwrap().changes[0]
        .recreating
        .clear();
    let mut req = request(&after, &[], &[]);
    req.review = true;
    let mut ui = Recorder::default();
    let outcome = deploy(&cloud, &req, &mut ui).unwrap();
    assert!(matches!(outcome, Outcome::Review { .. }), "{outcome:?}");
    assert!(ui.asked.is_empty());
    assert!(
        !cloud
            .calls
            .borrow()
            .iter()
            .any(|c| c.starts_with("ExecuteChangeSet"))
    );
}

#[test]
fn both_ways_aws_says_nothing_changes_are_no_changes() {
    let before = output(&|t| t);
    // CreateChangeSet refused with "No updates are to be performed."
    let mut cloud = account(&before);
    cloud.create_error = Some(CloudError {
        operation: "CreateChangeSet",
        target: ROOT.into(),
        code: Some("ValidationError".into()),
        message: "No updates are to be performed.".into(),
    });
    let outcome = deploy(
        &cloud,
        &request(&before, &[], &[]),
        &mut Recorder::default(),
    )
    .unwrap();
    assert!(matches!(outcome, Outcome::NoChanges), "{outcome:?}");
    // A FAILED change set with AWS's reason: deleted, no changes.
    let mut cloud = account(&before);
    cloud.answer = ChangeSet {
        id: "arn:cs/empty".into(),
        status: "FAILED".into(),
        reason: Some("The submitted information didn't contain changes. Submit different information to create a change set.".into()),
        ..Default::default()
    };
    let outcome = deploy(
        &cloud,
        &request(&before, &[], &[]),
        &mut Recorder::default(),
    )
    .unwrap();
    assert!(matches!(outcome, Outcome::NoChanges), "{outcome:?}");
    assert!(
        cloud
            .calls
            .borrow()
            .contains(&"DeleteChangeSet arn:cs/empty".to_owned())
    );
}

#[test]
fn the_execution_role_comes_from_the_access_stack_output_when_there_is_one() {
    let before = output(&|t| t);
    let mut cloud = account(&before);
    cloud.stacks.borrow_mut().get_mut(ACCESS).unwrap().outputs = vec![(
        "ExecutionRoleArn".into(),
        "arn:aws:iam::123456789012:role/byoa/exec".into(),
    )];
    cloud.answer = ready(Vec::new());
    let mut req = request(&before, &[], &[]);
    req.review = true;
    deploy(&cloud, &req, &mut Recorder::default()).unwrap();
    let sent = cloud.requests.borrow();
    assert_eq!(
        sent[0].role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/byoa/exec")
    );
}

#[test]
fn the_root_needs_the_access_stack_first() {
    let before = output(&|t| t);
    let cloud = account(&before);
    cloud.stacks.borrow_mut().remove(ACCESS);
    let err = refused(&cloud, &before);
    assert!(err[0].message.contains(ACCESS));
}

/// A root deploy refused for the access stack's sake.
fn refused(cloud: &Scripted, out: &Output) -> Vec<Diagnostic> {
    let err = deploy(cloud, &request(out, &[], &[]), &mut Recorder::default()).unwrap_err();
    assert_eq!(err[0].code, Code::DeployAccessStack);
    err
}

#[test]
fn the_root_needs_an_access_stack_launched_from_this_access_template() {
    let before = output(&|t| t);
    let mut cloud = account(&before);
    // An access stack launched before the audit trail moved into it.
    let older: String = body(&before, "access")
        .replace("\n  Trail:\n", "\n  Before:\n")
        .replace("\n  TrailKey:\n", "\n  BeforeKey:\n");
    cloud.templates.insert(ACCESS.into(), older);
    let err = refused(&cloud, &before);
    assert!(
        err[0].message.contains("no `TrailKey`, `Trail`"),
        "{}",
        err[0].message
    );
    assert!(cloud.requests.borrow().is_empty(), "a change set was made");
    // The compliance hook is created only when the customer switches it on: never missing.
    let enforced = output(&|t| {
        t.replacen(
            "\ncompliance:\n",
            "\ncompliance:\n  enforce_in_account: true\n",
            1,
        )
    });
    let launched = body(&enforced, "access");
    assert!(launched.contains("\n  GuardHook:\n"));
    let without_hook = launched.replace("\n  GuardHook:\n", "\n  Switched:\n");
    assert!(not_launched(&enforced, &without_hook).is_empty());
}

#[test]
fn drift_is_shown_before_an_update_and_never_stops_it() {
    let before = output(&|t| t);
    let after = output(&renamed_database);
    let mut cloud = account(&before);
    replacing_change_set(&mut cloud);
    // An endpoint without drift detection (moto): said, and the deploy goes on.
    let mut req = request(&after, &[], &[]);
    req.review = true;
    let allow = RENAMED.map(str::to_owned);
    req.allow = &allow;
    let mut ui = Recorder::default();
    assert!(matches!(
        deploy(&cloud, &req, &mut ui).unwrap(),
        Outcome::Review { .. }
    ));
    assert!(
        ui.lines
            .iter()
            .any(|l| l.starts_with("drift: not detected (DetectStackDrift")),
        "{:?}",
        ui.lines
    );
    // Drifted: the nested database stack's instance lost its backups outside CloudFormation.
    let nested = format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{ROOT}-Database-X/1");
    cloud.drift = Some(crate::deploy::DriftDetection {
        status: "DETECTION_COMPLETE".into(),
        drift: Some("DRIFTED".into()),
        reason: None,
    });
    cloud.drifted.insert(
        nested,
        vec![crate::deploy::ResourceDrift {
            logical_id: "Database".into(),
            kind: "AWS::RDS::DBInstance".into(),
            status: "MODIFIED".into(),
            differences: vec!["BackupRetentionPeriod: 7 -> 0".into()],
        }],
    );
    let mut ui = Recorder::default();
    assert!(matches!(
        deploy(&cloud, &req, &mut ui).unwrap(),
        Outcome::Review { .. }
    ));
    let shown = ui.lines.join("\n");
    assert!(
        shown.contains("drift: 1 resource(s) changed outside CloudFormation"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "  database/Database (AWS::RDS::DBInstance) MODIFIED\n    BackupRetentionPeriod: 7 -> 0"
        ),
        "{shown}"
    );
    // Skipped when asked.
    req.drift = false;
    let mut ui = Recorder::default();
    deploy(&cloud, &req, &mut ui).unwrap();
    assert!(!ui.lines.iter().any(|l| l.starts_with("drift:")));
}

mod recovery;
