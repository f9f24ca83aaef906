//! The output's own link check: every `href`/`src` of every generated HTML page (print versions, 404,
//! card sheets included) and every URL of the feeds and the sitemap must name a file the build
//! writes, and a `#anchor` must name an id of that page. Problems are reported per page, in Chinese.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use crate::diag::{Diagnostic, Severity};

/// How the site is addressed: absolute links start with `url`, root-relative ones with `path`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Base {
    /// `https://example.org/lianshan/`, when the site has a base URL.
    pub(crate) url: Option<String>,
    /// `/lianshan/` (or `/`).
    pub(crate) path: String,
}

impl Base {
    pub(crate) fn new(base_url: Option<&str>) -> Base {
        let url = base_url.map(|u| {
            if u.ends_with('/') {
                u.to_string()
            } else {
                format!("{u}/")
            }
        });
        let path = url
            .as_deref()
            .and_then(|b| b.split_once("://").map(|(_, r)| r))
            .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
            .unwrap_or_else(|| "/".into());
        Base { url, path }
    }
}

/// One link of a page: as written, and the output file (and anchor) it resolves to; `None` when
/// it climbs above the site root.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub(crate) written: String,
    pub(crate) target: Option<String>,
    pub(crate) anchor: Option<String>,
}

/// What the check needs of one generated file: its links and the ids it defines.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageLinks {
    pub(crate) links: Vec<Link>,
    pub(crate) ids: Vec<String>,
}

/// Whether the link check looks into this output file.
pub(crate) fn scanned(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".xml")
}

/// The links and ids of an output file (HTML, or the XML of a feed or the sitemap).
pub(crate) fn scan(path: &str, bytes: &[u8], base: &Base) -> PageLinks {
    let text = String::from_utf8_lossy(bytes);
    let mut links: Vec<Link> = Vec::new();
    let mut ids = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut add = |raw: String, links: &mut Vec<Link>| {
        if seen.contains(&raw) {
            return;
        }
        if let Some(l) = resolve(path, &raw, base) {
            links.push(l);
        }
        seen.insert(raw);
    };
    if path.ends_with(".xml") {
        for v in between(&text, "<loc>", "</loc>") {
            add(unescape(v), &mut links);
        }
    }
    for_each_tag(&text, |name, attrs| {
        for (k, r) in attrs {
            let v = &text[r.clone()];
            match k.as_ref() {
                // Atom's `<link>` and HTML's; an XML file's other attributes are not URLs.
                "href" | "src" if !path.ends_with(".xml") || name == "link" => {
                    add(unescape(v), &mut links);
                }
                "id" | "name" if !path.ends_with(".xml") => ids.push(unescape(v)),
                _ => {}
            }
        }
    });
    ids.sort();
    ids.dedup();
    // The preview keeps one of these per page for as long as it runs: at their exact size, not
    // with the slack of a growing vector (10 of 24 MB at 10,000 pages).
    PageLinks {
        links: super::exact(links),
        ids: super::exact(ids),
    }
}

fn between<'t>(text: &'t str, open: &str, close: &str) -> Vec<&'t str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(close) else { break };
        out.push(after[..j].trim());
        rest = &after[j + close.len()..];
    }
    out
}

/// Calls `f` with the name and attributes of every start tag — each attribute's lower-cased name
/// and the byte range of its (still escaped) value in `text` — skipping comments and the insides
/// of `<script>` and `<style>` (their text is not markup).
pub(crate) fn for_each_tag<'t>(
    text: &'t str,
    mut f: impl FnMut(&str, &[(Cow<'t, str>, std::ops::Range<usize>)]),
) {
    let b = text.as_bytes();
    let mut i = 0;
    // One list of attributes, emptied for each tag, instead of one per tag.
    let mut attrs = Vec::new();
    while let Some(off) = text[i..].find('<') {
        i += off + 1;
        if text[i..].starts_with("!--") {
            i = text[i..].find("-->").map_or(text.len(), |e| i + e + 3);
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
            i += 1;
        }
        if i == start {
            continue;
        }
        let name = crate::text::ascii_lower(&text[start..i]);
        attrs.clear();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let k0 = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            let key = crate::text::ascii_lower(&text[k0..i]);
            if i < b.len() && b[i] == b'=' {
                i += 1;
                let (v, next) = match b.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let end = text[i + 1..]
                            .find(q as char)
                            .map_or(text.len(), |e| i + 1 + e);
                        ((i + 1).min(end)..end, end + 1)
                    }
                    _ => {
                        let end = text[i..]
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .map_or(text.len(), |e| i + e);
                        (i..end, end)
                    }
                };
                attrs.push((key, v));
                i = next;
            } else if key.is_empty() {
                i += 1;
            }
        }
        let raw = name == "script" || name == "style";
        f(&name, &attrs);
        if raw {
            let close = format!("</{name}");
            i = text[i.min(text.len())..]
                .find(&close)
                .map_or(text.len(), |e| i + e);
        }
        if i >= text.len() {
            break;
        }
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// Resolves a link written in `page` to an output path; `None` for links the check does not
/// follow (other sites, `mailto:`, `javascript:`, a bare `#`).
fn resolve(page: &str, raw: &str, base: &Base) -> Option<Link> {
    let raw_t = raw.trim();
    let mut rest = raw_t;
    let mut from_root = false;
    if let Some(u) = &base.url
        && let Some(r) = rest.strip_prefix(u.as_str())
    {
        rest = r;
        from_root = true;
    } else if rest.starts_with("//")
        || rest
            .find(':')
            .is_some_and(|c| !rest[..c].contains(['/', '?', '#']))
    {
        return None;
    } else if let Some(r) = rest.strip_prefix(base.path.as_str()) {
        rest = r;
        from_root = true;
    } else if rest.starts_with('/') {
        // Root-relative but outside the site's base path.
        return Some(Link {
            written: raw.to_string(),
            target: None,
            anchor: None,
        });
    }
    let (before, anchor) = match rest.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (rest, None),
    };
    let path = before.split(['?']).next().unwrap_or("");
    let anchor = anchor
        .map(crate::url::decode_path)
        .filter(|a| !a.is_empty());
    if path.is_empty() && !from_root && anchor.is_none() {
        return None;
    }
    let target = if path.is_empty() && !from_root {
        Some(page.to_string())
    } else {
        let dir = if from_root {
            ""
        } else {
            page.rfind('/').map_or("", |i| &page[..=i])
        };
        join(dir, &crate::url::decode_path(path))
    };
    Some(Link {
        written: raw.to_string(),
        target,
        anchor,
    })
}

/// `dir` (ending in `/` or empty) joined with a relative path; a folder means its `index.html`.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let segs: Vec<&str> = rel.split('/').collect();
    for seg in &segs {
        match *seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let folder = rel.is_empty() || rel.ends_with('/') || matches!(segs.last(), Some(&"." | &".."));
    let mut out = parts.join("/");
    if folder {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str("index.html");
    }
    Some(out)
}

/// Checks every scanned page against the set of written files; one error per broken link.
pub(crate) fn check(
    pages: &BTreeMap<String, std::sync::Arc<PageLinks>>,
    files: &HashSet<&str>,
    only: Option<&HashSet<&str>>,
) -> Vec<Diagnostic> {
    let exists = |p: &str| files.contains(p) || pages.contains_key(p);
    let mut diags = Vec::new();
    let checked = pages
        .iter()
        .filter(|(p, _)| only.is_none_or(|o| o.contains(p.as_str())));
    for (page, l) in checked {
        for link in &l.links {
            let problem = match &link.target {
                None => Some("指向网站目录之外（../ 太多，或不在网站地址之下）".to_string()),
                Some(t) => {
                    // A folder written without its trailing slash is served by its index.html.
                    let t = if !exists(t) && exists(&format!("{t}/index.html")) {
                        format!("{t}/index.html")
                    } else {
                        t.clone()
                    };
                    if !exists(&t) {
                        Some(format!("指向的文件 {t} 不存在"))
                    } else {
                        match (&link.anchor, pages.get(t.as_str())) {
                            (Some(a), Some(target)) if !target.ids.iter().any(|i| i == a) => {
                                Some(format!("指向的锚点“#{a}”在 {t} 中不存在"))
                            }
                            _ => None,
                        }
                    }
                }
            };
            if let Some(p) = problem {
                diags.push(
                    Diagnostic::file(
                        Severity::Error,
                        page,
                        format!("生成的页面 {page} 中的链接“{}”{p}", link.written),
                    )
                    .with_hint(
                        "检查模板或内容中生成这个链接的地方；站内链接应能在生成的网站里打开",
                    ),
                );
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_root_and_absolute() {
        let b = Base::new(Some("https://example.org/town"));
        let r = |p: &str, l: &str| {
            resolve(p, l, &b).map(|l| (l.target.unwrap_or_default(), l.anchor.unwrap_or_default()))
        };
        assert_eq!(
            r("handbook/a/print/index.html", "../../../handbook/a/01/#x"),
            Some(("handbook/a/01/index.html".into(), "x".into()))
        );
        assert_eq!(
            r("a/index.html", "../%E9%A3%8E/"),
            Some(("风/index.html".into(), String::new()))
        );
        assert_eq!(
            r("404.html", "/town/css/site.css"),
            Some(("css/site.css".into(), String::new()))
        );
        assert_eq!(
            r("sitemap.xml", "https://example.org/town/"),
            Some(("index.html".into(), String::new()))
        );
        assert_eq!(r("a/index.html", "https://other.org/"), None);
        assert_eq!(r("a/index.html", "mailto:x@y"), None);
        assert_eq!(r("a/index.html", "#"), None);
        assert!(
            resolve("a/index.html", "../../x/", &b)
                .unwrap()
                .target
                .is_none()
        );
    }

    #[test]
    fn finds_broken_files_and_anchors() {
        let b = Base::new(None);
        let mut pages = BTreeMap::new();
        pages.insert(
            "index.html".to_string(),
            scan(
                "index.html",
                br##"<a href="a/#ok">x</a><a href="a/#nope">y</a><img src="gone.png"><script>var s='<a href="x/">';</script><p id="ok"></p>"##,
                &b,
            ),
        );
        pages.insert(
            "a/index.html".to_string(),
            scan(
                "a/index.html",
                br#"<h2 id="ok">t</h2><a href="../#ok">"#,
                &b,
            ),
        );
        let pages = pages
            .into_iter()
            .map(|(k, v)| (k, std::sync::Arc::new(v)))
            .collect();
        let d = check(&pages, &HashSet::new(), None);
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("#nope"));
        assert!(msgs[1].contains("gone.png"));
    }
}
