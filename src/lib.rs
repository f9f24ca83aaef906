//! dualprev — a static site generator for the dual prevention mechanism (双重预防机制) of a town's
//! industrial and trade enterprises. The pipeline runs one way, one module per stage:
//! [`load`] → [`model`] → [`render`] → [`search`] → [`write`]; [`serve`] wraps it for live preview.

mod css;
pub mod diag;
pub mod domain;
mod fingerprint;
pub mod load;
pub mod model;
mod offline;
pub mod page_text;
pub mod pipeline;
pub mod records;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod text;
pub mod url;
pub mod write;
