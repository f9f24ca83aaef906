//! The repeated tables of an enterprise record (`[[risks]]`, `[[hazards]]`, `[[evaluations]]`):
//! each read into its item with the same span-keeping checks as the record itself.

use super::enterprise::{Evaluation, Hazard, Risk, s};
use super::toml_reader::{Reader, Table};
use crate::domain::{ControlLevel, HazardGrade, Level, Method, Source};

const RISK_KEYS: &[&str] = &[
    "id",
    "post",
    "unit",
    "activity",
    "hazard",
    "accidents",
    "method",
    "l",
    "e",
    "c",
    "s",
    "level",
    "control_level",
    "measures",
    "emergency",
];

pub(super) fn read_risk(r: &mut Reader, x: &Table) -> Option<Risk> {
    const W: &str = "[[risks]] ";
    r.check_keys(x, RISK_KEYS, W);
    let id = r.str(x, "id", W);
    let post = r.opt_str(x, "post").filter(|p| !p.v.is_empty());
    let unit = s(r, x, "unit");
    if post.is_none() && unit.is_empty() {
        r.error(
            x.span.start..x.span.start + 1,
            "风险必须填写 post（岗位）或 unit（单元/区域），至少一项",
        );
    }
    let accidents = r.str_list(x, "accidents");
    let method = r.enum_req::<Method>(x, "method", W);
    let control_level = r.opt_enum::<ControlLevel>(x, "control_level").map(|c| c.v);
    Some(Risk {
        id: id?,
        post,
        unit,
        activity: s(r, x, "activity"),
        hazard: s(r, x, "hazard"),
        accidents,
        method: method?,
        l: r.opt_num(x, "l"),
        e: r.opt_num(x, "e"),
        c: r.opt_num(x, "c"),
        s: r.opt_num(x, "s"),
        level: r.opt_enum::<Level>(x, "level"),
        control_level,
        measures: r.str_list(x, "measures").into_iter().map(|m| m.v).collect(),
        emergency: r
            .str_list(x, "emergency")
            .into_iter()
            .map(|m| m.v)
            .collect(),
    })
}

const HAZARD_KEYS: &[&str] = &[
    "id",
    "found",
    "source",
    "location",
    "description",
    "grade",
    "criterion",
    "risk",
    "measures",
    "funds_yuan",
    "deadline",
    "responsible",
    "contingency",
    "rectified",
    "accepted",
];

pub(super) fn read_hazard(r: &mut Reader, x: &Table) -> Option<Hazard> {
    const W: &str = "[[hazards]] ";
    r.check_keys(x, HAZARD_KEYS, W);
    let id = r.str(x, "id", W);
    let found = r.date_req(x, "found", W);
    let source = r.opt_enum::<Source>(x, "source").map(|v| v.v);
    let description = r.str(x, "description", W);
    let grade = r.enum_req::<HazardGrade>(x, "grade", W);
    Some(Hazard {
        id: id?,
        found: found?,
        source,
        location: s(r, x, "location"),
        description: description?.v,
        grade: grade?,
        criterion: s(r, x, "criterion"),
        risk: r.opt_str(x, "risk").filter(|v| !v.v.is_empty()),
        measures: s(r, x, "measures"),
        funds_yuan: r.opt_num(x, "funds_yuan").map(|n| n.v),
        deadline: r.opt_date(x, "deadline"),
        responsible: s(r, x, "responsible"),
        contingency: s(r, x, "contingency"),
        rectified: r.opt_date(x, "rectified"),
        accepted: r.opt_date(x, "accepted"),
    })
}

pub(super) fn read_evaluation(r: &mut Reader, x: &Table) -> Option<Evaluation> {
    const W: &str = "[[evaluations]] ";
    r.check_keys(
        x,
        &[
            "date",
            "standard",
            "by",
            "not_applicable",
            "vetoed",
            "scores",
        ],
        W,
    );
    let date = r.date_req(x, "date", W);
    let standard = r.str(x, "standard", W);
    let mut scores = Vec::new();
    if let Some(sc) = r.opt_table(x, "scores") {
        for (key, v) in r.keys(&sc) {
            if let Some(n) = r.int_value(v, &key.v) {
                scores.push((key, n));
            }
        }
    }
    Some(Evaluation {
        date: date?,
        standard: standard?,
        by: s(r, x, "by"),
        not_applicable: r.str_list(x, "not_applicable"),
        vetoed: r.str_list(x, "vetoed"),
        scores,
        span: x.span.clone(),
    })
}
