//! Stage 4 — search: a full-text index built from the rendered text of every page, split into shards
//! by term so that a query downloads only the shards of its own terms plus the few result files it
//! shows. The browser script (`static/js/search.js`) and [`query::query`] read it the same way.

pub mod format;
pub mod index;
pub mod query;
pub mod tokenize;

pub(crate) use index::build;
pub use index::{IndexStats, index};
