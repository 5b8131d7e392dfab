//! Creating the organisation, invites, joining, and the members and devices list.

use super::{
    Caller, Organisation, now_ms,
    sql::{self, int, text},
};
use crate::{
    body::read_json,
    error::{ApiError, json},
    token::Token,
};
use register::{
    ClientId, RecordId, Role,
    api::{
        CreateOrgRequest, Credential, DeviceInfo, INVITE_MAX_SECONDS, Invite, InviteRequest,
        InvitesResponse, JoinRequest, MemberInfo, MembersResponse, PendingInvite, RoleChange,
    },
    membership, schema,
};
use serde::Deserialize;
use worker::{Request, Response};

const NAME_MAX_CHARS: usize = 100;

fn check_name(what: &str, name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS || name.contains(['\n', '\r']) {
        return Err(ApiError::bad_request(
            "invalid_name",
            format!("The {what} must be one line of 1 to {NAME_MAX_CHARS} characters."),
        ));
    }
    // A name with a direction override or a zero-width space could pass for another's.
    if let Some(c) = schema::forbidden_character(name, &[], true) {
        return Err(ApiError::bad_request(
            "invalid_name",
            format!(
                "The {what} holds the invisible character U+{:04X}; remove it.",
                u32::from(c)
            ),
        ));
    }
    Ok(name.to_owned())
}

/// Adds a member with one device and returns the device's credential (shown only once).
fn add_member(org: &Organisation, name: &str, role: Role) -> Result<Credential, ApiError> {
    let org_id = org
        .org_id()?
        .ok_or_else(|| ApiError::Internal("no organisation".into()))?;
    let org_name = sql::meta(&org.sql, "org_name")?.unwrap_or_default();
    let member = RecordId::new().to_string();
    let client = ClientId::new();
    let token = Token::new(&org_id, &client.to_string())?;
    let now = now_ms();
    org.sql.exec(
        "INSERT INTO members (member, name, role, created_ms) VALUES (?, ?, ?, ?)",
        vec![text(&member), text(name), text(role.name()), int(now)],
    )?;
    org.sql.exec(
        "INSERT INTO devices (client, member, token_hash, created_ms) VALUES (?, ?, ?, ?)",
        vec![
            text(&client.to_string()),
            text(&member),
            text(&token.secret_hash()),
            int(now),
        ],
    )?;
    Ok(Credential {
        org: org_id,
        org_name,
        member,
        member_name: name.to_owned(),
        role,
        client,
        token: token.encode(),
    })
}

/// `internal/create`: the first request an organisation's object ever gets.
pub async fn create(org: &Organisation, mut req: Request) -> Result<Response, ApiError> {
    let org_id = req.headers().get("x-ratchet-org")?.unwrap_or_default();
    let body: CreateOrgRequest = read_json(&mut req).await?;
    let org_name = check_name("organisation name", &body.org_name)?;
    let owner_name = check_name("your name", &body.owner_name)?;
    if org.org_id()?.is_some() {
        return Err(ApiError::refused(
            409,
            "already_exists",
            "This organisation already exists.",
        ));
    }
    org.sql.exec(
        "INSERT INTO meta (key, value) VALUES ('org', ?), ('org_name', ?)",
        vec![text(&org_id), text(&org_name)],
    )?;
    json(&add_member(org, &owner_name, Role::Owner)?, 201)
}

#[derive(Deserialize)]
struct InviteRow {
    secret_hash: String,
    role: String,
    expires_ms: i64,
    used_by: Option<String>,
    withdrawn_by: Option<String>,
    /// The maker's role and whether they were removed (None if no such member).
    creator_role: Option<String>,
    creator_revoked: Option<i64>,
}

impl InviteRow {
    fn role(&self) -> Result<Role, ApiError> {
        Role::from_name(&self.role).ok_or_else(|| ApiError::Internal("invite role".into()))
    }
}

/// Whether an invite's maker, as read beside it, is still a member who may grant its role.
fn maker_may_grant(role: Role, creator_role: Option<&str>, creator_revoked: Option<i64>) -> bool {
    let maker = creator_role.and_then(Role::from_name);
    creator_revoked == Some(0) && maker.is_some_and(|maker| maker.may_grant(role))
}

fn invite_row(org: &Organisation, id: &str) -> Result<Option<InviteRow>, ApiError> {
    let rows: Vec<InviteRow> = org
        .sql
        .exec(
            "SELECT i.secret_hash, i.role, i.expires_ms, i.used_by, i.withdrawn_by,
                    m.role AS creator_role, m.revoked AS creator_revoked
             FROM invites i LEFT JOIN members m ON m.member = i.created_by WHERE i.invite = ?",
            vec![text(id)],
        )?
        .to_array()?;
    Ok(rows.into_iter().next())
}

/// `internal/join`: trade a single-use invite for a member credential.
pub async fn join(org: &Organisation, mut req: Request) -> Result<Response, ApiError> {
    let body: JoinRequest = read_json(&mut req).await?;
    let name = check_name("your name", &body.name)?;
    let invalid = || ApiError::unauthorized("invalid_invite", "This invite code is not valid.");
    let code = Token::parse(&body.code).ok_or_else(invalid)?;
    let invite = invite_row(org, &code.id)?.ok_or_else(invalid)?;
    if invite.secret_hash != code.secret_hash() || org.org_id()?.as_deref() != Some(&code.org) {
        return Err(invalid());
    }
    if invite.used_by.is_some() {
        return Err(ApiError::unauthorized(
            "invite_used",
            "This invite has already been used; ask for a new one.",
        ));
    }
    if invite.withdrawn_by.is_some() {
        return Err(ApiError::unauthorized(
            "invite_withdrawn",
            "This invite was withdrawn; ask for a new one.",
        ));
    }
    if (invite.expires_ms as u64) < now_ms() {
        return Err(ApiError::unauthorized(
            "invite_expired",
            "This invite has expired; ask for a new one.",
        ));
    }
    let role = invite.role()?;
    if !maker_may_grant(role, invite.creator_role.as_deref(), invite.creator_revoked) {
        return Err(ApiError::unauthorized(
            "invite_no_longer_valid",
            "Whoever made this invite may no longer give this role; ask for a new one.",
        ));
    }
    let credential = add_member(org, &name, role)?;
    org.sql.exec(
        "UPDATE invites SET used_by = ? WHERE invite = ?",
        vec![text(&credential.member), text(&code.id)],
    )?;
    json(&credential, 201)
}

fn require_manager(caller: &Caller) -> Result<(), ApiError> {
    if caller.role.manages_members() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "forbidden",
            format!(
                "A {} cannot manage members; ask an owner or admin.",
                caller.role.name()
            ),
        ))
    }
}

/// `POST invites` (owners and admins): a single-use code with a role and an expiry.
pub async fn invite(
    org: &Organisation,
    caller: &Caller,
    mut req: Request,
) -> Result<Response, ApiError> {
    require_manager(caller)?;
    let body: InviteRequest = read_json(&mut req).await?;
    if !caller.role.may_grant(body.role) {
        return Err(ApiError::forbidden(
            "forbidden",
            "Only an owner can invite another owner.",
        ));
    }
    if !(1..=INVITE_MAX_SECONDS).contains(&body.expires_in_seconds) {
        return Err(ApiError::bad_request(
            "invalid_expiry",
            "An invite must expire within 30 days.",
        ));
    }
    let org_id = org
        .org_id()?
        .ok_or_else(|| ApiError::Internal("no organisation".into()))?;
    let code = Token::new(&org_id, &RecordId::new().to_string())?;
    let now = now_ms();
    let expires_at_ms = now + u64::from(body.expires_in_seconds) * 1000;
    org.sql.exec(
        "INSERT INTO invites
            (invite, secret_hash, role, expires_ms, created_by, created_ms, created_by_device)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            text(&code.id),
            text(&code.secret_hash()),
            text(body.role.name()),
            int(expires_at_ms),
            text(&caller.member),
            int(now),
            text(&caller.client.to_string()),
        ],
    )?;
    json(
        &Invite {
            id: code.id.clone(),
            code: code.encode(),
            role: body.role,
            expires_at_ms,
        },
        201,
    )
}

#[derive(Deserialize)]
struct PendingRow {
    invite: String,
    role: String,
    created_ms: Option<i64>,
    expires_ms: i64,
    created_by_device: Option<String>,
    name: Option<String>,
    creator_role: Option<String>,
    creator_revoked: Option<i64>,
}

/// `GET invites` (owners and admins): the invites that could still be used, oldest first.
pub fn list_invites(org: &Organisation, caller: &Caller) -> Result<Response, ApiError> {
    require_manager(caller)?;
    let rows: Vec<PendingRow> = org
        .sql
        .exec(
            "SELECT i.invite, i.role, i.created_ms, i.expires_ms, i.created_by_device, m.name,
                    m.role AS creator_role, m.revoked AS creator_revoked
             FROM invites i LEFT JOIN members m ON m.member = i.created_by
             WHERE i.used_by IS NULL AND i.withdrawn_by IS NULL AND i.expires_ms >= ?
             ORDER BY i.created_ms, i.invite",
            vec![int(now_ms())],
        )?
        .to_array()?;
    let invites = rows
        .into_iter()
        .filter_map(|row| {
            let role = Role::from_name(&row.role)?;
            maker_may_grant(role, row.creator_role.as_deref(), row.creator_revoked).then(|| {
                PendingInvite {
                    id: row.invite,
                    role,
                    created_by_name: row.name.unwrap_or_default(),
                    created_ms: row.created_ms.map(|ms| ms as u64),
                    created_by_device: row.created_by_device.and_then(|d| d.parse().ok()),
                    expires_at_ms: row.expires_ms as u64,
                }
            })
        })
        .collect();
    json(&InvitesResponse { invites }, 200)
}

/// `DELETE invites/{id}`: whoever may grant an invite's role may withdraw it before it is used.
pub fn withdraw_invite(
    org: &Organisation,
    caller: &Caller,
    id: &str,
) -> Result<Response, ApiError> {
    require_manager(caller)?;
    let invite = invite_row(org, id)?
        .ok_or_else(|| ApiError::refused(404, "no_such_invite", "There is no such invite."))?;
    if !caller.role.may_grant(invite.role()?) {
        return Err(ApiError::forbidden(
            "forbidden",
            "Only an owner can withdraw an invite to become an owner.",
        ));
    }
    if invite.used_by.is_some() {
        return Err(ApiError::refused(
            409,
            "invite_used",
            "This invite has already been used; remove the member instead.",
        ));
    }
    org.sql.exec(
        "UPDATE invites SET withdrawn_by = ? WHERE invite = ?",
        vec![text(&caller.member), text(id)],
    )?;
    Ok(Response::empty()?.with_status(204))
}

#[derive(Deserialize)]
struct MemberRow {
    member: String,
    name: String,
    role: String,
    revoked: i64,
}

#[derive(Deserialize)]
struct DeviceListRow {
    client: String,
    member: String,
    created_ms: i64,
    revoked: i64,
}

/// `GET members`: everyone in the organisation may see who else is in it.
pub fn list(org: &Organisation) -> Result<Response, ApiError> {
    json(
        &MembersResponse {
            members: snapshot(org)?,
        },
        200,
    )
}

/// Every member with their devices: what the membership rules (`register::membership`) judge.
fn snapshot(org: &Organisation) -> Result<Vec<MemberInfo>, ApiError> {
    let members: Vec<MemberRow> = org
        .sql
        .exec(
            "SELECT member, name, role, revoked FROM members ORDER BY created_ms",
            None,
        )?
        .to_array()?;
    let devices: Vec<DeviceListRow> = org
        .sql
        .exec(
            "SELECT client, member, created_ms, revoked FROM devices ORDER BY created_ms",
            None,
        )?
        .to_array()?;
    let members = members
        .into_iter()
        .map(|m| MemberInfo {
            role: Role::from_name(&m.role).unwrap_or(Role::Viewer),
            revoked: m.revoked != 0,
            devices: devices
                .iter()
                .filter(|d| d.member == m.member)
                .filter_map(|d| {
                    Some(DeviceInfo {
                        client: d.client.parse().ok()?,
                        created_ms: d.created_ms as u64,
                        revoked: d.revoked != 0,
                    })
                })
                .collect(),
            member: m.member,
            name: m.name,
        })
        .collect();
    Ok(members)
}

fn found<'a>(members: &'a [MemberInfo], member: &str) -> Result<&'a MemberInfo, ApiError> {
    members
        .iter()
        .find(|m| m.member == member)
        .ok_or_else(|| ApiError::refused(404, "no_such_member", "There is no such member."))
}

fn refused(refusal: membership::Refusal) -> ApiError {
    ApiError::refused(refusal.status, refusal.code, refusal.message)
}

fn member_row(org: &Organisation, member: &str) -> Result<MemberRow, ApiError> {
    let rows: Vec<MemberRow> = org
        .sql
        .exec(
            "SELECT member, name, role, revoked FROM members WHERE member = ?",
            vec![text(member)],
        )?
        .to_array()?;
    rows.into_iter()
        .next()
        .ok_or_else(|| ApiError::refused(404, "no_such_member", "There is no such member."))
}

/// `DELETE devices/{client}`: a member may sign out their own device; managers any device.
/// The unused invites the device made are withdrawn with it: a lost phone's invites must
/// not outlive its token.
pub fn revoke_device(
    org: &Organisation,
    caller: &Caller,
    client: &str,
) -> Result<Response, ApiError> {
    let device = sql::device(&org.sql, client)?
        .ok_or_else(|| ApiError::refused(404, "no_such_device", "There is no such device."))?;
    if device.member != caller.member {
        require_manager(caller)?;
    }
    let client_id = client
        .parse()
        .map_err(|_| ApiError::refused(404, "no_such_device", "There is no such device."))?;
    membership::may_revoke_device(&snapshot(org)?, &caller.member, caller.role, client_id)
        .map_err(refused)?;
    let sql = org.sql.clone();
    let (client, by) = (client.to_owned(), caller.member.clone());
    sql::transaction(&org.state.storage(), move || {
        sql.exec(
            "UPDATE devices SET revoked = 1 WHERE client = ?",
            vec![text(&client)],
        )?;
        sql.exec(
            "DELETE FROM push_subscriptions WHERE client = ?",
            vec![text(&client)],
        )?;
        // Invites made before the server kept their device go with any device of their maker.
        sql.exec(
            "UPDATE invites SET withdrawn_by = ?
             WHERE used_by IS NULL AND withdrawn_by IS NULL
               AND (created_by_device = ? OR (created_by_device IS NULL AND created_by = ?))",
            vec![text(&by), text(&client), text(&device.member)],
        )?;
        Ok(())
    })?;
    Ok(Response::empty()?.with_status(204))
}

/// `DELETE members/{member}`: removes a member and revokes every device of theirs.
pub fn revoke_member(
    org: &Organisation,
    caller: &Caller,
    member: &str,
) -> Result<Response, ApiError> {
    require_manager(caller)?;
    member_row(org, member)?;
    let members = snapshot(org)?;
    let target = found(&members, member)?;
    membership::may_remove(&members, caller.role, target).map_err(refused)?;
    let sql = org.sql.clone();
    let member = member.to_owned();
    let by = caller.member.clone();
    sql::transaction(&org.state.storage(), move || {
        sql.exec(
            "UPDATE members SET revoked = 1 WHERE member = ?",
            vec![text(&member)],
        )?;
        sql.exec(
            "UPDATE devices SET revoked = 1 WHERE member = ?",
            vec![text(&member)],
        )?;
        sql.exec(
            "DELETE FROM push_subscriptions WHERE member = ?",
            vec![text(&member)],
        )?;
        withdraw_invites_made_by(&sql, &member, None, &by)
    })?;
    Ok(Response::empty()?.with_status(204))
}

/// Withdraws the open invites `maker` made that their role `now` (None: removed) may no
/// longer grant, so that they stay withdrawn whatever role the maker has later.
fn withdraw_invites_made_by(
    sql: &worker::SqlStorage,
    maker: &str,
    now: Option<Role>,
    by: &str,
) -> worker::Result<()> {
    for role in Role::ALL {
        if now.is_some_and(|now| now.may_grant(role)) {
            continue;
        }
        sql.exec(
            "UPDATE invites SET withdrawn_by = ?
             WHERE created_by = ? AND role = ? AND used_by IS NULL AND withdrawn_by IS NULL",
            vec![text(by), text(maker), text(role.name())],
        )?;
    }
    Ok(())
}

/// `PATCH members/{member}`: owners and admins change a member's role; only owners touch
/// owners, and the last owner stays an owner.
pub async fn change_role(
    org: &Organisation,
    caller: &Caller,
    member: &str,
    mut req: Request,
) -> Result<Response, ApiError> {
    require_manager(caller)?;
    let change: RoleChange = read_json(&mut req).await?;
    member_row(org, member)?;
    let members = snapshot(org)?;
    let target = found(&members, member)?;
    membership::may_change_role(&members, caller.role, target, change.role).map_err(refused)?;
    let sql = org.sql.clone();
    let (member_id, by, role) = (member.to_owned(), caller.member.clone(), change.role);
    sql::transaction(&org.state.storage(), move || {
        sql.exec(
            "UPDATE members SET role = ? WHERE member = ?",
            vec![text(role.name()), text(&member_id)],
        )?;
        withdraw_invites_made_by(&sql, &member_id, Some(role), &by)
    })?;
    json(
        &serde_json::json!({ "member": member, "role": change.role }),
        200,
    )
}
