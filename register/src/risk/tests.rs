use super::*;
use crate::{
    Role,
    fixture::{Fixture, day, link, text},
    gate::{Gate, Refusal, Who, changes_in},
    work,
};

const ANNA: &str = "0190f1e2-0000-7000-8000-00000000000a";
const BEN: &str = "0190f1e2-0000-7000-8000-00000000000b";

fn member(id: &str) -> RecordId {
    id.parse().unwrap()
}

fn as_member(id: &str) -> Who<'_> {
    Who {
        member: Some(id),
        role: Role::Editor,
    }
}

fn judged(f: &Fixture, who: Who, set: &[Edit]) -> Vec<Refusal> {
    let register = f.register();
    Gate::default().judge(who, &changes_in(set), register, &|r| {
        register.record(r).is_none()
    })
}

/// A risk Anna owns, scored 20 inherent and 12 residual.
fn risk_of_anna(f: &mut Fixture) -> RecordId {
    f.add(
        Kind::Risk,
        &[
            ("title", text("Ransomware")),
            ("owner", link(member(ANNA))),
            ("inherent_likelihood", Value::Int(4)),
            ("inherent_impact", Value::Int(5)),
            ("residual_likelihood", Value::Int(3)),
            ("residual_impact", Value::Int(4)),
        ],
    )
}

fn set_appetite(f: &mut Fixture, appetite: i64) {
    let mut adopt = Criteria::adopt_defaults();
    adopt
        .fields
        .retain(|(name, _)| *name != RiskCriteria::appetite);
    adopt
        .fields
        .push((RiskCriteria::appetite, Value::Int(appetite)));
    assert!(judged(f, Who::ALONE, std::slice::from_ref(&adopt)).is_empty());
    f.set(criteria_id(), Kind::RiskCriteria, &adopt.fields);
}

#[test]
fn until_decided_the_criteria_are_the_usual_5x5_bands_and_an_appetite_of_9() {
    let criteria = Criteria::read(Fixture::new().register());
    assert!(!criteria.decided);
    assert_eq!(criteria.appetite, 9);
    let bands: Vec<_> = [1, 4, 5, 9, 10, 16, 17, 25]
        .into_iter()
        .map(|s| criteria.rating(s).label())
        .collect();
    assert_eq!(
        bands,
        [
            "Low", "Low", "Medium", "Medium", "High", "High", "Critical", "Critical"
        ]
    );
    assert_eq!(criteria.bands()[2], (Rating::High, 10, 16));
}

#[test]
fn the_organisations_own_criteria_decide_every_rating() {
    let mut f = Fixture::new();
    set_appetite(&mut f, 8);
    f.set(
        criteria_id(),
        Kind::RiskCriteria,
        &[(RiskCriteria::high_from, Value::Int(8))],
    );
    let criteria = Criteria::read(f.register());
    assert!(criteria.decided);
    assert_eq!((criteria.appetite, criteria.rating(8)), (8, Rating::High));
    assert!(criteria.is_high(8) && !criteria.is_high(7));
}

#[test]
fn bands_run_upwards_scales_have_five_points_and_there_is_one_set_of_criteria() {
    let mut f = Fixture::new();
    set_appetite(&mut f, 8);
    let change = |fields: Vec<(&'static str, Value)>| Edit {
        record: criteria_id(),
        kind: Kind::RiskCriteria,
        fields,
    };
    let crossed = change(vec![(RiskCriteria::high_from, Value::Int(20))]);
    let refused = judged(&f, Who::ALONE, &[crossed]);
    assert!(
        refused[0].message.contains("Each band starts above"),
        "{refused:?}"
    );
    let short = change(vec![(
        RiskCriteria::likelihood_scale,
        Value::List(vec!["Rare".into(), "Often".into()]),
    )]);
    assert_eq!(
        judged(&f, Who::ALONE, &[short])[0].field,
        "likelihood_scale"
    );
    let second = Edit {
        record: RecordId::new(),
        kind: Kind::RiskCriteria,
        fields: vec![(RiskCriteria::appetite, Value::Int(20))],
    };
    assert!(
        judged(&f, Who::ALONE, &[second])[0]
            .message
            .contains("one set of risk criteria")
    );
    let editor = Who {
        member: Some(ANNA),
        role: Role::Editor,
    };
    let by_editor = change(vec![(RiskCriteria::appetite, Value::Int(25))]);
    assert_eq!(judged(&f, editor, &[by_editor])[0].code, "forbidden");
}

#[test]
fn a_risk_above_appetite_is_accepted_only_by_its_owner_with_a_rationale_and_expiry() {
    let mut f = Fixture::new();
    set_appetite(&mut f, 8);
    let risk = risk_of_anna(&mut f);
    // Simply marked accepted: refused, whoever does it.
    let marked = Edit {
        record: risk,
        kind: Kind::Risk,
        fields: vec![(Risk::status, Value::from(RiskStatus::Accepted))],
    };
    let refused = judged(&f, as_member(ANNA), std::slice::from_ref(&marked));
    assert_eq!(refused[0].field, Risk::acceptance_approver);
    assert!(
        refused[0]
            .message
            .contains("above the organisation's risk appetite")
    );
    // Without a rationale: refused.
    let silent = accept(risk, Some(member(ANNA)), "2026-12-07", " ", "2027-06-30");
    assert!(!judged(&f, as_member(ANNA), std::slice::from_ref(&silent)).is_empty());
    // By someone else in their own name: not the owner.
    let by_ben = accept(
        risk,
        Some(member(BEN)),
        "2026-12-07",
        "Insured",
        "2027-06-30",
    );
    let refused = judged(&f, as_member(BEN), std::slice::from_ref(&by_ben));
    assert!(
        refused
            .iter()
            .any(|r| r.message.contains("accepted by its owner"))
    );
    // In the owner's name but pushed by someone else.
    let forged = accept(
        risk,
        Some(member(ANNA)),
        "2026-12-07",
        "Insured",
        "2027-06-30",
    );
    let refused = judged(&f, as_member(BEN), std::slice::from_ref(&forged));
    assert!(
        refused
            .iter()
            .any(|r| r.message.contains("owner's own name"))
    );
    // An expiry before the acceptance.
    let backwards = accept(
        risk,
        Some(member(ANNA)),
        "2026-12-07",
        "Insured",
        "2026-12-01",
    );
    let refused = judged(&f, as_member(ANNA), std::slice::from_ref(&backwards));
    assert_eq!(refused[0].field, Risk::acceptance_expires);
    // The owner, in her own name, with a rationale and an expiry.
    assert_eq!(
        judged(&f, as_member(ANNA), std::slice::from_ref(&forged)),
        []
    );
}

#[test]
fn a_risk_within_appetite_is_accepted_without_formality_until_the_appetite_falls() {
    let mut f = Fixture::new();
    set_appetite(&mut f, 12);
    let risk = risk_of_anna(&mut f);
    let marked = Edit {
        record: risk,
        kind: Kind::Risk,
        fields: vec![(Risk::status, Value::from(RiskStatus::Accepted))],
    };
    assert_eq!(
        judged(&f, as_member(BEN), std::slice::from_ref(&marked)),
        []
    );
    f.set(risk, Kind::Risk, &marked.fields);
    // Its residual score rising above the appetite needs a formal acceptance.
    let worse = Edit {
        record: risk,
        kind: Kind::Risk,
        fields: vec![(Risk::residual_impact, Value::Int(5))],
    };
    assert!(!judged(&f, as_member(BEN), &[worse]).is_empty());
}

#[test]
fn the_treatment_plan_is_approved_by_the_risks_owner_in_their_own_name() {
    let mut f = Fixture::new();
    let risk = risk_of_anna(&mut f);
    let by_ben = approve_plan(risk, Some(member(BEN)), "2026-12-07");
    assert!(!judged(&f, as_member(BEN), &[by_ben]).is_empty());
    let by_anna = approve_plan(risk, Some(member(ANNA)), "2026-12-07");
    assert_eq!(judged(&f, as_member(ANNA), &[by_anna]), []);
}

#[test]
fn an_expired_acceptance_is_its_owners_work_and_a_worse_residual_score_is_flagged() {
    let mut f = Fixture::new();
    let risk = risk_of_anna(&mut f);
    let accepted = accept(
        risk,
        Some(member(ANNA)),
        "2026-01-05",
        "Insured",
        "2026-11-30",
    );
    f.set(risk, Kind::Risk, &accepted.fields);
    let work = work::my_work(f.register(), Some(member(ANNA)), day("2026-12-07"));
    let item = work.overdue.iter().find(|i| i.id == risk).unwrap();
    assert_eq!(item.what, "Accept the risk again, or treat it");
    assert_eq!(item.due, Some(day("2026-11-30")));

    let view: Risk = f.register().view(risk).unwrap();
    assert!(view.acceptance_expired(day("2026-12-07")));
    assert!(!view.acceptance_expired(day("2026-11-30")));
    assert!(!view.residual_above_inherent());
    f.set(
        risk,
        Kind::Risk,
        &[
            ("residual_impact", Value::Int(5)),
            ("residual_likelihood", Value::Int(5)),
        ],
    );
    let view: Risk = f.register().view(risk).unwrap();
    assert!(view.residual_above_inherent());
}

#[test]
fn an_approval_covers_the_criteria_until_they_change_again() {
    let mut f = Fixture::new();
    assert!(!Criteria::changed_since_approval(f.register()));
    f.set_at(
        criteria_id(),
        Kind::RiskCriteria,
        &Criteria::adopt_defaults().fields,
        10,
    );
    assert!(Criteria::changed_since_approval(f.register()));
    let approval = Criteria::read(f.register()).approve(Some(member(ANNA)), "2026-12-07");
    f.set_at(criteria_id(), Kind::RiskCriteria, &approval.fields, 20);
    let criteria = Criteria::read(f.register());
    assert_eq!(
        (criteria.version, criteria.approved_by),
        (Some(1), Some(member(ANNA)))
    );
    assert!(!Criteria::changed_since_approval(f.register()));
    f.set_at(
        criteria_id(),
        Kind::RiskCriteria,
        &[(RiskCriteria::appetite, Value::Int(8))],
        30,
    );
    assert!(Criteria::changed_since_approval(f.register()));
    let again = Criteria::read(f.register()).approve(Some(member(ANNA)), "2026-12-08");
    assert!(
        again
            .fields
            .contains(&(RiskCriteria::version, Value::Int(2)))
    );
}

#[test]
fn a_finding_or_incident_raised_after_the_last_assessment_asks_for_another() {
    let mut f = Fixture::new();
    let risk = risk_of_anna(&mut f);
    f.set(
        risk,
        Kind::Risk,
        &[
            ("status", text("assessed")),
            ("last_assessed", text("2026-11-01")),
        ],
    );
    f.add(
        Kind::Finding,
        &[
            ("title", text("Old backups untested")),
            ("risks", Value::List(vec![risk.to_string()])),
            ("raised_at", text("2026-10-15T10:00:00Z")),
        ],
    );
    let view = |f: &Fixture| f.register().view::<Risk>(risk).unwrap();
    let since = |f: &Fixture| -> Vec<Raised> {
        let raised = raised_about(f.register());
        raised_since_assessed(&view(f), raised.get(&risk))
            .into_iter()
            .cloned()
            .collect()
    };
    assert!(since(&f).is_empty());
    let incident = f.add(
        Kind::Event,
        &[
            ("title", text("Ransomware on a laptop")),
            ("risks", Value::List(vec![risk.to_string()])),
            ("detected_at", text("2026-12-01T08:00:00Z")),
        ],
    );
    assert_eq!(
        since(&f),
        [Raised {
            kind: Kind::Event,
            id: incident,
            title: "Ransomware on a laptop".to_owned(),
            on: "2026-12-01".to_owned(),
        }]
    );
    let today = day("2026-12-07");
    let work = work::my_work(f.register(), Some(member(ANNA)), today);
    let item = work.this_week.iter().find(|i| i.id == risk).unwrap();
    assert_eq!((item.what, item.due), ("Reassess the risk", Some(today)));
    f.set(risk, Kind::Risk, &assessed(risk, "2026-12-07").fields);
    assert!(since(&f).is_empty());
}

#[test]
fn the_treatment_plan_lists_open_risks_highest_first_with_their_actions() {
    let mut f = Fixture::new();
    let ransomware = risk_of_anna(&mut f);
    let tailgating = f.add(
        Kind::Risk,
        &[
            ("title", text("Tailgating")),
            ("inherent_likelihood", Value::Int(2)),
            ("inherent_impact", Value::Int(2)),
        ],
    );
    f.add(
        Kind::Risk,
        &[
            ("title", text("Closed one")),
            ("inherent_likelihood", Value::Int(5)),
            ("inherent_impact", Value::Int(5)),
            ("status", text("closed")),
        ],
    );
    for (title, due) in [
        ("Offline backups", "2027-02-01"),
        ("EDR on laptops", "2027-01-01"),
    ] {
        f.add(
            Kind::Action,
            &[
                ("title", text(title)),
                ("action_type", text("preventive")),
                ("risk", link(ransomware)),
                ("due", text(due)),
            ],
        );
    }
    let plan = treatment_plan(f.register());
    let order: Vec<RecordId> = plan.iter().map(|row| row.risk.id).collect();
    assert_eq!(order, [ransomware, tailgating]);
    let titles: Vec<_> = plan[0]
        .actions
        .iter()
        .map(|a| a.title.clone().unwrap())
        .collect();
    assert_eq!(titles, ["EDR on laptops", "Offline backups"]);
    assert!(plan[1].actions.is_empty());
}
