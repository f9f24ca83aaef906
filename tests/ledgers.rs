//! Issue 4 — the dashboard and the ledgers (台账): the numbers the site shows, recomputed here
//! independently from the fixture TOML (read with the `toml` crate, not with dualprev), and the
//! downloads: CSV (UTF-8 BOM, Chinese header), XLSX (calamine) and JSON with the same rows.
//!
//! The recomputation follows domain.md: a hazard is closed when accepted on or before the as-of
//! date, awaiting acceptance when rectified, overdue when its deadline has passed, open otherwise;
//! an enterprise has reached the standard (已达标) when an official evaluation (not 自评) on or before
//! the as-of date passes (score = awarded / applicable points, N/A items out of the denominator, pass
//! line of the standard, the demonstration line for demonstration enterprises, any veto fails), is
//! late (已逾期) when its deadline (high-risk or all) has passed without that, and in progress
//! otherwise; a month from the first contact to the as-of month without a contact is missed.
//!
//! Run on `tests/fixtures/town-small/` and on the repository's own site.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

const HIGH_RISK: [&str; 6] = [
    "金属冶炼",
    "粉尘涉爆",
    "涉重点监管危险化工工艺",
    "涉有限空间作业",
    "劳动密集型",
    "厂中厂",
];

// ---------------------------------------------------------------------------------------------
// The independent model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Done,
    Progress,
    Late,
}

#[derive(Debug, Clone)]
struct Ent {
    slug: String,
    name: String,
    village: String,
    department: String,
    liaison: String,
    high_risk: Vec<String>,
    size: String,
    kind: String,
    status: Status,
    passed_late: bool,
    open: usize,
    overdue: usize,
    open_major: usize,
    missed_months: usize,
    this_month_missing: bool,
}

#[derive(Debug)]
struct Town {
    villages: Vec<String>,
    departments: Vec<String>,
    /// (id, public title)
    liaisons: Vec<(String, String)>,
    ents: Vec<Ent>,
}

struct Standard {
    pass_line: f64,
    demonstration_line: f64,
    /// (id, points, veto)
    items: Vec<(String, u64, bool)>,
}

fn parse_toml(path: &Path) -> toml::Table {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

fn s(t: &toml::Table, k: &str) -> String {
    t.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string()
}

/// A date field as `YYYY-MM-DD` (strings of that form compare like dates).
fn date(t: &toml::Table, k: &str) -> Option<String> {
    t.get(k).map(|v| match v {
        toml::Value::Datetime(d) => d.to_string(),
        other => panic!("{k} is not a date: {other:?}"),
    })
}

fn month(d: &str) -> i64 {
    let y: i64 = d[0..4].parse().unwrap();
    let m: i64 = d[5..7].parse().unwrap();
    y * 12 + m - 1
}

fn tables<'a>(t: &'a toml::Table, k: &str) -> Vec<&'a toml::Table> {
    t.get(k)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|x| x.as_table().expect("array of tables"))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(t: &toml::Table, k: &str) -> Vec<String> {
    t.get(k)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn load_standards(root: &Path) -> BTreeMap<String, Standard> {
    let mut out = BTreeMap::new();
    for f in list_dir(&root.join("data/standards")) {
        let Some(id) = f.strip_suffix(".toml") else {
            continue;
        };
        let t = parse_toml(&root.join("data/standards").join(&f));
        let num = |k: &str| {
            t.get(k)
                .map(|v| v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap())
        };
        let pass_line = num("pass_line").unwrap_or(60.0);
        let demonstration_line = num("demonstration_line").unwrap_or(pass_line);
        let mut items = Vec::new();
        for c in tables(&t, "categories") {
            for it in tables(c, "items") {
                let points = it.get("points").and_then(|v| v.as_integer()).unwrap_or(0) as u64;
                let veto = it.get("veto").and_then(|v| v.as_bool()).unwrap_or(false);
                items.push((s(it, "id"), points, veto));
            }
        }
        out.insert(
            id.to_string(),
            Standard {
                pass_line,
                demonstration_line,
                items,
            },
        );
    }
    out
}

/// Whether one evaluation passes its standard.
fn passes(ev: &toml::Table, std: &Standard, demonstration: bool) -> bool {
    let na = strings(ev, "not_applicable");
    let vetoed = strings(ev, "vetoed");
    let scores = ev
        .get("scores")
        .and_then(|v| v.as_table())
        .cloned()
        .unwrap_or_default();
    let (mut awarded, mut applicable) = (0u64, 0u64);
    for (id, points, veto) in &std.items {
        if *veto || na.contains(id) {
            continue;
        }
        applicable += points;
        awarded += scores
            .get(id)
            .and_then(|v| v.as_integer())
            .map_or(0, |x| (x as u64).min(*points));
    }
    let tenths = (awarded * 1000 + applicable / 2)
        .checked_div(applicable)
        .unwrap_or(0);
    let line = if demonstration {
        std.demonstration_line
    } else {
        std.pass_line
    };
    vetoed.is_empty() && tenths as f64 >= (line * 10.0).round()
}

fn load_town(root: &Path, as_of: &str) -> Town {
    let site = parse_toml(&root.join("data/site.toml"));
    let names = |k: &str| {
        tables(&site, k)
            .iter()
            .map(|t| s(t, "name"))
            .collect::<Vec<_>>()
    };
    let deadlines = site.get("deadlines").and_then(|v| v.as_table());
    let dl = |k: &str| deadlines.and_then(|d| date(d, k));
    let standards = load_standards(root);
    let mut ents = Vec::new();
    for f in list_dir(&root.join("data/enterprises")) {
        let Some(slug) = f.strip_suffix(".toml") else {
            continue;
        };
        let t = parse_toml(&root.join("data/enterprises").join(&f));
        let high_risk = strings(&t, "high_risk");
        let demonstration = t
            .get("demonstration")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        // Hazards.
        let (mut open, mut overdue, mut open_major) = (0, 0, 0);
        for h in tables(&t, "hazards") {
            let happened = |k: &str| date(h, k).is_some_and(|d| d.as_str() <= as_of);
            if happened("accepted") || happened("rectified") {
                continue;
            }
            open += 1;
            if s(h, "grade") == "重大" {
                open_major += 1;
            }
            if date(h, "deadline").is_some_and(|d| d.as_str() < as_of) {
                overdue += 1;
            }
        }
        // Contacts.
        let contacts: Vec<i64> = tables(&t, "contacts")
            .iter()
            .filter_map(|c| date(c, "date"))
            .filter(|d| d.as_str() <= as_of)
            .map(|d| month(&d))
            .collect();
        let now = month(as_of);
        let (missed_months, this_month_missing) = match contacts.iter().min() {
            None => (0, true),
            Some(first) => (
                (*first..now).filter(|m| !contacts.contains(m)).count(),
                !contacts.contains(&now),
            ),
        };
        // Deadline status.
        let deadline = if high_risk.is_empty() {
            dl("all")
        } else {
            dl("high_risk")
        };
        let passes_on: Vec<String> = tables(&t, "evaluations")
            .iter()
            .filter(|e| s(e, "by") != "自评")
            .filter_map(|e| {
                let d = date(e, "date").unwrap();
                let std = standards.get(&s(e, "standard")).expect("known standard");
                (d.as_str() <= as_of && passes(e, std, demonstration)).then_some(d)
            })
            .collect();
        let (status, passed_late) = match &deadline {
            Some(d) if passes_on.iter().any(|p| p <= d) => (Status::Done, false),
            Some(_) if !passes_on.is_empty() => (Status::Done, true),
            Some(d) if as_of > d.as_str() => (Status::Late, false),
            _ => (Status::Progress, false),
        };
        ents.push(Ent {
            slug: slug.to_string(),
            name: s(&t, "name"),
            village: s(&t, "village"),
            department: s(&t, "department"),
            liaison: s(&t, "liaison"),
            high_risk,
            size: s(&t, "size"),
            kind: s(&t, "kind"),
            status,
            passed_late,
            open,
            overdue,
            open_major,
            missed_months,
            this_month_missing,
        });
    }
    Town {
        villages: names("villages"),
        departments: names("departments"),
        liaisons: tables(&site, "liaisons")
            .iter()
            .map(|l| (s(l, "id"), s(l, "title")))
            .collect(),
        ents,
    }
}

/// [count, done, progress, late] of a group.
fn counts<'a>(ents: impl Iterator<Item = &'a Ent>) -> [usize; 4] {
    let mut c = [0; 4];
    for e in ents {
        c[0] += 1;
        match e.status {
            Status::Done => c[1] += 1,
            Status::Progress => c[2] += 1,
            Status::Late => c[3] += 1,
        }
    }
    c
}

impl Town {
    fn total(&self) -> usize {
        self.ents.len()
    }
    fn status(&self, st: Status) -> usize {
        self.ents.iter().filter(|e| e.status == st).count()
    }
    fn open(&self) -> usize {
        self.ents.iter().map(|e| e.open).sum()
    }
    fn overdue(&self) -> usize {
        self.ents.iter().map(|e| e.overdue).sum()
    }
    fn open_major(&self) -> usize {
        self.ents.iter().map(|e| e.open_major).sum()
    }
    fn missing_contact(&self) -> usize {
        self.ents.iter().filter(|e| e.this_month_missing).count()
    }
    /// Group title → counts, for every grouping the dashboard shows, keyed by its caption.
    fn groups(&self) -> BTreeMap<&'static str, BTreeMap<String, [usize; 4]>> {
        let mut g = BTreeMap::new();
        let mut cat: BTreeMap<String, [usize; 4]> = HIGH_RISK
            .iter()
            .map(|c| {
                (
                    c.to_string(),
                    counts(
                        self.ents
                            .iter()
                            .filter(|e| e.high_risk.iter().any(|h| h == c)),
                    ),
                )
            })
            .collect();
        cat.insert(
            "不涉及高风险类别".into(),
            counts(self.ents.iter().filter(|e| e.high_risk.is_empty())),
        );
        g.insert("按高风险类别", cat);
        g.insert(
            "按企业规模",
            ["大中型", "小微型"]
                .iter()
                .map(|x| {
                    (
                        x.to_string(),
                        counts(self.ents.iter().filter(|e| e.size == *x)),
                    )
                })
                .collect(),
        );
        g.insert(
            "按企业类型",
            ["生产", "仓储"]
                .iter()
                .map(|x| {
                    (
                        x.to_string(),
                        counts(self.ents.iter().filter(|e| e.kind == *x)),
                    )
                })
                .collect(),
        );
        g.insert(
            "按村（社区）",
            self.villages
                .iter()
                .map(|v| {
                    (
                        v.clone(),
                        counts(self.ents.iter().filter(|e| &e.village == v)),
                    )
                })
                .collect(),
        );
        g.insert(
            "按包联部门",
            self.departments
                .iter()
                .map(|v| {
                    (
                        v.clone(),
                        counts(self.ents.iter().filter(|e| &e.department == v)),
                    )
                })
                .collect(),
        );
        g.insert(
            "按联络员",
            self.liaisons
                .iter()
                .map(|(id, title)| {
                    (
                        title.clone(),
                        counts(self.ents.iter().filter(|e| &e.liaison == id)),
                    )
                })
                .collect(),
        );
        g
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the output
// ---------------------------------------------------------------------------------------------

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
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// The number of a dashboard card, found by the start of its label.
#[track_caller]
fn stat(html: &str, label: &str) -> usize {
    let needle = format!("<span class=\"stat-label\">{label}");
    let at = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no dashboard card {label:?}"));
    let num = html[..at]
        .rfind("<span class=\"stat-num\">")
        .expect("card number")
        + "<span class=\"stat-num\">".len();
    let end = html[num..].find('<').unwrap() + num;
    html[num..end]
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("card {label:?}: not a number: {}", &html[num..end]))
}

/// Rows of the dashboard's group table with this caption: group title → [count, done, progress, late].
#[track_caller]
fn group_table(html: &str, caption: &str) -> BTreeMap<String, [usize; 4]> {
    let needle = format!("<caption>{caption}</caption>");
    let at = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no group table {caption:?}"));
    let end = html[at..].find("</table>").unwrap() + at;
    let mut out = BTreeMap::new();
    for row in html[at..end]
        .split("<tr>")
        .filter(|r| r.contains("scope=\"row\""))
    {
        let th_end = row.find("</th>").unwrap();
        let name = text(&row[..th_end]).trim().to_string();
        let cells: Vec<usize> = row[th_end..]
            .split("<td")
            .skip(1)
            .take(4)
            .map(|c| {
                text(&format!("<td{c}"))
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{caption}/{name}: cell {c}"))
            })
            .collect();
        assert_eq!(cells.len(), 4, "{caption}/{name}");
        assert!(
            out.insert(name.clone(), [cells[0], cells[1], cells[2], cells[3]])
                .is_none(),
            "{caption}: {name} twice"
        );
    }
    out
}

/// The `共 N 行` of a ledger page.
#[track_caller]
fn ledger_rows_said(html: &str) -> usize {
    let t = text(html);
    let at = t
        .find("共 ")
        .unwrap_or_else(|| panic!("no 共 N 行 in ledger page"));
    let rest = &t[at + "共 ".len()..];
    let end = rest.find(' ').unwrap();
    assert!(rest[end..].starts_with(" 行"), "{}", &rest[..end + 5]);
    rest[..end].parse().unwrap()
}

/// Rows of the ledger table (`<tbody>` rows) and how many are marked overdue.
fn ledger_table_rows(html: &str) -> (usize, usize) {
    let at = html.find("id=\"ledger-table\"").expect("ledger table");
    let body_at = html[at..].find("<tbody>").unwrap() + at;
    let end = html[body_at..].find("</tbody>").unwrap() + body_at;
    let rows: Vec<&str> = html[body_at..end].split("<tr").skip(1).collect();
    (
        rows.len(),
        rows.iter().filter(|r| r.contains("row-overdue")).count(),
    )
}

/// RFC 4180 CSV (quoted fields with doubled quotes; CRLF or LF line ends).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// A CSV file of the output: checks the BOM and returns header and rows.
#[track_caller]
fn csv(out: &Path, rel: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{rel} should start with the UTF-8 BOM"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).expect("CSV is UTF-8");
    assert!(text.contains("\r\n"), "{rel}: CRLF line ends expected");
    let mut rows = parse_csv(&text);
    assert!(!rows.is_empty(), "{rel} is empty");
    let header = rows.remove(0);
    for r in &rows {
        assert_eq!(
            r.len(),
            header.len(),
            "{rel}: row of {} cells under a header of {}: {r:?}",
            r.len(),
            header.len()
        );
    }
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {header:?}"))
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| matches!(c as u32, 0x4E00..=0x9FFF))
}

/// The text a JSON value stands for in the CSV.
fn same_value(json: &serde_json::Value, cell: &str) -> bool {
    match json {
        serde_json::Value::String(s) => s == cell || format!("'{s}") == cell,
        serde_json::Value::Number(n) => cell
            .parse::<f64>()
            .is_ok_and(|c| (c - n.as_f64().unwrap()).abs() < 1e-9),
        serde_json::Value::Null => cell.is_empty(),
        _ => false,
    }
}

fn xlsx_sheets(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let mut out = Vec::new();
    for name in wb.sheet_names().to_owned() {
        let range = wb.worksheet_range(&name).unwrap();
        let rows = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::String(s) => s.clone(),
                        Data::Float(f) => format!("{f}"),
                        Data::Int(i) => i.to_string(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        out.push((name, rows));
    }
    out
}

fn cells_equal(xlsx: &str, csv: &str) -> bool {
    xlsx == csv
        || matches!((xlsx.parse::<f64>(), csv.parse::<f64>()), (Ok(a), Ok(b)) if (a - b).abs() < 1e-9)
}

// ---------------------------------------------------------------------------------------------
// The checks, for any site
// ---------------------------------------------------------------------------------------------

struct Built {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    out: PathBuf,
}

fn build_fixture(name: &str) -> Built {
    let s = site(name);
    s.build(&["--quiet"]).ok();
    let out = s.out();
    Built {
        root: s.root.clone(),
        out,
        _tmp: s.tmp,
    }
}

fn build_repo() -> Built {
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
    assert_eq!(r.code, 0, "{}", r.stderr);
    Built {
        _tmp: tmp,
        root,
        out,
    }
}

fn check_dashboard(b: &Built, town: &Town) {
    let html = read(&b.out, "index.html");
    assert_eq!(stat(&html, "在册企业"), town.total(), "在册企业");
    assert_eq!(stat(&html, "已达标"), town.status(Status::Done), "已达标");
    assert_eq!(
        stat(&html, "推进中"),
        town.status(Status::Progress),
        "推进中"
    );
    assert_eq!(stat(&html, "已逾期"), town.status(Status::Late), "已逾期");
    assert_eq!(stat(&html, "逾期隐患"), town.overdue(), "逾期隐患");
    assert_eq!(stat(&html, "未整改隐患"), town.open(), "未整改隐患");
    assert!(
        html.contains(&format!(
            "<span class=\"stat-label\">未整改隐患（重大 {}）",
            town.open_major()
        )),
        "open major hazards should be {}",
        town.open_major()
    );
    assert_eq!(
        stat(&html, "本月未联系"),
        town.missing_contact(),
        "本月未联系"
    );
    if town.open() > 0 {
        let t = text(&html);
        let said = format!(
            "共 {} 项未整改，其中逾期 {} 项、重大隐患 {} 项",
            town.open(),
            town.overdue(),
            town.open_major()
        );
        assert!(t.contains(&said), "dashboard should say {said:?}");
    }
    for (caption, want) in town.groups() {
        let got = group_table(&html, caption);
        assert_eq!(
            got, want,
            "dashboard table {caption} ([count, done, progress, late])"
        );
    }
}

fn check_ledger_pages(b: &Built, town: &Town) {
    let root = read(&b.out, "ledger/index.html");
    assert_eq!(
        ledger_rows_said(&root),
        town.total(),
        "ledger/ says 共 N 行"
    );
    assert_eq!(
        ledger_table_rows(&root).0,
        town.total(),
        "ledger/ table rows"
    );
    let nav = text(&root);
    for (caption, groups) in town.groups() {
        let _ = caption;
        for (title, c) in groups {
            assert!(
                nav.contains(&format!("{title}（{}）", c[0])),
                "ledger/ should link {title}（{}）",
                c[0]
            );
        }
    }
    for v in &town.villages {
        let n = town.ents.iter().filter(|e| &e.village == v).count();
        let page = read(&b.out, &format!("ledger/village/{v}/index.html"));
        assert_eq!(ledger_rows_said(&page), n, "village ledger {v}");
        assert_eq!(ledger_table_rows(&page).0, n, "village ledger {v} rows");
        let (_, rows) = csv(&b.out, &format!("ledger/village/{v}/ledger.csv"));
        assert_eq!(rows.len(), n, "village ledger {v} CSV rows");
    }
    for d in &town.departments {
        let n = town.ents.iter().filter(|e| &e.department == d).count();
        let page = read(&b.out, &format!("ledger/department/{d}/index.html"));
        assert_eq!(ledger_rows_said(&page), n, "department ledger {d}");
    }
    for c in HIGH_RISK {
        let n = town
            .ents
            .iter()
            .filter(|e| e.high_risk.iter().any(|h| h == c))
            .count();
        let page = read(&b.out, &format!("ledger/category/{c}/index.html"));
        assert_eq!(ledger_rows_said(&page), n, "category ledger {c}");
    }
    let hz = read(&b.out, "ledger/hazards/index.html");
    assert_eq!(
        ledger_rows_said(&hz),
        town.open(),
        "hazard ledger rows = open hazards"
    );
    assert_eq!(
        ledger_table_rows(&hz),
        (town.open(), town.overdue()),
        "hazard ledger (rows, overdue rows)"
    );
    let (_, rows) = csv(&b.out, "ledger/hazards/ledger.csv");
    assert_eq!(rows.len(), town.open(), "hazard ledger CSV rows");
}

fn check_downloads(b: &Built, town: &Town) {
    let (header, rows) = csv(&b.out, "ledger/ledger.csv");
    assert_eq!(header[0], "企业名称");
    for h in &header {
        assert!(has_cjk(h), "header {h:?} should be Chinese");
    }
    for personal in ["联络员姓名", "联络员电话", "企业联系人"] {
        assert!(
            !header.iter().any(|h| h == personal),
            "public CSV has the personal column {personal}"
        );
    }
    assert_eq!(rows.len(), town.total(), "one CSV row per enterprise");
    // Every enterprise's row says what the model says.
    let (c_name, c_status, c_open, c_over, c_missed, c_this, c_village, c_dept) = (
        col(&header, "企业名称"),
        col(&header, "建设状态"),
        col(&header, "未整改隐患"),
        col(&header, "逾期隐患"),
        col(&header, "漏联系月数"),
        col(&header, "本月已联系"),
        col(&header, "村（社区）"),
        col(&header, "包联部门"),
    );
    for e in &town.ents {
        let row = rows
            .iter()
            .find(|r| r[c_name] == e.name)
            .unwrap_or_else(|| panic!("{} ({}) missing from ledger.csv", e.name, e.slug));
        let status = match (e.status, e.passed_late) {
            (Status::Done, false) => "已达标",
            (Status::Done, true) => "已达标（逾期后）",
            (Status::Progress, _) => "推进中",
            (Status::Late, _) => "已逾期",
        };
        assert_eq!(row[c_status], status, "{}: 建设状态", e.slug);
        assert_eq!(row[c_open], e.open.to_string(), "{}: 未整改隐患", e.slug);
        assert_eq!(row[c_over], e.overdue.to_string(), "{}: 逾期隐患", e.slug);
        assert_eq!(
            row[c_missed],
            e.missed_months.to_string(),
            "{}: 漏联系月数",
            e.slug
        );
        assert_eq!(
            row[c_this],
            if e.this_month_missing { "否" } else { "是" },
            "{}: 本月已联系",
            e.slug
        );
        assert_eq!(row[c_village], e.village, "{}: 村（社区）", e.slug);
        assert_eq!(row[c_dept], e.department, "{}: 包联部门", e.slug);
    }

    // XLSX: the first sheet is the same table.
    let sheets = xlsx_sheets(&b.out.join("ledger/ledger.xlsx"));
    assert!(!sheets.is_empty(), "ledger.xlsx has no sheet");
    let (name, first) = &sheets[0];
    assert_eq!(
        first.len(),
        town.total() + 1,
        "sheet {name}: header + one row per enterprise"
    );
    assert_eq!(
        first[0], header,
        "sheet {name}: header row equals the CSV header"
    );
    for (i, (x, c)) in first[1..].iter().zip(&rows).enumerate() {
        assert_eq!(x.len(), c.len(), "sheet {name} row {}", i + 2);
        for (a, b) in x.iter().zip(c) {
            assert!(
                cells_equal(a, b),
                "sheet {name} row {}: {a:?} vs CSV {b:?}",
                i + 2
            );
        }
    }
    let hz = sheets
        .iter()
        .find(|(n, _)| n == "未整改隐患")
        .expect("a 未整改隐患 sheet");
    assert_eq!(hz.1.len(), town.open() + 1, "未整改隐患 sheet rows");

    // JSON: the same rows.
    let json: serde_json::Value =
        serde_json::from_str(&read(&b.out, "ledger/ledger.json")).expect("ledger.json parses");
    let jrows = json["rows"].as_array().expect("rows array");
    assert_eq!(jrows.len(), rows.len(), "JSON rows");
    for (j, c) in jrows.iter().zip(&rows) {
        for (h, cell) in header.iter().zip(c) {
            let v = j
                .get(h)
                .unwrap_or_else(|| panic!("JSON row lacks {h:?}: {j}"));
            assert!(same_value(v, cell), "JSON {h} = {v} vs CSV {cell:?}");
        }
        let slug = j["slug"].as_str().expect("slug");
        let e = town
            .ents
            .iter()
            .find(|e| e.slug == slug)
            .unwrap_or_else(|| panic!("unknown slug {slug}"));
        assert_eq!(j["企业名称"], e.name.as_str());
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn town_small_model_matches_the_hand_counts() {
    // The recomputation itself, against the numbers worked out by hand in tests/records.rs.
    let town = load_town(&fixture("town-small"), AS_OF);
    assert_eq!(town.total(), 3);
    assert_eq!(
        (
            town.status(Status::Done),
            town.status(Status::Progress),
            town.status(Status::Late)
        ),
        (1, 1, 1)
    );
    assert_eq!(
        (
            town.open(),
            town.overdue(),
            town.open_major(),
            town.missing_contact()
        ),
        (4, 2, 1, 1)
    );
    let g = town.groups();
    assert_eq!(g["按村（社区）"]["新桥社区"], [1, 1, 0, 0]);
    assert_eq!(g["按村（社区）"]["太平村"], [1, 0, 0, 1]);
    assert_eq!(g["按高风险类别"]["粉尘涉爆"], [2, 1, 0, 1]);
    assert_eq!(g["按高风险类别"]["不涉及高风险类别"], [1, 0, 1, 0]);
}

#[test]
fn town_small_dashboard() {
    let b = build_fixture("town-small");
    let town = load_town(&b.root, AS_OF);
    check_dashboard(&b, &town);
}

#[test]
fn town_small_ledger_pages() {
    let b = build_fixture("town-small");
    let town = load_town(&b.root, AS_OF);
    check_ledger_pages(&b, &town);
}

#[test]
fn town_small_downloads() {
    let b = build_fixture("town-small");
    let town = load_town(&b.root, AS_OF);
    check_downloads(&b, &town);
}

#[test]
fn repository_site_dashboard_ledgers_and_downloads() {
    let b = build_repo();
    let town = load_town(&b.root, AS_OF);
    assert!(town.total() >= 43, "{} enterprises", town.total());
    check_dashboard(&b, &town);
    check_ledger_pages(&b, &town);
    check_downloads(&b, &town);
}
