//! Hybrid logical clocks: wall time in milliseconds plus a counter, so every edit on a device
//! gets a stamp greater than anything that device has seen, even if its clock runs behind.

use crate::ClientId;
use serde::{Deserialize, Serialize};

/// Largest wall time we accept: integers in Durable Object SQLite are exact only to 2^53.
pub const MAX_WALL_MS: u64 = (1 << 53) - 1;

#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch.
    pub wall: u64,
    /// Orders events within the same millisecond.
    pub counter: u32,
}

/// The total order used by the merge rule: clock first, then the writing client.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct Stamp {
    pub hlc: Hlc,
    pub client: ClientId,
}

/// A device's clock. `tick` stamps a local edit; `observe` folds in a remote stamp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    pub fn new(last: Hlc) -> Self {
        Self { last }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A stamp for a new local event, given the device's wall clock now. A full counter moves
    /// the stamp to the next millisecond instead of wrapping, which would go back in time (a
    /// stamp from elsewhere may carry any counter).
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        let Hlc { wall, counter } = self.last;
        self.last = if now_ms > wall {
            Hlc {
                wall: now_ms,
                counter: 0,
            }
        } else {
            match counter.checked_add(1) {
                Some(counter) => Hlc { wall, counter },
                None => Hlc {
                    wall: wall + 1,
                    counter: 0,
                },
            }
        };
        self.last
    }

    /// Moves the clock past a stamp received from elsewhere.
    pub fn observe(&mut self, remote: Hlc) {
        self.last = self.last.max(remote);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_increase_even_when_the_wall_clock_goes_backwards() {
        let mut clock = HlcClock::default();
        let a = clock.tick(1_000);
        let b = clock.tick(1_000);
        let c = clock.tick(900);
        let d = clock.tick(2_000);
        assert!(a < b && b < c && c < d);
        assert_eq!(
            c,
            Hlc {
                wall: 1_000,
                counter: 2
            }
        );
        assert_eq!(
            d,
            Hlc {
                wall: 2_000,
                counter: 0
            }
        );
    }

    #[test]
    fn observing_a_later_remote_stamp_moves_local_ticks_past_it() {
        let mut clock = HlcClock::default();
        clock.tick(1_000);
        let remote = Hlc {
            wall: 5_000,
            counter: 7,
        };
        clock.observe(remote);
        assert!(clock.tick(1_001) > remote);
        clock.observe(Hlc {
            wall: 10,
            counter: 0,
        });
        assert_eq!(clock.last().wall, 5_000, "an older stamp changes nothing");
    }

    #[test]
    fn a_full_counter_moves_to_the_next_millisecond_instead_of_wrapping() {
        let mut clock = HlcClock::default();
        let remote = Hlc {
            wall: 1_000,
            counter: u32::MAX,
        };
        clock.observe(remote);
        let next = clock.tick(900);
        assert!(next > remote);
        assert_eq!(
            next,
            Hlc {
                wall: 1_001,
                counter: 0
            }
        );
    }
}
