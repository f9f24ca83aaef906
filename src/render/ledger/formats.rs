//! A ledger table as a file: CSV (UTF-8 with BOM; text Excel would turn into a formula or a
//! number is kept as text), JSON (headers and rows, numbers as numbers) and XLSX (one sheet per
//! table, frozen header).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Cell, Row, Table};

/// CSV with a UTF-8 BOM (so Excel reads the Chinese) and CRLF line ends, quoting as RFC 4180 asks.
///
/// Excel reinterprets what it opens: an 18-digit credit code becomes 9.15107E+17, `007` loses its
/// zeros, `5/6` becomes 6 May, `1E5` becomes 100000. The one way used here to keep such text: a
/// text cell beginning with a digit (or with `+ - .` and a digit) is written as the formula
/// `="…"`, a string constant Excel and WPS show as the bare text (`915106816243783199` is written
/// `"=""915106816243783199"""` once CSV-quoted). That is done to text of ASCII characters (and
/// 年月日, which Chinese Excel reads as dates) of at most 255 characters (Excel's limit for a
/// string constant) without `"`, which leaves nothing the formula could do but return its text;
/// Chinese text such as `3名操作工…` is left alone, Excel keeps it. Number cells stay numbers.
/// Other text starting with `= + - @` would be read as a formula: it gets a leading `'`.
pub(crate) fn csv(table: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let quote = |c: String| -> String {
        if c.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c
        }
    };
    let line = |cells: Vec<String>| -> String {
        let quoted: Vec<String> = cells.into_iter().map(quote).collect();
        quoted.join(",") + "\r\n"
    };
    out.push_str(&line(table.headers.clone()));
    for r in &table.rows {
        out.push_str(&line(r.cells.iter().map(csv_cell).collect()));
    }
    out.into_bytes()
}

/// One cell's text as Excel should keep it (see [`csv`]), before CSV quoting.
fn csv_cell(cell: &Cell) -> String {
    let c = match cell {
        Cell::Num(_) => return cell.text(),
        Cell::Text(s) => s,
    };
    if excel_would_convert(c) {
        format!("=\"{c}\"")
    } else if c.starts_with(['=', '+', '-', '@']) {
        format!("'{c}")
    } else {
        c.clone()
    }
}

/// Text Excel may turn into a number or date (`0012`, `5/6`, `1E5`, `6月5日`), and that a `="…"`
/// string constant can hold.
fn excel_would_convert(c: &str) -> bool {
    let mut chars = c.chars();
    let starts = match chars.next() {
        Some(d) if d.is_ascii_digit() => true,
        Some('+' | '-' | '.') => chars.next().is_some_and(|d| d.is_ascii_digit()),
        _ => false,
    };
    starts
        && c.chars().count() <= 255
        && c.chars().all(|ch| {
            (ch.is_ascii() && !ch.is_ascii_control() && ch != '"') || "年月日".contains(ch)
        })
}

/// JSON: an array of objects keyed by the Chinese headers, numbers as numbers. Written straight
/// from the table (keys sorted, as a JSON map sorts them) rather than through one map per row,
/// which made the town's ledgers the slowest part of the build.
pub(crate) fn json(table: &Table) -> Vec<u8> {
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

/// Workbooks made earlier in this process, by a hash of what they hold, and their total size:
/// the preview server rebuilds after every edit, and the monthly reports' workbooks (a zip
/// each) are the same every time but cost a tenth of a rebuild to make again.
static MADE: std::sync::Mutex<Made> = std::sync::Mutex::new((BTreeMap::new(), 0));
type Made = (BTreeMap<u64, Arc<Vec<u8>>>, usize);
/// The most bytes of workbooks [`MADE`] keeps; it starts over when full.
const MADE_MAX: usize = 32 << 20;

/// One workbook, a sheet per table, header row bold and frozen, widths set. The same tables and
/// date give the same bytes, so a workbook made before in this process is handed back.
pub(crate) fn xlsx(tables: &[&Table], as_of: jiff::civil::Date) -> Result<Vec<u8>, String> {
    let key = crate::fingerprint::of((as_of, tables));
    if let Some(b) = MADE.lock().ok().and_then(|m| m.0.get(&key).cloned()) {
        return Ok(b.to_vec());
    }
    let bytes = make_xlsx(tables, as_of)?;
    if let Ok(mut m) = MADE.lock() {
        if m.1 + bytes.len() > MADE_MAX {
            *m = Default::default();
        }
        if bytes.len() <= MADE_MAX {
            m.1 += bytes.len();
            m.0.insert(key, Arc::new(bytes.clone()));
        }
    }
    Ok(bytes)
}

fn make_xlsx(tables: &[&Table], as_of: jiff::civil::Date) -> Result<Vec<u8>, String> {
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
    use crate::render::ledger::Kind;

    #[test]
    fn json_as_through_maps() {
        let spec = ["企业名称", "从业人员", "b", "a", "得分", "b"].map(|h| (h, Kind::Text));
        let table = Table::new(
            "台账 \"测试\"",
            &spec,
            vec![
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
        );
        assert_eq!(
            String::from_utf8(json(&table)).unwrap(),
            String::from_utf8(json_via_maps(&table)).unwrap()
        );
        let empty = Table::new("空", &[("企业名称", Kind::Text)], Vec::new());
        assert_eq!(json(&empty), json_via_maps(&empty));
    }

    #[test]
    fn csv_keeps_what_excel_would_convert_as_text() {
        let spec = [("a", Kind::Code), ("b", Kind::Num)];
        let row = |a: &str, b: f64| Row {
            slug: String::new(),
            anchor: String::new(),
            cells: vec![Cell::Text(a.into()), Cell::Num(b)],
            class: String::new(),
        };
        let table = Table::new(
            "t",
            &spec,
            [
                "915106816243783199",
                "007",
                "5/6",
                "1E5",
                "-3",
                ".5",
                "6月5日",
                "=1+1",
                "-x",
                "3名工人",
                "2号\"车间\"",
            ]
            .iter()
            .map(|a| row(a, 12.0))
            .collect(),
        );
        let text = String::from_utf8(csv(&table)).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines,
            [
                "a,b",
                "\"=\"\"915106816243783199\"\"\",12",
                "\"=\"\"007\"\"\",12",
                "\"=\"\"5/6\"\"\",12",
                "\"=\"\"1E5\"\"\",12",
                "\"=\"\"-3\"\"\",12",
                "\"=\"\".5\"\"\",12",
                "\"=\"\"6月5日\"\"\",12",
                "'=1+1,12",
                "'-x,12",
                "3名工人,12",
                "\"2号\"\"车间\"\"\",12",
                "",
            ]
        );
    }
}
