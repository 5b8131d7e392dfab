//! Plan (clause 6): what could go wrong, what the organisation aims for.

pub mod objectives;
pub mod risks;
