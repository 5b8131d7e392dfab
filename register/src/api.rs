//! JSON shapes of the organisation API (creating and joining an organisation, invites,
//! members and their roles) between the app and the worker. The sync protocol's own shapes
//! are the engine's (`engine::wire`). Unknown fields are refused, as there.

use crate::Role;
use engine::ClientId;
use serde::{Deserialize, Serialize};

/// `POST /api/orgs`: create an organisation; the caller becomes its owner.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateOrgRequest {
    pub org_name: String,
    pub owner_name: String,
    #[serde(default)]
    pub setup_code: Option<String>,
}

/// What a device keeps after creating or joining an organisation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub org: String,
    pub org_name: String,
    pub member: String,
    pub member_name: String,
    pub role: Role,
    /// The device's client id: ops from this device carry it.
    pub client: ClientId,
    /// Bearer token; shown once, stored on the server only as a hash.
    pub token: String,
}

/// `POST /api/orgs/{org}/invites` (owners and admins).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    pub role: Role,
    /// Seconds until the invite expires (at most 30 days).
    pub expires_in_seconds: u32,
}

/// Longest an invite may stay open.
pub const INVITE_MAX_SECONDS: u32 = 30 * 24 * 3600;

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invite {
    /// The invite's id, by which it can be withdrawn; part of the code.
    pub id: String,
    /// Single-use code to hand to the colleague; stored on the server only as a hash.
    pub code: String,
    pub role: Role,
    pub expires_at_ms: u64,
}

/// An invite not used, withdrawn or expired, whose maker may still grant its role.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingInvite {
    pub id: String,
    pub role: Role,
    pub created_by_name: String,
    /// None for invites made before the server kept the time.
    pub created_ms: Option<u64>,
    /// The device that made it (None for invites made before the server kept it): revoking
    /// that device withdraws the invite.
    pub created_by_device: Option<ClientId>,
    pub expires_at_ms: u64,
}

/// `GET /api/orgs/{org}/invites` (owners and admins).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitesResponse {
    pub invites: Vec<PendingInvite>,
}

/// `POST /api/join`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub code: String,
    pub name: String,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberInfo {
    pub member: String,
    pub name: String,
    pub role: Role,
    pub revoked: bool,
    pub devices: Vec<DeviceInfo>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceInfo {
    pub client: ClientId,
    pub created_ms: u64,
    pub revoked: bool,
}

/// `PATCH /api/orgs/{org}/members/{member}` (owners and admins).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
}

/// `GET /api/orgs/{org}/members`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembersResponse {
    pub members: Vec<MemberInfo>,
}

/// `POST /api/orgs/{org}/import`: one page of an export's log, appended to a new
/// organisation's log as it was (`archive::judge_import`).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub entries: Vec<crate::sync::LogEntry>,
    pub source: ImportSource,
}

/// Which export a history was imported from, as its manifest says.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportSource {
    /// The organisation it was exported from (None: a register kept on one device).
    pub organisation: Option<String>,
    pub exported_at: String,
}

/// What an organisation's log holds from an import: entries 1 to `up_to`, ending in `head`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imported {
    pub up_to: u64,
    pub head: String,
    pub source: ImportSource,
    pub by_name: String,
    pub at_ms: u64,
}

/// `POST /api/orgs/{org}/calendar`: a calendar feed address for the caller's own due work, or
/// (owners and admins) everyone's.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarRequest {
    pub whole: bool,
}

/// The new feed's secret: its address is `/api/orgs/{org}/calendar/{secret}.ics`, shown
/// once and kept by the server only as a hash.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarFeed {
    pub secret: String,
    pub whole: bool,
}
