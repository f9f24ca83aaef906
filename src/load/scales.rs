//! The grading vocabulary of `data/site.toml`, stated once for both manuals and the checks: the
//! LEC and LS factor tables with their descriptions (`[scales]`), the rules for grading a risk
//! directly as 重大 (`[direct_grading]`), the accident categories (`[accidents]`) and the size
//! rule's thresholds (`[size_rule]`). A site that leaves a table out gets the classic one.

use serde::Serialize;

use super::toml_reader::{Reader, Table};

/// One row of a factor table: the value and what it means.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Factor {
    pub(crate) value: f64,
    pub(crate) text: String,
    /// How to recognise it (LS tables); may be empty.
    pub(crate) note: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Scales {
    pub(crate) lec_l: Vec<Factor>,
    pub(crate) lec_e: Vec<Factor>,
    pub(crate) lec_c: Vec<Factor>,
    pub(crate) ls_l: Vec<Factor>,
    pub(crate) ls_s: Vec<Factor>,
    /// When a risk is graded 重大 without scoring.
    pub(crate) direct_rules: Vec<String>,
    /// What is not a risk level (an unmet control is a hazard), said under the rules.
    pub(crate) direct_note: String,
    /// The standard the categories come from, e.g. `GB/T 6441—1986《企业职工伤亡事故分类》`.
    pub(crate) accident_standard: String,
    pub(crate) accidents: Vec<String>,
    /// 《统计上大中小微型企业划分办法（2017）》: the least staff of a 中型 enterprise.
    pub(crate) medium_min_staff_industry: u64,
    pub(crate) medium_min_staff_warehouse: u64,
}

fn f(value: f64, text: &str) -> Factor {
    Factor {
        value,
        text: text.into(),
        note: String::new(),
    }
}

/// GB/T 6441—1986's twenty categories (a recommended standard; see the handbook's sources page).
const GB6441_1986: &[&str] = &[
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其他爆炸",
    "中毒和窒息",
    "其他伤害",
];

impl Default for Scales {
    /// The classic LEC tables and the 1–5 LS scales, for a site that does not state its own.
    fn default() -> Self {
        Scales {
            lec_l: vec![
                f(10.0, "完全可以预料"),
                f(6.0, "相当可能"),
                f(3.0, "可能，但不经常"),
                f(1.0, "可能性小，完全意外"),
                f(0.5, "很不可能，可以设想"),
                f(0.2, "极不可能"),
                f(0.1, "实际不可能"),
            ],
            lec_e: vec![
                f(10.0, "连续暴露"),
                f(6.0, "每天工作时间内暴露"),
                f(3.0, "每周一次或偶然暴露"),
                f(2.0, "每月一次暴露"),
                f(1.0, "每年几次暴露"),
                f(0.5, "非常罕见地暴露"),
            ],
            lec_c: vec![
                f(100.0, "大灾难，许多人死亡"),
                f(40.0, "灾难，数人死亡"),
                f(15.0, "非常严重，一人死亡"),
                f(7.0, "严重，重伤"),
                f(3.0, "重大，致残"),
                f(1.0, "引人注目，需要救护"),
            ],
            ls_l: (1..=5).rev().map(|v| f(v as f64, "")).collect(),
            ls_s: (1..=5).rev().map(|v| f(v as f64, "")).collect(),
            direct_rules: Vec::new(),
            direct_note: String::new(),
            accident_standard: "GB/T 6441—1986《企业职工伤亡事故分类》".into(),
            accidents: GB6441_1986.iter().map(|s| s.to_string()).collect(),
            medium_min_staff_industry: 300,
            medium_min_staff_warehouse: 100,
        }
    }
}

pub(crate) const KEYS: &[&str] = &["scales", "direct_grading", "accidents", "size_rule"];

pub(crate) fn read(r: &mut Reader, t: &Table) -> Scales {
    let mut s = Scales::default();
    if let Some(sc) = r.opt_table(t, "scales") {
        r.check_keys(&sc, &["lec", "ls"], "[scales] ");
        if let Some(lec) = r.opt_table(&sc, "lec") {
            r.check_keys(&lec, &["l", "e", "c"], "[scales.lec] ");
            for (key, into) in [
                ("l", &mut s.lec_l),
                ("e", &mut s.lec_e),
                ("c", &mut s.lec_c),
            ] {
                if let Some(list) = factors(r, &lec, key, "[scales.lec] ") {
                    *into = list;
                }
            }
        }
        if let Some(ls) = r.opt_table(&sc, "ls") {
            r.check_keys(&ls, &["l", "s"], "[scales.ls] ");
            for (key, into) in [("l", &mut s.ls_l), ("s", &mut s.ls_s)] {
                if let Some(list) = factors(r, &ls, key, "[scales.ls] ") {
                    if list.iter().any(|x| x.value.fract() != 0.0 || x.value < 1.0) {
                        let span = ls.span.clone();
                        r.error(span, format!("[scales.ls] 的 {key} 取值应为正整数"));
                    }
                    *into = list;
                }
            }
        }
    }
    if let Some(d) = r.opt_table(t, "direct_grading") {
        r.check_keys(&d, &["rules", "note"], "[direct_grading] ");
        s.direct_rules = r.str_list(&d, "rules").into_iter().map(|x| x.v).collect();
        s.direct_note = r.opt_str(&d, "note").map(|x| x.v).unwrap_or_default();
    }
    if let Some(a) = r.opt_table(t, "accidents") {
        r.check_keys(&a, &["standard", "categories"], "[accidents] ");
        let list = r.str_list(&a, "categories");
        if list.is_empty() {
            let span = a.span.clone();
            r.error(span, "[accidents] 的 categories 不能为空");
        } else {
            s.accidents = list.into_iter().map(|x| x.v).collect();
        }
        s.accident_standard = r.opt_str(&a, "standard").map(|x| x.v).unwrap_or_default();
    }
    if let Some(z) = r.opt_table(t, "size_rule") {
        r.check_keys(
            &z,
            &["medium_min_staff_industry", "medium_min_staff_warehouse"],
            "[size_rule] ",
        );
        if let Some(n) = r.opt_count(&z, "medium_min_staff_industry") {
            s.medium_min_staff_industry = n.v;
        }
        if let Some(n) = r.opt_count(&z, "medium_min_staff_warehouse") {
            s.medium_min_staff_warehouse = n.v;
        }
    }
    s
}

/// `key = [{ value = 10, text = "…", note = "…" }, …]`; `None` when missing or wrong.
fn factors(r: &mut Reader, t: &Table, key: &str, what: &str) -> Option<Vec<Factor>> {
    if !t.entries.contains_key(key) {
        return None;
    }
    let mut out: Vec<Factor> = Vec::new();
    for row in r.table_list(t, key) {
        r.check_keys(&row, &["value", "text", "note"], what);
        let value = r.opt_num(&row, "value");
        let text = r.str(&row, "text", what);
        let (Some(value), Some(text)) = (value, text) else {
            if !row.entries.contains_key("value") {
                let span = row.span.clone();
                r.error(span, format!("{what}{key} 的每一行都要有 value"));
            }
            continue;
        };
        if out.iter().any(|x| x.value == value.v) {
            r.error(value.span, format!("{what}{key} 的取值 {} 重复", value.v));
            continue;
        }
        out.push(Factor {
            value: value.v,
            text: text.v,
            note: r.opt_str(&row, "note").map(|x| x.v).unwrap_or_default(),
        });
    }
    (!out.is_empty()).then_some(out)
}
