//! How much one device may write in a minute. A member who only files reports (a viewer) may
//! file a few a minute; those who keep the register may import thousands. A push past the
//! limit is refused whole (429 `rate_limited`, with when to try again), and stores nothing.

use serde::{Deserialize, Serialize};

/// The length of a counting window.
pub const WINDOW_MS: u64 = 60_000;

/// Most new records and bytes of stored values a device may push in one window.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WriteLimit {
    pub new_records: u64,
    pub bytes: u64,
}

/// For members who only file reports.
pub const FILER_LIMIT: WriteLimit = WriteLimit {
    new_records: 60,
    bytes: 2 * 1024 * 1024,
};

/// For members who keep the register: a large CSV import syncs in a minute or two.
pub const WRITER_LIMIT: WriteLimit = WriteLimit {
    new_records: 50_000,
    bytes: 64 * 1024 * 1024,
};

/// What a device has pushed in its current window.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct WriteWindow {
    pub start_ms: u64,
    pub new_records: u64,
    pub bytes: u64,
}

impl WriteWindow {
    /// Counts a push of `new_records` and `bytes` at `now_ms`: the window with it, or the
    /// seconds to wait before trying again. A window with nothing in it yet takes any one
    /// push, so a push larger than the limit still gets through, one a minute.
    pub fn admit(
        self,
        now_ms: u64,
        new_records: u64,
        bytes: u64,
        limit: WriteLimit,
    ) -> Result<WriteWindow, u64> {
        let current = if now_ms.saturating_sub(self.start_ms) >= WINDOW_MS {
            WriteWindow {
                start_ms: now_ms,
                ..WriteWindow::default()
            }
        } else {
            self
        };
        let after = WriteWindow {
            start_ms: current.start_ms,
            new_records: current.new_records + new_records,
            bytes: current.bytes + bytes,
        };
        let empty = current.new_records == 0 && current.bytes == 0;
        if empty || (after.new_records <= limit.new_records && after.bytes <= limit.bytes) {
            Ok(after)
        } else {
            let left_ms = (current.start_ms + WINDOW_MS).saturating_sub(now_ms);
            Err(left_ms.div_ceil(1000).max(1))
        }
    }
}

/// What sign-ups and joins from one client address are counted under: an IPv4 address as
/// it is, an IPv6 address by its /64 (one household or phone holds a whole /64 and can
/// rotate through it), and anything unreadable under one shared key.
pub fn address_key(address: &str) -> String {
    match address.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_address_counts_by_its_64_and_nonsense_shares_one_key() {
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1"),
            address_key("2001:db8:1:2:ffff:1:2:3")
        );
        assert_eq!(address_key("2001:db8:1:2::9"), "2001:db8:1:2::/64");
        assert_ne!(
            address_key("2001:db8:1:3::1"),
            address_key("2001:db8:1:2::1")
        );
        assert_eq!(address_key("not an address"), "unknown");
        assert_eq!(address_key(""), "unknown");
    }

    const NOW: u64 = 1_800_000_000_000;

    #[test]
    fn a_window_counts_a_minute_and_says_when_to_try_again() {
        let limit = FILER_LIMIT;
        let mut window = WriteWindow::default();
        for _ in 0..60 {
            window = window.admit(NOW + 1_000, 1, 1_000, limit).unwrap();
        }
        assert_eq!(window.new_records, 60);
        assert_eq!(window.admit(NOW + 20_500, 1, 1_000, limit), Err(41));
        assert_eq!(window.admit(NOW + 60_999, 1, 1_000, limit), Err(1));
        // A minute after it began, a new window opens.
        let next = window.admit(NOW + 61_000, 1, 1_000, limit).unwrap();
        assert_eq!((next.start_ms, next.new_records), (NOW + 61_000, 1));
        // Bytes count too.
        let heavy = WriteWindow::default()
            .admit(NOW, 1, limit.bytes, limit)
            .unwrap();
        assert!(heavy.admit(NOW + 1, 0, 1, limit).is_err());
    }

    #[test]
    fn an_empty_window_takes_one_push_of_any_size() {
        let once = WriteWindow::default()
            .admit(NOW, 500, 10 * 1024 * 1024, FILER_LIMIT)
            .unwrap();
        assert!(once.admit(NOW + 1, 1, 1, FILER_LIMIT).is_err());
    }
}
