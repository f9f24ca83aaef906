//! `data/standards/<id>.toml`: an evaluation standard — scored items grouped in categories, plus veto items.

use std::sync::Arc;

use serde::Serialize;

use super::toml_reader::{Reader, Sp, Table};
use crate::diag::{Diagnostic, SourceFile};

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: Sp<String>,
    pub requirement: String,
    pub points: u64,
    pub method: String,
    pub deduction: String,
    pub veto: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Category {
    pub name: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Standard {
    pub id: String,
    #[serde(skip)]
    pub src: Arc<SourceFile>,
    pub title: String,
    pub description: String,
    pub applies_to: String,
    pub pass_line: f64,
    pub demonstration_line: f64,
    pub categories: Vec<Category>,
}

impl Standard {
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.categories.iter().flat_map(|c| c.items.iter())
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|i| i.id.v == id)
    }
}

const KEYS: &[&str] = &[
    "title",
    "description",
    "applies_to",
    "pass_line",
    "demonstration_line",
    "categories",
];

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
    let applies_to = r
        .opt_enum(t, "applies_to", super::enterprise::SIZES)
        .map(|s| s.v)
        .unwrap_or_default();
    let pass_line = r.opt_num(t, "pass_line").map_or(60.0, |n| n.v);
    let demonstration_line = r
        .opt_num(t, "demonstration_line")
        .map_or(pass_line, |n| n.v);
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
        categories,
    })
}
