//! Site walkthroughs (a kind of audit, 9.2): start one from a template, carry on with one in
//! progress, and the templates themselves: the four built in, and the organisation's own
//! copies, which it edits.

pub mod run;
pub mod template;

use crate::components::{
    list::{Extras, ListSpec, RegisterList},
    record::now_stored,
    write::Write,
};
use crate::state::{AppState, use_app_state};
use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{components::A, hooks::use_navigate};
use register::choices::{AuditStatus, AuditType};
use register::{
    Kind, RecordId, Value, audits,
    gate::Edit,
    views::{Audit, Control, WalkthroughTemplate},
    walkthrough::{self, BUILT_IN, built_in, lines_of},
};

pub static TEMPLATES: ListSpec = ListSpec {
    kind: Kind::WalkthroughTemplate,
    path: "/walkthroughs/templates",
    noun: "templates",
    label: "The organisation's templates",
    filters: &[],
    person: "",
    describe: |_| Box::new(|_, _| Extras::default()),
    empty: "No templates of your own yet: copy a built-in one to make it yours.",
};

/// A template to start from: a built-in one by its key, or one of the organisation's by id.
#[derive(Clone, PartialEq, Debug)]
enum Source {
    BuiltIn(&'static str),
    Own(RecordId),
}

impl Source {
    fn value(&self) -> String {
        match self {
            Source::BuiltIn(key) => format!("built-in:{key}"),
            Source::Own(id) => id.to_string(),
        }
    }

    fn parse(value: &str) -> Option<Source> {
        match value.strip_prefix("built-in:") {
            Some(key) => built_in(key).map(|t| Source::BuiltIn(t.key)),
            None => value.parse().ok().map(Source::Own),
        }
    }
}

/// The template's name and its checks as lines.
fn template_of(state: AppState, source: &Source) -> Option<(String, Vec<String>)> {
    match source {
        Source::BuiltIn(key) => built_in(key).map(|t| (t.name.to_owned(), lines_of(t))),
        Source::Own(id) => state.read_untracked(|d| {
            let template = d.local.view::<WalkthroughTemplate>(*id)?;
            Some((template.name?, template.checks.unwrap_or_default()))
        }),
    }
}

#[component]
pub fn Walkthroughs() -> impl IntoView {
    let state = use_app_state();
    let navigate = use_navigate();
    let source = RwSignal::new(Source::BuiltIn(BUILT_IN[0].key).value());
    let site = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let own = move || state.read(|d| d.local.all::<WalkthroughTemplate>());
    // The walk opens once it is stored.
    let starting = Write::new();
    Effect::new(move |_| {
        if let Some(audit) = starting.stored_record() {
            navigate(&format!("/audits/{audit}/walk"), Default::default());
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some((name, lines)) =
            Source::parse(&source.get_untracked()).and_then(|chosen| template_of(state, &chosen))
        else {
            problem.set(Some("Choose a template.".into()));
            return;
        };
        problem.set(None);
        let (site, today, me) = (
            site.get_untracked(),
            state.today.get_untracked(),
            state.me(),
        );
        let walk = walkthrough::Start {
            name: &name,
            lines: &lines,
            site: &site,
            me: me.as_deref(),
            today: &today,
            now: &now_stored(),
        };
        let controls = state.read_untracked(|d| d.local.all::<Control>());
        starting.start(walkthrough::start(&walk, &controls));
    };
    let in_progress = move || {
        state.read(|d| {
            d.local
                .all::<Audit>()
                .into_iter()
                .filter(|a| {
                    a.audit_type == Some(AuditType::Walkthrough)
                        && a.status == Some(AuditStatus::InProgress)
                })
                .map(|a| {
                    let (done, total) = audits::progress(&audits::checks_of(&d.local, a.id));
                    (a.id, a.title.unwrap_or_default(), done, total)
                })
                .collect::<Vec<_>>()
        })
    };
    // A copy opens once it is stored.
    let copying = Write::new();
    let navigate_copy = use_navigate();
    Effect::new(move |_| {
        if let Some(id) = copying.stored_record() {
            navigate_copy(&format!("/walkthroughs/templates/{id}"), Default::default());
        }
    });
    let copy = Callback::new(move |key: &'static str| {
        let Some(template) = built_in(key) else {
            return;
        };
        copying.start(vec![Edit {
            record: RecordId::new(),
            kind: Kind::WalkthroughTemplate,
            fields: vec![
                (
                    WalkthroughTemplate::name,
                    Value::Text(format!("{} (our copy)", template.name)),
                ),
                (
                    WalkthroughTemplate::description,
                    Value::from(template.description),
                ),
                (WalkthroughTemplate::checks, Value::List(lines_of(template))),
            ],
        }]);
    });
    view! {
        <section class="page">
            <h1>"Walkthroughs"</h1>
            <p class="lede">"A site check on a phone, one check per screen, with no signal needed. Nonconformities become findings in one tap, with their photos."</p>
            <Show when=move || state.may_write(Kind::Audit)>
                <form class="walk-start" aria-label="Start a walkthrough" on:submit=submit>
                    <label for="walk-template">"Template"</label>
                    <select id="walk-template" on:change=move |ev| source.set(event_target_value(&ev)) prop:value=move || source.get()>
                        {BUILT_IN.iter().map(|t| view! {
                            <option value=Source::BuiltIn(t.key).value()>{format!("{} ({} checks)", t.name, t.checks.len())}</option>
                        }).collect_view()}
                        {move || own().into_iter().map(|t| view! {
                            <option value=t.id.to_string()>{format!("{} ({} checks)", t.name.unwrap_or_default(), t.checks.map_or(0, |c| c.len()))}</option>
                        }).collect_view()}
                    </select>
                    <label for="walk-site">"Site or area"</label>
                    <input id="walk-site" type="text" bind:value=site placeholder="Head office, 2nd floor" />
                    <button type="submit" class="big">"Start walkthrough"</button>
                    <p class="field-error" role="alert">{move || problem.get().or_else(|| starting.message()).or_else(|| copying.message())}</p>
                </form>
            </Show>
            <h2>"In progress"</h2>
            <Show when=move || !in_progress().is_empty() fallback=|| view! { <p class="empty">"No walkthrough in progress."</p> }>
                <ul class="record-list" aria-label="Walkthroughs in progress">
                    {move || in_progress().into_iter().map(|(id, title, done, total)| view! {
                        <li class="record">
                            <A href=format!("/audits/{id}/walk")>{title}</A>
                            <span class="meta">{format!(" {done} of {total} answered")}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </Show>
            <h2>"Built-in templates"</h2>
            <ul class="record-list" aria-label="Built-in templates">
                {BUILT_IN.iter().map(|t| view! {
                    <li class="record">
                        <strong>{t.name}</strong>
                        <span class="meta">{format!(" {} checks. {}", t.checks.len(), t.description)}</span>
                        <Show when=move || state.may_write(Kind::WalkthroughTemplate)>
                            <button type="button" class="secondary small" on:click=move |_| copy.run(t.key) aria-label=format!("Copy {} to edit", t.name)>"Copy to edit"</button>
                        </Show>
                    </li>
                }).collect_view()}
            </ul>
            <h2>"Your templates"</h2>
            <RegisterList spec=&TEMPLATES />
        </section>
    }
}
