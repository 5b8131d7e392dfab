//! One tab at a time per browser profile. Each tab holds the register in memory and writes
//! its changes through to IndexedDB; a second tab would work from a stale copy and could
//! reuse the first one's operation numbers, losing edits. So the app takes a Web Lock for the
//! life of the page, and a second tab waits for it.

use futures_channel::oneshot;
use js_sys::{Object, Promise, Reflect};
use leptos::prelude::window;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};

const LOCK_NAME: &str = "ratchet-register";

/// Takes the app's lock and keeps it until the page goes. With `wait` false, gives up at once
/// when another tab holds it. Browsers without Web Locks always get it.
pub async fn hold_app_lock(wait: bool) -> bool {
    let navigator = window().navigator();
    let locks = Reflect::get(&navigator, &"locks".into()).unwrap_or(JsValue::UNDEFINED);
    let Some(request) = Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return true;
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &(!wait).into());
    let (granted, answer) = oneshot::channel::<bool>();
    let mut granted = Some(granted);
    let on_grant = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |lock: JsValue| {
        let held = !lock.is_null();
        if let Some(granted) = granted.take() {
            let _ = granted.send(held);
        }
        if held {
            // The lock is held until this promise settles, which it never does.
            Promise::new(&mut |_, _| {})
        } else {
            Promise::resolve(&JsValue::UNDEFINED)
        }
    });
    let asked = request.call3(&locks, &LOCK_NAME.into(), &options, on_grant.as_ref());
    // The browser calls back once; the closure must outlive this function.
    on_grant.forget();
    if asked.is_err() {
        return true;
    }
    answer.await.unwrap_or(true)
}
