//! How a page writes: one Leptos action over `AppState::commit` (the gate, then one
//! IndexedDB transaction). The write runs to its end even when the page is left before it
//! is stored, and its outcome lands in the action's own signals, never in a page's that may
//! be gone (two panics came from hand-written tasks setting a page's signal after it went).

use crate::{components::messages, state::use_app_state};
use leptos::prelude::*;
use register::{FieldError, RecordId, gate::Edit};

/// A stored write names the record its change set starts with; a refused one says why.
type Outcome = Result<Option<RecordId>, Vec<FieldError>>;

#[derive(Clone, Copy)]
pub struct Write(Action<Vec<Edit>, Outcome>);

impl Write {
    pub fn new() -> Self {
        let state = use_app_state();
        Write(Action::new_local(move |set: &Vec<Edit>| {
            let (set, first) = (set.clone(), set.first().map(|edit| edit.record));
            async move { state.commit(set).await.map(|()| first) }
        }))
    }

    /// Starts writing a change set (a verb's, or a form's edits).
    pub fn start(self, set: Vec<Edit>) {
        self.0.dispatch_local(set);
    }

    /// Whether a write is on its way.
    pub fn pending(self) -> bool {
        self.0.pending().get()
    }

    /// Whether a write is on its way, read without tracking (in an event handler).
    pub fn pending_untracked(self) -> bool {
        self.0.pending().get_untracked()
    }

    /// The last write's refusals, each at its field; none once a write is stored.
    pub fn refused(self) -> Vec<FieldError> {
        self.0.value().with(|outcome| match outcome {
            Some(Err(refused)) => refused.clone(),
            _ => Vec::new(),
        })
    }

    /// The last write's refusals as one text, for a form that shows them together.
    pub fn message(self) -> Option<String> {
        let refused = self.refused();
        (!refused.is_empty()).then(|| messages(refused))
    }

    /// Whether the last write was stored.
    pub fn stored(self) -> bool {
        self.0
            .value()
            .with(|outcome| matches!(outcome, Some(Ok(_))))
    }

    /// The record the last write started with, once it is stored (a page that creates a
    /// record opens it then).
    pub fn stored_record(self) -> Option<RecordId> {
        self.0.value().with(|outcome| match outcome {
            Some(Ok(record)) => *record,
            _ => None,
        })
    }
}
