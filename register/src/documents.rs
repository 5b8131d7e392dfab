//! Controlled documents (clauses 5.2, 7.5.2–7.5.3; A.5.1): each policy and procedure has an
//! owner, a review interval and a draft. An owner or admin other than the draft's author
//! approves it, in their own name: the draft is frozen as the next `DocumentVersion`, readable
//! for good, and the next draft starts from it. A document past its review date is work.
//! Its text is Markdown, shown as HTML that carries no markup of its own (`html_of`).

use crate::{
    Kind, RecordId, Replica, Value, dates,
    gate::Edit,
    rules::{Lookup, RecordRule, Subject, text_of},
    sync::LogPoint,
    views::{Document, DocumentVersion},
};
use chrono::NaiveDate;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;

/// Months between reviews of a document that sets no interval.
pub const REVIEW_MONTHS: i64 = 12;

/// A document's approved versions, oldest first.
pub fn versions_of(register: &Replica, document: RecordId) -> Vec<DocumentVersion> {
    let mut versions: Vec<DocumentVersion> = register
        .all::<DocumentVersion>()
        .into_iter()
        .filter(|v| v.document == Some(document))
        .collect();
    versions.sort_by_key(|v| v.version);
    versions
}

/// Each document's latest approved version.
pub fn latest_versions(register: &Replica) -> HashMap<RecordId, DocumentVersion> {
    let mut latest: HashMap<RecordId, DocumentVersion> = HashMap::new();
    for version in register.all::<DocumentVersion>() {
        let Some(document) = version.document else {
            continue;
        };
        if latest
            .get(&document)
            .is_none_or(|kept| kept.version < version.version)
        {
            latest.insert(document, version);
        }
    }
    latest
}

/// Whether the draft differs from the latest approved version (or none is approved yet).
pub fn draft_pending(document: &Document, latest: Option<&DocumentVersion>) -> bool {
    let Some(latest) = latest else {
        return true;
    };
    let trimmed = |t: &Option<String>| t.as_deref().unwrap_or_default().trim().to_owned();
    trimmed(&document.draft) != trimmed(&latest.body) || document.draft_file != latest.file
}

/// Approves `document`'s draft as its next version, in `me`'s name on `today` at the point
/// of the log the approver's device has reached, and sets its next review from today.
pub fn approve(
    register: &Replica,
    document: &Document,
    me: Option<RecordId>,
    today: NaiveDate,
    log: Option<&LogPoint>,
) -> Vec<Edit> {
    let next = versions_of(register, document.id)
        .last()
        .and_then(|v| v.version)
        .unwrap_or(0)
        + 1;
    let mut fields = vec![
        (
            DocumentVersion::document,
            Value::from(document.id.to_string()),
        ),
        (DocumentVersion::version, Value::Int(next)),
        (DocumentVersion::approved_on, Value::from(today.to_string())),
    ];
    if let Some(body) = filled(&document.draft) {
        fields.push((DocumentVersion::body, Value::from(body)));
    }
    if let Some(note) = filled(&document.change_note) {
        fields.push((DocumentVersion::change_note, Value::from(note)));
    }
    for (field, id) in [
        (DocumentVersion::file, document.draft_file),
        (DocumentVersion::author, document.draft_author),
        (DocumentVersion::approved_by, me),
    ] {
        if let Some(id) = id {
            fields.push((field, Value::from(id.to_string())));
        }
    }
    fields.extend(LogPoint::fields(
        log,
        DocumentVersion::log_position,
        DocumentVersion::log_hash,
    ));
    let months = document.review_interval_months.unwrap_or(REVIEW_MONTHS);
    let review = dates::add_months(today, u32::try_from(months).unwrap_or(12));
    let mut set = vec![Edit {
        record: RecordId::new(),
        kind: Kind::DocumentVersion,
        fields,
    }];
    if let Some(review) = review {
        set.push(Edit {
            record: document.id,
            kind: Kind::Document,
            fields: vec![(Document::next_review, Value::from(review.to_string()))],
        });
    }
    set
}

/// A text, trimmed, unless it is empty.
fn filled(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// What `author` writes to the draft: its text, with them as its author.
pub fn edit_draft(document: RecordId, text: &str, author: Option<RecordId>) -> Edit {
    let mut fields = vec![(Document::draft, Value::from(text))];
    if let Some(author) = author {
        fields.push((Document::draft_author, Value::from(author.to_string())));
    }
    Edit {
        record: document,
        kind: Kind::Document,
        fields,
    }
}

/// The document a version names, as the change leaves it.
fn document_of(s: &Subject) -> Option<RecordId> {
    s.text(DocumentVersion::document).parse().ok()
}

/// A version is the document's draft as it stands, approved by someone other than its author.
pub const RULES: &[RecordRule] = &[
    RecordRule {
        kind: Kind::DocumentVersion,
        fields: &[DocumentVersion::approved_by, DocumentVersion::author],
        field: DocumentVersion::approved_by,
        message: "A document is approved by someone other than its author.",
        // An approver is named only in an organisation, where every draft names its writer
        // (a duty): a version without an author would let its approver be the author unseen.
        holds: |s| {
            let approver = s.text(DocumentVersion::approved_by);
            let author = s.text(DocumentVersion::author);
            approver.is_empty() || (!author.is_empty() && approver != author)
        },
    },
    RecordRule {
        kind: Kind::DocumentVersion,
        fields: &[
            DocumentVersion::document,
            DocumentVersion::body,
            DocumentVersion::file,
            DocumentVersion::author,
        ],
        field: DocumentVersion::body,
        message: "An approved version holds the document's draft as it stands, by its author: approve it from the document's page.",
        // The draft as stored before the change set, or as it leaves it: a device that
        // approves a draft and then writes the next one sends both in one push.
        holds: |s| {
            let Some(document) = document_of(s) else {
                return true; // refused as not a record id
            };
            let version = [
                DocumentVersion::body,
                DocumentVersion::file,
                DocumentVersion::author,
            ]
            .map(|field| s.text(field));
            let draft_in = |register: &dyn Lookup| {
                [
                    Document::draft,
                    Document::draft_file,
                    Document::draft_author,
                ]
                .map(|field| text_of(register.field(document, field)))
            };
            version == draft_in(s.before) || version == draft_in(s.after)
        },
    },
    RecordRule {
        kind: Kind::DocumentVersion,
        fields: &[DocumentVersion::body, DocumentVersion::file],
        field: DocumentVersion::body,
        message: "A version has a text or a file.",
        holds: |s| {
            !s.text(DocumentVersion::body).is_empty() || !s.text(DocumentVersion::file).is_empty()
        },
    },
];

/// Whether a link may go where `url` points: the web, mail, or a place in the page.
fn safe_destination(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:", "#"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
}

/// A document's Markdown as HTML that carries nothing of its own: raw HTML in the text is
/// shown as text, a link goes only to the web, mail or within the page, and an image is
/// shown as its description (a document loads nothing from elsewhere).
pub fn html_of(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = if safe_destination(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("#")
            };
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        Event::Start(Tag::Image { .. }) => Event::Text(CowStr::Borrowed("[image: ")),
        Event::End(TagEnd::Image) => Event::Text(CowStr::Borrowed("]")),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

#[cfg(test)]
mod tests;
