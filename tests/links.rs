//! Every link in the output resolves: the repository's site and the hostile fixture are built and
//! the whole output crawled (every HTML page, print versions and 404 included, the feeds and the
//! sitemap); any `href`/`src` naming a missing file or a missing `#anchor` fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::{repo_site, site, unescape_html, unpct};

/// One broken link: the page it is on, the link as written, and what is wrong.
type Broken = (String, String, String);

/// All files under `dir`, as `/`-separated paths relative to it.
fn files(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel);
            }
        }
    }
    out
}

/// `html` without the text of its scripts and styles (their strings are not links).
fn without_scripts(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    loop {
        let next = ["<script", "<style"]
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, *t)))
            .min();
        let Some((i, tag)) = next else {
            out.push_str(rest);
            return out;
        };
        let open_end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        out.push_str(&rest[..open_end]);
        let close = format!("</{}", &tag[1..]);
        rest = &rest[rest[open_end..]
            .find(&close)
            .map_or(rest.len(), |e| open_end + e)..];
    }
}

/// Values of `attr` at a word boundary (` href="…"`, also after a newline), unescaped.
fn attrs(html: &str, attr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sep in [' ', '\n', '\t'] {
        for q in ['"', '\''] {
            let needle = format!("{sep}{attr}={q}");
            let mut rest = html;
            while let Some(i) = rest.find(&needle) {
                let after = &rest[i + needle.len()..];
                let end = after.find(q).unwrap_or(after.len());
                out.push(unescape_html(&after[..end]));
                rest = &after[end..];
            }
        }
    }
    out
}

fn between(text: &str, open: &str, close: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let end = after.find(close).unwrap_or(after.len());
        out.push(unescape_html(after[..end].trim()));
        rest = &after[end..];
    }
    out
}

/// Where a link written in `page` leads: `Ok(Some((file, anchor)))`, `Ok(None)` for links that
/// leave the site, `Err` for links that cannot resolve (above the root, outside the base path).
fn resolve(
    page: &str,
    link: &str,
    base_url: &str,
    base_path: &str,
) -> Result<Option<(String, Option<String>)>, String> {
    let (mut rest, mut from_root) = (link.trim(), false);
    if let Some(r) = rest.strip_prefix(base_url) {
        (rest, from_root) = (r, true);
    } else if rest.starts_with("//")
        || rest
            .find(':')
            .is_some_and(|c| !rest[..c].contains(['/', '?', '#']))
    {
        return Ok(None);
    } else if let Some(r) = rest.strip_prefix(base_path) {
        (rest, from_root) = (r, true);
    } else if rest.starts_with('/') {
        return Err(format!("outside the base path {base_path}"));
    }
    let (path, anchor) = match rest.split_once('#') {
        Some((p, a)) => (p, Some(unpct(a)).filter(|a| !a.is_empty())),
        None => (rest, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() && !from_root {
        return Ok(anchor.map(|a| (page.to_string(), Some(a))));
    }
    let mut parts: Vec<String> = if from_root {
        Vec::new()
    } else {
        page.split('/').map(String::from).collect()
    };
    parts.pop();
    let decoded = unpct(path);
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or("above the site root")?;
            }
            s => parts.push(s.to_string()),
        }
    }
    let folder = decoded.is_empty() || decoded.ends_with('/') || decoded.ends_with("..");
    if folder {
        parts.push("index.html".into());
    }
    Ok(Some((parts.join("/"), anchor)))
}

/// Crawls a built site; `base_url` is the site's (`https://example.org/town/`).
fn crawl(out: &Path, base_url: &str) -> (usize, Vec<Broken>) {
    let base_path = base_url
        .split_once("://")
        .and_then(|(_, r)| r.find('/').map(|i| r[i..].to_string()))
        .unwrap_or_else(|| "/".into());
    let all = files(out);
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for f in all
        .iter()
        .filter(|f| f.ends_with(".html") || f.ends_with(".xml"))
    {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        if f.ends_with(".xml") {
            for l in between(&text, "<loc>", "</loc>") {
                links.push((f.clone(), l));
            }
            for tag in text.split("<link ").skip(1) {
                let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
                for l in attrs(&format!(" {tag}"), "href") {
                    links.push((f.clone(), l));
                }
            }
            continue;
        }
        let html = without_scripts(&text);
        let mut own: BTreeSet<String> = attrs(&html, "id").into_iter().collect();
        own.extend(attrs(&html, "name"));
        ids.insert(f.clone(), own);
        for a in ["href", "src"] {
            for l in attrs(&html, a) {
                links.push((f.clone(), l));
            }
        }
    }
    let mut broken = Vec::new();
    let checked = links.len();
    for (page, link) in links {
        let problem = match resolve(&page, &link, base_url, &base_path) {
            Err(e) => Some(e),
            Ok(None) => None,
            Ok(Some((mut file, anchor))) => {
                if !all.contains(&file) && all.contains(&format!("{file}/index.html")) {
                    file = format!("{file}/index.html");
                }
                if !all.contains(&file) {
                    Some(format!("missing file {file}"))
                } else {
                    match (anchor, ids.get(&file)) {
                        (Some(a), Some(set)) if !set.contains(&a) => {
                            Some(format!("no id \"{a}\" in {file}"))
                        }
                        _ => None,
                    }
                }
            }
        };
        if let Some(p) = problem {
            broken.push((page, link, p));
        }
    }
    broken.sort();
    broken.dedup();
    (checked, broken)
}

fn site_base_url(site_toml: &Path) -> String {
    let t: toml::Table = std::fs::read_to_string(site_toml).unwrap().parse().unwrap();
    let u = t["base_url"].as_str().unwrap().to_string();
    if u.ends_with('/') { u } else { format!("{u}/") }
}

fn assert_no_broken(what: &str, out: &Path, base_url: &str) {
    let (checked, broken) = crawl(out, base_url);
    assert!(checked > 100, "{what}: only {checked} links found");
    let shown: Vec<String> = broken
        .iter()
        .take(40)
        .map(|(p, l, e)| format!("{p}: {l} → {e}"))
        .collect();
    assert!(
        broken.is_empty(),
        "{what}: {} of {checked} links do not resolve:\n{}",
        broken.len(),
        shown.join("\n")
    );
}

#[test]
fn every_link_of_the_repo_site_resolves() {
    let s = repo_site();
    let base = site_base_url(&s.root.join("data/site.toml"));
    // `DUALPREV_CRAWL=DIR` crawls a site built earlier (to compare with another version).
    let out: PathBuf = match std::env::var_os("DUALPREV_CRAWL") {
        Some(d) => d.into(),
        None => {
            let r = s.build(&["--quiet"]);
            assert_eq!(r.code, 0, "{}", r.stderr);
            s.out()
        }
    };
    // The pages this test exists for must be there to be crawled.
    for p in [
        "404.html",
        "sitemap.xml",
        "notices/atom.xml",
        "handbook/small-micro/print/index.html",
        "handbook/large-medium/print/index.html",
        "handbook/topics/print/index.html",
    ] {
        assert!(out.join(p).is_file(), "{p} was not generated");
    }
    assert_no_broken("repo site", &out, &base);
}

#[test]
fn every_link_of_the_hostile_fixture_resolves() {
    let s = site("hostile");
    let base = site_base_url(&s.root.join("data/site.toml"));
    let r = s.build(&["--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_no_broken("hostile fixture", &s.out(), &base);
}

/// The build's own link check covers the pages written last (print versions): a broken link there
/// fails `build` and `check` with the page and the link named, and leaves no output.
#[test]
fn a_broken_link_on_a_print_page_fails_build_and_check() {
    let s = repo_site();
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/print.html");
    let print = std::fs::read_to_string(theme).unwrap();
    let broken = print.replacen(
        "<h2>目录</h2>",
        "<h2>目录</h2><p><a href=\"../../handbook/small-micro/01-organization/\">少了一级</a> <a href=\"#第九章\">无此锚点</a></p>",
        1,
    );
    assert_ne!(broken, print, "print.html changed: update this test");
    s.write("templates/print.html", broken);
    let r = s.build(&[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for needle in [
        "生成的页面 handbook/small-micro/print/index.html 中的链接“../../handbook/small-micro/01-organization/”指向的文件 handbook/handbook/small-micro/01-organization/index.html 不存在",
        "handbook/small-micro/print/index.html 中的链接“#第九章”指向的锚点“#第九章”",
    ] {
        assert!(
            r.stderr.contains(needle),
            "missing «{needle}» in:\n{}",
            r.stderr
        );
    }
    assert!(!s.out().exists(), "a failed build wrote its output");
    let c = s.check();
    assert_eq!(c.code, 1, "{}", c.stderr);
    assert!(
        c.stderr
            .contains("handbook/large-medium/print/index.html 中的链接“#第九章”"),
        "{}",
        c.stderr
    );
}

/// The crawler itself finds what it is meant to: a print page's links one level too high, a
/// missing anchor, a root-relative link outside the base path; and accepts Chinese paths.
#[test]
fn the_crawler_finds_broken_links() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let put = |rel: &str, text: &str| {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    put(
        "handbook/a/print/index.html",
        "<a href=\"../../handbook/a/01/\">wrong</a><a href=\"../01/#%E7%BB%84%E7%BB%87\">ok</a>\
         <a href=\"#ch-9\">missing</a><h2 id=\"ch-1\">x</h2><script>x='<a href=\"nowhere/\">'</script>",
    );
    put("handbook/a/01/index.html", "<h2 id=\"组织\">组织</h2>");
    put(
        "风险/index.html",
        "<a href=\"../%E9%A3%8E%E9%99%A9/\">self</a><a href=\"/t/handbook/a/01/\">root</a><a href=\"/elsewhere/\">out</a>",
    );
    put(
        "sitemap.xml",
        "<urlset><url><loc>https://e.org/t/%E9%A3%8E%E9%99%A9/</loc></url><url><loc>https://e.org/t/gone/</loc></url></urlset>",
    );
    let (_, broken) = crawl(d, "https://e.org/t/");
    let got: Vec<(&str, &str)> = broken
        .iter()
        .map(|(p, l, _)| (p.as_str(), l.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("handbook/a/print/index.html", "#ch-9"),
            ("handbook/a/print/index.html", "../../handbook/a/01/"),
            ("sitemap.xml", "https://e.org/t/gone/"),
            ("风险/index.html", "/elsewhere/"),
        ],
        "{broken:?}"
    );
}
