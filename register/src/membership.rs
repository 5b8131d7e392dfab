//! Who may change the organisation's membership, as pure rules over a snapshot of its
//! members and their devices: the worker loads the snapshot from its tables and stores what
//! these allow; a device asks the same of the members list it holds before it leaves.
//!
//! The invariant they keep: someone can always act as an owner (an owner not removed, with a
//! device not revoked), because only an owner can make another owner.

use crate::{Kind, Role, api::MemberInfo};
use engine::{
    ClientId,
    limits::{FILER_LIMIT, WRITER_LIMIT, WriteLimit},
};

/// How much a member's device may write in a minute: those who may only file reports get
/// the small limit.
pub fn write_limit(role: Role) -> WriteLimit {
    if Kind::ALL.iter().any(|&kind| role.may_write(kind)) {
        WRITER_LIMIT
    } else {
        FILER_LIMIT
    }
}

/// Why a change to the membership is refused, with the status the server answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: &'static str,
}

pub const LAST_OWNER: Refusal = Refusal {
    status: 409,
    code: "last_owner",
    message: "This would leave the organisation with no owner who can sign in; make someone else an owner first.",
};

const NO_SUCH_DEVICE: Refusal = Refusal {
    status: 404,
    code: "no_such_device",
    message: "There is no such device.",
};

const NOT_A_MANAGER: Refusal = Refusal {
    status: 403,
    code: "forbidden",
    message: "Only an owner or admin manages members and devices.",
};

fn forbidden(message: &'static str) -> Refusal {
    Refusal {
        status: 403,
        code: "forbidden",
        message,
    }
}

/// How many owners could still act without `member` and without the device `client`:
/// owners not removed who hold a device not revoked.
pub fn usable_owners_without(
    members: &[MemberInfo],
    member: Option<&str>,
    client: Option<ClientId>,
) -> usize {
    members
        .iter()
        .filter(|m| m.role == Role::Owner && !m.revoked && Some(m.member.as_str()) != member)
        .filter(|m| {
            m.devices
                .iter()
                .any(|d| !d.revoked && Some(d.client) != client)
        })
        .count()
}

fn is_owner(member: &MemberInfo) -> bool {
    member.role == Role::Owner
}

/// Whether `caller` (a member, with their role) may revoke the device `client`: anyone signs
/// out their own device, owners and admins any device, only owners an owner's; never the last
/// device an owner can act from.
pub fn may_revoke_device(
    members: &[MemberInfo],
    caller: &str,
    role: Role,
    client: ClientId,
) -> Result<(), Refusal> {
    let holder = members
        .iter()
        .find(|m| m.devices.iter().any(|d| d.client == client))
        .ok_or(NO_SUCH_DEVICE)?;
    if holder.member != caller {
        if !role.manages_members() {
            return Err(NOT_A_MANAGER);
        }
        if is_owner(holder) && role != Role::Owner {
            return Err(forbidden("Only an owner can revoke an owner's device."));
        }
    }
    if is_owner(holder) && usable_owners_without(members, None, Some(client)) == 0 {
        return Err(LAST_OWNER);
    }
    Ok(())
}

/// Whether a member of `role` may remove `target` from the organisation, or take its owner's
/// role away: owners are removed only by owners, and never the last who can act.
pub fn may_remove(members: &[MemberInfo], role: Role, target: &MemberInfo) -> Result<(), Refusal> {
    if !role.manages_members() {
        return Err(NOT_A_MANAGER);
    }
    if is_owner(target) {
        if role != Role::Owner {
            return Err(forbidden("Only an owner can remove an owner."));
        }
        if usable_owners_without(members, Some(&target.member), None) == 0 {
            return Err(LAST_OWNER);
        }
    }
    Ok(())
}

/// Whether a member of `role` may give `target` the role `to`.
pub fn may_change_role(
    members: &[MemberInfo],
    role: Role,
    target: &MemberInfo,
    to: Role,
) -> Result<(), Refusal> {
    if !role.manages_members() {
        return Err(NOT_A_MANAGER);
    }
    if !role.may_grant(to) {
        return Err(forbidden("Only an owner can make someone an owner."));
    }
    if to != Role::Owner {
        may_remove(members, role, target)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::DeviceInfo;

    fn member(name: &str, role: Role, devices: &[(ClientId, bool)]) -> MemberInfo {
        MemberInfo {
            member: name.to_owned(),
            name: name.to_owned(),
            role,
            revoked: false,
            devices: devices
                .iter()
                .map(|&(client, revoked)| DeviceInfo {
                    client,
                    created_ms: 0,
                    revoked,
                })
                .collect(),
        }
    }

    #[test]
    fn the_last_owner_cannot_leave_nor_be_removed_nor_demoted() {
        let (phone, laptop, admins) = (ClientId::new(), ClientId::new(), ClientId::new());
        let members = vec![
            member("olga", Role::Owner, &[(phone, false)]),
            member("adam", Role::Admin, &[(admins, false)]),
        ];
        // Olga signing her only device out would leave no owner who can act.
        assert_eq!(
            may_revoke_device(&members, "olga", Role::Owner, phone),
            Err(LAST_OWNER)
        );
        assert_eq!(
            may_remove(&members, Role::Owner, &members[0]),
            Err(LAST_OWNER)
        );
        assert_eq!(
            may_change_role(&members, Role::Owner, &members[0], Role::Admin),
            Err(LAST_OWNER)
        );
        // An admin may not touch an owner, nor make one.
        assert_eq!(
            may_revoke_device(&members, "adam", Role::Admin, phone)
                .unwrap_err()
                .status,
            403
        );
        assert_eq!(
            may_change_role(&members, Role::Admin, &members[1], Role::Owner)
                .unwrap_err()
                .message,
            "Only an owner can make someone an owner."
        );
        // With a second device, or a second owner, she may.
        let mut two_devices = members.clone();
        two_devices[0] = member("olga", Role::Owner, &[(phone, false), (laptop, false)]);
        assert_eq!(
            may_revoke_device(&two_devices, "olga", Role::Owner, phone),
            Ok(())
        );
        let mut two_owners = members.clone();
        two_owners[1].role = Role::Owner;
        assert_eq!(
            may_revoke_device(&two_owners, "olga", Role::Owner, phone),
            Ok(())
        );
        assert_eq!(may_remove(&two_owners, Role::Owner, &two_owners[0]), Ok(()));
        // A revoked device or a removed owner does not count as one who can act.
        let mut revoked = two_devices.clone();
        revoked[0].devices[1].revoked = true;
        assert_eq!(
            may_revoke_device(&revoked, "olga", Role::Owner, phone),
            Err(LAST_OWNER)
        );
        let mut removed = two_owners.clone();
        removed[1].revoked = true;
        assert_eq!(
            may_revoke_device(&removed, "olga", Role::Owner, phone),
            Err(LAST_OWNER)
        );
        assert_eq!(
            may_revoke_device(&members, "olga", Role::Owner, ClientId::new()).unwrap_err(),
            NO_SUCH_DEVICE
        );
    }

    #[test]
    fn members_sign_out_their_own_devices_and_managers_anyone_elses() {
        let (olga, eddie, vera) = (ClientId::new(), ClientId::new(), ClientId::new());
        let members = vec![
            member("olga", Role::Owner, &[(olga, false)]),
            member("eddie", Role::Editor, &[(eddie, false)]),
            member("vera", Role::Viewer, &[(vera, false)]),
        ];
        assert_eq!(
            may_revoke_device(&members, "vera", Role::Viewer, vera),
            Ok(())
        );
        assert_eq!(
            may_revoke_device(&members, "vera", Role::Viewer, eddie),
            Err(NOT_A_MANAGER)
        );
        assert_eq!(
            may_revoke_device(&members, "olga", Role::Owner, eddie),
            Ok(())
        );
        assert_eq!(
            may_remove(&members, Role::Editor, &members[2]),
            Err(NOT_A_MANAGER)
        );
        assert_eq!(
            may_change_role(&members, Role::Owner, &members[1], Role::Owner),
            Ok(())
        );
    }

    #[test]
    fn a_member_who_only_files_reports_writes_less() {
        assert_eq!(write_limit(Role::Viewer), FILER_LIMIT);
        for role in [Role::Owner, Role::Admin, Role::Editor, Role::Auditor] {
            assert_eq!(write_limit(role), WRITER_LIMIT);
        }
    }
}
