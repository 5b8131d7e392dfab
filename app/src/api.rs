//! The sync server's API as the app uses it. One error type: unreachable, refused (with the
//! server's code and message), an answer the app cannot read, or one that stopped coming.

use engine::{
    ErrorBody,
    files::StoredFile,
    pace,
    wire::{PushResponse, SERVER_TIME_HEADER},
};
use futures_util::future::{Either, select};
use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_timers::future::TimeoutFuture;
use register::{
    ClientId, RecordId,
    api::{
        CalendarFeed, CalendarRequest, CreateOrgRequest, Credential, ImportRequest, Imported,
        Invite, InviteRequest, InvitesResponse, JoinRequest, MembersResponse, ReminderSubscription,
        RemindersStatus, RoleChange,
    },
    sync::{HistoryResponse, PullResponse, PushRequest},
};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::ReadableStreamDefaultReader;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("the sync server could not be reached ({0})")]
    Unreachable(String),
    #[error("{}", .body.error.message)]
    Refused { status: u16, body: ErrorBody },
    #[error("the sync server's answer could not be read ({0})")]
    Unreadable(String),
    #[error("the sync server stopped answering for {0} s")]
    TimedOut(u32),
}

/// Where the server is and which credential to present.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    base: String,
    token: String,
    org: String,
}

fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// An answer, with the server's clock when it gave it (none if it was not reached).
pub struct Timed<T> {
    pub result: Result<T, ApiError>,
    pub server_ms: Option<u64>,
}

/// Waits for `future`, or gives up after `ms`.
async fn within<F: std::future::Future + Unpin>(future: F, ms: u32) -> Option<F::Output> {
    match select(future, TimeoutFuture::new(ms)).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

fn timed_out() -> ApiError {
    ApiError::TimedOut(pace::STALL_MS / 1000)
}

/// Reads a whole answer body, giving up when no part of it arrives for `pace::STALL_MS`.
async fn read_body(response: &Response) -> Result<Vec<u8>, ApiError> {
    let Some(stream) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    // Bounded: every part brings at least one byte, and answers are at most a few MiB.
    for _part in 0..1_000_000 {
        let read = JsFuture::from(reader.read());
        let Some(part) = within(read, pace::STALL_MS).await else {
            let _ = reader.cancel();
            return Err(timed_out());
        };
        let part = part.map_err(|e| ApiError::Unreachable(format!("{e:?}")))?;
        if js_sys::Reflect::get(&part, &"done".into()).is_ok_and(|done| done.is_truthy()) {
            return Ok(bytes);
        }
        let chunk = js_sys::Uint8Array::new(
            &js_sys::Reflect::get(&part, &"value".into()).unwrap_or_default(),
        );
        let start = bytes.len();
        bytes.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[start..]);
    }
    Err(ApiError::Unreadable("an endless answer".into()))
}

/// What a request carries.
enum Payload {
    Json(String),
    /// A file's bytes with their media type.
    File(web_sys::Blob),
}

impl Payload {
    fn len(&self) -> usize {
        match self {
            Self::Json(json) => json.len(),
            Self::File(blob) => blob.size() as usize,
        }
    }
}

/// Sends a request and reads its answer: status, the server's clock, and the body. A request
/// is given up when it stops making progress (`engine::pace`), so an answer that never
/// comes does not hold sync forever.
async fn exchange(
    request: RequestBuilder,
    body: Option<Payload>,
) -> (Option<u64>, Result<(u16, Vec<u8>), ApiError>) {
    let controller = web_sys::AbortController::new().ok();
    let request = request.abort_signal(controller.as_ref().map(|c| c.signal()).as_ref());
    let deadline = pace::answer_deadline_ms(body.as_ref().map_or(0, Payload::len));
    let request = match body {
        Some(Payload::Json(json)) => request
            .header("content-type", "application/json")
            .body(json),
        Some(Payload::File(blob)) => request.header("content-type", &blob.type_()).body(blob),
        None => request.build(),
    };
    let request = match request {
        Ok(request) => request,
        Err(e) => return (None, Err(ApiError::Unreadable(e.to_string()))),
    };
    let abort = || {
        if let Some(controller) = &controller {
            controller.abort();
        }
    };
    let response = match within(Box::pin(request.send()), deadline).await {
        None => {
            abort();
            return (None, Err(timed_out()));
        }
        Some(Err(e)) => return (None, Err(ApiError::Unreachable(e.to_string()))),
        Some(Ok(response)) => response,
    };
    let server_ms = response
        .headers()
        .get(SERVER_TIME_HEADER)
        .and_then(|t| t.parse().ok());
    let body = read_body(&response).await.inspect_err(|_| abort());
    (server_ms, body.map(|body| (response.status(), body)))
}

/// The answer's body as `T`, or the server's refusal.
fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        return serde_json::from_slice(body).map_err(|e| ApiError::Unreadable(e.to_string()));
    }
    Err(refusal(status, body))
}

/// The server's refusal, as its error body says.
fn refusal(status: u16, body: &[u8]) -> ApiError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(body) => ApiError::Refused { status, body },
        Err(_) => ApiError::Unreadable(format!("status {status}")),
    }
}

fn json_of(body: Option<&impl Serialize>) -> Result<Option<String>, ApiError> {
    body.map(serde_json::to_string)
        .transpose()
        .map_err(|e| ApiError::Unreadable(e.to_string()))
}

async fn send<T: DeserializeOwned>(
    request: RequestBuilder,
    body: Option<&impl Serialize>,
) -> Result<T, ApiError> {
    send_timed(request, body).await.result
}

async fn send_timed<T: DeserializeOwned>(
    request: RequestBuilder,
    body: Option<&impl Serialize>,
) -> Timed<T> {
    let body = match json_of(body) {
        Ok(body) => body,
        Err(e) => {
            return Timed {
                result: Err(e),
                server_ms: None,
            };
        }
    };
    let (server_ms, answer) = exchange(request, body.map(Payload::Json)).await;
    Timed {
        result: answer.and_then(|(status, body)| decode(status, &body)),
        server_ms,
    }
}

/// A request whose success has no body to read.
async fn send_empty(request: RequestBuilder) -> Result<(), ApiError> {
    let (status, body) = exchange(request, None).await.1?;
    if (200..300).contains(&status) {
        return Ok(());
    }
    decode::<()>(status, &body)
}

pub async fn create_org(base: &str, request: &CreateOrgRequest) -> Result<Credential, ApiError> {
    send(Request::post(&url(base, "/api/orgs")), Some(request)).await
}

pub async fn join(base: &str, request: &JoinRequest) -> Result<Credential, ApiError> {
    send(Request::post(&url(base, "/api/join")), Some(request)).await
}

impl Api {
    pub fn new(base: &str, credential: &Credential) -> Self {
        Self {
            base: base.to_owned(),
            token: credential.token.clone(),
            org: credential.org.clone(),
        }
    }

    fn at(&self, builder: fn(&str) -> RequestBuilder, path: &str) -> RequestBuilder {
        builder(&url(&self.base, &format!("/api/orgs/{}{path}", self.org)))
            .header("authorization", &format!("Bearer {}", self.token))
    }

    pub async fn push(&self, request: &PushRequest) -> Timed<PushResponse> {
        send_timed(self.at(Request::post, "/push"), Some(request)).await
    }

    pub async fn pull(&self, since: u64) -> Timed<PullResponse> {
        let path = format!("/pull?since={since}&limit=1000");
        send_timed(self.at(Request::get, &path), None::<&()>).await
    }

    /// The latest changes to a record, or those before the log position `before`.
    pub async fn history(
        &self,
        record: RecordId,
        before: Option<u64>,
    ) -> Result<HistoryResponse, ApiError> {
        let path = match before {
            Some(seq) => format!("/records/{record}/history?before={seq}"),
            None => format!("/records/{record}/history"),
        };
        send(self.at(Request::get, &path), None::<&()>).await
    }

    /// Appends one page of an export's log to this new organisation's log.
    pub async fn import(&self, request: &ImportRequest) -> Result<Imported, ApiError> {
        send(self.at(Request::post, "/import"), Some(request)).await
    }

    /// A new calendar feed address for this member (everyone's work, for `whole`), replacing
    /// their previous one of that scope.
    pub async fn calendar(&self, whole: bool) -> Result<String, ApiError> {
        let feed: CalendarFeed = send(
            self.at(Request::post, "/calendar"),
            Some(&CalendarRequest { whole }),
        )
        .await?;
        Ok(url(
            &self.base,
            &format!("/api/orgs/{}/calendar/{}.ics", self.org, feed.secret),
        ))
    }

    /// Every calendar feed address of this member stops answering.
    pub async fn revoke_calendars(&self) -> Result<(), ApiError> {
        send_empty(self.at(Request::delete, "/calendar")).await
    }

    /// Reminders: the server's key, this member's devices with them on, what was sent, and
    /// who in the organisation has them on.
    pub async fn reminders(&self) -> Result<RemindersStatus, ApiError> {
        send(self.at(Request::get, "/reminders"), None::<&()>).await
    }

    /// Reminders on for this device, with its push subscription and schedule.
    pub async fn turn_on_reminders(
        &self,
        subscription: &ReminderSubscription,
    ) -> Result<RemindersStatus, ApiError> {
        send(self.at(Request::put, "/reminders"), Some(subscription)).await
    }

    /// Reminders off for one of this member's devices.
    pub async fn turn_off_reminders(&self, client: ClientId) -> Result<RemindersStatus, ApiError> {
        send(
            self.at(Request::delete, &format!("/reminders/{client}")),
            None::<&()>,
        )
        .await
    }

    /// What the organisation's log holds from an import, if anything.
    pub async fn imported(&self) -> Result<Option<Imported>, ApiError> {
        send(self.at(Request::get, "/imported"), None::<&()>).await
    }

    pub async fn members(&self) -> Result<MembersResponse, ApiError> {
        send(self.at(Request::get, "/members"), None::<&()>).await
    }

    pub async fn invite(&self, request: &InviteRequest) -> Result<Invite, ApiError> {
        send(self.at(Request::post, "/invites"), Some(request)).await
    }

    pub async fn invites(&self) -> Result<InvitesResponse, ApiError> {
        send(self.at(Request::get, "/invites"), None::<&()>).await
    }

    pub async fn withdraw_invite(&self, id: &str) -> Result<(), ApiError> {
        send_empty(self.at(Request::delete, &format!("/invites/{id}"))).await
    }

    pub async fn revoke_device(&self, client: ClientId) -> Result<(), ApiError> {
        send_empty(self.at(Request::delete, &format!("/devices/{client}"))).await
    }

    /// Sends a file attached on this device (its Blob's type is its media type).
    pub async fn upload(&self, sha256: &str, blob: web_sys::Blob) -> Result<StoredFile, ApiError> {
        let request = self.at(Request::put, &format!("/files/{sha256}"));
        let (status, body) = exchange(request, Some(Payload::File(blob))).await.1?;
        decode(status, &body)
    }

    /// A file of the organisation's, checked against its name.
    pub async fn download(&self, sha256: &str) -> Result<Vec<u8>, ApiError> {
        let request = self.at(Request::get, &format!("/files/{sha256}"));
        let (status, body) = exchange(request, None).await.1?;
        if !(200..300).contains(&status) {
            return Err(refusal(status, &body));
        }
        if engine::files::digest(&body) != sha256 {
            return Err(ApiError::Unreadable(
                "the file arrived damaged (its content does not match its digest)".into(),
            ));
        }
        Ok(body)
    }

    pub async fn change_role(&self, member: &str, change: &RoleChange) -> Result<(), ApiError> {
        send::<serde_json::Value>(
            self.at(Request::patch, &format!("/members/{member}")),
            Some(change),
        )
        .await
        .map(drop)
    }
}
