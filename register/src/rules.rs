//! Record rules: what must hold across the fields of one record, and the few rules that also
//! read the records linked to it (a finding's actions). Written once here; the app checks
//! them before saving and the server on every push that changes one of a rule's fields.
//!
//! Only rules whose fields a change touches are checked, so a record that two people made
//! inconsistent at the same moment can still be edited elsewhere.

use crate::{
    ClientId, Hlc, Kind, RecordId, Replica, Stamp, Value, audits, documents, evidence, findings,
    metrics, policy, reviews, risk, schema::DELETED, soa, sync::MemoryServer, views, walkthrough,
};
use engine::FieldState;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Reads records as they are: the server's stored state, or a device's copy.
pub trait Lookup {
    /// A field of a record.
    fn field(&self, record: RecordId, field: &str) -> Option<Value>;
    /// The records of `kind` whose reference `field` names `target`.
    fn linked(&self, kind: Kind, field: &str, target: RecordId) -> Vec<RecordId>;
    /// Whether the change being checked sets this field (of any record it touches).
    fn changes(&self, _record: RecordId, _field: &str) -> bool {
        false
    }
    /// When a field was last written, where that is known (the merge keeps the newest).
    fn stamp(&self, _record: RecordId, _field: &str) -> Option<Stamp> {
        None
    }
    /// The whole register, where it is at hand: what a change to a kind in `RULE_WHOLE` is
    /// judged over.
    fn whole(&self) -> Option<&Replica> {
        None
    }
}

/// A register with no records (the lookup of a form with nothing saved yet).
pub struct Nothing;

impl Lookup for Nothing {
    fn field(&self, _: RecordId, _: &str) -> Option<Value> {
        None
    }

    fn linked(&self, _: Kind, _: &str, _: RecordId) -> Vec<RecordId> {
        Vec::new()
    }
}

/// The in-memory server (the simulation's and the tests') reads its stored state.
impl Lookup for MemoryServer {
    fn field(&self, record: RecordId, field: &str) -> Option<Value> {
        self.state.field(record, field)
    }

    fn stamp(&self, record: RecordId, field: &str) -> Option<Stamp> {
        self.state.stamp(record, field)
    }

    fn linked(&self, kind: Kind, field: &str, target: RecordId) -> Vec<RecordId> {
        self.state.linked(kind, field, target)
    }

    fn whole(&self) -> Option<&Replica> {
        Some(&self.state)
    }
}

impl Lookup for Replica {
    fn field(&self, record: RecordId, field: &str) -> Option<Value> {
        self.record(record)?.get(field).cloned()
    }

    fn stamp(&self, record: RecordId, field: &str) -> Option<Stamp> {
        Some(self.record(record)?.fields.get(field)?.stamp)
    }

    fn linked(&self, kind: Kind, field: &str, target: RecordId) -> Vec<RecordId> {
        let target = target.to_string();
        self.of_kind(kind)
            .filter(|(_, r)| r.get(field).and_then(Value::as_text) == Some(&target))
            .map(|(id, _)| id)
            .collect()
    }

    fn whole(&self) -> Option<&Replica> {
        Some(self)
    }
}

/// The stamp of a change not yet stamped (a device's own, judged before it is made): newer
/// than anything stored, and of no day (`maturity` dates a kind's first record by stamps).
const UNSTAMPED: Stamp = Stamp {
    hlc: Hlc {
        wall: u64::MAX,
        counter: u32::MAX,
    },
    client: ClientId::from_u128(u128::MAX),
};

/// The register as `changes` leave it, for what is judged over a whole register (a maturity
/// snapshot): each change applied where it is newer than what is stored, as the merge does.
pub fn as_left(register: &Replica, changes: &[Change]) -> Replica {
    let mut after = register.clone();
    for change in changes {
        let stamp = change.stamp.unwrap_or(UNSTAMPED);
        let stored = after
            .record(change.record)
            .and_then(|r| r.fields.get(change.field))
            .map(|f| f.stamp);
        if stored.is_none_or(|s| s < stamp) {
            let state = FieldState {
                value: change.value.clone(),
                stamp,
            };
            after.reset_field(change.record, change.kind, change.field, Some(state));
        }
    }
    after
}

/// One change to a field, as a rule sees it.
#[derive(Clone, Copy, Debug)]
pub struct Change<'a> {
    pub record: RecordId,
    pub kind: Kind,
    pub field: &'a str,
    pub value: &'a Value,
    /// The change's stamp, when it merges with stored values (a push on the server); a
    /// device's own new edit has none, and is newer than anything it holds.
    pub stamp: Option<Stamp>,
}

impl<'a> Change<'a> {
    /// An op as a change, with its stamp: a push's change merges with the stored values.
    pub fn of(op: &'a crate::Op) -> Self {
        Change {
            record: op.record,
            kind: op.kind,
            field: &op.field,
            value: &op.value,
            stamp: Some(op.stamp()),
        }
    }
}

/// Records as they will be once `changes` are merged into `base`: for each field, the last
/// change, unless `base` holds a newer value (then the change is lost, as in the merge).
/// Indexed once, so judging a change set of thousands of records (a CSV import) costs what
/// it touches rather than a scan of the set for every field a rule reads.
pub struct Pending<'a> {
    base: &'a dyn Lookup,
    changes: &'a [Change<'a>],
    /// The last change to each field of each record.
    last: HashMap<(RecordId, &'a str), usize>,
    /// The records whose reference field names a record, by kind, field and the name.
    naming: HashMap<(Kind, &'a str, &'a str), Vec<RecordId>>,
}

impl<'a> Pending<'a> {
    pub fn new(base: &'a dyn Lookup, changes: &'a [Change<'a>]) -> Self {
        let mut last = HashMap::new();
        let mut naming: HashMap<(Kind, &str, &str), Vec<RecordId>> = HashMap::new();
        for (at, change) in changes.iter().enumerate() {
            last.insert((change.record, change.field), at);
            if let Some(target) = change.value.as_text() {
                naming
                    .entry((change.kind, change.field, target))
                    .or_default()
                    .push(change.record);
            }
        }
        Pending {
            base,
            changes,
            last,
            naming,
        }
    }

    /// The change that sets this field, if it wins over the stored value.
    fn winning(&self, record: RecordId, field: &str) -> Option<&Change<'_>> {
        let change = &self.changes[*self.last.get(&(record, field))?];
        let newer = match (change.stamp, self.base.stamp(record, field)) {
            (Some(mine), Some(stored)) => mine > stored,
            _ => true,
        };
        newer.then_some(change)
    }
}

impl Lookup for Pending<'_> {
    fn field(&self, record: RecordId, field: &str) -> Option<Value> {
        match self.winning(record, field) {
            Some(change) => Some(change.value.clone()),
            None => self.base.field(record, field),
        }
    }

    fn linked(&self, kind: Kind, field: &str, target: RecordId) -> Vec<RecordId> {
        let mut candidates = self.base.linked(kind, field, target);
        let target = target.to_string();
        // A record the changes move away from `target` is among the stored candidates; one
        // they move to it is named by a change.
        for record in self
            .naming
            .get(&(kind, field, target.as_str()))
            .into_iter()
            .flatten()
        {
            if !candidates.contains(record) {
                candidates.push(*record);
            }
        }
        candidates
            .retain(|&r| self.field(r, field).as_ref().and_then(Value::as_text) == Some(&target));
        candidates
    }

    fn changes(&self, record: RecordId, field: &str) -> bool {
        self.winning(record, field).is_some()
    }

    fn stamp(&self, record: RecordId, field: &str) -> Option<Stamp> {
        match self.winning(record, field) {
            Some(change) => change.stamp,
            None => self.base.stamp(record, field),
        }
    }
}

/// The record a rule is checked on: its fields before and after the change, and the records
/// linked to it as they will be.
pub struct Subject<'a> {
    pub id: RecordId,
    pub before: &'a dyn Lookup,
    pub after: &'a dyn Lookup,
    pub changed: &'a dyn Fn(&str) -> bool,
}

impl Subject<'_> {
    pub fn get(&self, field: &str) -> Option<Value> {
        self.after.field(self.id, field)
    }

    /// A text field, trimmed; empty when unset.
    pub fn text(&self, field: &str) -> String {
        text_of(self.get(field))
    }

    pub fn was(&self, field: &str) -> String {
        text_of(self.before.field(self.id, field))
    }

    pub fn changed(&self, field: &str) -> bool {
        (self.changed)(field)
    }

    /// A text field of another record, as it will be.
    pub fn other(&self, record: RecordId, field: &str) -> String {
        text_of(self.after.field(record, field))
    }

    /// Whether the change being checked also sets a field of another record.
    pub fn other_changes(&self, record: RecordId, field: &str) -> bool {
        self.after.changes(record, field)
    }

    /// The records this one names in a reference `field`, before and after the change.
    pub fn named(&self, field: &str) -> Vec<RecordId> {
        let mut named: Vec<RecordId> = [self.text(field), self.was(field)]
            .iter()
            .filter_map(|id| id.parse().ok())
            .collect();
        named.dedup();
        named
    }

    /// The records of `kind` linked to this one by their `field`, deleted ones left out.
    pub fn linked(&self, kind: Kind, field: &str) -> Vec<Linked<'_>> {
        self.after
            .linked(kind, field, self.id)
            .into_iter()
            .map(|id| Linked {
                id,
                lookup: self.after,
            })
            .filter(|l| l.get(DELETED).and_then(|v| v.as_bool()) != Some(true))
            .collect()
    }
}

/// A record linked to a rule's subject.
pub struct Linked<'a> {
    pub id: RecordId,
    lookup: &'a dyn Lookup,
}

impl Linked<'_> {
    pub fn get(&self, field: &str) -> Option<Value> {
        self.lookup.field(self.id, field)
    }

    pub fn text(&self, field: &str) -> String {
        text_of(self.get(field))
    }
}

/// A text value, trimmed; empty when unset or not text.
pub(crate) fn text_of(value: Option<Value>) -> String {
    value
        .and_then(|v| v.as_text().map(|t| t.trim().to_owned()))
        .unwrap_or_default()
}

pub struct RecordRule {
    pub kind: Kind,
    /// The fields whose change has the rule checked (`EVERY_FIELD`: any change to the record).
    pub fields: &'static [&'static str],
    /// The field a form shows the message at.
    pub field: &'static str,
    pub message: &'static str,
    pub holds: fn(&Subject) -> bool,
}

/// The `fields` of a rule that any change to its record triggers (a lock).
pub const EVERY_FIELD: &[&str] = &["*"];

impl RecordRule {
    /// Whether a change to `field` has this rule checked.
    pub fn watches(&self, field: &str) -> bool {
        self.fields == EVERY_FIELD || self.fields.contains(&field)
    }

    /// Whether the change being checked touches this rule's fields.
    fn touched(&self, subject: &Subject) -> bool {
        if self.fields == EVERY_FIELD {
            let spec = self.kind.spec();
            spec.fields.iter().any(|f| subject.changed(f.name)) || subject.changed(DELETED)
        } else {
            self.fields.iter().any(|f| subject.changed(f))
        }
    }
}

/// Where a rule reads linked records: a `subject` record's rules read the records of `kind`
/// whose `field` names it. The server loads exactly these before checking a push.
pub struct RuleLink {
    pub subject: Kind,
    pub kind: Kind,
    pub field: &'static str,
}

pub const RULE_LINKS: &[RuleLink] = &[
    RuleLink {
        subject: Kind::Finding,
        kind: Kind::Action,
        field: views::Action::finding,
    },
    RuleLink {
        subject: Kind::Review,
        kind: Kind::Action,
        field: views::Action::review,
    },
];

/// Where a rule reads the record another names: a `subject` record's rules read the record
/// its reference `field` names (an action's finding, its review). The server loads these too.
pub struct RuleRef {
    pub subject: Kind,
    pub field: &'static str,
}

pub const RULE_REFS: &[RuleRef] = &[
    RuleRef {
        subject: Kind::Action,
        field: views::Action::finding,
    },
    RuleRef {
        subject: Kind::Action,
        field: views::Action::review,
    },
    RuleRef {
        subject: Kind::Finding,
        field: views::Finding::review,
    },
    RuleRef {
        subject: Kind::MaturitySnapshot,
        field: views::MaturitySnapshot::review,
    },
    RuleRef {
        subject: Kind::AuditCheck,
        field: views::AuditCheck::audit,
    },
    RuleRef {
        subject: Kind::DocumentVersion,
        field: views::DocumentVersion::document,
    },
];

/// Where a rule reads a record with an id of its own: a `subject` record's rules read the
/// `record` (the organisation's policy). The server loads it too.
pub struct RuleRecord {
    pub subject: Kind,
    pub record: fn() -> RecordId,
}

pub const RULE_RECORDS: &[RuleRecord] = &[
    RuleRecord {
        subject: Kind::Evidence,
        record: policy::id,
    },
    RuleRecord {
        subject: Kind::Risk,
        record: risk::criteria_id,
    },
];

/// The kinds a change to which is judged over the whole register: a maturity snapshot and an
/// approved SoA must hold what the register shows (`gate`). The server loads every record for
/// such a change (a snapshot is taken monthly and at a review's sign-off, an SoA approved a
/// few times a year, not at every edit).
pub const RULE_WHOLE: &[Kind] = &[Kind::MaturitySnapshot, Kind::SoaVersion];

/// What a stored register answers the loader of a change set's reads: the records whose
/// reference `field` names `target`, and every stored field of some records with the stamp
/// that wrote it. The worker answers from its tables; a test from a `Replica`.
pub trait Stored {
    type Error;
    fn linking(
        &self,
        kind: Kind,
        field: &'static str,
        target: RecordId,
    ) -> Result<Vec<RecordId>, Self::Error>;
    fn fields(&self, records: &BTreeSet<RecordId>) -> Result<Vec<StoredField>, Self::Error>;
    /// The whole register (`RULE_WHOLE`).
    fn everything(&self) -> Result<Replica, Self::Error>;
}

/// A stored field: its record, name, value and the stamp that wrote it.
pub type StoredField = (RecordId, String, Value, Stamp);

/// What the rules may read of the stored register to judge a change set, loaded before it is
/// judged, and derived only from what the rules declare: the records the changes touch (of a
/// kind with rules, or one a rule reads through `RULE_LINKS`), the records linking to them by
/// a declared link, and the records they name by a declared reference (`RULE_REFS`). Judged
/// with this lookup, a change set gets the same answer as over the whole register (a test
/// holds every rule to it), so the server reads what an edit touches, not the register.
#[derive(Default, Debug)]
pub struct Reads {
    fields: BTreeMap<(RecordId, String), (Value, Stamp)>,
    links: BTreeMap<(Kind, &'static str, RecordId), Vec<RecordId>>,
    whole: Option<Replica>,
}

impl Reads {
    pub fn load<S: Stored>(changes: &[Change], stored: &S) -> Result<Reads, S::Error> {
        let mut links = BTreeMap::new();
        for link in RULE_LINKS {
            let targets: BTreeSet<RecordId> = changes
                .iter()
                .filter(|c| c.kind == link.subject)
                .map(|c| c.record)
                .collect();
            for target in targets {
                links.insert(
                    (link.kind, link.field, target),
                    stored.linking(link.kind, link.field, target)?,
                );
            }
        }
        let mut touched: BTreeSet<RecordId> = changes
            .iter()
            .filter(|c| of(c.kind).next().is_some() || RULE_LINKS.iter().any(|l| l.kind == c.kind))
            .map(|c| c.record)
            .collect();
        touched.extend(links.values().flatten());
        touched.extend(
            RULE_RECORDS
                .iter()
                .filter(|r| changes.iter().any(|c| c.kind == r.subject))
                .map(|r| (r.record)()),
        );
        let whole = changes
            .iter()
            .any(|c| RULE_WHOLE.contains(&c.kind))
            .then(|| stored.everything())
            .transpose()?;
        let mut reads = Reads {
            fields: BTreeMap::new(),
            links,
            whole,
        };
        reads.add(stored.fields(&touched)?);
        // The records a declared reference names, as the change sets it or as it is stored.
        let named: BTreeSet<RecordId> = RULE_REFS
            .iter()
            .flat_map(|r| {
                let pushed = changes
                    .iter()
                    .filter(move |c| c.kind == r.subject && c.field == r.field)
                    .map(|c| c.value.clone());
                let stored = reads
                    .fields
                    .iter()
                    .filter(move |((_, field), _)| field == r.field)
                    .map(|(_, (value, _))| value.clone());
                pushed.chain(stored).collect::<Vec<_>>()
            })
            .filter_map(|value| value.as_text()?.parse().ok())
            .filter(|id| !touched.contains(id))
            .collect();
        reads.add(stored.fields(&named)?);
        Ok(reads)
    }

    fn add(&mut self, fields: Vec<StoredField>) {
        for (record, field, value, stamp) in fields {
            self.fields.insert((record, field), (value, stamp));
        }
    }
}

impl Lookup for Reads {
    fn field(&self, record: RecordId, field: &str) -> Option<Value> {
        let (value, _) = self.fields.get(&(record, field.to_owned()))?;
        Some(value.clone())
    }

    fn stamp(&self, record: RecordId, field: &str) -> Option<Stamp> {
        let (_, stamp) = self.fields.get(&(record, field.to_owned()))?;
        Some(*stamp)
    }

    fn linked(&self, kind: Kind, field: &str, target: RecordId) -> Vec<RecordId> {
        self.links
            .iter()
            .find(|((k, f, t), _)| *k == kind && *f == field && *t == target)
            .map(|(_, records)| records.clone())
            .unwrap_or_default()
    }

    fn whole(&self) -> Option<&Replica> {
        self.whole.as_ref()
    }
}

impl Stored for Replica {
    type Error = std::convert::Infallible;

    fn linking(
        &self,
        kind: Kind,
        field: &'static str,
        target: RecordId,
    ) -> Result<Vec<RecordId>, Self::Error> {
        Ok(Lookup::linked(self, kind, field, target))
    }

    fn fields(&self, records: &BTreeSet<RecordId>) -> Result<Vec<StoredField>, Self::Error> {
        Ok(records
            .iter()
            .filter_map(|&id| Some((id, self.record(id)?)))
            .flat_map(|(id, record)| {
                record
                    .fields
                    .iter()
                    .map(move |(name, state)| (id, name.clone(), state.value.clone(), state.stamp))
            })
            .collect())
    }

    fn everything(&self) -> Result<Replica, Self::Error> {
        Ok(self.clone())
    }
}

/// Every record rule, by register.
const ALL: &[&[RecordRule]] = &[
    soa::RULES,
    risk::RULES,
    metrics::RULES,
    documents::RULES,
    findings::RULES,
    audits::RULES,
    reviews::RULES,
    evidence::RULES,
    policy::RULES,
    walkthrough::RULES,
];

/// The record rules of `kind`.
pub fn of(kind: Kind) -> impl Iterator<Item = &'static RecordRule> {
    ALL.iter()
        .flat_map(|rules| rules.iter())
        .filter(move |r| r.kind == kind)
}

/// The rules `subject` breaks among those whose fields changed.
pub fn broken(kind: Kind, subject: &Subject) -> Vec<&'static RecordRule> {
    of(kind)
        .filter(|rule| rule.touched(subject) && !(rule.holds)(subject))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientId, sync::Device};

    #[test]
    fn pending_changes_move_links_and_fields_over_the_stored_records() {
        let mut device = Device::new(ClientId::new());
        let (finding, other, action) = (RecordId::new(), RecordId::new(), RecordId::new());
        device.edit(
            action,
            Kind::Action,
            "finding",
            finding.to_string().into(),
            1,
        );
        let stored = &device.local;
        assert_eq!(stored.linked(Kind::Action, "finding", finding), [action]);

        let moved = Value::from(other.to_string());
        let changes = [Change {
            record: action,
            kind: Kind::Action,
            field: "finding",
            value: &moved,
            stamp: None,
        }];
        let pending = Pending::new(stored, &changes);
        assert!(pending.linked(Kind::Action, "finding", finding).is_empty());
        assert_eq!(pending.linked(Kind::Action, "finding", other), [action]);
        assert_eq!(pending.field(action, "finding"), Some(moved));
    }
}
