//! Unit tests of the diff core on small JSON templates: replacement prediction for each
//! stateful type, propagation, data loss, access changes, entries and the worst-of order.

use serde_json::{Value, json};

use super::*;

fn stack(name: &str, template: Value) -> Stack {
    Stack::new(name, format!("{name}.json"), template)
}

fn one(resources: Value) -> Value {
    json!({"Resources": resources})
}

/// Test inputs that live as long as the test (a diff borrows its templates).
fn keep(stacks: Vec<Stack>) -> &'static [Stack] {
    Box::leak(stacks.into_boxed_slice())
}

/// The diff of two single-stack templates.
fn run(old: Value, new: Value) -> StackDiff<'static> {
    let d = diff(keep(vec![stack("s", old)]), keep(vec![stack("s", new)]));
    d.stacks.into_iter().next().expect("one stack")
}

fn row<'a>(s: &'a StackDiff, id: &str) -> &'a ResourceDiff {
    s.resources
        .iter()
        .find(|r| r.logical_id == id)
        .unwrap_or_else(|| panic!("no row for {id}: {:#?}", s.resources))
}

/// One resource of `kind` whose property `key` goes from `a` to `b`.
fn change(kind: &str, key: &str, a: Value, b: Value) -> ResourceDiff {
    let t = |v: Value| one(json!({"R": {"Type": kind, "Properties": {key: v, "Keep": 1}}}));
    row(&run(t(a), t(b)), "R").clone()
}

#[test]
fn predicts_replacement_for_each_stateful_type() {
    use Impact::*;
    let cases = [
        ("AWS::RDS::DBInstance", "DBName", Replace),
        ("AWS::RDS::DBInstance", "MasterUsername", Replace),
        ("AWS::RDS::DBInstance", "DBInstanceClass", Update),
        ("AWS::RDS::DBInstance", "MultiAZ", MayReplace),
        ("AWS::RDS::DBCluster", "DatabaseName", Replace),
        ("AWS::RDS::DBCluster", "Engine", MayReplace),
        ("AWS::RDS::DBCluster", "BackupRetentionPeriod", Update),
        ("AWS::KMS::Key", "Description", Update),
        ("AWS::KMS::Key", "KeyUsage", Blocked),
        ("AWS::KMS::Key", "MultiRegion", Blocked),
        ("AWS::SecretsManager::Secret", "Name", Replace),
        ("AWS::SecretsManager::Secret", "Description", Update),
        ("AWS::Logs::LogGroup", "LogGroupName", Replace),
        ("AWS::Logs::LogGroup", "RetentionInDays", Update),
        ("AWS::ECR::Repository", "RepositoryName", Replace),
        ("AWS::ECR::Repository", "ImageScanningConfiguration", Update),
        ("AWS::S3::Bucket", "BucketName", Replace),
        ("AWS::S3::Bucket", "VersioningConfiguration", Update),
        ("AWS::EFS::FileSystem", "Encrypted", Replace),
        ("AWS::EFS::FileSystem", "ThroughputMode", Update),
        ("AWS::DynamoDB::Table", "TableName", Replace),
        ("AWS::DynamoDB::Table", "KeySchema", MayReplace),
        ("AWS::DynamoDB::Table", "BillingMode", Update),
    ];
    for (kind, key, impact) in cases {
        let r = change(kind, key, json!("a"), json!("b"));
        assert_eq!(r.impact, impact, "{kind} {key}: {r:#?}");
        let loses = matches!(impact, Replace | MayReplace);
        assert_eq!(r.data_loss.is_some(), loses, "{kind} {key}: {r:#?}");
        assert!(
            !r.properties.iter().any(|p| p.path == "Keep"),
            "unchanged Keep listed"
        );
    }
}

/// Declaring RDS's log groups needs a fixed instance identifier: giving one to a database
/// CloudFormation named replaces it, and the deploy guard must stop on that (issue 12).
#[test]
fn a_fixed_identifier_on_a_generated_database_replaces_it_with_data_loss() {
    let db = |props: Value| {
        one(json!({"Database": {"Type": "AWS::RDS::DBInstance", "Properties": props}}))
    };
    let s = run(
        db(json!({"DBInstanceClass": "db.t4g.micro"})),
        db(json!({"DBInstanceClass": "db.t4g.micro", "DBInstanceIdentifier": "acme-prod-db"})),
    );
    let r = row(&s, "Database");
    assert_eq!(r.impact, Impact::Replace, "{r:#?}");
    assert!(r.data_loss.is_some(), "{r:#?}");
    assert_eq!(r.properties[0].path, "DBInstanceIdentifier");
}

#[test]
fn a_conditional_property_keeps_its_verdict_and_gains_the_hand_kept_note() {
    let r = change("AWS::RDS::DBInstance", "MultiAZ", json!(false), json!(true));
    assert_eq!(r.properties[0].replacement, Replacement::Conditional);
    assert_eq!(
        r.properties[0].why.as_deref(),
        Some("usually in place for a standalone PostgreSQL instance")
    );
}

#[test]
fn changing_a_repository_encryption_key_replaces_the_repository() {
    let enc = |kind: &str, key: Value| json!({"EncryptionType": kind, "KmsKey": key});
    let r = change(
        "AWS::ECR::Repository",
        "EncryptionConfiguration",
        enc("KMS", json!("k1")),
        enc("KMS", json!("k2")),
    );
    assert_eq!(r.impact, Impact::Replace);
    assert_eq!(r.properties[0].path, "EncryptionConfiguration");
    assert!(r.data_loss.is_some(), "images are data");
}

#[test]
fn type_change_replaces_and_unknown_types_may_replace() {
    let s = run(
        one(
            json!({"R": {"Type": "AWS::SNS::Topic"}, "U": {"Type": "Custom::Thing", "Properties": {"A": 1}}}),
        ),
        one(
            json!({"R": {"Type": "AWS::SQS::Queue"}, "U": {"Type": "Custom::Thing", "Properties": {"A": 2}}}),
        ),
    );
    let r = row(&s, "R");
    assert_eq!(r.impact, Impact::Replace);
    assert_eq!(r.old_type.as_deref(), Some("AWS::SNS::Topic"));
    assert_eq!(r.properties[0].path, "Type");
    assert_eq!(row(&s, "U").impact, Impact::MayReplace);
}

#[test]
fn removal_destroys_or_orphans_and_flags_data_loss() {
    let old = one(json!({
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain"},
        "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Delete"},
        "Topic": {"Type": "AWS::SNS::Topic"},
    }));
    let s = run(old, one(json!({})));
    let db = row(&s, "Db");
    assert_eq!(db.impact, Impact::Destroy);
    assert_eq!(
        db.data_loss.as_deref(),
        Some("deleted (a final snapshot is kept)")
    );
    assert_eq!(row(&s, "Logs").impact, Impact::Orphan);
    assert_eq!(row(&s, "Logs").data_loss, None);
    assert_eq!(
        row(&s, "Bucket").data_loss.as_deref(),
        Some("deleted with its data")
    );
    assert_eq!(row(&s, "Topic").impact, Impact::Destroy);
    assert_eq!(row(&s, "Topic").data_loss, None, "a topic holds no data");
    assert_eq!(s.impact, Impact::Destroy);
}

#[test]
fn losing_a_retaining_deletion_policy_is_data_loss() {
    let t = |policy: Option<&str>, kind: &str| {
        let mut r = json!({"Type": kind, "Properties": {"A": 1}});
        if let Some(p) = policy {
            r["DeletionPolicy"] = json!(p);
        }
        one(json!({"R": r}))
    };
    let s = run(
        t(Some("Retain"), "AWS::Logs::LogGroup"),
        t(None, "AWS::Logs::LogGroup"),
    );
    let r = row(&s, "R");
    assert_eq!(r.impact, Impact::Update);
    assert_eq!(r.attributes, ["DeletionPolicy"]);
    assert!(
        r.data_loss.as_deref().is_some_and(|l| l.contains("Retain")),
        "{r:#?}"
    );
    // An RDS instance outside a cluster defaults to Snapshot: dropping an explicit Snapshot
    // keeps the data.
    let s = run(
        t(Some("Snapshot"), "AWS::RDS::DBInstance"),
        t(None, "AWS::RDS::DBInstance"),
    );
    assert_eq!(row(&s, "R").data_loss, None);
    // Not stateful: no data to lose.
    let s = run(
        t(Some("Retain"), "AWS::SNS::Topic"),
        t(None, "AWS::SNS::Topic"),
    );
    assert_eq!(row(&s, "R").data_loss, None);
}

/// A VPC whose CIDR changes, a subnet in it, an association of the subnet, a subnet group
/// naming the subnet (a mutable property), and a database in the group.
fn network(cidr: &str) -> Value {
    one(json!({
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}},
        "Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation",
                  "Properties": {"SubnetId": {"Fn::Sub": "${Subnet}"}, "RouteTableId": "rt"}},
        "Group": {"Type": "AWS::RDS::DBSubnetGroup",
                  "Properties": {"DBSubnetGroupDescription": "d", "SubnetIds": [{"Ref": "Subnet"}]}},
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBSubnetGroupName": {"Ref": "Group"}}},
        "Unrelated": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}},
    }))
}

#[test]
fn replacement_propagates_through_create_only_references_until_stable() {
    let s = run(network("10.0.0.0/16"), network("10.1.0.0/16"));
    assert_eq!(row(&s, "Vpc").impact, Impact::Replace);
    // Two hops: Vpc -> Subnet (VpcId) -> Assoc (SubnetId, through Fn::Sub).
    let subnet = row(&s, "Subnet");
    assert_eq!(subnet.impact, Impact::Replace);
    assert!(subnet.properties[0].propagated);
    assert_eq!(
        subnet.properties[0].why.as_deref(),
        Some("references `Vpc`, which is replaced")
    );
    assert_eq!(row(&s, "Assoc").impact, Impact::Replace);
    // SubnetIds is mutable: the group is updated in place, so the database stays.
    assert_eq!(row(&s, "Group").impact, Impact::Update);
    assert!(
        s.resources
            .iter()
            .all(|r| r.logical_id != "Db" && r.logical_id != "Unrelated")
    );
    // Rows keep template order.
    let ids: Vec<&str> = s.resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(ids, ["Vpc", "Subnet", "Assoc", "Group"]);
}

#[test]
fn annotate_names_the_spec_fields_of_changed_properties_but_not_of_propagated_ones() {
    let old = keep(vec![stack("s", network("10.0.0.0/16"))]);
    let new = keep(vec![stack("s", network("10.1.0.0/16"))]);
    let mut d = diff(old, new);
    let mut sources = crate::cfn::sources::Sources::default();
    sources.record("Vpc", "CidrBlock", ["network.cidr"]);
    // Recorded, but the subnet's VpcId only changes because the VPC is replaced.
    sources.record("Subnet", "VpcId", ["network.cidr"]);
    let map = SourceMap {
        stacks: [("s".to_owned(), sources)].into(),
    };
    annotate(&mut d, None, &map);
    let s = &d.stacks[0];
    assert_eq!(row(s, "Vpc").properties[0].spec, ["network.cidr"]);
    assert!(row(s, "Subnet").properties[0].propagated);
    assert!(row(s, "Subnet").properties[0].spec.is_empty());
    // A map of another stack annotates nothing.
    let mut d = diff(old, new);
    annotate(
        &mut d,
        None,
        &SourceMap {
            stacks: [("t".to_owned(), Default::default())].into(),
        },
    );
    assert!(row(&d.stacks[0], "Vpc").properties[0].spec.is_empty());
}

#[test]
fn annotate_names_why_added_and_removed_resources_exist_from_their_own_side() {
    let kind = |k: &str| json!({"Type": k, "Properties": {}});
    let old = keep(vec![stack(
        "s",
        one(json!({"Keep": kind("AWS::SNS::Topic"), "Flow": kind("AWS::Logs::LogGroup")})),
    )]);
    let new = keep(vec![stack(
        "s",
        one(json!({"Keep": kind("AWS::SNS::Topic"), "Replica": kind("AWS::RDS::DBInstance")})),
    )]);
    let map = |id: &str, field: &str| {
        let mut sources = crate::cfn::sources::Sources::default();
        sources.record_resource(id, [field]);
        SourceMap {
            stacks: [("s".to_owned(), sources)].into(),
        }
    };
    let (old_map, new_map) = (
        map("Flow", "network.flow_logs.enabled"),
        map("Replica", "database.read_replicas"),
    );
    let mut d = diff(old, new);
    annotate(&mut d, Some(&old_map), &new_map);
    assert_eq!(
        row(&d.stacks[0], "Replica").spec,
        ["database.read_replicas"]
    );
    assert_eq!(
        row(&d.stacks[0], "Flow").spec,
        ["network.flow_logs.enabled"]
    );
    // Without the old side's map, a removed resource's reason is unknown.
    let mut d = diff(old, new);
    annotate(&mut d, None, &new_map);
    assert!(row(&d.stacks[0], "Flow").spec.is_empty());
}

#[test]
fn may_replace_propagates_as_may_replace() {
    let t = |multi_az: bool| {
        one(json!({
            "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"MultiAZ": multi_az}},
            // DBName is create-only, but the database is only possibly replaced.
            "Other": {"Type": "AWS::RDS::DBInstance",
                      "Properties": {"DBName": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}},
        }))
    };
    let s = run(t(false), t(true));
    assert_eq!(row(&s, "Db").impact, Impact::MayReplace);
    let other = row(&s, "Other");
    assert_eq!(other.impact, Impact::MayReplace);
    assert_eq!(
        other.properties[0].why.as_deref(),
        Some("references `Db`, which may be replaced")
    );
}

#[test]
fn outputs_naming_a_replaced_resource_change_value() {
    let t = |name: &str| {
        json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": name}}},
               "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["B", "Arn"]}}, "Fixed": {"Value": "x"}}})
    };
    let s = run(t("a"), t("b"));
    assert_eq!(s.outputs.len(), 1, "{:#?}", s.outputs);
    assert_eq!(s.outputs[0].id, "Arn");
    assert_eq!(s.outputs[0].via, ["B"]);
}

#[test]
fn parameters_outputs_conditions_and_sections_are_listed() {
    let old = json!({
        "Description": "v1",
        "Parameters": {"P": {"Type": "String", "Default": "a"}, "Gone": {"Type": "String"}},
        "Conditions": {"C": {"Fn::Equals": ["a", "b"]}},
        "Resources": {},
    });
    let new = json!({
        "Description": "v2",
        "Parameters": {"P": {"Type": "String", "Default": "b"}, "New": {"Type": "Number"}},
        "Conditions": {"C": {"Fn::Equals": ["a", "c"]}},
        "Resources": {},
        "Outputs": {"O": {"Value": "x"}},
    });
    let s = run(old, new);
    let params: Vec<(&str, Change, &[String])> = s
        .parameters
        .iter()
        .map(|e| (e.id.as_str(), e.change, e.fields.as_slice()))
        .collect();
    assert_eq!(
        params,
        [
            ("P", Change::Modified, &["Default".to_owned()][..]),
            ("New", Change::Added, &[][..]),
            ("Gone", Change::Removed, &[][..]),
        ]
    );
    assert_eq!(s.conditions[0].change, Change::Modified);
    assert_eq!(s.outputs[0].change, Change::Added);
    assert_eq!(s.sections, ["Description"]);
    assert_eq!(s.status, StackStatus::Modified);
    assert_eq!(s.impact, Impact::Update);
}

fn role(actions: Value, principal: Value) -> Value {
    one(json!({"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}]},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}}],
    }}}))
}

#[test]
fn iam_broadening_is_flagged_and_narrowing_is_not() {
    let svc = json!({"Service": "ecs-tasks.amazonaws.com"});
    let s = run(
        role(json!(["s3:GetObject"]), svc.clone()),
        role(json!(["s3:GetObject", "s3:PutObject"]), svc.clone()),
    );
    assert_eq!(s.iam.len(), 1);
    assert!(s.iam[0].broadened);
    assert_eq!(s.iam[0].added, ["policy p: Allow s3:PutObject on *"]);
    let s = run(
        role(json!(["s3:GetObject", "s3:PutObject"]), svc.clone()),
        role(json!(["s3:GetObject"]), svc.clone()),
    );
    assert!(!s.iam[0].broadened, "{:#?}", s.iam);
    // A new principal in the trust policy broadens.
    let s = run(
        role(json!("s3:GetObject"), svc),
        role(json!("s3:GetObject"), json!({"AWS": "arn:aws:iam::1:root"})),
    );
    assert!(s.iam[0].broadened);
    assert!(
        s.iam[0].added[0].starts_with("trust: Allow sts:AssumeRole by "),
        "{:#?}",
        s.iam
    );
}

/// A managed policy allowing `ec2:ReplaceRoute` on `resource`, under `condition` when given.
fn route_policy(resource: Value, condition: Option<Value>) -> Value {
    let mut statement =
        json!({"Effect": "Allow", "Action": "ec2:ReplaceRoute", "Resource": resource});
    if let Some(c) = condition {
        statement["Condition"] = c;
    }
    one(
        json!({"Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "PolicyDocument": {"Statement": [statement]},
        }}}),
    )
}

#[test]
fn a_resource_or_condition_that_narrows_a_grant_does_not_broaden_it() {
    let sub = |s: &str| json!({"Fn::Sub": s});
    let account = sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:*");
    let tables = sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:route-table/*");
    let tagged = json!({"StringEquals": {"aws:ResourceTag/byoa:product": "acme"}});
    let broadened = |old: Value, new: Value| {
        let s = run(old, new);
        assert_eq!(s.iam.len(), 1, "{:#?}", s.iam);
        s.iam[0].broadened
    };
    // Account-wide -> route tables only, with a tag condition: narrower.
    assert!(!broadened(
        route_policy(account.clone(), None),
        route_policy(json!([tables.clone()]), Some(tagged.clone()))
    ));
    // `*` -> account-wide: narrower.
    assert!(!broadened(
        route_policy(json!("*"), None),
        route_policy(account.clone(), None)
    ));
    // The reverse of each broadens, and so does dropping or changing the condition.
    assert!(broadened(
        route_policy(tables.clone(), Some(tagged.clone())),
        route_policy(account.clone(), None)
    ));
    assert!(broadened(
        route_policy(account.clone(), None),
        route_policy(json!("*"), None)
    ));
    assert!(broadened(
        route_policy(tables.clone(), Some(tagged)),
        route_policy(tables.clone(), None)
    ));
    assert!(broadened(
        route_policy(
            tables.clone(),
            Some(json!({"StringEquals": {"aws:ResourceTag/x": "1"}}))
        ),
        route_policy(
            tables,
            Some(json!({"StringEquals": {"aws:ResourceTag/x": "2"}}))
        )
    ));
    // The same exact resource, now under a condition: narrower.
    let one = sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:route-table/rtb-1");
    assert!(!broadened(
        route_policy(one.clone(), None),
        route_policy(one, Some(json!({"Bool": {"aws:SecureTransport": "true"}})))
    ));
    // A pattern with a wildcard inside covers nothing by prefix.
    assert!(broadened(
        route_policy(sub("arn:aws:ec2:*:1:route-table/*"), None),
        route_policy(sub("arn:aws:ec2:us-east-1:1:route-table/rtb-1"), None)
    ));
}

#[test]
fn removing_a_deny_broadens() {
    let with = role(json!("s3:GetObject"), json!({"Service": "x"}));
    let mut without = with.clone();
    without["Resources"]["Role"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array_mut()
        .expect("statements")
        .pop();
    let s = run(with, without);
    assert!(s.iam[0].broadened);
    assert_eq!(s.iam[0].removed, ["policy p: Deny iam:* on *"]);
}

fn group(cidr: &str, port: u16) -> Value {
    one(
        json!({"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "d",
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": cidr}]}}}),
    )
}

#[test]
fn wider_ingress_opens_and_narrower_does_not() {
    let s = run(group("10.0.0.0/16", 443), group("0.0.0.0/0", 443));
    assert_eq!(s.ingress.len(), 1);
    assert!(s.ingress[0].broadened);
    assert_eq!(s.ingress[0].added, ["tcp 443 from 0.0.0.0/0"]);
    assert_eq!(s.ingress[0].removed, ["tcp 443 from 10.0.0.0/16"]);
    let s = run(group("0.0.0.0/0", 443), group("10.0.0.0/16", 443));
    assert!(!s.ingress[0].broadened);
    // Another port opens, even from the same source.
    let s = run(group("10.0.0.0/16", 443), group("10.0.0.0/16", 22));
    assert!(s.ingress[0].broadened);
}

#[test]
fn a_standalone_ingress_rule_opens() {
    let old = group("10.0.0.0/16", 443);
    let mut new = old.clone();
    new["Resources"]["Open"] = json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
        "GroupId": {"Ref": "Sg"}, "IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}});
    let s = run(old, new);
    assert_eq!(s.ingress[0].logical_id, "Open");
    assert!(s.ingress[0].broadened);
    assert_eq!(s.ingress[0].added, ["all traffic from 0.0.0.0/0 into Sg"]);
}

#[test]
fn worst_of_order_follows_cdk_with_blocked_last() {
    use Impact::*;
    let order = [
        NoChange, Update, Create, Orphan, MayReplace, Replace, Destroy, Blocked,
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn stacks_pair_by_name_and_report_added_and_removed() {
    let t = one(json!({"T": {"Type": "AWS::SNS::Topic"}}));
    let d = diff(
        keep(vec![stack("a", t.clone()), stack("gone", t.clone())]),
        keep(vec![stack("a", t.clone()), stack("new", t)]),
    );
    let status: Vec<(&str, StackStatus, Impact)> = d
        .stacks
        .iter()
        .map(|s| (s.stack.as_str(), s.status, s.impact))
        .collect();
    assert_eq!(
        status,
        [
            ("a", StackStatus::Unchanged, Impact::NoChange),
            ("gone", StackStatus::Removed, Impact::Destroy),
            ("new", StackStatus::Added, Impact::Create),
        ]
    );
    assert_eq!(d.impact(), Impact::Destroy);
}

#[test]
fn a_template_diffed_with_itself_is_empty() {
    for t in [
        network("10.0.0.0/16"),
        role(json!("s3:*"), json!("*")),
        group("0.0.0.0/0", 80),
    ] {
        let d = diff(keep(vec![stack("s", t.clone())]), keep(vec![stack("s", t)]));
        assert!(!d.has_changes(), "{d:#?}");
        assert_eq!(render::unified(&d.stacks[0]), "");
    }
}

#[test]
fn destructive_lines_name_stack_type_id_and_property() {
    let t = |name: &str| {
        one(json!({"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBName": name}}}))
    };
    let d = diff(
        keep(vec![stack("database", t("a"))]),
        keep(vec![stack("database", t("b"))]),
    );
    let mut out = Vec::new();
    render::text(&mut out, &d, false, false).expect("renders");
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(
        text.contains(
            "database: AWS::RDS::DBInstance Db will be replaced (DBName changed) [data loss]\n"
        ),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "plain text has no escapes");
    let mut out = Vec::new();
    render::text(&mut out, &d, true, false).expect("renders");
    let colored = String::from_utf8(out).expect("UTF-8");
    assert!(
        colored.contains("\u{1b}[1m\u{1b}[31mDestructive changes:"),
        "{colored:?}"
    );
}

/// A root that wires child `store`'s output into child `app`'s parameter, and passes `app` a
/// literal `Mode`.
fn nested(bucket_name: &str, mode: &str) -> Vec<Stack> {
    let root = json!({"Resources": {
        "Store": {"Type": "AWS::CloudFormation::Stack",
                  "Properties": {"TemplateURL": {"Fn::Sub": "${Base}/store.yaml"}}},
        "App": {"Type": "AWS::CloudFormation::Stack", "Properties": {
            "TemplateURL": {"Fn::Sub": "${Base}/app.yaml"},
            "Parameters": {"BucketArn": {"Fn::GetAtt": ["Store", "Outputs.BucketArn"]}, "Mode": mode}}},
    }});
    let store = json!({
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket_name}}},
        "Outputs": {"BucketArn": {"Value": {"Fn::GetAtt": ["Bucket", "Arn"]}}},
    });
    let app = json!({
        "Parameters": {"BucketArn": {"Type": "String"}, "Mode": {"Type": "String"}},
        "Resources": {
            // Name is create-only for a secret: a new bucket ARN replaces it.
            "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": {"Fn::Sub": "${BucketArn}-s"}}},
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7, "LogGroupClass": {"Ref": "Mode"}}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "unrelated"}},
        },
    });
    vec![
        stack("root", root),
        stack("store", store),
        stack("app", app),
    ]
}

#[test]
fn replacement_crosses_nested_stacks_through_parameters() {
    let d = diff(keep(nested("a", "STANDARD")), keep(nested("b", "STANDARD")));
    let app = d.stacks.iter().find(|s| s.stack == "app").expect("app");
    // The app template is unchanged, yet its secret is replaced: its name derives from the
    // bucket's ARN, which changes with the bucket.
    assert_eq!(app.status, StackStatus::Modified);
    let secret = row(app, "Secret");
    assert_eq!(secret.impact, Impact::Replace);
    assert_eq!(
        secret.properties[0].why.as_deref(),
        Some("parameter `BucketArn` changes, from `store` outputs")
    );
    assert_eq!(
        secret.data_loss.as_deref(),
        Some("replaced: the new resource starts empty")
    );
    assert!(
        app.resources.iter().all(|r| r.logical_id == "Secret"),
        "{:#?}",
        app.resources
    );
    let root = d.stacks.iter().find(|s| s.stack == "root").expect("root");
    assert_eq!(root.status, StackStatus::Unchanged);
}

#[test]
fn a_value_the_parent_passes_differently_reaches_the_child() {
    let d = diff(
        keep(nested("a", "STANDARD")),
        keep(nested("a", "INFREQUENT_ACCESS")),
    );
    let app = d.stacks.iter().find(|s| s.stack == "app").expect("app");
    let logs = row(app, "Logs");
    // LogGroupClass is mutable for log groups in these schemas: an update, not a replacement.
    assert_eq!(logs.properties[0].path, "LogGroupClass");
    assert_eq!(
        logs.properties[0].why.as_deref(),
        Some("parameter `Mode` changes, `root` passes another value")
    );
}

#[test]
fn text_calls_out_broadening_opened_ingress_and_blocked_updates() {
    let t = |actions: Value, cidr: &str, usage: &str| {
        let mut v = role(actions, json!({"Service": "x"}));
        let r = v["Resources"].as_object_mut().expect("resources");
        r.extend(
            group(cidr, 443)["Resources"]
                .as_object()
                .expect("group")
                .clone(),
        );
        r.insert(
            "Key".into(),
            json!({"Type": "AWS::KMS::Key", "Properties": {"KeyUsage": usage}}),
        );
        v
    };
    let d = diff(
        keep(vec![stack(
            "app",
            t(json!("s3:GetObject"), "10.0.0.0/16", "ENCRYPT_DECRYPT"),
        )]),
        keep(vec![stack(
            "app",
            t(
                json!(["s3:GetObject", "s3:PutObject"]),
                "0.0.0.0/0",
                "SIGN_VERIFY",
            ),
        )]),
    );
    let mut out = Vec::new();
    render::text(&mut out, &d, false, false).expect("renders");
    let text = String::from_utf8(out).expect("UTF-8");
    for line in [
        "  app: AWS::IAM::Role Role [broadens permissions]\n    + policy p: Allow s3:PutObject on *\n",
        "  app: AWS::EC2::SecurityGroup Sg [opens ingress]\n    + tcp 443 from 0.0.0.0/0\n    - tcp 443 from 10.0.0.0/16\n",
        "        KeyUsage (refused by AWS: a KMS key's usage is fixed when it is created; the update fails)\n",
        "  app: AWS::KMS::Key Key cannot be updated (KeyUsage changed: ",
        "worst blocked: app (blocked)\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}
