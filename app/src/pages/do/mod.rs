//! Do (clause 8, Annex A): the controls in place, and the Statement of Applicability.

pub mod controls;
