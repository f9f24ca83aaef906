//! Reads a workbook people filled in (xlsx, xls or ods, saved by Excel or WPS) into rows per known
//! sheet: headers matched by name in any order, empty rows skipped, extra columns and sheets warned
//! about and ignored, merged cells refused.

use std::path::Path;

use calamine::{Data, Reader, SheetVisible, Sheets, open_workbook_auto};

use super::book::cell_name;
use super::schema::{self, Kind, LISTS, RECORD, Sheet};
use super::value::{Val, from_cell};
use crate::diag::{Diagnostic, Severity, suggest};

/// A cell's place: sheet, row and column from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    pub sheet: &'static str,
    pub row: u32,
    pub col: u16,
}

impl Place {
    /// `企业!J2`
    pub(crate) fn name(&self) -> String {
        format!("{}!{}", self.sheet, cell_name(self.row, self.col))
    }
}

/// One filled-in row: where it is, its record and its cells by schema column.
#[derive(Debug)]
pub(crate) struct Row {
    pub slug: String,
    pub record_cell: Place,
    /// (schema column, value read for its kind, place)
    pub cells: Vec<(usize, Val, Place)>,
}

impl Row {
    pub(crate) fn get(&self, col: usize) -> Option<(&Val, &Place)> {
        self.cells
            .iter()
            .find(|(c, ..)| *c == col)
            .map(|(_, v, p)| (v, p))
    }
}

pub(crate) struct Grid {
    pub sheet: &'static Sheet,
    pub rows: Vec<Row>,
}

/// A problem at a cell (or a range of cells).
pub(crate) fn at(severity: Severity, place: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::file(severity, place, message)
}

fn text_of(d: &Data) -> String {
    match d {
        Data::String(s) => super::value::half_width(s).trim().to_string(),
        Data::Empty => String::new(),
        other => other.to_string().trim().to_string(),
    }
}

fn merged_cells(
    wb: &mut Sheets<std::io::BufReader<std::fs::File>>,
    name: &str,
) -> Vec<calamine::Dimensions> {
    match wb {
        Sheets::Xlsx(x) => x
            .worksheet_merge_cells(name)
            .and_then(Result::ok)
            .unwrap_or_default(),
        Sheets::Xls(x) => x.worksheet_merge_cells(name).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Reads every known sheet of the workbook at `path`.
pub(crate) fn read(path: &Path, diags: &mut Vec<Diagnostic>) -> Option<Vec<Grid>> {
    let shown = path.display().to_string();
    let mut wb = match open_workbook_auto(path) {
        Ok(wb) => wb,
        Err(e) => {
            diags.push(
                Diagnostic::file(Severity::Error, &shown, format!("无法读取工作簿：{e}"))
                    .with_hint("支持 Excel 或 WPS 保存的 .xlsx、.xls 和 .ods 文件"),
            );
            return None;
        }
    };
    let metas = wb.sheets_metadata().to_vec();
    let mut grids = Vec::new();
    for meta in metas {
        let name = meta.name.trim();
        let Some(sheet) = schema::sheet_named(name) else {
            if name != LISTS && name != "说明" {
                diags.push(at(
                    Severity::Warning,
                    &format!("{shown}（工作表“{name}”）"),
                    format!("工作表“{name}”不是档案表，已忽略"),
                ));
            }
            continue;
        };
        if meta.visible != SheetVisible::Visible {
            diags.push(at(
                Severity::Warning,
                &format!("{}!A1", sheet.name),
                format!("工作表“{}”是隐藏的，仍按档案表导入", sheet.name),
            ));
        }
        let merged = merged_cells(&mut wb, &meta.name);
        for m in &merged {
            let range = format!(
                "{}!{}:{}",
                sheet.name,
                cell_name(m.start.0, m.start.1 as u16),
                cell_name(m.end.0, m.end.1 as u16)
            );
            diags.push(
                at(Severity::Error, &range, "合并的单元格无法导入")
                    .with_hint("请取消合并，并在每个单元格里填写各自的内容"),
            );
        }
        let range = match wb.worksheet_range(&meta.name) {
            Ok(r) => r,
            Err(e) => {
                diags.push(at(
                    Severity::Error,
                    sheet.name,
                    format!("无法读取工作表：{e}"),
                ));
                continue;
            }
        };
        if let Some(g) = read_sheet(sheet, &range, diags) {
            grids.push(g);
        }
    }
    Some(grids)
}

fn read_sheet(
    sheet: &'static Sheet,
    range: &calamine::Range<Data>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Grid> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let place = |row: usize, col: usize| Place {
        sheet: sheet.name,
        row: r0 + row as u32,
        col: (c0 as usize + col) as u16,
    };
    let mut rows = range.rows().enumerate();
    let (hrow, header) = rows.find(|(_, r)| r.iter().any(|d| !text_of(d).is_empty()))?;
    // column in the range → schema column (None for 档案)
    let mut map: Vec<(usize, Option<usize>)> = Vec::new();
    let mut record_col = None;
    let known: Vec<&str> = sheet.columns.iter().map(|c| c.header).collect();
    for (i, d) in header.iter().enumerate() {
        let h = text_of(d);
        if h.is_empty() {
            continue;
        }
        let p = place(hrow, i).name();
        if h == RECORD {
            if record_col.is_some() {
                diags.push(at(Severity::Error, &p, format!("“{RECORD}”列出现了两次")));
            }
            record_col = Some(i);
            continue;
        }
        match sheet.column(&h) {
            Some(c) if map.iter().any(|(_, x)| *x == Some(c)) => {
                diags.push(at(Severity::Error, &p, format!("“{h}”列出现了两次")));
            }
            Some(c) if sheet.columns[c].kind == Kind::Computed => {}
            Some(c) => map.push((i, Some(c))),
            None => {
                let mut d = at(Severity::Warning, &p, format!("未知的列“{h}”，已忽略"));
                if let Some(s) = suggest(&h, known.iter().copied()) {
                    d = d.with_hint(format!("是否应为“{s}”？"));
                }
                diags.push(d);
            }
        }
    }
    let Some(record_col) = record_col else {
        diags.push(
            at(
                Severity::Error,
                &place(hrow, 0).name(),
                format!("缺少“{RECORD}”列"),
            )
            .with_hint(format!(
                "每张表的第一列是“{RECORD}”：企业档案的文件名（不含 .toml）"
            )),
        );
        return None;
    };
    let mut out = Vec::new();
    for (ri, r) in rows {
        let cells: Vec<(usize, Val, Place)> = map
            .iter()
            .filter_map(|(i, c)| {
                let c = (*c)?;
                let d = r.get(*i).unwrap_or(&Data::Empty);
                Some((c, from_cell(d, sheet.columns[c].kind), place(ri, *i)))
            })
            .collect();
        let slug_text = text_of(r.get(record_col).unwrap_or(&Data::Empty));
        let record_cell = place(ri, record_col);
        if slug_text.is_empty() {
            if cells.iter().any(|(_, v, _)| *v != Val::Empty) {
                diags.push(
                    at(
                        Severity::Error,
                        &record_cell.name(),
                        format!("这一行缺少“{RECORD}”"),
                    )
                    .with_hint("填写企业档案的文件名（不含 .toml），例如 lianshan-casting"),
                );
            }
            continue;
        }
        let slug = slug_text.trim_end_matches(".toml").to_string();
        if !crate::load::valid_slug(&slug) {
            diags.push(
                at(
                    Severity::Error,
                    &record_cell.name(),
                    format!("“{slug}”不能用作档案名和网址"),
                )
                .with_hint("只用小写英文字母、数字和连字符，例如 lianshan-casting"),
            );
            continue;
        }
        out.push(Row {
            slug,
            record_cell,
            cells,
        });
    }
    Some(Grid { sheet, rows: out })
}
