//! Security events (A.5.24–A.5.28, A.6.8): a personal-data breach must be notified to the
//! supervisory authority within 72 hours of becoming aware of it (GDPR article 33), so a
//! report flagged as one carries that deadline, counted down until it is notified.

use crate::views::Event;
use chrono::{DateTime, Duration, Utc};

/// Hours from awareness within which a personal-data breach is notified.
pub const NOTIFY_WITHIN_HOURS: i64 = 72;

fn instant(text: Option<&str>) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(text?)
            .ok()?
            .with_timezone(&Utc),
    )
}

/// When a personal-data breach must be notified by: 72 hours from when the organisation
/// became aware of it (or, until that is recorded, from its detection). `None` for an event
/// not flagged as a breach, or with neither time known.
pub fn notification_deadline(event: &Event) -> Option<DateTime<Utc>> {
    if event.personal_data_breach != Some(true) {
        return None;
    }
    let aware = instant(event.aware_at.as_deref()).or(instant(event.detected_at.as_deref()))?;
    Some(aware + Duration::hours(NOTIFY_WITHIN_HOURS))
}

/// Where a breach's notification stands at `now`, in words: notified, or the time left or
/// overdue. `None` for an event that is not a breach.
pub fn notification_standing(event: &Event, now: DateTime<Utc>) -> Option<String> {
    if event.personal_data_breach != Some(true) {
        return None;
    }
    if let Some(notified) = event.notified_at.as_deref() {
        return Some(format!(
            "Notified to the supervisory authority at {notified}."
        ));
    }
    let Some(deadline) = notification_deadline(event) else {
        return Some(
            "A personal-data breach: record when the organisation became aware of it, to know when it must be notified (within 72 hours)."
                .to_owned(),
        );
    };
    let by = deadline.format("%Y-%m-%d %H:%M UTC");
    let left = deadline - now;
    Some(if left > Duration::zero() {
        let hours = left.num_hours();
        let minutes = left.num_minutes() % 60;
        format!("Notify the supervisory authority by {by}: {hours} h {minutes} min left.")
    } else {
        let hours = (-left).num_hours();
        format!("Notification to the supervisory authority was due by {by}: overdue by {hours} h.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordId;

    fn breach(aware: Option<&str>, detected: Option<&str>, notified: Option<&str>) -> Event {
        Event {
            id: RecordId::new(),
            deleted: false,
            event_type: None,
            title: Some("Payroll file sent to the wrong client".into()),
            description: None,
            location: None,
            severity: None,
            occurred_at: None,
            detected_at: detected.map(Into::into),
            reporter: None,
            status: None,
            category: None,
            contained_at: None,
            resolved_at: None,
            controls: None,
            risks: None,
            personal_data_breach: Some(true),
            aware_at: aware.map(Into::into),
            notified_at: notified.map(Into::into),
            lessons: None,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        instant(Some(text)).unwrap()
    }

    #[test]
    fn a_breach_is_notified_within_72_hours_of_awareness_counted_down() {
        let event = breach(
            Some("2026-12-07T09:30:00Z"),
            Some("2026-12-06T18:00:00Z"),
            None,
        );
        assert_eq!(
            notification_deadline(&event),
            Some(at("2026-12-10T09:30:00Z"))
        );
        assert_eq!(
            notification_standing(&event, at("2026-12-08T12:00:00Z")).unwrap(),
            "Notify the supervisory authority by 2026-12-10 09:30 UTC: 45 h 30 min left."
        );
        assert_eq!(
            notification_standing(&event, at("2026-12-10T12:30:00Z")).unwrap(),
            "Notification to the supervisory authority was due by 2026-12-10 09:30 UTC: overdue by 3 h."
        );
        // Until awareness is recorded, the clock runs from detection.
        let detected = breach(None, Some("2026-12-06T18:00:00Z"), None);
        assert_eq!(
            notification_deadline(&detected),
            Some(at("2026-12-09T18:00:00Z"))
        );
        let notified = breach(
            None,
            Some("2026-12-06T18:00:00Z"),
            Some("2026-12-07T10:00:00Z"),
        );
        assert!(
            notification_standing(&notified, at("2026-12-20T00:00:00Z"))
                .unwrap()
                .starts_with("Notified")
        );
        let unknown = breach(None, None, None);
        assert!(
            notification_standing(&unknown, at("2026-12-20T00:00:00Z"))
                .unwrap()
                .contains("became aware")
        );
        let mut not_a_breach = breach(Some("2026-12-07T09:30:00Z"), None, None);
        not_a_breach.personal_data_breach = Some(false);
        assert_eq!(notification_deadline(&not_a_breach), None);
        assert_eq!(
            notification_standing(&not_a_breach, at("2026-12-08T00:00:00Z")),
            None
        );
    }
}
