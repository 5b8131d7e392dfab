//! One Durable Object per organisation. It orders, validates and authorises every change to
//! that organisation's register, in its own SQLite storage. Nothing it holds is reachable
//! except through a credential it issued itself.

mod calendar;
mod files;
mod members;
mod reminders;
mod schema;
mod sql;
mod sync;

use crate::{error::ApiError, token};
use register::{ClientId, Role};
use std::cell::Cell;
use worker::{
    DurableObject, Env, Method, Request, Response, Result, SqlStorage, State, durable_object,
};

#[durable_object]
pub struct Organisation {
    state: State,
    /// The bucket evidence files are kept in, and the operator's file limits.
    env: Env,
    sql: SqlStorage,
    migrated: Cell<bool>,
}

/// Who is calling, as established from a credential this organisation issued.
pub struct Caller {
    pub member: String,
    pub role: Role,
    pub client: ClientId,
}

impl DurableObject for Organisation {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        Self {
            state,
            env,
            sql,
            migrated: Cell::new(false),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        self.route(req).await.or_else(ApiError::into_response)
    }

    /// Rung when the next device's reminder is due (`reminders::daily_pass`).
    /// An error makes the runtime ring it again later.
    async fn alarm(&self) -> Result<Response> {
        let pass = async {
            if !self.migrated.get() {
                sql::migrate(&self.sql, &self.state.storage())?;
                self.migrated.set(true);
            }
            reminders::daily_pass(self).await
        };
        match pass.await {
            Ok(()) => Response::empty(),
            Err(error) => Err(worker::Error::RustError(format!("reminders: {error:?}"))),
        }
    }
}

impl Organisation {
    async fn route(&self, req: Request) -> std::result::Result<Response, ApiError> {
        let path = req.path();
        let segments: Vec<&str> = path.split('/').skip(1).collect();
        if !self.migrated.get() {
            // Only creating the organisation makes tables: a request naming an organisation
            // that was never created writes nothing, and finds no credential.
            if segments != ["internal", "create"] && !sql::has_tables(&self.sql)? {
                return Err(match segments.as_slice() {
                    ["internal", "join"] => {
                        ApiError::unauthorized("invalid_invite", "This invite code is not valid.")
                    }
                    _ => ApiError::unauthorized(
                        "invalid_credential",
                        "This credential is not valid.",
                    ),
                });
            }
            sql::migrate(&self.sql, &self.state.storage())?;
            self.migrated.set(true);
        }
        match (req.method(), segments.as_slice()) {
            (Method::Post, ["internal", "create"]) => members::create(self, req).await,
            (Method::Post, ["internal", "join"]) => members::join(self, req).await,
            // A calendar program fetches a feed with no credential: its secret address is the key.
            (Method::Get, ["api", "orgs", _, "calendar", file]) => calendar::feed(self, file, &req),
            (method, ["api", "orgs", _, rest @ ..]) => {
                let caller = self.authenticate(&req)?;
                match (method, rest) {
                    (Method::Post, ["push"]) => sync::push(self, &caller, req).await,
                    (Method::Get, ["pull"]) => sync::pull(self, &caller, &req),
                    (Method::Post, ["import"]) => sync::import(self, &caller, req).await,
                    (Method::Post, ["calendar"]) => calendar::create(self, &caller, req).await,
                    (Method::Delete, ["calendar"]) => calendar::revoke(self, &caller),
                    (Method::Get, ["imported"]) => sync::imported(self),
                    (Method::Get, ["reminders"]) => reminders::status(self, &caller),
                    (Method::Put, ["reminders"]) => reminders::subscribe(self, &caller, req).await,
                    (Method::Delete, ["reminders", client]) => {
                        reminders::unsubscribe(self, &caller, client)
                    }
                    (Method::Post, ["reminders", "clock"]) => {
                        reminders::set_clock(self, &caller, req).await
                    }
                    (Method::Get, ["records", record, "history"]) => {
                        sync::history(self, record, &req)
                    }
                    (Method::Put, ["files", name]) => {
                        let name = (*name).to_owned();
                        files::upload(self, &caller, &name, req).await
                    }
                    (Method::Get, ["files", name]) => files::download(self, name).await,
                    (Method::Get, ["members"]) => members::list(self),
                    (Method::Post, ["invites"]) => members::invite(self, &caller, req).await,
                    (Method::Get, ["invites"]) => members::list_invites(self, &caller),
                    (Method::Delete, ["invites", invite]) => {
                        members::withdraw_invite(self, &caller, invite)
                    }
                    (Method::Delete, ["devices", client]) => {
                        members::revoke_device(self, &caller, client)
                    }
                    (Method::Delete, ["members", member]) => {
                        members::revoke_member(self, &caller, member)
                    }
                    (Method::Patch, ["members", member]) => {
                        let member = (*member).to_owned();
                        members::change_role(self, &caller, &member, req).await
                    }
                    (
                        _,
                        [
                            "push" | "pull" | "members" | "invites" | "import" | "imported"
                            | "calendar" | "reminders",
                        ]
                        | ["reminders", "clock"]
                        | ["records", _, "history"]
                        | ["invites" | "devices" | "members" | "files" | "reminders", _],
                    ) => Err(ApiError::MethodNotAllowed),
                    _ => Err(ApiError::NotFound),
                }
            }
            _ => Err(ApiError::NotFound),
        }
    }

    /// The organisation's id, once it has been created.
    fn org_id(&self) -> std::result::Result<Option<String>, ApiError> {
        sql::meta(&self.sql, "org")
    }

    fn authenticate(&self, req: &Request) -> std::result::Result<Caller, ApiError> {
        let presented = token::bearer(req)?;
        let invalid =
            || ApiError::unauthorized("invalid_credential", "This credential is not valid.");
        if self.org_id()?.as_deref() != Some(presented.org.as_str()) {
            return Err(invalid());
        }
        let device = sql::device(&self.sql, &presented.id)?.ok_or_else(invalid)?;
        if device.token_hash != presented.secret_hash() {
            return Err(invalid());
        }
        if device.device_revoked != 0 || device.member_revoked != 0 {
            return Err(ApiError::unauthorized(
                "revoked_credential",
                "This device's access to the organisation was revoked.",
            ));
        }
        Ok(Caller {
            member: device.member,
            role: Role::from_name(&device.role)
                .ok_or_else(|| ApiError::Internal(format!("stored role {}", device.role)))?,
            client: presented
                .id
                .parse()
                .map_err(|_| ApiError::Internal("stored client id".into()))?,
        })
    }
}

/// Milliseconds since the Unix epoch, from the runtime's clock.
fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}
