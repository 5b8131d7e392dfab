//! This browser's side of reminders: permission to notify, and the push subscription the
//! service worker receives reminders on (`public/sw.js` shows them).

use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Notification, NotificationPermission, PushManager, PushSubscription};

/// A push subscription as `PushSubscription.toJSON()` gives it.
#[derive(Deserialize)]
pub struct Subscribed {
    pub endpoint: String,
    pub keys: Keys,
}

#[derive(Deserialize)]
pub struct Keys {
    pub p256dh: String,
    pub auth: String,
}

fn words(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused".into())
}

/// Whether this browser can receive pushes at all.
pub fn supported() -> bool {
    let window = leptos::prelude::window();
    js_sys::Reflect::has(&window, &"PushManager".into()).unwrap_or(false)
        && js_sys::Reflect::has(&window, &"Notification".into()).unwrap_or(false)
}

async fn push_manager() -> Result<PushManager, String> {
    let ready = leptos::prelude::window()
        .navigator()
        .service_worker()
        .ready()
        .map_err(words)?;
    let registration: web_sys::ServiceWorkerRegistration =
        JsFuture::from(ready).await.map_err(words)?.unchecked_into();
    registration.push_manager().map_err(words)
}

/// Asks to notify (once the person has chosen, the browser answers at once) and subscribes
/// this browser with the server's key.
pub async fn subscribe(server_key: &str) -> Result<Subscribed, String> {
    let asked = Notification::request_permission().map_err(words)?;
    let answer = JsFuture::from(asked).await.map_err(words)?;
    if NotificationPermission::from_js_value(&answer) != Some(NotificationPermission::Granted) {
        return Err("This browser is not allowed to show Ratchet's notifications: allow them in the site's settings, then turn reminders on again.".into());
    }
    let options = web_sys::PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    options.set_application_server_key_opt_str(Some(server_key));
    let manager = push_manager().await?;
    let subscribed = JsFuture::from(manager.subscribe_with_options(&options).map_err(words)?)
        .await
        .map_err(words)?;
    let json = js_sys::JSON::stringify(&subscribed).map_err(words)?;
    serde_json::from_str(&String::from(json))
        .map_err(|e| format!("the browser's subscription was not understood: {e}"))
}

/// Stops this browser's push subscription, if it has one.
pub async fn unsubscribe() -> Result<(), String> {
    let manager = push_manager().await?;
    let current = JsFuture::from(manager.get_subscription().map_err(words)?)
        .await
        .map_err(words)?;
    if let Some(subscription) = current.dyn_ref::<PushSubscription>() {
        JsFuture::from(subscription.unsubscribe().map_err(words)?)
            .await
            .map_err(words)?;
    }
    Ok(())
}
