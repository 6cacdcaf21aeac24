//! `byoa deploy` of the network fixture's root stacks against moto: into the customer's own VPC
//! (`network.existing`: the test makes the VPC and subnets first, as the customer's admin
//! would, passes their ids as the root's launch parameters, and checks that the stacks come up
//! in that VPC and that byoa made no VPC or subnet of its own), and into byoa's VPC without NAT
//! (the endpoints are there, no NAT gateway is).

use crate::deploy::{ACCESS, deploy, fresh_account, moto_http, text};
use crate::deploy_root::certificate;

/// One EC2 query call to moto as `account`; the response's XML.
fn ec2(account: &str, query: &str) -> String {
    let auth = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, \
                SignedHeaders=host, Signature=unsigned";
    let headers = [
        ("Authorization", auth),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    moto_http(
        account,
        "POST",
        "/",
        &headers,
        &format!("{query}&Version=2016-11-15"),
    )
}

/// Every value of `<tag>` in `xml`, in order.
fn values(xml: &str, tag: &str) -> Vec<String> {
    xml.split(&format!("<{tag}>"))
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_owned)
        .collect()
}

/// The customer's VPC with two subnets per tier (public, private, database), in two zones:
/// (VPC id, [public, private, database] subnet ids joined by commas).
fn customer_vpc(account: &str) -> (String, [String; 3]) {
    let vpc = values(
        &ec2(account, "Action=CreateVpc&CidrBlock=10.42.0.0%2F16"),
        "vpcId",
    );
    let vpc = vpc.first().expect("a VPC").clone();
    let mut tiers: [String; 3] = Default::default();
    for (t, tier) in tiers.iter_mut().enumerate() {
        let ids: Vec<String> = ["a", "b"]
            .iter()
            .enumerate()
            .map(|(z, zone)| {
                let query = format!(
                    "Action=CreateSubnet&VpcId={vpc}&CidrBlock=10.42.{}.0%2F24&AvailabilityZone=us-east-1{zone}",
                    t * 2 + z
                );
                values(&ec2(account, &query), "subnetId")
                    .first()
                    .expect("a subnet")
                    .clone()
            })
            .collect();
        *tier = ids.join(",");
    }
    (vpc, tiers)
}

/// The network fixture with its environment `env` as `dev` (the deploy helper's), and without
/// service discovery (moto 5.2.5 has no Cloud Map namespace in CloudFormation).
fn spec(dir: &std::path::Path, env: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(crate::root().join("tests/fixtures/network/byoa.yaml"))
        .expect("the network fixture");
    let overlay = format!("  {env}:\n");
    assert!(text.contains(&overlay), "the fixture's environments moved");
    assert!(
        text.contains("    discovery: true\n"),
        "the fixture's services moved"
    );
    let text = text
        .replace(&overlay, "  dev:\n")
        .replace("    discovery: true\n", "");
    let path = dir.join("byoa.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_root_deploys_into_the_customers_vpc_and_creates_no_vpc_of_its_own() {
    let account = &fresh_account();
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path(), "customer-vpc");
    let out = tmp.path().join("out");
    let (code, stdout, err) = text(&deploy(account, &spec, &out, &ACCESS));
    assert_eq!(code, 0, "{stdout}\n{err}");
    let (vpc, [public, private, database]) = customer_vpc(account);
    let vpcs_before = values(&ec2(account, "Action=DescribeVpcs"), "vpcId");
    let subnets_before = values(&ec2(account, "Action=DescribeSubnets"), "subnetId").len();
    let params = [
        format!("ExistingVpcId={vpc}"),
        format!("ExistingPublicSubnetIds={public}"),
        format!("ExistingPrivateSubnetIds={private}"),
        format!("ExistingIsolatedSubnetIds={database}"),
        format!("CertificateArn={}", certificate(account)),
    ];
    let mut args: Vec<&str> = Vec::new();
    for p in &params {
        args.extend(["--parameter", p.as_str()]);
    }
    let (code, stdout, err) = text(&deploy(account, &spec, &out, &args));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("deployed: CREATE_COMPLETE"), "{stdout}");
    // No VPC or subnet of byoa's: the account has what the customer made, no more.
    assert_eq!(
        values(&ec2(account, "Action=DescribeVpcs"), "vpcId"),
        vpcs_before
    );
    assert_eq!(
        values(&ec2(account, "Action=DescribeSubnets"), "subnetId").len(),
        subnets_before
    );
    // The product's security groups are in the customer's VPC.
    let groups = ec2(
        account,
        "Action=DescribeSecurityGroups&Filter.1.Name=tag:byoa:product&Filter.1.Value.1=netfix",
    );
    let in_vpc = values(&groups, "vpcId");
    assert!(in_vpc.len() >= 3, "{groups}");
    assert!(in_vpc.iter().all(|v| *v == vpc), "{in_vpc:?} not all {vpc}");
}

#[test]
fn without_nat_the_root_deploys_with_its_vpc_endpoints_and_no_nat_gateway() {
    let account = &fresh_account();
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path(), "endpoints");
    let out = tmp.path().join("out");
    let (code, stdout, err) = text(&deploy(account, &spec, &out, &ACCESS));
    assert_eq!(code, 0, "{stdout}\n{err}");
    let cert = format!("CertificateArn={}", certificate(account));
    let zones = "AvailabilityZones=us-east-1a,us-east-1b,us-east-1c";
    let args = ["--parameter", zones, "--parameter", &cert];
    let (code, stdout, err) = text(&deploy(account, &spec, &out, &args));
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("deployed: CREATE_COMPLETE"), "{stdout}");
    let endpoints = ec2(account, "Action=DescribeVpcEndpoints");
    let mut services = values(&endpoints, "serviceName");
    services.sort();
    let expected: Vec<String> = ["ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager", "sts"]
        .iter()
        .map(|s| format!("com.amazonaws.us-east-1.{s}"))
        .collect();
    assert_eq!(services, expected, "{endpoints}");
    let nat = ec2(account, "Action=DescribeNatGateways");
    assert!(values(&nat, "natGatewayId").is_empty(), "{nat}");
}
