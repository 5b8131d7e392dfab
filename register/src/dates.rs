//! Dates as the register stores them (`YYYY-MM-DD` dates, RFC 3339 date-times): reading them,
//! due dates, overdue checks, and elapsed time in words.

pub use chrono::NaiveDate;
use chrono::{DateTime, Datelike, Months};

/// A stored date, when it is one.
pub fn date(text: &str) -> Option<NaiveDate> {
    // Exactly `YYYY-MM-DD` (chrono's parser would also take spaces and signs), so stored dates
    // sort as text in date order. Once the shape is right, the numbers are read directly:
    // chrono's general parser is 6 KB of the app's first load.
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let number = |digits: std::ops::Range<usize>| text[digits].parse::<u32>().ok();
    shape
        .then(|| NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?))
        .flatten()
}

/// A stored date as a count of days (from the common era), for placing dates on an axis.
pub fn day_number(text: &str) -> Option<i32> {
    Some(date(text)?.num_days_from_ce())
}

/// Whether a due date has passed: `due` is before `today` (both `YYYY-MM-DD`).
/// The latest date anywhere on Earth (`YYYY-MM-DD`) at a time in milliseconds since 1970:
/// the server's today, so it is never earlier than the date on any device's calendar and a
/// check a device accepts by its own date is one the server accepts too.
pub fn latest_day(ms: u64) -> String {
    const LATEST_ZONE_MS: u64 = 14 * 60 * 60 * 1000; // UTC+14, the first to reach a date
    i64::try_from(ms.saturating_add(LATEST_ZONE_MS))
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default()
}

/// The instant `ms` milliseconds after the Unix epoch (a clock's reading).
pub fn instant_of_ms(ms: u64) -> Option<DateTime<chrono::Utc>> {
    DateTime::from_timestamp_millis(i64::try_from(ms).ok()?)
}

/// "on 2026-12-07 at 09:30 UTC": an instant, in words.
pub fn instant_words(ms: u64) -> String {
    instant_of_ms(ms)
        .map(|t| t.format("on %Y-%m-%d at %H:%M UTC").to_string())
        .unwrap_or_default()
}

pub fn is_overdue(due: &str, today: &str) -> bool {
    matches!((date(due), date(today)), (Some(due), Some(today)) if due < today)
}

/// `date` plus a number of months (the end of the month when the day does not exist).
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// Whole minutes from one stored date-time to another; `None` when either is missing or
/// unreadable, or when `to` is before `from`.
pub fn minutes_between(from: &str, to: &str) -> Option<i64> {
    let from = DateTime::parse_from_rfc3339(from).ok()?;
    let to = DateTime::parse_from_rfc3339(to).ok()?;
    let minutes = (to - from).num_minutes();
    (minutes >= 0).then_some(minutes)
}

/// A duration in minutes as a person says it: "45 min", "3 h 5 min", "2 d 4 h".
pub fn duration_words(minutes: i64) -> String {
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, _) if mins == 0 => format!("{hours} h"),
        (0, _) => format!("{hours} h {mins} min"),
        (_, 0) => format!("{days} d"),
        _ => format!("{days} d {hours} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_today_is_the_latest_date_anywhere() {
        let noon_utc = 1_782_820_800_000; // 2026-06-30T12:00:00Z
        assert_eq!(
            latest_day(noon_utc),
            "2026-07-01",
            "already July in Kiribati"
        );
        assert_eq!(latest_day(noon_utc - 3 * 3_600_000), "2026-06-30");
    }

    #[test]
    fn dates_are_read_strictly() {
        assert_eq!(date("2026-02-28"), NaiveDate::from_ymd_opt(2026, 2, 28));
        for bad in [
            "2026-02-30",
            "2026-2-28",
            "2026-2-28 ",
            "2026-02- 8",
            "+2026-2-28",
            "28/02/2026",
            "",
            "2026-02-28T10:00:00Z",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn overdue_means_strictly_before_today() {
        assert!(is_overdue("2026-11-28", "2026-11-29"));
        assert!(!is_overdue("2026-11-29", "2026-11-29"));
        assert!(!is_overdue("2026-12-01", "2026-11-29"));
        assert!(!is_overdue("not a date", "2026-11-29"));
    }

    #[test]
    fn months_are_added_to_the_end_of_short_months() {
        let jan31 = date("2026-01-31").unwrap();
        assert_eq!(add_months(jan31, 1), date("2026-02-28"));
        assert_eq!(add_months(jan31, 12), date("2027-01-31"));
    }

    #[test]
    fn minutes_between_date_times_in_any_zone() {
        assert_eq!(
            minutes_between("2026-11-29T08:00:00Z", "2026-11-29T10:05:00+00:00"),
            Some(125)
        );
        assert_eq!(
            minutes_between("2026-11-29T10:00:00+01:00", "2026-11-29T09:30:00Z"),
            Some(30)
        );
        assert_eq!(
            minutes_between("2026-11-29T10:00:00Z", "2026-11-29T09:00:00Z"),
            None
        );
        assert_eq!(minutes_between("yesterday", "2026-11-29T09:00:00Z"), None);
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words(0), "0 min");
        assert_eq!(duration_words(45), "45 min");
        assert_eq!(duration_words(120), "2 h");
        assert_eq!(duration_words(185), "3 h 5 min");
        assert_eq!(duration_words(2 * 1440), "2 d");
        assert_eq!(duration_words(2 * 1440 + 250), "2 d 4 h");
    }
}
