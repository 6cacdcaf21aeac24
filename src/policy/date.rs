//! Dates as `YYYY-MM-DD` strings: today's date in UTC and the check that a string is a real
//! calendar date. The only code in `policy` that reads the clock, and only when the caller
//! asks (the CLI's default for `--today`).

/// Today's date in UTC, `YYYY-MM-DD`, from the system clock (the CLI's default for `--today`).
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// Days since 1970-01-01 -> `YYYY-MM-DD` (H. Hinnant's `civil_from_days`).
pub(super) fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD` (the spec's check).
pub use crate::spec::combinations::is_real_date as is_date;
