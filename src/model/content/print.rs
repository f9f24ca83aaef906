//! The handbook's print versions: every chapter of a manual on one page, in order, for trainers
//! who print the whole manual.

use super::*;

/// One chapter of a print version.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Chapter {
    pub(crate) title: String,
    pub(crate) anchor: String,
    pub(crate) html: String,
    pub(crate) toc: Vec<Heading>,
}

/// A manual on one page for printing: every chapter in order, links between chapters turned
/// into in-page anchors, heading ids prefixed per chapter so they stay unique.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PrintBook {
    /// `handbook/small-micro/print/`
    pub(crate) key: String,
    pub(crate) section_url: String,
    pub(crate) title: String,
    pub(crate) intro: String,
    pub(crate) chapters: Vec<Chapter>,
}

/// Print versions for the sections directly under `handbook/` that have pages.
pub(super) fn print_books(
    live: &[&RawPage],
    pages: &[Page],
    targets: &LinkTargets,
    shortcode: &SiteShortcode<'_>,
) -> Vec<PrintBook> {
    pages
        .iter()
        .filter(|p| {
            p.is_section
                && p.key.starts_with("handbook/")
                && p.key.matches('/').count() == 2
                && !p.pages.is_empty()
        })
        .map(|s| print_book(live, pages, s, targets, shortcode))
        .collect()
}

/// One section's print version: its text, then its pages as chapters.
fn print_book(
    live: &[&RawPage],
    pages: &[Page],
    s: &Page,
    targets: &LinkTargets,
    shortcode: &SiteShortcode<'_>,
) -> PrintBook {
    let key = format!("{}print/", s.key);
    let root = root_prefix(&key);
    let chapters: Vec<&Page> = s
        .pages
        .iter()
        .filter_map(|l| pages.iter().find(|p| p.url == l.url))
        .collect();
    let in_page: BTreeMap<String, String> = chapters
        .iter()
        .enumerate()
        .map(|(i, p)| (p.path.clone(), format!("ch-{}-", i + 1)))
        .collect();
    let rendered: Vec<Chapter> = chapters
        .par_iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let raw = live.iter().find(|r| r.path == p.path)?;
            Some(print_chapter(
                raw, p, i, &root, &in_page, targets, shortcode,
            ))
        })
        .collect();
    // The section's own text renders again for the print page: its links start one folder
    // deeper, and links to chapters become in-page anchors.
    let intro = live
        .iter()
        .find(|r| r.path == s.path)
        .map(|raw| print_markdown(raw, &s.toc, "", &root, &in_page, targets, shortcode))
        .unwrap_or_default();
    PrintBook {
        key,
        section_url: s.url.clone(),
        title: s.title.clone(),
        intro,
        chapters: rendered,
    }
}

/// A page of the section as chapter `i` (from 0) of its print version, its heading ids prefixed.
fn print_chapter(
    raw: &RawPage,
    p: &Page,
    i: usize,
    root: &str,
    in_page: &BTreeMap<String, String>,
    targets: &LinkTargets,
    shortcode: &SiteShortcode<'_>,
) -> Chapter {
    let prefix = format!("ch-{}-", i + 1);
    let html = print_markdown(raw, &p.toc, &prefix, root, in_page, targets, shortcode);
    let toc = p
        .toc
        .iter()
        .map(|h| Heading {
            level: h.level,
            id: format!("{prefix}{}", h.id),
            title: h.title.clone(),
        })
        .collect();
    Chapter {
        title: p.title.clone(),
        anchor: format!("ch-{}", i + 1),
        html,
        toc,
    }
}

/// A page's Markdown rendered again for a print page, at the print page's `root`, with links to
/// the pages in `in_page` made in-page anchors. Its diagnostics were reported by the page itself.
fn print_markdown(
    raw: &RawPage,
    headings: &[Heading],
    id_prefix: &str,
    root: &str,
    in_page: &BTreeMap<String, String>,
    targets: &LinkTargets,
    shortcode: &SiteShortcode<'_>,
) -> String {
    let sc = |name: &str, args: &BTreeMap<String, String>| shortcode(name, args, root);
    let ctx = RenderCtx {
        src: &raw.src,
        body_start: raw.body_start,
        path: &raw.path,
        root,
        headings,
        targets,
        shortcode: &sc,
        in_page: Some(in_page),
        id_prefix,
    };
    markdown::render(raw.body(), &ctx, &mut Vec::new())
}
