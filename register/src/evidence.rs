//! Evidence (clause 7.5, documented information): whether a file still shows what it claims
//! (effective, expiring, expired, superseded), what supports a record, the reminders to
//! renew what is about to lapse, and an audit's evidence pack (per requirement in scope,
//! what shows it and what is missing, with an index for the zip).

use crate::choices::EvidenceStatus;
use crate::{
    Kind, RecordId, Replica, audits, catalogue, dates, rules::RecordRule, views::Evidence,
};
use chrono::NaiveDate;

/// How long before its expiry a file is said to be expiring, and its renewal becomes work.
pub const EXPIRY_NOTICE_DAYS: i64 = 30;

pub const RULES: &[RecordRule] = &[
    RecordRule {
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
    },
    // A file's record names only a type evidence may be (the server takes no other file).
    RecordRule {
        kind: Kind::Evidence,
        fields: &[Evidence::media_type],
        field: Evidence::media_type,
        message: "Evidence is an image, a PDF, a text or CSV file, or an office document: no other type of file can be named.",
        holds: |s| {
            let named = s.text(Evidence::media_type);
            named.is_empty() || engine::files::accepted(&named).is_some()
        },
    },
];

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
    if evidence.status == Some(EvidenceStatus::Superseded) {
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

/// One requirement of an audit's scope in its evidence pack: the evidence that shows it, and
/// whether any of it is still good.
#[derive(Clone, PartialEq, Debug)]
pub struct PackEntry {
    /// The clause or control's reference (`9.2.2`, `A.7.2`), empty for checks against none.
    pub reference: String,
    /// The reference with its title, or the check's question when it has no reference.
    pub requirement: String,
    /// Newest first, with where each stands; superseded files are left out.
    pub evidence: Vec<(Evidence, Validity)>,
}

impl PackEntry {
    /// No evidence at all.
    pub fn missing(&self) -> bool {
        self.evidence.is_empty()
    }

    /// Evidence, but none of it valid today.
    pub fn lapsed(&self) -> bool {
        !self.missing()
            && self.evidence.iter().all(|(_, v)| {
                matches!(
                    v,
                    Validity::Expired { .. } | Validity::NotYetEffective { .. }
                )
            })
    }
}

/// An audit's evidence pack: each clause and control its checks cover (clauses first, then
/// Annex A, in the standard's order), with the evidence linked to those checks or to the
/// control they are against.
pub fn pack(register: &Replica, audit: RecordId, today: NaiveDate) -> Vec<PackEntry> {
    let mut entries: Vec<PackEntry> = Vec::new();
    for check in audits::checks_of(register, audit) {
        let reference = check.reference.clone().unwrap_or_default();
        let requirement = catalogue::requirement(&reference)
            .unwrap_or_else(|| check.question.clone().unwrap_or_default());
        let mut found = supporting(register, Kind::AuditCheck, check.id);
        if let Some(control) = check.control {
            found.extend(supporting(register, Kind::Control, control));
        }
        let at = match entries
            .iter()
            .position(|e| !reference.is_empty() && e.reference == reference)
        {
            Some(at) => at,
            None => {
                entries.push(PackEntry {
                    reference: reference.clone(),
                    requirement,
                    evidence: Vec::new(),
                });
                entries.len() - 1
            }
        };
        let entry = &mut entries[at];
        for evidence in found {
            let validity = validity(&evidence, today);
            if validity != Validity::Superseded
                && !entry.evidence.iter().any(|(e, _)| e.id == evidence.id)
            {
                entry.evidence.push((evidence, validity));
            }
        }
    }
    for entry in &mut entries {
        entry
            .evidence
            .sort_by(|a, b| b.0.captured_at.cmp(&a.0.captured_at));
    }
    entries.sort_by_key(|e| {
        (
            e.reference.is_empty(),
            e.reference.starts_with("A."),
            catalogue::reference_key(&e.reference),
        )
    });
    entries
}

/// What a pack entry says of itself: "missing", "expired" or "evidenced".
pub fn pack_status(entry: &PackEntry) -> &'static str {
    if entry.missing() {
        "missing"
    } else if entry.lapsed() {
        "expired"
    } else {
        "evidenced"
    }
}

/// A name that is safe as a folder or file name in a zip on any system.
fn safe_name(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').trim();
    let cut: String = cleaned.chars().take(80).collect();
    if cut.is_empty() {
        "untitled".to_owned()
    } else {
        cut
    }
}

/// Where a file goes in the pack's zip: a folder per requirement (numbered, so the standard's
/// order survives), the evidence's title with the start of its digest (names stay unique)
/// and the extension of the file's accepted type, never one its uploader chose (a file named
/// `.hta` or `.html` must not open as a program or a page from the pack).
pub fn pack_path(position: usize, entry: &PackEntry, evidence: &Evidence) -> String {
    let extension = engine::files::extension(evidence.media_type.as_deref().unwrap_or_default());
    let digest = evidence.sha256.as_deref().unwrap_or_default();
    format!(
        "{:02} {}/{} ({}).{extension}",
        position + 1,
        safe_name(&entry.requirement),
        safe_name(evidence.title.as_deref().unwrap_or("untitled")),
        digest.get(..8).unwrap_or(digest),
    )
}

/// The pack's index, as CSV: one row per file (and one per requirement with none), naming
/// where the file is in the zip and its SHA-256, so an auditor can check each one.
pub fn pack_index(entries: &[PackEntry]) -> String {
    let mut csv = crate::sheet::Sheet::new(&[
        "requirement",
        "status",
        "evidence",
        "validity",
        "captured_at",
        "file",
        "sha256",
    ]);
    for (position, entry) in entries.iter().enumerate() {
        let status = pack_status(entry);
        if entry.evidence.is_empty() {
            csv.row([entry.requirement.as_str(), status, "", "", "", "", ""]);
        }
        for (evidence, validity) in &entry.evidence {
            csv.row([
                entry.requirement.as_str(),
                status,
                evidence.title.as_deref().unwrap_or_default(),
                &validity.words(),
                evidence.captured_at.as_deref().unwrap_or_default(),
                &pack_path(position, entry, evidence),
                evidence.sha256.as_deref().unwrap_or_default(),
            ]);
        }
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, Value, rules::Nothing, sync::Device};

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
    fn evidence_names_only_a_type_evidence_may_be() {
        let spec = Kind::Evidence.spec();
        let fields = |media_type: &str| {
            vec![
                (Evidence::title, Value::from("Visitor book")),
                (Evidence::sha256, Value::from("a".repeat(64))),
                (Evidence::media_type, Value::from(media_type)),
            ]
        };
        assert!(spec.check_new(&fields("application/pdf"), &Nothing).is_ok());
        assert!(
            spec.check_new(&fields("Text/Plain; charset=utf-8"), &Nothing)
                .is_ok()
        );
        for claimed in ["text/html", "image/svg+xml", "application/xhtml+xml"] {
            let refused = spec.check_new(&fields(claimed), &Nothing).unwrap_err();
            assert!(
                refused
                    .iter()
                    .any(|e| e.field == Evidence::media_type && e.message.contains("no other type")),
                "{claimed}: {refused:?}"
            );
        }
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

    #[test]
    fn an_audit_s_evidence_pack_lists_each_requirement_with_its_evidence_and_what_is_missing() {
        use crate::fixture::{Fixture, link, text};
        let mut f = Fixture::new();
        let control = f.add(
            Kind::Control,
            &[
                ("reference", text("A.7.2")),
                ("title", text("Physical entry")),
            ],
        );
        let audit = f.add(
            Kind::Audit,
            &[("title", text("Walk")), ("audit_type", text("walkthrough"))],
        );
        let mut checks = Vec::new();
        for (position, reference, with_control) in [
            (0, "A.7.2", true),
            (1, "A.7.2", true),
            (2, "A.7.4", false),
            (3, "9.2.2", false),
        ] {
            let mut fields = vec![
                ("audit", link(audit)),
                ("question", text("?")),
                ("reference", text(reference)),
                ("position", Value::Int(position)),
            ];
            if with_control {
                fields.push(("control", link(control)));
            }
            checks.push(f.add(Kind::AuditCheck, &fields));
        }
        let mut evidence = |title: &str,
                            file: &str,
                            digest: char,
                            link_to: (&str, RecordId),
                            extra: &[(&str, &str)]| {
            let mut fields = vec![
                ("title", text(title)),
                ("file_name", text(file)),
                ("sha256", text(&digest.to_string().repeat(64))),
                (link_to.0, Value::List(vec![link_to.1.to_string()])),
            ];
            fields.extend(extra.iter().map(|(k, v)| (*k, text(v))));
            f.add(Kind::Evidence, &fields)
        };
        let photo = evidence(
            "Door: locked?",
            "IMG_1.hta",
            'a',
            ("audit_checks", checks[0]),
            &[
                ("captured_at", "2026-12-03T10:00:00Z"),
                ("media_type", "image/jpeg"),
            ],
        );
        let report = evidence(
            "Access review",
            "review.pdf",
            'b',
            ("controls", control),
            &[
                ("captured_at", "2026-01-01T10:00:00Z"),
                ("expires_on", "2026-06-30"),
            ],
        );
        evidence(
            "Old review",
            "old.pdf",
            'c',
            ("controls", control),
            &[("status", "superseded")],
        );
        evidence(
            "Programme",
            "p",
            'd',
            ("audit_checks", checks[3]),
            &[("expires_on", "2026-01-01")],
        );

        let entries = pack(f.register(), audit, day("2026-12-04"));
        let summary: Vec<(&str, &str, Vec<RecordId>)> = entries
            .iter()
            .map(|e| {
                (
                    e.reference.as_str(),
                    pack_status(e),
                    e.evidence.iter().map(|(ev, _)| ev.id).collect(),
                )
            })
            .collect();
        assert_eq!(summary[1], ("A.7.2", "evidenced", vec![photo, report]));
        assert_eq!(summary[0].0, "9.2.2");
        assert_eq!(summary[0].1, "expired");
        assert_eq!(summary[2], ("A.7.4", "missing", vec![]));
        assert_eq!(entries.len(), 3, "a requirement checked twice is one entry");

        // The extension is the accepted type's, not the uploader's name's.
        let path = pack_path(1, &entries[1], &entries[1].evidence[0].0);
        assert_eq!(path, "02 A.7.2 Physical entry/Door- locked- (aaaaaaaa).jpg");
        let untyped = pack_path(1, &entries[1], &entries[1].evidence[1].0);
        assert!(untyped.ends_with(".bin"), "{untyped}");
        let index = pack_index(&entries);
        assert!(
            index.starts_with("requirement,status,evidence,validity,captured_at,file,sha256\n")
        );
        assert!(index.contains(
            "A.7.4 Physical security monitoring,missing,,,,,
"
        ));
        assert!(index.contains(&"a".repeat(64)));
        assert!(
            !index.contains("Old review"),
            "superseded files are left out"
        );
    }
}
