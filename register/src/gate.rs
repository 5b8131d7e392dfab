//! The one gate. Every change to the register — a page's save on a device, a push on the
//! organisation's server, a CSV import, the demo's builder — is judged here and nowhere
//! else, so a change the device accepts is one the server accepts, for the same reasons.
//!
//! For each change it checks that the field exists, that the author's role may write it (or
//! file it, for a report), that the value fits the field, that a report is filed as filed and
//! that an append-only record is not changed. Over the change set as a whole it then checks
//! what only some roles do, some only in the author's own name (`DUTIES`), that the people a
//! change names are members of the organisation, the record rules (`rules`) over each record
//! as the whole change set leaves it, and that a new record has its required fields.

use crate::choices::{ActionStatus, Occasion};
use crate::{
    ClientId, Kind, Op, RecordId, Replica, Role, Value, dates, findings, maturity,
    rules::{self, Change, Lookup, Pending, Subject},
    schema::{DELETED, FieldError, FieldType, check_filing},
    soa,
    views::{
        Action, Audit, Document, DocumentVersion, MaturitySnapshot, Review, Risk, RiskCriteria,
        SoaVersion,
    },
};
use engine::server::{Judge, Judgement, Pusher, ServerView};
use std::collections::{BTreeMap, BTreeSet};

/// Who makes a change.
#[derive(Clone, Copy, Debug)]
pub struct Who<'a> {
    /// The member, in an organisation. A register kept on one device with no organisation
    /// has no members to name: its rules on who acts in whose name do not apply.
    pub member: Option<&'a str>,
    pub role: Role,
}

impl Who<'_> {
    /// The one person of a register kept on a device alone (or the demo's builder).
    pub const ALONE: Who<'static> = Who {
        member: None,
        role: Role::Owner,
    };
}

/// What the gate knows beyond the records: the organisation's members.
#[derive(Clone, Debug, Default)]
pub struct Gate {
    /// The ids of the organisation's current members. `None` where there is no members list
    /// (a device on its own, the demo, a form checked before anything is known): people are
    /// then not checked against it.
    pub members: Option<BTreeSet<String>>,
    /// Today (`YYYY-MM-DD`), where what is judged depends on it: an action's effectiveness is
    /// verified from its check's due date. `None` judges nothing by the date.
    pub today: Option<String>,
}

/// Why one change is refused: `at` is its position in the change set, `field` the field a
/// form shows the message at (a record rule's, which may be another than the one changed).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Refusal {
    pub at: usize,
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Something only some roles do, some of it only in the doer's own name: `acts` recognises
/// the change that does it; where `own_name` names a field, that field must name the author,
/// set in the same change set.
struct Duty {
    kind: Kind,
    acts: fn(&Change) -> bool,
    who_may: fn(Role) -> bool,
    not_allowed: &'static str,
    own_name: Option<&'static str>,
    not_own: &'static str,
}

const ANYONE_WHO_WRITES: fn(Role) -> bool = |_| true;

const DUTIES: &[Duty] = &[
    Duty {
        kind: Kind::Action,
        acts: |c| c.field == Action::effective || c.field == Action::verified_by,
        who_may: ANYONE_WHO_WRITES,
        not_allowed: "",
        own_name: Some(Action::verified_by),
        not_own: "A verification is recorded in the verifier's own name.",
    },
    Duty {
        kind: Kind::Action,
        acts: |c| {
            c.field == Action::completed_by
                || (c.field == Action::status
                    && c.value.as_text() == Some(ActionStatus::Done.name()))
        },
        who_may: ANYONE_WHO_WRITES,
        not_allowed: "",
        own_name: Some(Action::completed_by),
        not_own: "An action is marked done in the name of the one who marks it.",
    },
    Duty {
        kind: Kind::Review,
        acts: |c| c.field == Review::signed_off_at || c.field == Review::signed_off_by,
        who_may: Role::manages_members,
        not_allowed: "Only an owner or admin signs a management review off.",
        own_name: Some(Review::signed_off_by),
        not_own: "A review is signed off in the signer's own name.",
    },
    Duty {
        kind: Kind::Audit,
        acts: |c| c.field == Audit::acknowledged_at || c.field == Audit::acknowledged_by,
        who_may: Role::manages_members,
        not_allowed: "Only an owner or admin acknowledges an audit report.",
        own_name: Some(Audit::acknowledged_by),
        not_own: "An audit report is acknowledged in the acknowledger's own name.",
    },
    Duty {
        kind: Kind::Risk,
        acts: |c| c.field == Risk::acceptance_approver,
        who_may: ANYONE_WHO_WRITES,
        not_allowed: "",
        own_name: Some(Risk::acceptance_approver),
        not_own: "A risk is accepted in its owner's own name: the owner accepts it on their own device.",
    },
    Duty {
        kind: Kind::Risk,
        acts: |c| c.field == Risk::plan_approved_by,
        who_may: ANYONE_WHO_WRITES,
        not_allowed: "",
        own_name: Some(Risk::plan_approved_by),
        not_own: "A treatment plan is approved in its owner's own name.",
    },
    Duty {
        kind: Kind::RiskCriteria,
        acts: |c| c.field == RiskCriteria::approved_by,
        who_may: Role::manages_members,
        not_allowed: "Only an owner or admin approves the risk criteria.",
        own_name: Some(RiskCriteria::approved_by),
        not_own: "The risk criteria are approved in the approver's own name.",
    },
    Duty {
        kind: Kind::SoaVersion,
        acts: |c| c.field == SoaVersion::approved_by || c.field == SoaVersion::approved_on,
        who_may: Role::manages_members,
        not_allowed: "Only an owner or admin approves the Statement of Applicability.",
        own_name: Some(SoaVersion::approved_by),
        not_own: "The SoA is approved in the approver's own name.",
    },
    Duty {
        kind: Kind::Document,
        acts: |c| c.field == Document::draft || c.field == Document::draft_author,
        who_may: ANYONE_WHO_WRITES,
        not_allowed: "",
        own_name: Some(Document::draft_author),
        not_own: "A draft is written in its writer's own name.",
    },
    Duty {
        kind: Kind::DocumentVersion,
        acts: |c| {
            c.field == DocumentVersion::approved_by || c.field == DocumentVersion::approved_on
        },
        who_may: Role::manages_members,
        not_allowed: "Only an owner or admin approves a document.",
        own_name: Some(DocumentVersion::approved_by),
        not_own: "A document is approved in the approver's own name.",
    },
    Duty {
        kind: Kind::Finding,
        acts: |c| c.field == DELETED && c.value.as_bool() == Some(true),
        who_may: Role::manages_members,
        not_allowed: "Only an owner or admin deletes a finding.",
        own_name: None,
        not_own: "",
    },
];

impl Gate {
    /// Judges a change set over `register` as it is; `is_new` says which records it holds no
    /// trace of. Every refusal, each at its change; empty when the change set may be stored.
    pub fn judge(
        &self,
        who: Who,
        changes: &[Change],
        register: &dyn Lookup,
        is_new: &dyn Fn(RecordId) -> bool,
    ) -> Vec<Refusal> {
        let refusals: Vec<Refusal> = changes
            .iter()
            .enumerate()
            .filter_map(|(at, change)| {
                let (code, message) = admit(who, change, is_new(change.record)).err()?;
                Some(Refusal {
                    at,
                    field: change.field.to_owned(),
                    code,
                    message,
                })
            })
            .collect();
        // The rest is judged over the changes that passed, as the server stores only those.
        let kept: Vec<usize> = (0..changes.len())
            .filter(|at| !refusals.iter().any(|r| r.at == *at))
            .collect();
        let set: Vec<Change> = kept.iter().map(|&at| changes[at]).collect();
        let mut later = Vec::new();
        later.extend(duties(who, &set));
        later.extend(self.strangers(&set));
        later.extend(self.too_early(who, &set, register));
        later.extend(broken_rules(&set, register));
        later.extend(misstatements(&set, register));
        let later: Vec<Refusal> = later
            .into_iter()
            .map(|r| Refusal {
                at: kept[r.at],
                ..r
            })
            .collect();
        let missing = missing_required(changes, &refusals, &later, is_new);
        [refusals, later, missing].concat()
    }

    /// Refusals of effectiveness checks recorded before their due date: the fix must first
    /// have been tested by ordinary work. An owner or admin may record one early, saying why.
    fn too_early(&self, who: Who, changes: &[Change], register: &dyn Lookup) -> Vec<Refusal> {
        let Some(today) = &self.today else {
            return Vec::new();
        };
        let after = Pending::new(register, changes);
        let text = |record, field| rules::text_of(after.field(record, field));
        changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == Kind::Action && c.field == Action::effective)
            .filter(|(_, c)| !c.value.is_null())
            .filter_map(|(at, c)| {
                let due = text(c.record, Action::check_due);
                if !findings::before_due(&due, today) {
                    return None;
                }
                let (field, message) = if !who.role.manages_members() {
                    (Action::effective, findings::checked_from(&due))
                } else if text(c.record, Action::early_check_reason).is_empty() {
                    (
                        Action::early_check_reason,
                        format!("Say why the effectiveness is checked before {due}."),
                    )
                } else {
                    return None;
                };
                Some(Refusal {
                    at,
                    field: field.to_owned(),
                    code: "too_early",
                    message,
                })
            })
            .collect()
    }

    /// Refusals of changes naming someone who is not a member of the organisation.
    fn strangers(&self, changes: &[Change]) -> Vec<Refusal> {
        let Some(members) = &self.members else {
            return Vec::new();
        };
        changes
            .iter()
            .enumerate()
            .filter(|(_, c)| names_people(c.kind, c.field))
            .filter_map(|(at, c)| {
                let named: Vec<&str> = match c.value {
                    Value::Text(id) => vec![id.as_str()],
                    Value::List(ids) => ids.iter().map(String::as_str).collect(),
                    _ => Vec::new(),
                };
                let stranger = named.into_iter().find(|id| !members.contains(*id))?;
                Some(Refusal {
                    at,
                    field: c.field.to_owned(),
                    code: "not_a_member",
                    message: format!(
                        "{stranger} is not a member of this organisation: choose one of its members."
                    ),
                })
            })
            .collect()
    }

    /// Judges a change set as a form would show it: each refusal at its field, once.
    pub fn field_errors(
        &self,
        who: Who,
        changes: &[Change],
        register: &dyn Lookup,
        is_new: &dyn Fn(RecordId) -> bool,
    ) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        for refusal in self.judge(who, changes, register, is_new) {
            let error = FieldError {
                field: refusal.field,
                message: refusal.message,
            };
            if !errors.contains(&error) {
                errors.push(error);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Whether `field` of `kind` names members (an owner, a verifier, attendees).
fn names_people(kind: Kind, field: &str) -> bool {
    kind.spec().field(field).is_some_and(|f| {
        matches!(
            f.ty,
            FieldType::Ref(Kind::Member) | FieldType::Refs(Kind::Member)
        )
    })
}

/// The checks of one change on its own.
fn admit(who: Who, change: &Change, new: bool) -> Result<(), (&'static str, String)> {
    let (role, spec) = (who.role, change.kind.spec());
    let Some(field) = spec.field(change.field) else {
        return Err((
            "unknown_field",
            format!("A {} has no field “{}”.", spec.label, change.field),
        ));
    };
    // A new record is one the register has no trace of; a role that may only file a kind
    // (a viewer's report) sets its fields in the change that creates it.
    let files = !role.may_write(change.kind) && new && role.may_create(change.kind);
    if !role.may_write(change.kind) && !files {
        let once = if role.may_create(change.kind) {
            " once filed"
        } else {
            ""
        };
        return Err((
            "forbidden",
            format!(
                "A {} may not change {} records{once}.",
                role.name(),
                spec.label
            ),
        ));
    }
    field
        .check(change.value)
        .map_err(|invalid| (invalid.code, invalid.message))?;
    if files {
        check_filing(field.name, change.value, who.member.unwrap_or_default())
            .map_err(|triage| ("forbidden", triage.message))?;
    }
    if spec.append_only && (!new || field.name == DELETED) {
        return Err((
            "append_only",
            format!(
                "A {} cannot be changed or deleted once recorded.",
                spec.label
            ),
        ));
    }
    Ok(())
}

/// Refusals of what only some roles do, or only in the doer's own name (`DUTIES`).
fn duties(who: Who, changes: &[Change]) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    for (at, change) in changes.iter().enumerate() {
        if change.value.is_null() {
            continue;
        }
        for duty in DUTIES
            .iter()
            .filter(|d| d.kind == change.kind && (d.acts)(change))
        {
            let message = if !(duty.who_may)(who.role) {
                duty.not_allowed
            } else if let (Some(me), Some(name)) = (who.member, duty.own_name) {
                let names_me = |c: &Change| {
                    c.record == change.record && c.field == name && c.value.as_text() == Some(me)
                };
                if changes.iter().any(names_me) {
                    continue;
                }
                duty.not_own
            } else {
                continue;
            };
            refusals.push(Refusal {
                at,
                field: duty.own_name.unwrap_or(change.field).to_owned(),
                code: "forbidden",
                message: message.to_owned(),
            });
        }
    }
    refusals
}

/// Refusals of the changes that would break a record rule, each record judged as the whole
/// change set leaves it over `register` (a finding closed in the same change set that
/// finishes its action is judged with the action done). A broken rule refuses the changes to
/// its fields, not the record's other changes. Only rules whose fields the change set
/// touches are judged, so a record two people made inconsistent at once can still be edited.
fn broken_rules(changes: &[Change], register: &dyn Lookup) -> Vec<Refusal> {
    let after = Pending::new(register, changes);
    let mut by_record: BTreeMap<RecordId, (Kind, Vec<usize>)> = BTreeMap::new();
    for (at, change) in changes.iter().enumerate() {
        if rules::of(change.kind).next().is_some() {
            by_record
                .entry(change.record)
                .or_insert((change.kind, Vec::new()))
                .1
                .push(at);
        }
    }
    let mut refusals = Vec::new();
    for (record, (kind, positions)) in by_record {
        // A change lost to a newer stored value changes nothing, and triggers nothing.
        let changed = |field: &str| after.changes(record, field);
        let subject = Subject {
            id: record,
            before: register,
            after: &after,
            changed: &changed,
        };
        let broken = rules::broken(kind, &subject);
        for at in positions {
            for rule in broken.iter().filter(|r| r.watches(changes[at].field)) {
                refusals.push(Refusal {
                    at,
                    field: rule.field.to_owned(),
                    code: "record_rule",
                    message: rule.message.to_owned(),
                });
            }
        }
    }
    refusals
}

/// Refusals of new records that lack a required field, at the record's first change. A value
/// refused on its own (`inadmissible`) is not given; a field refused already, for any
/// reason, is not reported twice.
fn missing_required(
    changes: &[Change],
    inadmissible: &[Refusal],
    refused: &[Refusal],
    is_new: &dyn Fn(RecordId) -> bool,
) -> Vec<Refusal> {
    let mut created: BTreeMap<RecordId, (usize, Kind, BTreeSet<&str>)> = BTreeMap::new();
    for (at, change) in changes.iter().enumerate() {
        if !is_new(change.record) {
            continue;
        }
        let entry = created
            .entry(change.record)
            .or_insert((at, change.kind, BTreeSet::new()));
        if !change.value.is_null() && !inadmissible.iter().any(|r| r.at == at) {
            entry.2.insert(change.field);
        }
    }
    let mut refusals = Vec::new();
    for (record, (first, kind, given)) in created {
        for required in kind.spec().required() {
            let reported = inadmissible
                .iter()
                .chain(refused)
                .any(|r| r.field == required.name && changes[r.at].record == record);
            if !given.contains(required.name) && !reported {
                refusals.push(Refusal {
                    at: first,
                    field: required.name.to_owned(),
                    code: "missing_required",
                    message: format!("“{}” is required.", required.name),
                });
            }
        }
    }
    refusals
}

/// The changes of one record, as a page makes them.
pub fn changes_of<'a>(
    record: RecordId,
    kind: Kind,
    fields: &'a [(&'a str, Value)],
) -> Vec<Change<'a>> {
    fields
        .iter()
        .map(|(field, value)| Change {
            record,
            kind,
            field,
            value,
            stamp: None,
        })
        .collect()
}

/// The authenticated writer of a push: their device, the member it belongs to, their role.
#[derive(Clone, Debug)]
pub struct Author {
    pub client: ClientId,
    pub member: String,
    pub role: Role,
}

impl Pusher for Author {
    fn client(&self) -> ClientId {
        self.client
    }
}

/// The value a change set gives a field of the record being judged, if it sets it.
pub type SetValue<'a> = &'a dyn Fn(&str) -> Option<Value>;

/// A record that states what the whole register shows, judged over the register as the
/// changes before it leave it: `misstated` says why the fields it sets do not, if they do not.
struct Statement {
    kind: Kind,
    code: &'static str,
    misstated: fn(&Replica, SetValue) -> Option<String>,
}

const STATEMENTS: &[Statement] = &[
    Statement {
        kind: Kind::MaturitySnapshot,
        code: "snapshot_misstated",
        misstated: misstated_snapshot,
    },
    Statement {
        kind: Kind::SoaVersion,
        code: "soa_misstated",
        misstated: soa::misstated,
    },
];

/// A maturity snapshot holds the levels and figures `maturity::snapshot_of` computes on its
/// day, so no device records a maturity the register has not earned. (A snapshot taken from
/// a register that has changed since, on another device, is refused too; the dashboard
/// takes the month's again.) One without its day or occasion is refused as incomplete.
fn misstated_snapshot(whole: &Replica, set: SetValue) -> Option<String> {
    let text = |field| set(field)?.as_text().map(str::to_owned);
    let day = text(MaturitySnapshot::taken_on).and_then(|t| dates::date(&t))?;
    let review = text(MaturitySnapshot::review).and_then(|id| id.parse().ok());
    let occasion = text(MaturitySnapshot::occasion).and_then(|t| Occasion::from_name(&t))?;
    let computed = maturity::snapshot_of(whole, day, occasion, review);
    let misstated = [MaturitySnapshot::levels, MaturitySnapshot::figures]
        .into_iter()
        .any(|field| {
            let expected = computed.iter().find(|(f, _)| *f == field).map(|(_, v)| v);
            set(field).as_ref() != expected
        });
    misstated.then(|| format!(
        "This maturity snapshot's levels or figures are not what the register shows on {day}: a snapshot holds what Ratchet computes from the register (which may have changed since it was taken), so it is not kept."
    ))
}

/// Refusals of the records that misstate the register (`STATEMENTS`): every change of such a
/// record, so a device gives all of it up.
fn misstatements(changes: &[Change], register: &dyn Lookup) -> Vec<Refusal> {
    let mut records: BTreeMap<RecordId, (&Statement, Vec<usize>)> = BTreeMap::new();
    for (at, change) in changes.iter().enumerate() {
        if let Some(statement) = STATEMENTS.iter().find(|s| s.kind == change.kind) {
            records
                .entry(change.record)
                .or_insert_with(|| (statement, Vec::new()))
                .1
                .push(at);
        }
    }
    let mut refusals = Vec::new();
    for (record, (statement, ats)) in records {
        let set = |field: &str| {
            changes
                .iter()
                .rfind(|c| c.record == record && c.field == field)
                .map(|c| c.value.clone())
        };
        let message = match register.whole() {
            None => Some(format!(
                "A {} is judged over the whole register, which is not at hand here.",
                statement.kind.spec().label.to_lowercase()
            )),
            Some(whole) => (statement.misstated)(&rules::as_left(whole, &changes[..ats[0]]), &set),
        };
        if let Some(message) = message {
            refusals.extend(ats.iter().map(|&at| Refusal {
                at,
                field: changes[at].field.to_owned(),
                code: statement.code,
                message: message.clone(),
            }));
        }
    }
    refusals
}

/// The server's push judged by the gate: the ops as changes over the stored state, each op
/// refused once for each reason, and a new record's missing fields named together.
impl<V: ServerView<Kind> + Lookup> Judge<V> for Gate {
    type Kind = Kind;
    type Author = Author;

    fn judge(&self, author: &Author, ops: &[&Op], view: &V) -> Vec<Judgement> {
        let who = Who {
            member: Some(&author.member),
            role: author.role,
        };
        self.judge_ops(who, ops, view)
    }
}

impl Gate {
    /// A push's ops judged as `who` makes them, as the server's push refuses them.
    pub fn judge_ops<V: ServerView<Kind> + Lookup>(
        &self,
        who: Who,
        ops: &[&Op],
        view: &V,
    ) -> Vec<Judgement> {
        let changes: Vec<Change> = ops.iter().map(|op| Change::of(op)).collect();
        let is_new = |record| view.record_kind(record).is_none();
        let mut judgements: Vec<Judgement> = Vec::new();
        let mut missing: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for refusal in self.judge(who, &changes, view, &is_new) {
            if refusal.code == "missing_required" {
                missing.entry(refusal.at).or_default().push(refusal.field);
            } else if !judgements
                .iter()
                .any(|j| j.at == refusal.at && j.message == refusal.message)
            {
                judgements.push(Judgement {
                    at: refusal.at,
                    code: refusal.code.to_owned(),
                    message: refusal.message,
                });
            }
        }
        judgements.extend(missing.into_iter().map(|(at, fields)| Judgement {
            at,
            code: "missing_required".to_owned(),
            message: format!(
                "A new {} needs {} in the same push.",
                ops[at].kind.spec().label,
                fields.join(", ")
            ),
        }));
        judgements
    }
}

/// New values for fields of one record: one part of a change set, as the workflow's verbs
/// (`findings::mark_done`, `reviews::sign_off` …) return them and a page applies them.
#[derive(Clone, PartialEq, Debug)]
pub struct Edit {
    pub record: RecordId,
    pub kind: Kind,
    pub fields: Vec<(&'static str, Value)>,
}

/// The changes a change set makes, in order, for the gate.
pub fn changes_in(set: &[Edit]) -> Vec<Change<'_>> {
    set.iter()
        .flat_map(|edit| changes_of(edit.record, edit.kind, &edit.fields))
        .collect()
}

/// Why no change to `record` would pass now, if none would: the locks among its kind's rules
/// (a closed finding, a signed-off review, a reported audit's check), judged with the record
/// as it is. A page shows the record read only, with this reason.
pub fn locked(kind: Kind, record: RecordId, register: &dyn Lookup) -> Option<&'static str> {
    let any_field = |_: &str| true;
    let subject = Subject {
        id: record,
        before: register,
        after: register,
        changed: &any_field,
    };
    rules::of(kind)
        .filter(|rule| rule.fields == rules::EVERY_FIELD)
        .find(|rule| !(rule.holds)(&subject))
        .map(|rule| rule.message)
}
