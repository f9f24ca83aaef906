//! `data/standards/<id>.toml`: an evaluation standard — scored items grouped in categories, plus veto items.
//! `step` (default 1) is the smallest unit an item may be scored in; it must divide one point (1, 0.5,
//! 0.25, 0.2 or 0.1) so that whole-point scores in enterprise records always lie on it.

use std::sync::Arc;

use serde::Serialize;

use super::toml_reader::{Reader, Sp, Table};
use crate::diag::{Diagnostic, SourceFile};
use crate::domain::Size;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Item {
    pub(crate) id: Sp<String>,
    pub(crate) requirement: String,
    pub(crate) points: u64,
    pub(crate) method: String,
    pub(crate) deduction: String,
    pub(crate) veto: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Category {
    pub(crate) name: String,
    pub(crate) items: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Standard {
    pub(crate) id: String,
    #[serde(skip)]
    pub(crate) src: Arc<SourceFile>,
    pub(crate) title: String,
    pub(crate) description: String,
    #[serde(serialize_with = "crate::domain::name_or_empty")]
    pub(crate) applies_to: Option<Size>,
    pub(crate) pass_line: f64,
    pub(crate) demonstration_line: f64,
    /// Smallest scoring unit in points (`step`, default 1).
    pub(crate) step: f64,
    /// `step` as written for people and for the input's `step` attribute ("1", "0.5").
    pub(crate) step_text: String,
    pub(crate) categories: Vec<Category>,
}

impl Standard {
    pub(crate) fn items(&self) -> impl Iterator<Item = &Item> {
        self.categories.iter().flat_map(|c| c.items.iter())
    }

    pub(crate) fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|i| i.id.v == id)
    }
}

const KEYS: &[&str] = &[
    "title",
    "description",
    "applies_to",
    "pass_line",
    "demonstration_line",
    "step",
    "categories",
];

/// Checks `step` and returns it with its display text. A valid step divides one point into a
/// whole number of units that also divides ten, so it is exact in decimal: 1, 0.5, 0.25, 0.2, 0.1.
fn read_step(r: &mut Reader, t: &Table) -> (f64, String) {
    let Some(step) = r.opt_num(t, "step") else {
        return (1.0, "1".into());
    };
    let units = 1.0 / step.v;
    let whole = units.round();
    if step.v > 0.0 && (units - whole).abs() < 1e-9 && [1.0, 2.0, 4.0, 5.0, 10.0].contains(&whole) {
        // f64's Display is the shortest exact form: "1", "0.5", "0.25".
        (1.0 / whole, format!("{}", 1.0 / whole))
    } else {
        r.error_hint(
            step.span,
            format!("评分步长 step = {} 无效", step.v),
            "step 必须能整除 1 分：1（默认，只打整数分）、0.5、0.25、0.2 或 0.1",
        );
        (1.0, "1".into())
    }
}

pub fn parse(src: Arc<SourceFile>, id: &str, diags: &mut Vec<Diagnostic>) -> Option<Standard> {
    let mut r = Reader::new(&src, 0);
    let doc = r.parse(&src.text);
    let std = doc.and_then(|doc| {
        let t = r.root(&doc);
        read(&mut r, &t, id, src.clone())
    });
    let ok = !r.diags.iter().any(|d| d.is_error());
    diags.append(&mut r.diags);
    std.filter(|_| ok)
}

fn read(r: &mut Reader, t: &Table, id: &str, src: Arc<SourceFile>) -> Option<Standard> {
    const W: &str = "评估标准";
    r.check_keys(t, KEYS, W);
    let title = r.str(t, "title", W);
    let applies_to = r.opt_enum::<Size>(t, "applies_to").map(|s| s.v);
    let pass_line = r.opt_num(t, "pass_line").map_or(60.0, |n| n.v);
    let demonstration_line = r
        .opt_num(t, "demonstration_line")
        .map_or(pass_line, |n| n.v);
    let (step, step_text) = read_step(r, t);
    let mut categories = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for c in r.table_list(t, "categories") {
        r.check_keys(&c, &["name", "items"], "[[categories]] ");
        let name = r
            .str(&c, "name", "[[categories]] ")
            .map(|n| n.v)
            .unwrap_or_default();
        let mut items = Vec::new();
        for it in r.table_list(&c, "items") {
            const WI: &str = "[[categories.items]] ";
            r.check_keys(
                &it,
                &["id", "requirement", "points", "method", "deduction", "veto"],
                WI,
            );
            let Some(iid) = r.str(&it, "id", WI) else {
                continue;
            };
            if seen.contains(&iid.v) {
                r.error(iid.span.clone(), format!("重复的评估项 id“{}”", iid.v));
            }
            seen.push(iid.v.clone());
            let veto = r.opt_bool(&it, "veto").is_some_and(|b| b.v);
            let points = r.opt_count(&it, "points").map_or(0, |n| n.v);
            items.push(Item {
                id: iid,
                requirement: r
                    .str(&it, "requirement", WI)
                    .map(|x| x.v)
                    .unwrap_or_default(),
                points,
                method: r.opt_str(&it, "method").map(|x| x.v).unwrap_or_default(),
                deduction: r.opt_str(&it, "deduction").map(|x| x.v).unwrap_or_default(),
                veto,
            });
        }
        categories.push(Category { name, items });
    }
    Some(Standard {
        id: id.to_string(),
        src,
        title: title?.v,
        description: r.opt_str(t, "description").map(|x| x.v).unwrap_or_default(),
        applies_to,
        pass_line,
        demonstration_line,
        step,
        step_text,
        categories,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(extra: &str) -> (Option<Standard>, Vec<Diagnostic>) {
        let text = format!(
            "title = \"t\"\n{extra}\n[[categories]]\nname = \"A\"\n[[categories.items]]\nid = \"1.1\"\nrequirement = \"r\"\npoints = 5\n"
        );
        let src = Arc::new(SourceFile {
            rel: "data/standards/t.toml".into(),
            text,
        });
        let mut diags = Vec::new();
        (parse(src, "t", &mut diags), diags)
    }

    #[test]
    fn step_defaults_to_one_point() {
        let (s, d) = load("");
        let s = s.expect("loads");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!((s.step, s.step_text.as_str()), (1.0, "1"));
    }

    #[test]
    fn step_half_point() {
        let (s, _) = load("step = 0.5");
        let s = s.expect("loads");
        assert_eq!((s.step, s.step_text.as_str()), (0.5, "0.5"));
        let (s, _) = load("step = 0.1");
        assert_eq!(s.expect("loads").step_text, "0.1");
    }

    #[test]
    fn bad_step_is_a_spanned_error() {
        for bad in ["0.3", "2", "0", "-0.5", "0.01", "\"half\""] {
            let (s, d) = load(&format!("step = {bad}"));
            assert!(s.is_none(), "step = {bad} was accepted");
            let err = d.iter().find(|d| d.is_error()).expect("an error");
            // Line 2 column 8 is the value, so the editor jumps to it.
            assert_eq!((err.line, err.column), (2, 8), "step = {bad}: {err:?}");
            assert!(err.message.contains("step"), "step = {bad}: {err:?}");
        }
    }
}
