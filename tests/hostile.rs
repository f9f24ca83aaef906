//! Hostile record text. `tests/fixtures/hostile/` is a site whose every record string
//! field (enterprise name, address, processes, risks, hazards, red lines, contacts, actions, the
//! standard's items, and in site.toml the title, villages, departments, liaison titles, milestone
//! names) carries an HTML/JS payload that sets `window.__pwned`, plus `javascript:` as
//! `safety_code_url`, JSON-breaking quotes `\"}]` and `</textarea>`. Markdown pages are written by
//! trusted authors (raw HTML is allowed by design, see SECURITY.md), so there the payloads are only
//! in code spans or written as escaped text.
//!
//! Without a browser:
//! - every HTML/XML/SVG file holds the payloads escaped, never as markup;
//! - no `href`/`src`/`action` is a `javascript:` URL (record URLs must not become script links);
//! - the data files (ledger JSON, CSV, XLSX, search documents) keep the text exactly and stay
//!   valid; a name starting with `=` is no formula in CSV or XLSX;
//! - the public profile writes none of the `[private]` people nor liaison names/phones;
//! - names from site.toml (villages, departments, liaison ids) that become output folders can
//!   never write outside the output folder.
//!
//! With headless Chromium (`dualprev serve --port 0`): every page type — dashboard, enterprise
//! page, risk cards, four-colour table, bulletin, year-end report, ledgers (all, hazards, risks,
//! per village), search results for a word next to a payload, standards checklist, showcase,
//! notices, print version — runs no injected script (`window.__pwned` stays undefined, no element
//! carries an `on…` handler or a script link) and shows the payload as text. A broken record with a
//! payload on the broken line shows it as text in the error overlay. The skip rule is the one of
//! tests/browser.rs: without Chromium a loud `!!! SKIPPED` (or a failure with
//! `DUALPREV_REQUIRE_BROWSER=1`).

use crate::common;

use std::collections::BTreeMap;

use std::path::{Path, PathBuf};

use headless_chrome::Tab;
use serde_json::Value;

use crate::common::browser::*;
const FIXTURE: &str = "hostile";
const WORKS: &str = "hostile-works";
const STORE: &str = "hostile-store";

/// The payloads as they must appear in page text.
const P1: &str = "<script>window.__pwned=1</script>";
const P2: &str = "<img src=x onerror=\"window.__pwned=2\">";
const P3: &str = "<svg onload=\"window.__pwned=3\">";
const P5: &str = "\"></a><script>window.__pwned=5</script>";
const P6: &str = "</script><script>window.__pwned=6</script>";
const JSON_BREAKER: &str = "\\\"}]";
const TEXTAREA: &str = "</textarea>";

/// Field values of the fixture (as read from TOML).
const WORKS_NAME: &str = "敌意示例铸造<script>window.__pwned=1</script>有限公司";
const STORE_NAME: &str =
    "=HYPERLINK(\"https://evil.example/\",\"点我\")<script>window.__pwned=1</script>仓储";
const SITE_TITLE: &str = "敌意测试镇<script>window.__pwned=1</script>双重预防";
const HAZARD_1: &str = "夜班巡查发现积尘<img src=x onerror=\"window.__pwned=2\">超过1毫米";
const HAZARD_2: &str = "炉前事故坑积水<svg onload=\"window.__pwned=3\">未加盖";
const POST_1: &str = "熔炼工<script>window.__pwned=1</script>";
const RISK_HAZARD_1: &str = "潮湿炉料入炉引发铁水喷溅</textarea><svg onload=\"window.__pwned=3\">";
const VILLAGE_1: &str = "新桥社区<script>window.__pwned=1</script>";
const STD_TITLE: &str = "敌意评估标准<script>window.__pwned=1</script>";
const STD_REQ: &str = "明确职责\"></a><script>window.__pwned=5</script>";

/// The same values as they must appear in the HTML source, escaped — written out here, not
/// computed by the code under test.
const WORKS_NAME_HTML: &str = "敌意示例铸造&lt;script&gt;window.__pwned=1&lt;/script&gt;有限公司";
const HAZARD_1_HTML: &str =
    "夜班巡查发现积尘&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;超过1毫米";
const HAZARD_2_HTML: &str = "炉前事故坑积水&lt;svg onload=&quot;window.__pwned=3&quot;&gt;未加盖";
const RISK_HAZARD_1_HTML: &str =
    "潮湿炉料入炉引发铁水喷溅&lt;/textarea&gt;&lt;svg onload=&quot;window.__pwned=3&quot;&gt;";
const POST_1_HTML: &str = "熔炼工&lt;script&gt;window.__pwned=1&lt;/script&gt;";
const STD_REQ_HTML: &str =
    "明确职责&quot;&gt;&lt;/a&gt;&lt;script&gt;window.__pwned=5&lt;/script&gt;";
const STD_TITLE_HTML: &str = "敌意评估标准&lt;script&gt;window.__pwned=1&lt;/script&gt;";
const SITE_TITLE_HTML: &str = "敌意测试镇&lt;script&gt;window.__pwned=1&lt;/script&gt;双重预防";

/// Personal data of the fixture: never in the public output.
const PERSONAL: &[&str] = &[
    "私密联络员甲",
    "13900000001",
    "私密联络员乙",
    "13900000002",
    "私密姓名甲",
    "13611119999",
    "私密姓名乙",
    "13533339999",
    "510681199001019999",
    "T510681202409999",
];

/// Raw markup that must never appear in an HTML, XML or SVG file of the output.
const RAW: &[&str] = &[
    "<script>window.__pwned",
    "<img src=x onerror",
    "<svg onload",
    "\"></a><script>",
    "</script><script>window",
    "</textarea>",
];

fn built() -> (common::Site, PathBuf) {
    let s = common::site(FIXTURE);
    let r = s.build(&[]);
    assert_eq!(
        r.code, 0,
        "the hostile fixture should build\n--- stderr ---\n{}",
        r.stderr
    );
    let out = s.out();
    (s, out)
}

fn is_markup(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".xml") || path.ends_with(".svg")
}

// ---------------------------------------------------------------------------------------------
// Without a browser
// ---------------------------------------------------------------------------------------------

#[test]
fn payloads_are_escaped_in_every_page() {
    let (_s, out) = built();
    let files = common::snapshot(&out);
    let mut pages = 0;
    let mut problems = Vec::new();
    for (path, bytes) in &files {
        if !is_markup(path) {
            continue;
        }
        pages += 1;
        let t = String::from_utf8_lossy(bytes);
        if t.contains("/__dualprev/") {
            problems.push(format!(
                "{path}: the preview server's live-reload script in a built file"
            ));
        }
        for m in RAW {
            if let Some(i) = t.find(m) {
                let from = t[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
                let to = (i + m.len() + 60).min(t.len());
                let to = (to..=t.len())
                    .find(|j| t.is_char_boundary(*j))
                    .unwrap_or(t.len());
                problems.push(format!("{path}: raw {m:?} in …{}…", &t[from..to]));
            }
        }
    }
    assert!(pages >= 40, "only {pages} pages in the hostile build");
    assert!(
        problems.is_empty(),
        "record markup written unescaped:\n{}",
        problems.join("\n")
    );
    // And the escaped text is there, on the page that shows the field.
    let page = common::read(&out, &format!("enterprises/{WORKS}/index.html"));
    for escaped in [
        WORKS_NAME_HTML,
        HAZARD_1_HTML,
        HAZARD_2_HTML,
        RISK_HAZARD_1_HTML,
        POST_1_HTML,
    ] {
        assert!(
            page.contains(escaped),
            "the enterprise page should hold {escaped:?}"
        );
    }
    for (rel, escaped) in [
        ("ledger/hazards/index.html", HAZARD_1_HTML),
        ("standards/hostile-std/index.html", STD_REQ_HTML),
        (
            &format!("enterprises/{WORKS}/report-2024/index.html"),
            STD_TITLE_HTML,
        ),
        ("index.html", SITE_TITLE_HTML),
    ] {
        assert!(
            common::read(&out, rel).contains(escaped),
            "{rel} should hold {escaped:?}"
        );
    }
}

/// Values of every URL-carrying attribute in `html`, entities decoded.
fn url_attributes(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for attr in [
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "poster",
    ] {
        for quote in ['"', '\''] {
            let needle = format!("{attr}={quote}");
            let mut rest = html;
            while let Some(i) = rest.find(&needle) {
                let before = rest[..i].chars().last();
                let after = &rest[i + needle.len()..];
                let end = after.find(quote).unwrap_or(after.len());
                if before.is_some_and(|c| c.is_whitespace()) {
                    out.push((attr.to_string(), common::unescape_html(&after[..end])));
                }
                rest = &after[end..];
            }
        }
    }
    out
}

/// What a browser would make of a URL's scheme: leading spaces and controls dropped, tabs and
/// newlines removed, lower-cased.
fn scheme_of(url: &str) -> String {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    cleaned
        .split(':')
        .next()
        .filter(|_| cleaned.contains(':'))
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// `safety_code_url` is record text: a `javascript:` (or `vbscript:`, `data:`) value must never be
/// written as a link target. In the fixture `hostile-works` has `javascript:window.__pwned=4` and
/// `hostile-store` has `  JavaScript:window.__pwned=4`.
#[test]
fn javascript_urls_from_records_are_never_links() {
    let (_s, out) = built();
    let mut problems = Vec::new();
    for (path, bytes) in common::snapshot(&out) {
        if !is_markup(&path) {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        for (attr, v) in url_attributes(&html) {
            let scheme = scheme_of(&v);
            if matches!(scheme.as_str(), "javascript" | "vbscript" | "data") {
                problems.push(format!("{path}: {attr}={v:?}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "script URLs from records written as link targets (clicking one runs it):\n{}",
        problems.join("\n")
    );
}

fn xlsx(path: &Path) -> Vec<(String, usize, usize, calamine::Data, String)> {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let mut out = Vec::new();
    for name in wb.sheet_names().to_owned() {
        let range = wb.worksheet_range(&name).unwrap();
        let formulas = wb.worksheet_formula(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (sr, sc) = range.start().unwrap_or((0, 0));
                let pos = (sr + r as u32, sc + c as u32);
                let f = formulas.get_value(pos).cloned().unwrap_or_default();
                out.push((name.clone(), r, c, cell.clone(), f));
            }
        }
    }
    out
}

/// Data files keep record text exactly and stay valid: JSON parses and gives the text back, CSV
/// defuses a leading `=`, the workbook holds it as a string, not a formula.
#[test]
fn data_files_keep_record_text_exactly() {
    let (_s, out) = built();
    let files = common::snapshot(&out);
    let mut json_files = 0;
    for (path, bytes) in &files {
        if path.ends_with(".json") {
            json_files += 1;
            serde_json::from_slice::<Value>(bytes).unwrap_or_else(|e| {
                panic!(
                    "{path} is not valid JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
                )
            });
        }
    }
    assert!(json_files > 10, "only {json_files} JSON files");
    let ledger: Value = serde_json::from_slice(&files["ledger/ledger.json"]).unwrap();
    let names: Vec<&str> = ledger["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["企业名称"].as_str())
        .collect();
    assert!(
        names.contains(&WORKS_NAME) && names.contains(&STORE_NAME),
        "ledger.json should give the names back exactly: {names:?}"
    );
    let hazards: Value = serde_json::from_slice(&files["ledger/hazards/ledger.json"]).unwrap();
    let found = hazards["rows"].as_array().expect("rows").iter().any(|r| {
        r.as_object()
            .is_some_and(|o| o.values().any(|v| v == HAZARD_1))
    });
    assert!(
        found,
        "hazard ledger JSON lost the description {HAZARD_1:?}: {hazards}"
    );
    // Search documents: the enterprise page's text comes back with the payloads as plain text.
    let docs: Vec<Value> = files
        .iter()
        .filter(|(p, _)| p.starts_with("search/d/"))
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    let works = docs
        .iter()
        .find(|d| d["u"] == format!("enterprises/{WORKS}/"))
        .expect("a search document for the enterprise page");
    assert_eq!(works["t"], WORKS_NAME, "search document title");
    let id = files
        .iter()
        .find(|(p, b)| {
            p.starts_with("search/d/") && serde_json::from_slice::<Value>(b).unwrap() == *works
        })
        .map(|(p, _)| p["search/d/".len()..p.len() - ".json".len()].to_string())
        .expect("the enterprise page's document file");
    let mut x = works["x"].as_str().unwrap().to_string();
    for k in 1..works["n"].as_u64().unwrap_or(1) {
        let chunk = &files[&format!("search/x/{id}-{k}.txt")];
        x.push_str(std::str::from_utf8(chunk).unwrap());
    }
    for v in [HAZARD_1, POST_1, JSON_BREAKER, TEXTAREA] {
        assert!(x.contains(v), "search text should hold {v:?}: {x}");
    }
    // CSV: the name starting with `=` is defused with a leading quote, the rest kept.
    let csv = String::from_utf8(files["ledger/ledger.csv"].clone()).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"https://evil.example/\"\",\"\"点我\"\")<script>window.__pwned=1</script>仓储\""),
        "CSV should start the = name with a quote and double its quotes:\n{csv}"
    );
    assert!(
        !csv.lines().any(|l| l.starts_with('=') || l.contains(",=")),
        "a CSV cell starts with =:\n{csv}"
    );
    // XLSX: a string cell, no formula anywhere.
    let cells = xlsx(&out.join("ledger/ledger.xlsx"));
    assert!(cells.len() > 20, "workbook read back empty");
    let hit = cells.iter().find(|(_, _, _, d, _)| match d {
        calamine::Data::String(s) => s.contains("HYPERLINK"),
        _ => false,
    });
    let (sheet, r, c, d, _) = hit.expect("the = name as a string cell in ledger.xlsx");
    let calamine::Data::String(s) = d else {
        unreachable!()
    };
    assert!(
        s == STORE_NAME || s == &format!("'{STORE_NAME}"),
        "sheet {sheet} cell ({r},{c}) holds {s:?}"
    );
    let formulas: Vec<_> = cells.iter().filter(|x| !x.4.is_empty()).collect();
    assert!(
        formulas.is_empty(),
        "ledger.xlsx holds formulas: {formulas:?}"
    );
}

#[test]
fn public_profile_leaves_out_the_personal_data() {
    let (_s, out) = built();
    let files = common::snapshot(&out);
    for (path, bytes) in &files {
        for v in PERSONAL {
            assert!(
                !bytes.windows(v.len()).any(|w| w == v.as_bytes()),
                "personal value {v:?} written to {path} by the public profile"
            );
        }
    }
    for (sheet, _, _, d, _) in xlsx(&out.join("ledger/ledger.xlsx")) {
        let s = d.to_string();
        for v in PERSONAL {
            assert!(!s.contains(v), "personal value {v:?} in sheet {sheet}");
        }
    }
    let get = |rel: &str| std::fs::read_to_string(out.join(rel)).ok();
    for v in PERSONAL {
        let hits = dualprev::search::query::query(&get, v);
        assert!(hits.is_empty(), "searching {v:?} finds {hits:?}");
    }
}

/// Villages, departments and liaison ids from site.toml become folders of the output
/// (`ledger/village/<name>/`). A name with `..` segments must not write outside the output
/// folder: either the build refuses the name (exit 1, pointing at site.toml) or the folder name is
/// made safe. Nothing may appear beside the output.
#[test]
fn names_from_site_toml_never_write_outside_the_output() {
    let s = common::site("town-small");
    let site_toml = s.root.join("data/site.toml");
    let mut text = std::fs::read_to_string(&site_toml).unwrap();
    text.push_str(
        "\n[[villages]]\nname = \"../../../../../escaped-village\"\n\
         \n[[departments]]\nname = \"../../../../../escaped-department\"\n\
         \n[[liaisons]]\nid = \"../../../../../escaped-liaison\"\ntitle = \"越界联络员\"\n",
    );
    std::fs::write(&site_toml, text).unwrap();
    // The output sits a few folders down so that the `..`s stay inside the temporary folder.
    let out = s.tmp_path("deep/a/b/out");
    let r = s.build_into(&out, &[]);
    let mut outside = Vec::new();
    for entry in walk(s.tmp.path()) {
        let rel = entry.strip_prefix(s.tmp.path()).unwrap();
        if rel.starts_with("site") || rel.starts_with("deep/a/b/out") {
            continue;
        }
        if entry.is_file() {
            outside.push(rel.display().to_string());
        }
    }
    assert!(
        outside.is_empty(),
        "names in site.toml made the build write outside the output folder {} (exit {}):\n{}",
        out.display(),
        r.code,
        outside.join("\n")
    );
    match r.code {
        0 => {}
        1 => assert!(
            r.stderr.contains("data/site.toml:"),
            "a refused name should point at site.toml:\n{}",
            r.stderr
        ),
        c => panic!("unexpected exit {c}:\n{}", r.stderr),
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                out.extend(walk(&p));
            }
            out.push(p);
        }
    }
    out
}

// Browser harness: tests/common/browser.rs.

/// Navigates to an absolute URL and waits until the document has loaded completely.
fn open_url(tab: &Tab, server: &Server, url: &str) {
    tab.navigate_to(url)
        .unwrap_or_else(|e| panic!("navigate to {url}: {e:#}"));
    let _ = tab.wait_until_navigated();
    wait_for(
        tab,
        server,
        &format!("{url} to load"),
        "return document.readyState === 'complete' && !!document.body;",
    );
}

// ---------------------------------------------------------------------------------------------
// With a browser
// ---------------------------------------------------------------------------------------------

/// Everything on the current page that injected markup would have made: a set `window.__pwned`,
/// event-handler attributes, script links, inline scripts or `<img src=x>` mentioning the payload.
const DOM_AUDIT: &str = "var found = [];\
  if (typeof window.__pwned !== 'undefined') found.push('window.__pwned = ' + String(window.__pwned));\
  document.querySelectorAll('*').forEach(function (el) {\
    for (var i = 0; i < el.attributes.length; i++) {\
      var a = el.attributes[i];\
      if (/^on/i.test(a.name) && /__pwned/.test(a.value)) found.push('<' + el.tagName.toLowerCase() + ' ' + a.name + '=' + JSON.stringify(a.value) + '>');\
      if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) && /^[\\s\\u0000-\\u001f]*(javascript|vbscript|data):/i.test(a.value))\
        found.push('<' + el.tagName.toLowerCase() + ' ' + a.name + '=' + JSON.stringify(a.value) + '> (text: ' + JSON.stringify((el.textContent || '').trim().slice(0, 40)) + ')');\
    }\
    if (el.tagName === 'SCRIPT' && /__pwned/.test(el.textContent)) found.push('inline <script> ' + JSON.stringify(el.textContent.slice(0, 80)));\
    if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') found.push('<img src=x> element');\
  });\
  return found;";

/// Clicks every script link on the page and reports what running it did (a `javascript:` URL
/// runs in a task after the click, hence the wait).
const CLICK_SCRIPT_LINKS: &str = "var links = Array.from(document.querySelectorAll('a[href]')).filter(function (a) {\
    return /^[\\s\\u0000-\\u001f]*javascript:/i.test(a.getAttribute('href')); });\
  if (!links.length) return [];\
  var before = window.__pwned;\
  links.forEach(function (a) { a.click(); });\
  return new Promise(function (r) { setTimeout(function () {\
    var after = window.__pwned; window.__pwned = before;\
    r(['clicking ' + links.length + ' script link(s) (' + links.map(function (a) { return JSON.stringify(a.textContent.trim()); }).join(', ')\
      + ') set window.__pwned = ' + String(after)]); }, 300); });";

/// Audits the current page: the DOM audit, what clicking script links does, the site title
/// visible, and each of `texts` present as text.
fn audit(tab: &Tab, texts: &[&str]) -> Vec<String> {
    settle(tab);
    let mut p: Vec<String> = js(tab, DOM_AUDIT)
        .as_array()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    p.extend(
        js(tab, CLICK_SCRIPT_LINKS)
            .as_array()
            .unwrap()
            .iter()
            .map(s),
    );
    let visible = s(&js(tab, "return document.body.innerText;"));
    let text = s(&js(tab, "return document.body.textContent;"));
    if !visible.contains(SITE_TITLE) {
        p.push(format!(
            "the site title {SITE_TITLE:?} is not visible as text"
        ));
    }
    for t in texts {
        if !text.contains(t) {
            p.push(format!("the text {t:?} is not on the page"));
        }
    }
    if !p.is_empty() {
        let excerpt: String = visible.chars().take(600).collect();
        p.push(format!("(page text: {excerpt:?})"));
    }
    p
}

/// One page to visit: its path and the texts that must be visible on it (besides the site title).
struct Visit {
    path: String,
    texts: Vec<&'static str>,
}

fn visits() -> Vec<Visit> {
    let e = |rest: &str| format!("/enterprises/{WORKS}/{rest}");
    let v = |path: String, texts: &[&'static str]| Visit {
        path,
        texts: texts.to_vec(),
    };
    vec![
        v(
            "/".into(),
            &[
                VILLAGE_1,
                HAZARD_2,
                P1,
                P2,
                P3,
                P5,
                P6,
                JSON_BREAKER,
                TEXTAREA,
            ],
        ),
        v(
            e(""),
            &[
                WORKS_NAME,
                "敌意镇工业路<img src=x onerror=\"window.__pwned=2\">8号",
                VILLAGE_1,
                "镇应急办<svg onload=\"window.__pwned=3\">",
                "出租方\"></a><script>window.__pwned=5</script>",
                "0838-5550101</script><script>window.__pwned=6</script>",
                "联络员一组</script><script>window.__pwned=6</script>",
                "熔炼浇注<svg onload=\"window.__pwned=3\">",
                "夜班巡查中频炉\\\"}]</textarea><script>window.__pwned=1</script>",
                POST_1,
                RISK_HAZARD_1,
                HAZARD_1,
                HAZARD_2,
                "熔炼期间炉前事故坑存在积水<script>window.__pwned=1</script>",
                "督促整改</textarea><script>window.__pwned=1</script>",
                "重大隐患逾期\"></a><script>window.__pwned=5</script>",
                "镇评估组<svg onload=\"window.__pwned=3\">",
                "<svg onload=\"window.__pwned=3\"> 与转义文字 <script>window.__pwned=1</script>",
            ],
        ),
        v(e("cards/"), &[WORKS_NAME, POST_1, RISK_HAZARD_1]),
        v(e("cards/1/"), &[WORKS_NAME]),
        v(e("cards/a5/"), &[WORKS_NAME]),
        v(e("four-colour/"), &[WORKS_NAME, POST_1]),
        v(e("bulletin/"), &[WORKS_NAME, RISK_HAZARD_1]),
        v(e("report-2024/"), &[WORKS_NAME, STD_TITLE, STD_REQ]),
        v(format!("/enterprises/{STORE}/"), &[STORE_NAME]),
        v("/enterprises/".into(), &[WORKS_NAME, STORE_NAME]),
        v("/ledger/".into(), &[WORKS_NAME, STORE_NAME]),
        v("/ledger/hazards/".into(), &[WORKS_NAME, HAZARD_1, HAZARD_2]),
        v("/ledger/risks/".into(), &[WORKS_NAME, RISK_HAZARD_1]),
        v(
            "/standards/hostile-std/".into(),
            &[
                STD_TITLE,
                STD_REQ,
                "组织保障<svg onload=\"window.__pwned=3\">",
                "查资料</script><script>window.__pwned=6</script>",
                "未明确的扣 10 分</textarea><script>window.__pwned=1</script>",
            ],
        ),
        v("/standards/".into(), &[STD_TITLE]),
        v("/showcase/".into(), &[WORKS_NAME]),
        v(
            "/notices/".into(),
            &["夜班巡查通知 <img src=x onerror=\"window.__pwned=2\"> </textarea>"],
        ),
        v("/notices/2025-hostile/".into(), &[P1, P6]),
        v(
            "/about/".into(),
            &["关于本站 <script>window.__pwned=1</script>"],
        ),
        v("/handbook/small-micro/print/".into(), &[P1, P2]),
    ]
}

#[test]
fn hostile_pages_run_no_injected_script() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let tmp = tempfile::Builder::new()
        .prefix("dualprev-hostile-")
        .tempdir()
        .unwrap();
    let root = tmp.path().join("site");
    common::copy_dir(&common::fixture(FIXTURE), &root);
    let server = Server::start(&root);
    let tab = chrome.tab();

    let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut note = |label: &str, p: Vec<String>| {
        if !p.is_empty() {
            problems.entry(label.to_string()).or_default().extend(p);
        }
    };

    for v in visits() {
        let url = server.url(&v.path);
        open_url(&tab, &server, &url);
        // The first text must be readable, not only present.
        if let Some(first) = v.texts.first() {
            let vis = s(&js(&tab, "return document.body.innerText;"));
            if !vis.contains(first) {
                note(
                    &v.path,
                    vec![format!("{first:?} is not visible (innerText)")],
                );
            }
        }
        note(&v.path, audit(&tab, &v.texts));
    }

    // The per-village, per-department and per-liaison ledgers, reached by their links.
    open_url(&tab, &server, &server.url("/ledger/"));
    let links = js(
        &tab,
        "return Array.from(document.querySelectorAll('a[href*=\"/village/\"], a[href*=\"/department/\"], a[href*=\"/liaison/\"]'))\
         .map(function (a) { return [a.href, a.textContent.trim()]; });",
    );
    let links: Vec<(String, String)> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (s(&l[0]), s(&l[1])))
        .collect();
    assert!(
        links.len() >= 5,
        "the ledger should link the villages, departments and liaisons: {links:?}"
    );
    let mut seen = std::collections::BTreeSet::new();
    for (href, text) in links {
        if !seen.insert(href.clone()) {
            continue;
        }
        open_url(&tab, &server, &href);
        let status = js(
            &tab,
            "return document.querySelector('main') ? document.querySelector('main').innerText.slice(0, 200) : '';",
        );
        if !s(&status).contains(text.split('（').next().unwrap_or(&text)) {
            note(
                &href,
                vec![format!(
                    "the group page does not show its name {text:?}: {status}"
                )],
            );
        }
        note(&href, audit(&tab, &[]));
    }

    // Search: a word next to the payloads; results are text.
    open_url(
        &tab,
        &server,
        &server.url("/search/?q=%E5%A4%9C%E7%8F%AD%E5%B7%A1%E6%9F%A5"),
    );
    wait_for(
        &tab,
        &server,
        "search results for 夜班巡查",
        "return document.querySelectorAll('#search-results a').length > 0 && document.querySelector('#search-results p.snippet');",
    );
    let results = s(&js(
        &tab,
        "return document.getElementById('search-results').innerText;",
    ));
    let tags = js(
        &tab,
        // Element names, a span counted only as the text-only `nowrap` wrapper of a date or formula.
        "return Array.from(new Set(Array.from(document.querySelectorAll('#search-results *')).map(function (e) { var t = e.tagName.toLowerCase(); return t === 'span' && e.className === 'nowrap' && e.children.length === 0 ? 'span.nowrap' : t; })));",
    );
    {
        let mut p = Vec::new();
        if !results.contains(WORKS_NAME) {
            p.push(format!("no result titled {WORKS_NAME:?}: {results}"));
        }
        if !results.contains("<img src=x onerror=") {
            p.push(format!("no snippet shows the payload as text: {results}"));
        }
        for t in tags.as_array().unwrap() {
            if !["li", "a", "p", "mark", "span.nowrap"].contains(&t.as_str().unwrap_or("")) {
                p.push(format!("<{}> inside #search-results", s(t)));
            }
        }
        note("/search/?q=夜班巡查", p);
    }
    note("/search/?q=夜班巡查", audit(&tab, &[]));

    // A broken record whose broken line carries a payload: the overlay shows it as text.
    open_url(
        &tab,
        &server,
        &server.url(&format!("/enterprises/{WORKS}/")),
    );
    wait_for(
        &tab,
        &server,
        "the live-reload connection to open",
        "return !!(window.dualprevLive && window.dualprevLive.readyState === 1);",
    );
    let record = root.join(format!("data/enterprises/{WORKS}.toml"));
    let original = std::fs::read_to_string(&record).unwrap();
    let broken = original.replacen(
        "employees = 30",
        "employees = \"<script>window.__pwned=7</script><img src=x onerror=\\\"window.__pwned=8\\\">\"",
        1,
    );
    assert_ne!(broken, original);
    std::fs::write(&record, &broken).unwrap();
    let overlay = wait_for(
        &tab,
        &server,
        "the error overlay for the broken record",
        "var o = document.getElementById('dualprev-overlay'); return o && /employees/.test(o.innerText) ? o.innerText : null;",
    );
    settle(&tab);
    {
        let mut p = Vec::new();
        let pwned = js(
            &tab,
            "return typeof window.__pwned === 'undefined' ? null : String(window.__pwned);",
        );
        if !pwned.is_null() {
            p.push(format!("window.__pwned = {pwned} with the overlay shown"));
        }
        let overlay = s(&overlay);
        if !overlay.contains("<script>window.__pwned=7</script>") {
            p.push(format!(
                "the overlay does not show the broken line as text: {overlay}"
            ));
        }
        let inside = js(
            &tab,
            "return document.querySelectorAll('#dualprev-overlay script, #dualprev-overlay img').length;",
        );
        if inside != 0 {
            p.push(format!("{inside} script/img elements inside the overlay"));
        }
        note("error overlay", p);
    }
    std::fs::write(&record, &original).unwrap();
    let _ = note;

    let report: Vec<String> = problems
        .iter()
        .map(|(page, p)| format!("{page}:\n  {}", p.join("\n  ")))
        .collect();
    assert!(
        problems.is_empty(),
        "{} page(s) with problems:\n{}\n{}",
        problems.len(),
        report.join("\n"),
        server.logs()
    );
}
