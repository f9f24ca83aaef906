//! The offline copy: each file of the site as it must be to work opened from a folder
//! (`file://`), where no server turns a folder into its `index.html` and `fetch` cannot read files.
//! Links to folders name their `index.html`, the search index comes as script files that hand
//! their data to search.js, and a page's download block gives way to a note that this is the copy.

use std::borrow::Cow;

use crate::offline::{ELSE, ONLINE};
use crate::render::links;

/// The offline copy's version of one output file: its path and bytes, or `None` when the copy
/// leaves it out (the 404 page: only a web server shows it, and its links are root-relative).
pub(crate) fn file<'b>(rel: &str, bytes: &'b [u8]) -> Option<(Cow<'static, str>, Cow<'b, [u8]>)> {
    if rel == "404.html" {
        return None;
    }
    if rel.starts_with("search/") && (rel.ends_with(".json") || rel.ends_with(".txt")) {
        return Some((
            format!("{rel}.js").into(),
            Cow::Owned(data_script(rel, bytes)),
        ));
    }
    let rel: Cow<'static, str> = Cow::Owned(rel.to_string());
    if rel.ends_with(".html") {
        let html = String::from_utf8_lossy(bytes);
        return Some((rel, Cow::Owned(page(&html).into_bytes())));
    }
    Some((rel, Cow::Borrowed(bytes)))
}

/// A search data file as a script: `dualprevData("search/s/3.json", …);`. A `<script>` may load
/// a file next to the page where `fetch` may not; the path says which request it answers.
fn data_script(rel: &str, bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let value = if rel.ends_with(".json") {
        // JSON is a JavaScript expression as it stands.
        text.trim().to_string()
    } else {
        serde_json::Value::String(text.into_owned()).to_string()
    };
    format!(
        "dualprevData({},{value});\n",
        serde_json::Value::String(rel.to_string())
    )
    .into_bytes()
}

/// An HTML page of the offline copy: download blocks swapped for their note, every link to a
/// folder naming its `index.html`, and `<html data-offline>` for the scripts.
fn page(html: &str) -> String {
    let html = swap_online_parts(html);
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut marked = false;
    links::for_each_tag(&html, |tag, attrs| {
        if tag == "html" && !marked {
            marked = true;
            if let Some((_, r)) = attrs.first() {
                // Before the first attribute's name: `<html lang=…>` → `<html data-offline lang=…>`.
                let name_start = html[..r.start]
                    .rfind(char::is_whitespace)
                    .map_or(0, |i| i + 1);
                let at = html[..name_start].trim_end().len();
                edits.push((at..at, " data-offline".into()));
            }
        }
        for (key, r) in attrs {
            if matches!(key.as_ref(), "href" | "src" | "action")
                && let Some(v) = folder_index(&html[r.clone()])
            {
                edits.push((r.clone(), v));
            }
        }
    });
    if !marked && let Some(i) = html.find("<html") {
        edits.push((i + 5..i + 5, " data-offline".into()));
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(html.len() + edits.len() * 10);
    let mut at = 0;
    for (r, v) in edits {
        out.push_str(&html[at..r.start]);
        out.push_str(&v);
        at = r.end;
    }
    out.push_str(&html[at..]);
    out
}

/// `<!--dualprev:online-->A<!--dualprev:offline B-->` becomes `B`.
fn swap_online_parts(html: &str) -> Cow<'_, str> {
    if !html.contains(ONLINE) {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(ONLINE) {
        let after = &rest[i + ONLINE.len()..];
        let Some(j) = after.find(ELSE) else { break };
        let alt = &after[j + ELSE.len()..];
        let Some(k) = alt.find("-->") else { break };
        out.push_str(&rest[..i]);
        out.push_str(&alt[..k]);
        rest = &alt[k + 3..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A relative link to a folder (`../x/`, `./`, `..`, `x/?q=1#a`) with its `index.html` named;
/// `None` for every other link (a file, an anchor, another site, a root-relative path).
fn folder_index(link: &str) -> Option<String> {
    let t = link.trim();
    if t.is_empty() || t.starts_with(['#', '/', '?']) {
        return None;
    }
    let end = t.find(['?', '#']).unwrap_or(t.len());
    let (path, tail) = t.split_at(end);
    if path.contains(':') {
        return None;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    let named = if path.ends_with('/') {
        format!("{path}index.html")
    } else if last == "." || last == ".." {
        format!("{path}/index.html")
    } else {
        return None;
    };
    Some(format!("{named}{tail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_links_name_their_index() {
        assert_eq!(folder_index("../x/").as_deref(), Some("../x/index.html"));
        assert_eq!(folder_index("./").as_deref(), Some("./index.html"));
        assert_eq!(folder_index("..").as_deref(), Some("../index.html"));
        assert_eq!(
            folder_index("search/?q=%E5%AE%89#r").as_deref(),
            Some("search/index.html?q=%E5%AE%89#r")
        );
        assert_eq!(
            folder_index("ledger/category/%E6%B6%89/").as_deref(),
            Some("ledger/category/%E6%B6%89/index.html")
        );
        for same in [
            "#top",
            "css/site.css",
            "https://example.org/",
            "mailto:a@b",
            "/lianshan/",
            "",
        ] {
            assert_eq!(folder_index(same), None, "{same}");
        }
    }

    #[test]
    fn pages_link_to_files_and_say_they_are_offline() {
        let html = "<!DOCTYPE html><html lang=\"zh-CN\"><body><a href=\"../\">首页</a> \
                    <a href='enterprises/x/#risks'>x</a><link href=\"../css/site.css\" rel=stylesheet>\
                    <form action=\"../search/\"></form><script>var a = '<a href=\"x/\">';</script>\
                    <a href=\"https://example.org/lianshan/\">站</a></body></html>";
        let out = page(html);
        assert!(out.contains("<html data-offline lang=\"zh-CN\">"), "{out}");
        assert!(out.contains("href=\"../index.html\""), "{out}");
        assert!(
            out.contains("href='enterprises/x/index.html#risks'"),
            "{out}"
        );
        assert!(out.contains("href=\"../css/site.css\""), "{out}");
        assert!(out.contains("action=\"../search/index.html\""), "{out}");
        // Script text is not markup; other sites stay as they are.
        assert!(out.contains("'<a href=\"x/\">'"), "{out}");
        assert!(
            out.contains("href=\"https://example.org/lianshan/\""),
            "{out}"
        );
    }

    #[test]
    fn download_blocks_give_way_to_their_note() {
        let html = format!(
            "<p>{ONLINE}<a href=\"z.zip\">下载</a>（{}）{ELSE}<strong>这就是离线版</strong>-->。</p>",
            crate::offline::SIZE
        );
        assert_eq!(page(&html), "<p><strong>这就是离线版</strong>。</p>");
    }

    #[test]
    fn search_data_becomes_scripts_and_the_404_page_stays_behind() {
        let (rel, js) = file("search/s/3.json", b"{\"a\":[1]}").unwrap();
        assert_eq!(rel, "search/s/3.json.js");
        assert_eq!(&*js, b"dualprevData(\"search/s/3.json\",{\"a\":[1]});\n");
        let (_, js) = file("search/x/1-0.txt", "甲\"乙\n".as_bytes()).unwrap();
        assert_eq!(
            std::str::from_utf8(&js).unwrap(),
            "dualprevData(\"search/x/1-0.txt\",\"甲\\\"乙\\n\");\n"
        );
        assert!(file("404.html", b"<html>").is_none());
        let (_, css) = file("css/site.css", b"a{}").unwrap();
        assert!(matches!(css, Cow::Borrowed(_)));
    }
}
