//! What people see: every page type of the repository site and of the hostile fixture, opened in
//! headless Chromium on a 390×844 phone, a 1280×900 desktop and on paper (print media at the
//! printable width of the page's own `@page` size), checked by `tests/layout_checks.js` for text
//! clipped by hidden overflow, pages scrolling sideways, one-character-a-line text, ids and dates
//! broken across lines, panels covering a phone screen and tables wider than the paper.
//!
//! Screenshots and PDFs of the first page of each type land in `target/layout/<site>/` for a person
//! to look at; `target/layout/<site>/report.txt` lists every problem. A new page type is one line in
//! `REPO_PAGES` or `HOSTILE_PAGES`.

use crate::common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::browser::{Chrome, emulate_media, eval, js, lit, viewport};
use headless_chrome::Tab;
use headless_chrome::protocol::cdp::Page;
use headless_chrome::types::PrintToPdfOptions;
use serde_json::Value;

/// One page type: a name for the report and the files, and the output path of the page(s) to
/// open. A `*` segment opens every match (every enterprise, say); the first match is the one
/// photographed. `paper` is the fallback paper when the page's CSS names no `@page` size.
struct PageType {
    name: &'static str,
    path: &'static str,
    paper: &'static str,
}

const fn page(name: &'static str, path: &'static str) -> PageType {
    PageType {
        name,
        path,
        paper: "A4",
    }
}

const REPO_PAGES: &[PageType] = &[
    page("home", ""),
    page("about", "about/"),
    page("not-found", "404.html"),
    page("search", "search/?q=动火作业"),
    page("enterprises", "enterprises/"),
    page("enterprise", "enterprises/*/"),
    page("bulletin", "enterprises/*/bulletin/"),
    page("cards", "enterprises/*/cards/"),
    page("card", "enterprises/lianshan-valve/cards/1/"),
    PageType {
        name: "cards-a5",
        path: "enterprises/*/cards/a5/",
        paper: "A5",
    },
    page("report", "enterprises/*/report-2024/"),
    page("report-interim", "enterprises/*/report-2025/"),
    page("reports", "reports/"),
    page("quarterly", "reports/quarterly/*/"),
    page("monthly", "reports/monthly/2025-06/"),
    page("plan", "plan/"),
    page("four-colour", "enterprises/*/four-colour/"),
    page("handbook", "handbook/"),
    page("manual", "handbook/small-micro/"),
    page("chapter", "handbook/small-micro/*/"),
    page("chapter-large", "handbook/large-medium/*/"),
    page("manual-print", "handbook/*/print/"),
    page("topics", "handbook/topics/"),
    page("topic", "handbook/topics/*/"),
    page("glossary", "handbook/glossary/"),
    page("training", "handbook/training/"),
    page("ledger", "ledger/"),
    page("ledger-facet", "ledger/*/*/"),
    page("ledger-hazards", "ledger/hazards/"),
    page("ledger-risks", "ledger/risks/"),
    page("notices", "notices/"),
    page("notice", "notices/*/"),
    page("showcase", "showcase/"),
    page("standards", "standards/"),
    page("standard", "standards/*/"),
];

const HOSTILE_PAGES: &[PageType] = &[
    page("home", ""),
    page("about", "about/"),
    page("enterprises", "enterprises/"),
    page("enterprise", "enterprises/*/"),
    page("bulletin", "enterprises/*/bulletin/"),
    page("cards", "enterprises/*/cards/"),
    PageType {
        name: "cards-a5",
        path: "enterprises/*/cards/a5/",
        paper: "A5",
    },
    page("four-colour", "enterprises/*/four-colour/"),
    page("chapter", "handbook/small-micro/*/"),
    page("ledger", "ledger/"),
    page("ledger-hazards", "ledger/hazards/"),
    page("ledger-risks", "ledger/risks/"),
    page("notice", "notices/*/"),
    page("standard", "standards/*/"),
];

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Phone,
    Desktop,
    Print,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Phone => "phone",
            Mode::Desktop => "desktop",
            Mode::Print => "print",
        }
    }
}

const MODES: [Mode; 3] = [Mode::Phone, Mode::Desktop, Mode::Print];

#[test]
fn repository_site_layout() {
    let site = common::repo_site();
    check_site("repo", &site, REPO_PAGES);
}

#[test]
fn hostile_fixture_layout() {
    let site = common::site("hostile");
    check_site("hostile", &site, HOSTILE_PAGES);
}

fn check_site(label: &str, site: &common::Site, types: &[PageType]) {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    site.build(&[]).ok();
    let out = site.out();
    let server = StaticServer::start(out.clone());
    let shots = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/layout")
        .join(label);
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let tab = chrome.tab();
    let checks = include_str!("layout_checks.js");

    let mut report = String::new();
    let mut total = 0usize;
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    // DUALPREV_LAYOUT_ONLY=report,cards-a5 checks only those page types (while fixing them).
    let only = std::env::var("DUALPREV_LAYOUT_ONLY").ok();
    for t in types {
        if let Some(only) = &only
            && !only.split(',').any(|n| n.trim() == t.name)
        {
            continue;
        }
        let paths = expand(&out, t.path);
        assert!(
            !paths.is_empty(),
            "{label}: page type {} ({}) matches no page in the output",
            t.name,
            t.path
        );
        for (i, path) in paths.iter().enumerate() {
            let first = i == 0;
            // One load per page; the three modes re-lay it out in place.
            let url = format!("{}/{}", server.base, path);
            navigate(&tab, &url);
            for mode in MODES {
                let started = Instant::now();
                let paper = set_mode(&tab, mode, t.paper);
                let v = js(&tab, &format!("return ({checks})({});", lit(mode.name())));
                let problems = v["problems"].as_array().cloned().unwrap_or_default();
                let n: u64 = v["counts"]
                    .as_object()
                    .map(|o| o.values().filter_map(Value::as_u64).sum())
                    .unwrap_or(0);
                if n > 0 {
                    total += n as usize;
                    *by_type
                        .entry(format!("{} {}", t.name, mode.name()))
                        .or_default() += n as usize;
                    for p in &problems {
                        report.push_str(&format!(
                            "/{path} [{}{}] {}: {}\n",
                            mode.name(),
                            paper
                                .as_deref()
                                .map(|p| format!(" {p}"))
                                .unwrap_or_default(),
                            p["kind"].as_str().unwrap_or("?"),
                            p["what"].as_str().unwrap_or("?")
                        ));
                    }
                    if n as usize > problems.len() {
                        report.push_str(&format!(
                            "/{path} [{}] … {} more\n",
                            mode.name(),
                            n as usize - problems.len()
                        ));
                    }
                }
                if first {
                    let file = shots.join(format!("{}-{}", t.name, mode.name()));
                    keep_picture(&tab, mode, &file, paper.as_deref());
                }
                if std::env::var_os("DUALPREV_LAYOUT_VERBOSE").is_some() {
                    let ms = started.elapsed().as_millis();
                    let _ = writeln!(
                        std::io::stderr(),
                        "{ms:>6} ms /{path} {} ({n})",
                        mode.name()
                    );
                }
            }
        }
    }
    let mut summary = format!("{label}: {total} layout problems\n");
    for (k, n) in &by_type {
        summary.push_str(&format!("  {k}: {n}\n"));
    }
    std::fs::write(shots.join("report.txt"), format!("{summary}\n{report}")).unwrap();
    assert!(
        total == 0,
        "{summary}\n{report}\n(screenshots and PDFs in {})",
        shots.display()
    );
}

/// The output paths (relative, URL form) a page type's pattern matches, sorted.
fn expand(out: &Path, pattern: &str) -> Vec<String> {
    let (path, query) = match pattern.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (pattern, String::new()),
    };
    let mut found = vec![String::new()];
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for seg in &segs {
        let mut next = Vec::new();
        for base in &found {
            if *seg == "*" {
                let dir = out.join(base);
                let mut names: Vec<String> = std::fs::read_dir(&dir)
                    .map(|rd| {
                        rd.flatten()
                            .filter(|e| e.path().join("index.html").is_file() || e.path().is_dir())
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                names.sort();
                for n in names {
                    next.push(format!("{base}{n}/"));
                }
            } else if seg.ends_with(".html") {
                next.push(format!("{base}{seg}"));
            } else {
                next.push(format!("{base}{seg}/"));
            }
        }
        found = next;
    }
    found
        .into_iter()
        .filter(|p| {
            let f = if p.is_empty() || p.ends_with('/') {
                out.join(p).join("index.html")
            } else {
                out.join(p)
            };
            f.is_file()
        })
        .map(|p| format!("{}{query}", common::pct(&p)))
        .collect()
}

/// Loads `url` and waits until the document and its fonts are ready.
fn navigate(tab: &Arc<Tab>, url: &str) {
    viewport(tab, 390, 844, true);
    emulate_media(tab, "screen");
    tab.navigate_to(url)
        .unwrap_or_else(|e| panic!("navigate to {url}: {e:#}"));
    let _ = tab.wait_until_navigated();
    let start = Instant::now();
    loop {
        let ready = eval(
            tab,
            "return document.readyState === 'complete' && !!document.body && document.fonts.status === 'loaded';",
        );
        if matches!(ready, Ok(Value::Bool(true))) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{url} did not load"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// Lays the open page out as `mode` sees it. For print, the viewport becomes the printable area
/// of the page's `@page` size and margins (or `fallback` paper); returns that paper's description.
fn set_mode(tab: &Arc<Tab>, mode: Mode, fallback: &str) -> Option<String> {
    let (w, h, mobile) = match mode {
        Mode::Phone => (390, 844, true),
        Mode::Desktop | Mode::Print => (1280, 900, false),
    };
    viewport(tab, w, h, mobile);
    emulate_media(
        tab,
        if mode == Mode::Print {
            "print"
        } else {
            "screen"
        },
    );
    if mode != Mode::Print {
        return None;
    }
    let p = js(tab, &format!("return ({PAGE_BOX})({});", lit(fallback)));
    let px = |mm: f64| (mm * 96.0 / 25.4).floor() as u32;
    let (pw, ph) = (num(&p["w"]), num(&p["h"]));
    let (cw, ch) = (
        pw - num(&p["ml"]) - num(&p["mr"]),
        ph - num(&p["mt"]) - num(&p["mb"]),
    );
    viewport(tab, px(cw), px(ch), false);
    // Let layout settle at the new width.
    let _ = eval(
        tab,
        "return new Promise(function (r) { requestAnimationFrame(function () { requestAnimationFrame(function () { r(true); }); }); });",
    );
    Some(format!("{}×{} mm", pw.round(), ph.round()))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// The paper of the page's first matching unnamed `@page` rule (in mm): its size and margins.
/// Chromium's default margins (about 10 mm) apply where the CSS sets none.
const PAGE_BOX: &str = r#"function (fallback) {
  var papers = { A3: [297, 420], A4: [210, 297], A5: [148, 210], B5: [176, 250], LETTER: [215.9, 279.4] };
  var size = (papers[fallback] || papers.A4).slice(), margin = {};
  function mm(v) {
    var m = /^(-?[\d.]+)(mm|cm|in|px|pt)?$/.exec(v.trim());
    if (!m) return null;
    var n = parseFloat(m[1]);
    return { mm: n, cm: n * 10, in: n * 25.4, px: n * 25.4 / 96, pt: n * 25.4 / 72 }[m[2] || 'px'];
  }
  function visit(rules) {
    Array.prototype.forEach.call(rules, function (r) {
      if (r.type === CSSRule.MEDIA_RULE) {
        if (window.matchMedia(r.media.mediaText).matches) visit(r.cssRules);
      } else if (r.type === CSSRule.PAGE_RULE && (r.selectorText === '' || r.selectorText === undefined)) {
        var s = r.style.getPropertyValue('size').trim();
        if (s) {
          var parts = s.split(/\s+/), land = false, named = null, lens = [];
          parts.forEach(function (p) {
            if (/^landscape$/i.test(p)) land = true;
            else if (papers[p.toUpperCase()]) named = papers[p.toUpperCase()];
            else if (mm(p) !== null) lens.push(mm(p));
          });
          if (named) size = named.slice();
          if (lens.length === 2) size = lens;
          if (lens.length === 1) size = [lens[0], lens[0]];
          if (land && size[0] < size[1]) size = [size[1], size[0]];
        }
        ['top', 'right', 'bottom', 'left'].forEach(function (side) {
          var v = r.style.getPropertyValue('margin-' + side);
          if (v && mm(v) !== null) margin[side] = mm(v);
        });
        var all = r.style.getPropertyValue('margin');
        if (all && !Object.keys(margin).length) {
          var ms = all.trim().split(/\s+/).map(mm);
          var t = ms[0], rr = ms.length > 1 ? ms[1] : t, b = ms.length > 2 ? ms[2] : t, l = ms.length > 3 ? ms[3] : rr;
          margin = { top: t, right: rr, bottom: b, left: l };
        }
      }
    });
  }
  Array.prototype.forEach.call(document.styleSheets, function (sh) {
    try { visit(sh.cssRules); } catch (e) {}
  });
  var d = 10;
  return { w: size[0], h: size[1],
    mt: margin.top != null ? margin.top : d, mr: margin.right != null ? margin.right : d,
    mb: margin.bottom != null ? margin.bottom : d, ml: margin.left != null ? margin.left : d };
}"#;

/// Writes what a person would look at: a PNG of the screen (the first 6,000 px of the page) or,
/// in print mode, the PDF Chromium prints with the page's own paper size.
fn keep_picture(tab: &Tab, mode: Mode, file: &Path, paper: Option<&str>) {
    if mode == Mode::Print {
        // An empty media type ends the emulation, so Chromium prints with the print styles.
        emulate_media(tab, "");
        let pdf = tab
            .print_to_pdf(Some(PrintToPdfOptions {
                prefer_css_page_size: Some(true),
                print_background: Some(true),
                ..Default::default()
            }))
            .expect("print to PDF");
        let _ = paper;
        write(&file.with_extension("pdf"), &pdf);
        return;
    }
    let h = js(
        tab,
        "return Math.min(6000, Math.max(document.documentElement.scrollHeight, window.innerHeight));",
    );
    // The whole page (up to 6,000 px) in one picture: the viewport is stretched to its height.
    let width = if mode == Mode::Phone { 390 } else { 1280 };
    viewport(tab, width, num(&h) as u32, mode == Mode::Phone);
    let bytes = tab
        .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    write(&file.with_extension("png"), &bytes);
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// A plain static file server for the built output (directories serve their index.html), so the
/// pages load their CSS, scripts and search index as they would from any web host.
struct StaticServer {
    base: String,
}

impl StaticServer {
    fn start(root: PathBuf) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        // 404.html links by absolute path under the site's base path (say /lianshan/): serve the
        // output there too, as the real host does.
        let page = std::fs::read_to_string(root.join("404.html")).unwrap_or_default();
        let prefix = page
            .split("href=\"")
            .skip(1)
            .filter_map(|h| h.split('"').next())
            .find_map(|h| h.strip_suffix("css/site.css"))
            .filter(|p| p.starts_with('/'))
            .unwrap_or("/")
            .to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                let prefix = prefix.clone();
                std::thread::spawn(move || serve_one(&root, &prefix, stream));
            }
        });
        StaticServer { base }
    }
}

fn serve_one(root: &Path, prefix: &str, mut stream: std::net::TcpStream) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
            break;
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = common::unpct(target.split(['?', '#']).next().unwrap_or("/"));
    let rel = path
        .strip_prefix(prefix)
        .unwrap_or(&path)
        .trim_start_matches('/');
    let mut file = root.join(rel);
    if rel.split('/').any(|s| s == "..") {
        file = root.join("404.html");
    }
    if file.is_dir() {
        file = file.join("index.html");
    }
    let (status, body, file) = match std::fs::read(&file) {
        Ok(b) => ("200 OK", b, file),
        Err(_) => (
            "404 Not Found",
            std::fs::read(root.join("404.html")).unwrap_or_default(),
            root.join("404.html"),
        ),
    };
    let ctype = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("xml") => "application/xml",
        Some("txt") | Some("csv") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}
