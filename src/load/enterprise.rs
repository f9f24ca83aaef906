//! `data/enterprises/<slug>.toml`: one enterprise's file (一企一档) as its editors wrote it.
//! Only shape and types are checked here; references and derived facts belong to the model.

use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use super::record_items::{
    read_actions, read_contacts, read_equipment, read_evaluation, read_hazard, read_high_risk,
    read_milestones, read_posts, read_private, read_processes, read_red_lines, read_risk,
    read_safety_org, read_whistleblower,
};
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
    let high_risk = read_high_risk(r, t);
    let safety_org = read_safety_org(r, t);
    let hazardous_goods = r.opt_bool(t, "hazardous_goods");
    let processes = read_processes(r, t);
    let equipment = read_equipment(r, t);
    let milestones = read_milestones(r, t);
    let posts = read_posts(r, t);
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
    let red_lines = read_red_lines(r, t);
    let whistleblower = read_whistleblower(r, t);
    let contacts = read_contacts(r, t);
    let evaluations = r
        .table_list(t, "evaluations")
        .iter()
        .filter_map(|x| read_evaluation(r, x))
        .collect();
    let actions = read_actions(r, t);
    let private = read_private(r, t);
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
