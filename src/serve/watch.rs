//! Watching the site's sources (content/, data/, templates/, static/, themes/) with notify, and
//! turning the bursts of events an editor makes for one save (temp file, rename, delete+create)
//! into one batch of changed paths after a short quiet period.

use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

/// Quiet time that ends a burst; long enough for rename-over saves, short enough to feel instant.
pub(crate) const QUIET: Duration = Duration::from_millis(25);
/// Quiet time after an event that ends a save (a file closed after writing, or renamed into
/// place): the file is whole, and only another file of the same save could still come.
pub(crate) const SETTLE: Duration = Duration::from_millis(5);
/// A burst never delays a rebuild longer than this.
pub(crate) const MAX_WAIT: Duration = Duration::from_millis(250);

pub(crate) const DIRS: &[&str] = &["content", "data", "templates", "static", "themes"];

/// Whether a path (relative or absolute) is an editor's temporary file.
pub(crate) fn is_temp(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::load::is_temp_file(&name) || path.components().any(|c| c.as_os_str() == ".git")
}

/// What the watcher hands the rebuild loop.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change {
    /// Changed paths (relative to the root), one editor save or one burst.
    Paths(Vec<PathBuf>),
    /// A sync marker file was created: every change before it has been handed over.
    Sync(String),
}

/// A file whose name starts with this is a sync marker: tests (or scripts) create one and wait
/// until `/__dualprev/status` reports it in `sync`, which means every change made before it
/// has been built — waiting on an event, not on a fixed time. Such files are dot files, which
/// the site ignores.
pub(crate) const SYNC_PREFIX: &str = ".dualprev-sync-";

/// The sync marker an event creates, if any.
fn sync_marker(ev: &notify::Event) -> Option<String> {
    if !matches!(ev.kind, notify::EventKind::Create(_)) {
        return None;
    }
    ev.paths.iter().find_map(|p| {
        let name = p.file_name()?.to_string_lossy();
        name.starts_with(SYNC_PREFIX).then(|| name.into_owned())
    })
}

/// Starts watching; batches of changed paths (relative to `root`) and sync markers arrive on `tx`.
pub(crate) fn start(
    root: &Path,
    tx: mpsc::Sender<Change>,
) -> anyhow::Result<notify::RecommendedWatcher> {
    let (raw_tx, raw_rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(raw_tx).context("无法监视文件变化")?;
    for d in DIRS {
        let p = root.join(d);
        if p.is_dir() {
            watcher
                .watch(&p, RecursiveMode::Recursive)
                .with_context(|| format!("无法监视 {}", p.display()))?;
        }
    }
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    std::thread::spawn(move || debounce(&root, raw_rx, tx));
    Ok(watcher)
}

fn relevant(root: &Path, ev: &notify::Event) -> Vec<PathBuf> {
    if matches!(ev.kind, notify::EventKind::Access(_)) {
        return Vec::new();
    }
    ev.paths
        .iter()
        .filter(|p| !is_temp(p))
        .map(|p| {
            p.strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| p.clone())
        })
        .collect()
}

/// Whether `ev` ends the save of a source file: closed after writing, or renamed into place.
fn completes(ev: &notify::Event) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
    let done = matches!(
        ev.kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
    );
    done && ev.paths.iter().any(|p| !is_temp(p))
}

fn debounce(
    root: &Path,
    rx: mpsc::Receiver<notify::Result<notify::Event>>,
    tx: mpsc::Sender<Change>,
) {
    // Sends the batch (unless empty: a burst made only of temp files builds nothing), then the
    // sync marker that ended it, in that order.
    let flush = |batch: &mut Vec<PathBuf>, sync: Option<String>| -> bool {
        batch.sort();
        batch.dedup();
        if !batch.is_empty() && tx.send(Change::Paths(std::mem::take(batch))).is_err() {
            return false;
        }
        sync.is_none_or(|name| tx.send(Change::Sync(name)).is_ok())
    };
    loop {
        let Ok(first) = rx.recv() else { return };
        let mut batch: Vec<PathBuf> = Vec::new();
        let mut sync = None;
        let mut quiet = QUIET;
        if let Ok(e) = &first {
            sync = sync_marker(e);
            batch.extend(relevant(root, e));
            quiet = if completes(e) { SETTLE } else { QUIET };
        }
        let start = Instant::now();
        while sync.is_none() {
            let left = MAX_WAIT.saturating_sub(start.elapsed());
            match rx.recv_timeout(quiet.min(left)) {
                Ok(ev) => {
                    if let Ok(e) = ev {
                        sync = sync_marker(&e);
                        batch.extend(relevant(root, &e));
                        quiet = if completes(&e) { SETTLE } else { QUIET };
                    }
                    if start.elapsed() >= MAX_WAIT {
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        if !flush(&mut batch, sync) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, DataChange, EventKind, ModifyKind, RenameMode};

    fn ev(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn a_save_ends_when_the_file_is_closed_or_renamed_into_place() {
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        let written = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert!(completes(&ev(closed, "/site/content/a.md")));
        assert!(completes(&ev(renamed, "/site/content/a.md")));
        assert!(!completes(&ev(written, "/site/content/a.md")));
        assert!(!completes(&ev(closed, "/site/content/.a.md.swp")));
    }
}
