//! Do (clause 8, Annex A): the controls in place, the Statement of Applicability, the
//! controlled documents they rely on and the evidence that shows they work (clause 7.5).

pub mod controls;
pub mod documents;
pub mod evidence;
