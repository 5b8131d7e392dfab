//! Editing any record through its kind's schema: one input per field, chosen by the field's
//! type; saving checks values and record rules as the server will, and shows each problem
//! at its field. When the record changes underneath (a colleague's change arriving), the
//! fields the person has not touched follow it and what they are typing stays.

use super::{FieldMessage, error_for, picker::RecordPicker, write::Write};
use crate::state::use_app_state;
use leptos::{ev::SubmitEvent, prelude::*};
use register::{
    FieldError, FieldSpec, FieldType, Kind, RecordId, RecordState, Section, Value, gate::Edit,
};

/// A field or choice name as words: `review_interval_days` → "Review interval days",
/// `minor_nc` → "Minor nonconformity".
pub fn words(name: impl AsRef<str>) -> String {
    register::schema::choice_words(name.as_ref())
}

/// The names of fields of one kind, each checked by the compiler against that kind's schema
/// (`fields!(Finding: title, finding_type)`), for forms that show only some fields.
macro_rules! fields {
    ($kind:ident : $($field:ident),+ $(,)?) => {
        &[$(register::views::$kind::$field),+]
    };
}
pub(crate) use fields;

/// The spec of each named field; a name the kind lacks stops the page loudly, so a field is
/// never silently missing from a form.
fn specs(kind: Kind, names: &[&str]) -> Vec<&'static FieldSpec> {
    names
        .iter()
        .map(|name| {
            kind.spec().field(name).unwrap_or_else(|| {
                panic!(
                    "a {} form names “{name}”, which is not one of its fields",
                    kind.name()
                )
            })
        })
        .collect()
}

/// How a record is named in lists and pickers.
pub fn record_label(record: &RecordState) -> String {
    let text = |field| record.get(field).and_then(Value::as_text);
    let name = text("title")
        .or_else(|| text("name"))
        .or_else(|| text("question"))
        .unwrap_or("(untitled)");
    match text("reference") {
        Some(reference) if !name.starts_with(reference) => format!("{reference} {name}"),
        _ => name.to_owned(),
    }
}

/// A moment as the register stores date-times: UTC, whole seconds (`2026-11-29T09:30:00Z`).
pub fn stored_date_time(date: &js_sys::Date) -> String {
    let iso: String = date.to_iso_string().into();
    format!("{}Z", &iso[..19])
}

/// Now, as the register stores date-times.
pub fn now_stored() -> String {
    stored_date_time(&js_sys::Date::new_0())
}

/// A moment as `YYYY-MM-DD HH:MM` in the person's time zone.
pub fn local_date_time(date: &js_sys::Date) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// A stored value as the text its input holds.
pub fn draft_of(ty: FieldType, value: Option<&Value>) -> String {
    match (ty, value) {
        (_, None | Some(Value::Null)) => String::new(),
        (FieldType::DateTime, Some(Value::Text(text))) => {
            // The input shows local time, without a zone.
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(text));
            local_date_time(&date).replace(' ', "T")
        }
        (_, Some(Value::Bool(yes))) => if *yes { "yes" } else { "no" }.to_owned(),
        (_, Some(Value::Text(text))) => text.clone(),
        (_, Some(Value::Int(n))) => n.to_string(),
        (_, Some(Value::Num(n))) => n.to_string(),
        (FieldType::Lines { .. }, Some(Value::List(items))) => items.join("\n"),
        (_, Some(Value::List(items))) => items.join(","),
    }
}

/// An input's text as the value to store, or what is wrong with it.
pub fn value_of(ty: FieldType, draft: &str) -> Result<Value, String> {
    let text = draft.trim();
    if text.is_empty() {
        return Ok(match ty {
            FieldType::Refs(_) | FieldType::Lines { .. } => Value::List(Vec::new()),
            _ => Value::Null,
        });
    }
    Ok(match ty {
        FieldType::Int { .. } => Value::Int(
            text.parse()
                .map_err(|_| "Enter a whole number.".to_owned())?,
        ),
        FieldType::Num { .. } => {
            Value::Num(text.parse().map_err(|_| "Enter a number.".to_owned())?)
        }
        FieldType::Bool => Value::Bool(text == "yes"),
        FieldType::DateTime => {
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(text));
            if date.get_time().is_nan() {
                return Err("Enter a date and time.".into());
            }
            Value::Text(stored_date_time(&date))
        }
        FieldType::Refs(_) => Value::List(text.split(',').map(str::to_owned).collect()),
        FieldType::Lines { .. } => Value::List(
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        FieldType::LongText => Value::Text(draft.to_owned()),
        _ => Value::Text(text.to_owned()),
    })
}

/// Edits one record, its fields in the titled sections its kind's schema declares (two
/// columns on a wide screen, one on a phone). `sections`, when given, names the sections
/// shown (a page that shows the others its own way).
#[component]
pub fn RecordEditor(
    kind: Kind,
    id: RecordId,
    #[prop(optional)] sections: &'static [&'static str],
) -> impl IntoView {
    let state = use_app_state();
    let spec = kind.spec();
    let shown_sections: Vec<&'static Section> = spec
        .sections
        .iter()
        .filter(|s| sections.is_empty() || sections.contains(&s.title))
        .collect();
    let shown: Vec<&'static FieldSpec> = shown_sections
        .iter()
        .flat_map(|section| specs(kind, section.fields))
        .collect();
    let record = state.read_untracked(|d| d.local.record(id).cloned());
    let drafts: Vec<(&'static FieldSpec, RwSignal<String>)> = shown
        .iter()
        .map(|field| {
            let value = record.as_ref().and_then(|r| r.get(field.name));
            (*field, RwSignal::new(draft_of(field.ty, value)))
        })
        .collect();
    let saved_drafts = StoredValue::new(
        drafts
            .iter()
            .map(|(field, draft)| (field.name, draft.get_untracked()))
            .collect::<Vec<_>>(),
    );
    // When the record changes (a save, or a colleague's change arriving), fields the person
    // has not touched follow it; what they are typing stays.
    let follow = drafts.clone();
    Effect::new(move |_| {
        let record = state.read(|d| d.local.record(id).cloned());
        saved_drafts.update_value(|base| {
            for ((field, draft), (_, old)) in follow.iter().zip(base.iter_mut()) {
                let new = draft_of(field.ty, record.as_ref().and_then(|r| r.get(field.name)));
                if new != *old {
                    if draft.get_untracked() == *old {
                        draft.set(new.clone());
                    }
                    *old = new;
                }
            }
        });
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let saved = RwSignal::new(false);
    // "Saved" goes when a field changes again, not when Save is pressed: a save then changes
    // nothing on screen until it is stored, so no frame is drawn while storage works (on a
    // 2-core phone that frame delayed storage's answer several milliseconds).
    let typed = drafts.clone();
    Effect::new(move |_| {
        typed.iter().for_each(|(_, draft)| draft.track());
        saved.set(false);
    });
    // A record no change would pass (a closed finding, a signed-off review) is shown read
    // only, with the reason.
    let lock = Memo::new(move |_| state.read(|d| register::gate::locked(kind, id, &d.local)));
    let read_only = move || !state.may_write(kind) || lock.get().is_some();
    let form_drafts = drafts.clone();
    // A refusal tied to a field this form does not show (a rule on another section, a locked
    // record) is shown for the whole form, so no refusal goes unseen.
    let shown_names = StoredValue::new(drafts.iter().map(|(f, _)| f.name).collect::<Vec<_>>());
    let write = Write::new();
    Effect::new(move |_| {
        let (mut problems, stored) = (write.refused(), write.stored());
        untrack(|| {
            for problem in &mut problems {
                if !shown_names.with_value(|shown| shown.contains(&problem.field.as_str())) {
                    problem.field.clear();
                }
            }
            if errors.with_untracked(|shown| *shown != problems) {
                errors.set(problems);
            }
            if stored {
                saved.set(true);
            }
        });
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match changed_values(&form_drafts, &saved_drafts.get_value()) {
            Ok(fields) => write.start(vec![Edit {
                record: id,
                kind,
                fields,
            }]),
            Err(problems) => errors.set(problems),
        }
    };
    view! {
        {move || lock.get().map(|why| view! { <p class="notice" role="note">{why}</p> })}
        <form class="record-form detail" on:submit=on_submit novalidate=true aria-label=format!("Edit {}", spec.label.to_lowercase())>
            <fieldset disabled=read_only>
                <div class="sections">
                    {shown_sections.into_iter().map(|section| {
                        let in_section: Vec<_> = drafts.iter().filter(|(f, _)| section.fields.contains(&f.name)).cloned().collect();
                        view! {
                            <fieldset class="section">
                                <legend>{section.title}</legend>
                                <FieldInputs kind drafts=in_section errors />
                            </fieldset>
                        }
                    }).collect_view()}
                </div>
                <button type="submit">"Save changes"</button>
                <FieldMessage id="record-form-error" message=error_for(errors, "") />
                <p class="saved" role="status">{move || saved.get().then_some("Saved on this device.")}</p>
            </fieldset>
        </form>
    }
}

/// The values of the drafts that differ from `before` (the drafts as last saved), or what
/// is wrong with those that cannot be read.
fn changed_values(
    drafts: &[(&'static FieldSpec, RwSignal<String>)],
    before: &[(&'static str, String)],
) -> Result<Vec<(&'static str, Value)>, Vec<FieldError>> {
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for ((field, draft), (_, old)) in drafts.iter().zip(before) {
        let text = draft.get_untracked();
        if text.trim() == old.trim() {
            continue;
        }
        match value_of(field.ty, &text) {
            Ok(value) => changes.push((field.name, value)),
            Err(message) => problems.push(FieldError {
                field: field.name.into(),
                message,
            }),
        }
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(problems)
    }
}

/// Creates a record of `kind` from `fields`, which start from `defaults`; `fixed` values, and
/// defaults for fields not shown (a finding's "raised at" now), are added without being
/// shown. Checked as the server will; after
/// saving, the form empties and `on_created` is told the new record's id.
#[component]
pub fn NewRecordForm(
    kind: Kind,
    fields: &'static [&'static str],
    /// The values a new record starts from, asked again each time the form empties (so a
    /// "now" default is the time of the next report, not of the page's opening).
    #[prop(optional, into)]
    defaults: Option<Callback<(), Vec<(&'static str, Value)>>>,
    #[prop(optional)] fixed: Vec<(&'static str, Value)>,
    #[prop(into)] submit: String,
    #[prop(into)] on_created: Callback<RecordId>,
) -> impl IntoView {
    let state = use_app_state();
    let spec = kind.spec();
    let initial = move |field: &FieldSpec| {
        let defaults = defaults.map(|d| d.run(())).unwrap_or_default();
        let value = defaults
            .iter()
            .find(|(name, _)| *name == field.name)
            .map(|(_, v)| v);
        draft_of(field.ty, value)
    };
    let drafts: Vec<(&'static FieldSpec, RwSignal<String>)> = specs(kind, fields)
        .into_iter()
        .map(|field| (field, RwSignal::new(initial(field))))
        .collect();
    let empty: Vec<(&'static str, String)> = drafts
        .iter()
        .map(|(f, _)| (f.name, String::new()))
        .collect();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_drafts = drafts.clone();
    let fixed = StoredValue::new(fixed);
    let write = Write::new();
    // The record being created, and what its form empties to once it is stored.
    let creating = StoredValue::new(None::<(RecordId, Vec<(RwSignal<String>, String)>)>);
    Effect::new(move |_| {
        let (problems, stored) = (write.refused(), write.stored());
        untrack(|| {
            if errors.with_untracked(|shown| *shown != problems) {
                errors.set(problems);
            }
            if stored && let Some((id, reset)) = creating.get_value() {
                creating.set_value(None);
                for (draft, text) in reset {
                    draft.set(text);
                }
                on_created.run(id);
            }
        });
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut values = match changed_values(&form_drafts, &empty) {
            Ok(values) => values,
            Err(problems) => return errors.set(problems),
        };
        values.extend(fixed.get_value());
        let unshown: Vec<_> = defaults
            .map(|d| d.run(()))
            .unwrap_or_default()
            .into_iter()
            .filter(|(name, _)| !values.iter().any(|(given, _)| given == name))
            .filter(|(name, _)| !form_drafts.iter().any(|(f, _)| f.name == *name))
            .collect();
        values.extend(unshown);
        let reset: Vec<_> = form_drafts.iter().map(|(f, d)| (*d, initial(f))).collect();
        let record = RecordId::new();
        creating.set_value(Some((record, reset)));
        write.start(vec![Edit {
            record,
            kind,
            fields: values,
        }]);
    };
    let label = submit.clone();
    view! {
        <form class="record-form" on:submit=on_submit novalidate=true aria-label=label>
            <Show when=move || !state.may_create(kind)>
                <p class="lede">{format!("Your role lets you read {}s but not add them; an owner or admin can change it.", spec.label.to_lowercase())}</p>
            </Show>
            <fieldset disabled=move || !state.may_create(kind)>
                <FieldInputs kind drafts errors />
                <button type="submit">{submit}</button>
                <FieldMessage id=format!("new-{}-error", kind.name()) message=error_for(errors, "") />
            </fieldset>
        </form>
    }
}

/// A choice of one of the organisation's members (or nobody), by name; `draft` holds the
/// chosen member's id.
#[component]
pub fn MemberSelect(
    input_id: String,
    error_id: String,
    #[prop(into)] invalid: Signal<String>,
    draft: RwSignal<String>,
) -> impl IntoView {
    let state = use_app_state();
    let people = move || {
        let mut people = state.people();
        let current = draft.get_untracked();
        if !current.is_empty() && !people.iter().any(|(id, _)| *id == current) {
            people.push((current, "(a former member)".into()));
        }
        // Options are redrawn when the members list refreshes: each says whether it is the
        // chosen one, or the select would fall back to its first option.
        people
            .into_iter()
            .map(|(id, name)| {
                let selected = draft.get_untracked() == id;
                view! { <option value=id selected=selected>{name}</option> }
            })
            .collect_view()
    };
    view! {
        <select id=input_id aria-describedby=error_id aria-invalid=invalid bind:value=draft>
            <option value="">"— nobody yet —"</option>
            {people}
        </select>
    }
}

#[component]
fn FieldInputs(
    kind: Kind,
    drafts: Vec<(&'static FieldSpec, RwSignal<String>)>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    drafts
        .into_iter()
        .map(|(field, draft)| view! { <FieldInput kind field draft errors /> })
        .collect_view()
}

#[component]
fn FieldInput(
    kind: Kind,
    field: &'static FieldSpec,
    draft: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let input_id = format!("{}-{}", kind.name(), field.name);
    let error_id = format!("{input_id}-error");
    let message = error_for(errors, field.name);
    let invalid = move || message().is_some().to_string();
    let label = words(field.name);
    // A select over a fixed set of values: choices, yes/no, and short integer scales.
    let fixed_choices = |ty: FieldType| {
        let choices: Vec<(String, String)> = match ty {
            FieldType::Choice(options) => options
                .iter()
                .map(|o| ((*o).to_owned(), words(o)))
                .collect(),
            FieldType::Bool => vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
            FieldType::Int { min, max } => (min..=max)
                .map(|n| (n.to_string(), n.to_string()))
                .collect(),
            _ => Vec::new(),
        };
        view! {
            <select id=input_id.clone() aria-describedby=error_id.clone() aria-invalid=invalid bind:value=draft>
                <option value="">"—"</option>
                {choices.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
            </select>
        }
        .into_any()
    };
    let control = match field.ty {
        FieldType::LongText => view! {
            <textarea id=input_id.clone() rows="3" aria-describedby=error_id.clone() aria-invalid=invalid bind:value=draft></textarea>
        }
        .into_any(),
        FieldType::Choice(_) | FieldType::Bool => fixed_choices(field.ty),
        FieldType::Int { min, max } if max - min <= 10 => fixed_choices(field.ty),
        FieldType::Ref(Kind::Member) => view! {
            <MemberSelect input_id=input_id.clone() error_id=error_id.clone() invalid=Signal::derive(invalid) draft />
        }
        .into_any(),
        FieldType::Ref(target) | FieldType::Refs(target) => view! {
            <RecordPicker input_id=input_id.clone() error_id=error_id.clone() invalid=Signal::derive(invalid) target
                multiple={matches!(field.ty, FieldType::Refs(_))} draft />
        }
        .into_any(),
        FieldType::Lines { .. } => view! {
            <textarea id=input_id.clone() rows="5" class="lines" aria-describedby=error_id.clone() aria-invalid=invalid
                placeholder="One per line, in order" bind:value=draft></textarea>
        }
        .into_any(),
        FieldType::Sha256 => view! {
            <input id=input_id.clone() type="text" readonly=true bind:value=draft />
        }
        .into_any(),
        FieldType::Int { .. } | FieldType::Num { .. } | FieldType::Date | FieldType::DateTime | FieldType::Text(_) => {
            let (input_type, max_length) = match field.ty {
                FieldType::Date => ("date", None),
                FieldType::DateTime => ("datetime-local", None),
                FieldType::Text(max) => ("text", Some(max.to_string())),
                _ => ("number", None),
            };
            let step = (input_type == "number").then_some("any");
            view! {
                <input id=input_id.clone() type=input_type maxlength=max_length step=step
                    aria-describedby=error_id.clone() aria-invalid=invalid bind:value=draft />
            }
            .into_any()
        }
    };
    view! {
        <div class="field">
            <label for=input_id>{label}</label>
            {control}
            <FieldMessage id=error_id message=message />
        </div>
    }
}
