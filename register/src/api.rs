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

/// `PUT /api/orgs/{org}/reminders`: this device's push subscription (as the browser's
/// `PushSubscription.toJSON()` gives it) and when and of what to remind it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSubscription {
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url.
    pub auth: String,
    pub schedule: crate::reminders::Schedule,
}

/// `GET /api/orgs/{org}/reminders`: what the caller needs to turn reminders on, which of
/// their devices have them, what was sent, and who in the organisation has them on.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemindersStatus {
    /// The server's VAPID public key (an uncompressed P-256 point, base64url), which a
    /// browser subscribes with; `None` when this server has no key, so sends no reminders.
    pub server_key: Option<String>,
    /// The caller's devices that have reminders on.
    pub devices: Vec<DeviceReminders>,
    /// The latest reminders sent to the caller's devices, newest first.
    pub sent: Vec<SentReminder>,
    /// The members with reminders on at least one device.
    pub members_on: Vec<String>,
    /// When the organisation last worked out reminders.
    pub last_pass_ms: Option<u64>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceReminders {
    pub client: ClientId,
    pub schedule: crate::reminders::Schedule,
    pub since_ms: u64,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentReminder {
    pub client: ClientId,
    pub sent_ms: u64,
    pub title: String,
    pub body: String,
}

/// What a reminder push carries (encrypted, RFC 8291) to the device's service worker.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderPush {
    pub title: String,
    pub body: String,
    /// The app's page the notification opens.
    pub url: String,
    pub counts: crate::reminders::Counts,
    pub sent_ms: u64,
}

/// `POST /api/orgs/{org}/reminders/clock`, on a server started with test hooks only: the
/// time the organisation's reminders are worked out at from now on, and an alarm at once.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderClock {
    pub now_ms: u64,
}
