//! Check (clause 9): metrics and measurements, reports from staff, internal audits, and site
//! walkthroughs on a phone.

pub mod audits;
pub mod inbox;
pub mod metrics;
pub mod walkthroughs;
