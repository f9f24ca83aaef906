//! One enterprise resolved against the site: references checked (village, liaison, post, risk,
//! standard, milestone…), and the facts that follow from the as-of date derived once — risk levels,
//! hazard states, deadline status, missed contact months, evaluation scores.

use jiff::civil::Date;
use serde::Serialize;

use super::dates::{days_between, month_index, month_label};
use super::risk::{self, Level};
use super::scoring::{self, Score};
use super::status::{self, Status};
use super::uscc::{self, UsccError};
use crate::diag::{Diagnostic, suggest};
use crate::load::enterprise::{EnterpriseRecord, Evaluation, Hazard, Risk};
use crate::load::site_config::SiteConfig;
use crate::load::standard::Standard;

#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    pub name: &'static str,
    pub class: &'static str,
    pub colour: &'static str,
}

impl From<Level> for LevelView {
    fn from(l: Level) -> Self {
        LevelView {
            name: l.name(),
            class: l.class(),
            colour: l.colour(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RiskView {
    #[serde(flatten)]
    pub r: Risk,
    /// `720` or `R = 20`; empty for 直接判定.
    pub score: String,
    pub formula: String,
    #[serde(skip)]
    pub level_value: Level,
    pub level: LevelView,
    /// The level computed from the factors, when it differs from the declared one.
    pub computed: Option<LevelView>,
    pub declared: Option<LevelView>,
    /// The post or unit the risk is grouped under.
    pub group: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RiskGroup {
    pub name: String,
    pub headcount: Option<u64>,
    pub highest: LevelView,
    pub risks: Vec<usize>,
    /// Anchor-safe index, used for card page ids.
    pub index: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HazardState {
    Open,
    Overdue,
    Rectified,
    Closed,
}

#[derive(Debug, Clone, Serialize)]
pub struct HazardView {
    #[serde(flatten)]
    pub h: Hazard,
    /// Position in the record (the views are sorted overdue first).
    #[serde(skip)]
    pub seq: usize,
    pub state: HazardState,
    /// 整改中 / 逾期 N 天 / 待验收 / 已销号
    pub state_text: String,
    pub state_class: &'static str,
    pub overdue_days: i64,
    pub major: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    pub key: String,
    pub name: String,
    pub date: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationView {
    #[serde(flatten)]
    pub e: Evaluation,
    pub standard_title: String,
    pub score: Score,
    /// Item id → awarded, for the report table.
    pub item_scores: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthView {
    pub month: String,
    pub contacted: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EnterpriseRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Enterprise {
    /// The record as loaded, except `risks` and `hazards`, which have moved into `risk_views`
    /// and `hazard_views` (left empty here).
    #[serde(flatten)]
    pub rec: EnterpriseRecord,
    pub liaison_title: String,
    #[serde(skip)]
    pub liaison_name: String,
    #[serde(skip)]
    pub liaison_phone: String,
    pub deadline: Option<Date>,
    pub deadline_group: &'static str,
    #[serde(skip)]
    pub status_value: Status,
    /// 已达标 / 已达标（逾期完成） / 推进中 / 已逾期
    pub status: &'static str,
    /// 已达标 / 推进中 / 已逾期: the dashboard group.
    pub status_group: &'static str,
    pub status_class: &'static str,
    pub passed_late: bool,
    /// One sentence: why the status is what it is.
    pub status_reason: String,
    /// High-risk categories as shown: the record's own, plus 厂中厂（出租方） for a lessor.
    pub categories: Vec<String>,
    /// Enterprises whose `landlord` names this one (厂中厂 tenants).
    pub tenants: Vec<EnterpriseRef>,
    /// The record of this enterprise's landlord, when there is one.
    pub landlord_ref: Option<EnterpriseRef>,
    pub milestone_views: Vec<MilestoneView>,
    pub milestones_done: usize,
    pub milestones_total: usize,
    pub risk_views: Vec<RiskView>,
    pub risk_groups: Vec<RiskGroup>,
    /// Count per level, strictest first.
    pub level_counts: [usize; 4],
    pub hazard_views: Vec<HazardView>,
    /// Not yet closed: 整改中 + 逾期 + 待验收.
    pub open_hazards: usize,
    /// Past the deadline and not closed (逾期, and 待验收 past the deadline).
    pub overdue_hazards: usize,
    /// Rectified, waiting for acceptance (待验收).
    pub awaiting_acceptance: usize,
    pub open_major_hazards: usize,
    pub months: Vec<MonthView>,
    pub missed_months: Vec<String>,
    pub this_month_missing: bool,
    pub last_contact: Option<Date>,
    pub evaluation_views: Vec<EvaluationView>,
    pub latest_score: Option<Score>,
    pub special_equipment: u64,
    pub has_story: bool,
    #[serde(skip)]
    pub story: Option<String>,
}

/// Resolves one record. Problems go to `diags`; the result is still built so the other files can be checked.
/// A link written into pages must be http(s); anything else (`javascript:`, `data:`) is dropped.
fn safe_url(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("https://") || u.starts_with("http://")
}

pub fn derive(
    rec: EnterpriseRecord,
    cfg: &SiteConfig,
    standards: &[Standard],
    as_of: Date,
    diags: &mut Vec<Diagnostic>,
) -> Enterprise {
    let mut rec = rec;
    let src = rec.src.clone();
    if !rec.safety_code_url.v.is_empty() && !safe_url(&rec.safety_code_url.v) {
        diags.push(
            Diagnostic::warning_at(
                &src,
                rec.safety_code_url.span.clone(),
                "safety_code_url 不是 http:// 或 https:// 地址，页面上不显示此链接",
            )
            .with_hint("填写省平台安全码页面的完整网址，例如 https://…"),
        );
        rec.safety_code_url.v.clear();
    }
    let err = |diags: &mut Vec<Diagnostic>, span: std::ops::Range<usize>, msg: String| {
        diags.push(Diagnostic::error_at(&src, span, msg));
    };

    match uscc::check(&rec.uscc.v) {
        Ok(()) => {}
        Err(UsccError::Length(n)) => err(
            diags,
            rec.uscc.span.clone(),
            format!("统一社会信用代码应为 18 位，这里是 {n} 位"),
        ),
        Err(UsccError::BadChar(i, c)) => diags.push(
            Diagnostic::error_at(
                &src,
                rec.uscc.span.clone(),
                format!("统一社会信用代码第 {i} 位“{c}”不是有效字符"),
            )
            .with_hint("只能使用数字和大写字母，不含 I、O、S、V、Z"),
        ),
        Err(UsccError::Check(expected)) => diags.push(
            Diagnostic::error_at(
                &src,
                rec.uscc.span.clone(),
                format!("统一社会信用代码校验位错误：最后一位应为“{expected}”"),
            )
            .with_hint("核对营业执照上的代码，常见错误是抄错了某一位"),
        ),
    }

    let names = |list: &[crate::load::toml_reader::Sp<String>]| {
        list.iter().map(|v| v.v.clone()).collect::<Vec<_>>()
    };
    if let Some(v) = &rec.village {
        check_ref(diags, &src, v, &names(&cfg.villages), "村（社区）");
    }
    if let Some(d) = &rec.department {
        check_ref(diags, &src, d, &names(&cfg.departments), "部门");
    }
    let liaison_ids: Vec<String> = cfg.liaisons.iter().map(|l| l.id.v.clone()).collect();
    let liaison = rec.liaison.as_ref().and_then(|l| {
        check_ref(diags, &src, l, &liaison_ids, "联络员");
        cfg.liaisons.iter().find(|x| x.id.v == l.v)
    });

    super::law::check(&rec, cfg, &src, diags);

    // Milestones.
    let keys: Vec<String> = cfg.milestones.iter().map(|m| m.key.clone()).collect();
    for (k, _) in &rec.milestones {
        check_ref(diags, &src, k, &keys, "里程碑");
    }
    let milestone_views: Vec<MilestoneView> = cfg
        .milestones
        .iter()
        .map(|m| MilestoneView {
            key: m.key.clone(),
            name: m.name.clone(),
            date: rec
                .milestones
                .iter()
                .find(|(k, d)| k.v == m.key && d.v <= as_of)
                .map(|(_, d)| d.v),
        })
        .collect();
    let milestones_done = milestone_views.iter().filter(|m| m.date.is_some()).count();

    // Posts and risks.
    let mut post_names: Vec<String> = Vec::new();
    let mut seen_posts = std::collections::HashSet::new();
    for p in &rec.posts {
        if !seen_posts.insert(p.name.v.as_str()) {
            err(
                diags,
                p.name.span.clone(),
                format!("岗位“{}”重复", p.name.v),
            );
        }
        post_names.push(p.name.v.clone());
    }
    let mut risk_ids: Vec<String> = Vec::new();
    let mut seen_risks = std::collections::HashSet::new();
    let mut risk_views = Vec::new();
    // The risks move into their views (and the hazards below into theirs) rather than being
    // copied: a town's records hold hundreds of thousands of them.
    for r in std::mem::take(&mut rec.risks) {
        if !seen_risks.insert(r.id.v.clone()) {
            err(
                diags,
                r.id.span.clone(),
                format!("风险编号“{}”在本文件中重复", r.id.v),
            );
        }
        risk_ids.push(r.id.v.clone());
        if let Some(p) = &r.post {
            check_ref(diags, &src, p, &post_names, "岗位（[[posts]] 中的 name）");
        }
        if let Some(v) = grade_risk(r, cfg, &src, diags) {
            risk_views.push(v);
        }
    }
    let mut level_counts = [0usize; 4];
    for v in &risk_views {
        level_counts[v.level_value.index()] += 1;
    }
    let risk_groups = group_risks(&risk_views, &rec);

    // Hazards.
    let mut seen_hazards = std::collections::HashSet::new();
    let mut hazard_views = Vec::new();
    for (seq, h) in std::mem::take(&mut rec.hazards).into_iter().enumerate() {
        if !seen_hazards.insert(h.id.v.clone()) {
            err(
                diags,
                h.id.span.clone(),
                format!("隐患编号“{}”在本文件中重复", h.id.v),
            );
        }
        if let Some(rk) = &h.risk {
            check_ref(diags, &src, rk, &risk_ids, "风险编号");
        }
        check_hazard(&h, &src, diags);
        let mut v = hazard_view(h, as_of);
        v.seq = seq;
        hazard_views.push(v);
    }
    // Overdue first (longest first), then open, awaiting acceptance, closed; major before general.
    hazard_views.sort_by(|a, b| {
        let rank = |h: &HazardView| match h.state {
            HazardState::Overdue => 0,
            HazardState::Open => 1,
            HazardState::Rectified => 2,
            HazardState::Closed => 3,
        };
        (rank(a), !a.major, -a.overdue_days, &a.h.id.v).cmp(&(
            rank(b),
            !b.major,
            -b.overdue_days,
            &b.h.id.v,
        ))
    });
    // Open means not yet closed: 整改中, 逾期 and 待验收 (accepted is the loop's end).
    let open = |h: &&HazardView| h.state != HazardState::Closed;
    let open_hazards = hazard_views.iter().filter(open).count();
    let overdue_hazards = hazard_views.iter().filter(|h| h.overdue_days > 0).count();
    let awaiting_acceptance = hazard_views
        .iter()
        .filter(|h| h.state == HazardState::Rectified)
        .count();
    let open_major_hazards = hazard_views.iter().filter(open).filter(|h| h.major).count();

    // Contacts.
    for c in &rec.contacts {
        check_ref(diags, &src, &c.liaison, &liaison_ids, "联络员");
    }
    let (months, missed_months, this_month_missing, last_contact) = contact_months(&rec, as_of);

    // Evaluations.
    let mut evaluation_views = Vec::new();
    for e in &rec.evaluations {
        if let Some(v) = score_evaluation(e, &rec, standards, &src, diags) {
            evaluation_views.push(v);
        }
    }
    evaluation_views.sort_by_key(|e| e.e.date.v);
    let latest_score = evaluation_views
        .iter()
        .rev()
        .find(|e| e.e.date.v <= as_of)
        .map(|e| e.score.clone());

    let special_equipment = rec
        .equipment
        .iter()
        .filter(|e| e.special)
        .map(|e| e.count)
        .sum();

    let mut ent = Enterprise {
        liaison_title: liaison.map(|l| l.title.clone()).unwrap_or_default(),
        liaison_name: liaison.map(|l| l.name.clone()).unwrap_or_default(),
        liaison_phone: liaison.map(|l| l.phone.clone()).unwrap_or_default(),
        deadline: None,
        deadline_group: "",
        status_value: Status::InProgress,
        status: "",
        status_group: "",
        status_class: "",
        passed_late: false,
        status_reason: String::new(),
        categories: Vec::new(),
        tenants: Vec::new(),
        landlord_ref: None,
        milestones_total: milestone_views.len(),
        milestone_views,
        milestones_done,
        risk_views,
        risk_groups,
        level_counts,
        hazard_views,
        open_hazards,
        overdue_hazards,
        awaiting_acceptance,
        open_major_hazards,
        months,
        missed_months,
        this_month_missing,
        last_contact,
        evaluation_views,
        latest_score,
        special_equipment,
        has_story: false,
        story: None,
        rec,
    };
    decide_status(&mut ent, cfg, as_of, false);
    ent
}

/// The status rule applied to the enterprise's evaluations as of `on` (its deadline already set).
pub fn status_on(e: &Enterprise, cfg: &SiteConfig, on: Date) -> status::Decision {
    let facts: Vec<status::EvalFact> = e
        .evaluation_views
        .iter()
        .map(|v| status::EvalFact {
            date: v.e.date.v,
            by: &v.e.by,
            pass: v.score.pass,
            percent: &v.score.percent,
            line: v.score.line,
        })
        .collect();
    status::decide(&facts, e.deadline, on, &cfg.plan.evaluators)
}

/// Whether the enterprise is in the high-risk group: a category of its own, or a lessor of a
/// 厂中厂 tenant (the plan's 厂中厂 concerns both sides).
pub fn is_high_risk(e: &Enterprise) -> bool {
    !e.rec.high_risk.is_empty() || !e.tenants.is_empty()
}

/// Whether the enterprise counts in a high-risk category (厂中厂 includes lessors).
pub fn in_category(e: &Enterprise, category: &str) -> bool {
    e.rec.high_risk.iter().any(|h| h.v == category)
        || (category == LEASE_CATEGORY && !e.tenants.is_empty())
}

pub const LEASE_CATEGORY: &str = "厂中厂";

/// The deadline, the status and its reason, and the shown categories; run again once the
/// enterprise's tenants are known (`lessor`).
pub fn decide_status(e: &mut Enterprise, cfg: &SiteConfig, as_of: Date, lessor: bool) {
    let high = !e.rec.high_risk.is_empty() || lessor;
    e.deadline = cfg
        .deadlines
        .as_ref()
        .map(|d| if high { d.high_risk } else { d.all });
    e.deadline_group = if high {
        "高风险企业"
    } else {
        "其他企业"
    };
    let d = status_on(e, cfg, as_of);
    e.status_value = d.status;
    e.status = d.status.word();
    e.status_group = d.status.group();
    e.status_class = d.status.class();
    e.passed_late = d.status == Status::DoneLate;
    e.status_reason = d.reason;
    e.categories = e.rec.high_risk.iter().map(|h| h.v.clone()).collect();
    if lessor && !e.categories.iter().any(|c| c == LEASE_CATEGORY) {
        e.categories.push(format!("{LEASE_CATEGORY}（出租方）"));
    }
}

fn check_ref(
    diags: &mut Vec<Diagnostic>,
    src: &crate::diag::SourceFile,
    v: &crate::load::toml_reader::Sp<String>,
    known: &[String],
    what: &str,
) {
    if known.contains(&v.v) {
        return;
    }
    let msg = match suggest(&v.v, known.iter().map(|s| s.as_str())) {
        Some(s) => format!("未知的{what}“{}”，是否应为“{s}”？", v.v),
        None => format!("未知的{what}“{}”", v.v),
    };
    let hint = if known.is_empty() {
        format!("还没有定义任何{what}")
    } else {
        format!("已定义的{what}：{}", known.join("、"))
    };
    diags.push(Diagnostic::error_at(src, v.span.clone(), msg).with_hint(hint));
}

fn grade_risk(
    owned: Risk,
    cfg: &SiteConfig,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<RiskView> {
    let r = &owned;
    for a in &r.accidents {
        check_ref(
            diags,
            src,
            a,
            &cfg.scales.accidents,
            "事故类型（site.toml [accidents]）",
        );
    }
    let err = |diags: &mut Vec<Diagnostic>, span: std::ops::Range<usize>, msg: String| {
        diags.push(Diagnostic::error_at(src, span, msg))
    };
    let need = |diags: &mut Vec<Diagnostic>,
                v: &Option<crate::load::toml_reader::Sp<f64>>,
                k: &str|
     -> Option<f64> {
        if v.is_none() {
            diags.push(Diagnostic::error_at(
                src,
                r.method.span.clone(),
                format!("风险“{}”用 {} 法评价，但缺少因子 {k}", r.id.v, r.method.v),
            ));
        }
        v.as_ref().map(|x| x.v)
    };
    let declared = r.level.as_ref().and_then(|l| Level::from_name(&l.v));
    let (computed, score, formula) = match r.method.v.as_str() {
        "LEC" => {
            let (l, e, c) = (
                need(diags, &r.l, "l"),
                need(diags, &r.e, "e"),
                need(diags, &r.c, "c"),
            );
            let sc = &cfg.scales;
            for (f, scale, name) in [
                (&r.l, &sc.lec_l, "L"),
                (&r.e, &sc.lec_e, "E"),
                (&r.c, &sc.lec_c, "C"),
            ] {
                check_factor(f, scale, "LEC", name, src, diags);
            }
            let (l, e, c) = (l?, e?, c?);
            let d = l * e * c;
            let Some(b) = cfg.lec.as_ref() else {
                err(
                    diags,
                    r.method.span.clone(),
                    "site.toml 没有 [bands.lec]，无法按 LEC 法分级".into(),
                );
                return None;
            };
            (
                Some(risk::band(d, b)),
                risk::fmt_score(d),
                format!(
                    "D = {} × {} × {} = {}",
                    risk::fmt_score(l),
                    risk::fmt_score(e),
                    risk::fmt_score(c),
                    risk::fmt_score(d)
                ),
            )
        }
        "LS" => {
            let (l, s) = (need(diags, &r.l, "l"), need(diags, &r.s, "s"));
            for (f, scale, name) in [(&r.l, &cfg.scales.ls_l, "L"), (&r.s, &cfg.scales.ls_s, "S")] {
                check_factor(f, scale, "LS", name, src, diags);
            }
            let (l, s) = (l?, s?);
            let rv = l * s;
            let Some(b) = cfg.ls.as_ref() else {
                err(
                    diags,
                    r.method.span.clone(),
                    "site.toml 没有 [bands.ls]，无法按 LS 法分级".into(),
                );
                return None;
            };
            (
                Some(risk::band(rv, b)),
                risk::fmt_score(rv),
                format!(
                    "R = {} × {} = {}",
                    risk::fmt_score(l),
                    risk::fmt_score(s),
                    risk::fmt_score(rv)
                ),
            )
        }
        _ => {
            if declared.is_none() {
                err(
                    diags,
                    r.method.span.clone(),
                    format!(
                        "风险“{}”为直接判定，必须填写 level（重大、较大、一般、低）",
                        r.id.v
                    ),
                );
                return None;
            }
            (None, String::new(), "直接判定".to_string())
        }
    };
    let level = match (computed, declared) {
        (Some(c), Some(d)) => {
            if c != d
                && let Some(lv) = &r.level
            {
                diags.push(Diagnostic::warning_at(
                        src,
                        lv.span.clone(),
                        format!("风险“{}”填写的等级“{}”与计算结果“{}”（{formula}）不一致，按从严原则显示“{}”", r.id.v, d.name(), c.name(), c.min(d).name()),
                    ));
            }
            c.min(d)
        }
        (Some(c), None) => c,
        (None, Some(d)) => d,
        (None, None) => return None,
    };
    let group = r
        .post
        .as_ref()
        .map(|p| p.v.clone())
        .unwrap_or_else(|| r.unit.clone());
    Some(RiskView {
        r: owned,
        score,
        formula,
        level_value: level,
        level: level.into(),
        computed: computed
            .filter(|c| Some(*c) != declared && declared.is_some())
            .map(Into::into),
        declared: declared
            .filter(|d| Some(*d) != computed && computed.is_some())
            .map(Into::into),
        group,
    })
}

/// A factor not in its table (site.toml `[scales]`) is an error at the value, listing the allowed ones.
fn check_factor(
    f: &Option<crate::load::toml_reader::Sp<f64>>,
    scale: &[crate::load::scales::Factor],
    method: &str,
    name: &str,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) {
    let values: Vec<f64> = scale.iter().map(|x| x.value).collect();
    if let Some(f) = f
        && !risk::on_scale(f.v, &values)
    {
        let vals: Vec<String> = values.iter().map(|x| risk::fmt_score(*x)).collect();
        diags.push(
            Diagnostic::error_at(
                src,
                f.span.clone(),
                format!(
                    "{method} 法的 {name} 值 {} 不在取值表中",
                    risk::fmt_score(f.v)
                ),
            )
            .with_hint(format!("{name} 可取：{}", vals.join("、"))),
        );
    }
}

fn group_risks(risks: &[RiskView], rec: &EnterpriseRecord) -> Vec<RiskGroup> {
    let mut groups: Vec<RiskGroup> = Vec::new();
    for (i, r) in risks.iter().enumerate() {
        match groups.iter_mut().find(|g| g.name == r.group) {
            Some(g) => g.risks.push(i),
            None => groups.push(RiskGroup {
                name: r.group.clone(),
                headcount: rec
                    .posts
                    .iter()
                    .find(|p| p.name.v == r.group)
                    .map(|p| p.headcount),
                highest: r.level_value.into(),
                risks: vec![i],
                index: groups.len() + 1,
            }),
        }
    }
    for g in &mut groups {
        let highest = g
            .risks
            .iter()
            .map(|i| risks[*i].level_value)
            .min()
            .unwrap_or(Level::Low);
        g.highest = highest.into();
        g.risks.sort_by_key(|i| (risks[*i].level_value, *i));
    }
    groups
}

fn check_hazard(h: &Hazard, src: &crate::diag::SourceFile, diags: &mut Vec<Diagnostic>) {
    if h.grade.v == "重大" {
        let mut missing = Vec::new();
        if h.criterion.trim().is_empty() {
            missing.push("criterion（判定依据）");
        }
        if h.measures.trim().is_empty() {
            missing.push("measures（措施）");
        }
        if h.funds_yuan.is_none() {
            missing.push("funds_yuan（资金）");
        }
        if h.deadline.is_none() {
            missing.push("deadline（时限）");
        }
        if h.responsible.trim().is_empty() {
            missing.push("responsible（责任）");
        }
        if h.contingency.trim().is_empty() {
            missing.push("contingency（预案）");
        }
        if !missing.is_empty() {
            diags.push(
                Diagnostic::error_at(
                    src,
                    h.grade.span.clone(),
                    format!("重大隐患“{}”缺少：{}", h.id.v, missing.join("、")),
                )
                .with_hint("重大隐患须写明判定依据，并落实措施、责任、资金、时限和预案（五落实）"),
            );
        }
    }
    if let Some(r) = &h.rectified
        && r.v < h.found.v
    {
        diags.push(Diagnostic::error_at(
            src,
            r.span.clone(),
            format!(
                "隐患“{}”的整改日期 {} 早于发现日期 {}",
                h.id.v, r.v, h.found.v
            ),
        ));
    }
    if let Some(a) = &h.accepted {
        match &h.rectified {
            None => diags.push(
                Diagnostic::error_at(
                    src,
                    a.span.clone(),
                    format!("隐患“{}”有验收日期但没有整改日期", h.id.v),
                )
                .with_hint("先填写 rectified（整改完成日期）"),
            ),
            Some(r) if a.v < r.v => diags.push(Diagnostic::error_at(
                src,
                a.span.clone(),
                format!("隐患“{}”的验收日期 {} 早于整改日期 {}", h.id.v, a.v, r.v),
            )),
            _ => {}
        }
    }
    if let Some(d) = &h.deadline
        && d.v < h.found.v
    {
        diags.push(Diagnostic::error_at(
            src,
            d.span.clone(),
            format!(
                "隐患“{}”的整改期限 {} 早于发现日期 {}",
                h.id.v, d.v, h.found.v
            ),
        ));
    }
}

/// The closed-loop state as of a date: events dated later have not happened yet.
pub fn hazard_state(h: &Hazard, as_of: Date) -> HazardView {
    hazard_view(h.clone(), as_of)
}

/// [`hazard_state`], taking the hazard.
fn hazard_view(h: Hazard, as_of: Date) -> HazardView {
    let happened =
        |d: &Option<crate::load::toml_reader::Sp<Date>>| d.as_ref().is_some_and(|d| d.v <= as_of);
    let (state, state_text, state_class, overdue_days) = if happened(&h.accepted) {
        (HazardState::Closed, "已销号".to_string(), "closed", 0)
    } else if happened(&h.rectified) {
        // The loop closes at acceptance: rectified but not accepted by the deadline is still late.
        match &h.deadline {
            Some(d) if d.v < as_of => {
                let n = days_between(d.v, as_of);
                (
                    HazardState::Rectified,
                    format!("待验收（逾期 {n} 天）"),
                    "rectified-overdue",
                    n,
                )
            }
            _ => (HazardState::Rectified, "待验收".to_string(), "rectified", 0),
        }
    } else {
        match &h.deadline {
            Some(d) if d.v < as_of => {
                let n = days_between(d.v, as_of);
                (HazardState::Overdue, format!("逾期 {n} 天"), "overdue", n)
            }
            _ => (HazardState::Open, "整改中".to_string(), "open", 0),
        }
    };
    let major = h.grade.v == "重大";
    HazardView {
        h,
        seq: 0,
        state,
        state_text,
        state_class,
        overdue_days,
        major,
    }
}

/// Months from the first contact to the as-of month; a month before the current one with no contact is
/// missed, and the current month is "still missing" until a contact is recorded.
pub fn contact_months(
    rec: &EnterpriseRecord,
    as_of: Date,
) -> (Vec<MonthView>, Vec<String>, bool, Option<Date>) {
    let dates: Vec<Date> = rec
        .contacts
        .iter()
        .map(|c| c.date.v)
        .filter(|d| *d <= as_of)
        .collect();
    let last = dates.iter().max().copied();
    let now = month_index(as_of);
    let Some(first) = dates.iter().min().map(|d| month_index(*d)) else {
        return (Vec::new(), Vec::new(), true, None);
    };
    let contacted: std::collections::BTreeSet<i64> =
        dates.iter().map(|d| month_index(*d)).collect();
    let months: Vec<MonthView> = (first..=now)
        .map(|m| MonthView {
            month: month_label(m),
            contacted: contacted.contains(&m),
        })
        .collect();
    let missed = (first..now)
        .filter(|m| !contacted.contains(m))
        .map(month_label)
        .collect();
    (months, missed, !contacted.contains(&now), last)
}

fn score_evaluation(
    e: &Evaluation,
    rec: &EnterpriseRecord,
    standards: &[Standard],
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<EvaluationView> {
    let ids: Vec<String> = standards.iter().map(|s| s.id.clone()).collect();
    let Some(std) = standards.iter().find(|s| s.id == e.standard.v) else {
        check_ref(
            diags,
            src,
            &e.standard,
            &ids,
            "评估标准（data/standards/ 下的文件名）",
        );
        return None;
    };
    if !std.applies_to.is_empty() && std.applies_to != rec.size {
        diags.push(Diagnostic::warning_at(
            src,
            e.standard.span.clone(),
            format!(
                "评估标准“{}”适用于{}企业，本企业为{}",
                std.id, std.applies_to, rec.size
            ),
        ));
    }
    let scored: Vec<String> = std
        .items()
        .filter(|i| !i.veto)
        .map(|i| i.id.v.clone())
        .collect();
    let vetoes: Vec<String> = std
        .items()
        .filter(|i| i.veto)
        .map(|i| i.id.v.clone())
        .collect();
    let mut item_scores = Vec::new();
    let mut ok = true;
    for (id, pts) in &e.scores {
        match std.item(&id.v) {
            None => {
                check_ref(
                    diags,
                    src,
                    id,
                    &scored,
                    &format!("评估项（标准 {}）", std.id),
                );
                ok = false;
            }
            Some(item) if item.veto => {
                diags.push(
                    Diagnostic::error_at(
                        src,
                        id.span.clone(),
                        format!("“{}”是否决项，不计分", id.v),
                    )
                    .with_hint("触发的否决项写在 vetoed = [...] 中"),
                );
                ok = false;
            }
            Some(item) => {
                if pts.v < 0 || pts.v as u64 > item.points {
                    diags.push(Diagnostic::error_at(
                        src,
                        pts.span.clone(),
                        format!("评估项“{}”得分 {} 超出范围 0～{}", id.v, pts.v, item.points),
                    ));
                    ok = false;
                } else {
                    item_scores.push((id.v.clone(), pts.v as u64));
                }
            }
        }
    }
    let mut na = Vec::new();
    for n in &e.not_applicable {
        if scored.contains(&n.v) {
            na.push(n.v.clone());
        } else {
            check_ref(
                diags,
                src,
                n,
                &scored,
                &format!("评估项（标准 {}）", std.id),
            );
            ok = false;
        }
    }
    for v in &e.vetoed {
        if !vetoes.contains(&v.v) {
            check_ref(
                diags,
                src,
                v,
                &vetoes,
                &format!("否决项（标准 {}）", std.id),
            );
            ok = false;
        }
    }
    let missing: Vec<&String> = scored
        .iter()
        .filter(|id| !na.contains(id) && !e.scores.iter().any(|(k, _)| &k.v == *id))
        .collect();
    if !missing.is_empty() {
        let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        diags.push(
            Diagnostic::error_at(
                src,
                e.date.span.clone(),
                format!(
                    "{} 的评估有 {} 个适用项没有打分：{}",
                    e.date.v,
                    missing.len(),
                    list.join("、")
                ),
            )
            .with_hint("每个适用项都要在 [evaluations.scores] 中打分，不适用的列入 not_applicable"),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    let line = if rec.demonstration {
        std.demonstration_line
    } else {
        std.pass_line
    };
    let score = scoring::score(std, &item_scores, &na, !e.vetoed.is_empty(), line);
    Some(EvaluationView {
        e: e.clone(),
        standard_title: std.title.clone(),
        score,
        item_scores,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::toml_reader::Sp;
    use jiff::civil::date;

    fn hz(deadline: Option<Date>, rectified: Option<Date>, accepted: Option<Date>) -> Hazard {
        let sp = |d: Date| Sp::new(d, 0..0);
        Hazard {
            id: Sp::new("H1".into(), 0..0),
            found: sp(date(2025, 1, 1)),
            source: String::new(),
            location: String::new(),
            description: String::new(),
            grade: Sp::new("一般".into(), 0..0),
            criterion: String::new(),
            risk: None,
            measures: String::new(),
            funds_yuan: None,
            deadline: deadline.map(sp),
            responsible: String::new(),
            contingency: String::new(),
            rectified: rectified.map(sp),
            accepted: accepted.map(sp),
        }
    }

    #[test]
    fn hazard_states_by_date() {
        let as_of = date(2025, 6, 30);
        let h = hazard_state(&hz(Some(date(2025, 7, 1)), None, None), as_of);
        assert_eq!(
            (h.state, h.state_text.as_str()),
            (HazardState::Open, "整改中")
        );
        let h = hazard_state(&hz(Some(date(2025, 6, 30)), None, None), as_of);
        assert_eq!(h.state, HazardState::Open, "due today is not overdue");
        let h = hazard_state(&hz(Some(date(2025, 6, 20)), None, None), as_of);
        assert_eq!(
            (h.state, h.state_text.as_str()),
            (HazardState::Overdue, "逾期 10 天")
        );
        let h = hazard_state(
            &hz(Some(date(2025, 6, 20)), Some(date(2025, 6, 1)), None),
            as_of,
        );
        assert_eq!(
            (h.state_text.as_str(), h.overdue_days),
            ("待验收（逾期 10 天）", 10),
            "rectified in time but not accepted by the deadline"
        );
        let h = hazard_state(
            &hz(Some(date(2025, 7, 20)), Some(date(2025, 6, 1)), None),
            as_of,
        );
        assert_eq!((h.state_text.as_str(), h.overdue_days), ("待验收", 0));
        let h = hazard_state(
            &hz(None, Some(date(2025, 6, 1)), Some(date(2025, 6, 2))),
            as_of,
        );
        assert_eq!(h.state_text, "已销号");
        // Acceptance after the as-of date has not happened yet.
        let h = hazard_state(
            &hz(None, Some(date(2025, 6, 1)), Some(date(2025, 7, 2))),
            as_of,
        );
        assert_eq!(h.state_text, "待验收");
    }
}
