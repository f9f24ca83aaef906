//! Reads a spanned TOML tree field by field, the way every data file of the site is read:
//! each value keeps its byte span, and every problem (wrong type, unknown key with a suggestion,
//! missing field, value not in a list) becomes a Chinese diagnostic instead of stopping at the first.

use std::ops::Range;

use jiff::civil::Date;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, SourceFile, suggest};
use crate::domain::DomainEnum;

/// How every placeholder value in the `new` skeleton begins (scaffold.rs).
pub(crate) const PLACEHOLDER: &str = "请填写";

/// A value with the byte span it came from (absolute in its file).
#[derive(Debug, Clone, PartialEq)]
pub struct Sp<T> {
    pub v: T,
    pub span: Range<usize>,
}

impl<T> Sp<T> {
    pub(crate) fn new(v: T, span: Range<usize>) -> Self {
        Sp { v, span }
    }
}

/// A table being read: its entries and where it starts.
pub(crate) struct Table<'a, 'i> {
    pub(crate) entries: &'a DeTable<'i>,
    pub span: Range<usize>,
}

/// Reads values out of one file's TOML tree, collecting diagnostics.
pub(crate) struct Reader<'s> {
    pub(crate) src: &'s SourceFile,
    /// Offset of the TOML text inside the file (front matter starts after `+++`).
    pub(crate) base: usize,
    pub(crate) diags: Vec<Diagnostic>,
}

fn type_name(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "字符串",
        DeValue::Integer(_) => "整数",
        DeValue::Float(_) => "小数",
        DeValue::Boolean(_) => "布尔值",
        DeValue::Datetime(_) => "日期",
        DeValue::Array(_) => "数组",
        DeValue::Table(_) => "表",
    }
}

impl<'s> Reader<'s> {
    pub(crate) fn new(src: &'s SourceFile, base: usize) -> Self {
        Reader {
            src,
            base,
            diags: Vec::new(),
        }
    }

    pub(crate) fn abs(&self, span: Range<usize>) -> Range<usize> {
        span.start + self.base..span.end + self.base
    }

    pub(crate) fn error(&mut self, span: Range<usize>, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::error_at(self.src, span, msg.into()));
    }

    pub(crate) fn error_hint(
        &mut self,
        span: Range<usize>,
        msg: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error_at(self.src, span, msg.into()).with_hint(hint));
    }

    pub(crate) fn warning(&mut self, span: Range<usize>, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning_at(self.src, span, msg.into()));
    }

    /// Parses `text` (the TOML part of the file, starting at `self.base`). Syntax errors become diagnostics.
    pub(crate) fn parse<'i>(&mut self, text: &'i str) -> Option<Spanned<DeTable<'i>>> {
        let (doc, errors) = DeTable::parse_recoverable(text);
        for e in &errors {
            let span = e.span().unwrap_or(0..0);
            let msg = translate_syntax_error(e.message());
            self.diags
                .push(Diagnostic::error_at(self.src, self.abs(span), msg));
        }
        if errors.is_empty() { Some(doc) } else { None }
    }

    /// The root table of a parsed document.
    pub(crate) fn root<'a, 'i>(&self, doc: &'a Spanned<DeTable<'i>>) -> Table<'a, 'i> {
        Table {
            entries: doc.get_ref(),
            span: self.abs(0..0),
        }
    }

    /// Reports every key of `t` not in `known`, suggesting the nearest known key.
    pub(crate) fn check_keys(&mut self, t: &Table, known: &[&str], what: &str) {
        for (k, _) in t.entries.iter() {
            let key: &str = k.get_ref();
            if !known.contains(&key) {
                let span = self.abs(k.span());
                match suggest(key, known.iter().copied()) {
                    Some(s) => self.error_hint(
                        span,
                        format!("{what}中有未知的字段“{key}”，是否应为“{s}”？"),
                        format!("可用的字段：{}", known.join("、")),
                    ),
                    None => self.error_hint(
                        span,
                        format!("{what}中有未知的字段“{key}”"),
                        format!("可用的字段：{}", known.join("、")),
                    ),
                }
            }
        }
    }

    fn get<'a, 'i>(&self, t: &Table<'a, 'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        t.entries.get(key)
    }

    fn missing(&mut self, t: &Table, key: &str, what: &str) {
        let span = t.span.clone();
        let span = span.start..span.start + 1;
        self.error(span, format!("{what}缺少必填字段“{key}”"));
    }

    fn wrong_type(&mut self, v: &Spanned<DeValue>, key: &str, expected: &str) {
        let found = type_name(v.get_ref());
        let span = self.abs(v.span());
        if expected == "日期" && matches!(v.get_ref(), DeValue::String(_)) {
            self.error_hint(
                span,
                format!("字段“{key}”应为日期，不是字符串"),
                "日期直接写成 2024-10-08，不加引号",
            );
        } else {
            self.error(span, format!("字段“{key}”应为{expected}，实际是{found}"));
        }
    }

    pub(crate) fn opt_str(&mut self, t: &Table, key: &str) -> Option<Sp<String>> {
        let v = self.get(t, key)?;
        match v.get_ref() {
            DeValue::String(s) => {
                let sp = Sp::new(s.to_string(), self.abs(v.span()));
                self.placeholder(&sp, key);
                Some(sp)
            }
            _ => {
                self.wrong_type(v, key, "字符串");
                None
            }
        }
    }

    /// Warns about a value still reading as the `new` skeleton left it (请填写…): it would be
    /// published as the enterprise's name, address or post.
    fn placeholder(&mut self, s: &Sp<String>, key: &str) {
        if s.v.trim_start().starts_with(PLACEHOLDER) {
            let msg = format!("字段“{key}”仍是模板里的占位文字“{}”", s.v);
            self.diags.push(
                Diagnostic::warning_at(self.src, s.span.clone(), msg)
                    .with_hint("改为实际内容；不需要的条目整段删除"),
            );
        }
    }

    pub(crate) fn str(&mut self, t: &Table, key: &str, what: &str) -> Option<Sp<String>> {
        if self.get(t, key).is_none() {
            self.missing(t, key, what);
            return None;
        }
        self.opt_str(t, key)
    }

    /// A string that must be one of `allowed`.
    /// An optional field whose value must be one of `E`'s names.
    pub(crate) fn opt_enum<E: DomainEnum>(&mut self, t: &Table, key: &str) -> Option<Sp<E>> {
        let s = self.opt_str(t, key)?;
        match E::from_name(&s.v) {
            Some(v) => Some(Sp::new(v, s.span)),
            None => {
                self.bad_enum(&s, key, E::NAMES);
                None
            }
        }
    }

    pub(crate) fn bad_enum(&mut self, s: &Sp<String>, key: &str, allowed: &[&str]) {
        let msg = match suggest(&s.v, allowed.iter().copied()) {
            Some(near) => format!("字段“{key}”的值“{}”不在可选范围内，是否应为“{near}”？", s.v),
            None => format!("字段“{key}”的值“{}”不在可选范围内", s.v),
        };
        self.error_hint(
            s.span.clone(),
            msg,
            format!("可选值：{}", allowed.join("、")),
        );
    }

    /// A required field whose value must be one of `E`'s names.
    pub(crate) fn enum_req<E: DomainEnum>(
        &mut self,
        t: &Table,
        key: &str,
        what: &str,
    ) -> Option<Sp<E>> {
        if self.get(t, key).is_none() {
            self.missing(t, key, what);
            return None;
        }
        self.opt_enum(t, key)
    }

    pub(crate) fn opt_int(&mut self, t: &Table, key: &str) -> Option<Sp<i64>> {
        let v = self.get(t, key)?;
        match v.get_ref() {
            DeValue::Integer(i) => {
                let parsed = i64::from_str_radix(i.as_str(), i.radix());
                match parsed {
                    Ok(n) => Some(Sp::new(n, self.abs(v.span()))),
                    Err(_) => {
                        self.error(self.abs(v.span()), format!("字段“{key}”的整数超出范围"));
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(v, key, "整数");
                None
            }
        }
    }

    /// A non-negative integer.
    pub(crate) fn opt_count(&mut self, t: &Table, key: &str) -> Option<Sp<u64>> {
        let n = self.opt_int(t, key)?;
        if n.v < 0 {
            self.error(n.span, format!("字段“{key}”不能为负数"));
            return None;
        }
        Some(Sp::new(n.v as u64, n.span))
    }

    /// An integer or a decimal.
    pub(crate) fn opt_num(&mut self, t: &Table, key: &str) -> Option<Sp<f64>> {
        let v = self.get(t, key)?;
        match v.get_ref() {
            DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
                Ok(x) if x.is_finite() => Some(Sp::new(x, self.abs(v.span()))),
                _ => {
                    self.error(self.abs(v.span()), format!("字段“{key}”应为有限的数值"));
                    None
                }
            },
            DeValue::Integer(_) => self.opt_int(t, key).map(|n| Sp::new(n.v as f64, n.span)),
            _ => {
                self.wrong_type(v, key, "数值");
                None
            }
        }
    }

    pub(crate) fn opt_bool(&mut self, t: &Table, key: &str) -> Option<Sp<bool>> {
        let v = self.get(t, key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Sp::new(*b, self.abs(v.span()))),
            _ => {
                self.wrong_type(v, key, "布尔值（true 或 false）");
                None
            }
        }
    }

    pub(crate) fn opt_date(&mut self, t: &Table, key: &str) -> Option<Sp<Date>> {
        let v = self.get(t, key)?;
        let span = self.abs(v.span());
        match v.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => match Date::new(d.year as i16, d.month as i8, d.day as i8) {
                    Ok(date) => Some(Sp::new(date, span)),
                    Err(_) => {
                        self.error(span, format!("字段“{key}”不是有效的日期"));
                        None
                    }
                },
                _ => {
                    self.error_hint(
                        span,
                        format!("字段“{key}”应为日期（不含时间）"),
                        "写成 2024-10-08",
                    );
                    None
                }
            },
            DeValue::String(s) => {
                // A quoted date is a common slip; accept nothing but point at the fix.
                let hint = if s.parse::<Date>().is_ok() {
                    format!("去掉引号：{key} = {s}")
                } else {
                    "日期写成 2024-10-08，不加引号".to_string()
                };
                self.error_hint(span, format!("字段“{key}”应为日期，不是字符串"), hint);
                None
            }
            _ => {
                self.wrong_type(v, key, "日期");
                None
            }
        }
    }

    pub(crate) fn date_req(&mut self, t: &Table, key: &str, what: &str) -> Option<Sp<Date>> {
        if self.get(t, key).is_none() {
            self.missing(t, key, what);
            return None;
        }
        self.opt_date(t, key)
    }

    /// An array of strings (missing → empty).
    pub(crate) fn str_list(&mut self, t: &Table, key: &str) -> Vec<Sp<String>> {
        let Some(v) = self.get(t, key) else {
            return Vec::new();
        };
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => {
                            let sp = Sp::new(s.to_string(), self.abs(item.span()));
                            self.placeholder(&sp, key);
                            out.push(sp)
                        }
                        _ => self.wrong_type(item, key, "字符串"),
                    }
                }
                out
            }
            _ => {
                self.wrong_type(v, key, "字符串数组");
                Vec::new()
            }
        }
    }

    /// A sub-table (`[key]` or an inline table).
    pub(crate) fn opt_table<'a, 'i>(
        &mut self,
        t: &Table<'a, 'i>,
        key: &str,
    ) -> Option<Table<'a, 'i>> {
        let v = self.get(t, key)?;
        match v.get_ref() {
            DeValue::Table(tb) => Some(Table {
                entries: tb,
                span: self.abs(v.span()),
            }),
            _ => {
                self.wrong_type(v, key, "表");
                None
            }
        }
    }

    /// An array of tables (`[[key]]`); missing → empty.
    pub(crate) fn table_list<'a, 'i>(
        &mut self,
        t: &Table<'a, 'i>,
        key: &str,
    ) -> Vec<Table<'a, 'i>> {
        let Some(v) = self.get(t, key) else {
            return Vec::new();
        };
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(tb) => out.push(Table {
                            entries: tb,
                            span: self.abs(item.span()),
                        }),
                        _ => self.wrong_type(item, key, "表"),
                    }
                }
                out
            }
            _ => {
                let hint = format!("每一项写成 [[{key}]]");
                let span = self.abs(v.span());
                self.error_hint(span, format!("字段“{key}”应为表数组"), hint);
                Vec::new()
            }
        }
    }

    /// All keys of a table with their spans, in source order.
    pub(crate) fn keys<'a, 'i>(
        &self,
        t: &Table<'a, 'i>,
    ) -> Vec<(Sp<String>, &'a Spanned<DeValue<'i>>)> {
        t.entries
            .iter()
            .map(|(k, v)| (Sp::new(k.get_ref().to_string(), self.abs(k.span())), v))
            .collect()
    }

    /// Reads a value that must be an integer, reporting against `key`.
    pub(crate) fn int_value(&mut self, v: &Spanned<DeValue>, key: &str) -> Option<Sp<i64>> {
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Sp::new(n, self.abs(v.span()))),
                Err(_) => {
                    self.error(self.abs(v.span()), format!("“{key}”的分值应为十进制整数"));
                    None
                }
            },
            _ => {
                self.wrong_type(v, key, "整数");
                None
            }
        }
    }
}

/// The toml parser speaks English; editors read Chinese. Keep the original as detail.
fn translate_syntax_error(msg: &str) -> String {
    let m = msg.trim();
    let zh = if m.contains("duplicate key") {
        "TOML 语法错误：重复的键"
    } else if m.contains("invalid date") || m.contains("datetime") || m.contains("date") {
        "TOML 语法错误：无效的日期"
    } else if m.contains("string") && (m.contains("unterminated") || m.contains("invalid")) {
        "TOML 语法错误：字符串没有正确结束（检查引号）"
    } else if m.contains("expected") {
        "TOML 语法错误：此处格式不正确"
    } else {
        "TOML 语法错误"
    };
    format!("{zh}（{m}）")
}

impl<T: serde::Serialize> serde::Serialize for Sp<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.v.serialize(s)
    }
}
