//! Enterprise records (一企一档): derived facts on the enterprise pages, every record check
//! (src/load/enterprise.rs, src/model/enterprise.rs; the fields as `dualprev new enterprise` writes
//! them, src/scaffold.rs) with its exact `file:line:column`, personal data in the public and internal profiles,
//! `dualprev new enterprise`, and the repository's own site.
//!
//! Fixture `tests/fixtures/town-small/`: 2 villages, 1 department, 2 liaisons, 3 milestones, and three
//! records. Every expected fact below was worked out by hand from the fixture, as of 2025-06-30:
//!
//! - `qiaotou-foundry` (新桥社区, L01, 金属冶炼 + 粉尘涉爆 → deadline 2024-12-31):
//!   hazards H2025-101 整改中 (deadline 2025-07-15), H2025-102 重大 overdue since 2025-05-20 →
//!   `逾期 41 天` (11 days of May + 30 of June), H2025-103 待验收 (rectified 2025-06-20),
//!   H2024-104 已销号, H2025-105 待验收 (accepted 2025-07-03, after the as-of date);
//!   risks R01 LEC 3×6×40 = 720 重大, R02 LS 4×4 = 16 较大, R03 直接判定 重大, R04 LEC 1×6×7 = 42 低
//!   declared 一般 → 一般 shown (warning), R05 LS 2×4 = 8 低;
//!   evaluation 2024-12-20 by 镇评估组, 3.4 not applicable: 86/96 = 89.6% 合格 → 已达标;
//!   contacts 2024-10, 2024-11, 2025-01…2025-05 → 2024-12 missed, none in 2025-06.
//! - `taiping-woodwork` (太平村, L02, 粉尘涉爆): H2024-201 overdue since 2024-12-15 → `逾期 197 天`
//!   (16 + 31 + 28 + 31 + 30 + 31 + 30); evaluation 2024-12-18 50/100 = 50.0% 不合格 → 已逾期;
//!   contacts every month 2025-01…2025-06 → nothing missed.
//! - `yingji-warehouse` (镇应急管理办公室 only, 大中型, no high-risk category → deadline 2025-12-31,
//!   no evaluation → 推进中); risks by unit: R01 LEC 3×3×7 = 63 低, R02 LEC 3×6×15 = 270 较大.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

const F: &str = "data/enterprises/qiaotou-foundry.toml";
const T: &str = "data/enterprises/taiping-woodwork.toml";
const Y: &str = "data/enterprises/yingji-warehouse.toml";

/// Personal values of the fixture: `[private]` tables and liaison names/phones.
const PERSONAL: &[&str] = &[
    "郑晓岚",
    "13912345671",
    "欧阳明轩",
    "13787654322",
    "司徒静怡",
    "13611112222",
    "慕容振华",
    "13533334444",
    "510681199001011234",
    "T510681202400123",
    "诸葛云帆",
    "15900005555",
    "上官婉清",
    "18866667777",
    "皇甫长河",
    "18700008888",
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The part of a page between the search markers (the page body proper).
fn body(html: &str) -> &str {
    let a = html
        .find("<!--search:start-->")
        .expect("no search:start marker");
    let b = html
        .find("<!--search:end-->")
        .expect("no search:end marker");
    &html[a..b]
}

/// The `<tr …>…</tr>` of the hazard with this id on an enterprise page.
#[track_caller]
fn hazard_row<'a>(html: &'a str, id: &str) -> &'a str {
    let needle = format!("id=\"hazard-{id}\"");
    let at = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no row for hazard {id}"));
    let end = html[at..]
        .find("</tr>")
        .map(|e| at + e)
        .expect("unterminated row");
    &html[at..end]
}

/// The risk table row whose first cell is `id`.
#[track_caller]
fn risk_row<'a>(html: &'a str, id: &str) -> &'a str {
    let needle = format!("<td>{id}</td>");
    let rows: Vec<&str> = html
        .split("<tr")
        .filter(|r| r.contains("risk-row") && r.contains(&needle))
        .collect();
    assert_eq!(rows.len(), 1, "expected one risk row {id}");
    let r = rows[0];
    &r[..r.find("</tr>").unwrap_or(r.len())]
}

/// Text content of an HTML fragment (tags removed).
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Replaces line `line` (1-based) of `rel`, which must read `old`, by `new` (may hold several lines or none).
#[track_caller]
fn edit(s: &Site, rel: &str, line: usize, old: &str, new: &str) {
    let p = s.root.join(rel);
    let src = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = src.split('\n').map(str::to_string).collect();
    assert_eq!(
        lines[line - 1],
        old,
        "fixture line {rel}:{line} changed; update the test"
    );
    lines[line - 1] = new.to_string();
    std::fs::write(&p, lines.join("\n")).unwrap();
}

/// A copy of town-small with one line of one file replaced.
#[track_caller]
fn broken(rel: &str, line: usize, old: &str, new: &str) -> Site {
    let s = site("town-small");
    edit(&s, rel, line, old, new);
    s
}

/// Exit 1 and an error `message_part` at `location`, with the quoted line and the caret (common helper).
#[track_caller]
fn expect_error(r: &Run, location: &str, message_part: &str, source_line: &str) {
    r.expect_code(1);
    assert_diagnostic(&r.stderr, message_part, location, source_line);
}

/// The hint line (`= 提示：…`) of the diagnostic at `location`.
#[track_caller]
fn hint_of(stderr: &str, location: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start() == format!("--> {location}"))
        .unwrap_or_else(|| panic!("no diagnostic at {location}:\n{stderr}"));
    lines[at..]
        .iter()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.trim_start().strip_prefix("= 提示："))
        .unwrap_or_else(|| panic!("no hint for {location}:\n{stderr}"))
        .to_string()
}

fn built_town_small(extra: &[&str]) -> (Site, std::path::PathBuf, Run) {
    let s = site("town-small");
    let r = s.build(extra);
    r.ok();
    let out = s.out();
    (s, out, r)
}

// ---------------------------------------------------------------------------------------------
// 1. Derived facts on the enterprise pages
// ---------------------------------------------------------------------------------------------

#[test]
fn town_small_builds_with_only_the_declared_level_and_base_url_warnings() {
    let (_s, out, r) = built_town_small(&[]);
    for slug in ["qiaotou-foundry", "taiping-woodwork", "yingji-warehouse"] {
        assert!(
            out.join(format!("enterprises/{slug}/index.html")).is_file(),
            "{slug} page missing"
        );
    }
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("警告："))
        .collect();
    // The R04 level and the fixture's placeholder base_url (example.org, site.toml line 4).
    assert_eq!(
        warnings.len(),
        2,
        "exactly two warnings expected:\n{}",
        r.stderr
    );
    let lines: Vec<&str> = r.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("警告：base_url“https://example.org/small/”是示例地址"))
        .unwrap_or_else(|| panic!("no base_url warning:\n{}", r.stderr));
    assert_eq!(lines[at + 1].trim_start(), "--> data/site.toml:4:12");
    assert!(!r.stderr.contains("错误："), "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("警告：")).unwrap();
    assert!(
        lines[at].contains("R04") && lines[at].contains("“一般”") && lines[at].contains("“低”"),
        "{}",
        lines[at]
    );
    assert_eq!(
        lines[at + 1].trim_start(),
        format!("--> {F}:97:9"),
        "{}",
        r.stderr
    );
}

#[test]
fn hazard_states_as_of_the_date() {
    let (_s, out, _) = built_town_small(&[]);
    let html = read(&out, "enterprises/qiaotou-foundry/index.html");
    let page = body(&html);
    let state = |id: &str| text(hazard_row(page, id));
    assert!(
        state("H2025-101").contains("整改中"),
        "{}",
        state("H2025-101")
    );
    assert!(
        state("H2025-102").contains("逾期 41 天"),
        "{}",
        state("H2025-102")
    );
    // Rectified on 06-20 but not accepted by the 06-25 deadline: still late, five days.
    assert!(
        state("H2025-103").contains("待验收（逾期 5 天）"),
        "{}",
        state("H2025-103")
    );
    assert!(
        state("H2024-104").contains("已销号"),
        "{}",
        state("H2024-104")
    );
    assert!(
        state("H2025-105").contains("待验收（逾期 1 天）")
            && !state("H2025-105").contains("已销号"),
        "acceptance on 2025-07-03 has not happened on 2025-06-30, and the deadline was 06-29: {}",
        state("H2025-105")
    );
    // The overdue row is marked and comes first; the major hazard shows its criterion and 五落实.
    assert!(hazard_row(page, "H2025-102").contains("row-overdue"));
    assert!(!hazard_row(page, "H2025-101").contains("row-overdue"));
    let first = page.find("id=\"hazard-").unwrap();
    assert!(
        page[first..].starts_with("id=\"hazard-H2025-102\""),
        "overdue hazard should be listed first"
    );
    let major = text(hazard_row(page, "H2025-102"));
    for part in [
        "重大",
        "应急管理部令第10号第七条",
        "20000",
        "熔炼工部负责人",
        "整改前停用该炉",
    ] {
        assert!(major.contains(part), "{part} missing from {major}");
    }
    // Counts in the heading: 5 hazards; 4 not closed (101, 102, and 103 and 105 awaiting
    // acceptance); 3 past their deadline (102, 103, 105).
    assert!(
        text(page).contains("隐患台账（5 项，未销号 4 项，其中待验收 2 项；逾期 3 项）"),
        "hazard heading: {}",
        text(page)
    );

    let html = read(&out, "enterprises/taiping-woodwork/index.html");
    let page = body(&html);
    assert!(
        text(hazard_row(page, "H2024-201")).contains("逾期 197 天"),
        "{}",
        text(hazard_row(page, "H2024-201"))
    );
    assert!(text(hazard_row(page, "H2025-202")).contains("已销号"));
    let html = read(&out, "enterprises/yingji-warehouse/index.html");
    assert!(text(hazard_row(body(&html), "H2025-301")).contains("整改中"));
}

#[test]
fn several_overdue_hazards_are_listed_longest_first_on_the_page_and_the_ledger() {
    // qiaotou-foundry gets three overdue hazards on 2025-06-30: H2025-102 (重大, due 05-20: 41
    // days), a new H2025-106 (一般, due 05-31: 30 days) and H2025-101 moved to 06-10 (20 days).
    let s = site("town-small");
    edit(&s, F, 124, "deadline = 2025-07-15", "deadline = 2025-06-10");
    let p = s.root.join(F);
    let mut record = std::fs::read_to_string(&p).unwrap();
    record.push_str(
        "\n[[hazards]]\nid = \"H2025-106\"\nfound = 2025-05-01\nsource = \"日常排查\"\n\
         location = \"熔炼工部\"\ndescription = \"浇包烘烤器燃气软管老化\"\ngrade = \"一般\"\n\
         measures = \"更换软管\"\ndeadline = 2025-05-31\nresponsible = \"熔炼班长\"\n",
    );
    std::fs::write(&p, record).unwrap();
    let r = s.build(&[]);
    r.ok();
    let html = read(&s.out(), "enterprises/qiaotou-foundry/index.html");
    let page = body(&html);
    let pos = |id: &str| {
        page.find(&format!("id=\"hazard-{id}\""))
            .unwrap_or_else(|| panic!("no row {id}"))
    };
    assert!(text(hazard_row(page, "H2025-106")).contains("逾期 30 天"));
    assert!(text(hazard_row(page, "H2025-101")).contains("逾期 20 天"));
    assert!(
        pos("H2025-102") < pos("H2025-106") && pos("H2025-106") < pos("H2025-101"),
        "overdue hazards: major first, then the longest overdue"
    );
    // The town's hazard ledger: overdue first, major first, then longest first: taiping's
    // H2024-201 (197 days) before qiaotou's 106 (30) and 101 (20).
    let csv = read(&s.out(), "ledger/hazards/ledger.csv");
    let row = |id: &str| {
        csv.lines()
            .position(|l| l.contains(&format!(",{id},")))
            .unwrap_or_else(|| panic!("no ledger row {id}:\n{csv}"))
    };
    assert!(row("H2025-102") < row("H2024-201"));
    assert!(row("H2024-201") < row("H2025-106") && row("H2025-106") < row("H2025-101"));
}

#[test]
fn deadline_status_per_enterprise() {
    let (_s, out, _) = built_town_small(&[]);
    let deadline = |slug: &str| {
        let html = read(&out, &format!("enterprises/{slug}/index.html"));
        let p = body(&html);
        let at = p.find("class=\"deadline\"").expect("deadline paragraph");
        let end = p[at..].find("</p>").unwrap() + at;
        text(&p[at..end])
    };
    let d = deadline("qiaotou-foundry");
    assert!(
        d.contains("2024-12-31") && d.contains("高风险企业") && d.contains("已达标"),
        "{d}"
    );
    assert!(!d.contains("逾期完成"), "passed before the deadline: {d}");
    let d = deadline("taiping-woodwork");
    assert!(d.contains("2024-12-31") && d.contains("已逾期"), "{d}");
    let d = deadline("yingji-warehouse");
    assert!(
        d.contains("2025-12-31") && d.contains("其他企业") && d.contains("推进中"),
        "{d}"
    );
}

#[test]
fn risk_levels_and_methods() {
    let (_s, out, _) = built_town_small(&[]);
    let html = read(&out, "enterprises/qiaotou-foundry/index.html");
    let page = body(&html);
    let row = |id: &str| text(risk_row(page, id));
    let r = row("R01");
    assert!(
        r.contains("D = 3 × 6 × 40 = 720") && r.contains("重大"),
        "{r}"
    );
    assert!(risk_row(page, "R01").contains("level-row-major"));
    let r = row("R02");
    assert!(r.contains("R = 4 × 4 = 16") && r.contains("较大"), "{r}");
    assert!(risk_row(page, "R02").contains("level-row-considerable"));
    let r = row("R03");
    assert!(r.contains("直接判定") && r.contains("重大"), "{r}");
    assert!(risk_row(page, "R03").contains("level-row-major"));
    // Declared 一般, computed 低: the stricter 一般 is shown, and the disagreement is said.
    let r = row("R04");
    assert!(
        r.contains("D = 1 × 6 × 7 = 42") && r.contains("一般"),
        "{r}"
    );
    assert!(r.contains("计算为低") && r.contains("填报为一般"), "{r}");
    assert!(risk_row(page, "R04").contains("level-row-general"));
    // A level only computed (R01, R02, R05) or only stated (R03) has nothing to reconcile.
    for id in ["R01", "R02", "R03", "R05"] {
        let r = row(id);
        assert!(!r.contains("计算为") && !r.contains("填报为"), "{id}: {r}");
    }
    let r = row("R05");
    assert!(r.contains("R = 2 × 4 = 8") && r.contains("低"), "{r}");
    assert!(risk_row(page, "R05").contains("level-row-low"));
    // The four-colour counts: 重大 2, 较大 1, 一般 1, 低 1.
    let t = text(page);
    for c in [
        "重大（红） 2 项",
        "较大（橙） 1 项",
        "一般（黄） 1 项",
        "低（蓝） 1 项",
    ] {
        assert!(t.contains(c), "level count {c:?} missing");
    }
    // Units instead of posts (大中型).
    let html = read(&out, "enterprises/yingji-warehouse/index.html");
    let page = body(&html);
    let r = text(risk_row(page, "R01"));
    assert!(r.contains("D = 3 × 3 × 7 = 63") && r.contains("低"), "{r}");
    let r = text(risk_row(page, "R02"));
    assert!(
        r.contains("D = 3 × 6 × 15 = 270") && r.contains("较大"),
        "{r}"
    );
    assert!(text(page).contains("仓库区") && text(page).contains("装卸区"));
}

#[test]
fn contact_months_missed_across_the_year_end() {
    let (_s, out, _) = built_town_small(&[]);
    let html = read(&out, "enterprises/qiaotou-foundry/index.html");
    let t = text(body(&html));
    assert!(
        t.contains("漏联系的月份：2024-12"),
        "missed month 2024-12 expected"
    );
    assert!(
        !t.contains("漏联系的月份：2024-12、"),
        "only 2024-12 is missed"
    );
    assert!(
        t.contains("本月（2025-06）尚未联系"),
        "no contact in 2025-06"
    );
    assert!(
        t.contains("2024-12 未联系")
            && t.contains("2025-01 已联系")
            && t.contains("2025-06 未联系")
    );

    let html = read(&out, "enterprises/taiping-woodwork/index.html");
    let t = text(body(&html));
    assert!(
        !t.contains("漏联系的月份"),
        "taiping-woodwork missed no month"
    );
    assert!(
        !t.contains("尚未联系"),
        "taiping-woodwork was contacted in 2025-06"
    );
}

#[test]
fn evaluations_pass_and_fail() {
    let (_s, out, _) = built_town_small(&[]);
    let html = read(&out, "enterprises/qiaotou-foundry/index.html");
    let t = text(body(&html));
    assert!(
        t.contains("86/96") && t.contains("89.6%"),
        "86 of 96 applicable points = 89.6%"
    );
    assert!(t.contains("合格") && !t.contains("不合格"));
    let html = read(&out, "enterprises/taiping-woodwork/index.html");
    let t = text(body(&html));
    assert!(
        t.contains("50/100") && t.contains("50.0%"),
        "50 of 100 points"
    );
    assert!(t.contains("不合格"));
    let html = read(&out, "enterprises/yingji-warehouse/index.html");
    assert!(text(body(&html)).contains("尚无评估记录"));
}

#[test]
fn milestones_dated_after_the_as_of_date_are_not_done() {
    let (_s, out, _) = built_town_small(&[]);
    // taiping-woodwork: org_established 2024-05-10, risk_identified 2025-08-01 (after 2025-06-30).
    let html = read(&out, "enterprises/taiping-woodwork/index.html");
    let t = text(body(&html));
    assert!(t.contains("建设进度（1/3）"), "one milestone of three done");
    assert!(
        t.contains("完成风险辨识评估：未完成"),
        "a milestone dated later is not done yet"
    );
    let html = read(&out, "enterprises/qiaotou-foundry/index.html");
    assert!(text(body(&html)).contains("建设进度（3/3）"));
}

/// Record text is not trusted: markup in it is escaped on every page (SECURITY.md).
#[test]
fn record_text_is_escaped_on_every_page() {
    let s = site("town-small");
    edit(
        &s,
        F,
        2,
        "name = \"小测试镇桥头示例铸造有限公司\"",
        "name = \"Qiaotou <b>bold</b> casting works limited\"",
    );
    edit(
        &s,
        F,
        4,
        "address = \"小测试镇新桥社区铸造路1号\"",
        "address = \"<script>alert(1)</script> industrial road 8\"",
    );
    edit(
        &s,
        F,
        37,
        "name = \"熔炼工\"",
        "name = \"M <i>melter</i> furnace operators\"",
    );
    edit(
        &s,
        F,
        50,
        "post = \"熔炼工\"",
        "post = \"M <i>melter</i> furnace operators\"",
    );
    edit(
        &s,
        F,
        77,
        "post = \"熔炼工\"",
        "post = \"M <i>melter</i> furnace operators\"",
    );
    edit(
        &s,
        F,
        120,
        "description = \"打磨间地面积尘厚度超过1毫米\"",
        "description = \"<img src=x onerror=alert(2)> dust layer on floor\"",
    );
    edit(
        &s,
        F,
        183,
        "text = \"熔炼期间炉前事故坑存在积水\"",
        "text = \"<svg onload=alert(3)> standing water in pit\"",
    );
    let r = s.build(&["--quiet"]);
    assert_eq!(
        r.code,
        0,
        "{}",
        r.stderr.lines().take(8).collect::<Vec<_>>().join("\n")
    );
    let raw = [
        "<b>bold",
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "<i>melter",
    ];
    let mut pages = 0;
    for (path, bytes) in snapshot(&s.out()) {
        if !(path.ends_with(".html") || path.ends_with(".svg") || path.ends_with(".xml")) {
            continue;
        }
        pages += 1;
        let t = String::from_utf8_lossy(&bytes);
        for m in raw {
            assert!(
                !t.contains(m),
                "record markup {m:?} written unescaped to {path}"
            );
        }
    }
    assert!(pages > 20);
    let page = read(&s.out(), "enterprises/qiaotou-foundry/index.html");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; industrial road 8"),
        "escaped address expected"
    );
    assert!(
        page.contains("&lt;img src=x onerror=alert(2)&gt; dust layer on floor"),
        "escaped description expected"
    );
}

/// `<`, `>` and `&` in record text followed by Chinese (`压力>0.1MPa时报警`, `防火&防爆`): common in
/// real records. The build must succeed and show the text.
#[test]
fn record_text_with_markup_characters_before_chinese_builds() {
    let s = site("town-small");
    edit(
        &s,
        F,
        120,
        "description = \"打磨间地面积尘厚度超过1毫米\"",
        "description = \"储气罐压力>0.8MPa时安全阀不动作\"",
    );
    edit(
        &s,
        F,
        183,
        "text = \"熔炼期间炉前事故坑存在积水\"",
        "text = \"防火&防爆措施未落实即动火\"",
    );
    let r = s.build(&["--quiet"]);
    assert_eq!(
        r.code,
        0,
        "build should succeed:\n{}",
        r.stderr.lines().take(8).collect::<Vec<_>>().join("\n")
    );
    let page = read(&s.out(), "enterprises/qiaotou-foundry/index.html");
    assert!(page.contains("储气罐压力&gt;0.8MPa时安全阀不动作"));
    assert!(page.contains("防火&amp;防爆措施未落实即动火"));
}

// ---------------------------------------------------------------------------------------------
// 2. One broken input per record check; locations counted by hand
// ---------------------------------------------------------------------------------------------

/// A record error made by editing lines of town-small: where it is reported and what it says.
struct ErrorCase {
    name: &'static str,
    file: &'static str,
    /// (1-based line, the text it must hold, its replacement — several lines or none)
    edits: &'static [(usize, &'static str, &'static str)],
    /// `line:column` of the diagnostic in `file`
    at: &'static str,
    message: &'static str,
    /// The source line the diagnostic quotes under its location.
    line: &'static str,
    /// More text the diagnostics must hold (a list of allowed values…).
    also: &'static [&'static str],
    /// Text the diagnostic's hint (`= 提示：…`) must hold, or "".
    hint: &'static str,
}

const ERROR_CASES: &[ErrorCase] = &[
    // 91510681MA6AB1C2D + check character F (computed by hand from the weights).
    ErrorCase {
        name: "uscc_wrong_check_character_names_the_expected_one",
        file: F,
        edits: &[(
            3,
            "uscc = \"91510681MA6AB1C2DF\"",
            "uscc = \"91510681MA6AB1C2DA\"",
        )],
        at: "3:8",
        message: "最后一位应为“F”",
        line: "uscc = \"91510681MA6AB1C2DA\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "uscc_with_a_forbidden_letter",
        file: F,
        edits: &[(
            3,
            "uscc = \"91510681MA6AB1C2DF\"",
            "uscc = \"91510681MA6AB1C2OF\"",
        )],
        at: "3:8",
        message: "“O”",
        line: "uscc = \"91510681MA6AB1C2OF\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_village_suggests_the_near_one",
        file: F,
        edits: &[(5, "village = \"新桥社区\"", "village = \"新桥村\"")],
        at: "5:11",
        message: "未知的村（社区）“新桥村”，是否应为“新桥社区”？",
        line: "village = \"新桥村\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_department",
        file: Y,
        edits: &[(
            5,
            "department = \"镇应急管理办公室\"",
            "department = \"镇应急办\"",
        )],
        at: "5:14",
        message: "未知的部门“镇应急办”",
        line: "department = \"镇应急办\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_liaison",
        file: F,
        edits: &[(6, "liaison = \"L01\"", "liaison = \"L09\"")],
        at: "6:11",
        message: "未知的联络员“L09”",
        line: "liaison = \"L09\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_liaison_in_a_contact",
        file: T,
        edits: &[(82, "liaison = \"L02\"", "liaison = \"L2\"")],
        at: "82:11",
        message: "未知的联络员“L2”",
        line: "liaison = \"L2\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_post_in_a_risk",
        file: F,
        edits: &[(50, "post = \"熔炼工\"", "post = \"熔练工\"")],
        at: "50:8",
        message: "“熔练工”",
        line: "post = \"熔练工\"",
        also: &["未知的岗位"],
        hint: "",
    },
    ErrorCase {
        name: "unknown_risk_id_in_a_hazard",
        file: F,
        edits: &[(122, "risk = \"R02\"", "risk = \"R09\"")],
        at: "122:8",
        message: "未知的风险编号“R09”",
        line: "risk = \"R09\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_standard",
        file: F,
        edits: &[(
            229,
            "standard = \"small-micro\"",
            "standard = \"small-mirco\"",
        )],
        at: "229:12",
        message: "“small-mirco”，是否应为“small-micro”？",
        line: "standard = \"small-mirco\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_item_id_in_scores",
        file: F,
        edits: &[(255, "\"8.2\" = 2", "\"8.2\" = 2\n\"9.9\" = 1")],
        at: "256:1",
        message: "“9.9”",
        line: "\"9.9\" = 1",
        also: &["未知的评估项"],
        hint: "",
    },
    ErrorCase {
        name: "unknown_not_applicable_item",
        file: F,
        edits: &[(
            231,
            "not_applicable = [\"3.4\"]",
            "not_applicable = [\"3.4\", \"3.9\"]",
        )],
        at: "231:26",
        message: "“3.9”",
        line: "not_applicable = [\"3.4\", \"3.9\"]",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_veto_item",
        file: F,
        edits: &[(232, "vetoed = []", "vetoed = [\"V9\"]")],
        at: "232:11",
        message: "“V9”",
        line: "vetoed = [\"V9\"]",
        also: &["未知的否决项"],
        hint: "",
    },
    ErrorCase {
        name: "unknown_milestone_key",
        file: F,
        edits: &[(
            32,
            "org_established = 2024-03-01",
            "org_established = 2024-03-01\ntrained = 2024-05-01",
        )],
        at: "33:1",
        message: "未知的里程碑“trained”",
        line: "trained = 2024-05-01",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "duplicate_risk_id_in_a_file",
        file: F,
        edits: &[(63, "id = \"R02\"", "id = \"R01\"")],
        at: "63:6",
        message: "风险编号“R01”在本文件中重复",
        line: "id = \"R01\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "duplicate_hazard_id_in_a_file",
        file: F,
        edits: &[(143, "id = \"H2025-103\"", "id = \"H2025-101\"")],
        at: "143:6",
        message: "隐患编号“H2025-101”在本文件中重复",
        line: "id = \"H2025-101\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "major_hazard_without_contingency",
        file: F,
        edits: &[(140, "contingency = \"整改前停用该炉\"", "")],
        at: "133:9",
        message: "重大隐患“H2025-102”缺少：contingency（预案）",
        line: "grade = \"重大\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "major_hazard_without_criterion_and_funds",
        file: F,
        edits: &[
            (134, "criterion = \"应急管理部令第10号第七条\"", ""),
            (137, "funds_yuan = 20000", ""),
        ],
        at: "133:9",
        message: "criterion（判定依据）、funds_yuan（资金）",
        line: "grade = \"重大\"",
        also: &[],
        hint: "",
    },
    // H2025-103 was found on 2025-06-02.
    ErrorCase {
        name: "rectified_before_found",
        file: F,
        edits: &[(153, "rectified = 2025-06-20", "rectified = 2025-05-20")],
        at: "153:13",
        message: "整改日期 2025-05-20 早于发现日期 2025-06-02",
        line: "rectified = 2025-05-20",
        also: &[],
        hint: "",
    },
    // H2024-104 was rectified on 2024-09-10.
    ErrorCase {
        name: "accepted_before_rectified",
        file: F,
        edits: &[(166, "accepted = 2024-09-15", "accepted = 2024-09-05")],
        at: "166:12",
        message: "验收日期 2024-09-05 早于整改日期 2024-09-10",
        line: "accepted = 2024-09-05",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "lec_factor_not_on_its_scale",
        file: F,
        edits: &[(55, "l = 3", "l = 4")],
        at: "55:5",
        message: "LEC 法的 L 值 4 不在取值表中",
        line: "l = 4",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "ls_factor_out_of_range",
        file: F,
        edits: &[(70, "s = 4", "s = 6")],
        at: "70:5",
        message: "LS 法的 S 值 6 不在取值表中",
        line: "s = 6",
        also: &[],
        hint: "S 可取：5、4、3、2、1",
    },
    ErrorCase {
        name: "wrong_type_employees_as_string",
        file: F,
        edits: &[(10, "employees = 30", "employees = \"45\"")],
        at: "10:13",
        message: "字段“employees”应为整数，实际是字符串",
        line: "employees = \"45\"",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_field_with_suggestion",
        file: F,
        edits: &[(5, "village = \"新桥社区\"", "villge = \"新桥社区\"")],
        at: "5:1",
        message: "未知的字段“villge”，是否应为“village”？",
        line: "villge = \"新桥社区\"",
        also: &[],
        hint: "",
    },
    // A field missing from the top level has no line of its own: the file's first position.
    ErrorCase {
        name: "missing_required_name",
        file: F,
        edits: &[(2, "name = \"小测试镇桥头示例铸造有限公司\"", "")],
        at: "1:1",
        message: "缺少必填字段“name”",
        line: "# 一企一档：桥头示例铸造厂（虚构，town-small 夹具）",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "enum_value_not_in_the_list",
        file: F,
        edits: &[(9, "size = \"小微型\"", "size = \"中型\"")],
        at: "9:8",
        message: "字段“size”的值“中型”不在可选范围内",
        line: "size = \"中型\"",
        also: &["大中型、小微型"],
        hint: "",
    },
    ErrorCase {
        name: "bad_date_month_13",
        file: F,
        edits: &[(129, "found = 2025-03-10", "found = 2024-13-01")],
        at: "129:9",
        message: "无效的日期",
        line: "found = 2024-13-01",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "quoted_date",
        file: F,
        edits: &[(129, "found = 2025-03-10", "found = \"2024-10-08\"")],
        at: "129:9",
        message: "字段“found”应为日期，不是字符串",
        line: "found = \"2024-10-08\"",
        also: &["found = 2024-10-08"],
        hint: "",
    },
    ErrorCase {
        name: "score_above_the_items_points",
        file: F,
        edits: &[(234, "\"1.1\" = 4", "\"1.1\" = 6")],
        at: "234:9",
        message: "评估项“1.1”得分 6 超出范围 0～5",
        line: "\"1.1\" = 6",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "applicable_item_not_scored_is_listed",
        file: F,
        edits: &[(239, "\"2.3\" = 4", "")],
        at: "228:8",
        message: "有 1 个适用项没有打分：2.3",
        line: "date = 2024-12-20",
        also: &[],
        hint: "",
    },
    // The second element: 13 characters of `high_risk = [`, 6 of `"金属冶炼"`, then `, ` → column 22.
    ErrorCase {
        name: "unknown_high_risk_category_column_counts_characters",
        file: F,
        edits: &[(
            11,
            "high_risk = [\"金属冶炼\", \"粉尘涉爆\"]",
            "high_risk = [\"金属冶炼\", \"粉尘涉暴\"]",
        )],
        at: "11:22",
        message: "字段“high_risk”的值“粉尘涉暴”不在可选范围内，是否应为“粉尘涉爆”？",
        line: "high_risk = [\"金属冶炼\", \"粉尘涉暴\"]",
        also: &[],
        hint: "",
    },
    ErrorCase {
        name: "unknown_field_in_a_hazard_with_suggestion",
        file: F,
        edits: &[(124, "deadline = 2025-07-15", "deadine = 2025-07-15")],
        at: "124:1",
        message: "未知的字段“deadine”，是否应为“deadline”？",
        line: "deadine = 2025-07-15",
        also: &[],
        hint: "",
    },
];

/// Each case is built on its own copy of the site (two at a time); every failing case is reported,
/// not only the first.
#[test]
fn record_errors_are_reported_at_their_place() {
    check_all(ERROR_CASES, 2, |c| c.name, check_error_case);
}

fn check_error_case(c: &ErrorCase) {
    let s = site("town-small");
    for &(line, old, new) in c.edits {
        edit(&s, c.file, line, old, new);
    }
    let r = s.build(&[]);
    let location = format!("{}:{}", c.file, c.at);
    expect_error(&r, &location, c.message, c.line);
    for part in c.also {
        assert!(r.stderr.contains(part), "no “{part}” in:\n{}", r.stderr);
    }
    if !c.hint.is_empty() {
        let hint = hint_of(&r.stderr, &location);
        assert!(hint.contains(c.hint), "hint “{hint}” lacks “{}”", c.hint);
    }
}

#[test]
fn uscc_of_17_or_19_characters_is_an_error_at_the_code() {
    for (code, n) in [("91510681MA6AB1C2D", 17), ("91510681MA6AB1C2DFX", 19)] {
        let line = format!("uscc = \"{code}\"");
        let s = broken(F, 3, "uscc = \"91510681MA6AB1C2DF\"", &line);
        let r = s.build(&[]);
        expect_error(
            &r,
            &format!("{F}:3:8"),
            &format!("统一社会信用代码应为 18 位，这里是 {n} 位"),
            &line,
        );
    }
}

#[test]
fn a_veto_fails_the_evaluation_whatever_the_score() {
    let s = broken(F, 232, "vetoed = []", "vetoed = [\"V1\"]");
    s.build(&["--quiet"]).ok();
    let html = read(&s.out(), "enterprises/qiaotou-foundry/index.html");
    let t = text(body(&html));
    assert!(
        t.contains("89.6%") && t.contains("不合格（否决）"),
        "the score stays, the verdict is a veto"
    );
    // No passing evaluation and the 2024-12-31 deadline is past: 已逾期.
    let at = t.find("建设期限").unwrap();
    assert!(t[at..].contains("已逾期"), "status after a veto");
}

#[test]
fn duplicate_enterprise_name_across_files_names_both_places() {
    let s = broken(
        T,
        2,
        "name = \"小测试镇太平示例木业有限公司\"",
        "name = \"小测试镇桥头示例铸造有限公司\"",
    );
    let r = s.build(&[]);
    // Records are taken in slug order: the second file gets the error, the hint names the first.
    expect_error(
        &r,
        &format!("{T}:2:8"),
        "企业名称“小测试镇桥头示例铸造有限公司”与另一份档案重复",
        "name = \"小测试镇桥头示例铸造有限公司\"",
    );
    let hint = hint_of(&r.stderr, &format!("{T}:2:8"));
    assert!(
        hint.contains(&format!("{F}:2:8")),
        "the hint should name the other file:line:column: {hint}"
    );
}

#[test]
fn duplicate_uscc_across_files_names_both_places() {
    let s = broken(
        T,
        3,
        "uscc = \"91510681MA6CD3E4F6\"",
        "uscc = \"91510681MA6AB1C2DF\"",
    );
    let r = s.build(&[]);
    expect_error(
        &r,
        &format!("{T}:3:8"),
        "统一社会信用代码“91510681MA6AB1C2DF”与另一份档案重复",
        "uscc = \"91510681MA6AB1C2DF\"",
    );
    let hint = hint_of(&r.stderr, &format!("{T}:3:8"));
    assert!(
        hint.contains(&format!("{F}:3:8")),
        "the hint should name the other file:line:column: {hint}"
    );
}

#[test]
fn unknown_field_in_a_private_person_with_suggestion() {
    let s = broken(
        F,
        258,
        "principal = { name = \"司徒静怡\", phone = \"13611112222\" }",
        "principal = { name = \"司徒静怡\", phnoe = \"13611112222\" }",
    );
    let r = s.build(&[]);
    expect_error(
        &r,
        &format!("{F}:258:30"),
        "未知的字段“phnoe”，是否应为“phone”？",
        "principal = { name = \"司徒静怡\", phnoe = \"13611112222\" }",
    );
    // The diagnostic quotes the line: a personal value in the terminal is fine, in the site it is not.
}

#[test]
fn non_utf8_record_is_named() {
    let s = site("town-small");
    // `# 档案\nname = "安全"\n` with the Chinese in GBK: the first undecodable byte is byte 3.
    s.write(
        "data/enterprises/gbk-record.toml",
        b"# \xb5\xb5\xb0\xb8\nname = \"\xb0\xb2\xc8\xab\"\n",
    );
    let r = s.build(&[]);
    r.expect_code(1);
    let lines: Vec<&str> = r.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            l.trim_start()
                .starts_with("--> data/enterprises/gbk-record.toml")
        })
        .unwrap_or_else(|| panic!("the non-UTF-8 file is not named:\n{}", r.stderr));
    assert!(
        lines[at - 1].starts_with("错误：") && lines[at - 1].contains("UTF-8"),
        "{}",
        r.stderr
    );
    assert!(
        lines[at - 1].contains("第 3 个字节"),
        "the first bad byte is named: {}",
        lines[at - 1]
    );
}

#[test]
fn a_standard_for_the_other_size_is_a_warning_at_the_evaluation() {
    // The fixture's evaluations use the standard of their own size: no such warning.
    let r = site("town-small").build(&[]);
    r.ok();
    assert!(!r.stderr.contains("适用于"), "{}", r.stderr);
    let s = broken(T, 9, "size = \"小微型\"", "size = \"大中型\"");
    let r = s.build(&[]);
    r.ok();
    assert_warning(
        &r.stderr,
        "评估标准“small-micro”适用于小微型企业，本企业为大中型",
        &format!("{T}:112:12"),
        "standard = \"small-micro\"",
    );
}

#[test]
fn size_versus_headcount_is_only_a_warning() {
    let s = broken(F, 10, "employees = 30", "employees = 300");
    let r = s.build(&[]);
    r.ok();
    let lines: Vec<&str> = r.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start() == format!("--> {F}:10:13"))
        .unwrap_or_else(|| panic!("no warning at {F}:10:13:\n{}", r.stderr));
    assert!(
        lines[at - 1].starts_with("警告：") && lines[at - 1].contains("300"),
        "{}",
        r.stderr
    );
    // And the other way round: a 大中型 warehouse (仓储业: 中型 from 100 staff under the 2017 rule)
    // with 99 people.
    let s = broken(Y, 10, "employees = 120", "employees = 99");
    let r = s.build(&[]);
    r.ok();
    assert_warning(
        &r.stderr,
        "登记为大中型，但从业人员 99 人少于仓储业中型企业的下限 100 人（《统计上大中小微型企业划分办法（2017）》）",
        &format!("{Y}:10:13"),
        "employees = 99",
    );
}

#[test]
fn all_errors_of_all_files_in_one_run_and_the_output_is_kept() {
    let s = site("town-small");
    let out = s.out();
    s.build(&["--quiet"]).ok();
    let before = snapshot(&out);
    edit(&s, F, 5, "village = \"新桥社区\"", "village = \"新桥村\"");
    edit(&s, F, 70, "s = 4", "s = 6");
    edit(&s, T, 6, "liaison = \"L02\"", "liaison = \"L03\"");
    edit(
        &s,
        Y,
        5,
        "department = \"镇应急管理办公室\"",
        "department = \"镇应急办\"",
    );
    let r = s.build(&[]);
    r.expect_code(1);
    for loc in [
        format!("{F}:5:11"),
        format!("{F}:70:5"),
        format!("{T}:6:11"),
        format!("{Y}:5:14"),
    ] {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.trim_start() == format!("--> {loc}")),
            "{loc} not reported:\n{}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("共 4 个错误"), "{}", r.stderr);
    let after = snapshot(&out);
    assert!(
        before == after,
        "a failed build changed the output:\n{}",
        diff(&before, &after)
    );
    // `check` reports the same.
    let c = s.check();
    c.expect_code(1);
    assert!(c.stderr.contains("共 4 个错误"), "{}", c.stderr);
}

// ---------------------------------------------------------------------------------------------
// 3. Personal data
// ---------------------------------------------------------------------------------------------

fn xlsx_cells(path: &Path) -> Vec<(String, String)> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let mut out = Vec::new();
    for name in wb.sheet_names().to_owned() {
        let range = wb.worksheet_range(&name).unwrap();
        out.push((name.clone(), name.clone()));
        for row in range.rows() {
            for c in row {
                let v = match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => continue,
                    other => other.to_string(),
                };
                out.push((name.clone(), v));
            }
        }
    }
    out
}

#[test]
fn public_profile_writes_no_personal_data_anywhere() {
    let (_s, out, _) = built_town_small(&[]);
    let files = snapshot(&out);
    assert!(files.len() > 20, "suspiciously few files: {}", files.len());
    for (path, bytes) in &files {
        for v in PERSONAL {
            assert!(
                !bytes.windows(v.len()).any(|w| w == v.as_bytes()),
                "personal value {v:?} written to {path} by the public profile"
            );
        }
    }
    // The workbook is compressed: read every cell of every sheet.
    assert!(
        files.contains_key("ledger/ledger.xlsx"),
        "no ledger/ledger.xlsx"
    );
    let cells = xlsx_cells(&out.join("ledger/ledger.xlsx"));
    assert!(cells.len() > 20, "workbook read back empty");
    for (sheet, c) in &cells {
        for v in PERSONAL {
            assert!(
                !c.contains(v),
                "personal value {v:?} in sheet {sheet} of ledger.xlsx"
            );
        }
    }
    // The search index holds bigrams, not whole names: ask it.
    let get = |rel: &str| std::fs::read_to_string(out.join(rel)).ok();
    for v in PERSONAL {
        let hits = dualprev::search::query::query(&get, v);
        assert!(
            hits.is_empty(),
            "searching {v:?} finds {:?}",
            hits.iter().map(|h| &h.url).collect::<Vec<_>>()
        );
    }
    // Public pages carry no internal banner nor noindex.
    let home = read(&out, "index.html");
    assert!(!home.contains("内部版本") && !home.contains("noindex"));
}

#[test]
fn internal_profile_shows_personal_data_and_marks_every_page() {
    let (_s, out, _) = built_town_small(&["--profile", "internal"]);
    let page = read(&out, "enterprises/qiaotou-foundry/index.html");
    for v in [
        "司徒静怡",
        "13611112222",
        "慕容振华",
        "13533334444",
        "510681199001011234",
        "T510681202400123",
        "郑晓岚",
        "13912345671",
    ] {
        assert!(
            page.contains(v),
            "{v} missing from the internal enterprise page"
        );
    }
    let page = read(&out, "enterprises/taiping-woodwork/index.html");
    for v in ["诸葛云帆", "15900005555", "欧阳明轩", "13787654322"] {
        assert!(
            page.contains(v),
            "{v} missing from the internal enterprise page"
        );
    }
    let page = read(&out, "enterprises/yingji-warehouse/index.html");
    for v in ["上官婉清", "18866667777", "皇甫长河", "18700008888"] {
        assert!(
            page.contains(v),
            "{v} missing from the internal enterprise page"
        );
    }
    let mut html = 0;
    for (path, bytes) in snapshot(&out) {
        if path.ends_with(".html") {
            html += 1;
            let t = String::from_utf8(bytes).unwrap();
            assert!(t.contains("内部版本"), "{path} lacks the 内部版本 banner");
            assert!(t.contains("noindex"), "{path} lacks noindex");
        }
    }
    assert!(html > 20, "only {html} HTML pages");
    // The internal ledger has the personal columns.
    let csv = read(&out, "ledger/ledger.csv");
    assert!(
        csv.contains("联络员姓名") && csv.contains("郑晓岚"),
        "internal ledger CSV lacks the liaison name"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. `dualprev new enterprise`
// ---------------------------------------------------------------------------------------------

#[test]
fn new_enterprise_skeleton_once_then_filled_in_passes_check() {
    let s = site("town-small");
    let rel = "data/enterprises/new-plant.toml";
    let new = || {
        run(&[
            a("new"),
            a("enterprise"),
            a("new-plant"),
            a("--root"),
            a(&s.root),
        ])
    };
    new().ok();
    let path = s.root.join(rel);
    let skeleton = std::fs::read_to_string(&path).expect("skeleton written");
    assert!(
        skeleton.contains("[private]") && skeleton.contains("# "),
        "commented skeleton expected"
    );
    // Never overwrites.
    std::fs::write(&path, "# edited by hand\n").unwrap();
    let again = new();
    again.expect_code(2);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# edited by hand\n",
        "the file was overwritten"
    );
    std::fs::write(&path, &skeleton).unwrap();
    // As written, the placeholder village is not one of this site's.
    let c = s.check();
    c.expect_code(1);
    assert!(c.stderr.contains(&format!("--> {rel}:")), "{}", c.stderr);
    // Every placeholder left from the skeleton is a warning at its own line and column.
    let line = skeleton
        .lines()
        .position(|l| l.starts_with("name = \"请填写企业全称\""))
        .expect("the skeleton's name line")
        + 1;
    assert!(
        c.stderr
            .contains("警告：字段“name”仍是模板里的占位文字“请填写企业全称”")
            && c.stderr.contains(&format!("--> {rel}:{line}:8")),
        "{}",
        c.stderr
    );
    let placeholders = skeleton.matches("\"请填写").count();
    assert_eq!(
        c.stderr.matches("仍是模板里的占位文字").count(),
        placeholders,
        "one warning per placeholder:\n{}",
        c.stderr
    );
    // Fill in the placeholders as the comments say.
    let filled = skeleton
        .replacen("village = \"示例社区\"", "village = \"太平村\"", 1)
        .replacen("liaison = \"L01\"", "liaison = \"L02\"", 1)
        .replace("请填写企业全称", "小测试镇新建示例机械厂")
        .replace("请填写生产经营地址", "小测试镇工业路 1 号")
        .replace("请填写工艺名称", "装配")
        .replace("请填写设备名称", "装配台")
        .replace("请填写红线内容", "未断电挂牌进入设备内部检修")
        .replace("请填写岗位名称", "装配工");
    assert!(!filled.contains("请填写"), "{filled}");
    assert_ne!(filled, skeleton);
    std::fs::write(&path, filled).unwrap();
    let c = s.check();
    assert_eq!(
        c.code, 0,
        "check after filling in the skeleton:\n{}",
        c.stderr
    );
    assert!(!c.stderr.contains("错误："), "{}", c.stderr);
    s.build(&["--quiet"]).ok();
    assert!(s.out().join("enterprises/new-plant/index.html").is_file());
}

#[test]
fn new_enterprise_refuses_a_bad_slug() {
    let s = site("town-small");
    let r = run(&[
        a("new"),
        a("enterprise"),
        a("新厂"),
        a("--root"),
        a(&s.root),
    ]);
    r.expect_code(2);
    assert!(!s.root.join("data/enterprises/新厂.toml").exists());
}

// ---------------------------------------------------------------------------------------------
// 5. The repository's own site
// ---------------------------------------------------------------------------------------------

#[test]
fn repository_site_builds_with_every_enterprise_page() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_dir(&repo.join("content"), &root.join("content"));
    copy_dir(&repo.join("data"), &root.join("data"));
    let out = tmp.path().join("out");
    let r = run(&[
        a("build"),
        a("--root"),
        a(&root),
        a("--out"),
        a(&out),
        a("--as-of"),
        a(AS_OF),
        a("--quiet"),
    ]);
    assert_eq!(r.code, 0, "the repository site should build:\n{}", r.stderr);
    let slugs: Vec<String> = list_dir(&root.join("data/enterprises"))
        .into_iter()
        .filter_map(|f| f.strip_suffix(".toml").map(str::to_string))
        .collect();
    assert!(
        slugs.len() >= 43,
        "expected 43+ records, found {}",
        slugs.len()
    );
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for slug in &slugs {
        let page = out.join(format!("enterprises/{slug}/index.html"));
        assert!(page.is_file(), "no page for {slug}");
        let html = std::fs::read_to_string(&page).unwrap();
        let src =
            std::fs::read_to_string(root.join(format!("data/enterprises/{slug}.toml"))).unwrap();
        let rec: toml::Table = toml::from_str(&src).unwrap();
        let name = rec["name"].as_str().unwrap().to_string();
        assert!(
            html.contains(&format!("<h1>{name}</h1>")),
            "{slug}: page title should be {name}"
        );
        names.insert(slug.clone(), name);
    }
    let pages = list_dir(&out.join("enterprises"))
        .into_iter()
        .filter(|d| out.join("enterprises").join(d).is_dir())
        .count();
    assert_eq!(
        pages,
        slugs.len(),
        "one folder per enterprise under enterprises/"
    );
    // The list links every enterprise.
    let list = read(&out, "enterprises/index.html");
    for (slug, name) in &names {
        assert!(
            list.contains(&format!("{slug}/")) && list.contains(name.as_str()),
            "{slug} not listed"
        );
    }
}
