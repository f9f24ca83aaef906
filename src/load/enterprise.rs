//! `data/enterprises/<slug>.toml`: one enterprise's file (一企一档) as its editors wrote it.
//! Only shape and types are checked here; references and derived facts belong to the model.

use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use super::record_items::{read_evaluation, read_hazard, read_risk};
use super::toml_reader::{Reader, Sp, Table};
use crate::diag::{Diagnostic, SourceFile};
use crate::domain::{
    ActionKind, ContactMode, ControlLevel, HazardGrade, HighRisk, Industry, Kind, Level, Method,
    RedLineKind, Size, Source,
};

#[derive(Debug, Clone, Serialize, Default)]
pub struct SafetyOrg {
    pub safety_department: bool,
    pub full_time_safety_staff: u64,
    pub part_time_safety_staff: u64,
    /// 注册安全工程师 on the staff; `None` when the record does not say.
    pub registered_safety_engineers: Option<u64>,
    /// Where `[safety_org]` is (or the file start when missing), for the staffing checks.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
    #[serde(skip)]
    pub engineers_span: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Process {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Equipment {
    pub name: String,
    pub count: u64,
    pub special: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Post {
    pub name: Sp<String>,
    pub headcount: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    pub id: Sp<String>,
    pub post: Option<Sp<String>>,
    pub unit: String,
    pub activity: String,
    pub hazard: String,
    /// Checked against site.toml's `[accidents]` in the model.
    pub accidents: Vec<Sp<String>>,
    pub method: Sp<Method>,
    pub l: Option<Sp<f64>>,
    pub e: Option<Sp<f64>>,
    pub c: Option<Sp<f64>>,
    pub s: Option<Sp<f64>>,
    pub level: Option<Sp<Level>>,
    #[serde(serialize_with = "crate::domain::name_or_empty")]
    pub control_level: Option<ControlLevel>,
    pub measures: Vec<String>,
    pub emergency: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hazard {
    pub id: Sp<String>,
    pub found: Sp<Date>,
    #[serde(serialize_with = "crate::domain::name_or_empty")]
    pub source: Option<Source>,
    pub location: String,
    pub description: String,
    pub grade: Sp<HazardGrade>,
    pub criterion: String,
    pub risk: Option<Sp<String>>,
    pub measures: String,
    pub funds_yuan: Option<f64>,
    pub deadline: Option<Sp<Date>>,
    pub responsible: String,
    pub contingency: String,
    pub rectified: Option<Sp<Date>>,
    pub accepted: Option<Sp<Date>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RedLine {
    pub kind: RedLineKind,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Whistle {
    pub period: String,
    pub received: u64,
    pub verified: u64,
    pub rewarded: u64,
    pub reward_yuan: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub date: Sp<Date>,
    pub liaison: Sp<String>,
    #[serde(serialize_with = "crate::domain::name_or_empty")]
    pub mode: Option<ContactMode>,
    pub notes: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub date: Sp<Date>,
    pub standard: Sp<String>,
    pub by: String,
    pub not_applicable: Vec<Sp<String>>,
    pub vetoed: Vec<Sp<String>>,
    pub scores: Vec<(Sp<String>, Sp<i64>)>,
    /// Where the evaluation's table starts, for "item not scored" errors.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub date: Date,
    pub kind: ActionKind,
    pub reason: String,
}

/// A person in `[private]`: never written by the public profile.
#[derive(Debug, Clone, Serialize)]
pub struct PrivatePerson {
    pub role: String,
    pub name: String,
    pub phone: String,
    pub id_number: String,
    pub certificate: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnterpriseRecord {
    pub slug: String,
    #[serde(skip)]
    pub src: Arc<SourceFile>,
    pub name: Sp<String>,
    pub uscc: Sp<String>,
    pub address: String,
    pub village: Option<Sp<String>>,
    pub department: Option<Sp<String>>,
    pub liaison: Option<Sp<String>>,
    pub industry: Industry,
    pub kind: Kind,
    pub size: Size,
    pub employees: Sp<u64>,
    pub high_risk: Vec<Sp<HighRisk>>,
    pub landlord: String,
    /// Produces, sells, stores or loads 危险物品 (安全生产法第二十四条); 涉重点监管危险化工工艺 implies it.
    pub hazardous_goods: bool,
    #[serde(skip)]
    pub hazardous_goods_span: std::ops::Range<usize>,
    pub demonstration: bool,
    /// Where `demonstration = true` is written, for the town-wide demonstration checks.
    #[serde(skip)]
    pub demonstration_span: std::ops::Range<usize>,
    pub safety_code_url: Sp<String>,
    pub emergency_phone: String,
    pub safety_org: SafetyOrg,
    pub processes: Vec<Process>,
    pub equipment: Vec<Equipment>,
    pub milestones: Vec<(Sp<String>, Sp<Date>)>,
    pub posts: Vec<Post>,
    pub risks: Vec<Risk>,
    pub hazards: Vec<Hazard>,
    pub red_lines: Vec<RedLine>,
    pub whistleblower: Vec<Whistle>,
    pub contacts: Vec<Contact>,
    pub evaluations: Vec<Evaluation>,
    pub actions: Vec<Action>,
    #[serde(skip)]
    pub private: Vec<PrivatePerson>,
}

const KEYS: &[&str] = &[
    "name",
    "uscc",
    "address",
    "village",
    "department",
    "liaison",
    "industry",
    "kind",
    "size",
    "employees",
    "high_risk",
    "landlord",
    "hazardous_goods",
    "demonstration",
    "safety_code_url",
    "emergency_phone",
    "safety_org",
    "processes",
    "equipment",
    "milestones",
    "posts",
    "risks",
    "hazards",
    "red_lines",
    "whistleblower",
    "contacts",
    "evaluations",
    "actions",
    "private",
];

/// Parses one record. `None` when the file has errors (they are in `diags`).
pub fn parse(
    src: Arc<SourceFile>,
    slug: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<EnterpriseRecord> {
    let mut r = Reader::new(&src, 0);
    let doc = r.parse(&src.text);
    let rec = doc.and_then(|doc| {
        let t = r.root(&doc);
        read(&mut r, &t, slug, src.clone())
    });
    let ok = !r.diags.iter().any(|d| d.is_error());
    diags.append(&mut r.diags);
    rec.filter(|_| ok)
}

pub(super) fn s(r: &mut Reader, t: &Table, k: &str) -> String {
    r.opt_str(t, k).map(|x| x.v).unwrap_or_default()
}

fn read(r: &mut Reader, t: &Table, slug: &str, src: Arc<SourceFile>) -> Option<EnterpriseRecord> {
    const W: &str = "企业档案";
    r.check_keys(t, KEYS, W);
    let name = r.str(t, "name", W);
    let uscc = r.str(t, "uscc", W);
    let village = r.opt_str(t, "village").filter(|v| !v.v.is_empty());
    let department = r.opt_str(t, "department").filter(|v| !v.v.is_empty());
    if village.is_none()
        && department.is_none()
        && !t.entries.contains_key("village")
        && !t.entries.contains_key("department")
    {
        r.error_hint(
            0..1,
            "企业未分配到任何村（社区）或部门（不漏一企）",
            "填写 village 或 department，至少一项",
        );
    }
    let liaison = r.str(t, "liaison", W);
    let industry = r.enum_req::<Industry>(t, "industry", W);
    let kind = r.enum_req::<Kind>(t, "kind", W);
    let demonstration = r.opt_bool(t, "demonstration");
    let size = r.enum_req::<Size>(t, "size", W);
    let employees = if t.entries.contains_key("employees") {
        r.opt_count(t, "employees")
    } else {
        r.error(0..1, format!("{W}缺少必填字段“employees”"));
        None
    };
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
    let safety_org = r.opt_table(t, "safety_org").map(|o| {
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
    });
    let hazardous_goods = r.opt_bool(t, "hazardous_goods");
    let processes = r
        .table_list(t, "processes")
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
        .collect();
    let equipment = r
        .table_list(t, "equipment")
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
        .collect();
    let mut milestones = Vec::new();
    if let Some(m) = r.opt_table(t, "milestones") {
        for (key, _) in r.keys(&m) {
            if let Some(d) = r.opt_date(&m, &key.v) {
                milestones.push((key, d));
            }
        }
    }
    let posts = r
        .table_list(t, "posts")
        .iter()
        .filter_map(|p| {
            r.check_keys(p, &["name", "headcount"], "[[posts]] ");
            let name = r.str(p, "name", "[[posts]] ")?;
            Some(Post {
                name,
                headcount: r.opt_count(p, "headcount").map_or(0, |n| n.v),
            })
        })
        .collect();
    let risks = r
        .table_list(t, "risks")
        .iter()
        .filter_map(|x| read_risk(r, x))
        .collect();
    let hazards = r
        .table_list(t, "hazards")
        .iter()
        .filter_map(|x| read_hazard(r, x))
        .collect();
    let red_lines = r
        .table_list(t, "red_lines")
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
        .collect();
    let whistleblower = r
        .table_list(t, "whistleblower")
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
        .collect();
    let contacts = r
        .table_list(t, "contacts")
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
        .collect();
    let evaluations = r
        .table_list(t, "evaluations")
        .iter()
        .filter_map(|x| read_evaluation(r, x))
        .collect();
    let actions = r
        .table_list(t, "actions")
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
        .collect();
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
    Some(EnterpriseRecord {
        slug: slug.to_string(),
        src,
        name: name?,
        uscc: uscc?,
        address: s(r, t, "address"),
        village,
        department,
        liaison,
        industry: industry?.v,
        kind: kind?.v,
        size: size?.v,
        employees: employees?,
        high_risk,
        landlord: s(r, t, "landlord"),
        hazardous_goods: hazardous_goods.as_ref().is_some_and(|b| b.v),
        hazardous_goods_span: hazardous_goods.map_or(0..1, |b| b.span),
        demonstration: demonstration.as_ref().is_some_and(|b| b.v),
        demonstration_span: demonstration.map_or(0..1, |b| b.span),
        safety_code_url: r
            .opt_str(t, "safety_code_url")
            .unwrap_or_else(|| Sp::new(String::new(), 0..0)),
        emergency_phone: s(r, t, "emergency_phone"),
        safety_org: safety_org.unwrap_or_default(),
        processes,
        equipment,
        milestones,
        posts,
        risks,
        hazards,
        red_lines,
        whistleblower,
        contacts,
        evaluations,
        actions,
        private,
    })
}
