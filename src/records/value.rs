//! One value in the form both sides are compared in: what a spreadsheet cell says (dates typed as
//! dates, as text or as serials; numbers stored as text; full-width digits; stray spaces) and what
//! a TOML value says, each brought to a [`Val`] by the column's kind. Equal means unchanged.

use calamine::Data;
use jiff::civil::Date;
use toml_edit::Value;

use super::schema::{Choices, Kind};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Empty,
    Text(String),
    Num(f64),
    Bool(bool),
    Date(Date),
    List(Vec<String>),
}

/// Full-width ASCII (ＡＢＣ１２３，．－) to half-width; the ideographic space to a space.
pub(crate) fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// A date as people type it: 2024-08-30, 2024/8/30, 2024.8.30, 2024年8月30日, 20240830.
pub(crate) fn parse_date_text(s: &str) -> Option<Date> {
    let s = half_width(s);
    let s = s.trim().trim_end_matches('日');
    let digits: Vec<&str> = s
        .split(['-', '/', '.', '年', '月'])
        .map(str::trim)
        .collect();
    let (y, m, d) = match digits.as_slice() {
        [y, m, d] => (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        [one] if one.len() == 8 && one.bytes().all(|b| b.is_ascii_digit()) => (
            one[..4].parse().ok()?,
            one[4..6].parse().ok()?,
            one[6..].parse().ok()?,
        ),
        _ => return None,
    };
    if !(1900..=2200).contains(&y) {
        return None;
    }
    Date::new(y, m, d).ok()
}

/// An Excel serial day number (1900 system) as a date; only whole days in a plausible range.
pub(crate) fn date_from_serial(x: f64) -> Option<Date> {
    if x.fract() != 0.0 || !(1.0..=120_000.0).contains(&x) {
        return None;
    }
    let base = Date::new(1899, 12, 30).ok()?;
    base.checked_add(jiff::Span::new().days(x as i64)).ok()
}

/// The serial Excel shows for `d`.
#[cfg(test)]
pub(crate) fn serial_of(d: Date) -> f64 {
    let base = Date::new(1899, 12, 30).expect("a valid date");
    base.until(d).map_or(0.0, |s| s.get_days() as f64)
}

fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let t: String = half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn parse_bool(s: &str) -> Option<bool> {
    match half_width(s).trim().to_lowercase().as_str() {
        "是" | "true" | "1" | "y" | "yes" | "√" | "有" => Some(true),
        "否" | "false" | "0" | "n" | "no" | "×" | "无" => Some(false),
        _ => None,
    }
}

pub(crate) fn bool_text(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

fn split_tags(s: &str) -> Vec<String> {
    s.split(['、', '，', ',', '；', ';', '\n'])
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

fn split_lines(s: &str) -> Vec<String> {
    s.lines()
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

fn list(v: Vec<String>) -> Val {
    if v.is_empty() {
        Val::Empty
    } else {
        Val::List(v)
    }
}

fn text(s: &str, kind: Kind) -> Val {
    // Codes are typed on any keyboard; names in a list keep their own punctuation.
    let t = match kind {
        Kind::Code => half_width(s).trim().to_string(),
        _ => s.trim().to_string(),
    };
    if t.is_empty() {
        return Val::Empty;
    }
    // ASCII choices (LEC, LS) whatever the case people typed.
    if let Kind::Choice(Choices::Fixed(names)) = kind
        && let Some(n) = names
            .iter()
            .find(|n| half_width(n).eq_ignore_ascii_case(&half_width(&t)))
    {
        return Val::Text(n.to_string());
    }
    Val::Text(t)
}

/// What a text says for a column of `kind`; a value that does not fit stays text, so the record
/// checks report it in their own words.
fn from_text(s: &str, kind: Kind) -> Val {
    if s.trim().is_empty() {
        return Val::Empty;
    }
    match kind {
        Kind::Count | Kind::Number | Kind::Factor(_) => {
            parse_number(s).map_or_else(|| text(s, kind), Val::Num)
        }
        Kind::Choice(Choices::Bool) => parse_bool(s).map_or_else(|| text(s, kind), Val::Bool),
        Kind::Date => parse_date_text(s).map_or_else(|| text(s, kind), Val::Date),
        Kind::Tags(_) => list(split_tags(&half_width(s))),
        Kind::Lines => list(split_lines(s)),
        _ => text(s, kind),
    }
}

/// A spreadsheet cell read for a column of `kind`.
pub(crate) fn from_cell(d: &Data, kind: Kind) -> Val {
    match d {
        Data::Empty | Data::Error(_) => Val::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => from_text(s, kind),
        Data::Bool(b) => match kind {
            Kind::Choice(Choices::Bool) => Val::Bool(*b),
            _ => from_text(bool_text(*b), kind),
        },
        Data::Int(i) => from_number(*i as f64, kind),
        Data::Float(f) => from_number(*f, kind),
        Data::DateTime(x) => match date_from_serial(x.as_f64().floor()) {
            Some(date) if kind == Kind::Date => Val::Date(date),
            Some(date) => from_text(&date.to_string(), kind),
            None => from_number(x.as_f64(), kind),
        },
    }
}

fn from_number(x: f64, kind: Kind) -> Val {
    match kind {
        Kind::Count | Kind::Number | Kind::Factor(_) => Val::Num(x),
        Kind::Date => date_from_serial(x).map_or_else(|| Val::Text(number_text(x)), Val::Date),
        Kind::Choice(Choices::Bool) if x == 0.0 || x == 1.0 => Val::Bool(x == 1.0),
        _ => from_text(&number_text(x), kind),
    }
}

/// A TOML value read for a column of `kind`.
pub(crate) fn from_toml(v: &Value, kind: Kind) -> Val {
    match v {
        Value::String(s) => match kind {
            // A string where a number or date belongs is compared as the same text in a cell would be.
            Kind::Count
            | Kind::Number
            | Kind::Factor(_)
            | Kind::Date
            | Kind::Choice(Choices::Bool) => {
                if s.value().trim().is_empty() {
                    Val::Empty
                } else {
                    Val::Text(s.value().trim().to_string())
                }
            }
            Kind::Tags(_) => list(split_tags(s.value())),
            Kind::Lines => list(split_lines(s.value())),
            _ => text(s.value(), kind),
        },
        Value::Integer(i) => from_number(*i.value() as f64, kind),
        Value::Float(f) => from_number(*f.value(), kind),
        Value::Boolean(b) => match kind {
            Kind::Choice(Choices::Bool) => Val::Bool(*b.value()),
            _ => Val::Text(b.value().to_string()),
        },
        Value::Datetime(d) => {
            let raw = d.value().to_string();
            match (kind, raw.parse::<Date>()) {
                (Kind::Date, Ok(date)) => Val::Date(date),
                _ => Val::Text(raw),
            }
        }
        Value::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|x| match x {
                    Value::String(s) => s.value().trim().to_string(),
                    other => other.to_string().trim().to_string(),
                })
                .filter(|x| !x.is_empty())
                .collect();
            list(items)
        }
        Value::InlineTable(t) => Val::Text(t.to_string()),
    }
}

/// The TOML value a changed cell is written as; `None` for an empty cell.
pub(crate) fn to_toml(v: &Val, kind: Kind) -> Option<Value> {
    Some(match v {
        Val::Empty => return None,
        Val::Text(s) => Value::from(s.as_str()),
        Val::Num(x) => {
            if x.fract() == 0.0 && x.abs() < 9e15 {
                Value::from(*x as i64)
            } else {
                Value::from(*x)
            }
        }
        Val::Bool(b) => Value::from(*b),
        Val::Date(d) => {
            let dt: toml_edit::Datetime = d.to_string().parse().ok()?;
            Value::from(dt)
        }
        Val::List(items) => {
            let _ = kind;
            Value::Array(items.iter().map(|s| s.as_str()).collect())
        }
    })
}

/// How a value shows in a cell, as text (lists joined the way they are split).
pub(crate) fn display(v: &Val, kind: Kind) -> String {
    match v {
        Val::Empty => String::new(),
        Val::Text(s) => s.clone(),
        Val::Num(x) => number_text(*x),
        Val::Bool(b) => bool_text(*b).to_string(),
        Val::Date(d) => d.to_string(),
        Val::List(items) => match kind {
            Kind::Lines => items.join("\n"),
            _ => items.join("、"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    fn d(s: &str) -> Val {
        Val::Date(s.parse().unwrap())
    }

    #[test]
    fn dates_as_people_type_them() {
        for s in [
            "2024-08-30",
            "2024/8/30",
            "2024.8.30",
            "2024年8月30日",
            " 2024-08-30 ",
            "２０２４－０８－３０",
            "20240830",
        ] {
            assert_eq!(
                from_cell(&Data::String(s.into()), Kind::Date),
                d("2024-08-30"),
                "{s}"
            );
        }
        let serial = serial_of("2024-08-30".parse().unwrap());
        assert_eq!(serial, 45534.0);
        assert_eq!(from_cell(&Data::Float(serial), Kind::Date), d("2024-08-30"));
        let dt = ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false);
        assert_eq!(from_cell(&Data::DateTime(dt), Kind::Date), d("2024-08-30"));
        // Not a date: kept as text for the record checks to report.
        assert_eq!(
            from_cell(&Data::String("2024-02-30".into()), Kind::Date),
            Val::Text("2024-02-30".into())
        );
        assert_eq!(
            from_cell(&Data::String("下周".into()), Kind::Date),
            Val::Text("下周".into())
        );
    }

    #[test]
    fn numbers_stored_as_text_and_full_width() {
        assert_eq!(
            from_cell(&Data::String("５５".into()), Kind::Count),
            Val::Num(55.0)
        );
        assert_eq!(
            from_cell(&Data::String(" 1,200 ".into()), Kind::Number),
            Val::Num(1200.0)
        );
        assert_eq!(from_cell(&Data::Int(3), Kind::Number), Val::Num(3.0));
        assert_eq!(
            from_cell(&Data::String("五十".into()), Kind::Count),
            Val::Text("五十".into())
        );
        // A credit code typed as a number is still text; full-width letters become half-width.
        assert_eq!(
            from_cell(
                &Data::String("９１５１０６８１ＭＡ６Ｘ９ＮＴＭＡＪ".into()),
                Kind::Code
            ),
            Val::Text("91510681MA6X9NTMAJ".into())
        );
        assert_eq!(
            from_cell(&Data::Float(123.0), Kind::Code),
            Val::Text("123".into())
        );
    }

    #[test]
    fn choices_lists_and_booleans() {
        let method = Kind::Choice(Choices::Fixed(crate::domain::Method::NAMES));
        assert_eq!(
            from_cell(&Data::String("lec".into()), method),
            Val::Text("LEC".into())
        );
        let b = Kind::Choice(Choices::Bool);
        assert_eq!(from_cell(&Data::String("是".into()), b), Val::Bool(true));
        assert_eq!(from_cell(&Data::Bool(false), b), Val::Bool(false));
        assert_eq!(
            from_cell(&Data::String("也许".into()), b),
            Val::Text("也许".into())
        );
        let tags = Kind::Tags(Choices::Accidents);
        assert_eq!(
            from_cell(&Data::String("机械伤害、 触电，火灾".into()), tags),
            Val::List(vec!["机械伤害".into(), "触电".into(), "火灾".into()])
        );
        assert_eq!(
            from_cell(&Data::String("戴手套；停机\n急停".into()), Kind::Lines),
            Val::List(vec!["戴手套；停机".into(), "急停".into()])
        );
        assert_eq!(
            from_cell(&Data::String("   ".into()), Kind::Text),
            Val::Empty
        );
    }

    #[test]
    fn toml_and_cell_agree_on_what_export_writes() {
        let doc: toml_edit::DocumentMut =
            "a = \"\"\nb = []\nc = 3\nd = 2024-08-30\ne = [\"x\", \"y\"]\nf = 0.5\ng = true\n"
                .parse()
                .unwrap();
        let get = |k: &str| doc[k].as_value().unwrap().clone();
        assert_eq!(from_toml(&get("a"), Kind::Text), Val::Empty);
        assert_eq!(
            from_toml(&get("b"), Kind::Tags(Choices::Accidents)),
            Val::Empty
        );
        assert_eq!(from_toml(&get("c"), Kind::Number), Val::Num(3.0));
        assert_eq!(from_toml(&get("d"), Kind::Date), d("2024-08-30"));
        assert_eq!(
            from_toml(&get("e"), Kind::Lines),
            Val::List(vec!["x".into(), "y".into()])
        );
        assert_eq!(from_toml(&get("f"), Kind::Number), Val::Num(0.5));
        assert_eq!(
            from_toml(&get("g"), Kind::Choice(Choices::Bool)),
            Val::Bool(true)
        );
        assert_eq!(
            to_toml(&Val::Num(3.0), Kind::Number).unwrap().to_string(),
            "3"
        );
        assert_eq!(
            to_toml(&Val::Num(0.5), Kind::Number).unwrap().to_string(),
            "0.5"
        );
        assert_eq!(
            to_toml(&d("2024-08-30"), Kind::Date).unwrap().to_string(),
            "2024-08-30"
        );
    }
}
