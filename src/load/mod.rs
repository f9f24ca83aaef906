//! Stage 1 — load: walk `content/` and `data/` (in parallel), read every file as UTF-8 and parse
//! front matter, Markdown sources and TOML records. Every problem becomes a diagnostic; nothing
//! stops at the first. Nothing here knows about other files: cross-references belong to the model.

pub mod enterprise;
pub mod frontmatter;
pub(crate) mod record_items;
pub(crate) mod scales;
pub mod site_config;
pub mod source;
pub mod standard;
pub mod toml_reader;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Severity, SourceFile};
use enterprise::EnterpriseRecord;
use frontmatter::FrontMatter;
use site_config::SiteConfig;
use standard::Standard;

/// A Markdown file with its front matter read; the body is rendered by the model.
#[derive(Debug, Clone)]
pub(crate) struct RawPage {
    pub(crate) src: Arc<SourceFile>,
    /// Path under `content/`, with `/`: `handbook/风险辨识.md`.
    pub(crate) path: String,
    pub(crate) fm: FrontMatter,
    pub(crate) body_start: usize,
}

impl RawPage {
    pub(crate) fn body(&self) -> &str {
        &self.src.text[self.body_start..]
    }
}

/// Everything read from disk, before cross-references are resolved.
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    pub(crate) root: PathBuf,
    pub(crate) site: Option<SiteConfig>,
    pub(crate) site_src: Option<Arc<SourceFile>>,
    pub(crate) pages: Vec<RawPage>,
    /// `content/enterprises/<slug>.md`: merged into the enterprise page, not pages of their own.
    pub(crate) stories: Vec<RawPage>,
    /// Other files under `content/` (images, PDFs), copied as they are; paths under `content/`.
    pub(crate) assets: Vec<String>,
    pub(crate) enterprises: Vec<EnterpriseRecord>,
    pub(crate) standards: Vec<Standard>,
}

/// Editor droppings that must never be read as content nor trigger a rebuild.
pub(crate) fn is_temp_file(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.starts_with("~$")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name.ends_with(".bck")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name.ends_with(".crdownload")
        || name.ends_with(".part")
        || name == "4913"
        // GNU sed -i writes `sedXXXXXX` beside the file before renaming it over.
        || (name.len() == 9 && name.starts_with("sed") && name[3..].bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Relative paths (with `/`) of the regular files under `root/dir`, sorted, temp files skipped.
/// Symbolic links below `root/dir` are not followed.
pub(crate) fn list_files(root: &Path, dir: &str) -> Vec<String> {
    walk(root, dir, false, &mut Vec::new())
}

/// [`list_files`], reporting what cannot be read (an unreadable folder, a name that is not UTF-8)
/// instead of silently leaving it out, and following symbolic links: a link to a file or folder
/// inside the site root is listed at the link's path, as if it were the file or folder itself;
/// a dangling link, a link out of the site root and a link that loops are reported, at the
/// link's path.
pub(crate) fn list_files_reporting(
    root: &Path,
    dir: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    walk(root, dir, true, diags)
}

/// Why a symbolic link is not followed.
enum LinkProblem {
    Dangling,
    Outside,
    Loop,
}

impl LinkProblem {
    /// The error at the link `link` (shown relative to the site root as `rel`); `root_shown` is
    /// the site root as named in the hint.
    fn diagnostic(&self, link: &Path, rel: &str, root_shown: &str) -> Diagnostic {
        let target = std::fs::read_link(link).map_or_else(
            |e| format!("（无法读取：{e}）"),
            |t| t.display().to_string(),
        );
        let (message, hint) = match self {
            LinkProblem::Dangling => (
                format!("链接指向的文件不存在：{target}"),
                "请改正链接的目标，或删除这个链接".to_string(),
            ),
            LinkProblem::Outside => (
                format!("链接指向站点目录之外：{target}"),
                format!(
                    "只读取指向站点目录（{root_shown}）之内的链接；请把文件复制到站点目录中，或删除这个链接"
                ),
            ),
            LinkProblem::Loop => (
                format!("链接形成循环：{target}"),
                "链接指向它自己所在的文件夹或其上级（或几个链接互相指向），请删除这个链接"
                    .to_string(),
            ),
        };
        Diagnostic::file(Severity::Error, rel, message).with_hint(hint)
    }
}

/// What is wrong with the link `link`, whose target walkdir could not read: it dangles or loops
/// (told apart by following the chain of links one step at a time), or `None` for other failures.
fn broken_link(link: &Path) -> Option<LinkProblem> {
    let mut cur = link.to_path_buf();
    // Linux gives up after 40 links; a chain this long is taken for a loop.
    for _ in 0..=40 {
        match std::fs::symlink_metadata(&cur) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Some(LinkProblem::Dangling);
            }
            Ok(m) if m.file_type().is_symlink() => {}
            _ => return None,
        }
        let target = std::fs::read_link(&cur).ok()?;
        cur = cur.parent().map_or(target.clone(), |p| p.join(&target));
    }
    Some(LinkProblem::Loop)
}

/// What is wrong with following the link `link`, whose target exists, if anything: a target out
/// of every folder of `allowed`, or a folder holding the link itself (the walk would never end).
fn link_problem(link: &Path, is_dir: bool, allowed: &[PathBuf]) -> Option<LinkProblem> {
    let Ok(target) = std::fs::canonicalize(link) else {
        return broken_link(link);
    };
    if !allowed.iter().any(|a| target.starts_with(a)) {
        return Some(LinkProblem::Outside);
    }
    let holds_link = is_dir
        && link
            .parent()
            .and_then(|p| std::fs::canonicalize(p).ok())
            .is_some_and(|parent| parent.starts_with(&target));
    holds_link.then_some(LinkProblem::Loop)
}

fn walk(root: &Path, dir: &str, follow: bool, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let base = root.join(dir);
    if !base.exists() {
        return Vec::new();
    }
    let rel_of = |p: &Path| -> String {
        p.strip_prefix(root)
            .map(|r| {
                r.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_else(|_| p.display().to_string())
    };
    // Where links may lead: the site root, and the walked folder itself (which may be a link out
    // of the root, followed as before).
    let allowed: Vec<PathBuf> = [root, base.as_path()]
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let root_shown = allowed
        .first()
        .map_or_else(|| root.display().to_string(), |r| r.display().to_string());
    let is_temp_path = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_temp_file)
    };
    let mut out = Vec::new();
    let mut entries = walkdir::WalkDir::new(&base)
        .follow_links(follow)
        .into_iter();
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                if follow && let Some(p) = e.path() {
                    // Links with a temp name are skipped unread, like temp files: an editor's
                    // lock file (`.#page.md`) is a dangling link by design.
                    let linked = e.loop_ancestor().is_some() || is_symlink(p);
                    if linked && is_temp_path(p) {
                        continue;
                    }
                    let problem = if e.loop_ancestor().is_some() {
                        Some(LinkProblem::Loop)
                    } else if linked {
                        broken_link(p)
                    } else {
                        None
                    };
                    if let Some(problem) = problem {
                        diags.push(problem.diagnostic(p, &rel_of(p), &root_shown));
                        continue;
                    }
                }
                let at = e.path().map(rel_of).unwrap_or_else(|| dir.to_string());
                let why = e.io_error().map_or(e.to_string(), |io| io.to_string());
                diags.push(Diagnostic::file(
                    Severity::Error,
                    &at,
                    format!("无法读取：{why}"),
                ));
                continue;
            }
        };
        let Some(name) = entry.file_name().to_str() else {
            diags.push(
                Diagnostic::file(
                    Severity::Error,
                    &rel_of(entry.path()),
                    "文件名不是 UTF-8 编码，无法用作网址",
                )
                .with_hint("请用中文或英文重新命名该文件（不要用 GBK 编码的文件名）"),
            );
            continue;
        };
        if follow && entry.depth() > 0 && entry.path_is_symlink() {
            let is_dir = entry.file_type().is_dir();
            let problem = if is_temp_file(name) {
                None
            } else {
                link_problem(entry.path(), is_dir, &allowed)
            };
            if let Some(problem) = &problem {
                let p = entry.path();
                diags.push(problem.diagnostic(p, &rel_of(p), &root_shown));
            }
            if problem.is_some() || is_temp_file(name) {
                if is_dir {
                    entries.skip_current_dir();
                }
                continue;
            }
        }
        if !entry.file_type().is_file() || is_temp_file(name) {
            continue;
        }
        out.push(rel_of(entry.path()));
    }
    out.sort();
    out
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

#[derive(Clone)]
enum Loaded {
    Page(RawPage),
    Story(RawPage),
    Enterprise(Box<EnterpriseRecord>),
    Standard(Box<Standard>),
    Nothing,
}

/// What each file gave last time, with its modification time and length: the preview server
/// reads and parses again only the files that changed.
#[derive(Default)]
pub(crate) struct LoadMemo {
    files: HashMap<String, (SystemTime, u64, Loaded, Vec<Diagnostic>)>,
    /// The files the last load listed (in the listing's order), with the diagnostics listing
    /// them gave.
    listed: Option<(Vec<String>, Vec<Diagnostic>)>,
    /// Set by [`LoadMemo::forget`] when every changed path is a file listed last time: unless
    /// one of them is gone, no file came or went, so the next load reuses the listing and reads
    /// only these (walking and checking 10,000 files took 35–50 ms of each rebuild).
    only: Option<std::collections::BTreeSet<String>>,
}

impl LoadMemo {
    /// Drops what is known about `changed` (paths relative to the site root, files or folders):
    /// the watcher saw them change, and a modification time is not fine enough to tell two quick
    /// saves of the same length apart on every file system.
    pub(crate) fn forget(&mut self, changed: &[PathBuf]) {
        self.only = None;
        if changed.iter().any(|c| c.is_absolute()) {
            // Outside the root as the watcher saw it (a symlinked root, say): trust nothing.
            self.files.clear();
            return;
        }
        let only: std::collections::BTreeSet<String> = changed
            .iter()
            .map(|c| c.to_string_lossy().replace('\\', "/"))
            .collect();
        // Known files are those remembered (every file listed last time, unless it changed
        // while it was read): asked before they are forgotten below.
        let known = only.iter().all(|c| self.files.contains_key(c));
        for c in &only {
            let dir = format!("{}/", c.trim_end_matches('/'));
            self.files
                .retain(|rel, _| rel != c && !rel.starts_with(&dir));
        }
        if self.listed.is_some() && !only.is_empty() && known {
            self.only = Some(only);
        }
    }

    /// The last listing, when [`LoadMemo::forget`] allowed it and the changed files are all
    /// still files, with the paths to read again.
    fn unchanged_listing(
        &self,
        root: &Path,
    ) -> Option<(
        &[String],
        &[Diagnostic],
        &std::collections::BTreeSet<String>,
    )> {
        let only = self.only.as_ref()?;
        let (list, d) = self.listed.as_ref()?;
        only.iter()
            .all(|r| root.join(r).is_file())
            .then_some((list.as_slice(), d.as_slice(), only))
    }
}

/// Reads and parses every input of the site at `root`.
pub(crate) fn load(root: &Path) -> (Inputs, Vec<Diagnostic>) {
    load_with(root, None)
}

/// [`load`], taking unchanged files from `memo` and leaving this load's results in it.
pub(crate) fn load_with(root: &Path, memo: Option<&mut LoadMemo>) -> (Inputs, Vec<Diagnostic>) {
    load_inner(root, memo, &Overlay::new())
}

/// Files given as text instead of read from disk (relative path → text), new ones included:
/// what `records import` would write, checked before anything is written.
pub(crate) type Overlay = std::collections::BTreeMap<String, String>;

/// [`load`] with `overlay` standing in for the files it names.
pub(crate) fn load_overlay(root: &Path, overlay: &Overlay) -> (Inputs, Vec<Diagnostic>) {
    load_inner(root, None, overlay)
}

fn load_inner(
    root: &Path,
    memo: Option<&mut LoadMemo>,
    overlay: &Overlay,
) -> (Inputs, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut inputs = Inputs {
        root: root.to_path_buf(),
        ..Default::default()
    };

    match source::read(root, "data/site.toml") {
        Ok(src) => {
            inputs.site = site_config::parse(&src, &mut diags);
            inputs.site_src = Some(Arc::new(src));
        }
        Err(mut d) => {
            if !root.join("data/site.toml").exists() {
                d = Diagnostic::file(
                    Severity::Error,
                    "data/site.toml",
                    "找不到站点配置文件 data/site.toml",
                )
                .with_hint(format!(
                    "站点根目录是 {}；可用 dualprev init 新建站点",
                    root.display()
                ));
            }
            diags.push(d);
        }
    }

    let fast = memo.as_deref().and_then(|m| m.unchanged_listing(root));
    let (mut files, listing_diags) = match fast {
        Some((list, d, _)) => (list.to_vec(), d.to_vec()),
        None => {
            let mut d = Vec::new();
            let mut files: Vec<String> = list_files_reporting(root, "content", &mut d);
            files.extend(list_files_reporting(root, "data/enterprises", &mut d));
            files.extend(list_files_reporting(root, "data/standards", &mut d));
            (files, d)
        }
    };
    let only = fast.map(|(_, _, only)| only.clone());
    diags.extend(listing_diags.iter().cloned());
    // Remembered for the next load, unless this one reused it.
    let listed = only.is_none().then(|| files.clone());
    for rel in overlay.keys() {
        if !files.contains(rel) {
            files.push(rel.clone());
        }
    }

    let previous = memo.as_deref().map(|m| &m.files);
    type Stamp = Option<(SystemTime, u64)>;
    let results: Vec<(Loaded, Vec<Diagnostic>, Stamp)> = files
        .par_iter()
        .map(|rel| {
            // The watcher said which files changed and none came or went: trust it for the rest.
            let trusted = only.as_ref().is_some_and(|o| !o.contains(rel));
            if let Some((t, l, loaded, d)) = previous.and_then(|p| p.get(rel)).filter(|_| trusted) {
                return (loaded.clone(), d.clone(), Some((*t, *l)));
            }
            let stamp = previous.and_then(|_| {
                let m = std::fs::metadata(root.join(rel)).ok()?;
                Some((m.modified().ok()?, m.len()))
            });
            let same = previous
                .and_then(|p| p.get(rel))
                .filter(|(t, l, ..)| stamp == Some((*t, *l)));
            if let Some((_, _, loaded, d)) = same {
                return (loaded.clone(), d.clone(), stamp);
            }
            let mut d = Vec::new();
            let loaded = load_one(root, rel, overlay.get(rel), &mut d);
            // A file that changed while it was read is not remembered; the watcher reports it again.
            let after = stamp.and_then(|_| {
                let m = std::fs::metadata(root.join(rel)).ok()?;
                Some((m.modified().ok()?, m.len()))
            });
            (loaded, d, stamp.filter(|_| after == stamp))
        })
        .collect();
    if let Some(m) = memo {
        match &only {
            // Only the files read again are new to the memo.
            Some(only) => {
                for (rel, (loaded, d, stamp)) in files.iter().zip(&results) {
                    match stamp {
                        Some((t, l)) if only.contains(rel) || !m.files.contains_key(rel) => {
                            m.files
                                .insert(rel.clone(), (*t, *l, loaded.clone(), d.clone()));
                        }
                        None => {
                            m.files.remove(rel);
                        }
                        Some(_) => {}
                    }
                }
            }
            None => {
                m.listed = listed.map(|l| (l, listing_diags));
                m.files = files
                    .iter()
                    .zip(&results)
                    .filter_map(|(rel, (loaded, d, stamp))| {
                        let (t, l) = (*stamp)?;
                        Some((rel.clone(), (t, l, loaded.clone(), d.clone())))
                    })
                    .collect();
            }
        }
        m.only = None;
    }
    for ((loaded, mut d, _), rel) in results.into_iter().zip(&files) {
        diags.append(&mut d);
        match loaded {
            Loaded::Page(p) => inputs.pages.push(p),
            Loaded::Story(p) => inputs.stories.push(p),
            Loaded::Enterprise(e) => inputs.enterprises.push(*e),
            Loaded::Standard(s) => inputs.standards.push(*s),
            Loaded::Nothing => {
                if let Some(asset) = rel.strip_prefix("content/")
                    && !asset.ends_with(".md")
                {
                    inputs.assets.push(asset.to_string());
                }
            }
        }
    }
    (inputs, diags)
}

fn stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

fn load_one(root: &Path, rel: &str, text: Option<&String>, diags: &mut Vec<Diagnostic>) -> Loaded {
    let is_md = rel.ends_with(".md");
    let is_toml = rel.ends_with(".toml");
    if rel.starts_with("content/") && !is_md {
        return Loaded::Nothing;
    }
    if rel.starts_with("data/") && !is_toml {
        diags.push(Diagnostic::file(
            Severity::Warning,
            rel,
            "data/ 下只读取 .toml 文件，此文件被忽略",
        ));
        return Loaded::Nothing;
    }
    let read = match text {
        Some(t) => source::decode(rel, t.clone().into_bytes()),
        None => source::read(root, rel),
    };
    let src = match read {
        Ok(s) => Arc::new(s),
        Err(d) => {
            diags.push(d);
            return Loaded::Nothing;
        }
    };
    if let Some(path) = rel.strip_prefix("content/") {
        let Some((fm, body_start)) = frontmatter::parse(&src, diags) else {
            return Loaded::Nothing;
        };
        let page = RawPage {
            src,
            path: path.to_string(),
            fm,
            body_start,
        };
        let is_story = path.starts_with("enterprises/")
            && path.matches('/').count() == 1
            && !path.ends_with("/_index.md");
        return if is_story {
            Loaded::Story(page)
        } else {
            Loaded::Page(page)
        };
    }
    let slug = stem(rel);
    if rel.starts_with("data/enterprises/") {
        if !valid_slug(slug) {
            diags.push(
                Diagnostic::file(
                    Severity::Error,
                    rel,
                    format!("企业档案的文件名“{slug}”不能用作网址"),
                )
                .with_hint("文件名只用小写英文字母、数字和连字符，例如 lianshan-casting.toml"),
            );
            return Loaded::Nothing;
        }
        return enterprise::parse(src, slug, diags)
            .map_or(Loaded::Nothing, |e| Loaded::Enterprise(Box::new(e)));
    }
    if rel.starts_with("data/standards/") {
        if !valid_slug(slug) {
            diags.push(
                Diagnostic::file(
                    Severity::Error,
                    rel,
                    format!("评估标准的文件名“{slug}”不能用作网址"),
                )
                .with_hint("文件名只用小写英文字母、数字和连字符，例如 small-micro.toml"),
            );
            return Loaded::Nothing;
        }
        return standard::parse(src, slug, diags)
            .map_or(Loaded::Nothing, |s| Loaded::Standard(Box::new(s)));
    }
    Loaded::Nothing
}

/// Slugs of records become URL segments: lowercase ASCII letters, digits and hyphens.
pub(crate) fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forget_drops_changed_files_and_folders() {
        let mut m = LoadMemo::default();
        let loaded = (SystemTime::UNIX_EPOCH, 1, Loaded::Nothing, Vec::new());
        for rel in [
            "content/a.md",
            "content/ab.md",
            "content/sub/b.md",
            "data/site.toml",
        ] {
            m.files.insert(rel.to_string(), loaded.clone());
        }
        m.forget(&[PathBuf::from("content/a.md"), PathBuf::from("content/sub")]);
        let mut left: Vec<&String> = m.files.keys().collect();
        left.sort();
        assert_eq!(left, ["content/ab.md", "data/site.toml"]);
        m.forget(&[PathBuf::from("/elsewhere/x.md")]);
        assert!(m.files.is_empty());
    }

    /// A file the watcher names is read again without listing the folders again, while a new or
    /// removed file makes the next load list them.
    #[test]
    fn a_known_file_changed_is_read_again_without_listing_the_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let page = |name: &str, title: &str| {
            std::fs::write(
                root.join("content").join(name),
                format!("+++\ntitle = \"{title}\"\n+++\n正文\n"),
            )
            .unwrap();
        };
        let titles = |m: &mut LoadMemo| -> Vec<String> {
            let (inputs, _) = load_with(root, Some(m));
            let mut t: Vec<String> = inputs.pages.iter().map(|p| p.fm.title.clone()).collect();
            t.sort();
            t
        };
        page("a.md", "甲");
        page("b.md", "乙");
        let mut m = LoadMemo::default();
        assert_eq!(titles(&mut m), ["乙", "甲"]);
        page("a.md", "甲二");
        m.forget(&[PathBuf::from("content/a.md")]);
        assert!(m.only.is_some(), "a known file: the listing is reused");
        assert_eq!(titles(&mut m), ["乙", "甲二"]);
        page("c.md", "丙");
        m.forget(&[PathBuf::from("content/c.md")]);
        assert!(m.only.is_none(), "a new file: the folders are listed again");
        assert_eq!(titles(&mut m), ["丙", "乙", "甲二"]);
        std::fs::remove_file(root.join("content/b.md")).unwrap();
        m.forget(&[PathBuf::from("content/b.md")]);
        assert_eq!(titles(&mut m), ["丙", "甲二"], "a removed file is gone");
    }
}
