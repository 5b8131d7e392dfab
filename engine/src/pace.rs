//! How long a device waits for the sync server, and how much it sends at once. Site walks
//! happen on links that crawl or silently drop an answer, so a request may not wait forever,
//! yet no fixed limit suits every link: a megabyte takes seconds on office Wi-Fi and minutes on
//! one bar of signal. So the limit is on lack of progress. An answer must begin within
//! `STALL_MS` plus the time the request's own bytes take at `SLOWEST_RATE` (uploads show no
//! progress to a page), and then each part of it must follow the last within `STALL_MS`. A
//! push that runs out of time makes the next ones smaller (`PushPace::slower`) until they fit
//! the link; each push that gets through lets them grow back.

use crate::wire::{BODY_MAX_BYTES, PUSH_MAX_OPS};

/// Longest wait for any sign of progress: the answer's start, or its next part.
pub const STALL_MS: u32 = 30_000;
/// The slowest upload a push's deadline allows for, in bytes a second.
pub const SLOWEST_RATE: usize = 4 * 1024;
/// Most bytes of changes in one push: the API's body limit less room for the request's own
/// fields.
pub const PUSH_MAX_BYTES: usize = BODY_MAX_BYTES - 16 * 1024;
/// The smallest pushes a slow link is brought down to.
pub const MIN_PUSH_OPS: usize = 10;
pub const MIN_PUSH_BYTES: usize = 16 * 1024;

/// How long to wait for the start of the answer to a request of `request_bytes`.
pub fn answer_deadline_ms(request_bytes: usize) -> u32 {
    let upload_ms = request_bytes.saturating_mul(1000) / SLOWEST_RATE;
    STALL_MS.saturating_add(u32::try_from(upload_ms).unwrap_or(u32::MAX))
}

/// How many changes, and how many bytes of them, the next push may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PushPace {
    pub ops: usize,
    pub bytes: usize,
}

impl Default for PushPace {
    fn default() -> Self {
        Self {
            ops: PUSH_MAX_OPS,
            bytes: PUSH_MAX_BYTES,
        }
    }
}

impl PushPace {
    /// After a push ran out of time: half as much, down to the smallest push.
    pub fn slower(self) -> Self {
        Self {
            ops: (self.ops / 2).max(MIN_PUSH_OPS),
            bytes: (self.bytes / 2).max(MIN_PUSH_BYTES),
        }
    }

    /// After a push got through: twice as much, up to the full push.
    pub fn faster(self) -> Self {
        Self {
            ops: self.ops.saturating_mul(2).min(PUSH_MAX_OPS),
            bytes: self.bytes.saturating_mul(2).min(PUSH_MAX_BYTES),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_may_take_longer_the_more_there_is_to_upload() {
        assert_eq!(answer_deadline_ms(0), STALL_MS);
        assert_eq!(answer_deadline_ms(40 * 1024), STALL_MS + 10_000);
        // A full push over the slowest link allowed: about four and a half minutes.
        let full = answer_deadline_ms(PUSH_MAX_BYTES);
        assert!((250_000..300_000).contains(&full), "{full} ms");
        assert_eq!(answer_deadline_ms(usize::MAX), u32::MAX);
    }

    #[test]
    fn pushes_shrink_after_time_outs_and_grow_back_after_successes() {
        let full = PushPace::default();
        assert_eq!(
            full.slower(),
            PushPace {
                ops: 250,
                bytes: PUSH_MAX_BYTES / 2
            }
        );
        let mut pace = full;
        for _ in 0..20 {
            pace = pace.slower();
        }
        assert_eq!(
            pace,
            PushPace {
                ops: MIN_PUSH_OPS,
                bytes: MIN_PUSH_BYTES
            }
        );
        // The smallest push has a deadline the fixed allowance dominates.
        assert!(answer_deadline_ms(MIN_PUSH_BYTES) <= STALL_MS + 4_000);
        for _ in 0..20 {
            pace = pace.faster();
        }
        assert_eq!(pace, full);
        assert_eq!(full.faster(), full);
    }
}
