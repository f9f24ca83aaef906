//! Stage 5 — write: the rendered site goes into a staging folder beside the output, which is then
//! swapped in with renames. A failure at any point removes the staging folder and leaves the
//! previous output exactly as it was.

use std::path::{Path, PathBuf};

use crate::render::Output;
use crate::render::theme::ThemeFile;

/// Writes `out` to `dest` atomically (as far as the file system allows: two renames).
pub fn write(dest: &Path, out: &Output) -> Result<(), String> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("无法创建输出目录的上级目录 {}：{e}", parent.display()))?;
    let name = dest
        .file_name()
        .map_or("public".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    if let Err(e) = fill(&staging, out) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap(dest, &staging, &old)
}

fn fill(staging: &Path, out: &Output) -> Result<(), String> {
    std::fs::create_dir_all(staging)
        .map_err(|e| format!("无法创建临时目录 {}：{e}", staging.display()))?;
    for (rel, bytes) in &out.files {
        let p = staging.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("无法创建目录 {}：{e}", dir.display()))?;
        }
        std::fs::write(&p, bytes).map_err(|e| format!("无法写入 {}：{e}", p.display()))?;
    }
    for (rel, f) in &out.copies {
        if out.files.contains_key(rel) {
            continue;
        }
        let p = staging.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("无法创建目录 {}：{e}", dir.display()))?;
        }
        match f {
            ThemeFile::Embedded(bytes) => {
                std::fs::write(&p, bytes).map_err(|e| format!("无法写入 {}：{e}", p.display()))?
            }
            ThemeFile::Disk(src) => {
                std::fs::copy(src, &p)
                    .map_err(|e| format!("无法复制 {} 到 {}：{e}", src.display(), p.display()))?;
            }
        }
    }
    Ok(())
}

fn swap(dest: &Path, staging: &PathBuf, old: &PathBuf) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(old);
    let had_old = dest.exists();
    if had_old {
        std::fs::rename(dest, old).map_err(|e| {
            let _ = std::fs::remove_dir_all(staging);
            format!("无法替换输出目录 {}：{e}", dest.display())
        })?;
    }
    if let Err(e) = std::fs::rename(staging, dest) {
        if had_old {
            let _ = std::fs::rename(old, dest);
        }
        let _ = std::fs::remove_dir_all(staging);
        return Err(format!("无法替换输出目录 {}：{e}", dest.display()));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}
