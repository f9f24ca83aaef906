//! The dashboard and the ledgers (台账): the numbers the site shows, recomputed here
//! independently from the fixture TOML (read with the `toml` crate, not with dualprev), and the
//! downloads: CSV (UTF-8 BOM, Chinese header), XLSX (calamine) and JSON with the same rows.
//!
//! The recomputation follows the town plan: a hazard is closed only when accepted on or before the
//! as-of date; every other hazard is open (整改中, 逾期 or 待验收), and overdue when its deadline has
//! passed; an enterprise has reached the standard (已达标) when an evaluation by anyone — the
//! enterprise's own 自评 included, unless site.toml's `[plan] evaluators` names who counts — on or
//! before the as-of date passes (score = awarded / applicable points, N/A items out of the
//! denominator, pass line of the standard, the demonstration line for demonstration enterprises,
//! any veto fails), is late (已逾期) when its deadline has passed without that, and in progress
//! otherwise. The high-risk deadline applies to an enterprise with a high-risk category and to one
//! that another record names as its `landlord` (厂中厂 lessor, counted in the 厂中厂 category too).
//! A month from the first contact to the as-of month without a contact is missed.
//!
//! Run on `tests/fixtures/town-small/` and on the repository's own site. The hazard ledger's
//! 村（社区） and 联络员 columns are checked against the records and site.toml; the CSV's exact bytes
//! for text Excel would convert (`="…"`); the downloads' saved names; and, in Chromium, the filter
//! (whole-value match for yes/no and status columns) and the layout on a phone and on A4 paper.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::*;

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
    /// Named as `landlord` by another record: a 厂中厂 lessor.
    lessor: bool,
    size: String,
    kind: String,
    status: Status,
    passed_late: bool,
    open: usize,
    overdue: usize,
    /// Rectified, not accepted (待验收), and of those the ones past their deadline.
    awaiting: usize,
    awaiting_overdue: usize,
    open_major: usize,
    missed_months: usize,
    this_month_missing: bool,
    uscc: String,
    /// The liaison's public title from site.toml (what the public ledgers show).
    liaison_title: String,
    /// Ids of the hazards open on the as-of date.
    open_ids: Vec<String>,
    industry: String,
    employees: i64,
    deadline: String,
    /// Milestones done by the as-of date / milestones in site.toml.
    milestones: String,
    last_contact: String,
    /// The latest evaluation on or before the as-of date (any evaluator): 得分率 and 结论.
    latest_percent: String,
    latest_verdict: String,
    demonstration: bool,
}

#[derive(Debug)]
struct Town {
    villages: Vec<String>,
    departments: Vec<String>,
    /// (id, public title)
    liaisons: Vec<(String, String)>,
    /// The liaisons' personal names (never in the public output).
    liaison_names: Vec<String>,
    /// `town` of site.toml (the title when empty): the downloads are named for it.
    town_name: String,
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
    score(ev, std, demonstration).1
}

/// (percentage in tenths, pass, vetoed) of one evaluation.
fn score(ev: &toml::Table, std: &Standard, demonstration: bool) -> (u64, bool, bool) {
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
    (
        tenths,
        vetoed.is_empty() && tenths as f64 >= (line * 10.0).round(),
        !vetoed.is_empty(),
    )
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
    let evaluators = site
        .get("plan")
        .and_then(|p| p.as_table())
        .map(|p| strings(p, "evaluators"))
        .unwrap_or_default();
    let files = list_dir(&root.join("data/enterprises"));
    let landlords: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".toml"))
        .map(|f| {
            s(
                &parse_toml(&root.join("data/enterprises").join(f)),
                "landlord",
            )
        })
        .filter(|l| !l.is_empty())
        .collect();
    let mut ents = Vec::new();
    for f in files {
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
        let (mut awaiting, mut awaiting_overdue) = (0, 0);
        let mut open_ids = Vec::new();
        for h in tables(&t, "hazards") {
            let happened = |k: &str| date(h, k).is_some_and(|d| d.as_str() <= as_of);
            if happened("accepted") {
                continue;
            }
            open += 1;
            open_ids.push(s(h, "id"));
            if s(h, "grade") == "重大" {
                open_major += 1;
            }
            let late = date(h, "deadline").is_some_and(|d| d.as_str() < as_of);
            overdue += usize::from(late);
            if happened("rectified") {
                awaiting += 1;
                awaiting_overdue += usize::from(late);
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
        let lessor = landlords.contains(&s(&t, "name"));
        let deadline = if high_risk.is_empty() && !lessor {
            dl("all")
        } else {
            dl("high_risk")
        };
        let passes_on: Vec<String> = tables(&t, "evaluations")
            .iter()
            .filter(|e| evaluators.is_empty() || evaluators.contains(&s(e, "by")))
            .filter_map(|e| {
                let d = date(e, "date").unwrap();
                let std = standards.get(&s(e, "standard")).expect("known standard");
                (d.as_str() <= as_of && passes(e, std, demonstration)).then_some(d)
            })
            .collect();
        let milestone_keys: Vec<String> = tables(&site, "milestones")
            .iter()
            .map(|m| s(m, "key"))
            .collect();
        let done_milestones = t
            .get("milestones")
            .and_then(|v| v.as_table())
            .map_or(0, |m| {
                milestone_keys
                    .iter()
                    .filter(|k| {
                        m.get(k.as_str()).is_some_and(|d| match d {
                            toml::Value::Datetime(d) => d.to_string().as_str() <= as_of,
                            _ => false,
                        })
                    })
                    .count()
            });
        let mut evaluations: Vec<(String, u64, bool, bool)> = tables(&t, "evaluations")
            .iter()
            .filter_map(|e| {
                let d = date(e, "date").unwrap();
                let std = standards.get(&s(e, "standard")).expect("known standard");
                let (tenths, pass, vetoed) = score(e, std, demonstration);
                (d.as_str() <= as_of).then_some((d, tenths, pass, vetoed))
            })
            .collect();
        evaluations.sort_by(|a, b| a.0.cmp(&b.0));
        let (latest_percent, latest_verdict) = match evaluations.last() {
            None => (String::new(), String::new()),
            Some((_, tenths, pass, vetoed)) => (
                if tenths % 10 == 0 {
                    (tenths / 10).to_string()
                } else {
                    format!("{}.{}", tenths / 10, tenths % 10)
                },
                match (vetoed, pass) {
                    (true, _) => "不合格（否决）",
                    (false, true) => "合格",
                    (false, false) => "不合格",
                }
                .to_string(),
            ),
        };
        let last_contact = tables(&t, "contacts")
            .iter()
            .filter_map(|c| date(c, "date"))
            .filter(|d| d.as_str() <= as_of)
            .max()
            .unwrap_or_default();
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
            lessor,
            size: s(&t, "size"),
            kind: s(&t, "kind"),
            status,
            passed_late,
            open,
            overdue,
            awaiting,
            awaiting_overdue,
            open_major,
            missed_months,
            this_month_missing,
            uscc: s(&t, "uscc"),
            liaison_title: tables(&site, "liaisons")
                .iter()
                .find(|l| s(l, "id") == s(&t, "liaison"))
                .map(|l| s(l, "title"))
                .unwrap_or_default(),
            open_ids,
            industry: s(&t, "industry"),
            employees: t.get("employees").and_then(|v| v.as_integer()).unwrap_or(0),
            deadline: deadline.clone().unwrap_or_default(),
            milestones: format!("{done_milestones}/{}", milestone_keys.len()),
            last_contact,
            latest_percent,
            latest_verdict,
            demonstration,
        });
    }
    Town {
        villages: names("villages"),
        departments: names("departments"),
        liaisons: tables(&site, "liaisons")
            .iter()
            .map(|l| (s(l, "id"), s(l, "title")))
            .collect(),
        liaison_names: tables(&site, "liaisons")
            .iter()
            .map(|l| s(l, "name"))
            .filter(|n| !n.is_empty())
            .collect(),
        town_name: Some(s(&site, "town"))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| s(&site, "title")),
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
    fn awaiting(&self) -> (usize, usize) {
        (
            self.ents.iter().map(|e| e.awaiting).sum(),
            self.ents.iter().map(|e| e.awaiting_overdue).sum(),
        )
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
                    counts(self.ents.iter().filter(|e| {
                        e.high_risk.iter().any(|h| h == c) || (*c == "厂中厂" && e.lessor)
                    })),
                )
            })
            .collect();
        cat.insert(
            "不涉及高风险类别".into(),
            counts(
                self.ents
                    .iter()
                    .filter(|e| e.high_risk.is_empty() && !e.lessor),
            ),
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

/// The text a CSV cell stands for: `="…"` (text Excel would convert) and a leading `'` (text
/// Excel would read as a formula) undone.
fn csv_text(cell: &str) -> &str {
    if let Some(inner) = cell.strip_prefix("=\"").and_then(|c| c.strip_suffix('"')) {
        assert!(
            !inner.contains('"'),
            "a quote inside a =\"…\" cell: {cell:?}"
        );
        inner
    } else if let Some(rest) = cell.strip_prefix('\'') {
        rest
    } else {
        cell
    }
}

/// The text a JSON value stands for in the CSV.
fn same_value(json: &serde_json::Value, cell: &str) -> bool {
    match json {
        serde_json::Value::String(s) => s == csv_text(cell),
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
    xlsx == csv_text(csv)
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
    assert_eq!(stat(&html, "未销号隐患"), town.open(), "未销号隐患");
    assert!(
        html.contains(&format!(
            "<span class=\"stat-label\">未销号隐患（重大 {}）",
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
        let (awaiting, awaiting_overdue) = town.awaiting();
        let unrectified_overdue = town.overdue() - awaiting_overdue;
        let said = format!(
            "共 {} 项未销号：整改中 {} 项，逾期未整改 {} 项，已整改待验收 {} 项（其中已过整改期限 {} 项）。逾期合计 {} 项，重大隐患 {} 项。",
            town.open(),
            town.open() - awaiting - unrectified_overdue,
            unrectified_overdue,
            awaiting,
            awaiting_overdue,
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
            .filter(|e| e.high_risk.iter().any(|h| h == c) || (c == "厂中厂" && e.lessor))
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
        col(&header, "未销号隐患"),
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
            (Status::Done, true) => "已达标（逾期完成）",
            (Status::Progress, _) => "推进中",
            (Status::Late, _) => "已逾期",
        };
        assert_eq!(row[c_status], status, "{}: 建设状态", e.slug);
        assert_eq!(row[c_open], e.open.to_string(), "{}: 未销号隐患", e.slug);
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
        // The other columns, each from the TOML.
        let mut categories = e.high_risk.clone();
        if e.lessor && !categories.iter().any(|c| c == "厂中厂") {
            categories.push("厂中厂（出租方）".into());
        }
        for (column, want) in [
            ("统一社会信用代码", e.uscc.clone()),
            ("联络员", e.liaison_title.clone()),
            ("高风险类别", categories.join("、")),
            ("规模", e.size.clone()),
            ("类型", e.kind.clone()),
            ("行业", e.industry.clone()),
            ("从业人员", e.employees.to_string()),
            ("建设期限", e.deadline.clone()),
            ("建设进度", e.milestones.clone()),
            ("最近联系", e.last_contact.clone()),
            ("最近评估得分率", e.latest_percent.clone()),
            ("评估结论", e.latest_verdict.clone()),
            (
                "示范企业",
                if e.demonstration { "是" } else { "" }.to_string(),
            ),
        ] {
            assert_eq!(
                csv_text(&row[col(&header, column)]),
                want,
                "{}: {column}",
                e.slug
            );
        }
    }
    assert_eq!(
        header.len(),
        21,
        "every column of the public ledger is checked above: {header:?}"
    );

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
        .find(|(n, _)| n == "未销号隐患")
        .expect("a 未销号隐患 sheet");
    assert_eq!(hz.1.len(), town.open() + 1, "未销号隐患 sheet rows");

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

/// The hazard ledger (CSV, page, workbook sheet): 村（社区） and 联络员 of each open hazard's enterprise
/// as the records and site.toml give them; the liaison by public title, never by name.
fn check_hazard_columns(b: &Built, town: &Town) {
    let (header, rows) = csv(&b.out, "ledger/hazards/ledger.csv");
    let (c_name, c_id, c_village, c_liaison) = (
        col(&header, "企业名称"),
        col(&header, "隐患编号"),
        col(&header, "村（社区）"),
        col(&header, "联络员"),
    );
    for personal in ["联络员姓名", "联络员电话"] {
        assert!(
            !header.iter().any(|h| h == personal),
            "public hazards.csv has the personal column {personal}"
        );
    }
    assert_eq!(rows.len(), town.open(), "hazards.csv rows");
    let mut seen = Vec::new();
    for r in &rows {
        let e = town
            .ents
            .iter()
            .find(|e| e.name == r[c_name])
            .unwrap_or_else(|| panic!("hazards.csv: unknown enterprise {:?}", r[c_name]));
        let id = csv_text(&r[c_id]).to_string();
        assert!(
            e.open_ids.contains(&id),
            "hazards.csv: {id} is not an open hazard of {} ({:?})",
            e.slug,
            e.open_ids
        );
        assert_eq!(r[c_village], e.village, "hazards.csv {id}: 村（社区）");
        assert_eq!(r[c_liaison], e.liaison_title, "hazards.csv {id}: 联络员");
        for name in &town.liaison_names {
            assert!(
                !r.iter().any(|c| c.contains(name.as_str())),
                "hazards.csv {id}: liaison name {name:?} in the public profile"
            );
        }
        seen.push((e.slug.clone(), id));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen.len(),
        town.open(),
        "hazards.csv: a hazard listed twice"
    );
    let with_liaison = rows.iter().filter(|r| !r[c_liaison].is_empty()).count();
    assert!(
        rows.is_empty() || with_liaison > 0,
        "no hazard row names a liaison"
    );
    // The page shows the same columns, the workbook sheet the same header.
    let page = read(&b.out, "ledger/hazards/index.html");
    let at = page.find("<thead>").expect("hazard ledger header");
    let end = page[at..].find("</thead>").unwrap() + at;
    let shown: Vec<String> = page[at + "<thead>".len()..end]
        .split("<th")
        .skip(1)
        .map(|c| text(&format!("<th{c}")).trim().to_string())
        .collect();
    assert_eq!(shown, header, "hazard ledger page header vs CSV header");
    let sheets = xlsx_sheets(&b.out.join("ledger/ledger.xlsx"));
    let (_, sheet) = sheets
        .iter()
        .find(|(n, _)| n == "未销号隐患")
        .expect("a 未销号隐患 sheet");
    assert_eq!(sheet[0], header, "未销号隐患 sheet header");
    for (x, c) in sheet[1..].iter().zip(&rows) {
        for (a, b) in x.iter().zip(c) {
            assert!(cells_equal(a, b), "未销号隐患 sheet: {a:?} vs CSV {b:?}");
        }
    }
}

/// The CSV's bytes for text Excel would convert: a credit code, `5/6`, dates are written
/// `"=""…"""` (the formula ="…", CSV-quoted), numbers stay bare, Chinese text as it is.
fn check_excel_text(b: &Built, town: &Town) {
    let bytes = std::fs::read(b.out.join("ledger/ledger.csv")).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "ledger.csv lost its BOM"
    );
    let raw = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let (header, rows) = csv(&b.out, "ledger/ledger.csv");
    let (c_name, c_progress, c_employees) = (
        col(&header, "企业名称"),
        col(&header, "建设进度"),
        col(&header, "从业人员"),
    );
    for e in &town.ents {
        let line = raw
            .split("\r\n")
            .find(|l| l.starts_with(&format!("{},", e.name)))
            .unwrap_or_else(|| panic!("no ledger.csv line for {}", e.name));
        // Every credit code starts with a digit (GB 32100): all are kept as text.
        let want = format!(",\"=\"\"{}\"\"\",", e.uscc);
        assert!(
            line.contains(&want),
            "{}: the credit code should be written {want:?}: {line}",
            e.slug
        );
        let row = rows.iter().find(|r| r[c_name] == e.name).unwrap();
        let progress = &row[c_progress];
        let inner = progress
            .strip_prefix("=\"")
            .and_then(|p| p.strip_suffix('"'))
            .unwrap_or_else(|| panic!("{}: 建设进度 {progress:?} is not =\"k/n\"", e.slug));
        let (k, n) = inner.split_once('/').expect("k/n");
        assert!(
            k.parse::<u32>().is_ok() && n.parse::<u32>().is_ok(),
            "{}: 建设进度 {progress:?}",
            e.slug
        );
        assert!(
            row[c_employees].parse::<f64>().is_ok(),
            "{}: 从业人员 should stay a bare number: {:?}",
            e.slug,
            row[c_employees]
        );
    }
}

/// A `download="…"` attribute of the link whose href is `href` on a page.
#[track_caller]
fn download_of(html: &str, href: &str) -> String {
    let at = html
        .find(&format!("href=\"{href}\" download=\""))
        .unwrap_or_else(|| panic!("no link to {href} with a download name"));
    let rest = &html[at..];
    let start = rest.find("download=\"").unwrap() + "download=\"".len();
    let end = rest[start..].find('"').unwrap() + start;
    unescape_html(&rest[start..end])
}

/// Every ledger page's downloads are named town-what-date, and no two name the same file.
fn check_download_names(b: &Built, town: &Town) {
    let t = &town.town_name;
    let mut pages = Vec::new();
    let mut stack = vec![b.out.join("ledger")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "index.html") {
                pages.push(p);
            }
        }
    }
    assert!(pages.len() > 5, "only {} ledger pages", pages.len());
    let mut names = std::collections::BTreeMap::new();
    let mut workbooks = std::collections::BTreeSet::new();
    for p in &pages {
        let rel = p
            .strip_prefix(&b.out)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let html = std::fs::read_to_string(p).unwrap();
        let csv_name = download_of(&html, "ledger.csv");
        let json_name = download_of(&html, "ledger.json");
        assert!(
            csv_name.starts_with(&format!("{t}-")) && csv_name.ends_with(&format!("-{AS_OF}.csv")),
            "{rel}: CSV saved as {csv_name:?}"
        );
        assert_eq!(
            json_name.trim_end_matches(".json"),
            csv_name.trim_end_matches(".csv"),
            "{rel}: JSON and CSV names"
        );
        let prefix = "../".repeat(rel.matches('/').count());
        workbooks.insert(download_of(&html, &format!("{prefix}ledger/ledger.xlsx")));
        if let Some(other) = names.insert(csv_name.clone(), rel.clone()) {
            panic!("{rel} and {other} both save their CSV as {csv_name:?}");
        }
    }
    assert_eq!(
        workbooks.into_iter().collect::<Vec<_>>(),
        [format!("{t}-全部台账-{AS_OF}.xlsx")],
        "the workbook's saved name"
    );
    let at = |rel: &str| {
        names
            .iter()
            .find(|(_, r)| *r == rel)
            .map(|(n, _)| n.clone())
    };
    assert_eq!(
        at("ledger/index.html"),
        Some(format!("{t}-企业台账-{AS_OF}.csv"))
    );
    assert_eq!(
        at("ledger/hazards/index.html"),
        Some(format!("{t}-隐患总台账（未销号）-{AS_OF}.csv"))
    );
    assert_eq!(
        at("ledger/risks/index.html"),
        Some(format!("{t}-重大和较大风险台账-{AS_OF}.csv"))
    );
    for v in &town.villages {
        assert_eq!(
            at(&format!("ledger/village/{v}/index.html")),
            Some(format!("{t}-企业台账-村（社区）-{v}-{AS_OF}.csv")),
            "village {v}"
        );
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
        // qiaotou-foundry: H2025-101 整改中, H2025-102 重大 逾期, H2025-103 rectified 06-20 but
        // not accepted by its 06-25 deadline, H2025-105 accepted only on 07-03 (after the as-of
        // date) and due 06-29: four open, three overdue. taiping-woodwork: H2024-201 逾期.
        // yingji-warehouse: H2025-301 整改中.
        (6, 4, 1, 1)
    );
    assert_eq!(
        town.awaiting(),
        (2, 2),
        "待验收, of which past the deadline"
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
    check_hazard_columns(&b, &town);
    check_excel_text(&b, &town);
    check_download_names(&b, &town);
}

/// Text Excel would turn into numbers or dates, in a hazard's fields: the exact CSV bytes.
#[test]
fn csv_keeps_digit_text_as_text_for_excel() {
    let s = site("town-small");
    let rel = "data/enterprises/qiaotou-foundry.toml";
    let mut rec = std::fs::read_to_string(s.root.join(rel)).unwrap();
    rec.push_str(
        "\n[[hazards]]\nid = \"0012\"\nfound = 2025-06-20\nsource = \"日常排查\"\nlocation = \"5/6\"\n\
         description = \"1E5\"\ngrade = \"一般\"\nmeasures = \"整改\"\ndeadline = 2025-07-31\n\
         responsible = \"007\"\n",
    );
    s.write(rel, rec);
    s.build(&["--quiet"]).ok();
    let bytes = std::fs::read(s.out().join("ledger/hazards/ledger.csv")).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "hazards.csv lost its BOM"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let line = text
        .split("\r\n")
        .find(|l| l.contains("0012"))
        .unwrap_or_else(|| panic!("no line for hazard 0012:\n{text}"));
    // 隐患编号, 等级, 位置, 隐患描述, 发现日期, 整改期限 in a row; 逾期天数 a bare number.
    let want = ",\"=\"\"0012\"\"\",一般,\"=\"\"5/6\"\"\",\"=\"\"1E5\"\"\",\"=\"\"2025-06-20\"\"\",\"=\"\"2025-07-31\"\"\",";
    assert!(line.contains(want), "expected {want} in\n{line}");
    assert!(
        line.ends_with(",0,\"=\"\"007\"\"\""),
        "逾期天数 bare, 责任岗位 007 kept as text:\n{line}"
    );
    assert!(
        line.starts_with("小测试镇桥头示例铸造有限公司,新桥社区,"),
        "name and village first: {line}"
    );
}

#[test]
fn repository_site_dashboard_ledgers_and_downloads() {
    let b = build_repo();
    let town = load_town(&b.root, AS_OF);
    assert!(town.total() >= 43, "{} enterprises", town.total());
    check_dashboard(&b, &town);
    check_ledger_pages(&b, &town);
    check_downloads(&b, &town);
    check_hazard_columns(&b, &town);
    check_excel_text(&b, &town);
    check_download_names(&b, &town);
    // The repository has all-digit credit codes, which Excel would show as 9.15107E+17.
    assert!(
        town.ents
            .iter()
            .any(|e| e.uscc.len() == 18 && e.uscc.bytes().all(|c| c.is_ascii_digit())),
        "no all-digit credit code in the repository's records to check"
    );
}

// ---------------------------------------------------------------------------------------------
// In Chromium: the filter, the layout on a phone and on paper
// ---------------------------------------------------------------------------------------------

mod chromium {
    use super::*;
    use common::browser::{Chrome, Server, emulate_media, js, open, viewport, wait_for};
    use headless_chrome::Tab;
    use headless_chrome::protocol::cdp::Emulation;

    /// Columns the filter matches by whole value (yes/no, status, enumerations, numbers).
    const EXACT: [&str; 11] = [
        "规模",
        "类型",
        "从业人员",
        "建设状态",
        "未销号隐患",
        "逾期隐患",
        "本月已联系",
        "漏联系月数",
        "最近评估得分率",
        "评估结论",
        "示范企业",
    ];

    /// Sets the filter box as typing would and returns the visible rows' cells and the headers.
    fn filter(tab: &Tab, server: &Server, word: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let v = wait_for(
            tab,
            server,
            &format!("the filter to apply {word}"),
            &format!(
                "var i = document.querySelector('.table-filter'); if (!i) return null;\
                 if (i.value !== {w}) {{ i.value = {w}; i.dispatchEvent(new Event('input')); }}\
                 var t = document.querySelector('#ledger-table');\
                 return {{ heads: Array.from(t.tHead.rows[0].cells).map(function (c) {{ return c.textContent.trim(); }}),\
                   rows: Array.from(t.tBodies[0].rows).filter(function (r) {{ return !r.hidden; }})\
                   .map(function (r) {{ return Array.from(r.cells).map(function (c) {{ return c.textContent.trim(); }}); }}) }};",
                w = common::browser::lit(word)
            ),
        );
        let strs = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        };
        (
            strs(&v["heads"]),
            v["rows"].as_array().unwrap().iter().map(strs).collect(),
        )
    }

    fn names(rows: &[Vec<String>]) -> Vec<String> {
        let mut n: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
        n.sort();
        n
    }

    #[test]
    fn filter_matches_yes_no_and_status_by_whole_value() {
        let Some(chrome) = Chrome::start() else {
            return;
        };
        let site = common::repo_site();
        let town = load_town(&site.root, AS_OF);
        let server = Server::start(&site.root);
        let tab = chrome.tab();
        open(&tab, &server, "/ledger/");
        let (heads, all) = filter(&tab, &server, "");
        assert_eq!(all.len(), town.total(), "rows before filtering");
        let exact: Vec<bool> = heads.iter().map(|h| EXACT.contains(&h.as_str())).collect();
        // What a filter word should show, worked out here from the cells and the column kinds.
        let expect = |w: &str| -> Vec<String> {
            let hit: Vec<Vec<String>> = all
                .iter()
                .filter(|r| {
                    r.iter()
                        .zip(&exact)
                        .any(|(c, e)| if *e { c == w } else { c.contains(w) })
                })
                .cloned()
                .collect();
            names(&hit)
        };
        let c_verdict = heads.iter().position(|h| h == "评估结论").unwrap();
        let c_contact = heads.iter().position(|h| h == "本月已联系").unwrap();
        let vetoed_contacted: Vec<&Vec<String>> = all
            .iter()
            .filter(|r| r[c_verdict].contains('否') && r[c_contact] == "是")
            .collect();
        assert!(
            !vetoed_contacted.is_empty(),
            "the repository should have a vetoed (不合格（否决）) enterprise contacted this month"
        );

        let (_, shown) = filter(&tab, &server, "否");
        let mut missing: Vec<String> = town
            .ents
            .iter()
            .filter(|e| e.this_month_missing)
            .map(|e| e.name.clone())
            .collect();
        missing.sort();
        assert_eq!(names(&shown), expect("否"), "filter 否");
        assert_eq!(
            names(&shown),
            missing,
            "filter 否 should show exactly the enterprises not contacted this month"
        );
        for r in vetoed_contacted {
            assert!(
                !shown.iter().any(|s| s[0] == r[0]),
                "否 matched {} through {}",
                r[0],
                r[c_verdict]
            );
        }
        // Status: whole value; free text (the village) still by substring.
        let (_, late) = filter(&tab, &server, "已逾期");
        let mut want: Vec<String> = town
            .ents
            .iter()
            .filter(|e| e.status == Status::Late)
            .map(|e| e.name.clone())
            .collect();
        want.sort();
        assert_eq!(names(&late), want, "filter 已逾期");
        let (_, xq) = filter(&tab, &server, "新桥");
        assert_eq!(names(&xq), expect("新桥"), "filter 新桥 (substring)");
        assert!(
            xq.len() >= town.ents.iter().filter(|e| e.village == "新桥社区").count()
                && !xq.is_empty(),
            "新桥 should find the 新桥社区 rows"
        );
    }

    /// Problems of the ledger table as laid out now, for a viewport `width` px wide: the page
    /// scrolling sideways, a header word or a never-wrapping cell (ids, dates, codes, yes/no,
    /// numbers) broken over lines, a header overflowing its cell, a table wider than `width`
    /// when `fit` (paper), and, when it scrolls sideways, a first column that does not stay.
    const PROBLEMS: &str = r#"
      var width = arguments_width, fit = arguments_fit, out = [];
      function lines(el) {
        var r = document.createRange(); r.selectNodeContents(el);
        var tops = {}; Array.from(r.getClientRects()).forEach(function (q) { if (q.width > 0) tops[Math.round(q.top)] = 1; });
        return Object.keys(tops).length;
      }
      if (document.documentElement.scrollWidth > width + 1) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + width);
      var t = document.querySelector('#ledger-table');
      if (!t) return out;
      var heads = Array.from(t.tHead.rows[0].cells);
      heads.forEach(function (th) {
        th.querySelectorAll('.w').forEach(function (w) { if (lines(w) > 1) out.push('header word broken: ' + w.textContent); });
        if (th.scrollWidth > th.clientWidth + 1) out.push('header overflows: ' + th.textContent);
      });
      var nw = (t.className.match(/nw-\d+/g) || []).map(function (c) { return +c.slice(3); });
      Array.from(t.tBodies[0].rows).forEach(function (row) {
        nw.forEach(function (i) {
          var td = row.cells[i - 1];
          if (td && td.textContent.trim() && lines(td) > 1) out.push('cell broken: ' + heads[i - 1].textContent + ' ' + td.textContent);
        });
      });
      if (fit) {
        if (t.scrollWidth > width + 1) out.push('table wider than the paper: ' + t.scrollWidth + ' > ' + width);
        heads.forEach(function (th) { if (th.getBoundingClientRect().right > width + 1) out.push('column off the paper: ' + th.textContent); });
      } else {
        var box = t.closest('.ledger-scroll');
        if (box.scrollWidth > box.clientWidth + 1) {
          box.scrollLeft = box.scrollWidth;
          var first = t.tBodies[0].rows[0].cells[0].getBoundingClientRect(), b = box.getBoundingClientRect();
          if (Math.abs(first.left - b.left) > 2) out.push('first column scrolled away: ' + first.left + ' vs ' + b.left);
          box.scrollLeft = 0;
        }
      }
      return out;"#;

    fn problems(tab: &Tab, width: u32, fit: bool) -> Vec<String> {
        let body = PROBLEMS
            .replace("arguments_width", &width.to_string())
            .replace("arguments_fit", &fit.to_string());
        js(tab, &body)
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn ledgers_fit_a_phone_and_print_every_column_on_a4() {
        let Some(chrome) = Chrome::start() else {
            return;
        };
        let site = common::repo_site();
        let server = Server::start(&site.root);
        let tab = chrome.tab();
        let pages = [
            ("ledger", "/ledger/".to_string(), 21),
            ("hazards", "/ledger/hazards/".to_string(), 12),
            ("risks", "/ledger/risks/".to_string(), 8),
            (
                "village",
                format!("/ledger/village/{}/", pct("新桥社区")),
                21,
            ),
        ];
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ledger-layout");
        std::fs::create_dir_all(&dir).unwrap();
        let mut all = Vec::new();
        for (name, path, cols) in &pages {
            // Phone.
            emulate_media(&tab, "screen");
            viewport(&tab, 390, 844, true);
            open(&tab, &server, path);
            wait_for(
                &tab,
                &server,
                "sort buttons",
                "return document.querySelectorAll('.sort-button').length > 0;",
            );
            let n = js(
                &tab,
                "return document.querySelectorAll('#ledger-table thead th').length;",
            );
            assert_eq!(n.as_u64(), Some(*cols as u64), "{path}: columns");
            if *name == "ledger" {
                let scrolls = js(
                    &tab,
                    "var b = document.querySelector('.ledger-scroll'); return b.scrollWidth > b.clientWidth;",
                );
                assert_eq!(
                    scrolls,
                    serde_json::Value::Bool(true),
                    "/ledger/ should scroll inside its box on a phone"
                );
            }
            all.extend(
                problems(&tab, 390, false)
                    .into_iter()
                    .map(|p| format!("{path} phone: {p}")),
            );
            // Paper: A4 landscape less 10 mm margins is 277 × 190 mm; laid out at that width.
            let page_rule = js(
                &tab,
                "var s = ''; Array.from(document.styleSheets).forEach(function (sh) { try { Array.from(sh.cssRules).forEach(function visit(r) {\
                   if (r.cssRules && r.type === CSSRule.MEDIA_RULE && /print/.test(r.media.mediaText)) Array.from(r.cssRules).forEach(visit);\
                   if (r.type === CSSRule.PAGE_RULE && !r.selectorText) s = r.style.getPropertyValue('size') || s; }); } catch (e) {} }); return s;",
            );
            assert_eq!(
                page_rule.as_str().map(str::to_lowercase).as_deref(),
                Some("a4 landscape"),
                "{path}: the @page size"
            );
            emulate_media(&tab, "print");
            let px = |mm: f64| (mm * 96.0 / 25.4).floor() as u32;
            viewport(&tab, px(277.0), px(190.0), false);
            let _ = common::browser::eval(
                &tab,
                "return new Promise(function (r) { requestAnimationFrame(function () { requestAnimationFrame(function () { r(true); }); }); });",
            );
            all.extend(
                problems(&tab, px(277.0), true)
                    .into_iter()
                    .map(|p| format!("{path} print: {p}")),
            );
            // The real printout, for a person to look at; its pages are landscape. (An emulated
            // "screen" would print with the screen's style sheet: "" ends the emulation.)
            emulate_media(&tab, "");
            tab.call_method(Emulation::ClearDeviceMetricsOverride(None))
                .expect("clear the viewport");
            let pdf = tab
                .print_to_pdf(Some(headless_chrome::types::PrintToPdfOptions {
                    prefer_css_page_size: Some(true),
                    print_background: Some(true),
                    ..Default::default()
                }))
                .expect("print to PDF");
            std::fs::write(dir.join(format!("{name}.pdf")), &pdf).unwrap();
            let text = String::from_utf8_lossy(&pdf);
            let boxes: Vec<&str> = text.matches("/MediaBox [0 0 ").collect();
            assert!(!boxes.is_empty(), "{path}: no page in the PDF");
            for part in text.split("/MediaBox [0 0 ").skip(1) {
                let nums: Vec<f64> = part
                    .split(']')
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .map(|x| x.parse().unwrap())
                    .collect();
                assert!(
                    nums[0] > nums[1],
                    "{path}: a portrait page {nums:?} in the printout"
                );
            }
        }
        // The home page's hazard list on a phone: no page scrolling, dates and ids in one line.
        emulate_media(&tab, "screen");
        viewport(&tab, 390, 844, true);
        open(&tab, &server, "/");
        let home = js(
            &tab,
            "var out = [];\
             if (document.documentElement.scrollWidth > 391) out.push('page scrolls sideways');\
             document.querySelectorAll('.data-table .nw').forEach(function (el) {\
               var r = document.createRange(); r.selectNodeContents(el);\
               var tops = {}; Array.from(r.getClientRects()).forEach(function (q) { if (q.width > 0) tops[Math.round(q.top)] = 1; });\
               if (Object.keys(tops).length > 1) out.push('broken: ' + el.textContent); });\
             return { out: out, n: document.querySelectorAll('.stack-table td.nw').length };",
        );
        assert!(
            home["n"].as_u64().unwrap() > 0,
            "no dates or ids in the home page's hazard list"
        );
        for p in home["out"].as_array().unwrap() {
            all.push(format!("/ phone: {}", p.as_str().unwrap()));
        }
        assert!(all.is_empty(), "layout problems:\n{}", all.join("\n"));
    }
}
