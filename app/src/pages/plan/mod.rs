//! Plan (clauses 4 and 6): the organisation's context, what could go wrong, what it aims for.

pub mod context;
pub mod criteria;
pub mod objectives;
pub mod risks;
