//! Organisation ids the server recognises as its own before it touches any storage.
//!
//! Every request names its organisation, and the worker picks that organisation's Durable
//! Object by the name; a made-up id would bring a new, empty object into being. So an id is
//! signed: a UUID-shaped text (version 8) whose first half is random and whose second half is
//! an HMAC-SHA256 of the first under the operator's key. The worker checks it before routing,
//! and a forged id is refused without reaching any object. Ids keep the UUID shape, so
//! credentials and invite codes (`<org>.<id>.<secret>`) are unchanged.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Bits of the mark that survive the UUID's variant bits: guessing one takes 2^61 tries.
const MARK_MASK: [u8; 8] = [0x3f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

fn mark(key: &[u8], nonce: &[u8]) -> [u8; 8] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(b"ratchet organisation id\0");
    mac.update(nonce);
    let digest = mac.finalize().into_bytes();
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

/// A new organisation id from 8 random bytes, signed with the operator's key.
pub fn mint(key: &[u8], random: [u8; 8]) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&random);
    bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8: "custom"
    let signature = mark(key, &bytes[..8]);
    bytes[8..].copy_from_slice(&signature);
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
    Uuid::from_bytes(bytes).hyphenated().to_string()
}

/// Whether `id` is an organisation id minted with `key` (in its canonical lower-case form).
pub fn is_signed(key: &[u8], id: &str) -> bool {
    let Ok(uuid) = Uuid::try_parse(id) else {
        return false;
    };
    let bytes = uuid.as_bytes();
    if uuid.hyphenated().to_string() != id || uuid.get_version_num() != 8 || bytes[8] & 0xc0 != 0x80
    {
        return false;
    }
    let expected = mark(key, &bytes[..8]);
    // Compared in constant time over the bits the variant left.
    let difference = (0..8).fold(0u8, |acc, i| {
        acc | ((bytes[8 + i] ^ expected[i]) & MARK_MASK[i])
    });
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"operator key";

    #[test]
    fn a_minted_id_is_a_uuid_that_verifies_under_its_key_only() {
        let id = mint(KEY, [7; 8]);
        let uuid = Uuid::parse_str(&id).unwrap();
        assert_eq!(uuid.get_version_num(), 8);
        assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(id.len(), 36);
        assert!(is_signed(KEY, &id));
        assert!(!is_signed(b"another operator", &id));
    }

    #[test]
    fn different_randomness_gives_different_ids() {
        assert_ne!(mint(KEY, [1; 8]), mint(KEY, [2; 8]));
    }

    #[test]
    fn random_and_altered_ids_are_refused() {
        assert!(!is_signed(KEY, &Uuid::now_v7().to_string()));
        assert!(!is_signed(KEY, &Uuid::nil().to_string()));
        assert!(!is_signed(KEY, "not an id"));
        let id = mint(KEY, [9; 8]);
        assert!(!is_signed(KEY, &id.to_uppercase()), "one spelling only");
        for position in (0..id.len()).filter(|&i| id.as_bytes()[i] != b'-') {
            let mut altered = id.clone().into_bytes();
            altered[position] = if altered[position] == b'0' {
                b'1'
            } else {
                b'0'
            };
            let altered = String::from_utf8(altered).unwrap();
            assert!(
                !is_signed(KEY, &altered),
                "{altered} (digit {position} changed)"
            );
        }
    }
}
