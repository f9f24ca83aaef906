//! Ledgers (台账): the same tables as HTML pages, CSV (UTF-8 with BOM so Excel reads the Chinese),
//! JSON for other systems, and one XLSX workbook with a sheet per table. Personal columns appear only
//! in the internal profile.

use serde::Serialize;

use crate::model::enterprise::Enterprise;
use crate::model::town::{Group, Town};
use crate::model::{Profile, Site};

/// A ledger table: headers and rows of text/number cells; the first column may link to an enterprise.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Enterprise slug the row belongs to (links the first cell).
    pub slug: String,
    /// Anchor on the enterprise page, if the row is about a hazard or risk.
    pub anchor: String,
    pub cells: Vec<Cell>,
    /// CSS class for highlighting (overdue rows).
    pub class: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Num(f64),
}

impl Cell {
    pub fn text(&self) -> String {
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

pub fn enterprise_table(name: &str, ents: &[&Enterprise], profile: Profile) -> Table {
    let mut headers: Vec<String> = [
        "企业名称",
        "统一社会信用代码",
        "村（社区）",
        "包联部门",
        "联络员",
        "高风险类别",
        "规模",
        "类型",
        "行业",
        "从业人员",
        "建设期限",
        "建设状态",
        "建设进度",
        "未整改隐患",
        "逾期隐患",
        "最近联系",
        "本月已联系",
        "漏联系月数",
        "最近评估得分率",
        "评估结论",
        "示范企业",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if profile == Profile::Internal {
        headers.extend(
            ["联络员姓名", "联络员电话", "企业联系人"]
                .iter()
                .map(|s| s.to_string()),
        );
    }
    let rows = ents
        .iter()
        .map(|e| {
            let mut cells = vec![
                t(&e.rec.name.v),
                t(&e.rec.uscc.v),
                t(e.rec.village.as_ref().map(|v| v.v.as_str()).unwrap_or("")),
                t(e.rec
                    .department
                    .as_ref()
                    .map(|v| v.v.as_str())
                    .unwrap_or("")),
                t(&e.liaison_title),
                t(e.rec
                    .high_risk
                    .iter()
                    .map(|h| h.v.as_str())
                    .collect::<Vec<_>>()
                    .join("、")),
                t(&e.rec.size),
                t(&e.rec.kind),
                t(&e.rec.industry),
                n(e.rec.employees.v as f64),
                t(e.deadline.map(|d| d.to_string()).unwrap_or_default()),
                t(if e.passed_late {
                    "已达标（逾期后）"
                } else {
                    e.status
                }),
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
                t(e.latest_score.as_ref().map(|s| s.verdict).unwrap_or("")),
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
                class: e.status_class.to_string(),
            }
        })
        .collect();
    Table {
        name: name.to_string(),
        headers,
        rows,
    }
}

pub fn hazard_table(town: &Town) -> Table {
    let headers = [
        "企业名称",
        "隐患编号",
        "等级",
        "位置",
        "隐患描述",
        "发现日期",
        "整改期限",
        "状态",
        "逾期天数",
        "责任岗位",
    ];
    let rows = town
        .open_hazards
        .iter()
        .map(|h| Row {
            slug: h.slug.clone(),
            anchor: format!("hazard-{}", h.id),
            cells: vec![
                t(&h.enterprise),
                t(&h.id),
                t(&h.grade),
                t(&h.location),
                t(&h.description),
                t(&h.found),
                t(&h.deadline),
                t(&h.state_text),
                n(h.overdue_days as f64),
                t(&h.responsible),
            ],
            class: if h.overdue {
                "row-overdue".into()
            } else {
                String::new()
            },
        })
        .collect();
    Table {
        name: "未整改隐患".into(),
        headers: headers.iter().map(|s| s.to_string()).collect(),
        rows,
    }
}

pub fn risk_table(town: &Town) -> Table {
    let headers = [
        "企业名称",
        "风险编号",
        "岗位/单元",
        "作业活动",
        "危险有害因素",
        "评价",
        "风险等级",
        "管控层级",
    ];
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
                t(r.level),
                t(&r.control_level),
            ],
            class: format!("level-row-{}", r.level_class),
        })
        .collect();
    Table {
        name: "重大和较大风险".into(),
        headers: headers.iter().map(|s| s.to_string()).collect(),
        rows,
    }
}

/// The `<tr>` rows of a ledger table; the first cell links to the enterprise (and anchor).
pub fn rows_html(table: &Table, root: &str) -> String {
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

/// CSV with a UTF-8 BOM and CRLF line ends, quoting as RFC 4180 asks.
pub fn csv(table: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| -> String {
        let quoted: Vec<String> = cells
            .into_iter()
            .map(|c| {
                // A leading = + - @ would be read by Excel as a formula: prefix with a quote.
                let c = if c.starts_with(['=', '+', '-', '@']) && c.parse::<f64>().is_err() {
                    format!("'{c}")
                } else {
                    c
                };
                if c.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c
                }
            })
            .collect();
        quoted.join(",") + "\r\n"
    };
    out.push_str(&line(table.headers.clone()));
    for r in &table.rows {
        out.push_str(&line(r.cells.iter().map(Cell::text).collect()));
    }
    out.into_bytes()
}

/// JSON: an array of objects keyed by the Chinese headers, numbers as numbers. Written straight
/// from the table (keys sorted, as a JSON map sorts them) rather than through one map per row,
/// which made the town's ledgers the slowest part of the build.
pub fn json(table: &Table) -> Vec<u8> {
    serde_json::to_vec_pretty(&JsonDoc(table)).unwrap_or_default()
}

struct JsonDoc<'t>(&'t Table);
struct JsonRows<'t> {
    table: &'t Table,
    /// Each row's keys in output order: `None` for the slug, `Some(i)` for cell `i`.
    keys: Vec<(&'t str, Option<usize>)>,
}
struct JsonRow<'t>(&'t JsonRows<'t>, &'t Row);

impl serde::Serialize for JsonDoc<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // A later header of the same name replaces an earlier one, as in a map.
        let mut keys: std::collections::BTreeMap<&str, Option<usize>> = Default::default();
        keys.insert("slug", None);
        for (i, h) in self.0.headers.iter().enumerate() {
            keys.insert(h, Some(i));
        }
        let rows = JsonRows {
            table: self.0,
            keys: keys.into_iter().collect(),
        };
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("rows", &rows)?;
        m.serialize_entry("table", &self.0.name)?;
        m.end()
    }
}

impl serde::Serialize for JsonRows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.table.rows.iter().map(|r| JsonRow(self, r)))
    }
}

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let row = self.1;
        let mut m = s.serialize_map(None)?;
        for (k, source) in &self.0.keys {
            match source {
                None => m.serialize_entry(k, &row.slug)?,
                Some(i) => match row.cells.get(*i) {
                    Some(Cell::Text(t)) => m.serialize_entry(k, t)?,
                    // NaN and infinities are written as null.
                    Some(Cell::Num(x)) => m.serialize_entry(k, x)?,
                    None => {}
                },
            }
        }
        m.end()
    }
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str, used: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(28)
        .collect();
    let mut s = clean.clone();
    let mut i = 2;
    while used.contains(&s) {
        s = format!("{clean}{i}");
        i += 1;
    }
    used.push(s.clone());
    s
}

/// One workbook, a sheet per table, header row bold and frozen, widths set.
pub fn xlsx(tables: &[&Table], as_of: jiff::civil::Date) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    // A fixed creation date keeps the file byte-identical between builds.
    let date = ExcelDateTime::from_ymd(as_of.year() as u16, as_of.month() as u8, as_of.day() as u8)
        .map_err(|e| e.to_string())?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&date)
            .set_title("双重预防机制台账"),
    );
    let bold = Format::new().set_bold();
    let mut used = Vec::new();
    for table in tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&table.name, &mut used))
            .map_err(|e| e.to_string())?;
        for (c, h) in table.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(|e| e.to_string())?;
            let widest = table
                .rows
                .iter()
                .map(|r| {
                    r.cells
                        .get(c)
                        .map_or(0, |x| crate::diag::display_width(&x.text()))
                })
                .max()
                .unwrap_or(0);
            let w = widest.max(crate::diag::display_width(h)).clamp(6, 60) as f64 + 2.0;
            ws.set_column_width(c as u16, w)
                .map_err(|e| e.to_string())?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            for (c, cell) in row.cells.iter().enumerate() {
                let (rr, cc) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(s) => ws.write_string(rr, cc, s).map(|_| ()),
                    Cell::Num(x) => ws.write_number(rr, cc, *x).map(|_| ()),
                }
                .map_err(|e| e.to_string())?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    }
    wb.save_to_buffer().map_err(|e| e.to_string())
}

/// A ledger page: its key, title, table and the sub-ledgers it links to.
pub struct LedgerPage {
    pub key: String,
    pub title: String,
    pub table: Table,
    pub description: String,
}

/// Every ledger page of the site.
pub fn pages(site: &Site, town: &Town) -> Vec<LedgerPage> {
    let all: Vec<&Enterprise> = site.enterprises.iter().collect();
    let mut out = vec![LedgerPage {
        key: "ledger/".into(),
        title: "企业台账".into(),
        table: enterprise_table("全部企业", &all, site.profile),
        description: format!("全部 {} 家企业", all.len()),
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
            });
        }
    }
    let g = &town.no_category;
    out.push(LedgerPage {
        key: g.key.clone(),
        title: format!("高风险类别台账：{}", g.title),
        table: enterprise_table(&g.title, &of(g), site.profile),
        description: format!("{} 家企业", g.count),
    });
    out.push(LedgerPage {
        key: "ledger/hazards/".into(),
        title: "隐患总台账（未整改）".into(),
        table: hazard_table(town),
        description: "全镇未整改隐患，逾期的排在前面".into(),
    });
    out.push(LedgerPage {
        key: "ledger/risks/".into(),
        title: "重大和较大风险台账".into(),
        table: risk_table(town),
        description: "全镇重大、较大风险".into(),
    });
    out
}

/// The previous way of writing [`json`], kept to check it against.
#[cfg(test)]
fn json_via_maps(table: &Table) -> Vec<u8> {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = table
        .rows
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            m.insert("slug".into(), serde_json::Value::String(r.slug.clone()));
            for (h, c) in table.headers.iter().zip(&r.cells) {
                let v = match c {
                    Cell::Text(s) => serde_json::Value::String(s.clone()),
                    Cell::Num(x) => serde_json::Number::from_f64(*x)
                        .map_or(serde_json::Value::Null, serde_json::Value::Number),
                };
                m.insert(h.clone(), v);
            }
            m
        })
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({ "table": table.name, "rows": rows }))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_as_through_maps() {
        let table = Table {
            name: "台账 \"测试\"".into(),
            headers: ["企业名称", "从业人员", "b", "a", "得分", "b"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: vec![
                Row {
                    slug: "x-1".into(),
                    anchor: String::new(),
                    cells: vec![
                        Cell::Text("甲\n<&>".into()),
                        Cell::Num(12.0),
                        Cell::Text("first b".into()),
                        Cell::Num(0.1),
                        Cell::Num(f64::NAN),
                        Cell::Text("second b".into()),
                    ],
                    class: String::new(),
                },
                Row {
                    slug: "y".into(),
                    anchor: String::new(),
                    cells: vec![Cell::Text("乙".into()), Cell::Num(-3.5)],
                    class: String::new(),
                },
            ],
        };
        assert_eq!(
            String::from_utf8(json(&table)).unwrap(),
            String::from_utf8(json_via_maps(&table)).unwrap()
        );
        let empty = Table {
            name: "空".into(),
            headers: vec!["企业名称".into()],
            rows: Vec::new(),
        };
        assert_eq!(json(&empty), json_via_maps(&empty));
    }
}
