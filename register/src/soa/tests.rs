use super::*;
use crate::{
    ClientId, Role,
    catalogue::{control_id, seed_controls},
    fixture::{Fixture, text},
    gate::{Gate, Refusal, Who, changes_in},
    sync::Device,
};

const OLIVE: &str = "0190f1e2-0000-7000-8000-00000000000a";

fn seeded() -> Fixture {
    let mut device = Device::new(ClientId::new());
    seed_controls(&mut device, "org", 1);
    Fixture(device)
}

fn judged(f: &Fixture, who: Who, set: &[Edit]) -> Vec<Refusal> {
    let register = f.register();
    Gate::default().judge(who, &changes_in(set), register, &|r| {
        register.record(r).is_none()
    })
}

fn decide_all(f: &mut Fixture) {
    for control in undecided(f.register()) {
        f.set(
            control.id,
            Kind::Control,
            &[
                ("applicable", Value::Bool(true)),
                (
                    "justification",
                    text("Business need: part of our baseline."),
                ),
            ],
        );
    }
}

#[test]
fn a_new_register_s_controls_are_all_undecided_and_a_decision_needs_a_justification() {
    let f = seeded();
    assert_eq!(undecided(f.register()).len(), 93);
    let backup = control_id("org", "A.8.13");
    for applicable in [true, false] {
        let bare = Edit {
            record: backup,
            kind: Kind::Control,
            fields: vec![("applicable", Value::Bool(applicable))],
        };
        let refused = judged(&f, Who::ALONE, &[bare]);
        assert_eq!(refused[0].field, "justification", "{applicable}");
    }
    let justified = Edit {
        record: backup,
        kind: Kind::Control,
        fields: vec![
            ("applicable", Value::Bool(true)),
            ("justification", text("Treats the risks: Ransomware.")),
        ],
    };
    assert_eq!(judged(&f, Who::ALONE, &[justified]), []);
}

#[test]
fn a_justification_is_offered_from_the_risks_a_control_treats() {
    let mut f = seeded();
    let backup = control_id("org", "A.8.13");
    assert_eq!(justification_from_risks(backup, &f.register().all()), None);
    for title in ["Ransomware", "Disk failure"] {
        f.add(
            Kind::Risk,
            &[
                ("title", text(title)),
                ("controls", Value::List(vec![backup.to_string()])),
            ],
        );
    }
    let offered = justification_from_risks(backup, &f.register().all()).unwrap();
    assert!(offered.starts_with("Treats the risks: "), "{offered}");
    assert!(offered.contains("Ransomware") && offered.contains("Disk failure"));
}

#[test]
fn the_soa_is_approved_only_once_every_control_is_decided_and_each_version_keeps_its_text() {
    let mut f = seeded();
    let owner = Who {
        member: Some(OLIVE),
        role: Role::Owner,
    };
    let me = OLIVE.parse().ok();
    let early = approve(f.register(), me, "2026-12-07", None);
    let refused = judged(&f, owner, std::slice::from_ref(&early));
    assert!(
        refused[0]
            .message
            .starts_with("93 controls are not yet decided"),
        "{refused:?}"
    );

    decide_all(&mut f);
    let log = crate::sync::LogPoint {
        position: 412,
        hash: "ab".repeat(32),
    };
    let first = approve(f.register(), me, "2026-12-07", Some(&log));
    assert!(
        first
            .fields
            .contains(&(SoaVersion::log_position, Value::Int(412)))
    );
    assert_eq!(judged(&f, owner, std::slice::from_ref(&first)), []);
    let editor = Who {
        member: Some(OLIVE),
        role: Role::Editor,
    };
    assert_eq!(
        judged(&f, editor, std::slice::from_ref(&first))[0].code,
        "forbidden"
    );
    f.set(first.record, Kind::SoaVersion, &first.fields);

    // One control changes; version 2 holds the change, version 1 what it said.
    let physical = control_id("org", "A.7.4");
    let exclusion = [
        ("applicable", Value::Bool(false)),
        (
            "justification",
            text("No premises: everyone works remotely."),
        ),
    ];
    f.set(physical, Kind::Control, &exclusion);
    let second = approve(f.register(), me, "2026-12-08", None);
    assert!(
        second
            .fields
            .contains(&(SoaVersion::version, Value::Int(2)))
    );
    // Contents that are not the SoA's, or a version out of turn, are refused.
    let mut forged = second.clone();
    forged.fields.retain(|(f, _)| *f != SoaVersion::contents);
    forged
        .fields
        .push((SoaVersion::contents, text("Control\\nA.7.4,No")));
    assert_eq!(judged(&f, owner, &[forged])[0].code, "soa_misstated");
    let mut again = second.clone();
    again.fields.retain(|(f, _)| *f != SoaVersion::version);
    again.fields.push((SoaVersion::version, Value::Int(1)));
    assert!(
        judged(&f, owner, &[again])[0]
            .message
            .contains("next version of the SoA is 2")
    );
    assert_eq!(judged(&f, owner, std::slice::from_ref(&second)), []);
    f.set(second.record, Kind::SoaVersion, &second.fields);

    let kept = versions(f.register());
    assert_eq!(kept.len(), 2);
    let line = |v: &SoaVersion| {
        v.contents
            .as_deref()
            .unwrap()
            .lines()
            .find(|l| l.starts_with("A.7.4,"))
            .unwrap()
            .to_owned()
    };
    assert!(
        line(&kept[0]).contains(",Yes,Business need"),
        "{}",
        line(&kept[0])
    );
    assert!(
        line(&kept[1]).contains(",No,No premises"),
        "{}",
        line(&kept[1])
    );
    // A version is never changed.
    let rewrite = Edit {
        record: kept[0].id,
        kind: Kind::SoaVersion,
        fields: vec![(SoaVersion::contents, Value::from(csv(f.register())))],
    };
    assert_eq!(judged(&f, owner, &[rewrite])[0].code, "append_only");
}

#[test]
fn the_soa_lists_every_control_with_its_decision_status_effectiveness_and_risks() {
    let mut f = seeded();
    let physical = control_id("org", "A.7.4");
    f.set(
        physical,
        Kind::Control,
        &[
            ("applicable", Value::Bool(false)),
            ("justification", text("Remote, \"no\" offices")),
        ],
    );
    let backup = control_id("org", "A.8.13");
    f.add(
        Kind::Risk,
        &[
            ("title", text("Ransomware")),
            ("controls", Value::List(vec![backup.to_string()])),
        ],
    );
    f.set(
        backup,
        Kind::Control,
        &[("effectiveness", Value::from(Effectiveness::PartlyEffective))],
    );
    let csv = csv(f.register());
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 94);
    assert_eq!(
        lines[0],
        "Control,Title,Theme,Applicable,Justification,Status,Effectiveness,Risks treated"
    );
    assert_eq!(
        lines[1],
        "A.5.1,Policies for information security,organizational,Not decided,,not started,,"
    );
    assert!(lines.contains(
        &r#"A.7.4,Physical security monitoring,physical,No,"Remote, ""no"" offices",not started,,"#
    ));
    assert!(lines.contains(&"A.8.13,Information backup,technological,Not decided,,not started,partly effective,Ransomware"));
    assert!(lines[10].starts_with("A.5.10,"));
}

#[test]
fn defaults_from_before_decisions_were_asked_become_undecided_and_decisions_stay() {
    let mut f = seeded();
    // A register seeded when every control started applicable.
    for control in controls(f.register()) {
        f.set(
            control.id,
            Kind::Control,
            &[("applicable", Value::Bool(true))],
        );
    }
    let physical = control_id("org", "A.7.4");
    f.set(
        physical,
        Kind::Control,
        &[
            ("applicable", Value::Bool(false)),
            ("justification", text("Remote")),
        ],
    );
    let backup = control_id("org", "A.8.13");
    f.set(backup, Kind::Control, &[("justification", text("Backups"))]);
    let migration = undecide_defaults(f.register());
    assert_eq!(migration.len(), 91);
    assert_eq!(judged(&f, Who::ALONE, &migration), []);
    for edit in &migration {
        f.set(edit.record, edit.kind, &edit.fields);
    }
    assert_eq!(undecided(f.register()).len(), 91);
    let kept = |id| f.register().view::<Control>(id).unwrap().applicable;
    assert_eq!((kept(physical), kept(backup)), (Some(false), Some(true)));
    assert!(undecide_defaults(f.register()).is_empty(), "once only");
}
