//! Alarm needs: what a module asks the monitoring stack to alarm on and to show on its
//! dashboard, and the shapes its metrics take.
//!
//! A module declares an `Alarm` (logical id, description, the metric part of the alarm's
//! properties and the `Rule` that judges it) for each thing of its own worth paging someone
//! about, plus the monitoring stack's parameters its metrics' dimensions refer to
//! (`needs::Input`s the root feeds from the module's outputs of the same name). The monitoring stack creates
//! them all, each notifying its topic on ALARM and on OK, in the order of the aggregated needs,
//! and shows each module's dashboard rows (`graph` widgets, laid out by the monitoring stack).

use serde_json::{Value, json};

/// Alarm when more than this share of requests (percent) fail.
pub const ERROR_RATE_PERCENT: u32 = 5;
/// Below this many requests a minute, error rates are too noisy to page anyone.
const MIN_REQUESTS_FOR_RATE: u32 = 20;

/// How an alarm judges its metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub comparison: &'static str,
    pub threshold: Value,
    pub period: u32,
    pub evaluation_periods: u32,
    pub datapoints: u32,
    pub missing: &'static str,
}

impl Rule {
    /// Breaching in 3 of the last 5 minutes: fast, but not on a single spike.
    pub fn above(threshold: impl Into<Value>, missing: &'static str) -> Self {
        Rule {
            comparison: "GreaterThanThreshold",
            threshold: threshold.into(),
            period: 60,
            evaluation_periods: 5,
            datapoints: 3,
            missing,
        }
    }

    pub fn below(threshold: impl Into<Value>, missing: &'static str) -> Self {
        Rule {
            comparison: "LessThanThreshold",
            ..Rule::above(threshold, missing)
        }
    }
}

/// An alarm a module needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    /// The alarm's logical id in the monitoring stack.
    pub id: String,
    pub description: String,
    /// The metric part of the alarm's properties: a single metric with its statistic (`stat`)
    /// or metric math (`Metrics`).
    pub watch: Value,
    pub rule: Rule,
    /// The spec fields its threshold (and so its description) follows; the description also
    /// names the product.
    pub from: Vec<String>,
    /// The spec fields that decide whether the alarm exists at all (beyond its module).
    pub when: Vec<String>,
}

/// One metric of a namespace with its dimensions.
pub fn metric(namespace: &str, name: &str, dimensions: &[(&str, Value)]) -> Value {
    json!({
        "Namespace": namespace,
        "MetricName": name,
        "Dimensions": dimensions
            .iter()
            .map(|(n, v)| json!({"Name": n, "Value": v}))
            .collect::<Vec<_>>(),
    })
}

/// Properties of a single-metric alarm with a statistic.
pub fn stat(metric: Value, statistic: &str) -> Value {
    let mut m = metric;
    let key = if statistic.starts_with('p') {
        "ExtendedStatistic"
    } else {
        "Statistic"
    };
    m[key] = json!(statistic);
    m
}

/// A math alarm on the tasks ECS wants but does not run. Compared with the desired count, not
/// the spec's minimum, so a service held at zero tasks (no image yet) or scaled out is judged
/// against what it should run now.
pub fn shortfall(running: Value, desired: Value) -> Value {
    let stat = |id: &str, m: Value, s: &str| json!({"Id": id, "MetricStat": {"Metric": m, "Period": 60, "Stat": s}, "ReturnData": false});
    json!({"Metrics": [
        stat("running", running, "Minimum"),
        stat("desired", desired, "Maximum"),
        {
            "Id": "shortfall",
            "Expression": "FILL(desired, 0) - FILL(running, 0)",
            "Label": "Tasks missing",
            "ReturnData": true,
        },
    ]})
}

/// A math alarm: `100 * errors / requests`, only once there is enough traffic to judge.
pub fn error_rate(errors: Value, requests: Value) -> Value {
    let stat = |id: &str, m: Value| json!({"Id": id, "MetricStat": {"Metric": m, "Period": 60, "Stat": "Sum"}, "ReturnData": false});
    json!({"Metrics": [
        stat("errors", errors),
        stat("requests", requests),
        {
            "Id": "rate",
            "Expression": format!("IF(requests >= {MIN_REQUESTS_FOR_RATE}, 100 * FILL(errors, 0) / requests, 0)"),
            "Label": "Errors (% of requests)",
            "ReturnData": true,
        },
    ]})
}

/// A time-series widget of `metrics` (CloudWatch's array form) with `stat`.
pub fn graph(title: &str, stat: &str, metrics: Vec<Value>) -> Value {
    json!({
        "type": "metric",
        "properties": {
            "title": title,
            "region": "${AWS::Region}",
            "view": "timeSeries",
            "stat": stat,
            "period": 60,
            "metrics": metrics,
        },
    })
}
