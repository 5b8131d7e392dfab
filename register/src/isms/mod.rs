//! The ISMS domain: the schema of every record kind and its rules, the ISO/IEC 27001
//! catalogue, and what the registers compute (risk ratings, metric standings, dates, the
//! audit programme, the nonconformity workflow). Pages only display what this computes.

pub mod audits;
pub mod catalogue;
pub mod dates;
pub mod demo;
pub mod evidence;
pub mod findings;
#[cfg(test)]
pub mod fixture;
pub mod gate;
pub mod import;
pub mod indicators;
pub mod maturity;
pub mod membership;
pub mod metrics;
pub mod policy;
pub mod reviews;
pub mod risk;
pub mod rules;
pub mod schema;
pub mod walkthrough;
pub mod work;
