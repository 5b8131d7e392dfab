//! The sync server's API as the app uses it. One error type: unreachable, refused (with the
//! server's code and message), or an answer the app cannot read.

use gloo_net::http::{Request, RequestBuilder, Response};
use register::{
    ClientId, RecordId,
    wire::{
        CreateOrgRequest, Credential, ErrorBody, HistoryResponse, Invite, InviteRequest,
        InvitesResponse, JoinRequest, MembersResponse, PullResponse, PushRequest, PushResponse,
        RoleChange, SERVER_TIME_HEADER,
    },
};
use serde::{Serialize, de::DeserializeOwned};

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("the sync server could not be reached ({0})")]
    Unreachable(String),
    #[error("{}", .body.error.message)]
    Refused { status: u16, body: ErrorBody },
    #[error("the sync server's answer could not be read ({0})")]
    Unreadable(String),
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

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response
            .json()
            .await
            .map_err(|e| ApiError::Unreadable(e.to_string()));
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::Refused { status, body }),
        Err(_) => Err(ApiError::Unreadable(format!("status {status}"))),
    }
}

/// An answer, with the server's clock when it gave it (none if it was not reached).
pub struct Timed<T> {
    pub result: Result<T, ApiError>,
    pub server_ms: Option<u64>,
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
    let request = match body {
        Some(body) => request.json(body),
        None => request.build(),
    };
    let sent = match request {
        Ok(request) => request.send().await,
        Err(e) => {
            return Timed {
                result: Err(ApiError::Unreadable(e.to_string())),
                server_ms: None,
            };
        }
    };
    match sent {
        Ok(response) => Timed {
            server_ms: response
                .headers()
                .get(SERVER_TIME_HEADER)
                .and_then(|t| t.parse().ok()),
            result: read(response).await,
        },
        Err(e) => Timed {
            result: Err(ApiError::Unreachable(e.to_string())),
            server_ms: None,
        },
    }
}

async fn send_empty(request: RequestBuilder) -> Result<(), ApiError> {
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Unreachable(e.to_string()))?;
    let status = response.status();
    if (200..300).contains(&status) {
        return Ok(());
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::Refused { status, body }),
        Err(_) => Err(ApiError::Unreadable(format!("status {status}"))),
    }
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

    pub async fn change_role(&self, member: &str, change: &RoleChange) -> Result<(), ApiError> {
        let request = self
            .at(Request::patch, &format!("/members/{member}"))
            .json(change)
            .map_err(|e| ApiError::Unreadable(e.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|e| ApiError::Unreachable(e.to_string()))?;
        read::<serde_json::Value>(response).await.map(drop)
    }
}
