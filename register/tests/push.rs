//! The organisation's server judging pushes through the register's gate: every refusal a
//! push meets for what the ISMS's rules say (roles, filing, append-only, record rules,
//! required fields), as the worker answers it. The engine's own refusals (clocks, mids,
//! sizes) are the engine's tests.

use engine::{
    server::{PushRefusal, ServerView},
    wire::PushResponse,
};
use register::{
    ClientId, Kind, RecordId, Role, Value,
    gate::{Author, Gate},
    rules::Lookup,
    sync::{Device, MemoryServer},
};

const NOW: u64 = 1_800_000_000_000;
/// The register's gate with no members list or date to judge by.
const GATE: Gate = Gate {
    members: None,
    today: None,
};

fn editor(device: &Device) -> Author {
    Author {
        client: device.client,
        member: "editor".into(),
        role: Role::Editor,
    }
}

fn new_risk(device: &mut Device, title: &str) -> RecordId {
    let id = RecordId::new();
    device.edit(id, Kind::Risk, "title", title.into(), NOW);
    device.edit(id, Kind::Risk, "inherent_likelihood", Value::Int(3), NOW);
    device.edit(id, Kind::Risk, "inherent_impact", Value::Int(4), NOW);
    id
}

fn refusal_codes(refusal: &PushRefusal) -> Vec<String> {
    refusal
        .body()
        .rejections
        .iter()
        .map(|r| r.code.clone())
        .collect()
}

#[test]
fn one_bad_op_refuses_the_whole_push_and_lists_every_reason() {
    let mut server = MemoryServer::default();
    let mut device = Device::new(ClientId::new());
    let id = new_risk(&mut device, "Phishing");
    device.edit(id, Kind::Risk, "residual_impact", Value::Int(9), NOW);
    device.edit(id, Kind::Risk, "colour", "red".into(), NOW);
    device.edit(id, Kind::Risk, "review_due", "soon".into(), NOW);
    device.edit(
        id,
        Kind::Risk,
        "description",
        Value::Text("x".repeat(70_000)),
        NOW,
    );
    let request = device.push_request(500).unwrap();
    let refusal = server
        .push(&GATE, &editor(&device), &request, NOW)
        .unwrap_err();
    assert_eq!(refusal.status(), 422);
    assert_eq!(
        refusal_codes(&refusal),
        ["out_of_range", "unknown_field", "invalid_date", "too_long"]
    );
    assert!(server.log.is_empty(), "nothing is stored");

    // The device gives the refused changes up; the valid ones then go through.
    device.on_refused(&refusal.body());
    assert_eq!(device.refused.len(), 4);
    let retry = device.push_request(500).unwrap();
    assert_eq!(retry.withdrawn, [4, 5, 6, 7]);
    let stored = server.push(&GATE, &editor(&device), &retry, NOW).unwrap();
    assert_eq!(
        stored,
        PushResponse {
            acked_mid: 7,
            head: 3
        }
    );
}

#[test]
fn an_excluded_control_needs_a_justification_in_the_push_or_on_the_server() {
    let mut server = MemoryServer::default();
    let mut device = Device::new(ClientId::new());
    register::catalogue::seed_controls(&mut device, "org", NOW);
    let pushed = server
        .push(
            &GATE,
            &editor(&device),
            &device.push_request(500).unwrap(),
            NOW,
        )
        .unwrap();
    device.on_pushed(&pushed);
    let control = register::catalogue::control_id("org", "A.7.4");

    device.edit(
        control,
        Kind::Control,
        "applicable",
        Value::Bool(false),
        NOW + 1,
    );
    let refusal = server
        .push(
            &GATE,
            &editor(&device),
            &device.push_request(500).unwrap(),
            NOW,
        )
        .unwrap_err();
    assert_eq!(refusal_codes(&refusal), ["record_rule"]);
    assert_eq!(refusal.body().rejections[0].field, "applicable");
    device.on_refused(&refusal.body());

    // With a justification in the same push, or already stored, it is accepted.
    device.edit(
        control,
        Kind::Control,
        "justification",
        "No premises: fully remote.".into(),
        NOW + 2,
    );
    device.edit(
        control,
        Kind::Control,
        "applicable",
        Value::Bool(false),
        NOW + 3,
    );
    let pushed = server
        .push(
            &GATE,
            &editor(&device),
            &device.push_request(500).unwrap(),
            NOW,
        )
        .unwrap();
    device.on_pushed(&pushed);
    // Emptying the justification of an excluded control is refused; other fields are not.
    device.edit(control, Kind::Control, "justification", "".into(), NOW + 4);
    let refusal = server
        .push(
            &GATE,
            &editor(&device),
            &device.push_request(500).unwrap(),
            NOW,
        )
        .unwrap_err();
    assert_eq!(refusal_codes(&refusal), ["record_rule"]);
    device.on_refused(&refusal.body());
    device.edit(control, Kind::Control, "status", "planned".into(), NOW + 5);
    assert!(
        server
            .push(
                &GATE,
                &editor(&device),
                &device.push_request(500).unwrap(),
                NOW
            )
            .is_ok()
    );
}

#[test]
fn a_change_that_loses_to_a_newer_stored_value_is_judged_with_that_value() {
    let mut server = MemoryServer::default();
    let mut device = Device::new(ClientId::new());
    let control = RecordId::new();
    device.edit(control, Kind::Control, "reference", "A.7.4".into(), NOW);
    device.edit(control, Kind::Control, "title", "Monitoring".into(), NOW);
    device.edit(
        control,
        Kind::Control,
        "justification",
        "Remote only.".into(),
        NOW,
    );
    device.edit(
        control,
        Kind::Control,
        "applicable",
        Value::Bool(false),
        NOW + 5,
    );
    let pushed = server
        .push(
            &GATE,
            &editor(&device),
            &device.push_request(500).unwrap(),
            NOW,
        )
        .unwrap();
    device.on_pushed(&pushed);

    // Offline since before the exclusion: it includes the control and empties the
    // justification. The exclusion is newer and stays, so the justification may not go.
    let mut late = Device::new(ClientId::new());
    late.edit(
        control,
        Kind::Control,
        "applicable",
        Value::Bool(true),
        NOW + 1,
    );
    late.edit(control, Kind::Control, "justification", "".into(), NOW + 1);
    let refusal = server
        .push(&GATE, &editor(&late), &late.push_request(500).unwrap(), NOW)
        .unwrap_err();
    assert_eq!(refusal_codes(&refusal), ["record_rule", "record_rule"]);
    assert_eq!(
        server.field(control, "justification"),
        Some("Remote only.".into())
    );
}

#[test]
fn roles_kinds_and_append_only_are_enforced() {
    let mut server = MemoryServer::default();
    let mut viewer = Device::new(ClientId::new());
    new_risk(&mut viewer, "Not allowed");
    let request = viewer.push_request(500).unwrap();
    let author = Author {
        client: viewer.client,
        member: "viewer".into(),
        role: Role::Viewer,
    };
    let refusal = server.push(&GATE, &author, &request, NOW).unwrap_err();
    assert_eq!(refusal.status(), 403);
    assert!(refusal_codes(&refusal).iter().all(|c| c == "forbidden"));

    let mut device = Device::new(ClientId::new());
    let measurement = RecordId::new();
    device.edit(
        measurement,
        Kind::Measurement,
        "metric",
        RecordId::new().to_string().into(),
        NOW,
    );
    device.edit(
        measurement,
        Kind::Measurement,
        "value",
        Value::Num(97.5),
        NOW,
    );
    device.edit(
        measurement,
        Kind::Measurement,
        "date",
        "2026-11-29".into(),
        NOW,
    );
    let pushed = server
        .push(
            &GATE,
            &editor(&device),
            &device.push_request(500).unwrap(),
            NOW,
        )
        .unwrap();
    device.on_pushed(&pushed);
    device.edit(
        measurement,
        Kind::Measurement,
        "value",
        Value::Num(1.0),
        NOW,
    );
    device.edit(measurement, Kind::Risk, "title", "sneaky".into(), NOW);
    let refusal = server
        .push(
            &GATE,
            &editor(&device),
            &device.push_request(500).unwrap(),
            NOW,
        )
        .unwrap_err();
    assert_eq!(refusal_codes(&refusal), ["append_only", "kind_mismatch"]);
}

#[test]
fn a_viewer_may_file_a_report_but_not_triage_it_or_change_the_register() {
    let mut server = MemoryServer::default();
    let mut phone = Device::new(ClientId::new());
    let viewer = Author {
        client: phone.client,
        member: RecordId::new().to_string(),
        role: Role::Viewer,
    };
    // Filed as triaged, resolved, linked, in someone else's name: each is refused.
    let file = |phone: &mut Device, report: RecordId, fields: Vec<(&str, Value)>| {
        for (field, value) in fields {
            phone.edit(report, Kind::Event, field, value, NOW);
        }
    };
    let account = || -> Vec<(&str, Value)> {
        vec![
            ("event_type", "near_miss".into()),
            ("title", "Gate left open".into()),
        ]
    };
    let mut triaged = account();
    triaged.extend([
        ("status", "resolved".into()),
        ("resolved_at", "2026-11-29T10:00:00Z".into()),
        ("controls", Value::List(vec![RecordId::new().to_string()])),
        ("reporter", RecordId::new().to_string().into()),
    ]);
    file(&mut phone, RecordId::new(), triaged);
    let refusal = server
        .push(&GATE, &viewer, &phone.push_request(500).unwrap(), NOW)
        .unwrap_err();
    let refused: Vec<(String, String)> = refusal
        .body()
        .rejections
        .iter()
        .map(|r| (r.field.clone(), r.message.clone()))
        .collect();
    assert_eq!(
        refused,
        [
            (
                "status",
                "A new report's status is “new”; triage moves it on."
            ),
            (
                "resolved_at",
                "Triage sets this, after the report is filed."
            ),
            ("controls", "Triage sets this, after the report is filed."),
            ("reporter", "You can report only in your own name."),
        ]
        .map(|(f, m)| (f.to_owned(), m.to_owned()))
    );
    phone.on_refused(&refusal.body());

    // Their own account, in their own name, is filed.
    let report = RecordId::new();
    let mut own = account();
    own.extend([
        ("status", "new".into()),
        ("reporter", viewer.member.clone().into()),
    ]);
    file(&mut phone, report, own);
    let pushed = server
        .push(&GATE, &viewer, &phone.push_request(500).unwrap(), NOW)
        .expect("a viewer may file a report");
    phone.on_pushed(&pushed);
    assert_eq!(server.record_kind(report), Some(Kind::Event));

    // Once filed, changing it is triage.
    phone.edit(report, Kind::Event, "status", "resolved".into(), NOW + 1);
    let refusal = server
        .push(&GATE, &viewer, &phone.push_request(500).unwrap(), NOW)
        .unwrap_err();
    assert_eq!(refusal.status(), 403);
    assert_eq!(refusal_codes(&refusal), ["forbidden"]);
    assert_eq!(
        refusal.body().rejections[0].message,
        "A viewer may not change Event records once filed."
    );
    phone.on_refused(&refusal.body());

    // Filing is only for reports: a new risk is still refused.
    new_risk(&mut phone, "Not mine to add");
    let refusal = server
        .push(&GATE, &viewer, &phone.push_request(500).unwrap(), NOW)
        .unwrap_err();
    assert!(refusal_codes(&refusal).iter().all(|c| c == "forbidden"));
    assert_eq!(
        server.field(report, "status"),
        Some(Value::Text("new".into()))
    );
}

#[test]
fn a_new_record_needs_its_required_fields_in_one_push() {
    let mut server = MemoryServer::default();
    let mut device = Device::new(ClientId::new());
    device.edit(
        RecordId::new(),
        Kind::Risk,
        "title",
        "Half a risk".into(),
        NOW,
    );
    let refusal = server
        .push(
            &GATE,
            &editor(&device),
            &device.push_request(500).unwrap(),
            NOW,
        )
        .unwrap_err();
    assert_eq!(refusal_codes(&refusal), ["missing_required"]);
    assert!(
        refusal.body().rejections[0]
            .message
            .contains("inherent_likelihood")
    );
}
