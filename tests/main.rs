//! The integration tests: one binary, a module per area. Each module runs the real `dualprev`
//! binary on fixture sites copied into temporary folders (helpers in `common/`), or drives
//! headless Chromium against it. `zz_skipped.rs` is the only other test binary: it runs after this
//! one and prints what was skipped and why.
//!
//! Run one area with a filter: `cargo test --release --test main records::`.

mod common;

mod browser;
mod build_spine;
mod faults;
mod hostile;
mod hosting;
mod init;
mod law_checks;
mod layout;
mod ledgers;
mod links;
mod offline;
mod plan_rules;
mod printouts;
mod proptests;
mod quality;
mod records;
mod search_index;
mod selfcheck;
mod serve;
mod soak;
mod trends;
mod workbooks;
