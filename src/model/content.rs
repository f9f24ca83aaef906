//! The content tree: Markdown files become pages, folders become sections (described by `_index.md`),
//! each with a URL, a table of contents, a place among its siblings (previous/next) and rendered HTML.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use super::markdown::{self, Heading, LinkTargets, RenderCtx};
use crate::diag::{Diagnostic, SourceFile};
use crate::load::RawPage;
mod print;
pub(crate) use print::PrintBook;
use print::print_books;

#[derive(Debug, Clone, Serialize, Hash)]
pub(crate) struct LinkRef {
    pub(crate) title: String,
    /// URL key relative to the site root, percent-encoded: `handbook/%E9%A3%8E/`.
    pub(crate) url: String,
    pub(crate) description: String,
    pub(crate) date: Option<Date>,
    pub(crate) weight: i64,
}

/// A page's rendered Markdown, shared with the preview server's memo; it hashes as its
/// fingerprint (computed once, when rendered) and serializes as the HTML text.
#[derive(Debug, Clone)]
pub(crate) struct Html {
    pub(crate) text: Arc<str>,
    pub(crate) fp: u64,
}

impl Html {
    pub(crate) fn new(text: String) -> Html {
        let fp = crate::fingerprint::of(&text);
        Html {
            text: Arc::from(text),
            fp,
        }
    }
}

impl std::ops::Deref for Html {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl Hash for Html {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.fp.hash(state);
    }
}

impl Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

#[derive(Debug, Clone, Serialize, Hash)]
pub(crate) struct Page {
    /// Path under `content/`.
    pub(crate) path: String,
    /// Unencoded URL key (`handbook/风险辨识/`, `` for home): also the output folder.
    pub(crate) key: String,
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) weight: i64,
    pub(crate) date: Option<Date>,
    pub(crate) template: Option<String>,
    pub(crate) is_section: bool,
    /// Key of the enclosing section.
    pub(crate) section: String,
    pub(crate) html: Html,
    /// Shared with the preview server's memo, which hands it to the next build unchanged.
    pub(crate) toc: Arc<[Heading]>,
    pub(crate) prev: Option<LinkRef>,
    pub(crate) next: Option<LinkRef>,
    pub(crate) pages: Vec<LinkRef>,
    pub(crate) subsections: Vec<LinkRef>,
    /// Parent sections from the top, for breadcrumbs.
    pub(crate) ancestors: Vec<LinkRef>,
}

impl Page {
    pub(crate) fn link(&self) -> LinkRef {
        LinkRef {
            title: self.title.clone(),
            url: self.url.clone(),
            description: self.description.clone(),
            date: self.date,
            weight: self.weight,
        }
    }
}

/// Expands a data shortcode for a page whose root prefix is the last argument.
pub(crate) type SiteShortcode<'a> =
    dyn Fn(&str, &BTreeMap<String, String>, &str) -> Result<String, String> + Sync + 'a;

/// URL key of a content path: `a/b.md` → `a/b/`, `a/_index.md` → `a/`, `_index.md` → ``.
pub fn key_of(path: &str) -> String {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    if stem == "_index" {
        String::new()
    } else if let Some(dir) = stem.strip_suffix("/_index") {
        format!("{dir}/")
    } else {
        format!("{stem}/")
    }
}

fn parent_key(key: &str) -> String {
    let trimmed = key.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => format!("{}/", &trimmed[..i]),
        None => String::new(),
    }
}

/// `../` once per folder level of `key`.
pub fn root_prefix(key: &str) -> String {
    "../".repeat(key.matches('/').count())
}

/// Markdown results of the previous build, for the preview server: a page whose body, link
/// targets and (when it uses shortcodes) site data are unchanged is not parsed again.
#[derive(Default)]
pub(crate) struct MarkdownMemo {
    /// By content path; looked up once per page per rebuild, so with foldhash, not SipHash.
    pages: HashMap<String, Memo, foldhash::fast::RandomState>,
    /// The link targets of the previous build and their fingerprint: an edit that changes no
    /// page's path or heading ids keeps them (10,000 pages' targets took 10 ms to gather and hash).
    targets: Option<(Arc<LinkTargets>, u64)>,
}

struct Memo {
    src: Arc<SourceFile>,
    body_start: usize,
    headings: Arc<[Heading]>,
    html: MemoHtml,
}

/// A page's rendered Markdown with what it was rendered against.
struct MemoHtml {
    /// Fingerprint of the link targets, and of the site data (0 when no shortcode was used).
    targets: u64,
    data: u64,
    text: Arc<str>,
    fp: u64,
    /// The page's link diagnostics.
    diags: Vec<Diagnostic>,
}

impl Memo {
    /// Same body as `p`: the load memo hands back the very same source when the file is unchanged.
    fn same_body(&self, p: &RawPage) -> bool {
        self.body_start == p.body_start
            && (Arc::ptr_eq(&self.src, &p.src) || self.src.text == p.src.text)
    }
}

/// A page's Markdown as rendered: HTML, its fingerprint, link diagnostics, the data fingerprint
/// (0 when no shortcode was used), and whether it was rendered now rather than remembered.
type Rendered = (Arc<str>, u64, Vec<Diagnostic>, u64, bool);

/// Builds the page tree. `shortcode` expands data shortcodes; link problems go to `diags`.
/// `data` fingerprints what shortcodes read; `memo` (the preview server's) skips unchanged pages.
pub(crate) fn build(
    raw: &[RawPage],
    templates: &BTreeSet<String>,
    shortcode: &SiteShortcode<'_>,
    data: u64,
    memo: Option<&mut MarkdownMemo>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Page>, Arc<LinkTargets>, Vec<PrintBook>) {
    let live: Vec<&RawPage> = raw.iter().filter(|p| !p.fm.draft).collect();
    check_templates(&live, templates, diags);
    let previous = memo.as_deref().map(|m| &m.pages);
    let memos: Vec<Option<&Memo>> = live.par_iter().map(|p| remembered(previous, p)).collect();
    let headings: Vec<Arc<[Heading]>> = live
        .par_iter()
        .zip(&memos)
        .map(|(p, m)| match m {
            Some(m) => m.headings.clone(),
            None => markdown::headings(p.body()).into(),
        })
        .collect();
    let kept = memo
        .as_deref()
        .and_then(|m| m.targets.as_ref())
        .filter(|(t, _)| same_targets(t, &live, &headings, &memos));
    let (targets, targets_fp) = match kept {
        Some((t, fp)) => (t.clone(), *fp),
        None => {
            let t = link_targets(&live, &headings);
            let fp = crate::fingerprint::of(&t);
            (Arc::new(t), fp)
        }
    };
    let rendered: Vec<Rendered> = live
        .par_iter()
        .zip(headings.par_iter())
        .zip(&memos)
        .map(|((p, h), m)| {
            let same = m
                .map(|m| &m.html)
                .filter(|m| m.targets == targets_fp && (m.data == 0 || m.data == data));
            if let Some(m) = same {
                return (m.text.clone(), m.fp, m.diags.clone(), m.data, false);
            }
            render_markdown(p, h, &targets, shortcode, data)
        })
        .collect();
    if let Some(m) = memo {
        remember(m, &live, &headings, &rendered, targets_fp);
        m.targets = Some((targets.clone(), targets_fp));
    }
    let mut pages: Vec<Page> = Vec::new();
    for ((p, h), (html, html_fp, mut d, _, _)) in live.iter().zip(headings).zip(rendered) {
        diags.append(&mut d);
        pages.push(new_page(p, h, html, html_fp));
    }
    add_missing_sections(&mut pages);
    link_siblings(&mut pages);
    let books = print_books(&live, &pages, &targets, shortcode);
    (pages, targets, books)
}

/// A page may name its template; one the theme lacks is an error with the likely name.
fn check_templates(live: &[&RawPage], templates: &BTreeSet<String>, diags: &mut Vec<Diagnostic>) {
    for p in live {
        if let Some(t) = &p.fm.template
            && !templates.contains(&t.v)
        {
            let mut d =
                Diagnostic::error_at(&p.src, t.span.clone(), format!("找不到模板“{}”", t.v));
            if let Some(s) = crate::diag::suggest(&t.v, templates.iter().map(|s| s.as_str())) {
                d = d.with_hint(format!("是否应为“{s}”？"));
            }
            diags.push(d);
        }
    }
}

/// The previous build's results for a page whose body has not changed.
fn remembered<'m>(
    previous: Option<&'m HashMap<String, Memo, foldhash::fast::RandomState>>,
    p: &RawPage,
) -> Option<&'m Memo> {
    previous
        .and_then(|m| m.get(&p.path))
        .filter(|m| m.same_body(p))
}

/// Whether `targets` (the previous build's) still hold: the same pages, and each page whose body
/// changed (no memo) has the same heading ids as before (the others' headings come from the memo).
fn same_targets(
    targets: &LinkTargets,
    live: &[&RawPage],
    headings: &[Arc<[Heading]>],
    memos: &[Option<&Memo>],
) -> bool {
    targets.len() == live.len()
        && live.iter().zip(headings).zip(memos).all(|((p, h), m)| {
            let Some((_, ids)) = targets.get(&p.path) else {
                return false;
            };
            m.is_some() || h.iter().map(|h| &h.id).collect::<BTreeSet<_>>() == ids.iter().collect()
        })
}

/// What links may point to: each page's key and heading ids, by content path.
fn link_targets(live: &[&RawPage], headings: &[Arc<[Heading]>]) -> LinkTargets {
    let mut targets: LinkTargets = BTreeMap::new();
    for (p, h) in live.iter().zip(headings) {
        let ids: BTreeSet<String> = h.iter().map(|h| h.id.clone()).collect();
        targets.insert(p.path.clone(), (key_of(&p.path), ids));
    }
    targets
}

/// A page's Markdown rendered now, noting whether it used a shortcode (and so the site data).
fn render_markdown(
    p: &RawPage,
    h: &[Heading],
    targets: &LinkTargets,
    shortcode: &SiteShortcode<'_>,
    data: u64,
) -> Rendered {
    let key = key_of(&p.path);
    let root = root_prefix(&key);
    let mut d = Vec::new();
    let used = std::sync::atomic::AtomicBool::new(false);
    let sc = |name: &str, args: &BTreeMap<String, String>| {
        used.store(true, std::sync::atomic::Ordering::Relaxed);
        shortcode(name, args, &root)
    };
    let ctx = RenderCtx {
        src: &p.src,
        body_start: p.body_start,
        path: &p.path,
        root: &root,
        headings: h,
        targets,
        shortcode: &sc,
        in_page: None,
        id_prefix: "",
    };
    let html = markdown::render(p.body(), &ctx, &mut d);
    let used = used.load(std::sync::atomic::Ordering::Relaxed);
    let html = Html::new(html);
    (html.text, html.fp, d, if used { data } else { 0 }, true)
}

/// The memo for the next build: deleted pages forgotten, fresh results remembered.
fn remember(
    m: &mut MarkdownMemo,
    live: &[&RawPage],
    headings: &[Arc<[Heading]>],
    rendered: &[Rendered],
    targets_fp: u64,
) {
    for ((p, h), (html, fp, d, data, fresh)) in live.iter().zip(headings).zip(rendered) {
        let keep = !fresh
            && m.pages
                .get(&p.path)
                .is_some_and(|m| Arc::ptr_eq(&m.src, &p.src));
        if !keep {
            m.pages.insert(
                p.path.clone(),
                Memo {
                    src: p.src.clone(),
                    body_start: p.body_start,
                    headings: h.clone(),
                    html: MemoHtml {
                        targets: targets_fp,
                        data: *data,
                        text: html.clone(),
                        fp: *fp,
                        diags: d.clone(),
                    },
                },
            );
        }
    }
    // Every live page is remembered now: more entries than pages means some went away.
    if m.pages.len() > live.len() {
        let live_paths: BTreeSet<&str> = live.iter().map(|p| p.path.as_str()).collect();
        m.pages.retain(|k, _| live_paths.contains(k.as_str()));
    }
}

/// A page of the tree from its file and rendered Markdown; its place among the others (siblings,
/// children, ancestors) is filled in once all pages are made.
fn new_page(p: &RawPage, toc: Arc<[Heading]>, html: Arc<str>, html_fp: u64) -> Page {
    let key = key_of(&p.path);
    let is_section = p.path == "_index.md" || p.path.ends_with("/_index.md");
    let section = parent_key(&key);
    Page {
        path: p.path.clone(),
        url: crate::url::encode_path(&key),
        key: key.clone(),
        title: p.fm.title.clone(),
        description: p.fm.description.clone(),
        weight: p.fm.weight,
        date: p.fm.date,
        template: p.fm.template.as_ref().map(|t| t.v.clone()),
        is_section,
        section,
        html: Html {
            text: html,
            fp: html_fp,
        },
        toc,
        prev: None,
        next: None,
        pages: Vec::new(),
        subsections: Vec::new(),
        ancestors: Vec::new(),
    }
}

/// A folder without `_index.md` still lists its pages: give it a section named after the folder.
fn add_missing_sections(pages: &mut Vec<Page>) {
    let have: BTreeSet<String> = pages
        .iter()
        .filter(|p| p.is_section)
        .map(|p| p.key.clone())
        .collect();
    let mut needed: BTreeSet<String> = BTreeSet::new();
    for p in pages.iter() {
        let mut k = p.section.clone();
        loop {
            if !have.contains(&k) {
                needed.insert(k.clone());
            }
            if k.is_empty() {
                break;
            }
            k = parent_key(&k);
        }
    }
    for key in needed {
        let title = key
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        let path = if key.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{key}_index.md")
        };
        pages.push(Page {
            path,
            url: crate::url::encode_path(&key),
            section: parent_key(&key),
            key,
            title,
            description: String::new(),
            weight: 0,
            date: None,
            template: None,
            is_section: true,
            html: Html::new(String::new()),
            toc: Arc::from([]),
            prev: None,
            next: None,
            pages: Vec::new(),
            subsections: Vec::new(),
            ancestors: Vec::new(),
        });
    }
}

/// Orders each section's pages by date (newest first) when they are dated, else by weight then title.
fn link_siblings(pages: &mut [Page]) {
    pages.sort_by(|a, b| a.key.cmp(&b.key));
    let index: BTreeMap<String, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.clone(), i))
        .collect();
    let mut children: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut subs: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        if p.is_section {
            if !p.key.is_empty() {
                subs.entry(p.section.clone()).or_default().push(i);
            }
        } else {
            children.entry(p.section.clone()).or_default().push(i);
        }
    }
    let order = |pages: &[Page], v: &mut Vec<usize>| {
        let dated = v.iter().all(|i| pages[*i].date.is_some()) && !v.is_empty();
        v.sort_by(|a, b| {
            let (pa, pb) = (&pages[*a], &pages[*b]);
            if dated {
                (pb.date, pa.weight, &pa.title, &pa.key)
                    .cmp(&(pa.date, pb.weight, &pb.title, &pb.key))
            } else {
                (pa.weight, &pa.title, &pa.key).cmp(&(pb.weight, &pb.title, &pb.key))
            }
        });
    };
    for v in children.values_mut() {
        order(pages, v);
    }
    for v in subs.values_mut() {
        order(pages, v);
    }
    for (section, list) in &children {
        let links: Vec<LinkRef> = list.iter().map(|i| pages[*i].link()).collect();
        for (n, i) in list.iter().enumerate() {
            pages[*i].prev = if n > 0 {
                Some(links[n - 1].clone())
            } else {
                None
            };
            pages[*i].next = links.get(n + 1).cloned();
        }
        if let Some(s) = index.get(section) {
            pages[*s].pages = links;
        }
    }
    for (section, list) in &subs {
        let links: Vec<LinkRef> = list.iter().map(|i| pages[*i].link()).collect();
        if let Some(s) = index.get(section) {
            pages[*s].subsections = links;
        }
    }
    for i in 0..pages.len() {
        let mut anc = Vec::new();
        let mut k = pages[i].section.clone();
        if pages[i].key.is_empty() {
            continue;
        }
        loop {
            if let Some(j) = index.get(&k) {
                anc.push(pages[*j].link());
            }
            if k.is_empty() {
                break;
            }
            k = parent_key(&k);
        }
        anc.reverse();
        pages[i].ancestors = anc;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key_of("_index.md"), "");
        assert_eq!(key_of("handbook/_index.md"), "handbook/");
        assert_eq!(key_of("handbook/风险辨识.md"), "handbook/风险辨识/");
        assert_eq!(root_prefix("handbook/风险辨识/"), "../../");
        assert_eq!(root_prefix(""), "");
        assert_eq!(parent_key("handbook/a/"), "handbook/");
        assert_eq!(parent_key("about/"), "");
    }
}
