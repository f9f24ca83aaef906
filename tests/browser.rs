//! Browser tests: the real `dualprev serve` binary on a temporary copy of a site, driven by headless
//! Debian Chromium through the DevTools protocol (headless_chrome).
//!
//! Checks what only a browser can: the search script (Chinese query, results built as text), the
//! ledger's sort and filter, the self-assessment on a standard's page (and that it survives a
//! reload), and the preview server's live reload and error overlay.
//!
//! Chromium is looked for at `$DUALPREV_CHROMIUM` or `/usr/bin/chromium`. When it is missing or does
//! not start, every test prints `!!! SKIPPED …` to stderr and passes — unless
//! `DUALPREV_REQUIRE_BROWSER=1` is set, in which case it fails with the reason.
//!
//! Every test has its own Chromium (own `--user-data-dir` in a temporary folder) and its own server
//! (`--port 0`), so the tests also run in parallel. Conditions are polled with a deadline; no test
//! sleeps a fixed time to assert speed.

use std::io::Write;
use std::path::{Path, PathBuf};

use headless_chrome::Tab;
use serde_json::Value;
use tempfile::TempDir;

use crate::common;

use crate::common::browser::*;
use crate::common::copy_dir;

// ---------------------------------------------------------------------------------------------
// Harness: Chromium (or a loud skip), the preview server, polling helpers.
// ---------------------------------------------------------------------------------------------

/// A temporary folder `<tmp>/site` holding the listed folders of `src`.
fn site_copy(src: &Path, dirs: &[&str]) -> (TempDir, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix("dualprev-browser-")
        .tempdir()
        .unwrap();
    let root = tmp.path().join("site");
    for d in dirs {
        let from = src.join(d);
        if from.is_dir() {
            copy_dir(&from, &root.join(d));
        }
    }
    (tmp, root)
}

/// The repository's own site (content/ and data/; the default theme is built in).
fn repo_site() -> (TempDir, PathBuf) {
    site_copy(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["content", "data", "templates", "static"],
    )
}

fn fixture_site(name: &str) -> (TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    site_copy(&src, &["content", "data", "templates", "static"])
}

// ---------------------------------------------------------------------------------------------
// 1. Search: a Chinese query typed into the page, a query from the address, results as text.
// ---------------------------------------------------------------------------------------------

/// Checks the results shown in `#search-results`: at least `min`, links inside the site whose
/// text is the title of the page they lead to, and nothing but li/a/p/mark elements.
fn check_results(tab: &Tab, server: &Server, min: usize) -> Vec<(String, String)> {
    let list = js(
        tab,
        "return Array.from(document.querySelectorAll('#search-results > li > a'))\
         .map(function (a) { return [a.href, a.textContent]; });",
    );
    let list: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (s(&p[0]), s(&p[1])))
        .collect();
    assert!(
        list.len() >= min,
        "expected at least {min} results, got {}: {list:?}",
        list.len()
    );
    let site = format!("{}/", server.base);
    for (href, text) in &list {
        assert!(
            href.starts_with(&site),
            "result link {href:?} does not point inside the site {site}"
        );
        let path = &href[server.base.len()..];
        assert!(
            !path.starts_with("/search/") && !path.contains(".."),
            "result link {href:?} points at a strange place"
        );
        assert!(
            !text.trim().is_empty() && !text.starts_with('/') && !text.contains(".html"),
            "result link text {text:?} (for {href}) looks like a URL, not a title"
        );
    }
    // Each link leads to a page (200) whose title or first heading is the link text.
    let checked = js(
        tab,
        "var links = Array.from(document.querySelectorAll('#search-results > li > a'));\
         return Promise.all(links.map(function (a) {\
           return fetch(a.href.split('#')[0]).then(function (r) { return r.text().then(function (t) {\
             var d = new DOMParser().parseFromString(t, 'text/html');\
             var h1 = d.querySelector('h1');\
             return [a.textContent, r.status, d.title, h1 ? h1.textContent.trim() : ''];\
           }); });\
         }));",
    );
    for row in checked.as_array().unwrap() {
        let (text, status, title, h1) = (s(&row[0]), row[1].as_u64(), s(&row[2]), s(&row[3]));
        assert_eq!(
            status,
            Some(200),
            "result {text:?} leads to HTTP {status:?}"
        );
        assert!(
            title == text || title.starts_with(&format!("{text} · ")) || h1 == text,
            "result link text {text:?} is not the title of its page (title {title:?}, h1 {h1:?})"
        );
    }
    // Results are built from text: only li, a, p and mark elements, and the text-only
    // span.nowrap that keeps a date or formula on one line.
    let tags = js(
        tab,
        "return Array.from(new Set(Array.from(document.querySelectorAll('#search-results *'))\
         .map(function (e) { var t = e.tagName.toLowerCase(); return t === 'span' && e.className === 'nowrap' && e.children.length === 0 ? 'span.nowrap' : t; })));",
    );
    for t in tags.as_array().unwrap() {
        assert!(
            ["li", "a", "p", "mark", "span.nowrap"].contains(&t.as_str().unwrap()),
            "unexpected <{}> inside #search-results (tags: {tags})",
            s(t)
        );
    }
    list
}

#[test]
fn search_finds_chinese() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();

    // Elsewhere the header box is the way in: it sends its query to /search/?q=.
    open(&tab, &server, "/handbook/");
    assert_eq!(
        js(
            &tab,
            "return document.querySelectorAll('input[type=search]').length;"
        ),
        1,
        "the handbook page should have the header's search box"
    );
    js(
        &tab,
        "var i = document.getElementById('site-search'); i.value = '动火'; i.form.submit(); return true;",
    );
    wait_for(
        &tab,
        &server,
        "the header box to lead to /search/?q=动火 with its results",
        "return location.pathname === '/search/' && new URLSearchParams(location.search).get('q') === '动火'\
           && document.getElementById('q') && document.getElementById('q').value === '动火'\
           && document.querySelectorAll('#search-results a').length > 0;",
    );

    // The search page has one search box, labelled, and no id twice.
    open(&tab, &server, "/search/");
    let boxes = js(
        &tab,
        "var ids = Array.from(document.querySelectorAll('[id]')).map(function (e) { return e.id; });\
         return { n: document.querySelectorAll('input[type=search]').length,\
                  label: (document.querySelector('label[for=q]') || {}).textContent || '',\
                  dup: ids.filter(function (id, i) { return ids.indexOf(id) !== i; }) };",
    );
    assert_eq!(
        boxes["n"], 1,
        "the search page should have exactly one search box: {boxes}"
    );
    assert!(
        s(&boxes["label"]).contains("搜索"),
        "the search box has no label: {boxes}"
    );
    assert_eq!(
        boxes["dup"],
        serde_json::json!([]),
        "ids used twice: {boxes}"
    );

    // Typing alone shows results (no Enter, no page load), and the address follows the box. The
    // status line's changes are recorded to report how many searches the typing started.
    js(
        &tab,
        "window.__samePage = 1; window.__statuses = [];\
         new MutationObserver(function () { window.__statuses.push(document.getElementById('search-status').textContent); })\
           .observe(document.getElementById('search-status'), { childList: true, characterData: true, subtree: true });\
         return true;",
    );
    tab.wait_for_element("#q")
        .expect("#q")
        .click()
        .expect("click #q");
    wait_for(
        &tab,
        &server,
        "#q to have focus",
        "return document.activeElement && document.activeElement.id === 'q';",
    );
    tab.type_str("有限空间").expect("type the query");
    let typed = std::time::Instant::now();
    wait_for(
        &tab,
        &server,
        "results for 有限空间 while typing, without Enter",
        "return document.querySelectorAll('#search-results a').length > 0 && /找到/.test(document.getElementById('search-status').textContent)\
           && /有限空间/.test(document.querySelector('#search-results').textContent);",
    );
    eprintln!(
        "typing 有限空间: results {} ms after the last key; status changes: {}",
        typed.elapsed().as_millis(),
        js(&tab, "return window.__statuses;")
    );
    assert_eq!(
        js(&tab, "return window.__samePage === 1;"),
        true,
        "typing reloaded the page instead of searching in place"
    );
    let href = s(&js(&tab, "return location.href;"));
    assert!(
        href.contains("?q=") && href.contains("%E6%9C%89%E9%99%90%E7%A9%BA%E9%97%B4"),
        "the query is not in the address: {href}"
    );
    let results = check_results(&tab, &server, 3);
    let marks = js(
        &tab,
        "return Array.from(document.querySelectorAll('#search-results mark')).map(function (m) { return m.textContent; });",
    );
    assert!(
        marks.as_array().unwrap().iter().any(|m| s(m) == "有限空间"),
        "no snippet marks 有限空间: {marks}"
    );
    assert!(
        results.iter().any(|(_, t)| t.contains("有限空间")),
        "no result title mentions 有限空间 (the topic page content/handbook/topics/有限空间作业.md should): {results:?}"
    );

    // Enter still searches: a value set without any input event runs only on submit.
    js(
        &tab,
        "var i = document.getElementById('q'); i.value = '销号'; i.focus(); return true;",
    );
    tab.press_key("Enter").expect("press Enter");
    wait_for(
        &tab,
        &server,
        "results for 销号 after Enter",
        "return new URLSearchParams(location.search).get('q') === '销号'\
           && /找到/.test(document.getElementById('search-status').textContent)\
           && Array.from(document.querySelectorAll('#search-results mark')).some(function (m) { return m.textContent === '销号'; });",
    );
    assert_eq!(js(&tab, "return window.__samePage === 1;"), true);

    // Each result says where it belongs: a chapter names its manual and its number (from the
    // chapter's own page: its breadcrumb's manual, its title's number), an enterprise its list.
    let places = js(
        &tab,
        "return Array.from(document.querySelectorAll('#search-results > li')).map(function (li) {\
           var p = li.querySelector('p.place');\
           return [li.querySelector('a').getAttribute('href'), p ? p.textContent : null]; });",
    );
    let places: Vec<(String, Option<String>)> = places
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (s(&r[0]), r[1].as_str().map(str::to_string)))
        .collect();
    let chapter = places
        .iter()
        .find(|(h, _)| h.contains("handbook/small-micro/08-"))
        .unwrap_or_else(|| {
            panic!("no small-micro chapter 8 among the results for 销号: {places:?}")
        });
    assert_eq!(
        chapter.1.as_deref(),
        Some("小微企业指导手册 › 第8章"),
        "the chapter's result should name its manual and chapter: {places:?}"
    );
    assert!(
        places
            .iter()
            .filter(|(h, _)| h.contains("handbook/large-medium/0"))
            .all(|(_, p)| p
                .as_deref()
                .is_some_and(|p| p.starts_with("大中型企业指导手册 › 第"))),
        "large-medium chapters should name their manual: {places:?}"
    );
    open(&tab, &server, "/search/?q=%E8%B1%86%E5%88%B6%E5%93%81");
    wait_for(
        &tab,
        &server,
        "an enterprise result for 豆制品 with its place",
        "var a = Array.from(document.querySelectorAll('#search-results > li')).filter(function (li) {\
           return li.querySelector('a').getAttribute('href').indexOf('enterprises/baihe-tofu/') >= 0; });\
         return a.length && a[0].querySelector('p.place') && a[0].querySelector('p.place').textContent === '企业名录';",
    );

    // A query from the address runs on load (GB 6441 is cited in several handbook pages).
    open(&tab, &server, "/search/?q=GB%206441");
    wait_for(
        &tab,
        &server,
        "results for ?q=GB 6441 on load",
        "return document.querySelectorAll('#search-results a').length > 0;",
    );
    assert_eq!(
        s(&js(&tab, "return document.getElementById('q').value;")),
        "GB 6441"
    );
    check_results(&tab, &server, 1);
}

/// The browser script and the Rust query function give the same results in the same order, with
/// the same anchors, for phrases of 2 to 8 characters, numbers, several terms, and words that are
/// on nearly every page (the script confirms phrases against the text, ten pages at a time, and
/// offers "显示更多结果" until every match is shown).
#[test]
fn search_in_the_browser_agrees_with_the_rust_query() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (tmp, root) = repo_site();
    // 400 more pages where 安全 is followed by many different characters: its follow codes are
    // then split into parts by code (`@key:N` in its shard), and the script must read the right
    // part, as the Rust query does.
    let after: Vec<char> = "帽带网绳阀门锁标识距离出口通道培训教育检查措施"
        .chars()
        .collect();
    for i in 0..400 {
        let words: String = (0..6)
            .map(|k| format!("安全{}", after[(i * 7 + k * 3) % after.len()]))
            .collect::<Vec<_>>()
            .join("，");
        let extra = if i % 50 == 0 {
            "，安全生产管理"
        } else {
            ""
        };
        std::fs::create_dir_all(root.join("content/zz-follow")).unwrap();
        std::fs::write(
            root.join(format!("content/zz-follow/p{i:03}.md")),
            format!("+++\ntitle = \"跟随测试{i}\"\n+++\n\n{words}{extra}。\n"),
        )
        .unwrap();
    }
    let out = tmp.path().join("built");
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_dualprev"))
        .args(["build", "--quiet", "--as-of", common::AS_OF, "--root"])
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run dualprev build");
    assert!(built.status.success(), "build failed: {built:?}");
    let get = |rel: &str| std::fs::read_to_string(out.join(rel)).ok();
    let meta: serde_json::Value = serde_json::from_str(&get("search/meta.json").unwrap()).unwrap();
    let shard = dualprev::search::format::fnv1a("安全") as u64 % meta["shards"].as_u64().unwrap();
    let entry: serde_json::Value =
        serde_json::from_str(&get(&format!("search/s/{shard}.json")).unwrap()).unwrap();
    let raw = entry["安全"].as_str().unwrap_or("");
    assert!(
        raw.starts_with('@') && raw.contains(':'),
        "安全 should have its follow codes split into parts: {raw:?}"
    );
    let server = Server::start(&root);
    let tab = chrome.tab();
    let (mut compared, mut clicks) = (0, 0);
    for q in [
        "有限空间",
        "重大事故隐患",
        "隐患排查治理",
        "粉尘",
        "吹哨人",
        "GB 6441",
        "动火作业 有限空间",
        "安全风险分级管控",
        "LEC",
        "不存在的词语组合",
        // Parts on many pages, never or rarely side by side: ruled out by what follows a bigram.
        "粉尘涉爆",
        "安全生产",
        "隐患排查",
        "安全帽",
        "安全生产管理",
        // A rare phrase: its first bigram's list is inline in the shard, with no files of its own.
        "吹哨人",
    ] {
        let expected: Vec<String> = dualprev::search::query::query(&get, q)
            .iter()
            .map(|h| common::unpct(&h.url))
            .collect();
        open(&tab, &server, &format!("/search/?q={}", lit_query(q)));
        wait_for(
            &tab,
            &server,
            &format!("the search for {q:?} to finish"),
            "var t = document.getElementById('search-status').textContent; return t !== '' && !/正在搜索/.test(t);",
        );
        // Ask for more until everything is shown (50 clicks are plenty for this site).
        for _ in 0..50 {
            let clicked = js(
                &tab,
                "var b = document.getElementById('search-more'); if (!b) return false;                  window.__n = document.querySelectorAll('#search-results > li').length; b.click(); return true;",
            );
            if !truthy(&clicked) {
                break;
            }
            clicks += 1;
            wait_for(
                &tab,
                &server,
                &format!("more results for {q:?}"),
                "return document.querySelectorAll('#search-results > li').length > window.__n || !document.getElementById('search-more');",
            );
        }
        let got: Vec<String> = js(
            &tab,
            "return Array.from(document.querySelectorAll('#search-results > li > a')).map(function (a) { return a.getAttribute('href'); });",
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|v| common::unpct(s(v).trim_start_matches("../")))
        .collect();
        assert_eq!(
            got, expected,
            "browser and Rust disagree for {q:?} (left: browser, right: Rust)"
        );
        eprintln!("search {q:?}: {} results agree", got.len());
        compared += got.len();
        // Every search file the script asked for is one the index has (no guessed names).
        let asked = js(
            &tab,
            "return performance.getEntriesByType('resource').map(function (e) { return new URL(e.name).pathname; })\
             .filter(function (p) { return /^\\/search\\/(s|l|n|d|x)\\//.test(p); });",
        );
        for path in asked.as_array().unwrap() {
            let rel = s(path).trim_start_matches('/').to_string();
            assert!(
                out.join(&rel).is_file(),
                "the search for {q:?} asked for {rel}, which the index does not have"
            );
        }
        let status = s(&js(
            &tab,
            "return document.getElementById('search-status').textContent;",
        ));
        if expected.is_empty() {
            assert!(status.contains("没有找到"), "status for {q:?}: {status}");
        } else {
            assert!(
                status.contains(&format!("找到 {} 个结果", expected.len())),
                "status for {q:?} should give the exact count {}: {status}",
                expected.len()
            );
        }
    }
    assert!(
        compared > 100 && clicks > 5,
        "the comparison should cover many results and pages of them: {compared} results, {clicks} clicks"
    );
}

fn lit_query(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 2. Search results never turn page text into HTML.
// ---------------------------------------------------------------------------------------------

#[test]
fn search_results_are_text_not_html() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = fixture_site("browser-xss");
    let server = Server::start(&root);
    let tab = chrome.tab();

    // The page itself: code spans and escaped text stay text, the title is escaped.
    open(&tab, &server, "/injection/");
    let text = s(&js(
        &tab,
        "return document.querySelector('main').innerText;",
    ));
    assert!(
        text.contains("<img src=x onerror=\"window.__pwned=1\">")
            && text.contains("<script>window.__pwned=2</script>"),
        "the page does not show the markup as text:\n{text}"
    );
    settle(&tab);
    assert_eq!(
        js(&tab, "return typeof window.__pwned;"),
        "undefined",
        "the page itself ran injected markup"
    );

    open(
        &tab,
        &server,
        "/search/?q=%E9%98%B2%E7%88%86%E6%BC%94%E7%BB%83",
    );
    wait_for(
        &tab,
        &server,
        "search results for 防爆演练",
        "return document.querySelectorAll('#search-results a').length > 0 && document.querySelector('#search-results p.snippet');",
    );
    settle(&tab);
    assert_eq!(
        js(&tab, "return typeof window.__pwned;"),
        "undefined",
        "injected markup ran in the search page"
    );
    let injected = js(
        &tab,
        "return document.querySelectorAll('#search-results img, #search-results script').length;",
    );
    assert_eq!(
        injected, 0,
        "markup from the page became elements in the results"
    );
    let title = s(&js(
        &tab,
        "return document.querySelector('#search-results a').textContent;",
    ));
    assert!(
        title.contains("防爆演练") && title.contains("<img src=x") && title.contains("<script>"),
        "the result title should show the markup as text: {title:?}"
    );
    let snippet = s(&js(
        &tab,
        "return document.querySelector('#search-results p.snippet').innerText;",
    ));
    assert!(
        snippet.contains("防爆演练") && snippet.contains("<img src=x onerror="),
        "the snippet should show the page text, markup included, as text: {snippet:?}"
    );
    assert!(
        !snippet.contains("&lt;") && !snippet.contains("&gt;"),
        "the snippet shows HTML entities instead of the characters: {snippet:?}"
    );
    let visible = js(
        &tab,
        "var p = document.querySelector('#search-results p.snippet'); var r = p.getBoundingClientRect();\
         return r.width > 0 && r.height > 0 && getComputedStyle(p).visibility !== 'hidden';",
    );
    assert_eq!(visible, true, "the snippet is not visible");
}

// ---------------------------------------------------------------------------------------------
// 3. Ledger: sort by a numeric column both ways, filter by a village.
// ---------------------------------------------------------------------------------------------

/// Values of column `col` in the visible rows of the ledger table.
fn column(tab: &Tab, col: usize) -> Vec<String> {
    let v = js(
        tab,
        &format!(
            "return Array.from(document.querySelector('#ledger-table').tBodies[0].rows)\
             .filter(function (r) {{ return !r.hidden; }})\
             .map(function (r) {{ return r.cells[{col}].textContent.trim(); }});"
        ),
    );
    v.as_array().unwrap().iter().map(s).collect()
}

fn numbers(values: &[String]) -> Vec<f64> {
    values
        .iter()
        .map(|v| {
            v.replace([',', '%'], "")
                .parse::<f64>()
                .unwrap_or_else(|_| {
                    panic!("从业人员 value {v:?} is not a number (all: {values:?})")
                })
        })
        .collect()
}

#[test]
fn ledger_sort_and_filter() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();

    open(&tab, &server, "/ledger/");
    wait_for(
        &tab,
        &server,
        "the ledger headers to become sort buttons",
        "return document.querySelectorAll('#ledger-table th button.sort-button').length > 0;",
    );
    let col = js(
        &tab,
        "return Array.from(document.querySelectorAll('#ledger-table thead th'))\
         .findIndex(function (th) { return th.textContent.trim() === '从业人员'; });",
    )
    .as_i64()
    .unwrap();
    assert!(col >= 0, "no 从业人员 column in the ledger");
    let col = col as usize;
    let total = js(
        &tab,
        "return document.querySelector('#ledger-table').tBodies[0].rows.length;",
    )
    .as_u64()
    .unwrap() as usize;
    assert!(total >= 10, "the ledger has only {total} rows");
    let before = numbers(&column(&tab, col));

    let button = tab
        .find_elements("#ledger-table thead th button.sort-button")
        .expect("sort buttons")
        .into_iter()
        .nth(col)
        .expect("the 从业人员 button");
    assert_eq!(button.get_inner_text().unwrap().trim(), "从业人员");

    button.click().expect("click 从业人员");
    wait_for(
        &tab,
        &server,
        "aria-sort=ascending on 从业人员",
        &format!(
            "return document.querySelectorAll('#ledger-table thead th')[{col}].getAttribute('aria-sort') === 'ascending';"
        ),
    );
    let asc = numbers(&column(&tab, col));
    assert_eq!(asc.len(), total);
    assert!(
        asc.windows(2).all(|w| w[0] <= w[1]),
        "从业人员 is not ascending after one click: {asc:?}"
    );
    let mut sorted = before.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(asc, sorted, "sorting changed the set of values");

    button.click().expect("click 从业人员 again");
    wait_for(
        &tab,
        &server,
        "aria-sort=descending on 从业人员",
        &format!(
            "return document.querySelectorAll('#ledger-table thead th')[{col}].getAttribute('aria-sort') === 'descending';"
        ),
    );
    let desc = numbers(&column(&tab, col));
    assert!(
        desc.windows(2).all(|w| w[0] >= w[1]),
        "从业人员 is not descending after the second click: {desc:?}"
    );
    assert!(desc.first() > desc.last(), "all values equal? {desc:?}");

    // Filter.
    let filter = tab
        .wait_for_element(".table-filter")
        .expect(".table-filter");
    filter.click().expect("click the filter");
    tab.type_str("新桥社区").expect("type into the filter");
    let state = wait_for(
        &tab,
        &server,
        "the filter to apply 新桥社区",
        "var input = document.querySelector('.table-filter');\
         if (input.value !== '新桥社区') return null;\
         var rows = Array.from(document.querySelector('#ledger-table').tBodies[0].rows);\
         var shown = rows.filter(function (r) { return !r.hidden; });\
         if (shown.length === rows.length) return null;\
         return { shown: shown.length, total: rows.length,\
           shownOk: shown.every(function (r) { return r.textContent.indexOf('新桥社区') >= 0 && r.getClientRects().length > 0; }),\
           hiddenOk: rows.filter(function (r) { return r.hidden; }).every(function (r) { return r.textContent.indexOf('新桥社区') < 0 && r.getClientRects().length === 0; }),\
           count: document.querySelector('.table-count').textContent };",
    );
    let shown = state["shown"].as_u64().unwrap();
    let total = state["total"].as_u64().unwrap();
    assert!(shown >= 1, "no row left for 新桥社区: {state}");
    assert_eq!(
        state["shownOk"], true,
        "a visible row does not contain 新桥社区: {state}"
    );
    assert_eq!(
        state["hiddenOk"], true,
        "a hidden row contains 新桥社区: {state}"
    );
    assert_eq!(
        s(&state["count"]),
        format!("显示 {shown} / {total} 行"),
        "the row count does not match the visible rows"
    );
    // The village column agrees for the rows that matched through it.
    let villages = column(&tab, 2);
    assert!(
        villages.iter().filter(|v| v.as_str() == "新桥社区").count() >= 1,
        "no visible row has 新桥社区 in the village column: {villages:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Self-assessment on a standard's page: totals, N/A, veto, kept across a reload.
// ---------------------------------------------------------------------------------------------

/// Sets a points input through the DOM and fires `input`, as typing would.
fn set_points(tab: &Tab, item: &str, value: &str) {
    js(
        tab,
        &format!(
            "var el = document.querySelector('tr[data-item=' + JSON.stringify({}) + '] input.sa-points');\
             el.value = {}; el.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;",
            lit(item),
            lit(value)
        ),
    );
}

fn click(tab: &Tab, selector: &str) {
    tab.find_element(selector)
        .unwrap_or_else(|e| panic!("find {selector}: {e:#}"))
        .click()
        .unwrap_or_else(|e| panic!("click {selector}: {e:#}"));
}

/// Every input of the self-assessment, as (item, kind, value/checked, disabled).
fn sa_state(tab: &Tab) -> Value {
    js(
        tab,
        "return Array.from(document.querySelectorAll('article.standard tr[data-item] input')).map(function (i) {\
           return [i.closest('tr').getAttribute('data-item'), i.className, i.type === 'checkbox' ? i.checked : i.value, i.disabled];\
         });",
    )
}

#[test]
fn self_assessment_persists() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();

    open(&tab, &server, "/standards/small-micro/");
    wait_for(
        &tab,
        &server,
        "the self-assessment result",
        "return !!document.getElementById('sa-percent');",
    );
    let rows = js(
        &tab,
        "return Array.from(document.querySelectorAll('article.standard tr[data-item]')).map(function (tr) {\
           return { item: tr.getAttribute('data-item'), points: parseInt(tr.getAttribute('data-points'), 10),\
             veto: tr.getAttribute('data-veto') === 'true',\
             pts: tr.querySelectorAll('input.sa-points').length, na: tr.querySelectorAll('input.sa-na').length,\
             vt: tr.querySelectorAll('input.sa-veto').length };\
         });",
    );
    let rows = rows.as_array().unwrap();
    let normal: Vec<(String, i64)> = rows
        .iter()
        .filter(|r| r["veto"] == false)
        .map(|r| (s(&r["item"]), r["points"].as_i64().unwrap()))
        .collect();
    let vetoes: Vec<String> = rows
        .iter()
        .filter(|r| r["veto"] == true)
        .map(|r| s(&r["item"]))
        .collect();
    assert!(normal.len() >= 8, "too few scored items: {normal:?}");
    assert!(!vetoes.is_empty(), "no veto items on the page");
    for r in rows {
        if r["veto"] == true {
            assert_eq!(
                (r["pts"].as_u64(), r["na"].as_u64(), r["vt"].as_u64()),
                (Some(0), Some(0), Some(1)),
                "veto row: {r}"
            );
        } else {
            assert_eq!(
                (r["pts"].as_u64(), r["na"].as_u64(), r["vt"].as_u64()),
                (Some(1), Some(1), Some(0)),
                "scored row: {r}"
            );
        }
    }
    let pass_line: f64 = s(&js(
        &tab,
        "return document.querySelector('article.standard').getAttribute('data-pass-line');",
    ))
    .parse()
    .unwrap();

    // Full points everywhere except three items set lower, and one item not applicable. For the
    // current small-micro standard (100 points) that is: 3.1 (6 points) N/A → 94 applicable;
    // 1.1 5→3, 4.2 5→4, 5.3 5→2 → 88 awarded; 88 / 94 = 93.617…% → "93.6%".
    let na_idx = 6;
    let lower: [(usize, i64); 3] = [(0, 2), (11, 1), (15, 3)];
    let mut awarded = 0i64;
    let mut applicable = 0i64;
    for (i, (item, points)) in normal.iter().enumerate() {
        let minus = lower.iter().find(|(j, _)| *j == i).map_or(0, |(_, m)| *m);
        let value = (points - minus).max(0);
        if i == 0 {
            // One item typed for real: click, select, type.
            let sel = format!("tr[data-item=\"{item}\"] input.sa-points");
            click(&tab, &sel);
            js(&tab, "document.activeElement.select(); return true;");
            tab.type_str(&value.to_string()).expect("type points");
        } else {
            set_points(&tab, item, &value.to_string());
        }
        if i == na_idx {
            continue;
        }
        applicable += points;
        awarded += value;
    }
    let na_item = &normal[na_idx].0;
    click(&tab, &format!("tr[data-item=\"{na_item}\"] input.sa-na"));
    // Half-up rounding to one decimal, in integers: tenths of a percent.
    let tenths = (awarded * 1000 * 2 + applicable) / (applicable * 2);
    let expected_pct = format!("{}.{}%", tenths / 10, tenths % 10);
    let expected_verdict = if tenths as f64 >= (pass_line * 10.0).round() {
        "合格"
    } else {
        "不合格"
    };
    eprintln!(
        "self-assessment: {awarded} / {applicable} → {expected_pct} ({expected_verdict}, pass line {pass_line}%)"
    );
    assert_eq!(expected_verdict, "合格", "the chosen scores should pass");

    let first = &normal[0];
    wait_for(
        &tab,
        &server,
        &format!("#sa-percent to read {expected_pct}"),
        &format!(
            "return document.getElementById('sa-percent').textContent === {} && document.getElementById('sa-verdict').textContent === '合格';",
            lit(&expected_pct)
        ),
    );
    let typed = s(&js(
        &tab,
        &format!(
            "return document.querySelector('tr[data-item=\"{}\"] input.sa-points').value;",
            first.0
        ),
    ));
    assert_eq!(
        typed,
        (first.1 - 2).max(0).to_string(),
        "typed points did not land in item {}",
        first.0
    );
    assert_eq!(
        js(
            &tab,
            &format!(
                "return document.querySelector('tr[data-item=\"{na_item}\"] input.sa-points').disabled;"
            )
        ),
        true,
        "the points input of a not-applicable item should be disabled"
    );
    let missing = js(
        &tab,
        "return document.getElementById('sa-result').textContent;",
    );
    assert!(
        !s(&missing).contains("尚未打分"),
        "items left unscored: {missing}"
    );

    // A veto fails the assessment whatever the points; unticking restores the verdict.
    let veto_sel = format!("tr[data-item=\"{}\"] input.sa-veto", vetoes[0]);
    click(&tab, &veto_sel);
    wait_for(
        &tab,
        &server,
        "verdict 不合格（否决）",
        "return document.getElementById('sa-verdict').textContent === '不合格（否决）';",
    );
    assert_eq!(
        s(&js(
            &tab,
            "return document.getElementById('sa-percent').textContent;"
        )),
        expected_pct
    );
    click(&tab, &veto_sel);
    wait_for(
        &tab,
        &server,
        "verdict 合格 again",
        "return document.getElementById('sa-verdict').textContent === '合格';",
    );

    // Reload: the entries come back from localStorage.
    let before = sa_state(&tab);
    open(&tab, &server, "/standards/small-micro/");
    wait_for(
        &tab,
        &server,
        "the self-assessment after reload",
        "return !!document.getElementById('sa-verdict');",
    );
    let after = sa_state(&tab);
    assert_eq!(
        before, after,
        "the self-assessment inputs changed across a reload"
    );
    assert_eq!(
        s(&js(
            &tab,
            "return document.getElementById('sa-percent').textContent;"
        )),
        expected_pct
    );
    assert_eq!(
        s(&js(
            &tab,
            "return document.getElementById('sa-verdict').textContent;"
        )),
        "合格"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Live reload after an edit; error overlay for a broken record, gone once it is fixed.
// ---------------------------------------------------------------------------------------------

/// Waits until the page's live-reload connection is open, so that no event can be missed.
fn wait_live(tab: &Tab, server: &Server) {
    wait_for(
        tab,
        server,
        "the live-reload connection to open",
        "return !!(window.dualprevLive && window.dualprevLive.readyState === 1);",
    );
}

#[test]
fn live_reload_and_overlay() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();
    let gen0 = server.status()["generation"].as_u64().unwrap();
    assert!(gen0 >= 1, "status after start: {}", server.status());

    open(&tab, &server, "/about/");
    wait_live(&tab, &server);
    js(
        &tab,
        "window.__marker = 1; document.body.firstElementChild.__kept = 1; \
         performance.clearResourceTimings(); return true;",
    );

    // An edit reloads the open page.
    let unique = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let line = format!("实时刷新测试 {unique}");
    let about = root.join("content/about.md");
    {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&about)
            .unwrap();
        write!(f, "\n\n{line}\n").unwrap();
    }
    wait_for(
        &tab,
        &server,
        "the page to show the new paragraph",
        &format!(
            "return document.readyState === 'complete' && document.body.innerText.indexOf({}) >= 0;",
            lit(&line)
        ),
    );
    // A page without scripts of its own has its body swapped, not reloaded: the window (and its
    // live connection) stays, with one page in it.
    let swapped = js(
        &tab,
        "return [window.__marker === 1, document.querySelectorAll('main').length, \
         document.title.length > 0, window.dualprevLive.readyState];",
    );
    assert_eq!(
        swapped,
        serde_json::json!([true, 1, true, 1]),
        "after the edit"
    );
    // The new page came with the event: the page did not ask for itself.
    assert_eq!(
        js(
            &tab,
            "return performance.getEntriesByType('resource').filter(e => e.name === location.href).length;"
        ),
        serde_json::json!(0),
        "the edited page was fetched although the event carried it"
    );
    // Patched in place: the unchanged part of the page is the same node, and the body is now
    // exactly the served page's.
    assert_eq!(
        js(&tab, "return document.body.firstElementChild.__kept === 1;"),
        serde_json::json!(true),
        "the page's first element was replaced although it did not change"
    );
    js(
        &tab,
        "fetch(location.href, {cache: 'no-store'}).then(r => r.text()).then(t => { \
         window.__served = new DOMParser().parseFromString(t, 'text/html').body.innerHTML; }); \
         return true;",
    );
    wait_for(
        &tab,
        &server,
        "the served page",
        "return typeof window.__served === 'string';",
    );
    assert_eq!(
        js(&tab, "return window.__served === document.body.innerHTML;"),
        serde_json::json!(true),
        "the patched body differs from the served page"
    );
    wait_live(&tab, &server);

    // A broken record shows the overlay over the old page.
    let record = root.join("data/enterprises/xinqiao-casting.toml");
    let original = std::fs::read_to_string(&record).unwrap();
    let mut replaced = 0;
    let broken: String = original
        .lines()
        .map(|l| {
            if replaced == 0 && l.trim_start().starts_with("employees") {
                replaced += 1;
                "employees = \"abc\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    assert_eq!(replaced, 1, "no employees line in {}", record.display());
    js(&tab, "window.__marker = 2; return true;");
    std::fs::write(&record, &broken).unwrap();
    let overlay = wait_for(
        &tab,
        &server,
        "the error overlay naming data/enterprises/xinqiao-casting.toml:LINE",
        "var o = document.getElementById('dualprev-overlay');\
         if (!o) return null;\
         var t = o.innerText;\
         return /data\\/enterprises\\/xinqiao-casting\\.toml:\\d+/.test(t) ? t : null;",
    );
    let overlay = s(&overlay);
    assert!(
        overlay.contains("employees"),
        "the overlay does not mention the field: {overlay}"
    );
    let status = server.status();
    assert_eq!(status["ok"], false, "status while broken: {status}");
    assert!(
        status["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "no errors in the status: {status}"
    );
    let under = js(
        &tab,
        &format!(
            "return window.__marker === 2 && document.querySelector('main').innerText.indexOf({}) >= 0 \
             && document.getElementById('dualprev-overlay').parentElement === document.body;",
            lit(&line)
        ),
    );
    assert_eq!(
        under, true,
        "the old page should stay (not reloaded) under the overlay"
    );

    // Fixing the record removes the overlay (the page reloads).
    std::fs::write(&record, &original).unwrap();
    wait_for(
        &tab,
        &server,
        "the overlay to go away after the record is restored",
        &format!(
            "return document.readyState === 'complete' && !document.getElementById('dualprev-overlay') \
             && document.body.innerText.indexOf({}) >= 0;",
            lit(&line)
        ),
    );
    let status = server.status();
    assert_eq!(status["ok"], true, "status after the fix: {status}");
    assert!(
        status["generation"].as_u64().unwrap() >= gen0 + 2,
        "status after the fix: {status}"
    );
}

/// The trend charts on the dashboard and a village's ledger: each is an image named by its title,
/// its numbers are in a table behind it (one row per month, as many as the chart has points), the
/// table opens from its summary, and the values written at the lines' ends are the last month's.
#[test]
fn trend_charts_have_a_name_and_a_table_of_their_numbers() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();
    for path in ["/", "/ledger/village/%E5%A4%AA%E5%B9%B3%E6%9D%91/"] {
        open(&tab, &server, path);
        let figures = js(
            &tab,
            "return Array.from(document.querySelectorAll('figure.trend')).map(function (f) {\
               var svg = f.querySelector('svg');\
               var title = svg.firstElementChild;\
               var points = svg.querySelector('polyline').getAttribute('points').trim().split(/\\s+/).length;\
               var rows = f.querySelectorAll('details tbody tr');\
               f.querySelector('summary').click();\
               var last = Array.from(rows[rows.length - 1].querySelectorAll('td')).map(function (c) { return c.textContent; });\
               var ends = Array.from(svg.querySelectorAll('text.chart-value')).map(function (t) { return t.textContent; });\
               return { role: svg.getAttribute('role'), title: title.tagName === 'title' ? title.textContent : '',\
                        points: points, rows: rows.length, shown: f.querySelector('details table').offsetHeight > 0,\
                        last: last.sort(), ends: ends.sort() };\
             });",
        );
        let figures = figures.as_array().unwrap();
        assert_eq!(figures.len(), 2, "{path}: status and hazard charts");
        for f in figures {
            assert_eq!(f["role"], "img", "{path}: {f}");
            assert!(
                s(&f["title"]).contains("月末"),
                "{path}: named by its title: {f}"
            );
            assert_eq!(f["points"], f["rows"], "{path}: a table row per month: {f}");
            assert!(
                f["rows"].as_u64().unwrap() >= 12,
                "{path}: 2024-07 … 2025-06: {f}"
            );
            assert_eq!(f["shown"], true, "{path}: the table opens: {f}");
            assert_eq!(
                f["last"], f["ends"],
                "{path}: end values are the last month's: {f}"
            );
        }
    }
}
