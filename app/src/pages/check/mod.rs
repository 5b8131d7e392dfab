//! Check (clause 9): metrics and measurements, reports from staff, internal audits.

pub mod audits;
pub mod inbox;
pub mod metrics;
