//! `records export` and `records template`: record files into workbook rows, one row per record,
//! item, milestone, person or score, each value read by its column's kind.

use std::path::Path;

use toml_edit::{Item, TableLike};

use super::book::{self, SheetRows};
use super::doc;
use super::files::{self, RecordFile};
use super::schema::{self, Kind, ROLES, SHEETS, Shape, Sheet};
use super::site::{self, SiteLists};
use super::value::{Val, from_toml};
use crate::diag::Diagnostic;

fn values(t: &dyn TableLike, sheet: &Sheet) -> Vec<Val> {
    sheet
        .columns
        .iter()
        .map(|c| match c.kind {
            Kind::Computed => Val::Empty,
            k => doc::get(t, c.key).map_or(Val::Empty, |v| from_toml(v, k)),
        })
        .collect()
}

fn item_value(item: &Item, kind: Kind) -> Val {
    item.as_value().map_or(Val::Empty, |v| from_toml(v, kind))
}

pub(crate) fn role_name(key: &str) -> String {
    ROLES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key.to_string(), |(_, n)| n.to_string())
}

/// The rows `rec` gives on `sheet`.
pub(crate) fn rows_of(rec: &RecordFile, sheet: &Sheet, lists: &SiteLists) -> Vec<Vec<Val>> {
    let root = rec.doc.as_table() as &dyn TableLike;
    let cols = sheet.columns;
    match sheet.shape {
        Shape::Root => vec![values(root, sheet)],
        Shape::Items(key) => doc::items(&rec.doc, key)
            .into_iter()
            .map(|t| values(t, sheet))
            .collect(),
        Shape::Milestones => doc::entries(root, "milestones")
            .into_iter()
            .map(|(k, v)| {
                vec![
                    Val::Text(lists.milestone_name(k)),
                    item_value(v, cols[1].kind),
                ]
            })
            .collect(),
        Shape::Private => doc::entries(root, "private")
            .into_iter()
            .map(|(role, person)| {
                let mut row = vec![Val::Text(role_name(role))];
                let t = person.as_table_like();
                row.extend(cols[1..].iter().map(|c| {
                    t.and_then(|t| doc::get(t, c.key))
                        .map_or(Val::Empty, |v| from_toml(v, c.kind))
                }));
                row
            })
            .collect(),
        Shape::Scores => doc::items(&rec.doc, "evaluations")
            .into_iter()
            .flat_map(|ev| {
                let date = doc::get(ev, "date").map_or(Val::Empty, |v| from_toml(v, Kind::Date));
                doc::entries(ev, "scores")
                    .into_iter()
                    .map(move |(k, v)| {
                        vec![
                            date.clone(),
                            Val::Text(k.to_string()),
                            item_value(v, cols[2].kind),
                        ]
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
    }
}

fn guide(what: &str) -> Vec<String> {
    let mut g = vec![
        what.to_string(),
        String::new(),
        "· 每张表的第一列“档案”是企业档案的文件名（data/enterprises/ 下，不含 .toml），同一企业的各行填同一个档案名。".into(),
        "· 表头单元格的批注说明该列填什么；带下拉箭头的列请从下拉列表中选择。".into(),
        "· 日期可写成 2024-08-30、2024/8/30 或 2024年8月30日；多项内容（事故类型、高风险类别）用顿号分隔，措施每条一行（Alt+Enter 换行）。".into(),
        "· “分值”“计算等级”两列由公式自动计算，导入时不读取。".into(),
        "· 不要合并单元格；可以增加行、调整表的顺序；多余的列导入时会提示并忽略。".into(),
        "· 填好后由镇安办运行 dualprev records import 工作簿.xlsx 导入，导入前会按与手工填写档案相同的规则检查，有错误时不写入任何文件。".into(),
    ];
    g.push(String::new());
    for s in SHEETS {
        let fields: Vec<&str> = s.columns.iter().map(|c| c.header).collect();
        g.push(format!("{}：{}", s.name, fields.join("、")));
    }
    g
}

/// Each record's rows on `sheet`, after its slug.
fn slug_rows(recs: &[RecordFile], sheet: &Sheet, lists: &SiteLists) -> Vec<(String, Vec<Val>)> {
    recs.iter()
        .flat_map(|r| {
            rows_of(r, sheet, lists)
                .into_iter()
                .map(|v| (r.slug.clone(), v))
        })
        .collect()
}

/// Writes the workbook; returns the number of rows.
fn write(
    out: &Path,
    title: &str,
    sheets: &[SheetRows],
    lists: &SiteLists,
) -> Result<usize, Vec<Diagnostic>> {
    book::write(out, title, &guide(title), sheets, lists).map_err(|e| {
        vec![Diagnostic::file(
            crate::diag::Severity::Error,
            &out.display().to_string(),
            crate::diag::failure_text(&e),
        )]
    })?;
    Ok(sheets.iter().map(|s| s.rows.len()).sum())
}

/// `records export`: every record under `root` into `out`. The `人员` sheet (personal data) only
/// when `personal`. Returns the number of records and rows written.
pub fn export(root: &Path, out: &Path, personal: bool) -> Result<(usize, usize), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let lists = site::read(root, &mut diags);
    let mut sheets: Vec<SheetRows> = SHEETS
        .iter()
        .filter(|s| personal || !s.personal)
        .map(|s| SheetRows {
            sheet: s,
            rows: Vec::new(),
        })
        .collect();
    // One record at a time: its rows are kept, its parsed document is not (a document weighs
    // many times its file, and a town may have thousands).
    let slugs = files::slugs(root);
    for slug in &slugs {
        if let Some(rec) = files::read_one(root, slug, &mut diags) {
            for s in &mut sheets {
                s.rows
                    .extend(slug_rows(std::slice::from_ref(&rec), s.sheet, &lists));
            }
        }
    }
    if diags.iter().any(|d| d.is_error()) {
        return Err(diags);
    }
    let title = if personal {
        "企业档案（内部版本，含个人信息）"
    } else {
        "企业档案"
    };
    let rows = write(out, title, &sheets, &lists)?;
    Ok((slugs.len(), rows))
}

/// `records template`: the sheets an enterprise fills in ([`schema::TEMPLATE_SHEETS`]), blank or
/// holding the record `enterprise`.
pub fn template(
    root: &Path,
    out: &Path,
    enterprise: Option<&str>,
) -> Result<usize, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let lists = site::read(root, &mut diags);
    let rec = match enterprise {
        Some(slug) => {
            let r = files::read_one(root, slug, &mut diags);
            if r.is_none() && !diags.iter().any(|d| d.is_error()) {
                diags.push(Diagnostic::file(
                    crate::diag::Severity::Error,
                    &files::rel_of(slug),
                    format!("没有档案“{slug}”"),
                ));
            }
            r
        }
        None => None,
    };
    if diags.iter().any(|d| d.is_error()) {
        return Err(diags);
    }
    let sheets: Vec<SheetRows> = schema::TEMPLATE_SHEETS
        .iter()
        .filter_map(|n| schema::sheet_named(n))
        .map(|s| SheetRows {
            sheet: s,
            rows: slug_rows(rec.as_slice(), s, &lists),
        })
        .collect();
    write(out, "企业双重预防机制信息填报表", &sheets, &lists)
}
