//! What the monitoring stack alarms on for the database: CPU, free storage, connections near
//! PostgreSQL's default maximum, and each read replica's lag; and the monitoring parameters
//! (instance identifiers) the alarms' dimensions name.

use serde_json::{Value, json};

use crate::cfn::func::r#ref;
use crate::modules::alarm::{Alarm, Rule, graph, metric, stat};
use crate::modules::needs::Input;
use crate::naming::{self, wire};
use crate::spec::Model;
use crate::spec::model::{Database, InstanceClass};

/// Alarm when database CPU stays above this percentage.
const DATABASE_CPU_PERCENT: u32 = 80;
/// Alarm when a read replica is this many seconds behind.
const REPLICA_LAG_SECONDS: u32 = 60;
/// The default `max_connections` of RDS PostgreSQL is `DBInstanceClassMemory / 9531392`.
const POSTGRES_BYTES_PER_CONNECTION: u64 = 9_531_392;
const GIB: u64 = 1024 * 1024 * 1024;

/// 80% of PostgreSQL's default `max_connections` on `class`.
fn connections_threshold(class: &InstanceClass) -> Option<u64> {
    let max = (class.memory_gib()? * GIB / POSTGRES_BYTES_PER_CONNECTION).min(5000);
    Some(max * 8 / 10)
}

/// The database's CPU, free storage and connections, and the replicas' lag.
pub(super) fn dashboard_row(db: &Database) -> Vec<Value> {
    let rds = |name: &str, id: &str| json!(["AWS/RDS", name, "DBInstanceIdentifier", id]);
    let primary = &format!("${{{}}}", wire::DATABASE_INSTANCE_ID);
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
                .map(|n| {
                    rds(
                        "ReplicaLag",
                        &format!("${{{}}}", wire::database_replica_id(n)),
                    )
                })
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
        wire::DATABASE_INSTANCE_ID.into(),
        "Database instance".into(),
        "Identifier of the primary DB instance (output DatabaseInstanceId of the database stack)."
            .into(),
    )];
    for n in 1..=db.read_replicas {
        inputs.push(instance_input(
            wire::database_replica_id(n),
            format!("Read replica {n}"),
            format!(
                "Identifier of read replica {n} (output DatabaseReplica{n}Id of the database stack)."
            ),
        ));
    }
    let primary = [("DBInstanceIdentifier", r#ref(wire::DATABASE_INSTANCE_ID))];
    let mut alarms = vec![Alarm {
        id: naming::DATABASE_CPU_ALARM.into(),
        description: format!(
            "{}: database CPU above {DATABASE_CPU_PERCENT}%. Look for slow queries or a larger instance class.",
            model.product
        ),
        watch: stat(metric("AWS/RDS", "CPUUtilization", &primary), "Average"),
        rule: Rule::above(DATABASE_CPU_PERCENT, "missing"),
        from: vec![],
        when: vec![],
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
        from: vec!["database.storage_gb".into()],
        when: vec![],
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
            from: vec!["database.instance_class".into()],
            // Only for classes whose memory, and so default connection limit, is known.
            when: vec!["database.instance_class".into()],
        });
    }
    for n in 1..=db.read_replicas {
        let replica = [("DBInstanceIdentifier", r#ref(&wire::database_replica_id(n)))];
        alarms.push(Alarm {
            id: format!("DatabaseReplica{n}LagAlarm"),
            description: format!(
                "{}: read replica {n} is more than {REPLICA_LAG_SECONDS} s behind the primary.",
                model.product
            ),
            watch: stat(metric("AWS/RDS", "ReplicaLag", &replica), "Maximum"),
            rule: Rule::above(REPLICA_LAG_SECONDS, "breaching"),
            from: vec![],
            when: vec!["database.read_replicas".into()],
        });
    }
    (alarms, inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_threshold_is_80_percent_of_the_default_maximum() {
        let threshold = |c: &str| connections_threshold(&InstanceClass::parse(c).unwrap());
        assert_eq!(threshold("db.t4g.medium"), Some(360));
        assert_eq!(threshold("db.r6g.16xlarge"), Some(4000));
        assert_eq!(threshold("db.x2g.large"), None);
    }
}
