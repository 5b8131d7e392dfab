use super::*;
use crate::{
    Role,
    fixture::{Fixture, day, link, text},
    gate::{Gate, Refusal, Who, changes_in},
    work,
};

const AUTHOR: &str = "0190f1e2-0000-7000-8000-00000000000a";
const APPROVER: &str = "0190f1e2-0000-7000-8000-00000000000b";

fn id(member: &str) -> RecordId {
    member.parse().unwrap()
}

fn judged(f: &Fixture, member: &str, role: Role, set: &[Edit]) -> Vec<Refusal> {
    let register = f.register();
    Gate::default().judge(
        Who {
            member: Some(member),
            role,
        },
        &changes_in(set),
        register,
        &|r| register.record(r).is_none(),
    )
}

fn policy(f: &mut Fixture) -> RecordId {
    let policy = f.add(
        Kind::Document,
        &[
            ("title", text("Information security policy")),
            ("document_type", text("security_policy")),
            ("owner", link(id(APPROVER))),
        ],
    );
    let draft = edit_draft(
        policy,
        "# Purpose\n\nWe protect our customers' data.",
        Some(id(AUTHOR)),
    );
    assert_eq!(
        judged(f, AUTHOR, Role::Editor, std::slice::from_ref(&draft)),
        []
    );
    f.set(policy, Kind::Document, &draft.fields);
    policy
}

fn document(f: &Fixture, id: RecordId) -> Document {
    f.register().view(id).unwrap()
}

#[test]
fn a_draft_is_approved_by_an_owner_or_admin_other_than_its_author_and_frozen() {
    let mut f = Fixture::new();
    let policy = policy(&mut f);
    let today = day("2026-12-07");
    // By its author, even an owner: refused.
    let own = approve(
        f.register(),
        &document(&f, policy),
        Some(id(AUTHOR)),
        today,
        None,
    );
    let refused = judged(&f, AUTHOR, Role::Owner, &own);
    assert!(
        refused
            .iter()
            .any(|r| r.message.contains("someone other than its author")),
        "{refused:?}"
    );
    // By an editor: refused.
    let by_editor = approve(
        f.register(),
        &document(&f, policy),
        Some(id(APPROVER)),
        today,
        Some(&crate::sync::LogPoint {
            position: 7,
            hash: "cd".repeat(32),
        }),
    );
    assert!(
        judged(&f, APPROVER, Role::Editor, &by_editor)
            .iter()
            .any(|r| r.message.contains("Only an owner or admin"))
    );
    // In someone else's name: refused.
    assert!(
        judged(&f, AUTHOR, Role::Admin, &by_editor)
            .iter()
            .any(|r| r.message.contains("own name"))
    );
    // A version that is not the draft: refused.
    let mut forged = by_editor.clone();
    forged[0]
        .fields
        .retain(|(f, _)| *f != DocumentVersion::body);
    forged[0]
        .fields
        .push((DocumentVersion::body, text("We protect nothing.")));
    assert!(
        judged(&f, APPROVER, Role::Admin, &forged)
            .iter()
            .any(|r| r.message.contains("draft as it stands"))
    );

    assert_eq!(judged(&f, APPROVER, Role::Admin, &by_editor), []);
    for edit in &by_editor {
        f.set(edit.record, edit.kind, &edit.fields);
    }
    let versions = versions_of(f.register(), policy);
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].version, Some(1));
    assert_eq!(versions[0].author, Some(id(AUTHOR)));
    assert_eq!(versions[0].log_position, Some(7));
    assert_eq!(
        document(&f, policy).next_review.as_deref(),
        Some("2027-12-07")
    );
    assert!(!draft_pending(&document(&f, policy), versions.last()));

    // The next draft starts from it; version 1 stays as approved.
    let next = edit_draft(
        policy,
        "# Purpose\n\nWe protect our customers' and staff's data.",
        Some(id(AUTHOR)),
    );
    f.set(policy, Kind::Document, &next.fields);
    assert!(draft_pending(&document(&f, policy), versions.last()));
    let second = approve(
        f.register(),
        &document(&f, policy),
        Some(id(APPROVER)),
        day("2026-12-08"),
        None,
    );
    assert_eq!(judged(&f, APPROVER, Role::Owner, &second), []);
    for edit in &second {
        f.set(edit.record, edit.kind, &edit.fields);
    }
    let versions = versions_of(f.register(), policy);
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [Some(1), Some(2)]
    );
    assert_eq!(
        versions[0].body.as_deref(),
        Some("# Purpose\n\nWe protect our customers' data.")
    );
    let rewrite = Edit {
        record: versions[0].id,
        kind: Kind::DocumentVersion,
        fields: vec![(DocumentVersion::body, text("changed"))],
    };
    assert_eq!(
        judged(&f, APPROVER, Role::Owner, &[rewrite])[0].code,
        "append_only"
    );
}

#[test]
fn a_document_past_its_review_date_is_its_owners_work() {
    let mut f = Fixture::new();
    let policy = policy(&mut f);
    f.set(
        policy,
        Kind::Document,
        &[("next_review", text("2026-11-30"))],
    );
    let work = work::my_work(f.register(), Some(id(APPROVER)), day("2026-12-07"));
    assert_eq!(work.overdue.len(), 1);
    assert_eq!(work.overdue[0].what, "Review the document");
}

#[test]
fn markdown_is_shown_without_markup_or_links_of_its_own() {
    let html = html_of(
        "# Policy\n\n**All** staff.\n\n<script>alert(1)</script>\n\n[ok](https://example.org) [bad](javascript:alert(1)) <img src=x onerror=alert(1)> ![logo](https://tracker.example/p.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    );
    assert!(html.contains("<h1>Policy</h1>"), "{html}");
    assert!(html.contains("<strong>All</strong>"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(html.contains(r#"<a href="https://example.org">ok</a>"#));
    assert!(!html.contains("javascript:"), "{html}");
    assert!(html.contains("[image: logo]"));
    assert!(html.contains("<table>"));
}

#[test]
fn an_approval_and_the_next_draft_sent_together_are_judged_as_made() {
    let mut f = Fixture::new();
    let policy = policy(&mut f);
    let mut set = approve(
        f.register(),
        &document(&f, policy),
        Some(id(APPROVER)),
        day("2026-12-07"),
        None,
    );
    set.push(edit_draft(
        policy,
        "# Purpose\n\nNext draft.",
        Some(id(APPROVER)),
    ));
    assert_eq!(judged(&f, APPROVER, Role::Owner, &set), []);
    // A version with text that was never the draft is refused still.
    set[0].fields.retain(|(f, _)| *f != DocumentVersion::body);
    set[0]
        .fields
        .push((DocumentVersion::body, text("Never drafted.")));
    assert!(!judged(&f, APPROVER, Role::Owner, &set).is_empty());
}

#[test]
fn a_draft_names_its_writer_and_a_version_cannot_shed_its_author() {
    let mut f = Fixture::new();
    let policy = policy(&mut f);
    // Written in someone else's name: refused.
    let ghost = edit_draft(policy, "# Purpose\n\nRewritten.", Some(id(AUTHOR)));
    let refused = judged(&f, APPROVER, Role::Owner, std::slice::from_ref(&ghost));
    assert!(
        refused
            .iter()
            .any(|r| r.message == "A draft is written in its writer's own name."),
        "{refused:?}"
    );
    // The approver rewrites the draft, then clears its author to approve it as no one's.
    let own = edit_draft(policy, "# Purpose\n\nMine.", Some(id(APPROVER)));
    assert_eq!(
        judged(&f, APPROVER, Role::Owner, std::slice::from_ref(&own)),
        []
    );
    f.set(policy, Kind::Document, &own.fields);
    f.set(policy, Kind::Document, &[("draft_author", Value::Null)]);
    let hollow = approve(
        f.register(),
        &document(&f, policy),
        Some(id(APPROVER)),
        day("2026-12-07"),
        None,
    );
    let refused = judged(&f, APPROVER, Role::Owner, &hollow);
    assert!(
        refused
            .iter()
            .any(|r| r.message == "A document is approved by someone other than its author."),
        "{refused:?}"
    );
}
