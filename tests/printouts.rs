//! Printouts and QR codes: the codes encode the absolute URLs of their pages; post risk cards hold
//! every post (or unit) with its highest level; cards, checklists and the handbook print version
//! print as expected in headless Chromium (page counts, text via pdftotext); every printed post
//! risk card, A4 and A5, fits its sheet without clipping and keeps 应急处置, the phone line, the
//! enterprise name and the QR code (long posts continue on more cards); the handbook's band table
//! follows site.toml.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::browser::{Chrome, emulate_media, js, lit, viewport};
use crate::common::{AS_OF, chromium_path, copy_dir, read, run, skip_group};
use headless_chrome::Tab;
use headless_chrome::types::PrintToPdfOptions;

struct Built {
    _site: common::Site,
    root: PathBuf,
    out: PathBuf,
}

/// The repository's own site, built.
fn repo_site() -> Built {
    let site = common::repo_site();
    let out = site.out();
    let r = site.build(&["--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    Built {
        root: site.root.clone(),
        out,
        _site: site,
    }
}

fn site_toml(root: &Path) -> toml::Table {
    std::fs::read_to_string(root.join("data/site.toml"))
        .unwrap()
        .parse()
        .unwrap()
}

fn records(root: &Path) -> Vec<(String, toml::Table)> {
    let mut v: Vec<(String, toml::Table)> = std::fs::read_dir(root.join("data/enterprises"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap().parse().unwrap(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn num(v: &toml::Value) -> f64 {
    v.as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .unwrap()
}

const LEVELS: [&str; 4] = ["重大", "较大", "一般", "低"];

/// The level of one risk, computed here independently from the bands in site.toml (stricter of
/// computed and declared).
fn level(risk: &toml::Table, site: &toml::Table) -> usize {
    let band = |x: f64, b: &toml::Value| {
        if x >= num(&b["major"]) - 1e-9 {
            0
        } else if x >= num(&b["considerable"]) - 1e-9 {
            1
        } else if x >= num(&b["general"]) - 1e-9 {
            2
        } else {
            3
        }
    };
    let computed = match risk["method"].as_str().unwrap() {
        "LEC" => Some(band(
            num(&risk["l"]) * num(&risk["e"]) * num(&risk["c"]),
            &site["bands"]["lec"],
        )),
        "LS" => Some(band(
            num(&risk["l"]) * num(&risk["s"]),
            &site["bands"]["ls"],
        )),
        _ => None,
    };
    let declared = risk
        .get("level")
        .and_then(|l| LEVELS.iter().position(|x| Some(*x) == l.as_str()));
    match (computed, declared) {
        (Some(c), Some(d)) => c.min(d),
        (Some(c), None) => c,
        (None, Some(d)) => d,
        (None, None) => panic!("risk without level"),
    }
}

/// Post (or unit) → highest level, in first-seen order.
fn groups(rec: &toml::Table, site: &toml::Table) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for r in rec
        .get("risks")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
    {
        let r = r.as_table().unwrap();
        let g = r
            .get("post")
            .and_then(|p| p.as_str())
            .filter(|p| !p.is_empty())
            .or(r.get("unit").and_then(|u| u.as_str()))
            .unwrap()
            .to_string();
        let l = level(r, site);
        match out.iter_mut().find(|(n, _)| *n == g) {
            Some(e) => e.1 = e.1.min(l),
            None => out.push((g, l)),
        }
    }
    out
}

/// Module matrix of an SVG QR code made by dualprev (unit squares in one path, quiet zone 4).
fn matrix(svg: &str) -> (usize, Vec<bool>) {
    let size: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let w = size - 8;
    let mut m = vec![false; w * w];
    for cmd in d.split('M').filter(|s| !s.is_empty()) {
        let (x, y) = cmd.split('h').next().unwrap().split_once(',').unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        m[(y - 4) * w + (x - 4)] = true;
    }
    (w, m)
}

fn qr_svgs(html: &str) -> Vec<&str> {
    html.match_indices("<svg class=\"qr\"")
        .map(|(i, _)| &html[i..i + html[i..].find("</svg>").unwrap()])
        .collect()
}

fn assert_qr_encodes(svg: &str, url: &str) {
    assert!(
        svg.contains(&format!("data-url=\"{url}\"")),
        "QR labelled with another URL than {url}"
    );
    let (w, m) = matrix(svg);
    let fresh =
        qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).unwrap();
    assert_eq!(w, fresh.width());
    let expected: Vec<bool> = fresh
        .to_colors()
        .iter()
        .map(|c| *c == qrcode::Color::Dark)
        .collect();
    assert_eq!(m, expected, "QR modules do not encode {url}");
}

#[test]
fn qr_codes_encode_absolute_page_urls() {
    let b = repo_site();
    let base = site_toml(&b.root)["base_url"].as_str().unwrap().to_string();
    for (slug, rec) in records(&b.root).iter().take(6) {
        let html = read(&b.out, &format!("enterprises/{slug}/index.html"));
        let codes = qr_svgs(&html);
        assert_eq!(codes.len(), 1, "{slug}: one QR code on the enterprise page");
        assert_qr_encodes(codes[0], &format!("{base}enterprises/{slug}/"));
        let n = groups(rec, &site_toml(&b.root)).len();
        for i in 1..=n {
            let card = read(&b.out, &format!("enterprises/{slug}/cards/{i}/index.html"));
            let codes = qr_svgs(&card);
            assert_eq!(codes.len(), 1);
            assert_qr_encodes(codes[0], &format!("{base}enterprises/{slug}/cards/{i}/"));
        }
        if let Some(u) = rec
            .get("safety_code_url")
            .and_then(|u| u.as_str())
            .filter(|u| !u.is_empty())
        {
            assert!(
                html.contains(u),
                "{slug}: link to the provincial safety code page"
            );
        }
    }
}

#[test]
fn cards_hold_every_post_and_its_highest_level() {
    let b = repo_site();
    let site = site_toml(&b.root);
    for (slug, rec) in records(&b.root) {
        let html = read(&b.out, &format!("enterprises/{slug}/cards/index.html"));
        let expected = groups(&rec, &site);
        // A post's first card (a long post continues on `card-cont` cards).
        let cards: Vec<&str> = html
            .split("<section class=\"risk-card")
            .skip(1)
            .filter(|c| !c[..c.find('>').unwrap()].contains("card-cont"))
            .collect();
        assert_eq!(
            cards.len(),
            expected.len(),
            "{slug}: one card per post/unit"
        );
        for (card, (name, lvl)) in cards.iter().zip(&expected) {
            assert!(
                card.contains(&format!("<strong>{name}</strong>")),
                "{slug}: card for {name}"
            );
            let level_part = card.split("class=\"card-level\"").nth(1).unwrap();
            let level_part = &level_part[..level_part.find("</p>").unwrap()];
            assert!(
                level_part.contains(&format!(">{}<span class=\"level-colour\">", LEVELS[*lvl])),
                "{slug}/{name}: highest level {} in {level_part}",
                LEVELS[*lvl]
            );
            assert!(
                card.contains("119") && card.contains("120"),
                "emergency numbers"
            );
        }
        // The four-colour table colours each post by the same highest level.
        let four = read(
            &b.out,
            &format!("enterprises/{slug}/four-colour/index.html"),
        );
        for (name, lvl) in &expected {
            let row = four
                .split(&format!("<th scope=\"row\">{name}</th>"))
                .nth(1)
                .unwrap_or_else(|| panic!("{slug}: {name} in four-colour table"));
            let row = &row[..row.find("</tr>").unwrap()];
            assert!(
                row.contains(&format!(">{}<span", LEVELS[*lvl])),
                "{slug}/{name} four-colour level"
            );
        }
        let bulletin = read(&b.out, &format!("enterprises/{slug}/bulletin/index.html"));
        assert_eq!(qr_svgs(&bulletin).len(), 1, "bulletin carries the QR code");
    }
}

#[test]
fn qr_codes_need_a_base_url() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("content"), &root.join("content"));
    copy_dir(&repo.join("data"), &root.join("data"));
    let p = root.join("data/site.toml");
    let s = std::fs::read_to_string(&p).unwrap();
    let s: String = s
        .lines()
        .filter(|l| !l.starts_with("base_url"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&p, s).unwrap();
    let r = run(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        tmp.path().join("out").to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("base_url") && r.stderr.contains("二维码"),
        "{}",
        r.stderr
    );
}

#[test]
fn handbook_print_version_has_every_chapter_in_order() {
    let b = repo_site();
    for manual in ["small-micro", "large-medium"] {
        let dir = b.root.join("content/handbook").join(manual);
        let mut chapters: Vec<(i64, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap() != "_index.md")
            .map(|p| {
                let t = std::fs::read_to_string(p).unwrap();
                let fm: toml::Table = t.split("+++").nth(1).unwrap().parse().unwrap();
                (
                    fm.get("weight").and_then(|w| w.as_integer()).unwrap_or(0),
                    fm["title"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        chapters.sort();
        assert!(chapters.len() >= 8, "{manual}: at least 8 chapters");
        let html = read(&b.out, &format!("handbook/{manual}/print/index.html"));
        let body = &html[html.find("class=\"print-chapter\"").unwrap()..];
        let mut at = 0;
        for (i, (_, title)) in chapters.iter().enumerate() {
            let needle = format!(
                "<h2 id=\"ch-{}\" class=\"chapter-title\">{title}</h2>",
                i + 1
            );
            let found = body[at..]
                .find(&needle)
                .unwrap_or_else(|| panic!("{manual}: chapter {title} missing or out of order"));
            at += found + needle.len();
        }
        // Links between chapters became in-page anchors, and every in-page anchor exists.
        for (i, _) in html.match_indices("href=\"#") {
            let id = &html[i + 7..i + 7 + html[i + 7..].find('"').unwrap()];
            let id = percent_decode(id);
            assert!(
                html.contains(&format!("id=\"{id}\"")),
                "{manual}: dangling #{id}"
            );
        }
        assert!(
            !html.contains(&format!("href=\"../../../handbook/{manual}/0")),
            "{manual}: chapter links must be in-page"
        );
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn band_tables_follow_site_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("content"), &root.join("content"));
    copy_dir(&repo.join("data"), &root.join("data"));
    let out = tmp.path().join("out");
    let build = || {
        let r = run(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--quiet",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        read(&out, "handbook/small-micro/04-risk-assessment/index.html")
    };
    let html = build();
    assert!(
        html.contains("<td>D ≥ 320</td>")
            && html.contains("<td>160 ≤ D &lt; 320</td>")
            && html.contains("<td>D &lt; 70</td>")
    );
    assert!(html.contains("<td>R ≥ 20</td>") && html.contains("<td>9 ≤ R &lt; 15</td>"));
    let p = root.join("data/site.toml");
    let s = std::fs::read_to_string(&p).unwrap();
    let s = s
        .replacen("major = 320", "major = 400", 1)
        .replacen("considerable = 160", "considerable = 200", 1)
        .replacen("general = 9\n", "general = 10\n", 1);
    std::fs::write(&p, s).unwrap();
    let html = build();
    assert!(
        html.contains("<td>D ≥ 400</td>") && html.contains("<td>200 ≤ D &lt; 400</td>"),
        "LEC bands follow site.toml"
    );
    assert!(
        html.contains("<td>10 ≤ R &lt; 15</td>"),
        "LS bands follow site.toml"
    );
    assert!(!html.contains("D ≥ 320"));
}

#[test]
fn year_end_reports_show_the_scored_table() {
    let b = repo_site();
    let mut seen = 0;
    for (slug, rec) in records(&b.root) {
        let Some(evals) = rec.get("evaluations").and_then(|e| e.as_array()) else {
            continue;
        };
        for e in evals {
            let e = e.as_table().unwrap();
            if e["by"].as_str() == Some("自评") {
                continue;
            }
            let year = &e["date"].to_string()[..4];
            let html = read(
                &b.out,
                &format!("enterprises/{slug}/report-{year}/index.html"),
            );
            assert!(
                html.contains("评估结论") && html.contains("签字"),
                "{slug} {year}"
            );
            for id in e["scores"].as_table().unwrap().keys() {
                assert!(
                    html.contains(&format!("<td>{id}</td>")),
                    "{slug} {year}: item {id}"
                );
            }
            seen += 1;
        }
    }
    assert!(seen >= 5, "the town's data has official evaluations");
}

// ---- printing in headless Chromium ----

fn chromium() -> Option<PathBuf> {
    let p = chromium_path();
    let have_pdftotext = Command::new("pdftotext").arg("-v").output().is_ok();
    if p.exists() && have_pdftotext {
        return Some(p);
    }
    let why = format!(
        "chromium at {} present: {}, pdftotext present: {have_pdftotext}",
        p.display(),
        p.exists()
    );
    skip_group(
        "print-to-PDF tests (printouts)",
        &why,
        "Install with: apt-get install -y chromium poppler-utils fonts-noto-cjk",
    );
    None
}

/// Prints `file` (a built HTML file) to PDF; returns (pages, text).
fn print_pdf(chrome: &Path, file: &Path, tmp: &Path) -> (usize, String) {
    let pdf = tmp.join(format!(
        "{}.pdf",
        std::process::id() as u128 + file.as_os_str().len() as u128 * 7919 + rand_tag()
    ));
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(chrome)
        .args(common::CHROMIUM_FLAGS)
        .args(["--headless", "--no-pdf-header-footer"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    assert!(
        pdf.exists(),
        "chromium wrote no PDF: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    (pages, String::from_utf8_lossy(&text.stdout).into_owned())
}

fn rand_tag() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// The joint meeting's briefing is handed out on paper: every quarter of the town's plan prints
/// on 2–4 A4 pages with its headline numbers and agenda, and the monthly report on one or two.
#[test]
fn quarterly_briefings_and_monthly_reports_print_on_a_few_a4_pages() {
    let Some(chrome) = chromium() else { return };
    let b = repo_site();
    let tmp = tempfile::tempdir().unwrap();
    let quarters = common::list_dir(&b.out.join("reports/quarterly"));
    assert!(quarters.len() >= 4, "{quarters:?}");
    for q in &quarters {
        let (pages, text) = print_pdf(
            &chrome,
            &b.out.join(format!("reports/quarterly/{q}/index.html")),
            tmp.path(),
        );
        assert!((1..=4).contains(&pages), "{q}: {pages} pages");
        let flat: String = text.split_whitespace().collect();
        for part in ["提请会议研究的问题", "主要数字", "季度末逾期的隐患"] {
            assert!(flat.contains(part), "{q}: {part} printed");
        }
    }
    let last = quarters.last().unwrap();
    let (pages, _) = print_pdf(
        &chrome,
        &b.out.join(format!("reports/quarterly/{last}/index.html")),
        tmp.path(),
    );
    assert!(
        pages >= 2,
        "{last}: the latest quarter has lists to print ({pages} page)"
    );
    let (pages, text) = print_pdf(
        &chrome,
        &b.out.join("reports/monthly/2025-06/index.html"),
        tmp.path(),
    );
    assert!((1..=2).contains(&pages), "monthly report: {pages} pages");
    assert!(text.contains("全镇合计"));
}

#[test]
fn cards_and_checklists_print_to_pdf() {
    let Some(chrome) = chromium() else { return };
    let b = repo_site();
    let site = site_toml(&b.root);
    let tmp = tempfile::tempdir().unwrap();
    let recs = records(&b.root);
    let (slug, rec) = recs
        .iter()
        .max_by_key(|(_, r)| groups(r, &site).len())
        .unwrap();
    let expected = groups(rec, &site);
    let (pages, text) = print_pdf(
        &chrome,
        &b.out.join(format!("enterprises/{slug}/cards/index.html")),
        tmp.path(),
    );
    assert_eq!(pages, expected.len(), "{slug}: one A4 page per card");
    let flat: String = text.split_whitespace().collect();
    for (name, _) in &expected {
        let name: String = name.split_whitespace().collect();
        assert!(flat.contains(&name), "{slug}: PDF text has the post {name}");
    }
    let (pages, _) = print_pdf(
        &chrome,
        &b.out
            .join(format!("enterprises/{slug}/cards/a5/index.html")),
        tmp.path(),
    );
    assert_eq!(pages, expected.len(), "{slug}: one A5 card a sheet");
    // Checklists: every item id is printed (rows are never cut off).
    for id in ["small-micro", "large-medium"] {
        let (pages, text) = print_pdf(
            &chrome,
            &b.out.join(format!("standards/{id}/index.html")),
            tmp.path(),
        );
        assert!(pages >= 8, "{id}: a page per category");
        let std: toml::Table =
            std::fs::read_to_string(b.root.join(format!("data/standards/{id}.toml")))
                .unwrap()
                .parse()
                .unwrap();
        for c in std["categories"].as_array().unwrap() {
            for it in c["items"].as_array().unwrap() {
                let item = it["id"].as_str().unwrap();
                assert!(text.contains(item), "{id}: item {item} printed");
            }
        }
    }
}

// ---- post risk cards on paper (headless Chromium, print media) ----

/// A card sheet as cards.html prints it: paper name in pdfinfo, printable area in mm.
struct Sheet {
    paper: &'static str,
    width: f64,
    height: f64,
}

const A4_SHEET: Sheet = Sheet {
    paper: "(A4)",
    width: 190.0,
    height: 277.0,
};
const A5_SHEET: Sheet = Sheet {
    paper: "(A5)",
    width: 132.0,
    height: 194.0,
};

fn mm_px(mm: f64) -> u32 {
    (mm * 96.0 / 25.4).floor() as u32
}

/// Shows `url` as print media on a viewport the size of the sheet's printable area.
fn open_print(tab: &Tab, url: &str, width: u32, height: u32) {
    viewport(tab, width, height, false);
    emulate_media(tab, "print");
    tab.navigate_to(url)
        .unwrap_or_else(|e| panic!("navigate to {url}: {e:#}"));
    let _ = tab.wait_until_navigated();
    let start = std::time::Instant::now();
    while js(
        tab,
        "return document.readyState === 'complete' && document.fonts.status === 'loaded';",
    ) != serde_json::Value::Bool(true)
    {
        assert!(start.elapsed().as_secs() < 20, "{url} did not load");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// What is wrong with the cards on the open page (print media): any element with overflow
/// hidden/clip whose content is larger than its box; any card taller than the sheet; any card
/// without its emergency steps, phone line, enterprise name or a QR code of at least 20 mm, each
/// shown inside the card's box.
const CARD_PROBLEMS: &str = r#"
var problems = [];
document.querySelectorAll('*').forEach(function (el) {
  var cs = getComputedStyle(el);
  if (!/hidden|clip/.test(cs.overflowX + ' ' + cs.overflowY) || cs.display === 'none') return;
  if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
    problems.push('clipped: <' + el.tagName.toLowerCase() + ' class="' + el.className + '"> ' + (el.textContent || '').trim().slice(0, 40));
});
var cards = document.querySelectorAll('.risk-card');
if (!cards.length) problems.push('no cards');
Array.prototype.forEach.call(cards, function (c, i) {
  var r = c.getBoundingClientRect();
  var post = c.querySelector('.card-post strong');
  var tag = 'card ' + (i + 1) + ' (' + (post ? post.textContent : '?') + '): ';
  if (r.height > LIMIT + 1) problems.push(tag + Math.round(r.height) + ' px tall, the sheet holds ' + LIMIT);
  function shown(sel, what) {
    var el = c.querySelector(sel);
    if (!el) { problems.push(tag + 'no ' + what); return null; }
    var b = el.getBoundingClientRect();
    if (b.width < 1 || b.height < 1 || getComputedStyle(el).visibility !== 'visible') problems.push(tag + what + ' not shown');
    if (b.top < r.top - 1 || b.bottom > r.bottom + 1 || b.left < r.left - 1 || b.right > r.right + 1) problems.push(tag + what + ' outside the card');
    return el;
  }
  var em = shown('.card-emergency', '应急处置');
  if (em && !(/^应急处置/.test(em.querySelector('h3').textContent.trim()) && em.querySelector('li')))
    problems.push(tag + '应急处置 without steps');
  var ph = shown('.card-phones', 'phone line');
  if (ph && !(/火警\s*119/.test(ph.textContent) && /急救\s*120/.test(ph.textContent))) problems.push(tag + 'phone line without 119/120: ' + ph.textContent);
  var ent = shown('.card-ent', 'enterprise name');
  if (ent && ent.textContent.trim() !== NAME) problems.push(tag + 'enterprise name is ' + ent.textContent);
  var qr = shown('.card-qr svg', 'QR code');
  if (qr && qr.getBoundingClientRect().width < QR_MIN) problems.push(tag + 'QR code ' + Math.round(qr.getBoundingClientRect().width) + ' px wide');
});
return problems;
"#;

/// Texts of the pages of a PDF (pdftotext separates pages by form feeds), whitespace removed, and
/// the paper line of pdfinfo.
fn pdf_pages(pdf: &Path) -> (Vec<String>, String) {
    let info = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let size = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap_or_default()
        .to_string();
    let text = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let mut pages: Vec<String> = String::from_utf8_lossy(&text.stdout)
        .split('\u{c}')
        .map(|p| p.split_whitespace().collect())
        .collect();
    if pages.last().is_some_and(|p| p.is_empty()) {
        pages.pop();
    }
    (pages, size)
}

/// Appends to the repository's town a post too long for one card (many risks and measures) and a
/// post whose emergency steps alone would fill more than half an A5 card.
fn long_posts(root: &Path) -> (&'static str, Vec<String>, Vec<String>) {
    let slug = "taiping-agri-supply";
    let p = root.join(format!("data/enterprises/{slug}.toml"));
    let mut rec = std::fs::read_to_string(&p).unwrap();
    let mut measures = Vec::new();
    let mut steps = Vec::new();
    for i in 0..14 {
        let m: Vec<String> = (0..3)
            .map(|k| {
                format!("第{i}项第{k}条措施：进入库房前检查通风、照明和消防器材，并记录在巡查表上")
            })
            .collect();
        let _ = std::fmt::Write::write_fmt(
            &mut rec,
            format_args!(
                "\n[[risks]]\nid = \"R{n}\"\npost = \"仓管员\"\nactivity = \"巡查\"\nhazard = \"第{i}类农资堆放过高、包装破损或受潮结块，搬运时倒塌砸伤\"\naccidents = [\"物体打击\"]\nmethod = \"LEC\"\nl = 3\ne = 6\nc = 7\ncontrol_level = \"班组\"\nmeasures = {m:?}\nemergency = [\"停止作业，疏散人员\"]\n",
                n = 90 + i
            ),
        );
        measures.extend(m);
    }
    for i in 0..14 {
        let step = format!(
            "第{i}步：发现异常立即停止作业，切断电源，疏散无关人员，向值班人员报告并按预案处置"
        );
        let _ = std::fmt::Write::write_fmt(
            &mut rec,
            format_args!(
                "\n[[risks]]\nid = \"R{n}\"\npost = \"装卸工\"\nactivity = \"夜间巡查\"\nhazard = \"夜间照明不足，跌倒\"\naccidents = [\"其他伤害\"]\nmethod = \"LEC\"\nl = 1\ne = 6\nc = 3\ncontrol_level = \"班组\"\nmeasures = [\"携带照明\"]\nemergency = [{step:?}]\n",
                n = 110 + i
            ),
        );
        steps.push(step);
    }
    std::fs::write(&p, rec).unwrap();
    (slug, measures, steps)
}

#[test]
fn printed_cards_never_clip_and_keep_the_safety_lines() {
    if chromium().is_none() {
        return;
    }
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let site = common::repo_site();
    let (long_slug, long_measures, long_steps) = long_posts(&site.root);
    let out = site.out();
    let r = site.build(&["--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tab = chrome.tab();
    let tmp = tempfile::tempdir().unwrap();
    let mut problems: Vec<String> = Vec::new();
    let (mut sheets, mut cards_seen) = (0, 0);
    for (slug, rec) in records(&site.root) {
        let name = rec["name"].as_str().unwrap().to_string();
        let flat_name: String = name.split_whitespace().collect();
        let dir = out.join(format!("enterprises/{slug}/cards"));
        let mut pages: Vec<(PathBuf, &Sheet, bool)> = vec![
            (dir.join("index.html"), &A4_SHEET, true),
            (dir.join("a5/index.html"), &A5_SHEET, true),
        ];
        // A post's own page shows the cards of the A4 sheet: its first post stands for them.
        pages.push((dir.join("1/index.html"), &A4_SHEET, false));
        for (file, sheet, print) in pages {
            let url = format!("file://{}", file.display());
            let at = file.strip_prefix(&out).unwrap().display().to_string();
            open_print(&tab, &url, mm_px(sheet.width), mm_px(sheet.height));
            let body = CARD_PROBLEMS
                .replace("LIMIT", &mm_px(sheet.height).to_string())
                .replace("NAME", &lit(&name))
                .replace("QR_MIN", &(mm_px(20.0)).to_string());
            let found = js(&tab, &body);
            for p in found.as_array().unwrap() {
                problems.push(format!("{at}: {}", p.as_str().unwrap_or_default()));
            }
            let cards = js(
                &tab,
                "return document.querySelectorAll('.risk-card').length;",
            )
            .as_u64()
            .unwrap() as usize;
            cards_seen += cards;
            if !print {
                continue;
            }
            // On paper: one sheet per card, each with the emergency steps, both numbers and the
            // enterprise name as text.
            sheets += 1;
            let pdf = tab
                .print_to_pdf(Some(PrintToPdfOptions {
                    prefer_css_page_size: Some(true),
                    print_background: Some(true),
                    ..Default::default()
                }))
                .expect("print to PDF");
            let file = tmp.path().join("cards.pdf");
            std::fs::write(&file, pdf).unwrap();
            let (texts, size) = pdf_pages(&file);
            if !size.contains(sheet.paper) {
                problems.push(format!("{at}: printed on {size}, not {}", sheet.paper));
            }
            if texts.len() != cards {
                problems.push(format!("{at}: {cards} cards on {} sheets", texts.len()));
            }
            for (k, t) in texts.iter().enumerate() {
                for need in ["应急处置", "火警119", "急救120", flat_name.as_str()] {
                    if !t.contains(need) {
                        problems.push(format!("{at}: sheet {} lacks {need}", k + 1));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems with printed cards:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        sheets >= 80 && cards_seen >= 500,
        "{sheets} sheets, {cards_seen} cards"
    );

    // The long posts continued on more cards, each saying so, and nothing of theirs was lost.
    for sheet in ["cards/", "cards/a5/"] {
        let html = read(&out, &format!("enterprises/{long_slug}/{sheet}index.html"));
        let text = common::unescape_html(&html);
        for post in ["仓管员", "装卸工"] {
            let n = html.matches(&format!("<strong>{post}</strong>")).count();
            assert!(n >= 2, "{sheet}{post}: continued on {n} card(s)");
            assert!(
                text.contains(&format!("第 {n} 张，共 {n} 张")),
                "{sheet}{post}: cards numbered"
            );
        }
        assert!(text.contains("岗位安全风险告知卡（续）") && text.contains("管控措施（续）"));
        for m in long_measures.iter().chain(&long_steps) {
            assert!(text.contains(m.as_str()), "{sheet}: {m} is on a card");
        }
    }

    // The enterprise page prints its QR code.
    let page = out.join(format!("enterprises/{long_slug}/index.html"));
    open_print(
        &tab,
        &format!("file://{}", page.display()),
        mm_px(180.0),
        mm_px(267.0),
    );
    let w = js(
        &tab,
        "var q = document.querySelector('.ent-qr svg'); return q ? q.getBoundingClientRect().width : 0;",
    );
    assert!(
        w.as_f64().unwrap_or(0.0) >= mm_px(20.0) as f64,
        "the enterprise page's QR code prints ({w} px wide)"
    );
}
