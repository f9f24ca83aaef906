//! The tables of an enterprise record (`[[risks]]`, `[[hazards]]`, `[[evaluations]]`, `[[posts]]`,
//! `[safety_org]`, `[private]`…): each read into its items with the same span-keeping checks as the
//! record itself.

use jiff::civil::Date;

use super::enterprise::{
    Action, Contact, Equipment, Evaluation, Hazard, Post, PrivatePerson, Process, RedLine, Risk,
    SafetyOrg, Whistle, s,
};
use super::toml_reader::{Reader, Sp, Table};
use crate::domain::{
    ActionKind, ContactMode, ControlLevel, HazardGrade, HighRisk, Level, Method, RedLineKind,
    Source,
};

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
    })
}

/// the high-risk categories, each once
pub(super) fn read_high_risk(r: &mut Reader, t: &Table) -> Vec<Sp<HighRisk>> {
    let mut high_risk = Vec::new();
    for h in r.str_list(t, "high_risk") {
        match HighRisk::from_name(&h.v) {
            Some(c) => {
                if high_risk.iter().any(|x: &Sp<HighRisk>| x.v == c) {
                    r.error(h.span.clone(), format!("重复的高风险类别“{}”", h.v));
                }
                high_risk.push(Sp::new(c, h.span));
            }
            None => r.bad_enum(&h, "high_risk", HighRisk::NAMES),
        }
    }
    high_risk
}

/// `[safety_org]`: the safety body and staff
pub(super) fn read_safety_org(r: &mut Reader, t: &Table) -> Option<SafetyOrg> {
    r.opt_table(t, "safety_org").map(|o| {
        r.check_keys(
            &o,
            &[
                "safety_department",
                "full_time_safety_staff",
                "part_time_safety_staff",
                "registered_safety_engineers",
            ],
            "[safety_org] ",
        );
        let engineers = r.opt_count(&o, "registered_safety_engineers");
        SafetyOrg {
            safety_department: r.opt_bool(&o, "safety_department").is_some_and(|b| b.v),
            full_time_safety_staff: r.opt_count(&o, "full_time_safety_staff").map_or(0, |n| n.v),
            part_time_safety_staff: r.opt_count(&o, "part_time_safety_staff").map_or(0, |n| n.v),
            registered_safety_engineers: engineers.as_ref().map(|n| n.v),
            engineers_span: engineers.map_or(o.span.clone(), |n| n.span),
            span: o.span.clone(),
        }
    })
}

/// `[[processes]]`
pub(super) fn read_processes(r: &mut Reader, t: &Table) -> Vec<Process> {
    r.table_list(t, "processes")
        .iter()
        .map(|p| {
            r.check_keys(p, &["name", "description"], "[[processes]] ");
            Process {
                name: r
                    .str(p, "name", "[[processes]] ")
                    .map(|x| x.v)
                    .unwrap_or_default(),
                description: s(r, p, "description"),
            }
        })
        .collect()
}

/// `[[equipment]]`
pub(super) fn read_equipment(r: &mut Reader, t: &Table) -> Vec<Equipment> {
    r.table_list(t, "equipment")
        .iter()
        .map(|e| {
            r.check_keys(e, &["name", "count", "special"], "[[equipment]] ");
            Equipment {
                name: r
                    .str(e, "name", "[[equipment]] ")
                    .map(|x| x.v)
                    .unwrap_or_default(),
                count: r.opt_count(e, "count").map_or(1, |n| n.v),
                special: r.opt_bool(e, "special").is_some_and(|b| b.v),
            }
        })
        .collect()
}

/// `[milestones]`: key = date
pub(super) fn read_milestones(r: &mut Reader, t: &Table) -> Vec<(Sp<String>, Sp<Date>)> {
    let mut milestones = Vec::new();
    if let Some(m) = r.opt_table(t, "milestones") {
        for (key, _) in r.keys(&m) {
            if let Some(d) = r.opt_date(&m, &key.v) {
                milestones.push((key, d));
            }
        }
    }
    milestones
}

/// `[[posts]]`
pub(super) fn read_posts(r: &mut Reader, t: &Table) -> Vec<Post> {
    r.table_list(t, "posts")
        .iter()
        .filter_map(|p| {
            r.check_keys(p, &["name", "headcount"], "[[posts]] ");
            let name = r.str(p, "name", "[[posts]] ")?;
            Some(Post {
                name,
                headcount: r.opt_count(p, "headcount").map_or(0, |n| n.v),
            })
        })
        .collect()
}

/// `[[red_lines]]`
pub(super) fn read_red_lines(r: &mut Reader, t: &Table) -> Vec<RedLine> {
    r.table_list(t, "red_lines")
        .iter()
        .filter_map(|x| {
            r.check_keys(x, &["kind", "text"], "[[red_lines]] ");
            let kind = r.enum_req::<RedLineKind>(x, "kind", "[[red_lines]] ");
            let text = r.str(x, "text", "[[red_lines]] ");
            Some(RedLine {
                kind: kind?.v,
                text: text?.v,
            })
        })
        .collect()
}

/// `[[whistleblower]]`: reports received and rewarded per period
pub(super) fn read_whistleblower(r: &mut Reader, t: &Table) -> Vec<Whistle> {
    r.table_list(t, "whistleblower")
        .iter()
        .map(|x| {
            r.check_keys(
                x,
                &["period", "received", "verified", "rewarded", "reward_yuan"],
                "[[whistleblower]] ",
            );
            Whistle {
                period: r
                    .str(x, "period", "[[whistleblower]] ")
                    .map(|p| p.v)
                    .unwrap_or_default(),
                received: r.opt_count(x, "received").map_or(0, |n| n.v),
                verified: r.opt_count(x, "verified").map_or(0, |n| n.v),
                rewarded: r.opt_count(x, "rewarded").map_or(0, |n| n.v),
                reward_yuan: r.opt_num(x, "reward_yuan").map_or(0.0, |n| n.v),
            }
        })
        .collect()
}

/// `[[contacts]]`: the liaison's monthly contacts
pub(super) fn read_contacts(r: &mut Reader, t: &Table) -> Vec<Contact> {
    r.table_list(t, "contacts")
        .iter()
        .filter_map(|x| {
            r.check_keys(x, &["date", "liaison", "mode", "notes"], "[[contacts]] ");
            let date = r.date_req(x, "date", "[[contacts]] ");
            let liaison = r.str(x, "liaison", "[[contacts]] ");
            let mode = r.opt_enum::<ContactMode>(x, "mode").map(|m| m.v);
            Some(Contact {
                date: date?,
                liaison: liaison?,
                mode,
                notes: s(r, x, "notes"),
            })
        })
        .collect()
}

/// `[[actions]]`: the town's supervision actions
pub(super) fn read_actions(r: &mut Reader, t: &Table) -> Vec<Action> {
    r.table_list(t, "actions")
        .iter()
        .filter_map(|x| {
            r.check_keys(x, &["date", "kind", "reason"], "[[actions]] ");
            let date = r.date_req(x, "date", "[[actions]] ");
            let kind = r.enum_req::<ActionKind>(x, "kind", "[[actions]] ");
            Some(Action {
                date: date?.v,
                kind: kind?.v,
                reason: s(r, x, "reason"),
            })
        })
        .collect()
}

/// `[private]`: the people, only for the internal profile
pub(super) fn read_private(r: &mut Reader, t: &Table) -> Vec<PrivatePerson> {
    let mut private = Vec::new();
    if let Some(p) = r.opt_table(t, "private") {
        for (role, _) in r.keys(&p) {
            if let Some(person) = r.opt_table(&p, &role.v) {
                r.check_keys(
                    &person,
                    &["name", "phone", "id_number", "certificate"],
                    "[private] 中的人员",
                );
                private.push(PrivatePerson {
                    role: role.v.clone(),
                    name: s(r, &person, "name"),
                    phone: s(r, &person, "phone"),
                    id_number: s(r, &person, "id_number"),
                    certificate: s(r, &person, "certificate"),
                });
            }
        }
    }
    private
}
