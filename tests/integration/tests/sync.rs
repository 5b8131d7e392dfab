//! Organisations, credentials, roles and sync against a real `wrangler dev`: every refusal
//! the API promises, two organisations side by side, and the hash chain checked by a client.

use engine::{
    chain::{self, GENESIS},
    wire::PushResponse,
};
use integration::{
    Body, Case, WranglerDev, call, code, create_org, get, invite, join_as, now_ms, push, push_all,
    run_cases, set,
};
use register::{
    ClientId, Hlc, Kind, Op, RecordId, Value,
    api::{Credential, Invite, InvitesResponse, MembersResponse},
    sync::{Device, HistoryResponse, PullResponse, PushRequest},
};
use serde_json::json;

fn pull(server: &WranglerDev, who: &Credential, since: u64, limit: u64) -> PullResponse {
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/pull?since={since}&limit={limit}", who.org),
        Some(&who.token),
        Body::Empty,
    );
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

fn device_for(who: &Credential) -> Device {
    Device::new(who.client)
}

fn new_risk(device: &mut Device, title: &str) -> RecordId {
    let id = RecordId::new();
    let now = now_ms();
    device.edit(id, Kind::Risk, "title", title.into(), now);
    device.edit(id, Kind::Risk, "inherent_likelihood", Value::Int(3), now);
    device.edit(id, Kind::Risk, "inherent_impact", Value::Int(4), now);
    id
}

/// Pulls everything, verifying the chain page by page exactly as a client does.
fn pull_all(server: &WranglerDev, who: &Credential, device: &mut Device) {
    for _ in 0..1000 {
        let page = pull(server, who, device.cursor, 2);
        device
            .on_pulled(&page)
            .expect("the server's chain verifies");
        if !page.more {
            return;
        }
    }
    panic!("pull did not finish");
}

/// A page of `record`'s history before `before` (the latest when None), with its size in bytes.
fn history_page(
    server: &WranglerDev,
    who: &Credential,
    record: RecordId,
    before: Option<u64>,
) -> (usize, HistoryResponse) {
    let query = before.map_or(String::new(), |seq| format!("?before={seq}"));
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/records/{record}/history{query}", who.org),
        Some(&who.token),
        Body::Empty,
    );
    assert_eq!(status, 200, "{body}");
    (
        body.to_string().len(),
        serde_json::from_value(body).unwrap(),
    )
}

fn creating_an_organisation_needs_the_setup_code(server: &WranglerDev) {
    let attempt = |setup: serde_json::Value| {
        call(
            server,
            "POST",
            "/api/orgs",
            None,
            Body::Json(json!({"org_name": "Acme", "owner_name": "Ann", "setup_code": setup})),
        )
    };
    let (status, body) = attempt(serde_json::Value::Null);
    assert_eq!((status, code(&body)), (403, "setup_code_required"));
    let (status, body) = attempt(json!("guess"));
    assert_eq!((status, code(&body)), (403, "setup_code_wrong"));
    let (status, body) = call(
        server,
        "POST",
        "/api/orgs",
        None,
        Body::Json(json!({"org_name": " ", "owner_name": "Ann", "setup_code": server.setup_code})),
    );
    assert_eq!((status, code(&body)), (400, "invalid_name"));
    let owner = create_org(server, "Acme");
    assert_eq!(owner.role, register::Role::Owner);
    assert_eq!(owner.org_name, "Acme");
    assert_eq!(owner.token.split('.').next(), Some(owner.org.as_str()));
}

fn malformed_requests_are_refused_with_json_errors(server: &WranglerDev) {
    let owner = create_org(server, "Bad input Ltd");
    let path = format!("/api/orgs/{}/push", owner.org);
    let cases = [
        (
            Body::Raw("application/json", "{not json".into()),
            400,
            "malformed_json",
        ),
        (
            Body::Raw("text/plain", "{}".into()),
            415,
            "unsupported_media_type",
        ),
        (
            Body::Raw(
                "application/json",
                format!("\"{}\"", "x".repeat(1024 * 1024 + 10)),
            ),
            413,
            "body_too_large",
        ),
        (
            Body::Json(json!({"client": owner.client, "ops": [], "surprise": true})),
            400,
            "invalid_request",
        ),
    ];
    for (body, status, expected) in cases {
        let (got, reply) = call(server, "POST", &path, Some(&owner.token), body);
        assert_eq!((got, code(&reply)), (status, expected), "{reply}");
        assert!(
            reply["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let mut op = serde_json::to_value(Op {
        client: owner.client,
        mid: 1,
        record: RecordId::new(),
        kind: Kind::Risk,
        field: "title".into(),
        value: "x".into(),
        hlc: Hlc {
            wall: now_ms(),
            counter: 0,
        },
    })
    .unwrap();
    op["kind"] = json!("unicorn");
    let (status, reply) = call(
        server,
        "POST",
        &path,
        Some(&owner.token),
        Body::Json(json!({"client": owner.client, "ops": [op]})),
    );
    assert_eq!((status, code(&reply)), (400, "invalid_request"));
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unicorn")
    );
    assert!(
        pull(server, &owner, 0, 10).ops.is_empty(),
        "nothing was stored"
    );
}

fn push_pull_round_trip_is_idempotent_and_chained(server: &WranglerDev) {
    let owner = create_org(server, "Round trip plc");
    let mut device = device_for(&owner);
    let id = new_risk(&mut device, "Laptop theft");
    let request = device.push_request(500).unwrap();
    let (status, body) = push(server, &owner, &request);
    assert_eq!(status, 200, "{body}");
    let response: PushResponse = serde_json::from_value(body).unwrap();
    assert_eq!(
        response,
        PushResponse {
            acked_mid: 3,
            head: 3
        }
    );
    // A retry of the same push (say the answer was lost) stores nothing twice.
    let (status, body) = push(server, &owner, &request);
    assert_eq!(
        (
            status,
            serde_json::from_value::<PushResponse>(body).unwrap()
        ),
        (200, response.clone())
    );
    device.on_pushed(&response);

    let mut reader = Device::new(ClientId::new());
    pull_all(server, &owner, &mut reader);
    assert_eq!(reader.cursor, 3);
    let risk: register::views::Risk = reader.confirmed.view(id).unwrap();
    assert_eq!(risk.title.as_deref(), Some("Laptop theft"));
    let page = pull(server, &owner, 0, 1000);
    assert!(!page.more);
    assert_eq!(
        chain::verify(0, GENESIS, &page.ops).unwrap(),
        page.ops[2].hash
    );
    let mut tampered = page.ops.clone();
    tampered[1].op.value = Value::Int(5);
    assert!(
        chain::verify(0, GENESIS, &tampered).is_err(),
        "a client detects an altered history"
    );
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/pull?since=abc", owner.org),
        Some(&owner.token),
        Body::Empty,
    );
    assert_eq!((status, code(&body)), (400, "invalid_query"));
    // Past SQLite's exact integers `since` once wrapped negative and returned the whole log.
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/pull?since={}", owner.org, 1u64 << 63),
        Some(&owner.token),
        Body::Empty,
    );
    assert_eq!((status, code(&body)), (400, "invalid_query"), "{body}");
    // A method the platform passes on but workers-rs does not know was once served as GET.
    let (status, body) = call(
        server,
        "PROPFIND",
        &format!("/api/orgs/{}/pull", owner.org),
        Some(&owner.token),
        Body::Empty,
    );
    assert_eq!((status, code(&body)), (405, "method_not_allowed"), "{body}");
}

/// Long texts make pull pages shorter: a page stays within `PULL_MAX_BYTES`.
fn pull_pages_are_capped_by_bytes(server: &WranglerDev) {
    let owner = create_org(server, "Long texts Ltd");
    let mut device = device_for(&owner);
    let long = "ä".repeat(30_000);
    for _ in 0..120 {
        let id = new_risk(&mut device, "Long description");
        device.edit(
            id,
            Kind::Risk,
            "description",
            long.as_str().into(),
            now_ms(),
        );
    }
    for _ in 0..100 {
        let Some(request) = device.push_request(40) else {
            break;
        };
        let (status, body) = push(server, &owner, &request);
        assert_eq!(status, 200, "{body}");
        device.on_pushed(&serde_json::from_value(body).unwrap());
    }
    assert_eq!(device.pending(), 0);
    let mut reader = Device::new(ClientId::new());
    let mut pages = 0;
    for _ in 0..100 {
        let (status, body) = call(
            server,
            "GET",
            &format!("/api/orgs/{}/pull?since={}", owner.org, reader.cursor),
            Some(&owner.token),
            Body::Empty,
        );
        assert_eq!(status, 200);
        let bytes = body.to_string().len() as u64;
        assert!(
            bytes < engine::wire::PULL_MAX_BYTES + 64 * 1024,
            "a page of {bytes} bytes"
        );
        let page: PullResponse = serde_json::from_value(body).unwrap();
        reader.on_pulled(&page).unwrap();
        pages += 1;
        if !page.more {
            break;
        }
    }
    assert!(pages > 1, "7 MB of text came in {pages} page(s)");
    assert_eq!(reader.cursor, 480);
}

fn invalid_ops_are_refused_whole_with_reasons(server: &WranglerDev) {
    let owner = create_org(server, "Refusals GmbH");
    let mut device = device_for(&owner);
    let id = new_risk(&mut device, "Valid start");
    let now = now_ms();
    device.edit(id, Kind::Risk, "inherent_impact", Value::Int(7), now);
    device.edit(id, Kind::Risk, "flavour", "salty".into(), now);
    device.edit(id, Kind::Risk, "residual_likelihood", "three".into(), now);
    device.edit(
        id,
        Kind::Risk,
        "description",
        Value::Text("x".repeat(70 * 1024)),
        now,
    );
    let (status, body) = push(server, &owner, &device.push_request(500).unwrap());
    assert_eq!((status, code(&body)), (422, "invalid_ops"), "{body}");
    let reasons: Vec<&str> = body["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["out_of_range", "unknown_field", "wrong_type", "too_long"]
    );
    assert!(
        pull(server, &owner, 0, 10).ops.is_empty(),
        "nothing from a refused push is stored"
    );

    // The client gives the refused changes up and the rest go through.
    device.on_refused(&serde_json::from_value(body).unwrap());
    let (status, body) = push(server, &owner, &device.push_request(500).unwrap());
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["acked_mid"], 7);
    assert_eq!(pull(server, &owner, 0, 10).ops.len(), 3);

    // A clock more than five minutes ahead.
    let mut request = PushRequest {
        client: owner.client,
        ops: Vec::new(),
        withdrawn: Vec::new(),
    };
    let future = now_ms() + 10 * 60 * 1000;
    let rid = RecordId::new();
    for (i, (field, value)) in [
        ("title", Value::from("Future")),
        ("inherent_likelihood", Value::Int(1)),
        ("inherent_impact", Value::Int(1)),
    ]
    .into_iter()
    .enumerate()
    {
        request.ops.push(Op {
            client: owner.client,
            mid: 8 + i as u64,
            record: rid,
            kind: Kind::Risk,
            field: field.into(),
            value,
            hlc: Hlc {
                wall: future,
                counter: i as u32,
            },
        });
    }
    let (status, body) = push(server, &owner, &request);
    assert_eq!(
        (status, body["rejections"][0]["code"].as_str()),
        (422, Some("clock_ahead")),
        "{body}"
    );

    // A gap in the change numbers.
    request.ops.remove(0);
    let (status, body) = push(server, &owner, &request);
    assert_eq!((status, code(&body)), (409, "mid_gap"));
    assert_eq!(body["acked_mid"], 7);

    // Too many changes in one push.
    let op = request.ops[0].clone();
    request.ops = (8..=508).map(|mid| Op { mid, ..op.clone() }).collect();
    let (status, body) = push(server, &owner, &request);
    assert_eq!((status, code(&body)), (413, "too_many_ops"));
    assert_eq!(pull(server, &owner, 0, 10).ops.len(), 3);
}

fn record_rules_read_the_stored_record(server: &WranglerDev) {
    let owner = create_org(server, "Rules Ltd");
    let mut device = device_for(&owner);
    register::catalogue::seed_controls(&mut device, &owner.org, now_ms());
    push_all(server, &owner, &mut device);
    let control = register::catalogue::control_id(&owner.org, "A.7.1");
    device.edit(
        control,
        Kind::Control,
        "applicable",
        Value::Bool(false),
        now_ms(),
    );
    let (status, body) = push(server, &owner, &device.push_request(500).unwrap());
    assert_eq!((status, code(&body)), (422, "invalid_ops"), "{body}");
    assert_eq!(body["rejections"][0]["code"], "record_rule");
    device.on_refused(&serde_json::from_value(body).unwrap());

    // A justification stored first (its own push) makes the exclusion acceptable.
    device.edit(
        control,
        Kind::Control,
        "justification",
        "Fully remote company.".into(),
        now_ms(),
    );
    let (status, body) = push(server, &owner, &device.push_request(500).unwrap());
    assert_eq!(status, 200, "{body}");
    device.on_pushed(&serde_json::from_value(body).unwrap());
    device.edit(
        control,
        Kind::Control,
        "applicable",
        Value::Bool(false),
        now_ms(),
    );
    let (status, body) = push(server, &owner, &device.push_request(500).unwrap());
    assert_eq!(status, 200, "{body}");
}

/// Pushes what `device` holds, taking the answer as the device would; returns the status and
/// every refusal's message.
fn push_judged(server: &WranglerDev, who: &Credential, device: &mut Device) -> (u16, Vec<String>) {
    let (status, body) = push(server, who, &device.push_request(500).unwrap());
    if status == 200 {
        device.on_pushed(&serde_json::from_value(body).unwrap());
        return (status, Vec::new());
    }
    let messages = body["rejections"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|r| r["message"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    device.on_refused(&serde_json::from_value(body).unwrap());
    (status, messages)
}

/// The holes an auditor found, each refused by the server's gate with the message the
/// device shows, and nothing of a refused push stored.
fn nothing_closes_hollow(server: &WranglerDev) {
    use register::views::{Action, Audit, AuditCheck, Finding, Review};
    let owner = create_org(server, "Loop Ltd");
    let editor = join_as(server, &owner, "editor", "Eddie Editor");
    let auditor = join_as(server, &owner, "auditor", "Ada Auditor");
    let text = |s: &str| Value::from(s);
    let refused_with = |(status, messages): (u16, Vec<String>), status_wanted: u16, words: &str| {
        assert_eq!(status, status_wanted, "{messages:?}");
        assert!(
            messages.iter().any(|m| m.contains(words)),
            "expected “{words}” among {messages:?}"
        );
    };
    let mut eddie = device_for(&editor);
    let (finding, action) = (RecordId::new(), RecordId::new());
    let analysing = [
        (Finding::title, text("Restores never tested")),
        (Finding::finding_type, text("major_nc")),
        (Finding::status, text("analysing")),
        (Finding::root_cause, text("Nobody owns restore tests.")),
    ];
    set(&mut eddie, finding, Kind::Finding, &analysing);
    refused_with(
        push_judged(server, &editor, &mut eddie),
        422,
        "needs an owner before work on it starts",
    );
    // The refused changes are withdrawn: the finding is made again, with its owner.
    set(&mut eddie, finding, Kind::Finding, &analysing);
    set(
        &mut eddie,
        finding,
        Kind::Finding,
        &[(Finding::owner, text(&editor.member))],
    );
    assert_eq!(push_judged(server, &editor, &mut eddie).0, 200);

    // One person's closure: an ownerless action, done and verified by the same editor.
    let done_and_verified = [
        (Action::title, text("Monthly restore test")),
        (Action::action_type, text("corrective")),
        (Action::finding, text(&finding.to_string())),
        (Action::status, text("done")),
        (Action::completed_by, text(&editor.member)),
        (Action::effective, text("effective")),
        (Action::verified_by, text(&editor.member)),
    ];
    set(&mut eddie, action, Kind::Action, &done_and_verified);
    refused_with(
        push_judged(server, &editor, &mut eddie),
        422,
        "verified only once it has an owner",
    );
    // An owner who is no member of the organisation is refused too.
    set(&mut eddie, action, Kind::Action, &done_and_verified);
    set(
        &mut eddie,
        action,
        Kind::Action,
        &[(Action::owner, text(&RecordId::new().to_string()))],
    );
    refused_with(
        push_judged(server, &editor, &mut eddie),
        422,
        "is not a member of this organisation",
    );
    // Owned by the owner, marked done by the editor: she may not verify it herself.
    set(&mut eddie, action, Kind::Action, &done_and_verified);
    set(
        &mut eddie,
        action,
        Kind::Action,
        &[(Action::owner, text(&owner.member))],
    );
    refused_with(
        push_judged(server, &editor, &mut eddie),
        422,
        "may not be the one who marked the action done",
    );
    set(&mut eddie, action, Kind::Action, &done_and_verified[..5]);
    set(
        &mut eddie,
        action,
        Kind::Action,
        &[(Action::owner, text(&owner.member))],
    );
    assert_eq!(push_judged(server, &editor, &mut eddie).0, 200);
    // Marking done in another's name is refused.
    let mut olive = device_for(&owner);
    pull_all(server, &owner, &mut olive);
    set(
        &mut olive,
        action,
        Kind::Action,
        &[(Action::completed_by, text(&auditor.member))],
    );
    refused_with(
        push_judged(server, &owner, &mut olive),
        403,
        "in the name of the one who marks it",
    );
    let log = pull(server, &owner, 0, 1000);
    assert!(
        log.ops.iter().all(|e| e.op.field != Action::effective),
        "nothing of a refused push is stored"
    );

    // Not before its check is due: the fix is first tested by ordinary work.
    set(
        &mut eddie,
        action,
        Kind::Action,
        &[(Action::check_due, text("2099-01-01"))],
    );
    assert_eq!(push_judged(server, &editor, &mut eddie).0, 200);
    let verified = [
        (Action::effective, text("effective")),
        (Action::verified_by, text(&auditor.member)),
    ];
    let mut ada = device_for(&auditor);
    pull_all(server, &auditor, &mut ada);
    set(&mut ada, action, Kind::Action, &verified);
    refused_with(
        push_judged(server, &auditor, &mut ada),
        422,
        "effectiveness is checked from 2099-01-01",
    );
    set(
        &mut eddie,
        action,
        Kind::Action,
        &[(Action::check_due, text("2026-01-01"))],
    );
    assert_eq!(push_judged(server, &editor, &mut eddie).0, 200);

    // The auditor, who neither owns nor did it, verifies; then the finding closes.
    pull_all(server, &auditor, &mut ada);
    set(&mut ada, action, Kind::Action, &verified);
    assert_eq!(push_judged(server, &auditor, &mut ada).0, 200);
    pull_all(server, &editor, &mut eddie);
    set(
        &mut eddie,
        finding,
        Kind::Finding,
        &[(Finding::status, text("closed"))],
    );
    assert_eq!(push_judged(server, &editor, &mut eddie).0, 200);

    // Closed, it is read only: not deleted, re-typed or changed until reopened with a reason;
    // and only an owner or admin deletes a finding.
    for change in [
        (Finding::finding_type, text("observation")),
        (Finding::deviation, text("Quietly rewritten.")),
    ] {
        set(&mut eddie, finding, Kind::Finding, &[change]);
        refused_with(
            push_judged(server, &editor, &mut eddie),
            422,
            "This finding is closed",
        );
    }
    set(
        &mut eddie,
        finding,
        Kind::Finding,
        &[
            ("deleted", Value::Bool(true)),
            (Finding::deletion_reason, text("Duplicate.")),
        ],
    );
    refused_with(
        push_judged(server, &editor, &mut eddie),
        403,
        "Only an owner or admin deletes a finding",
    );

    // A hollow review does not sign off; a full one does, and its outputs stay as signed.
    let (review, output) = (RecordId::new(), RecordId::new());
    pull_all(server, &owner, &mut olive);
    set(
        &mut olive,
        review,
        Kind::Review,
        &[
            (Review::title, text("Review 2026")),
            (Review::date, text("2026-06-30")),
            (Review::status, text("held")),
            (Review::signed_off_at, text("2026-06-30T15:00:00Z")),
            (Review::signed_off_by, text(&owner.member)),
        ],
    );
    let hollow = push_judged(server, &owner, &mut olive);
    for words in [
        "with its attendees",
        "with its decisions",
        "each input of 9.3.2",
        "with its outputs",
    ] {
        refused_with(hollow.clone(), 422, words);
    }
    let mut held: Vec<(&str, Value)> = register::reviews::REQUIRED_COMMENTARY
        .iter()
        .map(|f| (*f, text("Considered.")))
        .collect();
    held.extend([
        (Review::title, text("Review 2026")),
        (Review::date, text("2026-06-30")),
        (Review::status, text("held")),
        (Review::attendees, Value::List(vec![owner.member.clone()])),
        (Review::decisions, text("Fund a second backup target.")),
    ]);
    set(&mut olive, review, Kind::Review, &held);
    set(
        &mut olive,
        output,
        Kind::Action,
        &[
            (Action::title, text("Budget a second backup target")),
            (Action::action_type, text("improvement")),
            (Action::review, text(&review.to_string())),
            (Action::output_type, text("resource_need")),
            (Action::owner, text(&editor.member)),
            (Action::due, text("2026-09-30")),
        ],
    );
    assert_eq!(push_judged(server, &owner, &mut olive).0, 200);
    set(
        &mut olive,
        review,
        Kind::Review,
        &[
            (Review::signed_off_at, text("2026-06-30T15:00:00Z")),
            (Review::signed_off_by, text(&owner.member)),
        ],
    );
    assert_eq!(push_judged(server, &owner, &mut olive).0, 200);
    pull_all(server, &editor, &mut eddie);
    set(
        &mut eddie,
        output,
        Kind::Action,
        &[(Action::title, text("Budget nothing"))],
    );
    refused_with(
        push_judged(server, &editor, &mut eddie),
        422,
        "its outputs stay as signed",
    );
    set(
        &mut eddie,
        output,
        Kind::Action,
        &[(Action::status, text("in_progress"))],
    );
    assert_eq!(
        push_judged(server, &editor, &mut eddie).0,
        200,
        "an output still progresses"
    );

    // A reported audit's checks stay as reported; only an owner or admin acknowledges it.
    let (audit, check) = (RecordId::new(), RecordId::new());
    set(
        &mut ada,
        audit,
        Kind::Audit,
        &[
            (Audit::title, text("Backup audit")),
            (Audit::audit_type, text("internal")),
            (Audit::status, text("in_progress")),
        ],
    );
    set(
        &mut ada,
        check,
        Kind::AuditCheck,
        &[
            (AuditCheck::audit, text(&audit.to_string())),
            (AuditCheck::question, text("Are restores tested?")),
            (AuditCheck::result, text("conforming")),
        ],
    );
    assert_eq!(push_judged(server, &auditor, &mut ada).0, 200);
    set(
        &mut ada,
        audit,
        Kind::Audit,
        &[(Audit::status, text("reported"))],
    );
    assert_eq!(push_judged(server, &auditor, &mut ada).0, 200);
    set(
        &mut ada,
        check,
        Kind::AuditCheck,
        &[(AuditCheck::result, text("major_nc"))],
    );
    refused_with(
        push_judged(server, &auditor, &mut ada),
        422,
        "its checks and results stay as reported",
    );
    set(
        &mut ada,
        audit,
        Kind::Audit,
        &[
            (Audit::acknowledged_at, text("2026-07-01")),
            (Audit::acknowledged_by, text(&auditor.member)),
        ],
    );
    refused_with(
        push_judged(server, &auditor, &mut ada),
        403,
        "Only an owner or admin acknowledges",
    );
    pull_all(server, &owner, &mut olive);
    set(
        &mut olive,
        audit,
        Kind::Audit,
        &[
            (Audit::acknowledged_at, text("2026-07-01")),
            (Audit::acknowledged_by, text(&owner.member)),
        ],
    );
    assert_eq!(push_judged(server, &owner, &mut olive).0, 200);
}

/// Whoever pushes it, an Evidence record holds a position only where the organisation's
/// policy keeps them, and only a position.
fn a_photo_position_is_kept_only_by_the_organisations_policy(server: &WranglerDev) {
    use register::views::{Evidence, Policy};
    let owner = create_org(server, "Where Ltd");
    let editor = join_as(server, &owner, "editor", "Eddie Editor");
    let mut eddie = device_for(&editor);
    let evidence = RecordId::new();
    set(
        &mut eddie,
        evidence,
        Kind::Evidence,
        &[
            (Evidence::title, Value::from("Fire door")),
            (Evidence::sha256, Value::from("a".repeat(64))),
            (Evidence::coordinates, Value::from("51.50070, -0.12460")),
        ],
    );
    let (status, messages) = push_judged(server, &editor, &mut eddie);
    assert_eq!(status, 422, "{messages:?}");
    assert!(messages[0].contains("does not keep where photos were taken"));

    let mut olive = device_for(&owner);
    set(
        &mut olive,
        register::policy::id(),
        Kind::Policy,
        &[(Policy::photo_location, Value::from(register::policy::KEEP))],
    );
    assert_eq!(push_judged(server, &owner, &mut olive).0, 200);
    set(
        &mut eddie,
        evidence,
        Kind::Evidence,
        &[
            (Evidence::title, Value::from("Fire door")),
            (Evidence::sha256, Value::from("a".repeat(64))),
            (Evidence::coordinates, Value::from("the car park")),
        ],
    );
    assert_eq!(
        push_judged(server, &editor, &mut eddie).0,
        422,
        "not a position"
    );
    set(
        &mut eddie,
        evidence,
        Kind::Evidence,
        &[
            (Evidence::title, Value::from("Fire door")),
            (Evidence::sha256, Value::from("a".repeat(64))),
            (Evidence::coordinates, Value::from("51.50070, -0.12460")),
        ],
    );
    assert_eq!(push_judged(server, &editor, &mut eddie).0, 200);
}

/// An Evidence record names only a type evidence may be: one claiming `text/html` is
/// refused with the register's message and nothing of it is stored; a text file is taken.
fn an_evidence_record_names_only_an_allowed_type(server: &WranglerDev) {
    use register::views::Evidence;
    let owner = create_org(server, "Named types Ltd");
    let mut device = device_for(&owner);
    let evidence = RecordId::new();
    let fields = |media_type: &str| {
        [
            (Evidence::title, Value::from("Visitor log")),
            (Evidence::sha256, Value::from("b".repeat(64))),
            (Evidence::media_type, Value::from(media_type)),
        ]
    };
    set(&mut device, evidence, Kind::Evidence, &fields("text/html"));
    let (status, messages) = push_judged(server, &owner, &mut device);
    assert_eq!(status, 422, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("no other type")),
        "{messages:?}"
    );
    assert!(
        pull(server, &owner, 0, 1000)
            .ops
            .iter()
            .all(|entry| entry.op.record != evidence),
        "nothing of it stored"
    );
    set(&mut device, evidence, Kind::Evidence, &fields("text/plain"));
    assert_eq!(push_judged(server, &owner, &mut device).0, 200);
}

/// A risk left above the organisation's appetite is accepted only by its owner, in their own
/// name, with a rationale and an expiry: the server judges it over the criteria it stores.
fn a_risk_above_appetite_is_accepted_only_by_its_owner(server: &WranglerDev) {
    use register::{choices::RiskStatus, risk, views::Risk};
    let owner = create_org(server, "Appetite Ltd");
    let editor = join_as(server, &owner, "editor", "Eddie");
    let mut device = device_for(&owner);
    let mut criteria = risk::Criteria::adopt_defaults();
    criteria
        .fields
        .retain(|(name, _)| *name != register::views::RiskCriteria::appetite);
    criteria
        .fields
        .push((register::views::RiskCriteria::appetite, Value::Int(8)));
    set(
        &mut device,
        criteria.record,
        criteria.kind,
        &criteria.fields,
    );
    let ransomware = new_risk(&mut device, "Ransomware");
    set(
        &mut device,
        ransomware,
        Kind::Risk,
        &[
            (Risk::owner, Value::from(owner.member.as_str())),
            (Risk::residual_likelihood, Value::Int(3)),
            (Risk::residual_impact, Value::Int(4)),
        ],
    );
    assert_eq!(push_judged(server, &owner, &mut device).0, 200);

    let mut eddies = device_for(&editor);
    pull_all(server, &editor, &mut eddies);
    set(
        &mut eddies,
        ransomware,
        Kind::Risk,
        &[(Risk::status, Value::from(RiskStatus::Accepted))],
    );
    let (status, messages) = push_judged(server, &editor, &mut eddies);
    assert_eq!(status, 422, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("above the organisation's risk appetite")),
        "{messages:?}"
    );
    let in_owners_name = risk::accept(
        ransomware,
        owner.member.parse().ok(),
        "2026-12-07",
        "Cover bought; the rest costs more than it saves",
        "2027-06-30",
    );
    set(&mut eddies, ransomware, Kind::Risk, &in_owners_name.fields);
    let (status, messages) = push_judged(server, &editor, &mut eddies);
    assert_eq!(status, 403, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("owner's own name")),
        "{messages:?}"
    );

    set(&mut device, ransomware, Kind::Risk, &in_owners_name.fields);
    assert_eq!(push_judged(server, &owner, &mut device).0, 200);
}

/// A policy an editor drafts is approved by the owner through the server, which holds the
/// version to the draft it stores and its author, and refuses the author approving their own.
fn a_document_is_approved_by_someone_other_than_its_author(server: &WranglerDev) {
    use register::{documents, sync::LogPoint, views::Document};
    let owner = create_org(server, "Policies Ltd");
    let editor = join_as(server, &owner, "editor", "Eddie");
    let mut eddies = device_for(&editor);
    let policy = RecordId::new();
    set(
        &mut eddies,
        policy,
        Kind::Document,
        &[
            (Document::title, Value::from("Information security policy")),
            (Document::document_type, Value::from("security_policy")),
        ],
    );
    let draft = documents::edit_draft(policy, "# Purpose", editor.member.parse().ok());
    set(&mut eddies, policy, Kind::Document, &draft.fields);
    assert_eq!(push_judged(server, &editor, &mut eddies).0, 200);

    let mut olives = device_for(&owner);
    pull_all(server, &owner, &mut olives);
    let approve = |device: &Device, by: &register::api::Credential| {
        let document = device.local.view::<Document>(policy).unwrap();
        let today = register::dates::date("2026-12-07").unwrap();
        documents::approve(
            &device.local,
            &document,
            by.member.parse().ok(),
            today,
            LogPoint::of(device).as_ref(),
        )
    };
    for edit in approve(&olives, &owner) {
        set(&mut olives, edit.record, edit.kind, &edit.fields);
    }
    let (status, messages) = push_judged(server, &owner, &mut olives);
    assert_eq!(status, 200, "{messages:?}");

    // Nor may she write a draft in the editor's name, to approve it as his.
    let ghost = documents::edit_draft(policy, "# Purpose, ghosted", editor.member.parse().ok());
    set(&mut olives, policy, Kind::Document, &ghost.fields);
    let (status, messages) = push_judged(server, &owner, &mut olives);
    assert_eq!(status, 403, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("in its writer's own name")),
        "{messages:?}"
    );

    // The owner's own draft is not hers to approve.
    let own = documents::edit_draft(policy, "# Purpose, again", owner.member.parse().ok());
    set(&mut olives, policy, Kind::Document, &own.fields);
    for edit in approve(&olives, &owner) {
        set(&mut olives, edit.record, edit.kind, &edit.fields);
    }
    let (status, messages) = push_judged(server, &owner, &mut olives);
    assert_eq!(status, 422, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("someone other than its author")),
        "{messages:?}"
    );
}

/// A maturity snapshot holds what the register shows: the server computes it from all of its
/// records on the snapshot's day and refuses one that claims more, whole.
fn a_maturity_snapshot_holds_what_the_register_shows(server: &WranglerDev) {
    use register::views::MaturitySnapshot;
    let owner = create_org(server, "Snapshot Ltd");
    let mut device = device_for(&owner);
    new_risk(&mut device, "Phishing");
    assert_eq!(push_judged(server, &owner, &mut device).0, 200);
    pull_all(server, &owner, &mut device);
    let day = register::dates::date("2026-12-31").unwrap();
    let honest = register::maturity::snapshot_of(
        &device.local,
        day,
        register::choices::Occasion::Monthly,
        None,
    );
    let forged: Vec<(&str, Value)> = honest
        .iter()
        .map(|(field, value)| match (*field, value) {
            (MaturitySnapshot::levels, Value::List(levels)) => {
                let best = levels
                    .iter()
                    .map(|l| format!("{}=5", l.split('=').next().unwrap_or_default()))
                    .collect();
                (*field, Value::List(best))
            }
            _ => (*field, value.clone()),
        })
        .collect();
    set(
        &mut device,
        RecordId::new(),
        Kind::MaturitySnapshot,
        &forged,
    );
    let (status, messages) = push_judged(server, &owner, &mut device);
    assert_eq!(status, 422, "{messages:?}");
    assert_eq!(messages.len(), forged.len(), "{messages:?}");
    assert!(
        messages[0].starts_with(
            "This maturity snapshot's levels or figures are not what the register shows on 2026-12-31"
        ),
        "{messages:?}"
    );
    set(
        &mut device,
        RecordId::new(),
        Kind::MaturitySnapshot,
        &honest,
    );
    let (status, messages) = push_judged(server, &owner, &mut device);
    assert_eq!(status, 200, "{messages:?}");
    let mut reader = device_for(&owner);
    pull_all(server, &owner, &mut reader);
    assert_eq!(
        register::maturity::snapshots(&reader.confirmed).len(),
        1,
        "only the honest snapshot is stored"
    );
}

fn a_record_history_lists_every_change_by_whom_oldest_first(server: &WranglerDev) {
    let owner = create_org(server, "History Ltd");
    let editor = join_as(server, &owner, "editor", "Eddie Editor");
    let viewer = join_as(server, &owner, "viewer", "Vera Viewer");
    let mut mine = device_for(&owner);
    let risk = new_risk(&mut mine, "Laptop theft");
    let other = new_risk(&mut mine, "Another risk");
    assert_eq!(
        push(server, &owner, &mine.push_request(500).unwrap()).0,
        200
    );
    // A device whose clock says 1970 (and that has seen no later stamp): the server keeps
    // its own time of receipt beside it.
    let mut theirs = device_for(&editor);
    theirs.edit(
        risk,
        Kind::Risk,
        "residual_likelihood",
        Value::Int(2),
        1_000,
    );
    let sent_ms = now_ms();
    assert_eq!(
        push(server, &editor, &theirs.push_request(500).unwrap()).0,
        200
    );

    // Anyone in the organisation may read it, viewers too.
    let path = format!("/api/orgs/{}/records/{risk}/history", owner.org);
    let (status, body) = call(server, "GET", &path, Some(&viewer.token), Body::Empty);
    assert_eq!(status, 200, "{body}");
    let history: HistoryResponse = serde_json::from_value(body).unwrap();
    assert!(!history.more);
    let changes: Vec<(&str, ClientId)> = history
        .changes
        .iter()
        .map(|c| (c.entry.op.field.as_str(), c.entry.op.client))
        .collect();
    assert_eq!(
        changes,
        [
            ("title", owner.client),
            ("inherent_likelihood", owner.client),
            ("inherent_impact", owner.client),
            ("residual_likelihood", editor.client),
        ]
    );
    assert!(history.changes.iter().all(|c| c.entry.op.record == risk));
    assert!(
        history
            .changes
            .windows(2)
            .all(|w| w[0].entry.seq < w[1].entry.seq)
    );
    let backdated = history.changes.last().unwrap();
    assert_eq!(backdated.entry.op.hlc.wall, 1_000);
    let received = backdated.received_ms.expect("the server's time of receipt");
    assert!(
        received.abs_diff(sent_ms) < 60_000,
        "received at {received}, sent at {sent_ms}"
    );
    let (_, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/records/{other}/history", owner.org),
        Some(&owner.token),
        Body::Empty,
    );
    assert_eq!(body["changes"].as_array().unwrap().len(), 3);

    // Refusals: a malformed id, another organisation, no credential, a wrong method.
    let bad = format!("/api/orgs/{}/records/not-an-id/history", owner.org);
    let (status, body) = call(server, "GET", &bad, Some(&owner.token), Body::Empty);
    assert_eq!((status, code(&body)), (400, "invalid_record"));
    let stranger = create_org(server, "Stranger Ltd");
    let (status, body) = call(server, "GET", &path, Some(&stranger.token), Body::Empty);
    assert_eq!((status, code(&body)), (403, "other_organisation"));
    let (status, _) = call(server, "GET", &path, None, Body::Empty);
    assert_eq!(status, 401);
    let (status, body) = call(server, "POST", &path, Some(&owner.token), Body::Empty);
    assert_eq!((status, code(&body)), (405, "method_not_allowed"), "{body}");
}

/// A record's history beyond the latest 1,000 changes comes a page at a time, oldest first.
fn a_long_history_comes_in_pages(server: &WranglerDev) {
    let owner = create_org(server, "Long memory Ltd");
    let mut device = device_for(&owner);
    let risk = new_risk(&mut device, "Edited often");
    for i in 0..1_050 {
        device.edit(
            risk,
            Kind::Risk,
            "title",
            format!("Edit {i}").into(),
            now_ms(),
        );
    }
    push_all(server, &owner, &mut device);
    let page = |before| history_page(server, &owner, risk, before).1;
    let latest = page(None);
    assert_eq!((latest.changes.len(), latest.more), (1_000, true));
    assert_eq!(
        latest.changes.last().unwrap().entry.op.value,
        Value::from("Edit 1049")
    );
    let earlier = page(Some(latest.changes[0].entry.seq));
    assert_eq!((earlier.changes.len(), earlier.more), (53, false));
    assert_eq!(earlier.changes[0].entry.op.field, "title");
    assert_eq!(earlier.changes[0].entry.seq, 1);
    assert_eq!(
        earlier.changes.last().unwrap().entry.seq + 1,
        latest.changes[0].entry.seq,
        "the pages meet without a gap"
    );
}

/// A history of large edits comes in pages of at most a pull page's bytes, so opening a record
/// edited many times fetches a few MiB, not all its edits.
fn a_history_of_large_edits_comes_in_pages_of_bounded_bytes(server: &WranglerDev) {
    let owner = create_org(server, "Large memory Ltd");
    let mut device = device_for(&owner);
    let risk = new_risk(&mut device, "Described at length");
    let edits = 90;
    for i in 0..edits {
        let long = format!("{i:03} ") + &"x".repeat(60 * 1024);
        device.edit(risk, Kind::Risk, "description", long.into(), now_ms());
    }
    push_all(server, &owner, &mut device);
    let page = |before| history_page(server, &owner, risk, before);
    let (bytes, latest) = page(None);
    assert!(latest.more, "earlier edits remain");
    assert!(bytes <= 4 * 1024 * 1024 + 256 * 1024, "{bytes} bytes");
    assert!(latest.changes.len() < edits, "{}", latest.changes.len());
    let newest = latest
        .changes
        .last()
        .unwrap()
        .entry
        .op
        .value
        .as_text()
        .unwrap();
    assert!(
        newest.starts_with(&format!("{:03} ", edits - 1)),
        "the newest edit last"
    );
    let (_, earlier) = page(Some(latest.changes[0].entry.seq));
    assert!(!earlier.more);
    assert_eq!(earlier.changes[0].entry.seq, 1);
    assert_eq!(
        earlier.changes.last().unwrap().entry.seq + 1,
        latest.changes[0].entry.seq,
        "the pages meet without a gap"
    );
    let descriptions = |h: &HistoryResponse| {
        h.changes
            .iter()
            .filter(|c| c.entry.op.field == "description")
            .count()
    };
    assert_eq!(descriptions(&earlier) + descriptions(&latest), edits);
}

/// How many Durable Objects exist, and how many of them hold any table of their own.
fn objects(server: &WranglerDev) -> (usize, usize) {
    let dir = server.state_dir().join("state/v3/do/ratchet-Organisation");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (0, 0);
    };
    let files: Vec<_> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| {
            path.extension().is_some_and(|e| e == "sqlite")
                && path.file_stem().is_some_and(|s| s != "metadata")
        })
        .collect();
    let with_tables = files
        .iter()
        .filter(|path| {
            let db = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap();
            let tables: i64 = db
                .query_row(
                    // The platform's own tables (`_cf_…`, and `__miniflare_do_name` locally)
                    // begin with an underscore; the organisation's never do.
                    r"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\_%' ESCAPE '\'",
                    [],
                    |row| row.get(0),
                )
                .unwrap();
            tables > 0
        })
        .count();
    (files.len(), with_tables)
}

/// Asks for an organisation's log and to join it, with a made-up credential and invite.
fn knock(server: &WranglerDev, org: &str) {
    let token = format!("{org}.{}.{}", ClientId::new(), "ab".repeat(32));
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{org}/pull"),
        Some(&token),
        Body::Empty,
    );
    assert_eq!((status, code(&body)), (401, "invalid_credential"), "{body}");
    let (status, body) = call(
        server,
        "POST",
        "/api/join",
        None,
        Body::Json(json!({"code": token, "name": "Mallory"})),
    );
    assert_eq!((status, code(&body)), (401, "invalid_invite"), "{body}");
}

/// Organisation ids are signed by the server: a made-up one (a random UUID, or a real id
/// altered) reaches no Durable Object at all, so nothing is created or stored.
fn forged_organisation_ids_reach_no_object(server: &WranglerDev) {
    let real = create_org(server, "Real Ltd");
    let signed = |id: &str| id.as_bytes()[14] == b'8';
    assert!(signed(&real.org), "a version 8 (signed) id: {}", real.org);
    let before = objects(server);
    assert!(before.1 >= 1);
    let altered = format!("{}0", &real.org[..35]);
    let altered = if altered == real.org {
        format!("{}1", &real.org[..35])
    } else {
        altered
    };
    for org in (0..5).map(|_| RecordId::new().to_string()).chain([altered]) {
        knock(server, &org);
    }
    assert_eq!(
        objects(server),
        before,
        "no object was made for a forged id"
    );

    // An organisation made before ids were signed, which the operator listed, is still
    // reached (its object has no tables, so it refuses the made-up credential itself).
    knock(server, integration::LISTED_OLDER_ORG);
    assert_eq!(objects(server), (before.0 + 1, before.1));
}

fn credentials_are_checked(server: &WranglerDev) {
    let owner = create_org(server, "Keys & Co");
    let pull_path = format!("/api/orgs/{}/pull", owner.org);
    let (status, body) = call(server, "GET", &pull_path, None, Body::Empty);
    assert_eq!((status, code(&body)), (401, "missing_credential"));
    let (status, body) = call(server, "GET", &pull_path, Some("garbage"), Body::Empty);
    assert_eq!((status, code(&body)), (401, "invalid_credential"));
    let forged = format!("{}.{}.{}", owner.org, owner.client, "0".repeat(64));
    let (status, body) = call(server, "GET", &pull_path, Some(&forged), Body::Empty);
    assert_eq!((status, code(&body)), (401, "invalid_credential"));
    let unknown_device = format!(
        "{}.{}.{}",
        owner.org,
        ClientId::new(),
        owner.token.rsplit('.').next().unwrap()
    );
    let (status, body) = call(
        server,
        "GET",
        &pull_path,
        Some(&unknown_device),
        Body::Empty,
    );
    assert_eq!((status, code(&body)), (401, "invalid_credential"));

    // Revoking a device locks it out at once; the member's other devices are unaffected.
    let laptop = join_as(server, &owner, "editor", "Ed Editor");
    let (status, _) = call(
        server,
        "DELETE",
        &format!("/api/orgs/{}/devices/{}", owner.org, laptop.client),
        Some(&owner.token),
        Body::Empty,
    );
    assert_eq!(status, 204);
    let (status, body) = call(server, "GET", &pull_path, Some(&laptop.token), Body::Empty);
    assert_eq!((status, code(&body)), (401, "revoked_credential"));
    assert_eq!(
        call(server, "GET", &pull_path, Some(&owner.token), Body::Empty).0,
        200
    );
}

fn invites_are_single_use_and_expire(server: &WranglerDev) {
    let owner = create_org(server, "Invites Inc");
    let (status, body) = invite(server, &owner, "auditor", 3600);
    assert_eq!(status, 201, "{body}");
    let code_text = body["code"].as_str().unwrap().to_owned();
    assert!(
        code_text.rsplit('.').next().unwrap().len() >= 32,
        "at least 128 bits of secret"
    );
    let join = |code_text: &str| {
        call(
            server,
            "POST",
            "/api/join",
            None,
            Body::Json(json!({"code": code_text, "name": "Aud Itor"})),
        )
    };
    let (status, body) = join(&code_text);
    assert_eq!(status, 201, "{body}");
    let auditor: Credential = serde_json::from_value(body).unwrap();
    assert_eq!(auditor.role, register::Role::Auditor);
    let (status, body) = join(&code_text);
    assert_eq!((status, code(&body)), (401, "invite_used"));

    let (_, body) = invite(server, &owner, "viewer", 1);
    let short_lived = body["code"].as_str().unwrap().to_owned();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (status, body) = join(&short_lived);
    assert_eq!((status, code(&body)), (401, "invite_expired"));

    let forged = format!(
        "{}.{}",
        code_text.rsplit_once('.').unwrap().0,
        "f".repeat(64)
    );
    let (status, body) = join(&forged);
    assert_eq!((status, code(&body)), (401, "invalid_invite"));
    let (status, body) = invite(server, &owner, "editor", 0);
    assert_eq!((status, code(&body)), (400, "invalid_expiry"));

    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/members", owner.org),
        Some(&auditor.token),
        Body::Empty,
    );
    assert_eq!(status, 200);
    let members: MembersResponse = serde_json::from_value(body).unwrap();
    let names: Vec<&str> = members.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Olive Owner", "Aud Itor"]);
}

fn roles_are_enforced(server: &WranglerDev) {
    let owner = create_org(server, "Roles Ltd");
    let viewer = join_as(server, &owner, "viewer", "Vi Ewer");
    let auditor = join_as(server, &owner, "auditor", "Aud Itor");
    let editor = join_as(server, &owner, "editor", "Ed Itor");
    let admin = join_as(server, &owner, "admin", "Ad Min");

    let mut device = device_for(&viewer);
    new_risk(&mut device, "Viewer's risk");
    let (status, body) = push(server, &viewer, &device.push_request(500).unwrap());
    assert_eq!((status, code(&body)), (403, "forbidden"));
    assert_eq!(body["rejections"][0]["code"], "forbidden");

    let mut device = device_for(&auditor);
    let finding = RecordId::new();
    device.edit(
        finding,
        Kind::Finding,
        "title",
        "Door propped open".into(),
        now_ms(),
    );
    device.edit(
        finding,
        Kind::Finding,
        "finding_type",
        "minor_nc".into(),
        now_ms(),
    );
    let (status, body) = push(server, &auditor, &device.push_request(500).unwrap());
    assert_eq!(status, 200, "auditors record findings: {body}");
    device.on_pushed(&serde_json::from_value(body).unwrap());
    new_risk(&mut device, "Auditor's risk");
    let (status, _) = push(server, &auditor, &device.push_request(500).unwrap());
    assert_eq!(status, 403, "auditors do not edit the risk register");

    let (status, body) = invite(server, &editor, "viewer", 60);
    assert_eq!((status, code(&body)), (403, "forbidden"));
    let (status, _) = invite(server, &admin, "owner", 60);
    assert_eq!(status, 403, "only owners invite owners");
    assert_eq!(invite(server, &admin, "editor", 60).0, 201);

    // Demoting a member takes effect on their next push.
    let (status, _) = call(
        server,
        "PATCH",
        &format!("/api/orgs/{}/members/{}", owner.org, admin.member),
        Some(&editor.token),
        Body::Json(json!({"role": "viewer"})),
    );
    assert_eq!(status, 403, "editors do not change roles");
    let (status, body) = call(
        server,
        "PATCH",
        &format!("/api/orgs/{}/members/{}", owner.org, editor.member),
        Some(&admin.token),
        Body::Json(json!({"role": "viewer"})),
    );
    assert_eq!(status, 200, "{body}");
    let mut demoted = device_for(&editor);
    new_risk(&mut demoted, "Written after demotion");
    let (status, body) = push(server, &editor, &demoted.push_request(500).unwrap());
    assert_eq!((status, code(&body)), (403, "forbidden"));
    let (status, _) = call(
        server,
        "PATCH",
        &format!("/api/orgs/{}/members/{}", owner.org, editor.member),
        Some(&admin.token),
        Body::Json(json!({"role": "editor"})),
    );
    assert_eq!(status, 200);

    // A client id belongs to one member: another member's device id is refused.
    let mut stolen = device_for(&owner);
    new_risk(&mut stolen, "Posing as the owner");
    let (status, body) = push(server, &editor, &stolen.push_request(500).unwrap());
    assert_eq!((status, code(&body)), (403, "wrong_client"));

    let (status, body) = call(
        server,
        "DELETE",
        &format!("/api/orgs/{}/members/{}", owner.org, owner.member),
        Some(&admin.token),
        Body::Empty,
    );
    assert_eq!((status, code(&body)), (403, "forbidden"));
    let (status, body) = call(
        server,
        "DELETE",
        &format!("/api/orgs/{}/members/{}", owner.org, owner.member),
        Some(&owner.token),
        Body::Empty,
    );
    assert_eq!((status, code(&body)), (409, "last_owner"));
    let (status, _) = call(
        server,
        "DELETE",
        &format!("/api/orgs/{}/members/{}", owner.org, editor.member),
        Some(&admin.token),
        Body::Empty,
    );
    assert_eq!(status, 204);
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/pull", owner.org),
        Some(&editor.token),
        Body::Empty,
    );
    assert_eq!((status, code(&body)), (401, "revoked_credential"));
}

fn pending_invites(server: &WranglerDev, by: &Credential) -> (u16, Vec<(String, String)>) {
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/invites", by.org),
        Some(&by.token),
        Body::Empty,
    );
    let listed = match serde_json::from_value::<InvitesResponse>(body) {
        Ok(list) => list
            .invites
            .into_iter()
            .map(|i| (i.id, i.created_by_name))
            .collect(),
        Err(_) => Vec::new(),
    };
    (status, listed)
}

/// An invite lasts only while its maker may still grant its role; managers list and withdraw.
fn invites_last_only_while_their_maker_may_grant_them(server: &WranglerDev) {
    let owner = create_org(server, "Invites that end Ltd");
    let admin = join_as(server, &owner, "admin", "Ada Admin");
    let editor = join_as(server, &owner, "editor", "Ed Editor");
    let make = |by: &Credential, role: &str| -> Invite {
        let (status, body) = invite(server, by, role, 3600);
        assert_eq!(status, 201, "{body}");
        serde_json::from_value(body).unwrap()
    };
    let join = |invite: &Invite| {
        call(
            server,
            "POST",
            "/api/join",
            None,
            Body::Json(json!({"code": invite.code, "name": "New Comer"})),
        )
    };
    let set_role = |member: &str, role: &str| {
        call(
            server,
            "PATCH",
            &format!("/api/orgs/{}/members/{member}", owner.org),
            Some(&owner.token),
            Body::Json(json!({"role": role})),
        )
    };
    let withdraw = |by: &Credential, id: &str| {
        call(
            server,
            "DELETE",
            &format!("/api/orgs/{}/invites/{id}", owner.org),
            Some(&by.token),
            Body::Empty,
        )
    };
    let admins_admin = make(&admin, "admin");
    let admins_editor = make(&admin, "editor");
    let owners_owner = make(&owner, "owner");
    let (status, listed) = pending_invites(server, &admin);
    assert_eq!(status, 200);
    assert_eq!(
        listed,
        [
            (admins_admin.id.clone(), "Ada Admin".to_owned()),
            (admins_editor.id.clone(), "Ada Admin".to_owned()),
            (owners_owner.id.clone(), "Olive Owner".to_owned()),
        ]
    );
    assert_eq!(pending_invites(server, &editor).0, 403);
    let (status, body) = withdraw(&admin, &owners_owner.id);
    assert_eq!(
        (status, code(&body)),
        (403, "forbidden"),
        "admins withdraw no owner invite"
    );

    // Demoted, the admin's invites end, and stay ended when the role comes back.
    assert_eq!(set_role(&admin.member, "viewer").0, 200);
    assert_eq!(set_role(&admin.member, "admin").0, 200);
    let (status, body) = join(&admins_admin);
    assert_eq!((status, code(&body)), (401, "invite_withdrawn"), "{body}");
    assert_eq!(pending_invites(server, &owner).1.len(), 1);

    // Removed, the rest of their invites end too.
    let later = make(&admin, "editor");
    let (status, _) = call(
        server,
        "DELETE",
        &format!("/api/orgs/{}/members/{}", owner.org, admin.member),
        Some(&owner.token),
        Body::Empty,
    );
    assert_eq!(status, 204);
    let (status, body) = join(&later);
    assert_eq!((status, code(&body)), (401, "invite_withdrawn"), "{body}");

    // Withdrawn by hand: refused at join; a used invite cannot be withdrawn.
    let (status, body) = withdraw(&editor, &owners_owner.id);
    assert_eq!((status, code(&body)), (403, "forbidden"), "{body}");
    assert_eq!(withdraw(&owner, &owners_owner.id).0, 204);
    let (status, body) = join(&owners_owner);
    assert_eq!((status, code(&body)), (401, "invite_withdrawn"), "{body}");
    let used = make(&owner, "viewer");
    assert_eq!(join(&used).0, 201);
    let (status, body) = withdraw(&owner, &used.id);
    assert_eq!((status, code(&body)), (409, "invite_used"), "{body}");
    let (status, body) = withdraw(&owner, "no-such-invite");
    assert_eq!((status, code(&body)), (404, "no_such_invite"), "{body}");
    assert!(pending_invites(server, &owner).1.is_empty());
}

/// A lost phone's invites die with it: revoking a device withdraws every unused invite it
/// made (each invite names its device), while the invites of the maker's other devices and
/// of everyone else stay.
fn a_revoked_devices_invites_die_with_it(server: &WranglerDev) {
    let owner = create_org(server, "Lost phones Ltd");
    let phone = join_as(server, &owner, "admin", "Ada Admin");
    let make = |by: &Credential, role: &str| -> Invite {
        let (status, body) = invite(server, by, role, 3600);
        assert_eq!(status, 201, "{body}");
        serde_json::from_value(body).unwrap()
    };
    let join = |invite: &Invite, name: &str| {
        call(
            server,
            "POST",
            "/api/join",
            None,
            Body::Json(json!({"code": invite.code, "name": name})),
        )
    };
    let phones_admin = make(&phone, "admin");
    let phones_editor = make(&phone, "editor");
    let owners_viewer = make(&owner, "viewer");
    let (_, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/invites", owner.org),
        Some(&owner.token),
        Body::Empty,
    );
    let listed: InvitesResponse = serde_json::from_value(body).unwrap();
    let made_on: Vec<_> = listed
        .invites
        .iter()
        .map(|i| (i.id.clone(), i.created_by_device))
        .collect();
    assert_eq!(
        made_on,
        [
            (phones_admin.id.clone(), Some(phone.client)),
            (phones_editor.id.clone(), Some(phone.client)),
            (owners_viewer.id.clone(), Some(owner.client)),
        ]
    );

    let (status, _) = call(
        server,
        "DELETE",
        &format!("/api/orgs/{}/devices/{}", owner.org, phone.client),
        Some(&owner.token),
        Body::Empty,
    );
    assert_eq!(status, 204);
    assert_eq!(
        pending_invites(server, &owner).1,
        [(owners_viewer.id.clone(), "Olive Owner".to_owned())]
    );
    for stolen in [&phones_admin, &phones_editor] {
        let (status, body) = join(stolen, "Stranger");
        assert_eq!((status, code(&body)), (401, "invite_withdrawn"), "{body}");
    }
    let (_, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/members", owner.org),
        Some(&owner.token),
        Body::Empty,
    );
    let members: MembersResponse = serde_json::from_value(body).unwrap();
    assert!(members.members.iter().all(|m| m.name != "Stranger"));
    // The owner's device keeps its invite, and it still works.
    assert_eq!(join(&owners_viewer, "Vic Viewer").0, 201);
}

/// A member who only files reports may file a minute's share; past it a push is refused
/// whole (429, with when to try again) and nothing is stored. Editors import thousands.
fn a_device_writes_at_most_its_share_a_minute(server: &WranglerDev) {
    let owner = create_org(server, "Busy Ltd");
    let viewer = join_as(server, &owner, "viewer", "Vi Ewer");
    let mut phone = device_for(&viewer);
    let limit = engine::limits::FILER_LIMIT.new_records;
    let mut stored = 0;
    for i in 0..=limit {
        let report = RecordId::new();
        phone.edit(
            report,
            Kind::Event,
            "event_type",
            "observation".into(),
            now_ms(),
        );
        phone.edit(
            report,
            Kind::Event,
            "title",
            format!("Report {i}").into(),
            now_ms(),
        );
        let request = phone.push_request(500).unwrap();
        let response = ureq::post(&server.url(&format!("/api/orgs/{}/push", viewer.org)))
            .set("authorization", &format!("Bearer {}", viewer.token))
            .send_json(serde_json::to_value(&request).unwrap());
        match response {
            Ok(answer) => {
                stored += 1;
                phone.on_pushed(&answer.into_json().unwrap());
            }
            Err(ureq::Error::Status(429, answer)) => {
                let retry: u64 = answer.header("retry-after").unwrap().parse().unwrap();
                assert!((1..=60).contains(&retry), "retry after {retry} s");
                let body: serde_json::Value = answer.into_json().unwrap();
                assert_eq!(code(&body), "rate_limited");
                assert_eq!(body["retry_after_seconds"], retry);
                break;
            }
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(stored, limit, "a minute's share, then refused");
    assert_eq!(pull(server, &owner, 0, 1000).ops.len() as u64, 2 * limit);

    let mut laptop = device_for(&owner);
    for i in 0..150 {
        new_risk(&mut laptop, &format!("Imported risk {i}"));
    }
    assert_eq!(
        push(server, &owner, &laptop.push_request(500).unwrap()).0,
        200
    );
}

/// An organisation always keeps an owner who can sign in: owners are counted by usable
/// devices, not by rows.
fn the_last_owner_who_can_sign_in_stays(server: &WranglerDev) {
    let owner = create_org(server, "Keep an owner Ltd");
    let revoke_device = |by: &Credential, client: ClientId| {
        call(
            server,
            "DELETE",
            &format!("/api/orgs/{}/devices/{client}", owner.org),
            Some(&by.token),
            Body::Empty,
        )
    };
    let (status, body) = revoke_device(&owner, owner.client);
    assert_eq!((status, code(&body)), (409, "last_owner"), "{body}");

    // A second owner whose only device is revoked counts for nothing.
    let co_owner = join_as(server, &owner, "owner", "Co Owner");
    assert_eq!(revoke_device(&owner, co_owner.client).0, 204);
    let (status, body) = revoke_device(&owner, owner.client);
    assert_eq!((status, code(&body)), (409, "last_owner"), "{body}");
    let (status, body) = call(
        server,
        "PATCH",
        &format!("/api/orgs/{}/members/{}", owner.org, owner.member),
        Some(&owner.token),
        Body::Json(json!({"role": "admin"})),
    );
    assert_eq!((status, code(&body)), (409, "last_owner"), "{body}");

    // With another owner able to sign in, the first may give up their device.
    let other = join_as(server, &owner, "owner", "Other Owner");
    assert_eq!(revoke_device(&owner, owner.client).0, 204);
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/members", owner.org),
        Some(&other.token),
        Body::Empty,
    );
    assert_eq!(status, 200, "{body}");
}

fn organisations_are_isolated(server: &WranglerDev) {
    let alpha = create_org(server, "Alpha");
    let beta = create_org(server, "Beta");
    let mut device = device_for(&alpha);
    new_risk(&mut device, "Alpha's secret risk");
    assert_eq!(
        push(server, &alpha, &device.push_request(500).unwrap()).0,
        200
    );

    // Beta's credential cannot read or write Alpha, whichever way it is presented.
    let alpha_pull = format!("/api/orgs/{}/pull", alpha.org);
    let (status, body) = call(server, "GET", &alpha_pull, Some(&beta.token), Body::Empty);
    assert_eq!((status, code(&body)), (403, "other_organisation"));
    let (status, _) = call(
        server,
        "POST",
        &format!("/api/orgs/{}/push", alpha.org),
        Some(&beta.token),
        Body::Json(json!({"client": beta.client, "ops": []})),
    );
    assert_eq!(status, 403);
    let relabelled = beta.token.replacen(&beta.org, &alpha.org, 1);
    let (status, body) = call(server, "GET", &alpha_pull, Some(&relabelled), Body::Empty);
    assert_eq!((status, code(&body)), (401, "invalid_credential"));
    assert!(
        pull(server, &beta, 0, 1000).ops.is_empty(),
        "Beta sees none of Alpha's ops"
    );
    assert_eq!(pull(server, &alpha, 0, 1000).ops.len(), 3);
}

/// Restoring an export as a new organisation: its owner imports the file's log as it was, in
/// pages that continue the chain; the organisation's log is then that history, entry for
/// entry and hash for hash, marked as imported. Nobody else imports, nothing is imported into
/// a log that holds changes made in it, and a page that breaks the chain is refused.
fn an_exports_history_is_imported_only_by_an_owner_into_a_new_organisation(server: &WranglerDev) {
    use register::{
        api::{ImportRequest, ImportSource, Imported},
        archive,
    };
    let source = create_org(server, "Exported Ltd");
    let mut exporter = device_for(&source);
    for n in 0..40 {
        new_risk(&mut exporter, &format!("Exported risk {n}"));
    }
    push_all(server, &source, &mut exporter);
    pull_all(server, &source, &mut exporter);
    let log = pull(server, &source, 0, 1000).ops;
    assert_eq!(log.len(), 120);

    let restored = create_org(server, "Restored Ltd");
    let admin = join_as(server, &restored, "admin", "Ada Admin");
    let import = |who: &Credential, entries: &[register::sync::LogEntry]| {
        call(
            server,
            "POST",
            &format!("/api/orgs/{}/import", who.org),
            Some(&who.token),
            Body::Json(
                serde_json::to_value(ImportRequest {
                    entries: entries.to_vec(),
                    source: ImportSource {
                        organisation: Some("Exported Ltd".into()),
                        exported_at: "2026-12-07T08:00:00Z".into(),
                    },
                })
                .unwrap(),
            ),
        )
    };
    let (status, body) = import(&admin, &log[..50]);
    assert_eq!((status, code(&body)), (403, "owner_only"), "{body}");
    let (status, body) = import(&restored, &log[1..50]);
    assert_eq!((status, code(&body)), (422, "chain_broken"), "{body}");
    let pages = archive::import_pages(&log, 8 * 1024);
    assert!(pages.len() > 2, "the history goes in several pages");
    for page in &pages {
        let (status, body) = import(&restored, page);
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = call(
        server,
        "GET",
        &format!("/api/orgs/{}/imported", restored.org),
        Some(&admin.token),
        Body::Empty,
    );
    assert_eq!(status, 200, "{body}");
    let imported: Imported = serde_json::from_value(body).unwrap();
    assert_eq!(
        (imported.up_to, imported.by_name.as_str()),
        (120, "Olive Owner")
    );
    assert_eq!(imported.head, log[119].hash);
    assert_eq!(
        imported.source.organisation.as_deref(),
        Some("Exported Ltd")
    );
    assert_eq!(
        pull(server, &restored, 0, 1000).ops,
        log,
        "the same history, hash for hash"
    );

    // A member of the new organisation carries on from the imported history.
    let mut device = device_for(&admin);
    pull_all(server, &admin, &mut device);
    assert_eq!(device.local, exporter.local);
    new_risk(&mut device, "Made after the import");
    push_all(server, &admin, &mut device);
    let (status, body) = import(&restored, &log[..1]);
    assert_eq!((status, code(&body)), (409, "history_not_new"), "{body}");
}

/// A member's calendar feed: a secret address any calendar program fetches without a
/// credential, listing their own due work (an organisation-wide one for owners and admins
/// only), valid iCalendar, replaced by a new address and gone once revoked.
fn a_calendar_feed_lists_a_members_due_work_at_a_secret_address(server: &WranglerDev) {
    use register::{
        api::CalendarFeed,
        views::{Action, Finding},
    };
    let owner = create_org(server, "Calendar Ltd");
    let viewer = join_as(server, &owner, "viewer", "Vic Viewer");
    let text = |s: &str| Value::from(s);
    let mut device = device_for(&owner);
    let finding = RecordId::new();
    set(
        &mut device,
        finding,
        Kind::Finding,
        &[
            (Finding::title, text("Backups never restored")),
            (Finding::finding_type, text("minor_nc")),
            (Finding::owner, text(&owner.member)),
        ],
    );
    for (title, who, due) in [
        ("Restore a backup, monthly", &viewer, "2027-01-15"),
        ("Write the restore runbook", &owner, "2027-01-20"),
    ] {
        set(
            &mut device,
            RecordId::new(),
            Kind::Action,
            &[
                (Action::title, text(title)),
                (Action::action_type, text("corrective")),
                (Action::finding, text(&finding.to_string())),
                (Action::owner, text(&who.member)),
                (Action::due, text(due)),
            ],
        );
    }
    push_all(server, &owner, &mut device);
    let ask = |who: &Credential, whole: bool| {
        call(
            server,
            "POST",
            &format!("/api/orgs/{}/calendar", who.org),
            Some(&who.token),
            Body::Json(json!({ "whole": whole })),
        )
    };
    let fetch = |feed: &CalendarFeed| {
        get(
            server,
            &format!("/api/orgs/{}/calendar/{}.ics", owner.org, feed.secret),
        )
    };
    let (status, body) = ask(&viewer, true);
    assert_eq!((status, code(&body)), (403, "managers_only"), "{body}");
    let (status, body) = ask(&viewer, false);
    assert_eq!(status, 201, "{body}");
    let first: CalendarFeed = serde_json::from_value(body).unwrap();
    let (status, content_type, ics) = fetch(&first);
    assert_eq!(status, 200, "{ics}");
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("X-WR-CALNAME:Calendar Ltd: Vic Viewer's work"),
        "{ics}"
    );
    assert!(ics.contains("Restore a backup\\, monthly"), "{ics}");
    assert!(ics.contains("DTSTART;VALUE=DATE:20270115"), "{ics}");
    assert!(
        ics.contains(&format!("URL:{}/go/", server.url("").trim_end_matches('/'))),
        "{ics}"
    );
    assert!(
        !ics.contains("restore runbook"),
        "a viewer's feed holds only their own work: {ics}"
    );
    assert!(
        ics.split("\r\n").all(|line| line.len() <= 75),
        "every line folded at 75 octets"
    );

    // The owner's organisation-wide feed holds everyone's.
    let (status, body) = ask(&owner, true);
    assert_eq!(status, 201, "{body}");
    let whole: CalendarFeed = serde_json::from_value(body).unwrap();
    let (_, _, ics) = fetch(&whole);
    assert!(
        ics.contains("restore runbook") && ics.contains("Restore a backup"),
        "{ics}"
    );

    // A new address replaces the old; revoking ends them all; a wrong one is unknown.
    let (_, body) = ask(&viewer, false);
    let second: CalendarFeed = serde_json::from_value(body).unwrap();
    assert_eq!(fetch(&first).0, 404);
    assert_eq!(fetch(&second).0, 200);
    let (status, body) = call(
        server,
        "DELETE",
        &format!("/api/orgs/{}/calendar", viewer.org),
        Some(&viewer.token),
        Body::Empty,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(fetch(&second).0, 404);
    assert_eq!(fetch(&whole).0, 200, "another member's feed is untouched");
    let guessed = CalendarFeed {
        secret: "0".repeat(43),
        whole: false,
    };
    assert_eq!(fetch(&guessed).0, 404);
}

fn main() -> std::process::ExitCode {
    let cases: &[Case] = &[
        (
            "creating_an_organisation_needs_the_setup_code",
            creating_an_organisation_needs_the_setup_code,
        ),
        (
            "malformed_requests_are_refused_with_json_errors",
            malformed_requests_are_refused_with_json_errors,
        ),
        (
            "push_pull_round_trip_is_idempotent_and_chained",
            push_pull_round_trip_is_idempotent_and_chained,
        ),
        (
            "pull_pages_are_capped_by_bytes",
            pull_pages_are_capped_by_bytes,
        ),
        (
            "invalid_ops_are_refused_whole_with_reasons",
            invalid_ops_are_refused_whole_with_reasons,
        ),
        (
            "record_rules_read_the_stored_record",
            record_rules_read_the_stored_record,
        ),
        ("nothing_closes_hollow", nothing_closes_hollow),
        (
            "a_photo_position_is_kept_only_by_the_organisations_policy",
            a_photo_position_is_kept_only_by_the_organisations_policy,
        ),
        (
            "an_evidence_record_names_only_an_allowed_type",
            an_evidence_record_names_only_an_allowed_type,
        ),
        (
            "a_risk_above_appetite_is_accepted_only_by_its_owner",
            a_risk_above_appetite_is_accepted_only_by_its_owner,
        ),
        (
            "a_document_is_approved_by_someone_other_than_its_author",
            a_document_is_approved_by_someone_other_than_its_author,
        ),
        (
            "a_maturity_snapshot_holds_what_the_register_shows",
            a_maturity_snapshot_holds_what_the_register_shows,
        ),
        (
            "a_record_history_lists_every_change_by_whom_oldest_first",
            a_record_history_lists_every_change_by_whom_oldest_first,
        ),
        (
            "a_long_history_comes_in_pages",
            a_long_history_comes_in_pages,
        ),
        (
            "a_history_of_large_edits_comes_in_pages_of_bounded_bytes",
            a_history_of_large_edits_comes_in_pages_of_bounded_bytes,
        ),
        ("credentials_are_checked", credentials_are_checked),
        (
            "forged_organisation_ids_reach_no_object",
            forged_organisation_ids_reach_no_object,
        ),
        (
            "invites_are_single_use_and_expire",
            invites_are_single_use_and_expire,
        ),
        ("roles_are_enforced", roles_are_enforced),
        (
            "invites_last_only_while_their_maker_may_grant_them",
            invites_last_only_while_their_maker_may_grant_them,
        ),
        (
            "a_revoked_devices_invites_die_with_it",
            a_revoked_devices_invites_die_with_it,
        ),
        (
            "a_device_writes_at_most_its_share_a_minute",
            a_device_writes_at_most_its_share_a_minute,
        ),
        (
            "the_last_owner_who_can_sign_in_stays",
            the_last_owner_who_can_sign_in_stays,
        ),
        ("organisations_are_isolated", organisations_are_isolated),
        (
            "an_exports_history_is_imported_only_by_an_owner_into_a_new_organisation",
            an_exports_history_is_imported_only_by_an_owner_into_a_new_organisation,
        ),
        (
            "a_calendar_feed_lists_a_members_due_work_at_a_secret_address",
            a_calendar_feed_lists_a_members_due_work_at_a_secret_address,
        ),
    ];
    run_cases(cases)
}
