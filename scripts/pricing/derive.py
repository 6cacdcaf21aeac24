#!/usr/bin/env python3
"""Refill pricing/aws.json from AWS's public price list files (see README.md beside this file).

Usage:
  derive.py --download DIR            fetch the offer files byoa needs into DIR
  derive.py --from DIR --date DATE [--out FILE]
                                      the refreshed table (keys, units and sources kept)

Tested offline against the small offer files in tests/fixtures/pricing (tests/cli/pricing_derive.rs):
the selection rules below are what those fixtures pin down. Whether each selector still names
the SKU AWS publishes today only a networked refresh shows; the script stops, rather than
guesses, when a selector matches two SKUs with different prices or an offer uses a unit the
entry does not expect.
"""
import argparse
import json
import os
import pathlib
import re
import sys
import urllib.request
from decimal import Decimal

BASE = "https://pricing.us-east-1.amazonaws.com"
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-southeast-1", "ap-southeast-2", "ap-northeast-1"]
TABLE = pathlib.Path(__file__).resolve().parents[2] / "pricing" / "aws.json"

# The prefixes AWS puts before a usage type in a region's offer file. us-east-1 has none in
# some offers (AmazonEC2, AmazonS3) and USE1- in others; Ireland is EU- (EUW1- is accepted
# too); awskms prefixes the region's own name (us-east-1-KMS-Keys). Anything else (Global-,
# a Local Zone's USE1-BOS1-, a transfer pair USE1-EUW1-) is another product.
REGION_CODES = {
    "us-east-1": ["", "USE1"], "us-east-2": ["USE2"], "us-west-2": ["USW2"],
    "eu-west-1": ["EU", "EUW1"], "eu-central-1": ["EUC1"], "ap-southeast-1": ["APS1"],
    "ap-southeast-2": ["APS2"], "ap-northeast-1": ["APN1"],
}

# The offer's unit for each of the table's units, and how many offer units one table unit is
# (the table prices KMS per 10,000 requests, the offer per request). An offer unit not listed
# stops the script: a silently wrong scale is worse than no refresh.
UNITS = {
    "vCPU-hour": ({"hours", "Hrs", "vCPU-Hours"}, 1),
    "GB-hour": ({"hours", "Hrs", "GB-Hours"}, 1),
    "instance-hour": ({"Hrs"}, 1),
    "GB-month": ({"GB-Mo"}, 1),
    "GB-month stored": ({"GB-Mo"}, 1),
    "secret-month": ({"Secrets", "Secret-Mo"}, 1),
    "gateway-hour": ({"Hrs"}, 1),
    "load-balancer-hour": ({"Hrs"}, 1),
    "address-hour": ({"Hrs"}, 1),
    "LCU-hour": ({"LCU-Hrs"}, 1),
    "GB processed": ({"GB"}, 1),
    "GB ingested": ({"GB"}, 1),
    "key-month": ({"Keys"}, 1),
    "10,000 requests": ({"Requests"}, 10_000),
    "million requests": ({"Requests"}, 1_000_000),
    "alarm metric-month": ({"Alarms"}, 1),
    "dashboard-month": ({"Dashboards"}, 1),
    "web ACL-month": ({"WebACL", "Web ACL-Mo"}, 1),
    "rule-month": ({"Rule", "Rules"}, 1),
}

# Entry key (or key prefix ending in ".") -> (offer, attributes to match, paid).
# `usagetype` is compared after the region's prefix (REGION_CODES), every other attribute
# exactly; `{class}` and `{az}` come from the key (rds.postgres.db.r6g.large.multi-az).
# paid=True: the entry is the rate paid beyond a free allowance (the first 10 alarms, the
# first 5 GB of logs, KMS's free requests), so a zero-priced free-tier row is skipped and the
# first priced tier taken. Everywhere else the tier starting at 0 is the figure, zero or not.
SELECTORS = {
    "fargate.vcpu-hour.x86_64": ("AmazonECS", {"usagetype": "Fargate-vCPU-Hours:perCPU"}, False),
    "fargate.gb-hour.x86_64": ("AmazonECS", {"usagetype": "Fargate-GB-Hours"}, False),
    "fargate.vcpu-hour.arm64": ("AmazonECS", {"usagetype": "Fargate-ARM-vCPU-Hours:perCPU"}, False),
    "fargate.gb-hour.arm64": ("AmazonECS", {"usagetype": "Fargate-ARM-GB-Hours"}, False),
    "rds.postgres.": ("AmazonRDS", {"productFamily": "Database Instance", "databaseEngine": "PostgreSQL",
                                    "instanceType": "{class}", "deploymentOption": "{az}",
                                    "licenseModel": "No license required"}, False),
    "rds.storage.gp3.": ("AmazonRDS", {"productFamily": "Database Storage", "volumeType": "General Purpose-GP3",
                                       "deploymentOption": "{az}", "databaseEngine": "PostgreSQL"}, False),
    "rds.storage.io2.": ("AmazonRDS", {"productFamily": "Database Storage", "volumeType": "Provisioned IOPS-IO2",
                                       "deploymentOption": "{az}", "databaseEngine": "PostgreSQL"}, False),
    "rds.backup-storage": ("AmazonRDS", {"productFamily": "Storage Snapshot",
                                         "usagetype": "RDS:ChargedBackupUsage"}, False),
    "secretsmanager.secret-month": ("AWSSecretsManager", {"usagetype": "AWSSecretsManager-Secrets"}, False),
    "nat.hour": ("AmazonEC2", {"productFamily": "NAT Gateway", "usagetype": "NatGateway-Hours"}, False),
    "nat.gb": ("AmazonEC2", {"productFamily": "NAT Gateway", "usagetype": "NatGateway-Bytes"}, False),
    "alb.hour": ("AWSELB", {"productFamily": "Load Balancer-Application", "usagetype": "LoadBalancerUsage"}, False),
    "alb.lcu-hour": ("AWSELB", {"productFamily": "Load Balancer-Application", "usagetype": "LCUUsage"}, False),
    "ipv4.hour": ("AmazonVPC", {"usagetype": "PublicIPv4:InUseAddress"}, False),
    "kms.key-month": ("awskms", {"usagetype": "KMS-Keys"}, False),
    "kms.10k-requests": ("awskms", {"usagetype": "KMS-Requests"}, True),
    "cloudwatch.alarm-month": ("AmazonCloudWatch", {"usagetype": "CW:AlarmMonitorUsage"}, True),
    "cloudwatch.dashboard-month": ("AmazonCloudWatch", {"usagetype": "DashboardsUsageHour"}, True),
    "logs.ingest-gb": ("AmazonCloudWatch", {"usagetype": "DataProcessing-Bytes"}, True),
    "logs.storage-gb-month": ("AmazonCloudWatch", {"usagetype": "TimedStorage-ByteHrs"}, True),
    "s3.standard-gb-month": ("AmazonS3", {"volumeType": "Standard", "usagetype": "TimedStorage-ByteHrs"}, False),
    "ecr.gb-month": ("AmazonECR", {"usagetype": "TimedStorage-ByteHrs"}, False),
    "waf.web-acl-month": ("awswaf", {"usagetype": "WebACLV2"}, False),
    "waf.rule-month": ("awswaf", {"usagetype": "RuleV2"}, False),
    "waf.million-requests": ("awswaf", {"usagetype": "RequestV2"}, False),
}

MISSING = "the AWS price list files this table was derived from have no on-demand SKU for it in this region"


class Refused(Exception):
    """A figure the script will not choose for the maintainer."""


def fetch(url, dest):
    dest.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url) as r, open(dest, "wb") as f:
        while chunk := r.read(1 << 20):
            f.write(chunk)


def download(cache):
    for offer in sorted({o for o, _, _ in SELECTORS.values()}):
        for region in REGIONS:
            url = f"{BASE}/offers/v1.0/aws/{offer}/current/{region}/index.json"
            print(f"fetching {url}", file=sys.stderr)
            fetch(url, cache / offer / region / "index.json")


def selector_for(key):
    for prefix, sel in SELECTORS.items():
        if key == prefix or (prefix.endswith(".") and key.startswith(prefix)):
            return sel
    return None


def wanted(selector, key):
    parts = key.split(".")
    az = "Multi-AZ" if parts[-1] == "multi-az" else "Single-AZ"
    cls = ".".join(parts[2:-1])
    return {name: v.replace("{class}", cls).replace("{az}", az) for name, v in selector.items()}


def matches(product, want, region):
    attrs = product.get("attributes", {})
    # A region's file also lists its Local Zones and Outposts; only the region itself counts.
    if attrs.get("regionCode", region) != region or attrs.get("locationType", "AWS Region") != "AWS Region":
        return False
    for name, value in want.items():
        have = product.get("productFamily") if name == "productFamily" else attrs.get(name)
        if name == "usagetype":
            if have not in {f"{c}-{value}" if c else value for c in REGION_CODES[region] + [region]}:
                return False
        elif have != value:
            return False
    return True


def tier_price(dims, paid):
    """The figure of one on-demand term: the tier that starts at 0 or, for a paid rate, the
    first tier with a price. None when there is no such tier."""
    ordered = sorted(dims, key=lambda d: Decimal(d.get("beginRange", "0")))
    for dim in ordered:
        usd = Decimal(dim["pricePerUnit"]["USD"])
        if paid and usd == 0:
            continue
        if not paid and Decimal(dim.get("beginRange", "0")) != 0:
            return None
        return usd, dim["unit"]
    return None


def price_in(offer_data, key, entry, selector, paid, region):
    """(USD per the table's unit, SKUs) for `key` in `region`, or None."""
    want = wanted(selector, key)
    units, factor = UNITS.get(entry["unit"], (None, None))
    if units is None:
        raise Refused(f"`{key}`: the table's unit `{entry['unit']}` has no offer unit in UNITS")
    found = {}
    on_demand = offer_data.get("terms", {}).get("OnDemand", {})
    for sku, product in offer_data["products"].items():
        if not matches(product, want, region):
            continue
        for term in on_demand.get(sku, {}).values():
            got = tier_price(term["priceDimensions"].values(), paid)
            if got is None:
                continue
            usd, unit = got
            if unit not in units:
                raise Refused(f"`{key}` in {region}: sku {sku} is priced per `{unit}`, "
                              f"the table per `{entry['unit']}` (expected one of {sorted(units)})")
            found.setdefault(usd * factor, set()).add(sku)
    if not found:
        return None
    if len(found) > 1:
        listed = "; ".join(f"{', '.join(sorted(s))}: {v.normalize():f}" for v, s in sorted(found.items()))
        raise Refused(f"`{key}` in {region}: SKUs with different prices match its selector ({listed}); "
                      "narrow the selector in derive.py")
    (usd, skus), = found.items()
    return usd, sorted(skus)


def load(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise Refused(f"{path}: not an offer file: {e}")


def derive(cache, date):
    table = json.loads(TABLE.read_text())
    table["date"] = date
    # Kept as they are, checked by hand against `source`: the entries without a selector
    # (Performance Insights' two per-vCPU-month rates, Fargate Spot (no list price), Fargate
    # ephemeral storage, io2 IOPS, interface endpoints, custom metrics, Cloud Map, the hook).
    plan = {k: sel for k in table["prices"] if (sel := selector_for(k))}
    found = {k: [] for k in plan}
    # One offer file in memory at a time: AmazonEC2's are gigabytes.
    for offer in sorted({o for o, _, _ in plan.values()}):
        for region in REGIONS:
            path = cache / offer / region / "index.json"
            if not path.exists():
                continue
            data = load(path)
            for key, (o, selector, paid) in plan.items():
                if o == offer and (got := price_in(data, key, table["prices"][key], selector, paid, region)):
                    found[key].append((region, got))
            del data
    for key, (offer, _, _) in plan.items():
        entry = table["prices"][key]
        hits = sorted(found[key], key=lambda h: REGIONS.index(h[0]))
        entry["regions"] = {region: float(usd) for region, (usd, _) in hits}
        evidence = "; ".join(f"{region}: sku {', '.join(skus)}" for region, (_, skus) in hits)
        entry["evidence"] = f"AWS price list ({offer} offer files), {date}: {evidence or 'none'}"
        entry["missing"] = MISSING
    return table


def write(table, out):
    """To stdout, or to `out` only once the whole table is derived (so `--out pricing/aws.json`
    never leaves the table half-written or empty, as a shell redirect onto it would)."""
    text = json.dumps(table, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--download", type=pathlib.Path)
    ap.add_argument("--from", dest="source", type=pathlib.Path)
    ap.add_argument("--date")
    ap.add_argument("--out", type=pathlib.Path, help="write the table here (default: stdout)")
    a = ap.parse_args()
    if a.download:
        download(a.download)
    elif a.source and a.date:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", a.date):
            ap.error(f"--date `{a.date}` is not YYYY-MM-DD")
        try:
            table = derive(a.source, a.date)
        except Refused as e:
            print(f"derive.py: refused: {e}", file=sys.stderr)
            sys.exit(1)
        write(table, a.out)
    else:
        ap.error("--download DIR, or --from DIR --date YYYY-MM-DD [--out FILE]")


if __name__ == "__main__":
    main()
