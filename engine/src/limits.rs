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

#[cfg(test)]
mod tests {
    use super::*;

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
