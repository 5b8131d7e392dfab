//! Whether the browser believes it has a network, kept current by the online/offline events.

use leptos::{ev, prelude::*};

pub fn online_signal() -> RwSignal<bool> {
    let online = RwSignal::new(window().navigator().on_line());
    let on = window_event_listener(ev::online, move |_| online.set(true));
    let off = window_event_listener(ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        on.remove();
        off.remove();
    });
    online
}
