//! Management review (clause 9.3): the period a review covers, its inputs (9.3.2) assembled
//! from the register with figures and the records behind them, its outputs (9.3.3: actions
//! naming it, typed), and the sign-off that freezes it. The freeze is a record rule, so the
//! app and the server refuse a later change alike; only owners and admins sign off, in their
//! own name.

use crate::choices::{
    ActionStatus, ActionType, AuditStatus, ContextItemType, ContextStatus, EventType,
    FindingStatus, FindingType, Occasion, ReviewStatus, RiskStatus,
};
use crate::{
    Kind, RecordId, Replica, Value, dates,
    gate::{Edit, changes_in},
    indicators::{Inputs, Period, day_of},
    maturity::{self, level_name},
    metrics::{self, ObjectiveStatus, Standing},
    risk::Rating,
    rules::{self, EVERY_FIELD, Linked, RecordRule, Subject},
    schema::{DELETED, choice_words},
    views::{
        Action, Audit, AuditCheck, ContextItem, Event, Finding, MaturitySnapshot, Review, Risk,
    },
};
use chrono::{DateTime, NaiveDate};

pub const SIGNED_OFF: &str = "This management review is signed off and no longer changes: record anything new in the next review.";

/// Whether a review, as `lookup` holds it, is signed off.
fn signed_off_in(lookup: &dyn crate::rules::Lookup, review: RecordId) -> bool {
    lookup
        .field(review, Review::signed_off_at)
        .is_some_and(|v| !v.is_null())
}

pub const RULES: &[RecordRule] = &[
    RecordRule {
        kind: Kind::Review,
        fields: EVERY_FIELD,
        field: Review::signed_off_at,
        message: SIGNED_OFF,
        holds: |s| !signed_off_in(s.before, s.id),
    },
    RecordRule {
        kind: Kind::Review,
        fields: &[Review::signed_off_at, Review::status],
        field: Review::status,
        message: "A review is signed off once it has been held: set its status to “held”.",
        holds: |s| {
            s.text(Review::signed_off_at).is_empty()
                || s.text(Review::status) == ReviewStatus::Held.name()
        },
    },
    RecordRule {
        kind: Kind::Review,
        fields: &[Review::signed_off_at, Review::signed_off_by],
        field: Review::signed_off_by,
        message: "Say who signs the review off.",
        holds: |s| {
            s.text(Review::signed_off_at).is_empty() || !s.text(Review::signed_off_by).is_empty()
        },
    },
    RecordRule {
        kind: Kind::Review,
        fields: &[Review::signed_off_at, Review::attendees],
        field: Review::attendees,
        message: "A review is signed off with its attendees: say who took part.",
        holds: |s| s.text(Review::signed_off_at).is_empty() || has_items(s, Review::attendees),
    },
    RecordRule {
        kind: Kind::Review,
        fields: &[Review::signed_off_at, Review::decisions],
        field: Review::decisions,
        message: "A review is signed off with its decisions: say what management decided.",
        holds: |s| {
            s.text(Review::signed_off_at).is_empty() || !s.text(Review::decisions).is_empty()
        },
    },
    RecordRule {
        kind: Kind::Review,
        fields: &[Review::signed_off_at],
        field: Review::on_previous_actions,
        message: "A review is signed off once each input of 9.3.2 a–g has its commentary: say what the review made of each.",
        holds: |s| {
            s.text(Review::signed_off_at).is_empty()
                || REQUIRED_COMMENTARY.iter().all(|f| !s.text(f).is_empty())
        },
    },
    RecordRule {
        kind: Kind::Review,
        fields: &[Review::signed_off_at],
        field: Review::signed_off_at,
        message: "A review is signed off with its outputs (9.3.3), each with an owner and a due date: add them first.",
        holds: |s| {
            let outputs: Vec<Linked> = s.linked(Kind::Action, Action::review);
            s.text(Review::signed_off_at).is_empty()
                || (!outputs.is_empty()
                    && outputs.iter().all(|a| {
                        !a.text(Action::owner).is_empty() && !a.text(Action::due).is_empty()
                    }))
        },
    },
    // A signed-off review's outputs are part of it: no action joins or leaves, and none
    // changes what it is, who owns it or when it is due. (The actions still progress: their
    // status, completion and verification.)
    RecordRule {
        kind: Kind::Action,
        fields: &[
            Action::review,
            Action::output_type,
            Action::title,
            Action::description,
            Action::action_type,
            Action::owner,
            Action::due,
            DELETED,
        ],
        field: Action::review,
        message: "That management review is signed off: its outputs stay as signed. Record this in the next review.",
        holds: |s| {
            s.named(Action::review)
                .into_iter()
                .all(|review| !signed_off_in(s.before, review))
        },
    },
    RecordRule {
        kind: Kind::Finding,
        fields: &[Finding::review],
        field: Finding::review,
        message: "That management review is signed off: nothing more is attached to it. Record this in the next review.",
        holds: |s| after_sign_off_nothing_joins(s, Finding::review),
    },
    RecordRule {
        kind: Kind::MaturitySnapshot,
        fields: &[MaturitySnapshot::review],
        field: MaturitySnapshot::review,
        message: "That management review is signed off: nothing more is attached to it. Record this in the next review.",
        holds: |s| after_sign_off_nothing_joins(s, MaturitySnapshot::review),
    },
];

/// The commentary a review needs before it is signed off: one for each input of 9.3.2 a–g.
pub const REQUIRED_COMMENTARY: &[&str] = &[
    Review::on_previous_actions,
    Review::on_issues,
    Review::on_interested_parties,
    Review::on_performance,
    Review::on_feedback,
    Review::on_risks,
    Review::on_improvement,
];

fn has_items(s: &Subject, field: &str) -> bool {
    s.get(field)
        .and_then(|v| v.as_list().map(|items| !items.is_empty()))
        .unwrap_or(false)
}

/// Whether the review `field` names, if any, was not yet signed off.
fn after_sign_off_nothing_joins(s: &Subject, field: &str) -> bool {
    s.text(field)
        .parse()
        .map_or(true, |review| !signed_off_in(s.before, review))
}

fn review_day(review: &Review) -> Option<NaiveDate> {
    review.date.as_deref().and_then(dates::date)
}

/// The review held before this one: the latest other review dated before it.
pub fn previous(register: &Replica, review: &Review) -> Option<Review> {
    let day = review_day(review)?;
    register
        .all::<Review>()
        .into_iter()
        .filter(|r| r.id != review.id && review_day(r).is_some_and(|d| d < day))
        .max_by_key(review_day)
}

/// The days a review covers: from its stated start, else the day after the previous review,
/// else the twelve months before it; to its date.
pub fn period(register: &Replica, review: &Review) -> Option<Period> {
    let last = review_day(review)?;
    let first = review
        .period_start
        .as_deref()
        .and_then(dates::date)
        .or_else(|| previous(register, review).and_then(|p| review_day(&p)?.succ_opt()))
        .or_else(|| last.checked_sub_months(chrono::Months::new(12)))?;
    Some(Period {
        first: first.min(last),
        last,
    })
}

/// The day a record last changed, from its fields' stamps.
pub fn changed_on(register: &Replica, record: RecordId) -> Option<NaiveDate> {
    last_changed(register.record(record)?)
}

/// The day of a record's newest field stamp.
pub fn last_changed(record: &crate::RecordState) -> Option<NaiveDate> {
    let wall = record.fields.values().map(|f| f.stamp.hlc.wall).max()?;
    DateTime::from_timestamp_millis(i64::try_from(wall).ok()?).map(|t| t.date_naive())
}

/// One line of a review's inputs: a figure or a fact, and the records it comes from.
#[derive(Clone, PartialEq, Debug)]
pub struct Line {
    pub text: String,
    pub records: Vec<RecordId>,
}

impl Line {
    fn new(text: impl Into<String>, records: Vec<RecordId>) -> Line {
        Line {
            text: text.into(),
            records,
        }
    }
}

/// One input clause 9.3.2 asks a review to consider, with the field holding the people's
/// commentary on it.
#[derive(Clone, PartialEq, Debug)]
pub struct Section {
    pub clause: &'static str,
    pub title: &'static str,
    pub commentary: &'static str,
    pub lines: Vec<Line>,
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The actions that are outputs of a review, oldest first.
pub fn outputs(register: &Replica, review: RecordId) -> Vec<Action> {
    register
        .all::<Action>()
        .into_iter()
        .filter(|a| a.review == Some(review))
        .collect()
}

fn is_open(action: &Action) -> bool {
    !matches!(
        action.status,
        Some(ActionStatus::Done | ActionStatus::Cancelled)
    )
}

fn action_line(action: &Action, today: &str) -> Line {
    let status = choice_words(action.status.unwrap_or(ActionStatus::Open).name());
    let due = match action.due.as_deref() {
        Some(due) if dates::is_overdue(due, today) => format!(", overdue since {due}"),
        Some(due) => format!(", due {due}"),
        None => String::new(),
    };
    let title = action.title.as_deref().unwrap_or("Untitled action");
    Line::new(format!("{title}: {status}{due}."), vec![action.id])
}

/// a) Outputs of earlier reviews: how many are done, and each still open (carried forward).
fn previous_actions(register: &Replica, review: &Review, today: &str) -> Vec<Line> {
    let Some(day) = review_day(review) else {
        return Vec::new();
    };
    let earlier: Vec<RecordId> = register
        .all::<Review>()
        .into_iter()
        .filter(|r| r.id != review.id && review_day(r).is_some_and(|d| d < day))
        .map(|r| r.id)
        .collect();
    let actions: Vec<Action> = register
        .all::<Action>()
        .into_iter()
        .filter(|a| a.review.is_some_and(|r| earlier.contains(&r)))
        .collect();
    if actions.is_empty() {
        return vec![Line::new(
            "No actions came from earlier reviews.",
            Vec::new(),
        )];
    }
    let done: Vec<RecordId> = actions
        .iter()
        .filter(|a| a.status == Some(ActionStatus::Done))
        .map(|a| a.id)
        .collect();
    let mut lines = vec![Line::new(
        format!(
            "{} of {} from earlier reviews done.",
            done.len(),
            plural(actions.len(), "action", "actions")
        ),
        done,
    )];
    lines.extend(
        actions
            .iter()
            .filter(|a| is_open(a))
            .map(|a| action_line(a, today)),
    );
    lines
}

/// b) and c): the context items of these types changed in the period, and how many stand.
fn context_changes(
    register: &Replica,
    period: Period,
    types: &[ContextItemType],
    what: &str,
) -> Vec<Line> {
    let items: Vec<ContextItem> = register
        .all::<ContextItem>()
        .into_iter()
        .filter(|c| c.item_type.is_some_and(|t| types.contains(&t)))
        .collect();
    let current: Vec<RecordId> = items
        .iter()
        .filter(|c| c.status != Some(ContextStatus::Retired))
        .map(|c| c.id)
        .collect();
    let mut lines = vec![Line::new(
        format!(
            "{} recorded.",
            plural(current.len(), what, &format!("{what}s"))
        ),
        current,
    )];
    let changed: Vec<&ContextItem> = items
        .iter()
        .filter(|c| changed_on(register, c.id).is_some_and(|d| period.contains(d)))
        .collect();
    if changed.is_empty() {
        lines.push(Line::new(
            format!("No changes since {}.", period.first),
            Vec::new(),
        ));
    }
    for item in changed {
        let kind = choice_words(item.item_type.map_or("", ContextItemType::name));
        let retired = if item.status == Some(ContextStatus::Retired) {
            ", retired"
        } else {
            ""
        };
        let on = changed_on(register, item.id)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let title = item.title.as_deref().unwrap_or("Untitled");
        lines.push(Line::new(
            format!("Changed {on}: {title} ({kind}{retired})."),
            vec![item.id],
        ));
    }
    lines
}

/// d) Performance: nonconformities and their corrective actions, measurement, audits and
/// objectives.
fn performance(register: &Replica, inputs: &Inputs, period: Period, today: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let ncs: Vec<&Finding> = inputs
        .findings
        .iter()
        .filter(|f| {
            f.finding_type
                .is_some_and(crate::findings::is_nonconformity)
        })
        .collect();
    let raised: Vec<RecordId> = ncs
        .iter()
        .filter(|f| period.holds(f.raised_at.as_deref()))
        .map(|f| f.id)
        .collect();
    let closed: Vec<RecordId> = ncs
        .iter()
        .filter(|f| f.status == Some(FindingStatus::Closed) && period.holds(f.closed_at.as_deref()))
        .map(|f| f.id)
        .collect();
    lines.push(Line::new(
        format!(
            "{} raised and {} closed in the period.",
            plural(raised.len(), "nonconformity", "nonconformities"),
            closed.len()
        ),
        raised.iter().chain(&closed).copied().collect(),
    ));
    for nc in ncs
        .iter()
        .filter(|f| f.status != Some(FindingStatus::Closed))
    {
        let title = nc.title.as_deref().unwrap_or("Untitled finding");
        let status = choice_words(nc.status.unwrap_or(FindingStatus::Open).name());
        let kind = choice_words(nc.finding_type.map_or("", FindingType::name));
        lines.push(Line::new(
            format!("Open: {title} ({kind}, {status})."),
            vec![nc.id],
        ));
        for action in inputs.actions.iter().filter(|a| a.finding == Some(nc.id)) {
            let mut line = action_line(action, today);
            line.text = format!("— {}", line.text);
            lines.push(line);
        }
    }
    let series = inputs.series_by_period_end();
    let measured: Vec<(RecordId, Standing, String)> = inputs
        .metrics
        .iter()
        .filter_map(|m| {
            let latest = series.get(&m.id)?.last()?.value?;
            let standing = metrics::standing(m, latest);
            (standing != Standing::NoTarget)
                .then(|| (m.id, standing, m.name.clone().unwrap_or_default()))
        })
        .collect();
    let on_target = measured
        .iter()
        .filter(|(_, s, _)| *s == Standing::Met)
        .count();
    lines.push(Line::new(
        format!(
            "Metrics on target: {on_target} of {} measured against a target.",
            measured.len()
        ),
        measured.iter().map(|(id, _, _)| *id).collect(),
    ));
    for (id, standing, name) in measured.iter().filter(|(_, s, _)| *s != Standing::Met) {
        lines.push(Line::new(
            format!("{name}: {}.", standing.label()),
            vec![*id],
        ));
    }
    let checks: Vec<AuditCheck> = register.all();
    for audit in register.all::<Audit>() {
        let day = audit
            .performed_date
            .as_deref()
            .or(audit.planned_date.as_deref());
        let held = matches!(
            audit.status,
            Some(AuditStatus::InProgress | AuditStatus::Reported | AuditStatus::Closed)
        );
        if !held || !period.holds(day) {
            continue;
        }
        let own: Vec<AuditCheck> = checks
            .iter()
            .filter(|c| c.audit == Some(audit.id))
            .cloned()
            .collect();
        let results: Vec<String> = crate::audits::results(&own)
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(result, n)| format!("{n} {}", choice_words(result.name()).to_lowercase()))
            .collect();
        let title = audit.title.as_deref().unwrap_or("Audit");
        let summary = if results.is_empty() {
            "no results recorded".to_owned()
        } else {
            results.join(", ")
        };
        lines.push(Line::new(
            format!("Audit “{title}”: {summary}."),
            vec![audit.id],
        ));
    }
    let statuses: Vec<(RecordId, ObjectiveStatus, String)> = inputs
        .objectives
        .iter()
        .map(|o| {
            let ids = metrics::metrics_of(o, &inputs.metrics);
            let of: Vec<&crate::views::Metric> = inputs
                .metrics
                .iter()
                .filter(|m| ids.contains(&m.id))
                .collect();
            (
                o.id,
                metrics::objective_status(&of, series),
                o.title.clone().unwrap_or_default(),
            )
        })
        .collect();
    let on_track = statuses
        .iter()
        .filter(|(_, s, _)| *s == ObjectiveStatus::OnTrack)
        .count();
    lines.push(Line::new(
        format!("Objectives on track: {on_track} of {}.", statuses.len()),
        statuses.iter().map(|(id, _, _)| *id).collect(),
    ));
    for (id, status, title) in statuses
        .iter()
        .filter(|(_, s, _)| *s != ObjectiveStatus::OnTrack)
    {
        lines.push(Line::new(
            format!("{title}: {}.", status.label()),
            vec![*id],
        ));
    }
    lines
}

/// e) Reports in the period, by type.
fn feedback(inputs: &Inputs, period: Period) -> Vec<Line> {
    let reports: Vec<&Event> = inputs
        .events
        .iter()
        .filter(|e| period.holds(e.detected_at.as_deref().or(e.occurred_at.as_deref())))
        .collect();
    let by_type: Vec<String> = EventType::ALL
        .iter()
        .map(|&t| {
            let n = reports.iter().filter(|e| e.event_type == Some(t)).count();
            format!("{n} {}", choice_words(t.name()).to_lowercase())
        })
        .collect();
    vec![Line::new(
        format!(
            "{} in the period: {}.",
            plural(reports.len(), "report", "reports"),
            by_type.join(", ")
        ),
        reports.iter().map(|e| e.id).collect(),
    )]
}

/// f) Risks by rating, above appetite, under treatment, and expired acceptances.
fn risks(inputs: &Inputs, today: NaiveDate) -> Vec<Line> {
    let open: Vec<&Risk> = inputs.open_risks().collect();
    let bands: Vec<String> = [Rating::Critical, Rating::High, Rating::Medium, Rating::Low]
        .iter()
        .map(|band| {
            let n = open
                .iter()
                .filter(|r| r.current_score().map(|s| inputs.criteria.rating(s)) == Some(*band))
                .count();
            format!("{n} {}", band.label().to_lowercase())
        })
        .collect();
    let mut lines = vec![Line::new(
        format!(
            "{} not closed, by current score: {}.",
            plural(open.len(), "risk", "risks"),
            bands.join(", ")
        ),
        open.iter().map(|r| r.id).collect(),
    )];
    let treating: Vec<RecordId> = open
        .iter()
        .filter(|r| r.status == Some(RiskStatus::Treating))
        .map(|r| r.id)
        .collect();
    lines.push(Line::new(
        format!("{} under treatment.", treating.len()),
        treating,
    ));
    for risk in open.iter().filter(|r| {
        r.current_score()
            .is_some_and(|s| s > inputs.criteria.appetite)
    }) {
        let title = risk.title.as_deref().unwrap_or("Untitled risk");
        let score = risk.current_score().unwrap_or_default();
        lines.push(Line::new(
            format!("Above appetite: {title} (score {score})."),
            vec![risk.id],
        ));
    }
    for risk in open.iter().filter(|r| {
        r.status == Some(RiskStatus::Accepted)
            && r.acceptance_expires
                .as_deref()
                .and_then(dates::date)
                .is_some_and(|e| e < today)
    }) {
        let title = risk.title.as_deref().unwrap_or("Untitled risk");
        lines.push(Line::new(
            format!("Acceptance expired: {title}."),
            vec![risk.id],
        ));
    }
    lines
}

/// g) Opportunities: OFIs raised, suggestions made, improvement actions open.
fn improvement(inputs: &Inputs, period: Period) -> Vec<Line> {
    let ofis: Vec<RecordId> = inputs
        .findings
        .iter()
        .filter(|f| {
            f.finding_type == Some(FindingType::Ofi) && period.holds(f.raised_at.as_deref())
        })
        .map(|f| f.id)
        .collect();
    let suggestions: Vec<RecordId> = inputs
        .events
        .iter()
        .filter(|e| e.event_type == Some(EventType::Suggestion))
        .filter(|e| period.holds(e.detected_at.as_deref().or(e.occurred_at.as_deref())))
        .map(|e| e.id)
        .collect();
    let actions: Vec<RecordId> = inputs
        .actions
        .iter()
        .filter(|a| a.action_type == Some(ActionType::Improvement) && is_open(a))
        .map(|a| a.id)
        .collect();
    vec![
        Line::new(
            format!(
                "{} raised in the period.",
                plural(
                    ofis.len(),
                    "opportunity for improvement",
                    "opportunities for improvement"
                )
            ),
            ofis,
        ),
        Line::new(
            format!(
                "{} from staff.",
                plural(suggestions.len(), "suggestion", "suggestions")
            ),
            suggestions,
        ),
        Line::new(
            format!(
                "{} open.",
                plural(actions.len(), "improvement action", "improvement actions")
            ),
            actions,
        ),
    ]
}

fn maturity_lines(register: &Replica, today: NaiveDate) -> Vec<Line> {
    maturity::assess(register, today)
        .into_iter()
        .map(|a| {
            let target = a
                .target
                .map(|t| format!(", target {t}"))
                .unwrap_or_default();
            let own = a
                .self_assessed
                .map(|s| format!(", self-assessed {s}"))
                .unwrap_or_default();
            Line::new(
                format!(
                    "{}: level {} ({}){target}{own}.",
                    a.area.title(),
                    a.level,
                    level_name(a.level)
                ),
                Vec::new(),
            )
        })
        .collect()
}

/// The inputs of a review, assembled from the register as it stands on `today`.
pub fn inputs(register: &Replica, review: &Review, today: NaiveDate) -> Vec<Section> {
    let Some(period) = period(register, review) else {
        return Vec::new();
    };
    let data = Inputs::new(register, period, today);
    let today_text = today.to_string();
    let section = |clause, title, commentary, lines| Section {
        clause,
        title,
        commentary,
        lines,
    };
    vec![
        section(
            "9.3.2 a)",
            "Status of actions from previous management reviews",
            Review::on_previous_actions,
            previous_actions(register, review, &today_text),
        ),
        section(
            "9.3.2 b)",
            "Changes in external and internal issues",
            Review::on_issues,
            context_changes(
                register,
                period,
                &[
                    ContextItemType::InternalIssue,
                    ContextItemType::ExternalIssue,
                    ContextItemType::Scope,
                ],
                "issue",
            ),
        ),
        section(
            "9.3.2 c)",
            "Changes in needs and expectations of interested parties",
            Review::on_interested_parties,
            context_changes(
                register,
                period,
                &[ContextItemType::InterestedParty],
                "interested party",
            ),
        ),
        section(
            "9.3.2 d)",
            "Information security performance",
            Review::on_performance,
            performance(register, &data, period, &today_text),
        ),
        section(
            "9.3.2 e)",
            "Feedback from interested parties",
            Review::on_feedback,
            feedback(&data, period),
        ),
        section(
            "9.3.2 f)",
            "Results of risk assessment and status of risk treatment",
            Review::on_risks,
            risks(&data, today),
        ),
        section(
            "9.3.2 g)",
            "Opportunities for continual improvement",
            Review::on_improvement,
            improvement(&data, period),
        ),
        section(
            "Maturity",
            "ISMS maturity against target",
            Review::on_maturity,
            maturity_lines(register, today),
        ),
    ]
}

/// The inputs as text, kept with the review at sign-off (the minutes print it).
pub fn inputs_text(sections: &[Section]) -> String {
    let mut text = String::new();
    for section in sections {
        text.push_str(&format!("{} {}\n", section.clause, section.title));
        for line in &section.lines {
            text.push_str(&format!("- {}\n", line.text));
        }
        text.push('\n');
    }
    let text = text.trim_end();
    // A long text field's limit: a register with very many open items keeps the first part.
    let room = crate::schema::LONG_TEXT_MAX_BYTES - CUT_NOTE.len();
    if text.len() <= crate::schema::LONG_TEXT_MAX_BYTES {
        return text.to_owned();
    }
    let mut end = room;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{CUT_NOTE}", &text[..end])
}

const CUT_NOTE: &str = "\n… (cut here: the rest is in the register)";

/// The date proposed for the next review: as many months after this one as it came after the
/// previous, or a year without a previous one.
pub fn proposed_next(register: &Replica, review: &Review) -> Option<NaiveDate> {
    let day = review_day(review)?;
    use chrono::Datelike;
    let months = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    let gap = previous(register, review)
        .and_then(|p| review_day(&p))
        .map(|before| months(day) - months(before))
        .filter(|gap| (1..=13).contains(gap))
        .unwrap_or(12);
    day.checked_add_months(chrono::Months::new(gap as u32))
}

/// Signing a review off: by `member` (none in a register kept on one device alone) at `now`
/// (RFC 3339), with its inputs as they stand, held, the next review proposed, and the
/// maturity it considered kept as a snapshot naming it, in the same change set (nothing is
/// attached to a review once it is signed off).
pub fn sign_off(
    register: &Replica,
    review: &Review,
    member: Option<RecordId>,
    now: &str,
) -> Vec<Edit> {
    let today = day_of(now).unwrap_or_default();
    let snapshot = inputs_text(&inputs(register, review, today));
    let mut fields = vec![
        (Review::status, Value::from(ReviewStatus::Held)),
        (Review::signed_off_at, Value::from(now)),
        (Review::inputs_snapshot, Value::from(snapshot.as_str())),
    ];
    if let Some(member) = member {
        fields.push((Review::signed_off_by, Value::from(member.to_string())));
    }
    if review.next_review.is_none()
        && let Some(next) = proposed_next(register, review)
    {
        fields.push((Review::next_review, Value::from(next.to_string())));
    }
    let signed = Edit {
        record: review.id,
        kind: Kind::Review,
        fields,
    };
    // The snapshot is of the register with this review signed off, as the gate judges it.
    let as_signed = rules::as_left(register, &changes_in(std::slice::from_ref(&signed)));
    let levels = maturity::snapshot_of(&as_signed, today, Occasion::Review, Some(review.id));
    vec![
        signed,
        Edit {
            record: RecordId::new(),
            kind: Kind::MaturitySnapshot,
            fields: levels,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ClientId, Role,
        fixture::{Fixture, day, link, text},
        gate::{Author, Gate},
        rules::Lookup,
        sync::{Device, MemoryServer},
    };

    const NOW: u64 = 1_782_800_000_000; // 2026-06-30

    fn device_of(server: &mut MemoryServer, member: &str, role: Role) -> (Device, Author) {
        let mut device = Device::new(ClientId::new());
        device.on_pulled(&server.pull(0, 10_000)).unwrap();
        let author = Author {
            client: device.client,
            member: member.to_owned(),
            role,
        };
        (device, author)
    }

    fn push(
        server: &mut MemoryServer,
        device: &mut Device,
        author: &Author,
    ) -> Result<(), Vec<(String, String)>> {
        let Some(request) = device.push_request(500) else {
            return Ok(());
        };
        match server.push(&Gate::default(), author, &request, NOW) {
            Ok(pushed) => {
                device.on_pushed(&pushed);
                Ok(())
            }
            Err(refusal) => {
                let body = refusal.body();
                device.on_refused(&body);
                Err(body
                    .rejections
                    .into_iter()
                    .map(|r| (r.code, r.message))
                    .collect())
            }
        }
    }

    fn apply(device: &mut Device, set: &[Edit]) {
        for part in set {
            edit(device, part.record, part.kind, &part.fields);
        }
    }

    /// A change set judged on the device, as a form shows the refusals.
    fn judged(device: &Device, set: &[Edit]) -> Result<(), Vec<crate::FieldError>> {
        let local = &device.local;
        Gate::default().field_errors(
            crate::gate::Who::ALONE,
            &crate::gate::changes_in(set),
            local,
            &|r| local.record(r).is_none(),
        )
    }

    fn edit(device: &mut Device, id: RecordId, kind: Kind, fields: &[(&str, Value)]) {
        for (field, value) in fields {
            device.edit(id, kind, field, value.clone(), NOW);
        }
    }

    #[test]
    fn a_signed_off_review_is_frozen_on_the_server_and_on_the_device() {
        let mut server = MemoryServer::default();
        let owner_member = RecordId::new();
        let (mut owner, owner_author) =
            device_of(&mut server, &owner_member.to_string(), Role::Owner);
        let review = RecordId::new();
        let output = RecordId::new();
        edit(
            &mut owner,
            review,
            Kind::Review,
            &[
                ("title", text("Review H1")),
                ("date", text("2026-06-30")),
                ("status", text("held")),
            ],
        );
        edit(
            &mut owner,
            output,
            Kind::Action,
            &[
                ("title", text("Budget a SIEM")),
                ("action_type", text("improvement")),
                ("review", link(review)),
                ("output_type", text("resource_need")),
            ],
        );
        push(&mut server, &mut owner, &owner_author).unwrap();

        // A hollow review does not sign off: each missing part is named, nothing is stored.
        let view: Review = owner.local.view(review).unwrap();
        let hollow = sign_off(
            &owner.local,
            &view,
            Some(owner_member),
            "2026-06-30T15:00:00Z",
        );
        let missing: Vec<String> = judged(&owner, &hollow)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            missing,
            [
                Review::attendees,
                Review::decisions,
                Review::on_previous_actions,
                Review::signed_off_at
            ]
        );
        apply(&mut owner, &hollow);
        let refused = push(&mut server, &mut owner, &owner_author).unwrap_err();
        assert!(
            refused
                .iter()
                .any(|(_, m)| m.contains("each with an owner and a due date")),
            "{refused:?}"
        );
        assert_eq!(server.state.field(review, Review::signed_off_at), None);

        // Held in full: attendees, decisions, commentary on every input, an owned output.
        let mut held: Vec<(&str, Value)> = REQUIRED_COMMENTARY
            .iter()
            .map(|f| (*f, text("Considered.")))
            .collect();
        held.push((
            Review::attendees,
            Value::List(vec![owner_member.to_string()]),
        ));
        held.push((Review::decisions, text("Fund the SIEM.")));
        edit(&mut owner, review, Kind::Review, &held);
        edit(
            &mut owner,
            output,
            Kind::Action,
            &[("owner", link(owner_member)), ("due", text("2026-09-30"))],
        );
        push(&mut server, &mut owner, &owner_author).unwrap();

        // An editor's device has the review, and edits it offline before the sign-off.
        let (mut editor, editor_author) = device_of(&mut server, "editor", Role::Editor);
        edit(
            &mut editor,
            review,
            Kind::Review,
            &[("on_risks", text("Phishing is up."))],
        );

        // An editor may not sign off, nor an owner in someone else's name.
        let (mut other, other_author) = device_of(&mut server, "editor-2", Role::Editor);
        edit(
            &mut other,
            review,
            Kind::Review,
            &[
                ("signed_off_by", text("editor-2")),
                ("signed_off_at", text("2026-06-30T15:00:00Z")),
            ],
        );
        let refused = push(&mut server, &mut other, &other_author).unwrap_err();
        assert!(
            refused
                .iter()
                .any(|(code, m)| code == "forbidden" && m.starts_with("Only an owner or admin")),
            "{refused:?}"
        );
        let stranger = RecordId::new();
        let view: Review = owner.local.view(review).unwrap();
        assert_eq!(view.on_risks.as_deref(), Some("Considered."));
        let in_another_name = sign_off(&owner.local, &view, Some(stranger), "2026-06-30T15:00:00Z");
        apply(&mut owner, &in_another_name);
        let refused = push(&mut server, &mut owner, &owner_author).unwrap_err();
        assert!(
            refused
                .iter()
                .any(|(_, m)| m.ends_with("in the signer's own name.")),
            "{refused:?}"
        );
        assert_eq!(server.state.field(review, Review::signed_off_at), None);

        // Signed off by the owner: held, its inputs kept, the next review proposed.
        let signing = sign_off(
            &owner.local,
            &view,
            Some(owner_member),
            "2026-06-30T15:00:00Z",
        );
        assert_eq!(judged(&owner, &signing), Ok(()));
        apply(&mut owner, &signing);
        push(&mut server, &mut owner, &owner_author).unwrap();
        let signed: Review = server.state.view(review).unwrap();
        assert_eq!(signed.next_review.as_deref(), Some("2027-06-30"));
        assert!(
            signed
                .inputs_snapshot
                .unwrap()
                .starts_with("9.3.2 a) Status of actions")
        );

        // The editor's offline edit, made before the sign-off, is refused with the reason.
        let refused = push(&mut server, &mut editor, &editor_author).unwrap_err();
        assert_eq!(refused, [("record_rule".to_owned(), SIGNED_OFF.to_owned())]);
        assert_eq!(
            server.state.field(review, Review::on_risks),
            Some(text("Considered."))
        );

        // The device refuses a change itself once it has the sign-off.
        editor.on_pulled(&server.pull(0, 10_000)).unwrap();
        let errors = Kind::Review
            .spec()
            .check_change(
                review,
                &[("decisions", text("More budget."))],
                &editor.local,
            )
            .unwrap_err();
        assert_eq!(errors[0].message, SIGNED_OFF);
        // No output joins it; its outputs still progress.
        let late = RecordId::new();
        edit(
            &mut editor,
            late,
            Kind::Action,
            &[
                ("title", text("Late idea")),
                ("action_type", text("improvement")),
                ("review", link(review)),
            ],
        );
        let refused = push(&mut server, &mut editor, &editor_author).unwrap_err();
        assert!(
            refused.iter().all(|(code, _)| code == "record_rule"),
            "{refused:?}"
        );
        edit(
            &mut editor,
            output,
            Kind::Action,
            &[("status", text("in_progress"))],
        );
        push(&mut server, &mut editor, &editor_author)
            .expect("an output progresses after sign-off");
        // ...but stays what was signed: its title, owner and due date do not change.
        for (field, value) in [
            (Action::title, text("Budget a cheaper SIEM")),
            (Action::owner, link(RecordId::new())),
            (Action::due, text("2027-06-30")),
        ] {
            edit(&mut editor, output, Kind::Action, &[(field, value)]);
            let refused = push(&mut server, &mut editor, &editor_author).unwrap_err();
            assert!(
                refused
                    .iter()
                    .all(|(_, m)| m.contains("its outputs stay as signed")),
                "{field}: {refused:?}"
            );
        }
        assert_eq!(
            server.state.field(output, Action::title),
            Some(text("Budget a SIEM"))
        );
    }

    #[test]
    fn a_review_covers_the_days_since_the_previous_and_proposes_the_next() {
        let mut f = Fixture::new();
        let first = f.add(
            Kind::Review,
            &[("title", text("2025")), ("date", text("2025-12-15"))],
        );
        let second = f.add(
            Kind::Review,
            &[("title", text("2026 H1")), ("date", text("2026-06-15"))],
        );
        let view = |f: &Fixture, id| f.register().view::<Review>(id).unwrap();
        let covered = period(f.register(), &view(&f, second)).unwrap();
        assert_eq!(
            (covered.first, covered.last),
            (day("2025-12-16"), day("2026-06-15"))
        );
        assert_eq!(
            proposed_next(f.register(), &view(&f, second)),
            Some(day("2026-12-15"))
        );
        let alone = period(f.register(), &view(&f, first)).unwrap();
        assert_eq!(alone.first, day("2024-12-15"));
        assert_eq!(
            proposed_next(f.register(), &view(&f, first)),
            Some(day("2026-12-15"))
        );
        f.set(
            second,
            Kind::Review,
            &[("period_start", text("2026-01-01"))],
        );
        assert_eq!(
            period(f.register(), &view(&f, second)).unwrap().first,
            day("2026-01-01")
        );
        assert_eq!(
            previous(f.register(), &view(&f, second)).map(|r| r.id),
            Some(first)
        );
    }

    fn lines_of(sections: &[Section], clause: &str) -> Vec<String> {
        sections
            .iter()
            .find(|s| s.clause == clause)
            .unwrap()
            .lines
            .iter()
            .map(|l| l.text.clone())
            .collect()
    }

    #[test]
    fn inputs_assemble_themselves_from_the_register() {
        let mut f = Fixture::new();
        // An empty register still gives every section, in 9.3.2's order.
        let lone = f.add(
            Kind::Review,
            &[("title", text("First")), ("date", text("2026-06-30"))],
        );
        let empty = inputs(
            f.register(),
            &f.register().view(lone).unwrap(),
            day("2026-06-30"),
        );
        let clauses: Vec<&str> = empty.iter().map(|s| s.clause).collect();
        assert_eq!(
            clauses,
            [
                "9.3.2 a)", "9.3.2 b)", "9.3.2 c)", "9.3.2 d)", "9.3.2 e)", "9.3.2 f)", "9.3.2 g)",
                "Maturity"
            ]
        );
        assert_eq!(
            lines_of(&empty, "9.3.2 a)"),
            ["No actions came from earlier reviews."]
        );

        let earlier = f.add(
            Kind::Review,
            &[
                ("title", text("2025")),
                ("date", text("2025-12-15")),
                ("status", text("held")),
            ],
        );
        f.add(
            Kind::Action,
            &[
                ("title", text("Hire a security lead")),
                ("action_type", text("improvement")),
                ("review", link(earlier)),
                ("status", text("open")),
                ("due", text("2026-03-01")),
            ],
        );
        f.add(
            Kind::Action,
            &[
                ("title", text("Buy backups")),
                ("action_type", text("improvement")),
                ("review", link(earlier)),
                ("status", text("done")),
            ],
        );
        // Stamps only move forward on a device: the older change first.
        let old = RecordId::new();
        f.set_at(
            old,
            Kind::ContextItem,
            &[
                ("item_type", text("internal_issue")),
                ("title", text("Office move")),
            ],
            1_700_000_000_000,
        );
        let issue = RecordId::new();
        f.set_at(
            issue,
            Kind::ContextItem,
            &[
                ("item_type", text("external_issue")),
                ("title", text("NIS2 applies to us")),
            ],
            NOW - 86_400_000,
        );
        let party = RecordId::new();
        f.set_at(
            party,
            Kind::ContextItem,
            &[
                ("item_type", text("interested_party")),
                ("title", text("Customers")),
                ("requirements", text("ISO 27001 certificate")),
            ],
            NOW - 86_400_000,
        );
        let nc = f.add(
            Kind::Finding,
            &[
                ("title", text("Backups not tested")),
                ("finding_type", text("minor_nc")),
                ("status", text("implementing")),
                ("raised_at", text("2026-04-01T09:00:00Z")),
            ],
        );
        let fix = f.add(
            Kind::Action,
            &[
                ("title", text("Monthly restore test")),
                ("action_type", text("corrective")),
                ("finding", link(nc)),
                ("status", text("in_progress")),
                ("due", text("2026-07-31")),
            ],
        );
        f.add(
            Kind::Finding,
            &[
                ("title", text("Use a password manager")),
                ("finding_type", text("ofi")),
                ("raised_at", text("2026-05-01T09:00:00Z")),
            ],
        );
        f.add(
            Kind::Event,
            &[
                ("title", text("Phish reported")),
                ("event_type", text("near_miss")),
                ("detected_at", text("2026-05-02T09:00:00Z")),
            ],
        );
        f.add(
            Kind::Risk,
            &[
                ("title", text("Ransomware")),
                ("status", text("treating")),
                ("inherent_likelihood", Value::Int(4)),
                ("inherent_impact", Value::Int(4)),
            ],
        );
        let review = f.add(
            Kind::Review,
            &[("title", text("2026 H1")), ("date", text("2026-06-30"))],
        );
        let sections = inputs(
            f.register(),
            &f.register().view(review).unwrap(),
            day("2026-06-30"),
        );

        let a = lines_of(&sections, "9.3.2 a)");
        assert_eq!(a[0], "1 of 2 actions from earlier reviews done.");
        assert_eq!(
            a[1],
            "Hire a security lead: Open, overdue since 2026-03-01."
        );
        let b = lines_of(&sections, "9.3.2 b)");
        assert_eq!(b[0], "2 issues recorded.");
        assert!(
            b[1].ends_with("NIS2 applies to us (External issue)."),
            "{b:?}"
        );
        assert_eq!(
            b.len(),
            2,
            "the office move changed before the period: {b:?}"
        );
        assert!(lines_of(&sections, "9.3.2 c)")[1].ends_with("Customers (Interested party)."));
        let d = &sections
            .iter()
            .find(|s| s.clause == "9.3.2 d)")
            .unwrap()
            .lines;
        assert_eq!(
            d[0].text,
            "1 nonconformity raised and 0 closed in the period."
        );
        assert_eq!(
            d[1].text,
            "Open: Backups not tested (Minor nonconformity, Implementing)."
        );
        assert_eq!(
            (d[2].text.as_str(), d[2].records.as_slice()),
            (
                "— Monthly restore test: In progress, due 2026-07-31.",
                [fix].as_slice()
            )
        );
        assert_eq!(
            lines_of(&sections, "9.3.2 e)")[0],
            "1 report in the period: 0 incident, 1 near miss, 0 observation, 0 suggestion."
        );
        let f_lines = lines_of(&sections, "9.3.2 f)");
        assert_eq!(
            f_lines[0],
            "1 risk not closed, by current score: 0 critical, 1 high, 0 medium, 0 low."
        );
        assert_eq!(f_lines[2], "Above appetite: Ransomware (score 16).");
        assert_eq!(
            lines_of(&sections, "9.3.2 g)")[0],
            "1 opportunity for improvement raised in the period."
        );
        assert_eq!(lines_of(&sections, "Maturity").len(), 7);
        let text = inputs_text(&sections);
        assert!(
            text.contains("9.3.2 d) Information security performance\n- 1 nonconformity raised")
        );
    }

    #[test]
    fn very_long_inputs_are_cut_to_what_a_text_field_holds() {
        let line = Line::new("x".repeat(1_000), Vec::new());
        let sections = vec![Section {
            clause: "9.3.2 d)",
            title: "Performance",
            commentary: Review::on_performance,
            lines: vec![line; 100],
        }];
        let text = inputs_text(&sections);
        assert!(text.len() <= crate::schema::LONG_TEXT_MAX_BYTES);
        assert!(text.ends_with(CUT_NOTE));
        assert!(
            Kind::Review
                .spec()
                .field(Review::inputs_snapshot)
                .unwrap()
                .check(&Value::from(text.as_str()))
                .is_ok()
        );
    }
}
