//! Ledgers (台账): the same tables as HTML pages, CSV (UTF-8 with BOM so Excel reads the Chinese),
//! JSON for other systems, and one XLSX workbook with a sheet per table. Personal columns appear only
//! in the internal profile; downloads are named for the town, the table and the as-of date.

use serde::Serialize;

pub(crate) use formats::{csv, json, xlsx};

mod formats;

use crate::model::enterprise::Enterprise;
use crate::model::town::{Group, Town};
use crate::model::{Profile, Site};

/// A ledger table: headers and rows of text/number cells; the first column may link to an enterprise.
#[derive(Debug, Clone, Serialize, Hash)]
pub(crate) struct Table {
    pub(crate) name: String,
    /// Column names as the CSV, JSON and workbook write them.
    pub(crate) headers: Vec<String>,
    /// How each column wraps on the page and how the filter box matches it.
    pub(crate) kinds: Vec<Kind>,
    /// Where each header may wrap: its words, never broken inside (`建设|进度`, not 建/设/进/度).
    pub(crate) words: Vec<Vec<String>>,
    pub(crate) rows: Vec<Row>,
}

/// What a column holds, for the page: how it wraps and how the filter box matches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
pub(crate) enum Kind {
    /// Names and short text: wraps, filtered by substring.
    Text,
    /// Long free text (a hazard's description): wraps in a wider column, filtered by substring.
    Long,
    /// Ids, credit codes, dates, formulas, `5/6`: never broken, filtered by substring.
    Code,
    /// Yes/no and status values: never broken, filtered by the whole value (否 is not 不合格（否决）).
    Exact,
    /// Counts and scores: never broken, filtered by the whole value.
    Num,
}

impl Kind {
    fn nowrap(self) -> bool {
        matches!(self, Kind::Code | Kind::Exact | Kind::Num)
    }
    fn exact(self) -> bool {
        matches!(self, Kind::Exact | Kind::Num)
    }
}

/// Column specs as `("建设|进度", Kind)`: `|` marks where the header may wrap.
pub(crate) type Spec = (&'static str, Kind);

impl Table {
    pub(crate) fn new(name: impl Into<String>, spec: &[Spec], rows: Vec<Row>) -> Table {
        Table {
            name: name.into(),
            headers: spec.iter().map(|(h, _)| h.replace('|', "")).collect(),
            kinds: spec.iter().map(|(_, k)| *k).collect(),
            words: spec
                .iter()
                .map(|(h, _)| h.split('|').map(str::to_string).collect())
                .collect(),
            rows,
        }
    }
}

#[derive(Debug, Clone, Serialize, Hash)]
pub(crate) struct Row {
    /// Enterprise slug the row belongs to (links the first cell).
    pub(crate) slug: String,
    /// Anchor on the enterprise page, if the row is about a hazard or risk.
    pub(crate) anchor: String,
    pub(crate) cells: Vec<Cell>,
    /// CSS class for highlighting (overdue rows).
    pub(crate) class: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum Cell {
    Text(String),
    Num(f64),
}

/// By the number's bits: a workbook made from the same cells is the same workbook.
impl std::hash::Hash for Cell {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        match self {
            Cell::Text(s) => (0u8, s).hash(h),
            Cell::Num(n) => (1u8, n.to_bits()).hash(h),
        }
    }
}

impl Cell {
    pub(crate) fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(n) => crate::model::risk::fmt_score(*n),
        }
    }
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}
fn n(x: impl Into<f64>) -> Cell {
    Cell::Num(x.into())
}

const ENTERPRISE_COLUMNS: &[Spec] = &[
    ("企业|名称", Kind::Text),
    ("统一社会|信用代码", Kind::Code),
    ("村（社区）", Kind::Text),
    ("包联|部门", Kind::Text),
    ("联络员", Kind::Text),
    ("高风险|类别", Kind::Text),
    ("规模", Kind::Exact),
    ("类型", Kind::Exact),
    ("行业", Kind::Text),
    ("从业|人员", Kind::Num),
    ("建设|期限", Kind::Code),
    ("建设|状态", Kind::Exact),
    ("建设|进度", Kind::Code),
    ("未销号|隐患", Kind::Num),
    ("逾期|隐患", Kind::Num),
    ("最近|联系", Kind::Code),
    ("本月|已联系", Kind::Exact),
    ("漏联系|月数", Kind::Num),
    ("最近评估|得分率", Kind::Num),
    ("评估|结论", Kind::Exact),
    ("示范|企业", Kind::Exact),
];

/// The personal columns of the internal profile (the public one publishes no personal data).
const PERSONAL_COLUMNS: &[Spec] = &[
    ("联络员|姓名", Kind::Code),
    ("联络员|电话", Kind::Code),
    ("企业|联系人", Kind::Text),
];

pub(crate) fn enterprise_table(name: &str, ents: &[&Enterprise], profile: Profile) -> Table {
    let mut spec = ENTERPRISE_COLUMNS.to_vec();
    if profile == Profile::Internal {
        spec.extend_from_slice(PERSONAL_COLUMNS);
    }
    let rows = ents
        .iter()
        .map(|e| {
            let mut cells = vec![
                t(&e.rec.name.v),
                t(&e.rec.uscc.v),
                t(village(e)),
                t(e.rec
                    .department
                    .as_ref()
                    .map(|v| v.v.as_str())
                    .unwrap_or("")),
                t(&e.liaison_title),
                t(e.categories.join("、")),
                t(e.rec.size.name()),
                t(e.rec.kind.name()),
                t(e.rec.industry.name()),
                n(e.rec.employees.v as f64),
                t(e.deadline.map(|d| d.to_string()).unwrap_or_default()),
                t(e.status.name()),
                t(format!("{}/{}", e.milestones_done, e.milestones_total)),
                n(e.open_hazards as f64),
                n(e.overdue_hazards as f64),
                t(e.last_contact.map(|d| d.to_string()).unwrap_or_default()),
                t(if e.this_month_missing { "否" } else { "是" }),
                n(e.missed_months.len() as f64),
                match &e.latest_score {
                    Some(s) => n(s.tenths as f64 / 10.0),
                    None => t(""),
                },
                t(e.latest_score.as_ref().map_or("", |s| s.verdict.name())),
                t(if e.rec.demonstration { "是" } else { "" }),
            ];
            if profile == Profile::Internal {
                cells.push(t(&e.liaison_name));
                cells.push(t(&e.liaison_phone));
                cells.push(t(e
                    .rec
                    .private
                    .iter()
                    .map(|p| format!("{} {} {}", p.role, p.name, p.phone))
                    .collect::<Vec<_>>()
                    .join("；")));
            }
            Row {
                slug: e.rec.slug.clone(),
                anchor: String::new(),
                cells,
                class: crate::css::status(e.status).to_string(),
            }
        })
        .collect();
    Table::new(name, &spec, rows)
}

fn village(e: &Enterprise) -> &str {
    e.rec.village.as_ref().map(|v| v.v.as_str()).unwrap_or("")
}

const HAZARD_COLUMNS: &[Spec] = &[
    ("企业|名称", Kind::Text),
    ("村（社区）", Kind::Text),
    ("联络员", Kind::Text),
    ("隐患|编号", Kind::Code),
    ("等级", Kind::Exact),
    ("位置", Kind::Text),
    ("隐患|描述", Kind::Long),
    ("发现|日期", Kind::Code),
    ("整改|期限", Kind::Code),
    ("状态", Kind::Exact),
    ("逾期|天数", Kind::Num),
    ("责任|岗位", Kind::Text),
];

/// The open hazards, with the enterprise's village and liaison as the enterprise ledger shows them
/// (the liaison's public title; the internal profile adds name and phone, as there).
pub(crate) fn hazard_table(site: &Site, town: &Town) -> Table {
    let by_slug: std::collections::HashMap<&str, &Enterprise> = site
        .enterprises
        .iter()
        .map(|e| (e.rec.slug.as_str(), e))
        .collect();
    let internal = site.profile == Profile::Internal;
    let mut spec = HAZARD_COLUMNS.to_vec();
    if internal {
        spec.extend_from_slice(&PERSONAL_COLUMNS[..2]);
    }
    let rows = town
        .open_hazards
        .iter()
        .map(|h| {
            let e = by_slug.get(h.slug.as_str());
            let mut cells = vec![
                t(&h.enterprise),
                t(e.map_or("", |e| village(e))),
                t(e.map_or("", |e| e.liaison_title.as_str())),
                t(&h.id),
                t(h.grade.name()),
                t(&h.location),
                t(&h.description),
                t(&h.found),
                t(&h.deadline),
                t(super::views::hazard_state_text(h.state, h.overdue_days)),
                n(h.overdue_days as f64),
                t(&h.responsible),
            ];
            if internal {
                cells.push(t(e.map_or("", |e| e.liaison_name.as_str())));
                cells.push(t(e.map_or("", |e| e.liaison_phone.as_str())));
            }
            Row {
                slug: h.slug.clone(),
                anchor: format!("hazard-{}", h.id),
                cells,
                class: if h.overdue {
                    "row-overdue".into()
                } else {
                    String::new()
                },
            }
        })
        .collect();
    Table::new("未销号隐患", &spec, rows)
}

const RISK_COLUMNS: &[Spec] = &[
    ("企业|名称", Kind::Text),
    ("风险|编号", Kind::Code),
    ("岗位/|单元", Kind::Text),
    ("作业|活动", Kind::Text),
    ("危险有害|因素", Kind::Long),
    ("评价", Kind::Code),
    ("风险|等级", Kind::Exact),
    ("管控|层级", Kind::Exact),
];

pub(crate) fn risk_table(town: &Town) -> Table {
    let rows = town
        .risks
        .iter()
        .map(|r| Row {
            slug: r.slug.clone(),
            anchor: "risks".into(),
            cells: vec![
                t(&r.enterprise),
                t(&r.id),
                t(&r.group),
                t(&r.activity),
                t(&r.hazard),
                t(&r.formula),
                t(r.level.name()),
                t(crate::domain::opt_name(r.control_level)),
            ],
            class: format!("level-row-{}", crate::css::level(r.level)),
        })
        .collect();
    Table::new("重大和较大风险", RISK_COLUMNS, rows)
}

/// The `<tr>` rows of a ledger table; the first cell links to the enterprise (and anchor).
pub(crate) fn rows_html(table: &Table, root: &str) -> String {
    use crate::text::escape;
    let mut out = String::with_capacity(table.rows.len() * 400);
    for r in &table.rows {
        out.push_str("<tr class=\"");
        out.push_str(&escape(&r.class));
        out.push_str("\">");
        for (i, c) in r.cells.iter().enumerate() {
            let text = escape(&c.text());
            if i == 0 {
                let anchor = if r.anchor.is_empty() {
                    String::new()
                } else {
                    format!("#{}", escape(&r.anchor))
                };
                out.push_str(&format!(
                    "<td><a href=\"{root}enterprises/{}/{anchor}\">{text}</a></td>",
                    escape(&r.slug)
                ));
            } else {
                out.push_str("<td>");
                out.push_str(&text);
                out.push_str("</td>");
            }
        }
        out.push_str("</tr>\n");
    }
    out
}

/// A ledger page: its key, title, table and the sub-ledgers it links to.
pub(crate) struct LedgerPage {
    pub(crate) key: String,
    pub(crate) title: String,
    pub(crate) table: Table,
    pub(crate) description: String,
    /// What its downloads are called when saved (`连山镇-企业台账-2025-06-30`), without extension.
    pub(crate) download: String,
}

/// The name a download is saved under: town, what it is, as-of date. The files keep their plain
/// URLs (`ledger.csv`); the links' `download` attribute gives the name, so that ten saved
/// ledgers are not ten `ledger.csv` files. Characters file systems refuse become `_`.
fn download_name(site: &Site, what: &[&str]) -> String {
    let town = if site.config.town.is_empty() {
        &site.config.title
    } else {
        &site.config.town
    };
    let mut parts: Vec<&str> = vec![town];
    parts.extend_from_slice(what);
    let as_of = site.as_of.to_string();
    parts.push(&as_of);
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_control() || "/\\:*?\"<>|".contains(c) {
                        '_'
                    } else {
                        c
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The workbook's saved name (all the ledgers' sheets in one file).
pub(crate) fn workbook_name(site: &Site) -> String {
    download_name(site, &["全部台账"]) + ".xlsx"
}

/// A header cell's content: its words, each kept on one line.
fn header_html(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("<span class=\"w\">{}</span>", crate::text::escape(w)))
        .collect()
}

/// What the ledger template needs beyond the base context: the header cells (with the column's
/// filter match in `data-match`), classes telling the style sheet which columns never wrap
/// (`nw-3`) and which hold long text (`lg-7`), and the downloads' names.
pub(crate) fn insert_context(ctx: &mut tera::Context, site: &Site, lp: &LedgerPage) {
    use std::fmt::Write;
    let t = &lp.table;
    let (mut heads, mut classes) = (String::new(), String::from("data-table sortable ledger"));
    for (i, (words, kind)) in t.words.iter().zip(&t.kinds).enumerate() {
        let m = if kind.exact() { "exact" } else { "part" };
        let _ = write!(
            heads,
            "<th scope=\"col\" data-match=\"{m}\">{}</th>",
            header_html(words)
        );
        if kind.nowrap() {
            let _ = write!(classes, " nw-{}", i + 1);
        }
        if *kind == Kind::Long {
            let _ = write!(classes, " lg-{}", i + 1);
        }
    }
    ctx.insert("headers", &t.headers);
    ctx.insert("header_cells", &heads);
    ctx.insert("table_class", &classes);
    ctx.insert("column_count", &t.headers.len());
    ctx.insert("download", &lp.download);
    ctx.insert("workbook_download", &workbook_name(site));
}

/// Every ledger page of the site.
pub(crate) fn pages(site: &Site, town: &Town) -> Vec<LedgerPage> {
    let all: Vec<&Enterprise> = site.enterprises.iter().collect();
    let mut out = vec![LedgerPage {
        key: "ledger/".into(),
        title: "企业台账".into(),
        table: enterprise_table("全部企业", &all, site.profile),
        description: format!("全部 {} 家企业", all.len()),
        download: download_name(site, &["企业台账"]),
    }];
    // A set per group: a linear search of the group's slugs for every enterprise made the
    // ledgers grow with the square of the town.
    let of = |g: &Group| -> Vec<&Enterprise> {
        let slugs: std::collections::HashSet<&str> = g.slugs.iter().map(String::as_str).collect();
        all.iter()
            .copied()
            .filter(|e| slugs.contains(e.rec.slug.as_str()))
            .collect()
    };
    let dims: [(&Vec<Group>, &str); 7] = [
        (&town.by_village, "村（社区）"),
        (&town.by_department, "包联部门"),
        (&town.by_category, "高风险类别"),
        (&town.by_liaison, "联络员"),
        (&town.by_size, "规模"),
        (&town.by_kind, "类型"),
        (&town.by_status, "建设状态"),
    ];
    for (groups, what) in dims {
        for g in groups {
            out.push(LedgerPage {
                key: g.key.clone(),
                title: format!("{what}台账：{}", g.title),
                table: enterprise_table(&g.title, &of(g), site.profile),
                description: format!("{what}“{}”的 {} 家企业", g.title, g.count),
                download: download_name(site, &["企业台账", what, &g.title]),
            });
        }
    }
    let g = &town.no_category;
    out.push(LedgerPage {
        key: g.key.clone(),
        title: format!("高风险类别台账：{}", g.title),
        table: enterprise_table(&g.title, &of(g), site.profile),
        description: format!("{} 家企业", g.count),
        download: download_name(site, &["企业台账", "高风险类别", &g.title]),
    });
    out.push(LedgerPage {
        key: "ledger/hazards/".into(),
        title: "隐患总台账（未销号）".into(),
        table: hazard_table(site, town),
        description: "全镇未销号的隐患（整改中、逾期、待验收），逾期的排在前面".into(),
        download: download_name(site, &["隐患总台账（未销号）"]),
    });
    out.push(LedgerPage {
        key: "ledger/risks/".into(),
        title: "重大和较大风险台账".into(),
        table: risk_table(town),
        description: "全镇重大、较大风险".into(),
        download: download_name(site, &["重大和较大风险台账"]),
    });
    // Two groups of one dimension may share a title (two liaisons both titled 联络员): a number
    // keeps every saved name distinct.
    let mut seen = std::collections::HashSet::new();
    for lp in &mut out {
        let base = lp.download.clone();
        let mut i = 2;
        while !seen.insert(lp.download.clone()) {
            lp.download = format!("{base}-{i}");
            i += 1;
        }
    }
    out
}
