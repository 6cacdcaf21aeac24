"""Writes data/aws-values.json: the AWS values `byoa validate` checks a spec against.

Input: cfn-lint's bundled data (MIT-0), read offline from the installed package:
  cfnlint/data/schemas/extensions/aws_rds_dbinstance/engine_version.json
      engine versions RDS knows, per engine
  cfnlint/data/schemas/extensions/aws_rds_dbinstance/engine_version_deprecated.json
      versions that can no longer be created
  cfnlint/data/schemas/extensions/aws_rds_dbinstance/db_instance_class.json
      instance classes per engine version (`16.15`, `11.22-rds`)
  cfnlint/data/schemas/extensions/aws_rds_dbinstance/dbinstanceclass_enum.json
      instance classes per region (engine `postgres`, no license model)
  cfnlint/data/schemas/extensions/aws_ecs_taskdefinition/fargate_cpu_memory.json
      Fargate cpu -> memory
  cfnlint/data/schemas/providers/us-east-1.json + resources/<hash>.json
      property limits of the resource provider schemas (lengths, item counts, ranges)
  cfnlint/data/schemas/version.json   schema_date (when cfn-lint fetched the schemas)
and, for the Application Load Balancer's predefined security policies, the pinned moto's
emulated list (moto/elbv2/ssl_policies.py, Apache-2.0), joined with the names AWS documents
that moto lacks (`DOCUMENTED_SSL_POLICIES` below, a hand list: cfn-lint has no such data).
Output: deterministic JSON (sorted keys and lists). Instance class sets are bit masks over one
sorted list of every class (`classes`): mask bit i (lowest bit of the last hex digit first)
says whether `classes[i]` is in the set; 55 sets of 345 classes would otherwise be 100 KB.
Written to data/aws-values.json, or to FILE with `--out FILE` (the drift test compares them).
"""

import json
import pathlib
import re
import sys

import cfnlint
import cfnlint.version

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The ALB security policy names in AWS's table "Security policies for your Application Load
# Balancer" (docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html,
# read 2026-11) that the pinned moto does not emulate: the FIPS, RFC 9151 and older forward
# secrecy policies. ELBSecurityPolicy-2015-05 is in the Network Load Balancer table only.
DOCUMENTED_SSL_POLICIES = [
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP1-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP2-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP3-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP4-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07",
]
SCHEMAS = pathlib.Path(cfnlint.__file__).parent / "data" / "schemas"
RDS = SCHEMAS / "extensions" / "aws_rds_dbinstance"
ECS = SCHEMAS / "extensions" / "aws_ecs_taskdefinition"
ENGINE = "postgres"


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def version_key(v):
    """`9.6.24` < `16.2` < `16.15` < `16.15-rds.20250101`: numeric parts, then the rest."""
    head, _, tail = v.partition("-")
    return ([int(p) for p in head.split(".")], tail)


def engine_versions():
    """Every version RDS knows for the engine, and the subset that can no longer be created."""
    known, deprecated = set(), set()
    for block in load(RDS / "engine_version.json")["allOf"]:
        cond = block["if"]["properties"]
        if cond.get("Engine", {}).get("const") == ENGINE and "EngineVersion" in cond:
            known.update(block["then"]["properties"]["EngineVersion"]["enum"])
    for block in load(RDS / "engine_version_deprecated.json")["allOf"]:
        cond = block["if"]["properties"]
        if cond.get("Engine", {}).get("const") == ENGINE:
            deprecated.update(cond["EngineVersion"]["enum"])
    return known, deprecated


def classes_by_version():
    """`16.15` -> classes, from patterns such as `^(16\\.15\\..+|16\\.15)$`."""
    out = {}
    for block in load(RDS / "db_instance_class.json")["allOf"]:
        cond = block["if"]["properties"]
        if cond.get("Engine", {}).get("const") != ENGINE:
            continue
        m = re.fullmatch(r"\^\((.+)\\\.\.\+\|(.+)\)\$", cond["EngineVersion"]["pattern"])
        if not m or m.group(1) != m.group(2):
            sys.exit(f"error: unexpected version pattern {cond['EngineVersion']['pattern']}")
        out[m.group(1).replace("\\", "")] = set(block["then"]["properties"]["DBInstanceClass"]["enum"])
    return out


def classes_by_region():
    out = {}
    for region, doc in load(RDS / "dbinstanceclass_enum.json").items():
        for block in doc["allOf"]:
            cond = block["if"]["properties"]
            if cond.get("Engine", {}).get("const") == ENGINE and cond.get("LicenseModel") is False:
                out[region] = set(block["then"]["properties"]["DBInstanceClass"]["enum"])
    return out


def mask(members, universe):
    bits = sum(1 << i for i, c in enumerate(universe) if c in members)
    return format(bits, "x")


def fargate():
    """Fargate sizes: CPU units -> the memory sizes (MiB) allowed with them."""
    sizes = []
    for option in load(ECS / "fargate_cpu_memory.json")["then"]["anyOf"]:
        props = option["properties"]
        (cpu,) = props["Cpu"]["then"]["enum"]
        mem = props["Memory"]["then"]
        if "enum" in mem:
            memory = sorted(mem["enum"])
        else:
            memory = list(range(mem["minimum"], mem["maximum"] + 1, mem["multipleOf"]))
        sizes.append({"cpu": int(cpu), "memory": memory})
    return sorted(sizes, key=lambda s: s["cpu"])


def limits():
    """Property limits from the resource provider schemas, by the property they constrain."""
    providers = load(SCHEMAS / "providers" / "us-east-1.json")

    def schema(kind):
        return load(SCHEMAS / "resources" / f"{providers[kind]}.json")

    tag = schema("AWS::RDS::DBInstance")["definitions"]["Tag"]["properties"]
    tg = schema("AWS::ElasticLoadBalancingV2::TargetGroup")["properties"]
    rule = schema("AWS::ElasticLoadBalancingV2::ListenerRule")
    policy = schema("AWS::IAM::ManagedPolicy")["properties"]
    return {
        "tag_key_max": tag["Key"]["maxLength"],
        "tag_value_max": tag["Value"]["maxLength"],
        "health_check_path_max": tg["HealthCheckPath"]["maxLength"],
        "path_pattern_values_max": rule["definitions"]["PathPatternConfig"]["properties"]["Values"]["maxItems"],
        "listener_rule_priority_max": rule["properties"]["Priority"]["maximum"],
        "managed_policy_name_max": policy["ManagedPolicyName"].get("maxLength", 128),
    }


def ssl_policies():
    """ALB security policy names: moto's emulated list and the documented names it lacks."""
    import moto
    from moto.elbv2.ssl_policies import SSL_POLICIES

    emulated = set(SSL_POLICIES)
    overlap = emulated & set(DOCUMENTED_SSL_POLICIES)
    if overlap:
        sys.exit(f"error: moto now emulates {sorted(overlap)}: drop them from the hand list")
    return moto.__version__, sorted(emulated | set(DOCUMENTED_SSL_POLICIES))


def main(args):
    out = ROOT / "data" / "aws-values.json"
    if args[:1] == ["--out"] and len(args) >= 2:
        out = pathlib.Path(args[1]).resolve()
    known, deprecated = engine_versions()
    by_version = classes_by_version()
    by_region = classes_by_region()
    creatable = sorted(known - deprecated, key=version_key)
    # Only the sets of versions that can still be created matter to a new spec.
    by_version = {
        v: s for v, s in by_version.items()
        if any(c == v or c.startswith(v + ".") for c in creatable)
    }
    universe = sorted(set().union(*by_version.values(), *by_region.values()))
    version = load(SCHEMAS / "version.json")
    moto_version, policies = ssl_policies()
    table = {
        "about": "Generated by scripts/aws-values; do not edit. Instance class sets are hex bit "
        "masks over `classes` (bit i, counted from the lowest bit of the last digit, is classes[i]).",
        "source": f"cfn-lint {cfnlint.version.__version__}: RDS engine and instance class data, "
        "Fargate task sizes, CloudFormation resource provider schemas (us-east-1), MIT-0",
        "schema_date": version["schema_date"],
        "rds_postgres": {
            "versions": creatable,
            "deprecated": sorted(deprecated, key=version_key),
            "classes": universe,
            "classes_by_version": {
                v: mask(by_version[v], universe) for v in sorted(by_version, key=version_key)
            },
            "classes_by_region": {r: mask(by_region[r], universe) for r in sorted(by_region)},
        },
        "fargate": fargate(),
        "limits": limits(),
        "alb_ssl_policies": {
            "source": f"moto {moto_version} (moto/elbv2/ssl_policies.py, Apache-2.0) and the "
            "names AWS documents that it lacks (hand list in scripts/aws_values.py, read 2026-11)",
            "names": policies,
        },
    }
    out.write_text(json.dumps(table, indent=1, sort_keys=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
