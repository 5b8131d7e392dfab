//! One tab at a time per browser profile. Each tab holds the register in memory and writes
//! its changes through to IndexedDB; a second tab would work from a stale copy and could
//! reuse the first one's operation numbers, losing edits. So the app takes a Web Lock for the
//! life of the page, and a second tab waits for it.

use futures_channel::oneshot;
use js_sys::{Object, Promise, Reflect};
use leptos::prelude::window;
use std::{cell::RefCell, rc::Rc};
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
    // Answered once: by the browser's grant, or by the request failing (then carry on alone).
    let granted = Rc::new(RefCell::new(Some(granted)));
    let answer_with = {
        let granted = granted.clone();
        move |held: bool| {
            if let Some(granted) = granted.borrow_mut().take() {
                let _ = granted.send(held);
            }
        }
    };
    let on_failure = answer_with.clone();
    let on_grant = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |lock: JsValue| {
        let held = !lock.is_null();
        answer_with(held);
        if held {
            // The lock is held until this promise settles, which it never does.
            Promise::new(&mut |_, _| {})
        } else {
            Promise::resolve(&JsValue::UNDEFINED)
        }
    });
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| on_failure(true));
    match request.call3(&locks, &LOCK_NAME.into(), &options, on_grant.as_ref()) {
        Ok(asked) => {
            let _ = Promise::from(asked).catch(&on_error);
        }
        Err(_) => return true,
    }
    // The browser calls back after this function returns; the closures must outlive it.
    on_grant.forget();
    on_error.forget();
    answer.await.unwrap_or(true)
}
