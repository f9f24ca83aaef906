//! Stage 5 — write: the rendered site goes into a staging folder beside the output (pages as they
//! are rendered, then everything else), which is swapped in with renames at the end. A failure at
//! any point (a panic included: the staging folder is a guard removed on drop) leaves the previous
//! output exactly as it was.

use anyhow::Context;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub(crate) mod bundle;
pub(crate) mod offline;

use crate::render::Output;
use crate::render::theme::ThemeFile;

/// A staging folder beside the output folder, removed when dropped unless it was swapped in.
pub(crate) struct Staging {
    dest: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    swapped: bool,
    /// Folders made so far: a large site writes tens of thousands of files into a few thousand
    /// folders, and asking the file system to make each file's folder again cost a failed
    /// `mkdir` and a `stat` per file.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.swapped {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Staging {
    /// Creates `.NAME.staging-PID` next to `dest`.
    pub(crate) fn create(dest: &Path) -> anyhow::Result<Staging> {
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("无法创建输出目录的上级目录 {}", parent.display()))?;
        let name = dest
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("无法创建临时目录 {}", dir.display()))?;
        Ok(Staging {
            dest: dest.to_path_buf(),
            dir,
            old,
            swapped: false,
            made: Default::default(),
        })
    }

    /// Writes one file (callable from several threads at once).
    pub(crate) fn put(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let p = self.dir.join(rel);
        self.folder_of(&p)?;
        std::fs::write(&p, bytes).with_context(|| format!("无法写入 {}", p.display()))
    }

    /// Makes the folder `p` goes in, unless it was made already.
    fn folder_of(&self, p: &Path) -> anyhow::Result<()> {
        let Some(d) = p.parent() else { return Ok(()) };
        if self.made.lock().is_ok_and(|s| s.contains(d)) {
            return Ok(());
        }
        std::fs::create_dir_all(d).with_context(|| format!("无法创建目录 {}", d.display()))?;
        if let Ok(mut s) = self.made.lock() {
            s.insert(d.to_path_buf());
        }
        Ok(())
    }

    /// A file written so far.
    pub(crate) fn read_bytes(&self, rel: &str) -> anyhow::Result<Vec<u8>> {
        let p = self.dir.join(rel);
        std::fs::read(&p).with_context(|| format!("无法读取 {}", p.display()))
    }

    /// Writes one file through `write` (for a file too large to make in memory first); returns
    /// its size in bytes.
    pub(crate) fn write_with(
        &self,
        rel: &str,
        write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>,
    ) -> anyhow::Result<u64> {
        let p = self.dir.join(rel);
        self.folder_of(&p)?;
        let mut f =
            std::fs::File::create(&p).with_context(|| format!("无法写入 {}", p.display()))?;
        write(&mut f).with_context(|| format!("无法写入 {}", p.display()))?;
        Ok(f.metadata()?.len())
    }

    /// Writes what `out` holds, then swaps the staging folder in for the output folder. On an
    /// error the staging folder goes when `self` is dropped.
    pub(crate) fn finish(self, out: &Output) -> anyhow::Result<()> {
        self.fill(out)?;
        self.swap()
    }

    /// Swaps the staging folder in for the output folder.
    pub(crate) fn swap(mut self) -> anyhow::Result<()> {
        remove_all(&self.old);
        let had_old = self.dest.exists();
        if had_old {
            std::fs::rename(&self.dest, &self.old)
                .with_context(|| format!("无法替换输出目录 {}", self.dest.display()))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.dest) {
            if had_old {
                let _ = std::fs::rename(&self.old, &self.dest);
            }
            anyhow::bail!("无法替换输出目录 {}：{e}", self.dest.display());
        }
        self.swapped = true;
        if had_old {
            remove_all(&self.old);
        }
        Ok(())
    }

    fn fill(&self, out: &Output) -> anyhow::Result<()> {
        // Thousands of small files (the search index): written in parallel, the first error wins.
        let files: Vec<(&String, &crate::render::Bytes)> = out.files.iter().collect();
        files
            .par_iter()
            .try_for_each(|(rel, bytes)| self.put(rel, bytes))?;
        for (rel, f) in out.copies_to_write() {
            match f {
                ThemeFile::Embedded(bytes) => self.put(rel, bytes)?,
                ThemeFile::Disk(src) => {
                    let p = self.dir.join(rel);
                    self.folder_of(&p)?;
                    std::fs::copy(src, &p).with_context(|| {
                        format!("无法复制 {} 到 {}", src.display(), p.display())
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// Removes a folder and everything in it. A previous output can hold tens of thousands of folders
/// (one per page), so the subtrees two levels down are removed in parallel, each by
/// `remove_dir_all` (which works relative to open folders instead of resolving every path anew);
/// what cannot be removed is left behind silently.
fn remove_all(dir: &Path) {
    let children = |d: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(d)
            .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let top = children(dir);
    if top.is_empty() && !dir.exists() {
        return;
    }
    let subtrees: Vec<PathBuf> = top
        .iter()
        .flat_map(|p| {
            if p.is_dir() {
                children(p)
            } else {
                vec![p.clone()]
            }
        })
        .collect();
    subtrees.par_iter().for_each(|p| {
        let _ = if p.is_dir() {
            std::fs::remove_dir_all(p)
        } else {
            std::fs::remove_file(p)
        };
    });
    let _ = std::fs::remove_dir_all(dir);
}

/// Refuses an output folder that would replace the site's own sources: the site root itself, a
/// folder inside content/, data/, templates/, static/ or themes/, or a folder that contains the root.
pub(crate) fn check_destination(root: &Path, dest: &Path) -> anyhow::Result<()> {
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        // The output folder may not exist yet: resolve its nearest existing ancestor.
        let mut existing = p.clone();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent.to_path_buf();
                }
                _ => break,
            }
        }
        let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
        for name in rest.into_iter().rev() {
            if name == ".." {
                out.pop();
            } else if name != "." {
                out.push(name);
            }
        }
        out
    };
    let (root, dest) = (abs(root), abs(dest));
    let sources = ["content", "data", "templates", "static", "themes"];
    if root.starts_with(&dest) || sources.iter().any(|s| dest.starts_with(root.join(s))) {
        anyhow::bail!(
            "输出目录 {} 会覆盖站点的源文件（{}），请换一个目录，例如 {}",
            dest.display(),
            root.display(),
            root.join("public").display()
        );
    }
    Ok(())
}

/// Writes an in-memory site to `dest` atomically (the preview server's `--out` mirror).
pub(crate) fn write(dest: &Path, out: &Output) -> anyhow::Result<()> {
    Staging::create(dest)?.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beside(dest: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dest.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_staging_folder_dropped_or_left_by_a_panic_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("old.html"), "旧").unwrap();
        {
            let s = Staging::create(&dest).unwrap();
            s.put("a/index.html", b"x").unwrap();
            assert_eq!(beside(&dest).len(), 2, "{:?}", beside(&dest));
        }
        assert_eq!(beside(&dest), ["public"]);
        let r = std::panic::catch_unwind(|| {
            let s = Staging::create(&dest).unwrap();
            s.put("a/index.html", b"x").unwrap();
            panic!("a stage fails half-way");
        });
        assert!(r.is_err());
        assert_eq!(beside(&dest), ["public"]);
        assert_eq!(
            std::fs::read_to_string(dest.join("old.html")).unwrap(),
            "旧"
        );
    }

    #[test]
    fn finish_swaps_the_staging_folder_in_and_leaves_nothing_beside() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("old.html"), "旧").unwrap();
        let s = Staging::create(&dest).unwrap();
        s.put("new.html", "新".as_bytes()).unwrap();
        s.finish(&Output::default()).unwrap();
        assert_eq!(beside(&dest), ["public"]);
        assert!(!dest.join("old.html").exists());
        assert_eq!(
            std::fs::read_to_string(dest.join("new.html")).unwrap(),
            "新"
        );
    }

    #[test]
    fn a_page_already_written_or_in_files_wins_over_a_copy_at_the_same_path() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        let asset = tmp.path().join("logo.svg");
        std::fs::write(&asset, "<svg/>").unwrap();
        let s = Staging::create(&dest).unwrap();
        // A streamed page is put before `finish`; it is noted in `out.streamed`, not in `out.files`.
        s.put("index.html", "页面".as_bytes()).unwrap();
        let mut out = Output::default();
        out.streamed.insert("index.html".into());
        out.files
            .insert("search.js".into(), b"// index".to_vec().into());
        out.copies
            .insert("index.html".into(), ThemeFile::Embedded(b"theme"));
        out.copies
            .insert("search.js".into(), ThemeFile::Embedded(b"theme"));
        out.copies
            .insert("style.css".into(), ThemeFile::Embedded(b"body{}"));
        out.copies
            .insert("img/logo.svg".into(), ThemeFile::Disk(asset));
        s.finish(&out).unwrap();
        let read = |rel: &str| std::fs::read_to_string(dest.join(rel)).unwrap();
        assert_eq!(read("index.html"), "页面");
        assert_eq!(read("search.js"), "// index");
        assert_eq!(read("style.css"), "body{}");
        assert_eq!(read("img/logo.svg"), "<svg/>");
    }

    #[test]
    fn an_empty_previous_output_leaves_nothing_beside() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("public");
        std::fs::create_dir_all(&dest).unwrap();
        let s = Staging::create(&dest).unwrap();
        s.put("index.html", b"x").unwrap();
        s.finish(&Output::default()).unwrap();
        assert_eq!(beside(&dest), ["public"]);
        // A second build over a one-file output, and removing what is not there, are both quiet.
        write(&dest, &Output::default()).unwrap();
        assert_eq!(beside(&dest), ["public"]);
        assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 0);
        remove_all(&tmp.path().join("absent"));
    }

    #[test]
    fn write_puts_the_files_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("mirror");
        let mut out = Output::default();
        out.files
            .insert("企业/甲/index.html".into(), "甲".as_bytes().to_vec().into());
        write(&dest, &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(dest.join("企业/甲/index.html")).unwrap(),
            "甲"
        );
        assert_eq!(beside(&dest), ["mirror"]);
    }

    #[test]
    fn an_output_folder_over_the_sources_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        for d in ["content", "data", "public"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let refused = |dest: PathBuf| {
            let e = check_destination(&root, &dest).expect_err(&dest.display().to_string());
            assert!(e.to_string().contains("会覆盖站点的源文件"), "{e}");
        };
        let allowed = |dest: PathBuf| {
            check_destination(&root, &dest).unwrap_or_else(|e| panic!("{}: {e}", dest.display()))
        };
        refused(root.clone());
        refused(tmp.path().to_path_buf());
        refused(root.join("content"));
        refused(root.join("data/new/deeper"));
        refused(root.join("themes/x"));
        // Not there yet, and spelled through `..`: resolved before it is compared.
        refused(root.join("public/../content/new"));
        refused(root.join("public/./../data"));
        allowed(root.join("public"));
        allowed(root.join("public/new"));
        allowed(tmp.path().join("elsewhere/public"));
        allowed(root.join("contents"));
    }
}
