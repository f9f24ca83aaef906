//! Where templates and static files come from: the default theme embedded in the binary, then the
//! site's `themes/default/`, then the site's own `templates/` and `static/` — later layers override
//! earlier ones file by file.

use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_theme.rs"));
}

/// A file of the theme: embedded bytes or a file on disk (with the path shown in errors).
#[derive(Debug, Clone)]
pub(crate) enum ThemeFile {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

impl ThemeFile {
    /// The file's bytes.
    pub(crate) fn read(&self) -> anyhow::Result<std::borrow::Cow<'static, [u8]>> {
        use anyhow::Context;
        match self {
            ThemeFile::Embedded(b) => Ok(std::borrow::Cow::Borrowed(b)),
            ThemeFile::Disk(p) => std::fs::read(p)
                .map(std::borrow::Cow::Owned)
                .with_context(|| format!("无法读取 {}", p.display())),
        }
    }
}

pub(crate) struct Theme {
    /// Template name (`page.html`) → (shown path, source text).
    pub(crate) templates: BTreeMap<String, (String, String)>,
    /// Output path (`css/site.css`) → file.
    pub(crate) statics: BTreeMap<String, ThemeFile>,
}

pub(crate) fn embedded_files() -> &'static [(&'static str, &'static [u8])] {
    embedded::FILES
}

/// Collects the layers for the site at `root`. Unreadable templates are reported as I/O errors.
pub(crate) fn load(root: &Path) -> anyhow::Result<Theme> {
    let mut templates = BTreeMap::new();
    let mut statics = BTreeMap::new();
    for (rel, bytes) in embedded::FILES {
        if let Some(name) = rel.strip_prefix("templates/") {
            let text = String::from_utf8_lossy(bytes).into_owned();
            templates.insert(
                name.to_string(),
                (format!("(内置主题) themes/default/{rel}"), text),
            );
        } else if let Some(name) = rel.strip_prefix("static/") {
            statics.insert(name.to_string(), ThemeFile::Embedded(bytes));
        }
    }
    for (dir, shown) in [
        (root.join("themes/default"), "themes/default/"),
        (root.to_path_buf(), ""),
    ] {
        for rel in crate::load::list_files(&dir, "templates") {
            let path = dir.join(&rel);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("无法读取模板 {shown}{rel}"))?;
            let name = rel.trim_start_matches("templates/").to_string();
            templates.insert(name, (format!("{shown}{rel}"), text));
        }
        for rel in crate::load::list_files(&dir, "static") {
            let name = rel.trim_start_matches("static/").to_string();
            statics.insert(name, ThemeFile::Disk(dir.join(&rel)));
        }
    }
    Ok(Theme { templates, statics })
}
