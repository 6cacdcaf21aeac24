//! What the monitoring stack alarms on for the database: CPU, free storage, connections near
//! PostgreSQL's default maximum, and each read replica's lag; and the monitoring parameters
//! (instance identifiers) the alarms' dimensions name.

use serde_json::{Value, json};

use crate::cfn::func::r#ref;
use crate::modules::alarm::{Alarm, Rule, graph, metric, stat};
use crate::modules::needs::Input;
use crate::spec::Model;
use crate::spec::types::Database;

/// Alarm when database CPU stays above this percentage.
const DATABASE_CPU_PERCENT: u32 = 80;
/// Alarm when a read replica is this many seconds behind.
const REPLICA_LAG_SECONDS: u32 = 60;
/// The default `max_connections` of RDS PostgreSQL is `DBInstanceClassMemory / 9531392`.
const POSTGRES_BYTES_PER_CONNECTION: u64 = 9_531_392;
const GIB: u64 = 1024 * 1024 * 1024;

/// Memory of an RDS instance class in GiB, for the families byoa offers; `None` otherwise.
fn instance_memory_gib(class: &str) -> Option<u64> {
    let mut parts = class.strip_prefix("db.")?.split('.');
    let (family, size) = (parts.next()?, parts.next()?);
    if family.starts_with('t') {
        return match size {
            "micro" => Some(1),
            "small" => Some(2),
            "medium" => Some(4),
            "large" => Some(8),
            "xlarge" => Some(16),
            "2xlarge" => Some(32),
            _ => None,
        };
    }
    let vcpus = match size {
        "large" => 2,
        "xlarge" => 4,
        n => 4 * n.strip_suffix("xlarge")?.parse::<u64>().ok()?,
    };
    let per_vcpu = match family.chars().next()? {
        'm' => 4,
        'r' => 8,
        _ => return None,
    };
    Some(vcpus * per_vcpu)
}

/// 80% of PostgreSQL's default `max_connections` on `class`.
fn connections_threshold(class: &str) -> Option<u64> {
    let max = (instance_memory_gib(class)? * GIB / POSTGRES_BYTES_PER_CONNECTION).min(5000);
    Some(max * 8 / 10)
}

/// The database's CPU, free storage and connections, and the replicas' lag.
pub(super) fn dashboard_row(db: &Database) -> Vec<Value> {
    let rds = |name: &str, id: &str| json!(["AWS/RDS", name, "DBInstanceIdentifier", id]);
    let primary = "${DatabaseInstanceId}";
    let mut cells = vec![
        graph(
            "Database CPU %",
            "Average",
            vec![rds("CPUUtilization", primary)],
        ),
        graph(
            "Database free storage (bytes)",
            "Minimum",
            vec![rds("FreeStorageSpace", primary)],
        ),
        graph(
            "Database connections",
            "Maximum",
            vec![rds("DatabaseConnections", primary)],
        ),
    ];
    if db.read_replicas > 0 {
        cells.push(graph(
            "Replica lag (s)",
            "Maximum",
            (1..=db.read_replicas)
                .map(|n| rds("ReplicaLag", &format!("${{DatabaseReplica{n}Id}}")))
                .collect(),
        ));
    }
    cells
}

/// A monitoring parameter naming a DB instance.
fn instance_input(name: String, label: String, description: String) -> Input {
    Input {
        name,
        group: "Database",
        label,
        description,
        pattern: r"^[a-zA-Z][a-zA-Z0-9-]{0,62}$",
        pattern_help: "must be an RDS DB instance identifier",
    }
}

/// The database's alarms, and the monitoring parameters their dimensions name.
pub(super) fn alarms(model: &Model, db: &Database) -> (Vec<Alarm>, Vec<Input>) {
    let mut inputs = vec![instance_input(
        "DatabaseInstanceId".into(),
        "Database instance".into(),
        "Identifier of the primary DB instance (output DatabaseInstanceId of the database stack)."
            .into(),
    )];
    for n in 1..=db.read_replicas {
        inputs.push(instance_input(
            format!("DatabaseReplica{n}Id"),
            format!("Read replica {n}"),
            format!(
                "Identifier of read replica {n} (output DatabaseReplica{n}Id of the database stack)."
            ),
        ));
    }
    let primary = [("DBInstanceIdentifier", r#ref("DatabaseInstanceId"))];
    let mut alarms = vec![Alarm {
        id: "DatabaseCpuAlarm".into(),
        description: format!(
            "{}: database CPU above {DATABASE_CPU_PERCENT}%. Look for slow queries or a larger instance class.",
            model.product
        ),
        watch: stat(metric("AWS/RDS", "CPUUtilization", &primary), "Average"),
        rule: Rule::above(DATABASE_CPU_PERCENT, "missing"),
    }];
    let free_bytes = u64::from(db.storage_gb) * GIB / 10;
    alarms.push(Alarm {
        id: "DatabaseFreeStorageAlarm".into(),
        description: format!(
            "{}: less than 10% of the database's {} GiB of storage is free.",
            model.product, db.storage_gb
        ),
        watch: stat(metric("AWS/RDS", "FreeStorageSpace", &primary), "Minimum"),
        rule: Rule {
            period: 300,
            evaluation_periods: 1,
            datapoints: 1,
            ..Rule::below(free_bytes, "missing")
        },
    });
    if let Some(limit) = connections_threshold(&db.instance_class) {
        alarms.push(Alarm {
            id: "DatabaseConnectionsAlarm".into(),
            description: format!(
                "{}: more than {limit} database connections, 80% of the default maximum for {}. Check connection pooling.",
                model.product, db.instance_class
            ),
            watch: stat(
                metric("AWS/RDS", "DatabaseConnections", &primary),
                "Maximum",
            ),
            rule: Rule::above(limit, "missing"),
        });
    }
    for n in 1..=db.read_replicas {
        let replica = [(
            "DBInstanceIdentifier",
            r#ref(&format!("DatabaseReplica{n}Id")),
        )];
        alarms.push(Alarm {
            id: format!("DatabaseReplica{n}LagAlarm"),
            description: format!(
                "{}: read replica {n} is more than {REPLICA_LAG_SECONDS} s behind the primary.",
                model.product
            ),
            watch: stat(metric("AWS/RDS", "ReplicaLag", &replica), "Maximum"),
            rule: Rule::above(REPLICA_LAG_SECONDS, "breaching"),
        });
    }
    (alarms, inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_memory_table() {
        assert_eq!(instance_memory_gib("db.t4g.medium"), Some(4));
        assert_eq!(instance_memory_gib("db.m7g.2xlarge"), Some(32));
        assert_eq!(instance_memory_gib("db.r6g.large"), Some(16));
        assert_eq!(instance_memory_gib("db.x2g.large"), None);
        assert_eq!(connections_threshold("db.t4g.medium"), Some(360));
    }
}
