//! The record files as documents to read and edit: `data/enterprises/*.toml` parsed with
//! `toml_edit`, keeping every byte the workbook does not change (a UTF-8 BOM included).

use std::path::Path;

use toml_edit::DocumentMut;

use crate::diag::{Diagnostic, Severity, SourceFile};
use crate::load::source;

pub(crate) struct RecordFile {
    pub slug: String,
    pub rel: String,
    pub doc: DocumentMut,
    /// The file began with a byte order mark, written back as it was.
    pub bom: bool,
}

impl RecordFile {
    pub(crate) fn new(slug: &str) -> Self {
        RecordFile {
            slug: slug.to_string(),
            rel: rel_of(slug),
            doc: DocumentMut::new(),
            bom: false,
        }
    }

    /// The file's text as it will be written.
    pub(crate) fn text(&self) -> String {
        let body = self.doc.to_string();
        if self.bom {
            format!("\u{feff}{body}")
        } else {
            body
        }
    }
}

pub(crate) fn rel_of(slug: &str) -> String {
    format!("data/enterprises/{slug}.toml")
}

/// Reads one record; a file that is not UTF-8 or not TOML is reported at its line and column.
pub(crate) fn read_one(root: &Path, slug: &str, diags: &mut Vec<Diagnostic>) -> Option<RecordFile> {
    let rel = rel_of(slug);
    let bytes = match std::fs::read(root.join(&rel)) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::file(
                Severity::Error,
                &rel,
                format!("无法读取文件：{e}"),
            ));
            return None;
        }
    };
    let bom = bytes.starts_with("\u{feff}".as_bytes());
    // Decoding reports non-UTF-8 text the way every other input is reported.
    if let Err(d) = source::decode(&rel, bytes.clone()) {
        diags.push(d);
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match text.parse::<DocumentMut>() {
        Ok(doc) => Some(RecordFile {
            slug: slug.to_string(),
            rel,
            doc,
            bom,
        }),
        Err(e) => {
            let src = SourceFile {
                rel: rel.clone(),
                text: text.to_string(),
            };
            diags.push(Diagnostic::at(
                Severity::Error,
                &src,
                e.span().unwrap_or(0..0),
                format!("TOML 语法错误：{}", e.message()),
            ));
            None
        }
    }
}

/// The slugs of every record under `root`, sorted.
pub(crate) fn slugs(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = crate::load::list_files(root, "data/enterprises")
        .iter()
        .filter_map(|rel| rel.strip_prefix("data/enterprises/")?.strip_suffix(".toml"))
        .filter(|s| !s.contains('/'))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}
