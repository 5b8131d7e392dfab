//! Evidence (clause 7.5, documented information): whether a file still shows what it claims
//! (effective, expiring, expired, superseded), what supports a record, and the reminders to
//! renew what is about to lapse.

use crate::{Kind, RecordId, Replica, dates, rules::RecordRule, views::Evidence};
use chrono::NaiveDate;

/// How long before its expiry a file is said to be expiring, and its renewal becomes work.
pub const EXPIRY_NOTICE_DAYS: i64 = 30;

pub const RULES: &[RecordRule] = &[RecordRule {
    kind: Kind::Evidence,
    fields: &[Evidence::effective_on, Evidence::expires_on],
    field: Evidence::expires_on,
    message: "Evidence cannot expire before it takes effect.",
    holds: |s| match (
        dates::date(&s.text(Evidence::effective_on)),
        dates::date(&s.text(Evidence::expires_on)),
    ) {
        (Some(effective), Some(expires)) => effective <= expires,
        _ => true,
    },
}];

/// Where a file stands on a day.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Validity {
    /// Replaced by newer evidence: kept for the record, no longer relied on.
    Superseded,
    /// Its effective date is still to come.
    NotYetEffective {
        from: NaiveDate,
    },
    Expired {
        on: NaiveDate,
    },
    /// Expires within `EXPIRY_NOTICE_DAYS`.
    Expiring {
        on: NaiveDate,
        days: i64,
    },
    /// In effect, with no expiry or one further off.
    Current {
        until: Option<NaiveDate>,
    },
}

impl Validity {
    /// Whether someone should renew or replace the file.
    pub fn needs_renewal(self) -> bool {
        matches!(self, Self::Expired { .. } | Self::Expiring { .. })
    }

    /// What a person reads beside the file: "Expired on 2026-11-30", "Expires in 12 days".
    pub fn words(self) -> String {
        match self {
            Self::Superseded => "Superseded".to_owned(),
            Self::NotYetEffective { from } => format!("Takes effect on {from}"),
            Self::Expired { on } => format!("Expired on {on}"),
            Self::Expiring { days: 0, .. } => "Expires today".to_owned(),
            Self::Expiring { days: 1, .. } => "Expires tomorrow".to_owned(),
            Self::Expiring { days, .. } => format!("Expires in {days} days"),
            Self::Current { until: Some(until) } => format!("Valid until {until}"),
            Self::Current { until: None } => "Current".to_owned(),
        }
    }

    /// A one-word tag for lists and styles.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Superseded => "superseded",
            Self::NotYetEffective { .. } => "not-yet-effective",
            Self::Expired { .. } => "expired",
            Self::Expiring { .. } => "expiring",
            Self::Current { .. } => "current",
        }
    }
}

/// Where `evidence` stands on `today`.
pub fn validity(evidence: &Evidence, today: NaiveDate) -> Validity {
    let date = |stored: &Option<String>| stored.as_deref().and_then(dates::date);
    if evidence.status.as_deref() == Some("superseded") {
        return Validity::Superseded;
    }
    if let Some(from) = date(&evidence.effective_on).filter(|from| *from > today) {
        return Validity::NotYetEffective { from };
    }
    match date(&evidence.expires_on) {
        Some(on) if on < today => Validity::Expired { on },
        Some(on) if (on - today).num_days() <= EXPIRY_NOTICE_DAYS => Validity::Expiring {
            on,
            days: (on - today).num_days(),
        },
        until => Validity::Current { until },
    }
}

/// The field of an Evidence record that links it to records of `kind`, for the kinds that
/// can need proof.
pub fn link_field(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Control => Evidence::controls,
        Kind::Risk => Evidence::risks,
        Kind::AuditCheck => Evidence::audit_checks,
        Kind::Finding => Evidence::findings,
        Kind::Action => Evidence::actions,
        Kind::Event => Evidence::events,
        Kind::Review => Evidence::reviews,
        Kind::Measurement => Evidence::measurements,
        _ => return None,
    })
}

/// The evidence linked to the record `id` of `kind`, newest capture first.
pub fn supporting(register: &Replica, kind: Kind, id: RecordId) -> Vec<Evidence> {
    let Some(field) = link_field(kind) else {
        return Vec::new();
    };
    let mut found: Vec<Evidence> = register
        .all::<Evidence>()
        .into_iter()
        .filter(|evidence| links(evidence, field).contains(&id))
        .collect();
    found.sort_by(|a, b| b.captured_at.cmp(&a.captured_at));
    found
}

/// The records of one link field of an Evidence record.
fn links<'a>(evidence: &'a Evidence, field: &str) -> &'a [RecordId] {
    let list = match field {
        Evidence::controls => &evidence.controls,
        Evidence::risks => &evidence.risks,
        Evidence::audit_checks => &evidence.audit_checks,
        Evidence::findings => &evidence.findings,
        Evidence::actions => &evidence.actions,
        Evidence::events => &evidence.events,
        Evidence::reviews => &evidence.reviews,
        Evidence::measurements => &evidence.measurements,
        _ => &None,
    };
    list.as_deref().unwrap_or_default()
}

/// Evidence that has expired or expires soon, soonest first, with who captured it.
pub fn renewals(register: &Replica, today: NaiveDate) -> Vec<(Evidence, Validity)> {
    let mut due: Vec<(Evidence, Validity)> = register
        .all::<Evidence>()
        .into_iter()
        .map(|evidence| {
            let validity = validity(&evidence, today);
            (evidence, validity)
        })
        .filter(|(_, validity)| validity.needs_renewal())
        .collect();
    due.sort_by(|a, b| a.0.expires_on.cmp(&b.0.expires_on));
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, Value, device::Device, rules::Nothing};

    fn day(text: &str) -> NaiveDate {
        dates::date(text).unwrap()
    }

    fn evidence(fields: &[(&str, &str)]) -> Evidence {
        let mut device = Device::new(ClientId::new());
        let id = RecordId::new();
        for (field, value) in fields {
            device.edit(id, Kind::Evidence, field, Value::from(*value), 1);
        }
        device.local.view::<Evidence>(id).unwrap()
    }

    #[test]
    fn a_file_is_current_expiring_expired_or_superseded() {
        let today = day("2026-12-04");
        let report = |expires: &str| evidence(&[("title", "Pen test"), ("expires_on", expires)]);
        assert_eq!(
            validity(&report("2027-06-01"), today),
            Validity::Current {
                until: Some(day("2027-06-01"))
            }
        );
        let soon = validity(&report("2026-12-16"), today);
        assert_eq!(soon.words(), "Expires in 12 days");
        assert!(soon.needs_renewal());
        assert_eq!(
            validity(&report("2026-12-04"), today).words(),
            "Expires today"
        );
        let lapsed = validity(&report("2026-11-30"), today);
        assert_eq!(lapsed.words(), "Expired on 2026-11-30");
        assert!(lapsed.needs_renewal());
        assert_eq!(
            validity(&evidence(&[("title", "Log")]), today),
            Validity::Current { until: None }
        );
        let replaced = evidence(&[("expires_on", "2026-01-01"), ("status", "superseded")]);
        assert_eq!(validity(&replaced, today), Validity::Superseded);
        assert!(!Validity::Superseded.needs_renewal());
        let future = evidence(&[("effective_on", "2027-01-01")]);
        assert_eq!(validity(&future, today).tag(), "not-yet-effective");
    }

    #[test]
    fn evidence_cannot_expire_before_it_takes_effect() {
        let spec = Kind::Evidence.spec();
        let fields = |expires: &str| {
            vec![
                (Evidence::title, Value::from("Visitor book")),
                (Evidence::sha256, Value::from("a".repeat(64))),
                (Evidence::effective_on, Value::from("2026-06-01")),
                (Evidence::expires_on, Value::from(expires)),
            ]
        };
        assert!(spec.check_new(&fields("2027-06-01"), &Nothing).is_ok());
        let refused = spec.check_new(&fields("2026-05-31"), &Nothing).unwrap_err();
        assert!(
            refused.iter().any(|e| e.field == Evidence::expires_on
                && e.message == "Evidence cannot expire before it takes effect."),
            "{refused:?}"
        );
    }

    #[test]
    fn a_record_lists_its_evidence_and_renewals_list_what_lapses() {
        let mut device = Device::new(ClientId::new());
        let (control, risk) = (RecordId::new(), RecordId::new());
        let mut add = |title: &str, captured: &str, expires: &str, link: (&str, RecordId)| {
            let id = RecordId::new();
            device.edit(id, Kind::Evidence, "title", Value::from(title), 1);
            device.edit(id, Kind::Evidence, "captured_at", Value::from(captured), 1);
            if !expires.is_empty() {
                device.edit(id, Kind::Evidence, "expires_on", Value::from(expires), 1);
            }
            device.edit(
                id,
                Kind::Evidence,
                link.0,
                Value::List(vec![link.1.to_string()]),
                1,
            );
            id
        };
        let older = add(
            "Rack photo 2025",
            "2025-12-01T10:00:00Z",
            "2026-12-01",
            ("controls", control),
        );
        let newer = add(
            "Rack photo 2026",
            "2026-12-03T10:00:00Z",
            "2026-12-20",
            ("controls", control),
        );
        let other = add(
            "Risk workshop notes",
            "2026-11-01T10:00:00Z",
            "",
            ("risks", risk),
        );
        let titles = |found: Vec<Evidence>| found.into_iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(
            titles(supporting(&device.local, Kind::Control, control)),
            [newer, older]
        );
        assert_eq!(titles(supporting(&device.local, Kind::Risk, risk)), [other]);
        assert!(supporting(&device.local, Kind::Objective, control).is_empty());

        let due = renewals(&device.local, day("2026-12-04"));
        let due: Vec<(RecordId, &str)> = due.iter().map(|(e, v)| (e.id, v.tag())).collect();
        assert_eq!(due, [(older, "expired"), (newer, "expiring")]);
    }
}
