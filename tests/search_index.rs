//! The search index: recall and precision of the Rust query side
//! (`dualprev::search::query::query`, the same semantics as the browser script) over a built site.
//!
//! Fixture: `tests/fixtures/search-recall/`, two dozen short Chinese pages about 粉尘, 有限空间, 动火,
//! 重大事故隐患, standards numbers (GB 15577 in half-width, full-width and without a space), pressures
//! (0.1MPa, 0.1 MPa, full-width) and years (2024, and a 20245 that must not match 2024). One page has
//! 粉尘 and 爆炸 apart but never 粉尘爆炸; one has `<img src=x onerror=alert(1)>` in a code span.
//!
//! What "contains" means is computed here from the built HTML pages themselves, read with an
//! independent HTML parser (html5ever, through `scraper`): the page's `<title>` up to ` · `, and the
//! text between the template's `search:start` and `search:end` comments without scripts, styles, SVG,
//! `<nav>` and the table of contents. The index's own files (`search/d/*.json`) give only the id and
//! URL of each page, and are checked to hold every word of that text. Then:
//! - a query made of Han characters only is a phrase: a page matches when its title or its text
//!   contains the query as a substring;
//! - Latin words and numbers are separate terms (the documented semantics: "every term must be
//!   present", only CJK phrases need adjacency): a page matches when each term is one of its words,
//!   where a word is a maximal run of letters (lower-cased) or of digits with inner dots, after folding
//!   full-width ASCII to half-width.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::common::*;

/// One document of the index, as `search/d/<b36>.json` describes it.
#[derive(Debug, Clone)]
struct Doc {
    id: u64,
    /// The page's title, read from its HTML.
    title: String,
    url: String,
    /// The page's searchable text, read from its HTML by html5ever.
    text: String,
    /// What the index itself holds for the page (`t`, `x` and the `x/` chunks).
    indexed_title: String,
    indexed: String,
}

/// A built copy of a fixture and its index read back.
struct Built {
    _site: Site,
    out: PathBuf,
    docs: Vec<Doc>,
    cache: RefCell<HashMap<String, Option<String>>>,
}

impl Built {
    fn get(&self, rel: &str) -> Option<String> {
        if let Some(v) = self.cache.borrow().get(rel) {
            return v.clone();
        }
        let v = std::fs::read_to_string(self.out.join(rel)).ok();
        self.cache.borrow_mut().insert(rel.to_string(), v.clone());
        v
    }

    fn query(&self, q: &str) -> Vec<dualprev::search::query::Hit> {
        let get = |rel: &str| self.get(rel);
        dualprev::search::query::query(&get, q)
    }

    fn hit_ids(&self, q: &str) -> BTreeSet<u64> {
        let hits = self.query(q);
        let ids: BTreeSet<u64> = hits.iter().map(|h| h.doc).collect();
        assert_eq!(
            ids.len(),
            hits.len(),
            "query {q:?} returned a document twice: {hits:?}"
        );
        ids
    }

    fn doc_by_url(&self, url: &str) -> &Doc {
        self.docs
            .iter()
            .find(|d| d.url == url)
            .unwrap_or_else(|| panic!("no indexed page {url}; pages: {:?}", self.urls()))
    }

    fn urls(&self) -> Vec<&str> {
        self.docs.iter().map(|d| d.url.as_str()).collect()
    }

    fn names(&self, ids: &BTreeSet<u64>) -> Vec<String> {
        ids.iter()
            .map(|i| {
                self.docs
                    .iter()
                    .find(|d| d.id == *i)
                    .map_or(format!("#{i} (no document file)"), |d| {
                        format!("#{i} {} {}", d.url, d.title)
                    })
            })
            .collect()
    }
}

fn parse_b36(s: &str) -> Option<u64> {
    u64::from_str_radix(s, 36).ok()
}

fn read_docs(out: &Path) -> Vec<Doc> {
    let dir = out.join("search/d");
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let p = entry.unwrap().path();
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        assert_eq!(
            p.extension().and_then(|e| e.to_str()),
            Some("json"),
            "{}",
            p.display()
        );
        let id = parse_b36(&stem)
            .unwrap_or_else(|| panic!("document file name is not base 36: {}", p.display()));
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()));
        let url = v["u"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no u", p.display()))
            .to_string();
        let page = out.join(unpct(&url)).join("index.html");
        let html = std::fs::read_to_string(&page)
            .unwrap_or_else(|e| panic!("{} (page of {url:?}): {e}", page.display()));
        let (title, text) = parsed_page(&html);
        docs.push(Doc {
            id,
            title,
            text,
            url,
            indexed_title: v["t"]
                .as_str()
                .unwrap_or_else(|| panic!("{}: no t", p.display()))
                .to_string(),
            indexed: {
                // The first chunk of text is in the document file, the rest in x/<id>-<k>.txt.
                let mut text = v["x"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: no x", p.display()))
                    .to_string();
                for k in 1..v["n"].as_u64().unwrap_or(1) {
                    let chunk = out.join(format!("search/x/{stem}-{k}.txt"));
                    text.push_str(
                        &std::fs::read_to_string(&chunk)
                            .unwrap_or_else(|e| panic!("{}: {e}", chunk.display())),
                    );
                }
                text
            },
        });
    }
    docs.sort_by_key(|d| d.id);
    docs
}

fn build(fixture_name: &str) -> Built {
    let s = site(fixture_name);
    s.build(&["--quiet"]).ok();
    let out = s.out();
    let docs = read_docs(&out);
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("search/meta.json")).expect("search/meta.json"),
    )
    .unwrap();
    assert_eq!(
        meta["n"].as_u64(),
        Some(docs.len() as u64),
        "meta.json n vs files in search/d/"
    );
    let ids: Vec<u64> = docs.iter().map(|d| d.id).collect();
    assert_eq!(
        ids,
        (0..docs.len() as u64).collect::<Vec<_>>(),
        "document ids should be 0..n"
    );
    Built {
        _site: s,
        out,
        docs,
        cache: RefCell::new(HashMap::new()),
    }
}

/// The title and searchable text of a built page as html5ever parses it: the `<title>` up to the
/// site name, and the text nodes between the `search:start` and `search:end` comments outside
/// `script`, `style`, `svg`, `template`, `nav` and `details.toc`, with a line break at every element
/// that is not phrasing content.
fn parsed_page(html: &str) -> (String, String) {
    use scraper::Node;
    use scraper::node::Element;
    let doc = scraper::Html::parse_document(html);
    let title = doc
        .select(&scraper::Selector::parse("title").unwrap())
        .next()
        .map(|t| t.text().collect::<String>())
        .unwrap_or_default();
    let title = title.split(" · ").next().unwrap_or("").trim().to_string();
    let skipped = |e: &Element| {
        matches!(e.name(), "script" | "style" | "svg" | "template" | "nav")
            || (e.name() == "details" && e.classes().any(|c| c == "toc"))
    };
    let inline = |e: &Element| {
        matches!(
            e.name(),
            "a" | "abbr"
                | "b"
                | "bdi"
                | "bdo"
                | "cite"
                | "code"
                | "data"
                | "dfn"
                | "em"
                | "i"
                | "kbd"
                | "mark"
                | "q"
                | "s"
                | "samp"
                | "small"
                | "span"
                | "strong"
                | "sub"
                | "sup"
                | "time"
                | "u"
                | "var"
                | "wbr"
                | "del"
                | "ins"
                | "label"
                | "img"
                | "input"
                | "button"
                | "output"
                | "meter"
                | "progress"
                | "ruby"
                | "rt"
                | "rp"
        )
    };
    let mut text = String::new();
    let mut inside = false;
    let mut skip_depth = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                Node::Comment(c) if c.trim() == "search:start" => inside = true,
                Node::Comment(c) if c.trim() == "search:end" => inside = false,
                Node::Element(e) => {
                    if skip_depth > 0 || skipped(e) {
                        skip_depth += 1;
                    } else if inside && !inline(e) {
                        text.push('\n');
                    }
                }
                Node::Text(t) if inside && skip_depth == 0 => text.push_str(t),
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if skip_depth > 0 {
                        skip_depth -= 1;
                    } else if inside && !inline(e) {
                        text.push('\n');
                    }
                }
            }
        }
    }
    (title, text)
}

/// Maximal runs of Han characters in `s`.
fn han_runs(s: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in s.chars() {
        if is_han(c) {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

// ---------------------------------------------------------------------------------------------
// The independent model of "contains"
// ---------------------------------------------------------------------------------------------

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF)
}

/// Full-width ASCII to half-width, ideographic space to space, ASCII lower case.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| {
            let c = match c as u32 {
                0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap(),
                0x3000 => ' ',
                _ => c,
            };
            c.to_ascii_lowercase()
        })
        .collect()
}

/// Latin words (letter runs) and numbers (digit runs with inner dots) of a text, folded.
fn words(s: &str) -> BTreeSet<String> {
    let cs: Vec<char> = fold(s).chars().collect();
    let letter = |c: char| {
        c.is_alphabetic() && !is_han(c) && !matches!(c as u32, 0x3040..=0x30FF | 0xAC00..=0xD7A3)
    };
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < cs.len() {
        if letter(cs[i]) {
            let s = i;
            while i < cs.len() && letter(cs[i]) {
                i += 1;
            }
            out.insert(cs[s..i].iter().flat_map(|c| c.to_lowercase()).collect());
        } else if cs[i].is_ascii_digit() {
            let s = i;
            while i < cs.len()
                && (cs[i].is_ascii_digit()
                    || (cs[i] == '.' && i > s && i + 1 < cs.len() && cs[i + 1].is_ascii_digit()))
            {
                i += 1;
            }
            out.insert(cs[s..i].iter().collect());
        } else {
            i += 1;
        }
    }
    out
}

/// The documents that should answer `q`.
fn expected(docs: &[Doc], q: &str) -> BTreeSet<u64> {
    if q.chars().all(is_han) {
        assert!(
            q.chars().count() >= 2,
            "single characters are not tested here"
        );
        return docs
            .iter()
            .filter(|d| fold(&d.title).contains(q) || fold(&d.text).contains(q))
            .map(|d| d.id)
            .collect();
    }
    assert!(
        !q.chars().any(is_han),
        "mixed CJK/Latin queries are not modelled: {q:?}"
    );
    let terms = words(q);
    assert!(!terms.is_empty(), "{q:?} has no terms");
    docs.iter()
        .filter(|d| {
            let mut w = words(&d.title);
            w.extend(words(&d.text));
            terms.iter().all(|t| w.contains(t))
        })
        .map(|d| d.id)
        .collect()
}

/// Every substring of 2 to 4 Han characters of `s` (within runs of Han characters).
fn han_substrings(s: &str, into: &mut BTreeSet<String>) {
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        if !is_han(cs[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < cs.len() && is_han(cs[i]) {
            i += 1;
        }
        let run = &cs[start..i];
        for a in 0..run.len() {
            for n in 2..=4 {
                if a + n <= run.len() {
                    into.insert(run[a..a + n].iter().collect());
                }
            }
        }
    }
}

#[track_caller]
fn assert_recall(b: &Built, q: &str) -> BTreeSet<u64> {
    let want = expected(&b.docs, q);
    let got = b.hit_ids(q);
    if want != got {
        let missing: BTreeSet<u64> = want.difference(&got).copied().collect();
        let extra: BTreeSet<u64> = got.difference(&want).copied().collect();
        panic!(
            "query {q:?}: recall/precision broken\n  pages containing it but not found: {:?}\n  pages returned without it: {:?}",
            b.names(&missing),
            b.names(&extra)
        );
    }
    got
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn fixture_has_enough_pages_and_all_text_is_in_the_documents() {
    let b = build("search-recall");
    let content_pages = b
        .docs
        .iter()
        .filter(|d| d.url.starts_with("guide/") || d.url.starts_with("notes/"))
        .count();
    assert!(
        content_pages >= 20,
        "expected 20+ Markdown pages indexed, got {content_pages}: {:?}",
        b.urls()
    );
    // The search page itself is not indexed.
    assert!(
        !b.docs.iter().any(|d| d.url == "search/"),
        "the search page should not be indexed"
    );
    // Every run of Chinese text and every Latin word or number html5ever reads on a page is in
    // what the index holds for it, and the titles agree.
    let mut runs = 0;
    for d in &b.docs {
        assert_eq!(d.indexed_title, d.title, "title of {}", d.url);
        let indexed = fold(&d.indexed);
        for run in han_runs(&d.text) {
            assert!(
                indexed.contains(&run),
                "{}: the page says {run:?}, the index does not have it\n  index text: {}",
                d.url,
                d.indexed
            );
            runs += 1;
        }
        let have = words(&d.indexed);
        let missing: Vec<String> = words(&d.text).difference(&have).cloned().collect();
        assert!(
            missing.is_empty(),
            "{}: words on the page missing from the index: {missing:?}",
            d.url
        );
    }
    assert!(runs > 200, "only {runs} runs of Chinese text compared");
}

#[test]
fn every_cjk_substring_of_every_content_page_has_full_recall() {
    let b = build("search-recall");
    let mut queries = BTreeSet::new();
    for d in &b.docs {
        if d.url.starts_with("guide/") || d.url.starts_with("notes/") || d.url.is_empty() {
            han_substrings(&d.title, &mut queries);
            han_substrings(&d.text, &mut queries);
        }
    }
    // A few phrases of generated pages (dashboard, ledgers) too.
    for s in [
        "逾期和未销号隐患",
        "按期限分组的评估情况",
        "重大和较大风险台账",
        "隐患总台账",
        "示范企业展示",
    ] {
        han_substrings(s, &mut queries);
    }
    assert!(queries.len() > 500, "only {} queries", queries.len());
    let mut checked = 0;
    for q in &queries {
        let got = assert_recall(&b, q);
        assert!(!got.is_empty(), "{q:?} comes from a page but found nothing");
        checked += 1;
    }
    eprintln!("{checked} CJK substrings checked");
}

#[test]
fn latin_words_and_numbers_have_full_recall() {
    let b = build("search-recall");
    let url_set = |ids: &BTreeSet<u64>| -> BTreeSet<String> {
        ids.iter()
            .map(|i| b.docs[*i as usize].url.clone())
            .collect()
    };
    for q in [
        "GB 15577",
        "GB15577",
        "ＧＢ１５５７７",
        "gb",
        "15577",
        "2024",
        "2023",
        "20245",
        "0.1MPa",
        "0.1 MPa",
        "0.15MPa",
        "mpa",
        "0.1",
        "4387",
        "GB 4387",
        "onerror",
        "alert",
        "img",
    ] {
        let got = assert_recall(&b, q);
        assert!(!got.is_empty(), "{q:?} should find something");
    }
    // Spot checks of the model itself, so that a wrong model cannot make the test vacuous.
    let gb = url_set(&expected(&b.docs, "GB 15577"));
    for u in [
        "guide/dust-standard/",
        "guide/dust-fullwidth/",
        "guide/dust-gbt/",
    ] {
        assert!(gb.contains(u), "GB 15577 should be found on {u}: {gb:?}");
    }
    let y = url_set(&b.hit_ids("2024"));
    assert!(y.contains("notes/2024-review/"), "{y:?}");
    assert!(!y.contains("notes/2025-plan/"), "20245 is not 2024: {y:?}");
    let p = url_set(&b.hit_ids("0.1MPa"));
    for u in ["guide/pressure/", "guide/pressure-fullwidth/"] {
        assert!(
            p.contains(u),
            "0.1MPa should be found on {u} (０．１ＭＰａ folds to 0.1mpa): {p:?}"
        );
    }
}

#[test]
fn phrase_needs_adjacent_characters() {
    let b = build("search-recall");
    let apart = b.doc_by_url("guide/dust-apart/");
    assert!(
        apart.text.contains("粉尘") && apart.text.contains("爆炸"),
        "fixture: {}",
        apart.text
    );
    assert!(
        !apart.text.contains("粉尘爆炸") && !apart.title.contains("粉尘爆炸"),
        "fixture: {}",
        apart.text
    );
    let hits = b.hit_ids("粉尘爆炸");
    assert!(
        !hits.contains(&apart.id),
        "粉尘爆炸 must not return the page that has 粉尘 and 爆炸 apart"
    );
    let together = b.doc_by_url("guide/dust-basics/");
    assert!(
        hits.contains(&together.id),
        "粉尘爆炸 should return {}",
        together.url
    );
    assert_recall(&b, "粉尘爆炸");
    // The index itself rules the page out: 粉尘 is never followed by 爆 there, so the page is not
    // even a candidate whose text would have to be read, while the page with the phrase is.
    let get = |rel: &str| b.get(rel);
    let groups = dualprev::search::tokenize::query_terms("粉尘爆炸");
    let cands: Vec<u64> = dualprev::search::query::candidates(&get, &groups)
        .into_iter()
        .map(|c| c.doc)
        .collect();
    assert!(
        !cands.contains(&apart.id) && cands.contains(&together.id),
        "candidates for 粉尘爆炸 should leave out {} and keep {}: {cands:?}",
        apart.url,
        together.url
    );
    // Two separate words do find the page that has them apart.
    let both = b.hit_ids("粉尘 爆炸");
    assert!(
        both.contains(&apart.id),
        "粉尘 爆炸 (two terms) should return {}",
        apart.url
    );
    // Text split by inline markup is still one phrase; text split by a heading is not.
    let inline = b.doc_by_url("notes/inline/");
    assert!(
        b.hit_ids("重大事故隐患").contains(&inline.id),
        "重大<strong>事故</strong>隐患 is one phrase"
    );
    assert!(
        b.hit_ids("动火作业").contains(&inline.id),
        "动火[作业](…) is one phrase"
    );
}

#[test]
fn headings_are_searchable_and_hits_under_them_link_to_their_anchor() {
    let b = build("search-recall");
    let doc = b.doc_by_url("notes/headings/");
    let hits = b.query("动火管理要点");
    let h = hits
        .iter()
        .find(|h| h.doc == doc.id)
        .unwrap_or_else(|| panic!("heading text not found: {hits:?}"));
    assert_eq!(h.title, "标题切分");
    assert!(
        h.url.starts_with("notes/headings/#"),
        "a hit in a heading should link to its anchor: {}",
        h.url
    );
    assert_eq!(unpct(&h.url), "notes/headings/#动火管理要点");
    // Text under the first heading links to that heading.
    let hits = b.query("辨识清单");
    let h = hits
        .iter()
        .find(|h| h.doc == doc.id)
        .expect("text under a heading");
    assert_eq!(unpct(&h.url), "notes/headings/#有限空间辨识");
    // Text before the first heading has no anchor.
    let hits = b.query("粉尘治理");
    let h = hits
        .iter()
        .find(|h| h.doc == doc.id)
        .expect("text before the headings");
    assert_eq!(h.url, "notes/headings/");
}

#[test]
fn literal_html_in_a_code_span_is_escaped_in_the_page_and_plain_in_the_index() {
    let b = build("search-recall");
    let html = read(&b.out, "guide/xss/index.html");
    assert!(
        !html.contains("<img src=x"),
        "the literal tag must be escaped in the page"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "escaped form expected in the page"
    );
    let doc = b.doc_by_url("guide/xss/");
    assert!(
        doc.text.contains("<img src=x onerror=alert(1)>"),
        "the index keeps the decoded text: {}",
        doc.text
    );
    let hits = b.query("onerror");
    assert_eq!(hits.iter().map(|h| h.doc).collect::<Vec<_>>(), vec![doc.id]);
    assert!(
        hits[0].snippet.contains("onerror"),
        "snippet: {}",
        hits[0].snippet
    );
}

#[test]
fn empty_and_unknown_queries_find_nothing() {
    let b = build("search-recall");
    assert!(b.query("").is_empty());
    assert!(b.query("   ").is_empty());
    assert!(b.query("，。").is_empty());
    assert!(b.query("不存在的词组").is_empty());
    assert!(b.query("zzzz").is_empty());
}

/// `防火&防爆`: an ampersand followed by Chinese text in a page. The entity decoder of the index must
/// not cut a UTF-8 character in half.
#[test]
fn ampersand_before_chinese_text_is_indexed() {
    let s = site("search-recall");
    s.write(
        "content/notes/entities.md",
        "+++\ntitle = \"实体与符号\"\ndate = 2025-06-15\n+++\n\n安全&amp;健康是一回事，防火&防爆也是一回事。\n",
    );
    let r = s.build(&["--quiet"]);
    assert_eq!(
        r.code,
        0,
        "build should succeed\n--- stderr (first lines) ---\n{}",
        head(&r.stderr)
    );
    let docs = read_docs(&s.out());
    let d = docs
        .iter()
        .find(|d| d.url == "notes/entities/")
        .expect("page indexed");
    assert!(
        d.text.contains("安全&健康是一回事，防火&防爆也是一回事。"),
        "{}",
        d.text
    );
}

/// Whitespace that follows an inline element (`**dust** collector`) separates words in the index
/// as it does on the page: `collector` must be findable, and `dustcollector` is not a word of the page.
#[test]
fn space_after_inline_markup_separates_words() {
    let s = site("search-recall");
    s.write(
        "content/notes/spaces.md",
        "+++\ntitle = \"行内格式\"\n+++\n\n除尘器使用 **dust** collector 和 *spark* detector 两个部件。\n",
    );
    s.build(&["--quiet"]).ok();
    let html = read(&s.out(), "notes/spaces/index.html");
    assert!(
        html.contains("<strong>dust</strong> collector"),
        "fixture renders as expected"
    );
    let b = Built {
        docs: read_docs(&s.out()),
        out: s.out(),
        _site: s,
        cache: RefCell::new(HashMap::new()),
    };
    let doc = b.doc_by_url("notes/spaces/").clone();
    let urls = |q: &str| b.query(q).into_iter().map(|h| h.url).collect::<Vec<_>>();
    assert!(
        doc.text.contains("dust collector") && doc.text.contains("spark detector"),
        "the indexed text should keep the space after </strong> and </em>: {:?}",
        doc.text
    );
    assert!(
        urls("collector").contains(&"notes/spaces/".to_string()),
        "query `collector`: {:?}",
        urls("collector")
    );
    assert!(
        urls("detector").contains(&"notes/spaces/".to_string()),
        "query `detector`: {:?}",
        urls("detector")
    );
    assert!(
        urls("dustcollector").is_empty(),
        "`dustcollector` is not on the page"
    );
}

fn head(s: &str) -> String {
    s.lines().take(8).collect::<Vec<_>>().join("\n")
}

/// The shard files hold every term of the documents: a sanity check of the layout the browser reads.
#[test]
fn shards_are_json_maps_of_terms() {
    let b = build("search-recall");
    let meta: serde_json::Value =
        serde_json::from_str(&b.get("search/meta.json").unwrap()).unwrap();
    let shards = meta["shards"].as_u64().unwrap();
    assert!(shards >= 1);
    let mut terms: BTreeMap<String, u64> = BTreeMap::new();
    let mut bytes = 0;
    for i in 0..shards {
        let text = b
            .get(&format!("search/s/{i}.json"))
            .unwrap_or_else(|| panic!("shard {i} missing"));
        bytes += text.len();
        let m: BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
        for k in m.keys() {
            assert!(
                terms.insert(k.clone(), i).is_none(),
                "term {k:?} in two shards"
            );
        }
    }
    // A query fetches whole shards: they are sized to about 4 KB (bench/README.md, search bytes).
    let mean = bytes as u64 / shards;
    assert!(
        shards == 1 || (2048..=8192).contains(&mean),
        "{shards} shards of {mean} bytes on average"
    );
    for t in ["粉尘", "尘爆", "爆炸", "gb", "15577", "0.1", "mpa", "2024"] {
        assert!(terms.contains_key(t), "term {t:?} missing from the shards");
    }
    assert!(
        !terms.contains_key("粉尘爆炸"),
        "terms are bigrams, not whole words"
    );
}

/// Each result file says where its page belongs (`w`): a page in a section names the section (by
/// the title of the section's own page), a top-level page names nothing, and the Rust query hands
/// the same on with each hit; the field is omitted when empty, so pages pay only for a place.
#[test]
fn result_files_say_where_each_page_belongs() {
    let b = build("search-recall");
    // A page two or more levels down names its top section, by that section page's title.
    let expected = |url: &str| -> Vec<String> {
        let parts: Vec<&str> = url.split('/').filter(|p| !p.is_empty()).collect();
        if parts.len() >= 2 {
            vec![b.doc_by_url(&format!("{}/", parts[0])).title.clone()]
        } else {
            Vec::new()
        }
    };
    let mut in_sections = 0;
    for d in &b.docs {
        let raw = b.get(&format!(
            "search/d/{}.json",
            dualprev::search::format::b36(d.id)
        ));
        let v: serde_json::Value = serde_json::from_str(&raw.unwrap()).unwrap();
        let got: Vec<String> = v
            .get("w")
            .map(|w| serde_json::from_value(w.clone()).expect("w is a list of strings"))
            .unwrap_or_default();
        let want = expected(&d.url);
        assert_eq!(got, want, "place of {} ({})", d.url, d.title);
        if want.is_empty() {
            assert!(v.get("w").is_none(), "{}: an empty w is written", d.url);
        } else {
            in_sections += 1;
        }
    }
    assert!(
        in_sections >= 20,
        "most fixture pages lie in a section: {in_sections}"
    );
    let hits = b.query("动火");
    assert!(hits.iter().any(|h| h.place == ["学习笔记"]), "{hits:?}");
    for h in &hits {
        let url = h.url.split('#').next().unwrap();
        assert_eq!(h.place, expected(url), "place of the hit {}", h.url);
    }
}

/// A phrase found only deep in a long page: the index says in which chunk it can first start, so
/// the reader skips the chunks before it (a long enterprise page costs one or two chunks, not
/// all of them), and the result still links to the heading above the match and shows it.
#[test]
fn a_phrase_deep_in_a_long_page_is_read_from_its_chunk() {
    let filler = |n: usize| "仓库货架巡查记录按班次填写。".repeat(n);
    let html = format!(
        "<html><body><main><!--search:start--><h1>长页面</h1><p>{}粉尘</p><p>{}</p>\
         <h2 id=\"第三节\">第三节</h2><p>{}粉尘涉爆企业每季度清扫一次。</p><p>{}</p>\
         <!--search:end--></main></body></html>",
        filler(40),
        filler(110),
        filler(60),
        filler(40)
    );
    let mut out = dualprev::render::Output::default();
    let text = dualprev::page_text::extract(&html);
    out.texts.push(("long/".to_string(), text.into()));
    out.files
        .insert("long/index.html".into(), html.into_bytes().into());
    let (files, _) = dualprev::search::index(&out);
    let fetched = RefCell::new(Vec::new());
    let get = |rel: &str| {
        fetched.borrow_mut().push(rel.to_string());
        files
            .get(rel)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let groups = dualprev::search::tokenize::query_terms("粉尘涉爆");
    let cands = dualprev::search::query::candidates(&get, &groups);
    assert_eq!(cands.len(), 1, "{cands:?}");
    // The phrase starts about 2,900 characters in: in the chunk `from`, not in the one before.
    let chunk = cands[0].from;
    assert!(chunk >= 2, "{cands:?}");
    let text_of = |k: u32| get(&format!("search/x/0-{k}.txt")).unwrap_or_default();
    assert!(text_of(chunk).contains("粉尘涉爆"), "{}", text_of(chunk));
    assert!(
        !text_of(chunk - 1).contains("粉尘涉"),
        "{}",
        text_of(chunk - 1)
    );
    fetched.borrow_mut().clear();
    let hits = dualprev::search::query::query(&get, "粉尘涉爆");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(
        hits[0].url.ends_with("#%E7%AC%AC%E4%B8%89%E8%8A%82"),
        "{}",
        hits[0].url
    );
    assert!(hits[0].snippet.contains("粉尘涉爆"), "{}", hits[0].snippet);
    let chunks: Vec<String> = fetched
        .borrow()
        .iter()
        .filter(|p| p.starts_with("search/x/"))
        .cloned()
        .collect();
    assert_eq!(
        chunks,
        vec![format!("search/x/0-{chunk}.txt")],
        "only the chunk with the phrase is read"
    );
    // A word with no phrase bound reads from the start as before.
    let c =
        dualprev::search::query::candidates(&get, &dualprev::search::tokenize::query_terms("粉尘"));
    assert_eq!(c[0].from, 1);
}

/// The preview takes no page text while it renders (it holds every page already, and makes the
/// index only when a search asks for it); the index it then makes from the kept pages is the
/// one `build` writes, file for file.
#[test]
fn the_previews_index_made_on_request_is_the_builds() {
    use dualprev::pipeline::{BuildOptions, Caches, Mode, compile};
    let root = fixture("search-recall");
    let opts = BuildOptions {
        out: root.join("public"),
        root,
        as_of: Some(AS_OF.parse().unwrap()),
        today: AS_OF.parse().unwrap(),
        profile: dualprev::model::Profile::Public,
        base_url: None,
        offline: false,
    };
    let compiled = |with_search: bool| {
        let mut caches = Caches::default();
        let mode = Mode::Preview {
            caches: &mut caches,
            with_search,
        };
        match compile(&opts, mode) {
            Ok(c) => c.output,
            Err(_) => panic!("the fixture should compile"),
        }
    };
    let preview = compiled(false);
    assert!(preview.texts.is_empty(), "the preview took page texts");
    let (made, stats) = dualprev::search::index(&preview);
    assert!(stats.docs > 5, "{stats:?}");
    let with_index = compiled(true);
    let built: BTreeMap<&String, &[u8]> = with_index
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("search/") && !p.ends_with(".html"))
        .map(|(p, b)| (p, b.as_slice()))
        .collect();
    let made: BTreeMap<&String, &[u8]> = made.iter().map(|(p, b)| (p, b.as_slice())).collect();
    assert_eq!(made.len(), built.len());
    assert!(
        made == built,
        "the preview's index differs from the build's"
    );
}
