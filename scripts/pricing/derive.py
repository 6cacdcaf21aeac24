#!/usr/bin/env python3
"""Refill pricing/aws.json from AWS's public price list files (see README.md beside this file).

Usage:
  derive.py --download DIR            fetch the offer files byoa needs into DIR
  derive.py --from DIR --date DATE    print the refreshed table (keys and sources kept)

Untested here: the machine the table was first written on had no network. Each entry's
selector below mirrors its `source` text; check a changed figure against the AWS pricing page.
"""
import argparse
import json
import pathlib
import sys
import urllib.request

BASE = "https://pricing.us-east-1.amazonaws.com"
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-southeast-1", "ap-southeast-2", "ap-northeast-1"]
TABLE = pathlib.Path(__file__).resolve().parents[2] / "pricing" / "aws.json"

# key prefix -> (offer, attribute filter); `{class}`, `{az}` come from the key.
SELECTORS = {
    "fargate.vcpu-hour.x86_64": ("AmazonECS", {"usagetype~": "Fargate-vCPU-Hours:perCPU", "cpuArchitecture?": "x86_64"}),
    "fargate.gb-hour.x86_64": ("AmazonECS", {"usagetype~": "Fargate-GB-Hours", "cpuArchitecture?": "x86_64"}),
    "fargate.vcpu-hour.arm64": ("AmazonECS", {"usagetype~": "Fargate-ARM-vCPU-Hours:perCPU"}),
    "fargate.gb-hour.arm64": ("AmazonECS", {"usagetype~": "Fargate-ARM-GB-Hours"}),
    # Every class entry (rds.postgres.db.r6g.large.multi-az, ...): the class comes from the key.
    "rds.postgres.": ("AmazonRDS", {"databaseEngine": "PostgreSQL", "instanceType": "{class}",
                                    "deploymentOption": "{az}", "licenseModel": "No license required"}),
    "rds.storage.gp3.": ("AmazonRDS", {"volumeType": "General Purpose-GP3", "deploymentOption": "{az}",
                                       "databaseEngine": "PostgreSQL"}),
    "rds.storage.io2.": ("AmazonRDS", {"volumeType": "Provisioned IOPS-IO2", "deploymentOption": "{az}",
                                       "databaseEngine": "PostgreSQL"}),
    "rds.backup-storage": ("AmazonRDS", {"productFamily": "Storage Snapshot", "usagetype~": "ChargedBackupUsage"}),
    "secretsmanager.secret-month": ("AWSSecretsManager", {"usagetype~": "AWSSecretsManager-Secrets"}),
    "nat.hour": ("AmazonEC2", {"usagetype~": "NatGateway-Hours"}),
    "nat.gb": ("AmazonEC2", {"usagetype~": "NatGateway-Bytes"}),
    "alb.hour": ("AWSELB", {"usagetype~": "LoadBalancerUsage", "productFamily": "Load Balancer-Application"}),
    "alb.lcu-hour": ("AWSELB", {"usagetype~": "LCUUsage", "productFamily": "Load Balancer-Application"}),
    "ipv4.hour": ("AmazonVPC", {"usagetype~": "PublicIPv4:InUseAddress"}),
    "kms.key-month": ("awskms", {"usagetype~": "KMS-Keys"}),
    "kms.10k-requests": ("awskms", {"usagetype~": "KMS-Requests"}),
    "cloudwatch.alarm-month": ("AmazonCloudWatch", {"usagetype~": "CW:AlarmMonitorUsage"}),
    "cloudwatch.dashboard-month": ("AmazonCloudWatch", {"usagetype~": "DashboardsUsageHour"}),
    "logs.ingest-gb": ("AmazonCloudWatch", {"usagetype~": "DataProcessing-Bytes"}),
    "logs.storage-gb-month": ("AmazonCloudWatch", {"usagetype~": "TimedStorage-ByteHrs"}),
    "s3.standard-gb-month": ("AmazonS3", {"usagetype~": "TimedStorage-ByteHrs", "volumeType": "Standard"}),
    "ecr.gb-month": ("AmazonECR", {"usagetype~": "TimedStorage-ByteHrs"}),
    "waf.web-acl-month": ("awswaf", {"usagetype~": "WebACLV2"}),
    "waf.rule-month": ("awswaf", {"usagetype~": "RuleV2"}),
    "waf.million-requests": ("awswaf", {"usagetype~": "RequestV2"}),
}


def fetch(url, dest):
    dest.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url) as r, open(dest, "wb") as f:
        while chunk := r.read(1 << 20):
            f.write(chunk)


def download(cache):
    offers = {o for o, _ in SELECTORS.values()}
    for offer in sorted(offers):
        for region in REGIONS:
            url = f"{BASE}/offers/v1.0/aws/{offer}/current/{region}/index.json"
            print(f"fetching {url}", file=sys.stderr)
            fetch(url, cache / offer / region / "index.json")


def matches(attrs, selector, key):
    """`attr`: equal; `attr~`: contains; `attr?`: equal when the attribute exists."""
    parts = key.split(".")
    az = "Multi-AZ" if parts[-1] == "multi-az" else "Single-AZ"
    for name, want in selector.items():
        want = want.replace("{class}", ".".join(parts[2:-1])).replace("{az}", az)
        have = attrs.get(name.rstrip("?~"))
        if name.endswith("~"):
            if have is None or want not in have:
                return False
        elif name.endswith("?"):
            if have is not None and have != want:
                return False
        elif have != want:
            return False
    return True


def first_price(offer_file, selector, key):
    data = json.loads(offer_file.read_text())
    for sku, product in data["products"].items():
        if not matches(product.get("attributes", {}), selector, key):
            continue
        for term in data["terms"].get("OnDemand", {}).get(sku, {}).values():
            for dim in term["priceDimensions"].values():
                usd = float(dim["pricePerUnit"]["USD"])
                if usd > 0 or dim.get("beginRange") == "0":
                    return usd, sku
    return None


def derive(cache, date):
    table = json.loads(TABLE.read_text())
    table["date"] = date
    for key, entry in table["prices"].items():
        sel = next((v for k, v in SELECTORS.items() if key.startswith(k)), None)
        if sel is None:
            # Kept as it is: Performance Insights (two per-vCPU-month rates), Cloud Map and the
            # hook have no selector; their figures are checked by hand against `source`.
            continue
        offer, selector = sel
        regions, evidence = {}, []
        for region in REGIONS:
            f = cache / offer / region / "index.json"
            found = first_price(f, selector, key) if f.exists() else None
            if found:
                regions[region] = found[0]
                evidence.append(f"{region}: {offer} sku {found[1]}")
        entry["regions"] = regions
        entry["evidence"] = f"AWS price list, {date}: " + "; ".join(evidence)
        entry["missing"] = "no SKU matched in the offer file for this region"
    return table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--download", type=pathlib.Path)
    ap.add_argument("--from", dest="source", type=pathlib.Path)
    ap.add_argument("--date")
    a = ap.parse_args()
    if a.download:
        download(a.download)
    elif a.source and a.date:
        json.dump(derive(a.source, a.date), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        ap.error("--download DIR, or --from DIR --date YYYY-MM-DD")


if __name__ == "__main__":
    main()
