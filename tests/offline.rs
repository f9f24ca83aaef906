//! The offline copy (`build --offline`, and the zip every build publishes): every link of every
//! page opens a file (no folder listings), the zip holds exactly the `--offline` output with the
//! same bytes each build, the pages give the zip's real size; and in headless Chromium through
//! `file://` URLs: home → an enterprise → a handbook chapter → search with the served site's
//! results → the self-assessment saved across a reload → a print version that prints.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use headless_chrome::Tab;
use headless_chrome::types::PrintToPdfOptions;

use crate::common;
use crate::common::browser::*;

/// The repository's site, built for the web into `web/` and as the offline copy into `off/`.
struct Built {
    site: common::Site,
}

impl Built {
    fn new() -> Built {
        let b = Built {
            site: common::repo_site(),
        };
        b.build("web", &[]);
        b.build("off", &["--offline"]);
        b
    }

    fn build(&self, out: &str, extra: &[&str]) {
        self.site
            .build_into(&self.dir(out), &[&["--quiet"], extra].concat())
            .ok();
    }

    fn dir(&self, out: &str) -> PathBuf {
        self.site.tmp_path(out)
    }
}

/// The relative links (`href`, `src`, `action`) of a page, as written.
fn local_links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href", "src", "action"] {
        for v in common::attr_values(html, attr) {
            let v = v.trim().to_string();
            if v.is_empty()
                || v.starts_with('#')
                || v.split(['/', '?', '#'])
                    .next()
                    .is_some_and(|s| s.contains(':'))
            {
                continue;
            }
            out.push(v);
        }
    }
    out
}

/// The file a relative link opens from `page` (both relative to the site folder), as a file
/// system does it: no server to turn a folder into its index.html.
fn opened(page: &str, link: &str) -> String {
    let path = link.split(['?', '#']).next().unwrap_or("");
    let mut parts: Vec<String> = page.split('/').map(str::to_string).collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(common::unpct(s)),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') || path.is_empty() {
        out.push('/');
    }
    out
}

#[test]
fn every_link_of_the_offline_copy_opens_a_file_and_the_zip_holds_it() {
    let b = Built::new();
    let off = common::snapshot(&b.dir("off"));
    let web = common::snapshot(&b.dir("web"));

    // Every link of every page names a file that is there (a folder would show a listing).
    let (mut pages, mut links) = (0, 0);
    let mut broken = Vec::new();
    for (rel, bytes) in off.iter().filter(|(r, _)| r.ends_with(".html")) {
        pages += 1;
        let html = String::from_utf8_lossy(bytes);
        assert!(
            html.contains("<html data-offline"),
            "{rel} is not marked as the offline copy"
        );
        assert!(
            !html.contains("dualprev:online") && !html.contains("offline/site-offline.zip"),
            "{rel} still offers the download of the offline copy"
        );
        for link in local_links(&html) {
            links += 1;
            let target = opened(rel, &link);
            if !off.contains_key(&target) {
                broken.push(format!("{rel}: {link} → {target}"));
            }
        }
    }
    eprintln!(
        "offline copy: {pages} pages, {links} links, {} files",
        off.len()
    );
    assert!(
        pages > 500 && links > 10_000,
        "{pages} pages, {links} links"
    );
    assert!(
        broken.is_empty(),
        "{} links open no file, e.g.:\n{}",
        broken.len(),
        broken[..broken.len().min(20)].join("\n")
    );

    // The search index is there as scripts, and only as scripts.
    let data: Vec<&String> = web
        .keys()
        .filter(|r| r.starts_with("search/") && (r.ends_with(".json") || r.ends_with(".txt")))
        .collect();
    assert!(data.len() > 100, "{} search files", data.len());
    for rel in &data {
        let js = off
            .get(&format!("{rel}.js"))
            .unwrap_or_else(|| panic!("{rel}.js missing from the offline copy"));
        let js = String::from_utf8_lossy(js);
        assert!(
            js.starts_with(&format!("dualprevData(\"{rel}\",")),
            "{rel}.js: {js:.80}"
        );
        assert!(
            !off.contains_key(*rel),
            "{rel} is in the offline copy as data"
        );
    }
    assert!(!off.contains_key("404.html") && web.contains_key("404.html"));

    // The zip every web build publishes holds exactly the --offline output, byte for byte.
    let zip_bytes = &web["offline/site-offline.zip"];
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes.clone())).unwrap();
    let mut in_zip = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().to_string();
        let (folder, rel) = name.split_once('/').unwrap();
        assert_eq!(folder, "连山镇工贸企业双重预防机制（离线版）", "{name}");
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        in_zip.insert(rel.to_string(), bytes);
    }
    assert!(
        in_zip == off,
        "the zip and the --offline output differ:\n{}",
        common::diff(&off, &in_zip)
    );

    // Another build gives the same zip.
    b.build("web2", &[]);
    let again = std::fs::read(b.dir("web2").join("offline/site-offline.zip")).unwrap();
    assert!(&again == zip_bytes, "two builds made different zips");

    // The about page and the training guide link to it with its real size.
    let size = zip_bytes.len() as f64 / (1024.0 * 1024.0);
    let label = format!("（ZIP 压缩包，{size:.1} MB）");
    for page in ["about/index.html", "handbook/training/index.html"] {
        let html = String::from_utf8_lossy(&web[page]);
        assert!(
            html.contains("href=\"../../offline/site-offline.zip\"")
                || html.contains("href=\"../offline/site-offline.zip\""),
            "{page} has no link to the offline copy"
        );
        assert!(html.contains("下载离线版</a>"), "{page}");
        assert!(
            html.contains(&label),
            "{page} does not give the size {label}"
        );
        let copy = String::from_utf8_lossy(&off[page]);
        assert!(
            copy.contains("您现在打开的就是离线版"),
            "{page} in the copy"
        );
    }
    eprintln!(
        "zip: {} bytes ({label}), {} files; site {} bytes",
        zip_bytes.len(),
        in_zip.len(),
        web.values().map(|v| v.len()).sum::<usize>()
    );
}

/// Follows the first link `pick` (a JS expression giving an `<a>`) finds, by a click, and waits
/// for the page it names.
fn follow(tab: &Tab, origin: &dyn Origin, what: &str, pick: &str) -> String {
    let href = s(&js(
        tab,
        &format!("var a = {pick}; if (!a) return null; a.click(); return a.href;"),
    ));
    assert!(href.starts_with("file://"), "no link to {what}: {href}");
    wait_for(
        tab,
        origin,
        &format!("{what} ({href}) to open"),
        &format!(
            "return document.readyState === 'complete' && location.href.split('#')[0] === {};",
            lit(href.split('#').next().unwrap_or(""))
        ),
    );
    wait_for(
        tab,
        origin,
        &format!("{what} to load"),
        "return document.readyState === 'complete' && !!document.body;",
    );
    assert_page(tab, what);
    href
}

/// A page of the site, not a folder listing or an error, with its style sheets loaded.
fn assert_page(tab: &Tab, what: &str) {
    let v = js(
        tab,
        "var sheets = Array.from(document.querySelectorAll('link[rel=stylesheet]'));\
         return { title: document.title, offline: document.documentElement.hasAttribute('data-offline'),\
                  h1: document.querySelector('h1') ? document.querySelector('h1').textContent : '',\
                  sheets: sheets.length, loaded: sheets.filter(function (l) { return !!l.sheet; }).length,\
                  lineHeight: getComputedStyle(document.body).lineHeight,\
                  listing: /^Index of /.test(document.body.innerText) };",
    );
    assert!(
        v["offline"] == true && v["listing"] == false && !s(&v["h1"]).trim().is_empty(),
        "{what} is not a page of the offline copy: {v}"
    );
    assert!(
        v["sheets"].as_u64().unwrap_or(0) > 0 && v["sheets"] == v["loaded"],
        "{what}: style sheets did not load: {v}"
    );
    // site.css sets line-height 1.75 on the body (16 px → 28 px).
    assert_eq!(
        s(&v["lineHeight"]),
        "28px",
        "{what}: site.css not applied: {v}"
    );
}

/// [`all_search_results`] with `index.html` taken out of the addresses (the offline copy names
/// it, the served site does not).
fn results(tab: &Tab, origin: &dyn Origin, q: &str) -> (String, Vec<(String, String, String)>) {
    let (status, list) = all_search_results(tab, origin, q);
    let list = list
        .into_iter()
        .map(|(href, title, snippet)| (href.replace("index.html", ""), title, snippet))
        .collect();
    (status, list)
}

#[test]
fn offline_copy_in_a_browser_from_the_file_system() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let b = Built::new();
    let folder = Folder::new(&b.dir("off"));
    let tab = chrome.tab();

    // Home, as a trainer double-clicks it.
    open(&tab, &folder, "/index.html");
    assert_page(&tab, "the home page");

    // → an enterprise (a link to its page, not to an anchor in it).
    follow(
        &tab,
        &folder,
        "an enterprise page",
        "Array.from(document.querySelectorAll('main a[href*=\"enterprises/\"]')).find(function (a) {\
           return /enterprises\\/[a-z0-9-]+\\/index\\.html$/.test(a.getAttribute('href')); })",
    );
    let qr = js(
        &tab,
        "var q = document.querySelector('svg.qr'); if (!q) return null; var r = q.getBoundingClientRect();\
         return { w: r.width, url: q.getAttribute('data-url') };",
    );
    assert!(
        qr["w"].as_f64().unwrap_or(0.0) > 50.0,
        "the enterprise page's QR code is not shown: {qr}"
    );
    // The QR code still leads to the published page (a printed card is scanned by phones).
    assert!(
        s(&qr["url"]).starts_with("https://example.org/lianshan/enterprises/"),
        "{qr}"
    );

    // → the handbook, through the site's navigation, then a chapter.
    follow(
        &tab,
        &folder,
        "the handbook",
        "Array.from(document.querySelectorAll('header a, nav a')).find(function (a) {\
           return /handbook\\/index\\.html$/.test(a.getAttribute('href')); })",
    );
    follow(
        &tab,
        &folder,
        "a chapter of the small and micro enterprises' handbook",
        "Array.from(document.querySelectorAll('main a')).find(function (a) {\
           return /small-micro\\/index\\.html$/.test(a.getAttribute('href')); })",
    );
    follow(
        &tab,
        &folder,
        "chapter 4",
        "Array.from(document.querySelectorAll('main a')).find(function (a) {\
           return /04-risk-assessment\\/index\\.html$/.test(a.getAttribute('href')); })",
    );

    // → search from the header box, results as the served site gives them.
    js(
        &tab,
        "var i = document.getElementById('site-search'); i.value = '有限空间'; i.form.submit(); return true;",
    );
    wait_for(
        &tab,
        &folder,
        "the header box to open the search page",
        "return /search\\/index\\.html$/.test(location.pathname) && !!document.getElementById('search-results');",
    );
    let (status, first) = results(&tab, &folder, "有限空间");
    assert!(
        first.len() > 5 && status.contains("找到"),
        "offline search for 有限空间: {status} {first:?}"
    );
    let server = Server::start(&b.site.root);
    let served = chrome.tab();
    let queries = [
        "有限空间",
        "重大事故隐患",
        "GB 6441",
        "吹哨人",
        "粉尘涉爆",
        "不存在的词语组合",
    ];
    for q in queries {
        let url = format!("/search/index.html?q={}", common::pct(q));
        open(&tab, &folder, &url);
        let off = results(&tab, &folder, q);
        open(&served, &server, &format!("/search/?q={}", common::pct(q)));
        let web = results(&served, &server, q);
        assert_eq!(
            off, web,
            "offline and served search differ for {q:?} (left: offline)"
        );
        eprintln!("search {q:?}: {} results, offline = served", off.1.len());
    }
    // A result opens its page.
    open(
        &tab,
        &folder,
        &format!("/search/index.html?q={}", common::pct("有限空间")),
    );
    results(&tab, &folder, "有限空间");
    follow(
        &tab,
        &folder,
        "the first search result",
        "document.querySelector('#search-results > li > a')",
    );

    // → the self-assessment of a standard, saved across a reload.
    open(&tab, &folder, "/standards/small-micro/index.html");
    assert_page(&tab, "the small and micro standard");
    wait_for(
        &tab,
        &folder,
        "the self-assessment",
        "return !!document.getElementById('sa-percent');",
    );
    let item = js(
        &tab,
        "var tr = Array.from(document.querySelectorAll('article.standard tr[data-item]')).find(function (tr) {\
           return tr.getAttribute('data-veto') !== 'true'; });\
         var el = tr.querySelector('input.sa-points'); el.value = tr.getAttribute('data-points');\
         el.dispatchEvent(new Event('input', { bubbles: true }));\
         return [tr.getAttribute('data-item'), el.value, document.getElementById('sa-result').textContent];",
    );
    let before = s(&item[2]);
    tab.reload(false, None).expect("reload");
    let read_back = wait_for(
        &tab,
        &folder,
        "the self-assessment to come back after a reload",
        &format!(
            "var tr = document.querySelector('tr[data-item=' + JSON.stringify({}) + ']');\
             var el = tr && tr.querySelector('input.sa-points');\
             return el && el.value !== '' ? [el.value, document.getElementById('sa-result').textContent] : null;",
            lit(&s(&item[0]))
        ),
    );
    assert_eq!(read_back[0], item[1], "the score was not kept: {read_back}");
    assert_eq!(
        s(&read_back[1]),
        before,
        "the result changed across the reload"
    );
    js(&tab, "localStorage.clear(); return true;");

    // → a print version prints: the handbook's one-page version, to PDF.
    open(&tab, &folder, "/handbook/small-micro/print/index.html");
    assert_page(&tab, "the handbook's print version");
    let pdf = tab
        .print_to_pdf(Some(PrintToPdfOptions {
            prefer_css_page_size: Some(true),
            ..Default::default()
        }))
        .expect("print to PDF");
    let file = b.site.tmp_path("handbook.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output();
    match text {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let pages = text.matches('\u{c}').count();
            assert!(
                pages >= 10 && text.contains("风险"),
                "the printed handbook has {pages} pages"
            );
            eprintln!("printed handbook from file://: {pages} pages");
        }
        _ => eprintln!("!!! pdftotext (poppler-utils) missing: the printout's text not checked"),
    }
}

#[test]
fn no_zip_where_no_page_offers_it() {
    // The zip costs about as much as the rest of the build: made only for a site that links to it.
    let s = common::site("spine-ok");
    s.build(&["--quiet"]).ok();
    assert!(s.out().join("index.html").is_file());
    assert!(
        !s.out().join("offline").exists(),
        "a zip was made for a site that offers none"
    );
}
