//! Act (clause 10): findings with their root cause, and the actions that fix them.

pub mod actions;
pub mod findings;
