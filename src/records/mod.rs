//! Excel in and out (`dualprev records export | import | template`): the records as the
//! workbooks town offices and enterprises already keep, and back, with the same checks as typed
//! TOML. The layout is [`schema`]; cells and TOML values meet in [`value`].

mod book;
mod doc;
mod export;
mod files;
mod import;
mod keyed;
mod read;
mod schema;
mod site;
mod value;
mod verify;

pub use export::{export, template};
pub use import::{FileChange, Imported, import};
