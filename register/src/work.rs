//! The work the register asks of people: each person's own ("my work": everything assigned
//! to them, by when it is due) and the current cycle's, on the Plan–Do–Check–Act board.

use crate::choices::{ActionStatus, AuditStatus, ControlStatus, FindingStatus, RiskStatus};
use crate::{
    Kind, RecordId, Replica, dates, evidence, findings,
    metrics::{self, ObjectiveStatus},
    risk::Criteria,
    views::{Action, Audit, Control, Document, Finding, Metric, Objective, Review, Risk},
};
use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;

/// One thing to do, on one record.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Item {
    pub kind: Kind,
    pub id: RecordId,
    pub title: String,
    /// What is to be done, in a few words ("Review the risk", "Measure").
    pub what: &'static str,
    pub due: Option<NaiveDate>,
}

/// A person's work by when it is due.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MyWork {
    pub overdue: Vec<Item>,
    pub this_week: Vec<Item>,
    pub later: Vec<Item>,
}

impl MyWork {
    /// What the navigation's badge counts: what is overdue or due within the week.
    pub fn pressing(&self) -> usize {
        self.overdue.len() + self.this_week.len()
    }
}

fn title(title: &Option<String>, fallback: &str) -> String {
    title.clone().unwrap_or_else(|| fallback.to_owned())
}

fn date(stored: &Option<String>) -> Option<NaiveDate> {
    stored.as_deref().and_then(dates::date)
}

/// Days between reviews of a control that sets no interval.
pub const CONTROL_REVIEW_DAYS: u64 = 365;

/// When a control is next due for review: its last review plus its interval (a year unless
/// set); `None` when it has never been reviewed.
pub fn control_review_due(control: &Control) -> Option<NaiveDate> {
    let interval = control
        .review_interval_days
        .map_or(CONTROL_REVIEW_DAYS, |d| d.max(1) as u64);
    date(&control.last_reviewed).and_then(|d| d.checked_add_days(Days::new(interval)))
}

/// Every open piece of work in the register, with whom it is assigned to.
fn all_work(register: &Replica, today: NaiveDate) -> Vec<(Option<RecordId>, Item)> {
    let mut work = Vec::new();
    let mut push = |owner: Option<RecordId>, kind, id, title, what, due| {
        work.push((
            owner,
            Item {
                kind,
                id,
                title,
                what,
                due,
            },
        ))
    };
    let raised = crate::risk::raised_about(register);
    for risk in register.all::<Risk>() {
        if risk.status != Some(RiskStatus::Closed) {
            let (what, due) = match risk.status {
                None | Some(RiskStatus::Identified) => ("Assess the risk", date(&risk.review_due)),
                _ if risk.acceptance_expired(today) => (
                    "Accept the risk again, or treat it",
                    date(&risk.acceptance_expires),
                ),
                // A finding or incident about it since its last assessment: due now.
                _ if !crate::risk::raised_since_assessed(&risk, raised.get(&risk.id))
                    .is_empty() =>
                {
                    ("Reassess the risk", Some(today))
                }
                _ => ("Review the risk", date(&risk.review_due)),
            };
            push(
                risk.owner,
                Kind::Risk,
                risk.id,
                title(&risk.title, "Risk"),
                what,
                due,
            );
        }
    }
    for control in register.all::<Control>() {
        if control.applicable == Some(false) {
            continue;
        }
        let (what, due) = match control.status {
            Some(ControlStatus::Implemented) => (
                "Review the control",
                Some(control_review_due(&control).unwrap_or(today)),
            ),
            Some(ControlStatus::Planned | ControlStatus::Partial) => {
                ("Implement the control", None)
            }
            _ => continue,
        };
        let name = format!(
            "{} {}",
            control.reference.clone().unwrap_or_default(),
            title(&control.title, "Control")
        );
        push(
            control.owner,
            Kind::Control,
            control.id,
            name.trim().to_owned(),
            what,
            due,
        );
    }
    let series = metrics::measurements_by_metric(register);
    let all_metrics = register.all::<Metric>();
    for metric in &all_metrics {
        let measured = series
            .get(&metric.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let due = metrics::next_due(metric, measured).unwrap_or(today);
        push(
            metric.owner,
            Kind::Metric,
            metric.id,
            title(&metric.name, "Metric"),
            "Measure",
            Some(due),
        );
    }
    for objective in register.all::<Objective>() {
        if metrics::result_due(&objective, today) {
            push(
                objective.owner,
                Kind::Objective,
                objective.id,
                title(&objective.title, "Objective"),
                "Record whether the objective was achieved",
                date(&objective.due),
            );
            continue;
        }
        if objective.result.is_some() {
            continue;
        }
        let ids = metrics::metrics_of(&objective, &all_metrics);
        let of: Vec<&Metric> = all_metrics.iter().filter(|m| ids.contains(&m.id)).collect();
        let status = metrics::objective_status(&of, &series);
        if status != ObjectiveStatus::OnTrack {
            push(
                objective.owner,
                Kind::Objective,
                objective.id,
                title(&objective.title, "Objective"),
                "Bring the objective on track",
                date(&objective.due),
            );
        }
    }
    for document in register.all::<Document>() {
        if let Some(review) = date(&document.next_review) {
            push(
                document.owner,
                Kind::Document,
                document.id,
                title(&document.title, "Document"),
                "Review the document",
                Some(review),
            );
        }
    }
    for finding in register.all::<Finding>() {
        if finding.status != Some(FindingStatus::Closed) {
            push(
                finding.owner,
                Kind::Finding,
                finding.id,
                title(&finding.title, "Finding"),
                "Take the finding on",
                date(&finding.due),
            );
        }
    }
    for action in register.all::<Action>() {
        if let Some((due, label)) = findings::action_due(&action) {
            let what = if label == "Due" {
                "Complete the action"
            } else {
                "Check the action worked"
            };
            // The owner does not verify their own action: its check is anyone else's.
            let owner = if label == "Due" { action.owner } else { None };
            push(
                owner,
                Kind::Action,
                action.id,
                title(&action.title, "Action"),
                what,
                dates::date(&due),
            );
        }
    }
    for audit in register.all::<Audit>() {
        let what = match audit.status {
            None | Some(AuditStatus::Planned) => "Hold the audit",
            Some(AuditStatus::InProgress) => "Finish the audit",
            _ => continue,
        };
        push(
            audit.lead_auditor,
            Kind::Audit,
            audit.id,
            title(&audit.title, "Audit"),
            what,
            date(&audit.planned_date),
        );
    }
    for (evidence, _) in evidence::renewals(register, today) {
        push(
            evidence.captured_by,
            Kind::Evidence,
            evidence.id,
            title(&evidence.title, "Evidence"),
            "Renew the evidence",
            date(&evidence.expires_on),
        );
    }
    for review in register.all::<Review>() {
        if review.signed_off_at.is_none() {
            push(
                review.chair,
                Kind::Review,
                review.id,
                title(&review.title, "Management review"),
                "Hold and sign off the review",
                date(&review.date),
            );
            // Those asked to attend have it in their work too, until it is signed off.
            for attendee in review.attendees.iter().flatten() {
                if Some(*attendee) == review.chair {
                    continue;
                }
                push(
                    Some(*attendee),
                    Kind::Review,
                    review.id,
                    title(&review.title, "Management review"),
                    "Attend the review",
                    date(&review.date),
                );
            }
        }
    }
    work
}

/// The kinds of record `my_work` reads: a change to any other leaves it as it was.
pub const READS: &[Kind] = &[
    Kind::Risk,
    Kind::Control,
    Kind::Metric,
    Kind::Measurement,
    Kind::Objective,
    Kind::Finding,
    Kind::Action,
    Kind::Audit,
    Kind::Evidence,
    Kind::Review,
    Kind::Document,
    Kind::Event,
];

/// The work assigned to `me`, by when it is due (soonest first, undated last). With no one
/// named (a register kept on one device), everything is the device user's.
pub fn my_work(register: &Replica, me: Option<RecordId>, today: NaiveDate) -> MyWork {
    let mine = all_work(register, today)
        .into_iter()
        .filter(|(owner, _)| me.is_none() || *owner == me)
        .map(|(_, item)| item)
        .collect();
    by_due(mine, today)
}

/// Every member's work (`my_work` of each), worked out over the register once: for the
/// server's daily reminders, which would otherwise read the whole register per member.
pub fn everyones_work(register: &Replica, today: NaiveDate) -> BTreeMap<RecordId, MyWork> {
    let mut owned: BTreeMap<RecordId, Vec<Item>> = BTreeMap::new();
    for (owner, item) in all_work(register, today) {
        if let Some(owner) = owner {
            owned.entry(owner).or_default().push(item);
        }
    }
    owned
        .into_iter()
        .map(|(owner, items)| (owner, by_due(items, today)))
        .collect()
}

fn by_due(mut items: Vec<Item>, today: NaiveDate) -> MyWork {
    let week = today.checked_add_days(Days::new(7)).unwrap_or(today);
    // Stable: items due the same day stay in the order the register gives them.
    items.sort_by_key(|item| (item.due.is_none(), item.due));
    let mut work = MyWork::default();
    for item in items {
        match item.due {
            Some(due) if due < today => work.overdue.push(item),
            Some(due) if due <= week => work.this_week.push(item),
            _ => work.later.push(item),
        }
    }
    work
}

/// What became overdue since `before` (ids overdue then): for a notice after start or sync.
pub fn newly_overdue<'a>(work: &'a MyWork, before: &[RecordId]) -> Vec<&'a Item> {
    work.overdue
        .iter()
        .filter(|item| !before.contains(&item.id))
        .collect()
}

/// A card on the PDCA board.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Card {
    pub kind: Kind,
    pub id: RecordId,
    pub title: String,
    /// Why it is on the board ("to treat", "in progress", "measurement due").
    pub note: &'static str,
}

/// The current cycle's work in the four steps of the loop.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Board {
    pub plan: Vec<Card>,
    pub r#do: Vec<Card>,
    pub check: Vec<Card>,
    pub act: Vec<Card>,
}

fn card(kind: Kind, id: RecordId, title: String, note: &'static str) -> Card {
    Card {
        kind,
        id,
        title,
        note,
    }
}

/// The board on `today`: Plan (risks to assess or treat, objectives not on track, audits
/// planned), Do (actions in progress, controls being implemented), Check (measurements due,
/// audits in progress, effectiveness checks due), Act (open findings, review outputs open).
pub fn board(register: &Replica, today: NaiveDate) -> Board {
    let mut board = Board::default();
    let criteria = Criteria::read(register);
    for risk in register.all::<Risk>() {
        let high = risk.inherent_score().is_some_and(|s| criteria.is_high(s));
        let note = match risk.status {
            None | Some(RiskStatus::Identified) => "to assess",
            Some(RiskStatus::Assessed) if high => "to treat",
            _ => continue,
        };
        board
            .plan
            .push(card(Kind::Risk, risk.id, title(&risk.title, "Risk"), note));
    }
    let series = metrics::measurements_by_metric(register);
    let all_metrics: Vec<Metric> = register.all();
    for objective in register.all::<Objective>() {
        let ids = metrics::metrics_of(&objective, &all_metrics);
        let of: Vec<&Metric> = all_metrics.iter().filter(|m| ids.contains(&m.id)).collect();
        if metrics::objective_status(&of, &series) != ObjectiveStatus::OnTrack {
            board.plan.push(card(
                Kind::Objective,
                objective.id,
                title(&objective.title, "Objective"),
                "not on track",
            ));
        }
    }
    for audit in register.all::<Audit>() {
        match audit.status {
            None | Some(AuditStatus::Planned) => board.plan.push(card(
                Kind::Audit,
                audit.id,
                title(&audit.title, "Audit"),
                "planned",
            )),
            Some(AuditStatus::InProgress) => board.check.push(card(
                Kind::Audit,
                audit.id,
                title(&audit.title, "Audit"),
                "in progress",
            )),
            _ => {}
        }
    }
    for action in register.all::<Action>() {
        match action.status {
            Some(ActionStatus::Done) if action.effective.is_none() => {
                board.check.push(card(
                    Kind::Action,
                    action.id,
                    title(&action.title, "Action"),
                    "effectiveness check due",
                ));
            }
            Some(ActionStatus::Done | ActionStatus::Cancelled) => {}
            _ if action.review.is_some() => {
                board.act.push(card(
                    Kind::Action,
                    action.id,
                    title(&action.title, "Action"),
                    "review output",
                ));
            }
            _ => board.r#do.push(card(
                Kind::Action,
                action.id,
                title(&action.title, "Action"),
                "in progress",
            )),
        }
    }
    for control in register.all::<Control>() {
        if control.applicable != Some(false)
            && matches!(
                control.status,
                Some(ControlStatus::Planned | ControlStatus::Partial)
            )
        {
            let name = format!(
                "{} {}",
                control.reference.clone().unwrap_or_default(),
                title(&control.title, "Control")
            );
            board.r#do.push(card(
                Kind::Control,
                control.id,
                name.trim().to_owned(),
                "being implemented",
            ));
        }
    }
    for metric in metrics::due_metrics(register, today) {
        board.check.push(card(
            Kind::Metric,
            metric.id,
            title(&metric.name, "Metric"),
            "measurement due",
        ));
    }
    for finding in register.all::<Finding>() {
        if finding.status != Some(FindingStatus::Closed) {
            board.act.push(card(
                Kind::Finding,
                finding.id,
                title(&finding.title, "Finding"),
                "open",
            ));
        }
    }
    board
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Value,
        fixture::{Fixture, day, link, text},
    };

    const TODAY: &str = "2026-06-30";

    #[test]
    fn an_objective_past_its_due_date_asks_for_its_result_until_it_is_recorded() {
        let mut f = Fixture::new();
        let owner = crate::RecordId::new();
        let objective = f.add(
            Kind::Objective,
            &[
                ("title", text("Phishing clicks under 5 %")),
                ("owner", link(owner)),
                ("due", text("2026-06-01")),
            ],
        );
        let work = my_work(f.register(), Some(owner), day(TODAY));
        assert_eq!(work.overdue.len(), 1);
        assert_eq!(
            work.overdue[0].what,
            "Record whether the objective was achieved"
        );
        let without_evidence = crate::gate::Edit {
            record: objective,
            kind: Kind::Objective,
            fields: vec![("result", Value::from("achieved"))],
        };
        let register = f.register();
        let refused = crate::gate::Gate::default().judge(
            crate::gate::Who::ALONE,
            &crate::gate::changes_in(&[without_evidence]),
            register,
            &|_| false,
        );
        assert_eq!(refused[0].field, "result_evidence");
        f.set(
            objective,
            Kind::Objective,
            &[
                ("result", Value::from("achieved")),
                ("result_on", text("2026-06-02")),
                (
                    "result_evidence",
                    text("Three simulations at 3 %, 4 % and 2 %."),
                ),
            ],
        );
        assert_eq!(
            my_work(f.register(), Some(owner), day(TODAY)),
            MyWork::default()
        );
    }

    #[test]
    fn my_work_reads_only_the_kinds_it_declares() {
        let today = day(TODAY);
        let mut device = crate::sync::Device::new(crate::ClientId::new());
        crate::demo::build(&mut device, today, 1);
        let mut declared = Replica::default();
        for (id, record) in device.local.records() {
            if READS.contains(&record.kind) {
                declared.restore(id, record.clone());
            }
        }
        assert!(declared.len() < device.local.len());
        let work = my_work(&device.local, None, today);
        assert!(!work.overdue.is_empty() && !work.later.is_empty());
        assert_eq!(my_work(&declared, None, today), work);
    }

    #[test]
    fn a_review_is_in_its_attendees_work_until_it_is_signed_off() {
        let mut f = Fixture::new();
        let (chair, ann, bob) = (RecordId::new(), RecordId::new(), RecordId::new());
        let review = f.add(
            Kind::Review,
            &[
                ("title", text("Q3 review")),
                ("date", text("2026-07-02")),
                ("chair", link(chair)),
                (
                    "attendees",
                    Value::List(vec![chair.to_string(), ann.to_string()]),
                ),
            ],
        );
        let whats = |who| {
            let work = my_work(f.register(), Some(who), day(TODAY));
            work.overdue
                .iter()
                .chain(&work.this_week)
                .chain(&work.later)
                .filter(|i| i.id == review)
                .map(|i| i.what)
                .collect::<Vec<_>>()
        };
        assert_eq!(whats(chair), ["Hold and sign off the review"]);
        assert_eq!(whats(ann), ["Attend the review"]);
        assert!(whats(bob).is_empty());
    }

    #[test]
    fn everyones_work_is_each_members_own_work_worked_out_once() {
        let today = day(TODAY);
        let mut device = crate::sync::Device::new(crate::ClientId::new());
        crate::demo::build(&mut device, today, 1);
        let everyone = everyones_work(&device.local, today);
        assert!(
            everyone.len() > 1,
            "the demo's work is spread over its people"
        );
        for member in device.local.all::<crate::views::Member>() {
            let mine = my_work(&device.local, Some(member.id), today);
            assert_eq!(everyone.get(&member.id).cloned().unwrap_or_default(), mine);
        }
        let counted: usize = everyone
            .values()
            .map(|w| w.overdue.len() + w.this_week.len() + w.later.len())
            .sum();
        let all = my_work(&device.local, None, today);
        assert!(counted <= all.overdue.len() + all.this_week.len() + all.later.len());
    }

    #[test]
    fn an_empty_register_asks_nothing_of_anyone() {
        let f = Fixture::new();
        assert_eq!(my_work(f.register(), None, day(TODAY)), MyWork::default());
        assert_eq!(board(f.register(), day(TODAY)), Board::default());
    }

    #[test]
    fn my_work_is_what_is_assigned_to_me_by_when_it_is_due() {
        let mut f = Fixture::new();
        let (me, someone) = (RecordId::new(), RecordId::new());
        let late = f.add(
            Kind::Action,
            &[
                ("title", text("Patch the VPN")),
                ("action_type", text("corrective")),
                ("owner", link(me)),
                ("due", text("2026-06-01")),
            ],
        );
        let soon = f.add(
            Kind::Finding,
            &[
                ("title", text("No MFA")),
                ("finding_type", text("minor_nc")),
                ("status", text("open")),
                ("owner", link(me)),
                ("due", text("2026-07-03")),
            ],
        );
        let risk = f.add(
            Kind::Risk,
            &[
                ("title", text("Theft")),
                ("inherent_likelihood", Value::Int(2)),
                ("inherent_impact", Value::Int(2)),
                ("owner", link(me)),
            ],
        );
        f.add(
            Kind::Action,
            &[
                ("title", text("Someone else's")),
                ("action_type", text("corrective")),
                ("owner", link(someone)),
                ("due", text("2026-06-01")),
            ],
        );
        // A done action's effectiveness check is not its owner's to do.
        f.add(
            Kind::Action,
            &[
                ("title", text("Done")),
                ("action_type", text("corrective")),
                ("owner", link(me)),
                ("status", text("done")),
                ("check_due", text("2026-06-10")),
            ],
        );
        f.add(
            Kind::Review,
            &[
                ("title", text("Review")),
                ("date", text("2026-09-01")),
                ("chair", link(me)),
            ],
        );
        let work = my_work(f.register(), Some(me), day(TODAY));
        let ids = |items: &[Item]| items.iter().map(|i| i.id).collect::<Vec<_>>();
        assert_eq!(ids(&work.overdue), [late]);
        assert_eq!(ids(&work.this_week), [soon]);
        assert_eq!(
            work.later.len(),
            2,
            "the review in September and the undated risk"
        );
        assert_eq!(
            work.later.last().map(|i| (i.id, i.what)),
            Some((risk, "Assess the risk"))
        );
        assert_eq!(work.pressing(), 2);
        assert_eq!(newly_overdue(&work, &[]).len(), 1);
        assert!(newly_overdue(&work, &[late]).is_empty());
        // On a register of one, everything is the user's.
        assert_eq!(my_work(f.register(), None, day(TODAY)).overdue.len(), 3);
    }

    #[test]
    fn evidence_about_to_lapse_is_its_capturer_s_to_renew() {
        let mut f = Fixture::new();
        let me = RecordId::new();
        let report = f.add(
            Kind::Evidence,
            &[
                ("title", text("Penetration test report")),
                ("captured_by", link(me)),
                ("expires_on", text("2026-07-02")),
            ],
        );
        f.add(
            Kind::Evidence,
            &[
                ("title", text("Valid for years")),
                ("captured_by", link(me)),
                ("expires_on", text("2029-01-01")),
            ],
        );
        let work = my_work(f.register(), Some(me), day(TODAY));
        let renew: Vec<_> = work.this_week.iter().map(|i| (i.id, i.what)).collect();
        assert_eq!(renew, [(report, "Renew the evidence")]);
        assert!(work.overdue.is_empty() && work.later.is_empty());
        let lapsed = my_work(f.register(), Some(me), day("2026-07-03"));
        assert_eq!(lapsed.overdue.len(), 1);
    }

    #[test]
    fn the_board_puts_each_piece_of_work_in_its_step_of_the_loop() {
        let mut f = Fixture::new();
        f.add(
            Kind::Risk,
            &[
                ("title", text("New")),
                ("inherent_likelihood", Value::Int(1)),
                ("inherent_impact", Value::Int(1)),
            ],
        );
        f.add(
            Kind::Risk,
            &[
                ("title", text("High")),
                ("status", text("assessed")),
                ("inherent_likelihood", Value::Int(4)),
                ("inherent_impact", Value::Int(4)),
            ],
        );
        f.add(
            Kind::Risk,
            &[
                ("title", text("Treated")),
                ("status", text("treating")),
                ("inherent_likelihood", Value::Int(4)),
                ("inherent_impact", Value::Int(4)),
            ],
        );
        f.add(
            Kind::Audit,
            &[
                ("title", text("Next audit")),
                ("audit_type", text("internal")),
                ("status", text("planned")),
            ],
        );
        f.add(
            Kind::Audit,
            &[
                ("title", text("Walkthrough")),
                ("audit_type", text("walkthrough")),
                ("status", text("in_progress")),
            ],
        );
        f.add(
            Kind::Action,
            &[
                ("title", text("Doing")),
                ("action_type", text("corrective")),
                ("status", text("in_progress")),
            ],
        );
        f.add(
            Kind::Action,
            &[
                ("title", text("Verify me")),
                ("action_type", text("corrective")),
                ("status", text("done")),
            ],
        );
        let review = f.add(
            Kind::Review,
            &[("title", text("Review")), ("date", text("2026-06-01"))],
        );
        f.add(
            Kind::Action,
            &[
                ("title", text("Output")),
                ("action_type", text("improvement")),
                ("review", link(review)),
            ],
        );
        f.add(
            Kind::Control,
            &[
                ("reference", text("A.8.8")),
                ("title", text("Vulnerabilities")),
                ("status", text("partial")),
            ],
        );
        f.add(
            Kind::Metric,
            &[
                ("name", text("Phish clicks")),
                ("direction", text("lower_is_better")),
                ("frequency", text("monthly")),
            ],
        );
        f.add(
            Kind::Finding,
            &[("title", text("Open one")), ("finding_type", text("ofi"))],
        );
        let b = board(f.register(), day(TODAY));
        fn notes(cards: &[Card]) -> Vec<(&str, &str)> {
            cards.iter().map(|c| (c.title.as_str(), c.note)).collect()
        }
        assert_eq!(
            notes(&b.plan),
            [
                ("New", "to assess"),
                ("High", "to treat"),
                ("Next audit", "planned")
            ]
        );
        assert_eq!(
            notes(&b.r#do),
            [
                ("Doing", "in progress"),
                ("A.8.8 Vulnerabilities", "being implemented")
            ]
        );
        assert_eq!(
            notes(&b.check),
            [
                ("Walkthrough", "in progress"),
                ("Verify me", "effectiveness check due"),
                ("Phish clicks", "measurement due")
            ]
        );
        assert_eq!(
            notes(&b.act),
            [("Output", "review output"), ("Open one", "open")]
        );
    }
}
