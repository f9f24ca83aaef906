//! Browser tests for the self-assessment on a standard's page, in headless Chromium (harness in
//! tests/common/browser.rs): no verdict before scoring, scores off the standard's step or out of
//! range refused with a message, the demonstration-line wording, a small result bar and readable
//! item cards on a 390×844 phone, and a printout of about one A4 page per category.

use std::path::{Path, PathBuf};
use std::process::Command;

use headless_chrome::Tab;
use headless_chrome::types::PrintToPdfOptions;
use serde_json::Value;
use tempfile::TempDir;

use crate::common::browser::*;
use crate::common::copy_dir;

const PHONE: (u32, u32) = (390, 844);

/// A temporary copy of the repository's site (the default theme is built into the binary).
fn repo_site() -> (TempDir, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix("dualprev-selfcheck-")
        .tempdir()
        .unwrap();
    let root = tmp.path().join("site");
    for d in ["content", "data", "templates", "static"] {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(d);
        if from.is_dir() {
            copy_dir(&from, &root.join(d));
        }
    }
    (tmp, root)
}

/// Opens a standard's page and waits for the self-assessment script to have drawn its result.
fn open_standard(tab: &Tab, server: &Server, id: &str) {
    open(tab, server, &format!("/standards/{id}/"));
    wait_for(
        tab,
        server,
        "the self-assessment result",
        "return !!document.getElementById('sa-percent');",
    );
}

/// The checklist's items as (id, points, veto), in page order.
fn items(tab: &Tab) -> Vec<(String, i64, bool)> {
    let v = js(
        tab,
        "return Array.from(document.querySelectorAll('article.standard tr[data-item]')).map(function (tr) {\
           return [tr.getAttribute('data-item'), parseInt(tr.getAttribute('data-points'), 10), tr.getAttribute('data-veto') === 'true'];\
         });",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| (s(&r[0]), r[1].as_i64().unwrap(), r[2] == true))
        .collect()
}

fn scored_items(tab: &Tab) -> Vec<(String, i64)> {
    items(tab)
        .into_iter()
        .filter(|i| !i.2)
        .map(|i| (i.0, i.1))
        .collect()
}

/// Sets an item's points input and fires `input`, as typing would.
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

/// Ticks a checkbox (by selector) through a real click event.
fn tick(tab: &Tab, selector: &str) {
    js(
        tab,
        &format!(
            "var el = document.querySelector({}); el.click(); return el.checked;",
            lit(selector)
        ),
    );
}

fn result_text(tab: &Tab) -> String {
    s(&js(
        tab,
        "return document.getElementById('sa-result').textContent;",
    ))
}

/// The verdict shown, if any: the `#sa-verdict` text, or any status badge in the result.
fn verdict(tab: &Tab) -> Option<String> {
    let v = js(
        tab,
        "var v = document.getElementById('sa-verdict') || document.querySelector('#sa-result .status');\
         return v ? v.textContent : null;",
    );
    v.as_str().map(str::to_string)
}

/// What the message next to an item's input says, when it is shown.
fn message(tab: &Tab, item: &str) -> Value {
    js(
        tab,
        &format!(
            "var tr = document.querySelector('tr[data-item=' + JSON.stringify({}) + ']');\
             var m = Array.from(tr.querySelectorAll('.sa-msg, [role=alert]')).filter(function (e) {{\
               return e.offsetParent !== null && e.textContent.trim() !== ''; }});\
             var i = tr.querySelector('input.sa-points');\
             return {{ text: m.map(function (e) {{ return e.textContent; }}).join(' '),\
                      invalid: i.getAttribute('aria-invalid') === 'true', step: i.getAttribute('step') }};",
            lit(item)
        ),
    )
}

#[test]
fn no_verdict_before_scoring() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();
    open_standard(&tab, &server, "small-micro");
    let scored = scored_items(&tab);
    let vetoes: Vec<String> = items(&tab)
        .into_iter()
        .filter(|i| i.2)
        .map(|i| i.0)
        .collect();

    let nothing = |tab: &Tab, when: &str| {
        let text = result_text(tab);
        assert_eq!(verdict(tab), None, "a verdict is shown {when}: {text}");
        // "合格线 60%" names the line; any other 合格 would be a verdict.
        let rest = text.replace("合格线", "");
        assert!(
            !rest.contains("合格") && !rest.contains("示范线"),
            "the result reads like a verdict {when}: {text}"
        );
    };
    nothing(&tab, "before anything is scored");
    // Marking an item not applicable scores nothing either.
    tick(
        &tab,
        &format!("tr[data-item=\"{}\"] input.sa-na", scored[1].0),
    );
    nothing(&tab, "with only a not-applicable item");

    set_points(&tab, &scored[0].0, &scored[0].1.to_string());
    let v = verdict(&tab)
        .unwrap_or_else(|| panic!("no verdict after scoring an item: {}", result_text(&tab)));
    assert!(v == "合格" || v == "不合格", "verdict {v:?}");

    // Emptying it again takes the verdict away; a veto alone decides.
    set_points(&tab, &scored[0].0, "");
    nothing(&tab, "after the only score was removed");
    tick(
        &tab,
        &format!("tr[data-item=\"{}\"] input.sa-veto", vetoes[0]),
    );
    assert_eq!(verdict(&tab).as_deref(), Some("不合格（否决）"));
}

#[test]
fn score_off_the_step_is_refused() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();
    open_standard(&tab, &server, "small-micro");
    let scored = scored_items(&tab);
    let (a, b) = (&scored[0], &scored[1]);

    set_points(&tab, &a.0, "2");
    set_points(&tab, &b.0, "2.7");
    let m = message(&tab, &b.0);
    assert_eq!(
        s(&m["step"]),
        "1",
        "the input's step should come from the standard's step = 1"
    );
    assert!(
        s(&m["text"]).contains("2.7") && s(&m["text"]).contains("整数"),
        "no message next to 2.7 in item {}: {m}",
        b.0
    );
    assert_eq!(m["invalid"], true, "2.7 not marked invalid: {m}");
    assert_eq!(
        s(&message(&tab, &a.0)["text"]),
        "",
        "a valid score has a message"
    );
    let text = result_text(&tab);
    assert!(
        text.contains("实得 2 /"),
        "2.7 was counted (expected 2 points in all): {text}"
    );

    // Out of range: refused the same way.
    let over = (b.1 + 1).to_string();
    set_points(&tab, &b.0, &over);
    let m = message(&tab, &b.0);
    assert!(
        s(&m["text"]).contains(&over) && s(&m["text"]).contains(&format!("0～{}", b.1)),
        "no range message for {over} in item {} (max {}): {m}",
        b.0,
        b.1
    );
    assert!(result_text(&tab).contains("实得 2 /"));

    // A score on the step clears the message and counts.
    set_points(&tab, &b.0, "1");
    let m = message(&tab, &b.0);
    assert_eq!(
        (s(&m["text"]), m["invalid"].clone()),
        (String::new(), Value::Bool(false))
    );
    assert!(
        result_text(&tab).contains("实得 3 /"),
        "{}",
        result_text(&tab)
    );
}

#[test]
fn half_point_step_from_the_standard() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let file = root.join("data/standards/small-micro.toml");
    let toml = std::fs::read_to_string(&file).unwrap();
    assert!(
        toml.contains("\nstep = 1\n"),
        "small-micro.toml states no step"
    );
    std::fs::write(&file, toml.replace("\nstep = 1\n", "\nstep = 0.5\n")).unwrap();
    let server = Server::start(&root);
    let tab = chrome.tab();
    open_standard(&tab, &server, "small-micro");
    let scored = scored_items(&tab);
    let (a, b) = (&scored[0], &scored[1]);

    set_points(&tab, &a.0, "2.5");
    set_points(&tab, &b.0, "2.7");
    let ma = message(&tab, &a.0);
    assert_eq!(s(&ma["step"]), "0.5", "{ma}");
    assert_eq!(s(&ma["text"]), "", "2.5 refused with step 0.5: {ma}");
    let mb = message(&tab, &b.0);
    assert!(
        s(&mb["text"]).contains("0.5 分的整数倍"),
        "2.7 not refused with step 0.5: {mb}"
    );
    let text = result_text(&tab);
    assert!(text.contains("实得 2.5 /"), "{text}");
}

#[test]
fn demonstration_wording() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();
    open_standard(&tab, &server, "small-micro");
    let lines = js(
        &tab,
        "var a = document.querySelector('article.standard');\
         return [parseFloat(a.getAttribute('data-pass-line')), parseFloat(a.getAttribute('data-demo-line'))];",
    );
    let (pass, demo) = (lines[0].as_f64().unwrap(), lines[1].as_f64().unwrap());
    assert!(
        pass < demo,
        "pass line {pass} should be below the demonstration line {demo}"
    );
    tick(&tab, "#sa-demo");

    // Full points: the demonstration line is reached.
    for (id, points) in scored_items(&tab) {
        set_points(&tab, &id, &points.to_string());
    }
    assert_eq!(
        verdict(&tab).as_deref(),
        Some("达到示范线"),
        "{}",
        result_text(&tab)
    );
    assert!(
        result_text(&tab).contains(&format!("示范线 {demo}%")),
        "the line shown is not the demonstration line: {}",
        result_text(&tab)
    );

    // Items set to 0 one by one until the score falls below the demonstration line; it stays
    // above the pass line, where the wording matters (a 77.1 % case).
    let mut pct = 100.0;
    for (id, _) in scored_items(&tab) {
        set_points(&tab, &id, "0");
        pct = s(&js(
            &tab,
            "return document.getElementById('sa-percent').textContent;",
        ))
        .trim_end_matches('%')
        .parse()
        .unwrap();
        if pct < demo {
            break;
        }
    }
    assert!(pct >= pass && pct < demo, "{pct}% is not between the lines");
    let text = result_text(&tab);
    assert_eq!(verdict(&tab).as_deref(), Some("未达示范线"), "{text}");
    assert!(
        !text.contains("不合格") && !text.contains("合格线"),
        "demonstration wording mixed with the pass line's: {text}"
    );

    // Unticked, the same score is judged against the pass line.
    tick(&tab, "#sa-demo");
    assert_eq!(
        verdict(&tab).as_deref(),
        Some("合格"),
        "{}",
        result_text(&tab)
    );
}

/// Height of the result panel (the section around `#sa-result`) and the page's width, in px.
fn bar_height(tab: &Tab) -> Value {
    js(
        tab,
        "var p = document.getElementById('sa-result').closest('section') || document.getElementById('sa-result');\
         var r = p.getBoundingClientRect();\
         return { h: r.height, vh: window.innerHeight, vw: window.innerWidth,\
                  pageW: document.documentElement.scrollWidth, pageH: document.documentElement.scrollHeight,\
                  pos: getComputedStyle(p).position };",
    )
}

#[test]
fn result_bar_stays_small_on_a_phone() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();
    viewport(&tab, PHONE.0, PHONE.1, true);
    open_standard(&tab, &server, "small-micro");
    let limit = 0.15 * PHONE.1 as f64;
    let check = |when: &str| {
        let b = bar_height(&tab);
        eprintln!("result bar {when}: {b}");
        assert_eq!(b["vh"].as_f64(), Some(PHONE.1 as f64), "viewport {b}");
        assert!(
            b["h"].as_f64().unwrap() <= limit,
            "the result bar {when} is {} px high, more than 15 % ({limit} px) of a {}×{} screen",
            b["h"],
            PHONE.0,
            PHONE.1
        );
        assert!(
            b["pageW"].as_f64().unwrap() <= PHONE.0 as f64,
            "the page scrolls sideways on a phone: {b}"
        );
    };
    check("before scoring");

    // The fullest bar: scores, one refused, one not applicable, a veto, the demonstration line.
    let scored = scored_items(&tab);
    for (id, points) in scored.iter().take(4) {
        set_points(&tab, id, &points.to_string());
    }
    set_points(&tab, &scored[4].0, "2.7");
    tick(
        &tab,
        &format!("tr[data-item=\"{}\"] input.sa-na", scored[5].0),
    );
    let veto = items(&tab).into_iter().find(|i| i.2).unwrap().0;
    tick(&tab, &format!("tr[data-item=\"{veto}\"] input.sa-veto"));
    tick(&tab, "#sa-demo");
    check("with every kind of entry");

    // It stays on screen while the checklist scrolls.
    let seen = js(
        &tab,
        "window.scrollTo(0, document.documentElement.scrollHeight / 2);\
         var r = document.getElementById('sa-result').getBoundingClientRect();\
         return r.top >= 0 && r.bottom <= window.innerHeight + 1;",
    );
    assert_eq!(seen, true, "the result is not on screen mid-page");
}

/// For every visible element matched by `selector`: its text, characters and lines (by where each
/// character lands), so that wrapping can be judged as a person sees it.
const LINES: &str = r#"
function lines(selector) {
  return Array.from(document.querySelectorAll(selector)).filter(function (el) {
    var r = el.getBoundingClientRect();
    return getComputedStyle(el).display !== 'none' && r.width > 0 && r.height > 0;
  }).map(function (el) {
    var tops = [], chars = 0;
    var walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (var n = walk.nextNode(); n; n = walk.nextNode()) {
      for (var i = 0; i < n.data.length; i++) {
        if (/\s/.test(n.data[i])) continue;
        var range = document.createRange();
        range.setStart(n, i); range.setEnd(n, i + 1);
        var rect = range.getClientRects()[0];
        if (!rect || rect.width === 0) continue;
        chars++;
        var top = Math.round(rect.top + rect.height / 2);
        if (!tops.some(function (t) { return Math.abs(t - top) < 4; })) tops.push(top);
      }
    }
    var cls = el.className || el.tagName;
    var tr = el.closest('tr');
    return { where: (tr ? tr.getAttribute('data-item') || 'head' : '') + ' ' + cls, text: el.textContent.trim().slice(0, 30), chars: chars, lines: tops.length };
  }).filter(function (x) { return x.chars > 0; });
}
"#;

fn wrapping(tab: &Tab, selector: &str) -> Vec<(String, String, u64, u64)> {
    let v = js(tab, &format!("{LINES} return lines({});", lit(selector)));
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                s(&x["where"]),
                s(&x["text"]),
                x["chars"].as_u64().unwrap(),
                x["lines"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn item_cards_readable_on_a_phone() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (_tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();
    for (w, h, mobile) in [(PHONE.0, PHONE.1, true), (1280, 900, false)] {
        viewport(&tab, w, h, mobile);
        open_standard(&tab, &server, "large-medium");
        // An entry next to every kind of input, so that the message is judged too.
        let scored = scored_items(&tab);
        set_points(&tab, &scored[0].0, "2.7");

        let cells = wrapping(
            &tab,
            "article.standard tr[data-item] > td, article.standard thead th, article.standard .sa-msg",
        );
        assert!(
            cells.len() > 100,
            "{w} px: too few cells measured: {}",
            cells.len()
        );
        let thin: Vec<_> = cells
            .iter()
            .filter(|(_, _, chars, lines)| *chars >= 2 && *chars < 2 * *lines)
            .collect();
        assert!(
            thin.is_empty(),
            "{w} px: {} of {} item texts wrap to fewer than 2 characters a line, e.g. {:?}",
            thin.len(),
            cells.len(),
            &thin[..thin.len().min(6)]
        );
        // Item ids never break inside ("1./1").
        let ids = wrapping(&tab, "article.standard tr[data-item] > td:first-child");
        let broken: Vec<_> = ids.iter().filter(|x| x.3 != 1).collect();
        assert!(
            broken.is_empty(),
            "{w} px: item ids broken over lines: {broken:?}"
        );
        let page_w = js(&tab, "return document.documentElement.scrollWidth;");
        assert!(
            page_w.as_u64().unwrap() <= w as u64,
            "{w} px: the page is {page_w} px wide"
        );
        if w == PHONE.0 {
            // A card per item: the requirement is set in one column as wide as the card.
            let req = js(
                &tab,
                "var tr = document.querySelector('article.standard tr[data-item]');\
                 var c = tr.children[1].getBoundingClientRect(), t = tr.getBoundingClientRect();\
                 return c.width / t.width;",
            );
            assert!(
                req.as_f64().unwrap() > 0.8,
                "the requirement takes {req} of the item's width on a phone"
            );
        }
    }
}

/// Pages and per-page text of a PDF, from poppler's pdfinfo/pdftotext (None when missing).
fn pdf_pages(pdf: &Path) -> Option<Vec<String>> {
    let info = Command::new("pdfinfo").arg(pdf).output().ok()?;
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))?
        .trim()
        .parse()
        .ok()?;
    (1..=pages)
        .map(|p| {
            let out = Command::new("pdftotext")
                .args(["-layout", "-f", &p.to_string(), "-l", &p.to_string()])
                .arg(pdf)
                .arg("-")
                .output()
                .ok()?;
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        })
        .collect()
}

#[test]
fn printout_runs_a_page_per_category() {
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let (tmp, root) = repo_site();
    let server = Server::start(&root);
    let tab = chrome.tab();
    for id in ["small-micro", "large-medium"] {
        open_standard(&tab, &server, id);
        let scored = scored_items(&tab);
        for (k, (item, points)) in scored.iter().enumerate() {
            set_points(&tab, item, &(points - (k as i64 % 2)).max(0).to_string());
        }
        let verdict = verdict(&tab).expect("a verdict once everything is scored");
        let categories = js(
            &tab,
            "return document.querySelectorAll('article.standard section.std-category').length;",
        )
        .as_u64()
        .unwrap() as usize;
        let pdf = tab
            .print_to_pdf(Some(PrintToPdfOptions {
                prefer_css_page_size: Some(true),
                ..Default::default()
            }))
            .expect("print to PDF");
        let file = tmp.path().join(format!("{id}.pdf"));
        std::fs::write(&file, pdf).unwrap();
        let Some(pages) = pdf_pages(&file) else {
            eprintln!(
                "!!! pdfinfo/pdftotext (poppler-utils) missing: page count of {id} not checked"
            );
            return;
        };
        let lines: Vec<usize> = pages
            .iter()
            .map(|p| p.lines().filter(|l| !l.trim().is_empty()).count())
            .collect();
        eprintln!(
            "{id}: {} categories, {} items, {} pages, text lines per page {lines:?}",
            categories,
            scored.len(),
            pages.len()
        );
        assert!(
            pages.len() <= categories,
            "{id}: {} pages for {categories} categories",
            pages.len()
        );
        // A page with a handful of lines is a row pushed over by a forced break.
        for (i, n) in lines.iter().enumerate() {
            assert!(*n >= 8, "{id}: page {} has only {n} lines of text", i + 1);
        }
        let all = pages.concat();
        assert!(
            all.contains("自评结果") && all.contains(&verdict),
            "{id}: the printout has no result with the verdict {verdict}"
        );
        for (item, _) in &scored {
            assert!(all.contains(item.as_str()), "{id}: item {item} not printed");
        }
    }
}
