//! Writes a record workbook (`records export` and `records template`): one sheet per
//! [`schema::SHEETS`] entry, headers with notes, drop-downs from the domain tables and `site.toml`,
//! credit codes and ids as text, dates as dates, the risk score and level worked out by formulas.

use anyhow::Context;
use rust_xlsxwriter::{
    DataValidation, ExcelDateTime, Format, FormatAlign, Formula, Note, Workbook, Worksheet,
};
use unicode_width::UnicodeWidthStr;

use super::schema::{self, Choices, Kind, LISTS, RECORD, RECORD_NOTE, Sheet};
use super::site::SiteLists;
use super::value::{Val, display};

/// The rows of one sheet: each the record's slug and one value per column.
pub(crate) struct SheetRows {
    pub sheet: &'static Sheet,
    pub rows: Vec<(String, Vec<Val>)>,
}

/// Blank rows below the data that still carry the risk formulas, for rows people add.
const FORMULA_ROWS: u32 = 200;
/// How far down the drop-downs reach.
const LAST_ROW: u32 = 20_000;

fn col_name(mut n: u16) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The cell address people see, e.g. `J2` for row 1, column 9 (both from 0).
pub(crate) fn cell_name(row: u32, col: u16) -> String {
    format!("{}{}", col_name(col), row + 1)
}

struct Formats {
    header: Format,
    text: Format,
    code: Format,
    date: Format,
    number: Format,
    lines: Format,
}

fn formats() -> Formats {
    let base = Format::new().set_align(FormatAlign::Top);
    Formats {
        header: Format::new()
            .set_bold()
            .set_background_color("#E8EEF7")
            .set_text_wrap()
            .set_align(FormatAlign::Top),
        text: base.clone(),
        code: base.clone().set_num_format("@"),
        date: base.clone().set_num_format("yyyy-mm-dd"),
        number: base.clone().set_num_format("General"),
        lines: base.set_text_wrap(),
    }
}

fn format_for(f: &Formats, kind: Kind) -> &Format {
    match kind {
        Kind::Code => &f.code,
        Kind::Date => &f.date,
        Kind::Count | Kind::Number | Kind::Factor(_) | Kind::Computed => &f.number,
        Kind::Lines => &f.lines,
        _ => &f.text,
    }
}

/// The hidden sheet's lists, each a column; the drop-downs refer to them (a list typed into the
/// rule itself is limited to 255 characters).
struct ListColumns {
    names: Vec<(Choices, u16, usize)>,
}

fn choice_values(lists: &SiteLists, ch: Choices) -> Vec<String> {
    match ch {
        Choices::Fixed(names) => names.iter().map(|s| s.to_string()).collect(),
        Choices::Villages => lists.villages.clone(),
        Choices::Departments => lists.departments.clone(),
        Choices::Liaisons => lists.liaisons.clone(),
        Choices::Standards => lists.standards.clone(),
        Choices::Milestones => lists.milestones.iter().map(|(_, n)| n.clone()).collect(),
        Choices::Accidents => lists.accidents.clone(),
        Choices::Bool => vec!["是".into(), "否".into()],
        Choices::FactorL => {
            let mut v: Vec<f64> = lists.factors[0]
                .iter()
                .chain(&lists.factors[3])
                .copied()
                .collect();
            v.sort_by(|a, b| b.total_cmp(a));
            v.dedup();
            v.iter()
                .map(|x| display(&Val::Num(*x), Kind::Number))
                .collect()
        }
        Choices::FactorE => factor_texts(&lists.factors[1]),
        Choices::FactorC => factor_texts(&lists.factors[2]),
        Choices::FactorS => factor_texts(&lists.factors[4]),
    }
}

fn factor_texts(v: &[f64]) -> Vec<String> {
    v.iter()
        .map(|x| display(&Val::Num(*x), Kind::Number))
        .collect()
}

fn write_lists(ws: &mut Worksheet, lists: &SiteLists, cols: &ListColumns) -> anyhow::Result<()> {
    ws.set_name(LISTS)?;
    ws.set_hidden(true);
    for (ch, col, _) in &cols.names {
        for (i, v) in choice_values(lists, *ch).iter().enumerate() {
            // Factors as numbers, so a typed 3 matches the list's 3.
            match (ch, v.parse::<f64>()) {
                (
                    Choices::FactorL | Choices::FactorE | Choices::FactorC | Choices::FactorS,
                    Ok(x),
                ) => ws.write_number(i as u32, *col, x)?,
                _ => ws.write_string(i as u32, *col, v)?,
            };
        }
    }
    Ok(())
}

fn width_of(s: &str) -> usize {
    s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// The risk sheet's score and level formulas for Excel row `n` (1-based), with the value they
/// give for the row as written (so a reader that does not recalculate still sees it).
fn risk_formulas(
    sheet: &Sheet,
    lists: &SiteLists,
    n: u32,
    row: Option<&[Val]>,
) -> (Formula, Formula) {
    let at = |key: &str| {
        let i = sheet.columns.iter().position(|c| c.key == key).unwrap_or(0);
        format!("{}{n}", col_name(i as u16 + 1))
    };
    let score_col = sheet
        .columns
        .iter()
        .position(|c| c.header == "分值")
        .unwrap_or(0);
    let d = format!("{}{n}", col_name(score_col as u16 + 1));
    let (m, l, e, c, s, lv) = (
        at("method"),
        at("l"),
        at("e"),
        at("c"),
        at("s"),
        at("level"),
    );
    let score = format!(
        "=IF({m}=\"LEC\",IF(COUNT({l},{e},{c})=3,{l}*{e}*{c},\"\"),IF({m}=\"LS\",IF(COUNT({l},{s})=2,{l}*{s},\"\"),\"\"))"
    );
    let band = |b: &Option<crate::load::site_config::Bands>| match b {
        Some(b) => format!(
            "IF({d}>={},\"重大\",IF({d}>={},\"较大\",IF({d}>={},\"一般\",\"低\")))",
            b.major, b.considerable, b.general
        ),
        None => "\"\"".to_string(),
    };
    let level = format!(
        "=IF({m}=\"直接判定\",{lv},IF({d}=\"\",\"\",IF({m}=\"LEC\",{},{})))",
        band(&lists.lec),
        band(&lists.ls)
    );
    let (score_v, level_v) = row.map(|r| lists.grade(sheet, r)).unwrap_or_default();
    (
        Formula::new(score).set_result(score_v),
        Formula::new(level).set_result(level_v),
    )
}

fn write_sheet(
    ws: &mut Worksheet,
    rows: &SheetRows,
    lists: &SiteLists,
    list_cols: &ListColumns,
    f: &Formats,
    blank_rows: u32,
) -> anyhow::Result<()> {
    let sheet = rows.sheet;
    ws.set_name(sheet.name)?;
    let mut widths: Vec<usize> = std::iter::once(RECORD)
        .chain(sheet.columns.iter().map(|c| c.header))
        .map(|h| width_of(h) + 4)
        .collect();
    ws.write_string_with_format(0, 0, RECORD, &f.header)?;
    ws.insert_note(0, 0, &Note::new(RECORD_NOTE).add_author_prefix(false))?;
    ws.set_column_format(0, &f.code)?;
    for (i, c) in sheet.columns.iter().enumerate() {
        let col = i as u16 + 1;
        ws.write_string_with_format(0, col, c.header, &f.header)?;
        // A factor's note lists the site's own scale, not numbers typed here.
        let note = match c.kind {
            Kind::Factor(ch) => {
                format!("{}，可选值：{}", c.note, choice_values(lists, ch).join(" "))
            }
            _ => c.note.to_string(),
        };
        ws.insert_note(0, col, &Note::new(note).add_author_prefix(false))?;
        ws.set_column_format(col, format_for(f, c.kind))?;
    }
    let is_risks = sheet.shape == schema::Shape::Items("risks");
    for (r, (slug, vals)) in rows.rows.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write_string_with_format(row, 0, slug, &f.code)?;
        widths[0] = widths[0].max(width_of(slug));
        for (i, (c, v)) in sheet.columns.iter().zip(vals).enumerate() {
            let col = i as u16 + 1;
            let fmt = format_for(f, c.kind);
            match v {
                Val::Empty => {}
                Val::Num(x) => {
                    ws.write_number_with_format(row, col, *x, fmt)?;
                }
                Val::Date(d) => {
                    let x =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    ws.write_datetime_with_format(row, col, &x, fmt)?;
                }
                other => {
                    ws.write_string_with_format(row, col, display(other, c.kind), fmt)?;
                }
            }
            widths[i + 1] = widths[i + 1].max(width_of(&display(v, c.kind)).min(60));
        }
        if is_risks {
            write_risk_formulas(ws, sheet, lists, row, Some(vals), f)?;
        }
    }
    let data_end = rows.rows.len() as u32;
    if is_risks {
        for row in data_end + 1..=data_end + blank_rows {
            write_risk_formulas(ws, sheet, lists, row, None, f)?;
        }
    }
    for (i, c) in sheet.columns.iter().enumerate() {
        let col = i as u16 + 1;
        if let Kind::Choice(ch) | Kind::Factor(ch) = c.kind
            && let Some((_, lcol, n)) = list_cols.names.iter().find(|(x, ..)| *x == ch)
        {
            let letter = col_name(*lcol);
            let dv = DataValidation::new()
                .allow_list_formula(Formula::new(format!(
                    "='{LISTS}'!${letter}$1:${letter}${n}"
                )))
                .ignore_blank(true);
            ws.add_data_validation(1, col, LAST_ROW, col, &dv)?;
        }
    }
    for (i, w) in widths.iter().enumerate() {
        let kind = (i > 0).then(|| sheet.columns[i - 1].kind);
        let w = match kind {
            Some(Kind::Lines) => 40,
            _ => (*w).clamp(8, 48),
        };
        ws.set_column_width(i as u16, w as f64 + 1.0)?;
    }
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, data_end.max(1), sheet.columns.len() as u16)?;
    Ok(())
}

fn write_risk_formulas(
    ws: &mut Worksheet,
    sheet: &Sheet,
    lists: &SiteLists,
    row: u32,
    vals: Option<&[Val]>,
    f: &Formats,
) -> anyhow::Result<()> {
    let (score, level) = risk_formulas(sheet, lists, row + 1, vals);
    let col = |h: &str| {
        sheet
            .columns
            .iter()
            .position(|c| c.header == h)
            .map(|i| i as u16 + 1)
    };
    if let (Some(sc), Some(lc)) = (col("分值"), col("计算等级")) {
        ws.write_formula_with_format(row, sc, score, &f.number)?;
        ws.write_formula_with_format(row, lc, level, &f.text)?;
    }
    Ok(())
}

/// The first sheet: how to fill the workbook in.
fn write_guide(
    ws: &mut Worksheet,
    title: &str,
    lines: &[String],
    f: &Formats,
) -> anyhow::Result<()> {
    ws.set_name("说明")?;
    ws.write_string_with_format(0, 0, title, &f.header)?;
    for (i, l) in lines.iter().enumerate() {
        ws.write_string(i as u32 + 2, 0, l)?;
    }
    ws.set_column_width(0, 110)?;
    Ok(())
}

/// Writes the workbook: a guide sheet, `sheets` in order, the hidden lists. `blank_rows` rows
/// below the data keep the risk formulas.
pub(crate) fn write(
    path: &std::path::Path,
    title: &str,
    guide: &[String],
    sheets: &[SheetRows],
    lists: &SiteLists,
) -> anyhow::Result<()> {
    let f = formats();
    let mut wb = Workbook::new();
    write_guide(wb.add_worksheet(), title, guide, &f)?;
    let used: Vec<&Sheet> = sheets.iter().map(|s| s.sheet).collect();
    let list_cols = plan_lists(lists, &used);
    for s in sheets {
        // Rows are written top to bottom, so each is flushed to a temporary file as the next
        // begins: a town of 5,000 records does not hold the whole workbook in memory.
        write_sheet(
            wb.add_worksheet_with_constant_memory(),
            s,
            lists,
            &list_cols,
            &f,
            FORMULA_ROWS,
        )?;
    }
    write_lists(wb.add_worksheet(), lists, &list_cols)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(title));
    wb.save(path)
        .with_context(|| format!("无法写入工作簿 {}", path.display()))?;
    Ok(())
}

/// Which list goes in which column of the hidden sheet.
fn plan_lists(lists: &SiteLists, sheets: &[&Sheet]) -> ListColumns {
    let mut out = ListColumns { names: Vec::new() };
    for s in sheets {
        for c in s.columns {
            let (Kind::Choice(ch) | Kind::Factor(ch)) = c.kind else {
                continue;
            };
            if out.names.iter().any(|(x, ..)| *x == ch) {
                continue;
            }
            let n = choice_values(lists, ch).len();
            if n > 0 {
                out.names.push((ch, out.names.len() as u16, n));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(1, 9), "J2");
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(27), "AB");
    }
}
