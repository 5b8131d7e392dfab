//! One module per route, as in Leptos' hackernews example.

pub mod not_found;
pub mod overview;
pub mod risks;
