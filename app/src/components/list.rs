//! One list for every register: search, filter by owner, by the kind's own choices and by
//! overdue dates, sort, and a window of rows. A long register shows its first 100 matches and
//! grows on request, so a keystroke repaints a screenful of rows, not 20,000.

use super::{
    evidence::Thumbnail,
    import::{ExportCsv, ImportCsv},
    record::{record_label, words},
};
use crate::state::use_app_state;
use leptos::prelude::*;
use leptos_router::components::A;
use register::{FieldType, Kind, RecordId, RecordState, Value, dates, sync::Device};
use std::collections::HashSet;

/// Rows drawn at first, and added by each "Show more".
const WINDOW: usize = 100;

/// A tag on a row; `tone` lets the stylesheet colour it (ratings, standings, severities).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Tag {
    pub text: String,
    pub tone: Option<&'static str>,
}

impl Tag {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            tone: None,
        }
    }

    pub fn toned(text: impl Into<String>, tone: &'static str) -> Self {
        Self {
            text: text.into(),
            tone: Some(tone),
        }
    }
}

/// What a register adds to a row beyond its name and owner.
#[derive(Default)]
pub struct Extras {
    pub tags: Vec<Tag>,
    /// A date (`YYYY-MM-DD`) by which something is due, and what ("Review").
    pub due: Option<(String, &'static str)>,
    /// The key the row sorts by under "Name" (control references sort by number).
    pub order: Option<String>,
    /// The SHA-256 of an image file the row shows small (a photo in the Evidence register).
    pub image: Option<String>,
}

/// Describes each record of a register; made once per change of the register, so it can
/// gather what every row needs (a metric's measurements) in one pass.
pub type Describe = Box<dyn Fn(RecordId, &RecordState) -> Extras>;

/// How one register is listed.
pub struct ListSpec {
    pub kind: Kind,
    /// Where a record's page is: `{path}/{id}`.
    pub path: &'static str,
    /// The register's plural noun, as in "3 of 12 risks".
    pub noun: &'static str,
    /// The list's accessible name.
    pub label: &'static str,
    /// Choice fields offered as filters.
    pub filters: &'static [&'static str],
    /// The member field rows are filtered by ("owner", or "reporter" for reports; empty for
    /// none).
    pub person: &'static str,
    pub describe: fn(&Device) -> Describe,
    /// What the register is for, shown while it is empty.
    pub empty: &'static str,
}

#[derive(Clone, PartialEq, Debug)]
struct Row {
    id: RecordId,
    label: String,
    order: String,
    owner: Option<String>,
    /// The values of the spec's filter fields, in order.
    choices: Vec<Option<String>>,
    due: Option<(String, &'static str)>,
    overdue: bool,
    /// When the record last changed (ms).
    changed: u64,
    tags: Vec<Tag>,
    image: Option<String>,
    /// Every text of the record, lower-cased, for search.
    haystack: String,
}

fn rows_of(spec: &ListSpec, device: &Device, today: &str) -> Vec<Row> {
    let describe = (spec.describe)(device);
    let kind_spec = spec.kind.spec();
    device
        .local
        .of_kind(spec.kind)
        .filter(|(_, r)| !r.is_deleted())
        .map(|(id, record)| {
            let extras = describe(id, record);
            let label = record_label(record);
            let mut haystack = label.to_lowercase();
            // Words people wrote or chose; not ids, digests or timestamps.
            for (name, field) in &record.fields {
                let words = matches!(
                    kind_spec.field(name).map(|f| f.ty),
                    Some(FieldType::Text(_) | FieldType::LongText | FieldType::Choice(_))
                );
                if let (true, Value::Text(text)) = (words, &field.value) {
                    haystack.push(' ');
                    haystack.push_str(&text.to_lowercase());
                }
            }
            for tag in &extras.tags {
                haystack.push(' ');
                haystack.push_str(&tag.text.to_lowercase());
            }
            let text = |field: &str| {
                record
                    .get(field)
                    .and_then(Value::as_text)
                    .map(str::to_owned)
            };
            let overdue = extras
                .due
                .as_ref()
                .is_some_and(|(due, _)| dates::is_overdue(due, today));
            Row {
                id,
                order: extras.order.unwrap_or_else(|| label.to_lowercase()),
                label,
                owner: text(spec.person),
                choices: spec.filters.iter().map(|f| text(f)).collect(),
                due: extras.due,
                overdue,
                changed: record
                    .fields
                    .values()
                    .map(|f| f.stamp.hlc.wall)
                    .max()
                    .unwrap_or(0),
                tags: extras.tags,
                image: extras.image,
                haystack,
            }
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    Name,
    Due,
    Changed,
}

impl Sort {
    const ALL: [(Sort, &'static str, &'static str); 3] = [
        (Sort::Name, "name", "Name"),
        (Sort::Due, "due", "Due date"),
        (Sort::Changed, "changed", "Recently changed"),
    ];

    fn from_value(value: &str) -> Sort {
        Sort::ALL
            .iter()
            .find(|(_, v, _)| *v == value)
            .map_or(Sort::Name, |(sort, _, _)| *sort)
    }
}

/// Lists one register. `only`, when set, narrows the list to those records (a heat-map cell).
#[component]
pub fn RegisterList(
    spec: &'static ListSpec,
    #[prop(optional, into)] only: Option<Signal<Option<HashSet<RecordId>>>>,
) -> impl IntoView {
    let state = use_app_state();
    let search = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let choices: Vec<RwSignal<String>> = spec
        .filters
        .iter()
        .map(|_| RwSignal::new(String::new()))
        .collect();
    let overdue_only = RwSignal::new(false);
    let sort = RwSignal::new("name".to_owned());
    let limit = RwSignal::new(WINDOW);
    let rows = Memo::new(move |_| {
        let today = state.today.get();
        state.read(|d| rows_of(spec, d, &today))
    });
    // Sorting works on positions, so a keystroke never clones the register.
    let sorted = Memo::new(move |_| {
        let sort = Sort::from_value(&sort.get());
        rows.with(|rows| {
            let mut order: Vec<usize> = (0..rows.len()).collect();
            match sort {
                Sort::Name => order.sort_by(|&a, &b| rows[a].order.cmp(&rows[b].order)),
                Sort::Due => order.sort_by(|&a, &b| {
                    let due = |i: usize| rows[i].due.as_ref().map(|(d, _)| d.clone());
                    (due(a).is_none(), due(a)).cmp(&(due(b).is_none(), due(b)))
                }),
                Sort::Changed => order.sort_by(|&a, &b| rows[b].changed.cmp(&rows[a].changed)),
            }
            order
        })
    });
    let any_due = Memo::new(move |_| rows.with(|rows| rows.iter().any(|row| row.due.is_some())));
    let filter_choices = choices.clone();
    let matches = Memo::new(move |_| {
        let needle = search.get().trim().to_lowercase();
        let owner = owner.get();
        let wanted: Vec<String> = filter_choices.iter().map(|c| c.get()).collect();
        // The box is hidden when nothing has a due date; it must not keep filtering then.
        let overdue_only = overdue_only.get() && any_due.get();
        let narrowed = only.and_then(|only| only.get());
        rows.with(|rows| {
            sorted.with(|order| {
                order
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let row = &rows[i];
                        (needle.is_empty() || row.haystack.contains(&needle))
                            && (owner.is_empty() || row.owner.as_deref() == Some(owner.as_str()))
                            && wanted.iter().zip(&row.choices).all(|(want, has)| {
                                want.is_empty() || has.as_deref() == Some(want.as_str())
                            })
                            && (!overdue_only || row.overdue)
                            && narrowed.as_ref().is_none_or(|ids| ids.contains(&row.id))
                    })
                    .collect::<Vec<usize>>()
            })
        })
    });
    let visible = move || {
        let limit = limit.get();
        rows.with(|rows| {
            matches.with(|m| {
                m.iter()
                    .take(limit)
                    .map(|&i| rows[i].clone())
                    .collect::<Vec<_>>()
            })
        })
    };
    let total = move || rows.with(Vec::len);
    let found = move || matches.with(Vec::len);
    let kind_spec = spec.kind.spec();
    let id = |what: &str| format!("{}-{what}", spec.noun);
    let choice_filters = spec
        .filters
        .iter()
        .zip(choices)
        .map(|(field, value)| {
            let options = match kind_spec.field(field).map(|f| f.ty) {
                Some(FieldType::Choice(options)) => options,
                _ => &[],
            };
            view! {
                <div class="field">
                    <label for=id(field)>{words(field)}</label>
                    <select id=id(field) bind:value=value>
                        <option value="">"Any"</option>
                        {options.iter().map(|o| view! { <option value=*o>{words(o)}</option> }).collect_view()}
                    </select>
                </div>
            }
        })
        .collect_view();
    let owner_name = move |member: &str| state.name_of(member.parse().ok()?);
    view! {
        <form class="filters" role="search" aria-label=format!("Filter {}", spec.noun) on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for=id("search")>"Search"</label>
                <input id=id("search") type="search" bind:value=search />
            </div>
            {choice_filters}
            // A register whose records belong to no one (templates) has no person filter.
            {(!spec.person.is_empty()).then(|| view! {
                <div class="field">
                    <label for=id("owner")>{words(spec.person)}</label>
                    <select id=id("owner") bind:value=owner>
                        <option value="">"Anyone"</option>
                        {move || state.people().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
            })}
            <div class="field">
                <label for=id("sort")>"Sort by"</label>
                <select id=id("sort") bind:value=sort>
                    {Sort::ALL.map(|(_, value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
            </div>
            <Show when=move || any_due.get()>
                <label class="check">
                    <input type="checkbox" bind:checked=overdue_only />
                    "Overdue only"
                </label>
            </Show>
        </form>
        <p class="count" role="status">{move || format!("{} of {} {}", found(), total(), spec.noun)}</p>
        <Show
            when=move || { found() > 0 }
            fallback=move || view! {
                <p class="empty">{move || if total() == 0 { spec.empty.to_owned() } else { format!("No {} match these filters.", spec.noun) }}</p>
            }
        >
            <ul class="record-list" aria-label=spec.label>
                <For each=visible key=|row| (row.id, row.label.clone(), row.tags.clone(), row.due.clone(), row.overdue, row.owner.clone(), row.image.clone()) children=move |row| {
                    let due = row.due.map(|(date, what)| {
                        let text = if row.overdue { format!("{what} overdue since {date}") } else { format!("{what} by {date}") };
                        view! { <span class="tag" class:overdue=row.overdue>{text}</span> }
                    });
                    // Names follow the members list, which loads after the first sync.
                    let owner = row.owner.map(|member| move || owner_name(&member).map(|name| view! { <span class="tag owner">{name}</span> }));
                    let with_image = row.image.is_some();
                    view! {
                        <li class="record" class:overdue=row.overdue class:with-image=with_image>
                            {row.image.map(|sha256| view! { <Thumbnail sha256 /> })}
                            <A href=format!("{}/{}", spec.path, row.id) attr:class="record-title">{row.label}</A>
                            <span class="tags">
                                {row.tags.into_iter().map(|tag| view! { <span class="tag" data-tone=tag.tone>{tag.text}</span> }).collect_view()}
                                {owner}
                                {due}
                            </span>
                        </li>
                    }
                } />
            </ul>
            <Show when=move || { found() > limit.get() }>
                <button type="button" class="secondary" on:click=move |_| limit.update(|l| *l += WINDOW)>
                    {move || format!("Show more ({} not shown)", found() - limit.get())}
                </button>
            </Show>
        </Show>
        <ExportCsv spec />
        <Show when=move || state.may_write(spec.kind)>
            <ImportCsv spec />
        </Show>
    }
}
