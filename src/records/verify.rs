//! Checks what an import would write exactly as the build checks typed records (the same loader,
//! the same model, the same Chinese messages), then points each problem back at the cell it came
//! from: `企业!J2（档案 x，字段 employees）` instead of a line in a file nobody has seen yet.

use std::collections::BTreeSet;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::read::Place;
use crate::diag::{Diagnostic, Severity};
use crate::load::Overlay;
use crate::pipeline::{self, BuildOptions};

/// A step into a record: a key or a `[[list]]` index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// A value (or a new table) the import set, and the cell it came from.
#[derive(Debug, Clone)]
pub(crate) struct Mark {
    pub path: Vec<Seg>,
    pub place: Place,
    pub field: String,
}

/// One file to check: path, new text, whether it is new, its marks and its 企业 row.
pub(crate) type Pending<'a> = (String, String, bool, &'a [Mark], Option<Place>);

/// The text the loader sees (no BOM, no CR), so diagnostics' lines and columns index into it.
fn as_loaded(text: &str) -> String {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n")
}

fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let start = if line == 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let rest = &text[start..];
    let col = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    Some(start + col)
}

/// Where `path` is written in the parsed file: from its key to the end of its value.
fn span_of(doc: &DeTable, path: &[Seg]) -> Option<Range<usize>> {
    let mut table = doc;
    let mut span = None;
    let mut i = 0;
    while i < path.len() {
        let Seg::Key(k) = &path[i] else { return None };
        let (key, value) = table.iter().find(|(key, _)| key.get_ref() == k)?;
        let mut v = value;
        let mut start = key.span().start;
        if let Some(Seg::Index(n)) = path.get(i + 1) {
            let DeValue::Array(a) = v.get_ref() else {
                return None;
            };
            v = a.get(*n)?;
            start = v.span().start;
            i += 1;
        }
        span = Some(start..v.span().end.max(start + 1));
        i += 1;
        if i < path.len() {
            let DeValue::Table(t) = v.get_ref() else {
                return None;
            };
            table = t;
        }
    }
    span
}

/// The `[[name]]` header above `offset` and which one of its kind it is.
fn item_above(text: &str, offset: usize) -> Option<(String, usize)> {
    let mut found = None;
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if pos > offset {
            break;
        }
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|x| x.split("]]").next()) {
            let name = name.trim().to_string();
            let n = counts.entry(name.clone()).or_insert(0);
            found = Some((name, *n));
            *n += 1;
        } else if t.starts_with('[') {
            found = None;
        }
        pos += line.len();
    }
    found
}

fn located(d: &Diagnostic, place: &Place, slug: &str, field: &str) -> Diagnostic {
    let where_ = format!("{}（档案 {slug}，字段 {field}）", place.name());
    let mut out = Diagnostic::file(d.severity, &where_, d.message.clone());
    let origin = format!("写入后位于 {}:{}:{}", d.file, d.line, d.column);
    out.hint = Some(match &d.hint {
        Some(h) => format!("{h}；{origin}"),
        None => origin,
    });
    out
}

/// Runs the checks with `pending` in place of the files on disk. Problems the files already had
/// before the import are left out; the rest come back located at their cells where possible.
pub(crate) fn check(opts: &BuildOptions, pending: Vec<Pending<'_>>) -> Vec<Diagnostic> {
    if pending.is_empty() {
        return Vec::new();
    }
    let overlay: Overlay = pending
        .iter()
        .map(|(rel, text, ..)| (rel.clone(), text.clone()))
        .collect();
    let before: BTreeSet<(String, String)> = pipeline::check_overlay(opts, &Overlay::new())
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| (d.file, d.message))
        .collect();
    let after = pipeline::check_overlay(opts, &overlay);
    let mut out = Vec::new();
    for d in after {
        let Some((rel, text, created, marks, root)) = pending.iter().find(|p| p.0 == d.file) else {
            if d.severity == Severity::Error
                && !before.contains(&(d.file.clone(), d.message.clone()))
            {
                out.push(d);
            }
            continue;
        };
        let slug = rel
            .trim_start_matches("data/enterprises/")
            .trim_end_matches(".toml");
        let text = as_loaded(text);
        let parsed = DeTable::parse(&text).ok();
        let offset = offset_of(&text, d.line, d.column);
        // The smallest marked span holding the problem.
        let mark = offset.and_then(|o| {
            let doc = parsed.as_ref()?;
            marks
                .iter()
                .filter_map(|m| span_of(doc.get_ref(), &m.path).map(|s| (s, m)))
                .filter(|(s, _)| s.contains(&o))
                .min_by_key(|(s, _)| s.len())
                .map(|(_, m)| m)
        });
        let item = offset
            .and_then(|o| item_above(&text, o))
            .and_then(|(name, n)| {
                marks.iter().find(|m| {
                    m.path.len() == 2
                        && m.path[0] == Seg::Key(name.clone())
                        && m.path[1] == Seg::Index(n)
                })
            });
        let pre_existing = before.contains(&(d.file.clone(), d.message.clone()));
        match (mark, item, root) {
            (Some(m), ..) | (None, Some(m), _) => out.push(located(&d, &m.place, slug, &m.field)),
            // A warning nowhere near a changed cell was there before the import.
            _ if d.severity == Severity::Warning => {}
            (None, None, Some(p)) if *created || !pre_existing => {
                out.push(located(&d, p, slug, "—"))
            }
            _ if d.severity == Severity::Error && !pre_existing => out.push(d),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_spans_and_items() {
        let text = "name = \"甲\"\n\n[[risks]]\nid = \"R01\"\nl = 3\n\n[[risks]]\nid = \"R02\"\n";
        assert_eq!(offset_of(text, 1, 1), Some(0));
        assert_eq!(offset_of(text, 5, 5), Some(text.find("3").unwrap()));
        let doc = DeTable::parse(text).unwrap();
        let s = span_of(
            doc.get_ref(),
            &[
                Seg::Key("risks".into()),
                Seg::Index(0),
                Seg::Key("l".into()),
            ],
        )
        .unwrap();
        assert_eq!(&text[s], "l = 3");
        let o = text.find("R02").unwrap();
        assert_eq!(item_above(text, o), Some(("risks".into(), 1)));
        assert_eq!(item_above(text, 3), None);
    }
}
