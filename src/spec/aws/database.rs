//! RDS checks: a database spec -> what RDS would refuse at deploy, as coded diagnostics at the
//! field.
//!
//! Input: the database section and region of a schema-valid spec. Output: diagnostics for an
//! engine version RDS can no longer create or does not offer (a later minor of a line the
//! table lists passes: it may be newer than the table), an instance class not offered for
//! the version or in the region (from the generated table, with a did-you-mean), and backup and
//! maintenance windows that are not real times, shorter than 30 minutes or overlapping.
//! Invariant: a value whose shape `build` already refuses (`16.x`, `banana`) gets no second
//! diagnostic here: one mistake, one error.

use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::spec::aws::table::Table;
use crate::spec::types::{Database, StorageType};
use crate::spec::values::{EngineVersion, InstanceClass};

/// The shortest window RDS accepts, in minutes.
const MIN_WINDOW_MINUTES: u32 = 30;
const DAY: u32 = 24 * 60;
const WEEK: u32 = 7 * DAY;
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn check(db: &Database, region: &str, d: &mut Vec<Diagnostic>) {
    let table = Table::get();
    let version_ok = engine_version(db, table, d);
    if version_ok {
        instance_class(db, region, table, d);
    }
    windows(db, d);
    io2_size(db, d);
}

/// io2 storage runs at a fixed `StorageType::IO2_IOPS`; RDS refuses fewer than 0.5 IOPS per
/// GiB, at creation and when storage autoscaling grows the volume.
fn io2_size(db: &Database, d: &mut Vec<Diagnostic>) {
    if db.storage_type != StorageType::Io2 {
        return;
    }
    let max = StorageType::IO2_MAX_GB;
    let sizes = [
        ("storage_gb", Some(db.storage_gb)),
        ("max_storage_gb", db.max_storage_gb),
    ];
    for (field, size) in sizes {
        let Some(size) = size.filter(|s| *s > max) else {
            continue;
        };
        d.push(
            Diagnostic::error(
                Code::DatabaseStorage,
                format!("/database/{field}"),
                format!(
                    "io2 storage runs at {} IOPS, which RDS allows up to {max} GiB (0.5 IOPS per GiB); `{field}` is {size}",
                    StorageType::IO2_IOPS
                ),
            )
            .with_help(format!(
                "keep `{field}` at {max} or less, or use `storage_type: gp3`, whose IOPS grow with its size"
            )),
        );
    }
}

/// Whether the version is one the table lists as created by RDS: the instance class is checked
/// against the version's list only then.
fn engine_version(db: &Database, table: &Table, d: &mut Vec<Diagnostic>) -> bool {
    let text = db.engine_version.as_str();
    let Ok(parsed) = EngineVersion::parse(text) else {
        return false;
    };
    let pg = &table.postgres;
    if pg.versions.iter().any(|v| v == text) {
        return true;
    }
    let major = parsed.major();
    let same_major: Vec<&str> = pg
        .versions
        .iter()
        .map(String::as_str)
        .filter(|v| EngineVersion::parse(v).is_ok_and(|p| p.major() == major) && !v.contains('-'))
        .collect();
    // `16` asks RDS for the major's default minor: fine while the major can be created.
    if !text.contains('.') && !same_major.is_empty() {
        return true;
    }
    let newest_overall = pg
        .versions
        .iter()
        .rev()
        .find(|v| !v.contains('-') && v.contains('.'))
        .map(String::as_str)
        .unwrap_or_default();
    let suggestion = same_major.last().copied().unwrap_or(newest_overall);
    let pointer = "/database/engine_version";
    if pg.deprecated.iter().any(|v| v == text) {
        d.push(
            Diagnostic::error(
                Code::DatabaseEngineVersion,
                pointer,
                format!("RDS no longer creates PostgreSQL `{text}` (deprecated)"),
            )
            .with_help(format!(
                "use `{suggestion}`, the newest version of its line RDS creates"
            )),
        );
        return false;
    }
    // A later minor of a line RDS still creates may have been released after the table was
    // made: accepted, since refusing it would block a real version until byoa is updated.
    if newer_than_known(text, &same_major) {
        return false;
    }
    d.push(
        Diagnostic::error(
            Code::DatabaseEngineVersion,
            pointer,
            format!("RDS does not offer PostgreSQL `{text}`"),
        )
        .with_help(format!("did you mean `{suggestion}`?")),
    );
    false
}

/// Whether `text` is a later minor of a major the table lists (`16.99` when it knows `16.15`).
fn newer_than_known(text: &str, same_major: &[&str]) -> bool {
    let minor = |v: &str| v.rsplit_once('.').and_then(|(_, m)| m.parse::<u32>().ok());
    match (minor(text), same_major.last().and_then(|v| minor(v))) {
        (Some(m), Some(newest)) => m > newest,
        _ => false,
    }
}

fn instance_class(db: &Database, region: &str, table: &Table, d: &mut Vec<Diagnostic>) {
    let class = db.instance_class.as_str();
    if InstanceClass::parse(class).is_err() {
        return;
    }
    let pg = &table.postgres;
    let for_version = pg.classes_for_version(&db.engine_version);
    let in_region = pg.classes_in_region(region);
    let offered = |list: &Option<Vec<&str>>| list.as_ref().is_none_or(|l| l.contains(&class));
    let problem = if !pg.is_known_class(class) {
        format!("`{class}` is not an RDS instance class for PostgreSQL")
    } else if !offered(&for_version) {
        format!(
            "RDS does not offer `{class}` for PostgreSQL `{}`",
            db.engine_version
        )
    } else if !offered(&in_region) {
        format!("RDS does not offer `{class}` for PostgreSQL in `{region}`")
    } else {
        return;
    };
    let both: Vec<&str> = match (&for_version, &in_region) {
        (Some(v), Some(r)) => v.iter().copied().filter(|c| r.contains(c)).collect(),
        (Some(l), None) | (None, Some(l)) => l.clone(),
        (None, None) => Vec::new(),
    };
    let help = match did_you_mean(class, both.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => "choose a class RDS offers for this version and region, e.g. `db.t4g.medium` or `db.r6g.large`".to_owned(),
    };
    d.push(
        Diagnostic::error(
            Code::DatabaseInstanceClass,
            "/database/instance_class",
            problem,
        )
        .with_help(help),
    );
}

/// A window as minutes from the start of its period (a day or a week): `[start, start + len)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start: u32,
    len: u32,
}

fn windows(db: &Database, d: &mut Vec<Diagnostic>) {
    let backup = db.backup_window.as_deref().and_then(|w| {
        window(
            w,
            DAY,
            "/database/backup_window",
            "hh24:mi-hh24:mi",
            d,
            clock,
        )
    });
    let maintenance = db.maintenance_window.as_deref().and_then(|w| {
        window(
            w,
            WEEK,
            "/database/maintenance_window",
            "ddd:hh24:mi-ddd:hh24:mi",
            d,
            weekly,
        )
    });
    if let (Some(b), Some(m)) = (backup, maintenance)
        && overlap_weekly(b, m)
    {
        d.push(
            Diagnostic::error(
                Code::DatabaseWindow,
                "/database/maintenance_window",
                format!(
                    "the maintenance window `{}` overlaps the daily backup window `{}`",
                    db.maintenance_window.as_deref().unwrap_or_default(),
                    db.backup_window.as_deref().unwrap_or_default()
                ),
            )
            .with_help("RDS refuses overlapping windows: move one of them"),
        );
    }
}

/// Parses `start-end` with `point` (which gives minutes into the period) and checks the length.
fn window(
    text: &str,
    period: u32,
    pointer: &str,
    shape: &str,
    d: &mut Vec<Diagnostic>,
    point: impl Fn(&str) -> Option<u32>,
) -> Option<Window> {
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some((point(a)?, point(b)?)));
    let Some((start, end)) = parsed else {
        d.push(
            Diagnostic::error(
                Code::DatabaseWindow,
                pointer,
                format!("`{text}` is not a window of real times"),
            )
            .with_help(format!(
                "write `{shape}` in UTC, hours 00-23, minutes 00-59, days mon-sun"
            )),
        );
        return None;
    };
    let len = (end + period - start) % period;
    if len < MIN_WINDOW_MINUTES {
        d.push(
            Diagnostic::error(
                Code::DatabaseWindow,
                pointer,
                format!("the window `{text}` lasts {len} minutes; RDS needs at least 30"),
            )
            .with_help("make the window end at least 30 minutes after it starts"),
        );
        return None;
    }
    Some(Window { start, len })
}

/// `hh24:mi` -> minutes into the day.
fn clock(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `ddd:hh24:mi` -> minutes into the week (Monday 00:00 is 0).
fn weekly(s: &str) -> Option<u32> {
    let (day, time) = s.split_once(':')?;
    let day = DAYS.iter().position(|d| *d == day)?;
    Some(day as u32 * DAY + clock(time)?)
}

/// Whether the daily `backup` window meets the weekly `maintenance` window on any day.
fn overlap_weekly(backup: Window, maintenance: Window) -> bool {
    (0..7).any(|day| {
        let b = Window {
            start: day * DAY + backup.start,
            len: backup.len,
        };
        meets(b, maintenance)
    })
}

/// Whether two windows on the week's circle share a minute.
fn meets(a: Window, b: Window) -> bool {
    let starts_inside = |x: Window, y: Window| (y.start + WEEK - x.start) % WEEK < x.len;
    starts_inside(a, b) || starts_inside(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start: u32, len: u32) -> Window {
        Window { start, len }
    }

    #[test]
    fn times_are_real_clock_times() {
        assert_eq!(clock("03:30"), Some(210));
        assert_eq!(clock("24:00"), None);
        assert_eq!(clock("12:60"), None);
        assert_eq!(weekly("mon:00:00"), Some(0));
        assert_eq!(weekly("sun:23:59"), Some(WEEK - 1));
        assert_eq!(weekly("sum:01:00"), None);
    }

    #[test]
    fn windows_overlap_across_midnight_and_the_week_end() {
        // Backup 23:30-00:30 daily against maintenance Monday 00:00-01:00.
        assert!(overlap_weekly(w(23 * 60 + 30, 60), w(0, 60)));
        // Backup 03:00-04:00 against maintenance Sunday 05:00-06:00: apart.
        assert!(!overlap_weekly(w(180, 60), w(6 * DAY + 300, 60)));
        // Touching ends do not overlap.
        assert!(!overlap_weekly(w(180, 60), w(240, 60)));
        assert!(meets(w(WEEK - 10, 30), w(5, 30)));
    }
}
