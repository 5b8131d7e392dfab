//! Act (clauses 9.3 and 10): findings with their root cause, the actions that fix them, and
//! the management reviews that decide what to improve.

pub mod actions;
pub mod findings;
pub mod reviews;
