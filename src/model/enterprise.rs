//! One enterprise resolved against the site: references checked (village, liaison, post, risk,
//! standard, milestone…), and the facts that follow from the as-of date derived once — risk levels,
//! hazard states, deadline status, missed contact months, evaluation scores.

use jiff::civil::Date;
use serde::Serialize;

use super::contact::{ContactMonth, contact_months};
use super::hazard::{HazardState, TrackedHazard, check_hazard, track};
use super::risk::{self, Level};
use super::scoring::{self, Score};
use super::status::{self, Status};
use super::uscc::{self, UsccError};
use crate::diag::{Diagnostic, suggest};
use crate::domain::{Cohort, HighRisk, StatusGroup};
use crate::load::enterprise::{EnterpriseRecord, Evaluation, Risk};
use crate::load::site_config::SiteConfig;
use crate::load::standard::Standard;

/// A risk with its level: computed from the factors, or stated, whichever is stricter.
#[derive(Debug, Clone)]
pub(crate) struct GradedRisk {
    pub(crate) r: Risk,
    /// `D = 3 × 6 × 40 = 720`, `R = 4 × 4 = 16`, or 直接判定.
    pub(crate) formula: String,
    pub(crate) level: Level,
    /// The level computed from the factors, when it differs from the declared one.
    pub(crate) computed: Option<Level>,
    pub(crate) declared: Option<Level>,
    /// The post or unit the risk is grouped under.
    pub(crate) group: String,
}

/// The risks of one post (or unit), for its card and its row of the four-colour table.
#[derive(Debug, Clone)]
pub(crate) struct RiskGroup {
    pub(crate) name: String,
    pub(crate) headcount: Option<u64>,
    pub(crate) highest: Level,
    pub(crate) risks: Vec<usize>,
    /// Anchor-safe index, used for card page ids.
    pub(crate) index: usize,
}

/// One of the site's milestones and the day this enterprise reached it, if it has by the as-of date.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MilestoneReached {
    pub(crate) key: String,
    pub(crate) name: String,
    pub(crate) date: Option<Date>,
}

/// An evaluation scored against its standard.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScoredEvaluation {
    #[serde(flatten)]
    pub(crate) e: Evaluation,
    pub(crate) standard_title: String,
    pub(crate) score: Score,
    /// Item id → awarded, for the report table.
    pub(crate) item_scores: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct EnterpriseRef {
    pub(crate) slug: String,
    pub(crate) name: String,
}

/// One enterprise as the site knows it on the as-of date: the record and every fact derived from it.
#[derive(Debug, Clone)]
pub(crate) struct Enterprise {
    /// The record as loaded, except `risks` and `hazards`, which have moved into `risks` and
    /// `hazards` here, graded and tracked (left empty in the record).
    pub(crate) rec: EnterpriseRecord,
    pub(crate) liaison_title: String,
    pub(crate) liaison_name: String,
    pub(crate) liaison_phone: String,
    pub(crate) deadline: Option<Date>,
    pub(crate) deadline_group: Cohort,
    /// 已达标 / 已达标（逾期完成） / 推进中 / 已逾期
    pub(crate) status: Status,
    /// 已达标 / 推进中 / 已逾期: the dashboard group.
    pub(crate) status_group: StatusGroup,
    pub(crate) passed_late: bool,
    /// One sentence: why the status is what it is.
    pub(crate) status_reason: String,
    /// High-risk categories as shown: the record's own, plus 厂中厂（出租方） for a lessor.
    pub(crate) categories: Vec<String>,
    /// Enterprises whose `landlord` names this one (厂中厂 tenants).
    pub(crate) tenants: Vec<EnterpriseRef>,
    /// The record of this enterprise's landlord, when there is one.
    pub(crate) landlord_ref: Option<EnterpriseRef>,
    pub(crate) milestones: Vec<MilestoneReached>,
    pub(crate) milestones_done: usize,
    pub(crate) milestones_total: usize,
    pub(crate) risks: Vec<GradedRisk>,
    pub(crate) risk_groups: Vec<RiskGroup>,
    /// Count per level, strictest first.
    pub(crate) level_counts: [usize; 4],
    pub(crate) hazards: Vec<TrackedHazard>,
    /// Not yet closed: 整改中 + 逾期 + 待验收.
    pub(crate) open_hazards: usize,
    /// Past the deadline and not closed (逾期, and 待验收 past the deadline).
    pub(crate) overdue_hazards: usize,
    /// Rectified, waiting for acceptance (待验收).
    pub(crate) awaiting_acceptance: usize,
    pub(crate) open_major_hazards: usize,
    pub(crate) months: Vec<ContactMonth>,
    pub(crate) missed_months: Vec<String>,
    pub(crate) this_month_missing: bool,
    pub(crate) last_contact: Option<Date>,
    pub(crate) evaluations: Vec<ScoredEvaluation>,
    pub(crate) latest_score: Option<Score>,
    pub(crate) special_equipment: u64,
    pub(crate) has_story: bool,
    pub(crate) story: Option<String>,
}

/// A link written into pages must be http(s); anything else (`javascript:`, `data:`) is dropped.
fn safe_url(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("https://") || u.starts_with("http://")
}

/// Resolves one record. Problems go to `diags`; the result is still built so the other files can
/// be checked.
pub(crate) fn derive(
    mut rec: EnterpriseRecord,
    cfg: &SiteConfig,
    standards: &[Standard],
    as_of: Date,
    diags: &mut Vec<Diagnostic>,
) -> Enterprise {
    let src = rec.src.clone();
    check_identity(&mut rec, diags);
    let liaison = check_assignment(&rec, cfg, diags);
    super::law::check(&rec, cfg, &src, diags);
    let milestones = reached_milestones(&rec, cfg, as_of, diags);
    let milestones_done = milestones.iter().filter(|m| m.date.is_some()).count();
    let (risks, risk_ids) = graded_risks(&mut rec, cfg, diags);
    let mut level_counts = [0usize; 4];
    for v in &risks {
        level_counts[v.level.index()] += 1;
    }
    let risk_groups = risk::group_risks(&risks, &rec);
    let hazards = tracked_hazards(&mut rec, &risk_ids, as_of, diags);
    // Open means not yet closed: 整改中, 逾期 and 待验收 (accepted is the loop's end).
    let open = |h: &&TrackedHazard| h.state != HazardState::Closed;
    let liaison_ids: Vec<String> = cfg.liaisons.iter().map(|l| l.id.v.clone()).collect();
    for c in &rec.contacts {
        check_ref(diags, &src, &c.liaison, &liaison_ids, "联络员");
    }
    let (months, missed_months, this_month_missing, last_contact) = contact_months(&rec, as_of);
    let evaluations = scored_evaluations(&rec, standards, diags);
    let latest_score = evaluations
        .iter()
        .rev()
        .find(|e| e.e.date.v <= as_of)
        .map(|e| e.score.clone());
    let mut ent = Enterprise {
        liaison_title: liaison.map(|l| l.title.clone()).unwrap_or_default(),
        liaison_name: liaison.map(|l| l.name.clone()).unwrap_or_default(),
        liaison_phone: liaison.map(|l| l.phone.clone()).unwrap_or_default(),
        deadline: None,
        deadline_group: Cohort::Other,
        status: Status::InProgress,
        status_group: StatusGroup::InProgress,
        passed_late: false,
        status_reason: String::new(),
        categories: Vec::new(),
        tenants: Vec::new(),
        landlord_ref: None,
        milestones_total: milestones.len(),
        milestones,
        milestones_done,
        risks,
        risk_groups,
        level_counts,
        open_hazards: hazards.iter().filter(open).count(),
        overdue_hazards: hazards.iter().filter(|h| h.overdue_days > 0).count(),
        awaiting_acceptance: hazards
            .iter()
            .filter(|h| h.state == HazardState::Rectified)
            .count(),
        open_major_hazards: hazards.iter().filter(open).filter(|h| h.major).count(),
        hazards,
        months,
        missed_months,
        this_month_missing,
        last_contact,
        evaluations,
        latest_score,
        special_equipment: rec
            .equipment
            .iter()
            .filter(|e| e.special)
            .map(|e| e.count)
            .sum(),
        has_story: false,
        story: None,
        rec,
    };
    decide_status(&mut ent, cfg, as_of, false);
    ent
}

/// The safety-code link (dropped unless http(s)) and the credit code's length, characters and
/// check digit.
fn check_identity(rec: &mut EnterpriseRecord, diags: &mut Vec<Diagnostic>) {
    let src = &rec.src;
    if !rec.safety_code_url.v.is_empty() && !safe_url(&rec.safety_code_url.v) {
        diags.push(
            Diagnostic::warning_at(
                src,
                rec.safety_code_url.span.clone(),
                "safety_code_url 不是 http:// 或 https:// 地址，页面上不显示此链接",
            )
            .with_hint("填写省平台安全码页面的完整网址，例如 https://…"),
        );
        rec.safety_code_url.v.clear();
    }
    let at = |msg: String| Diagnostic::error_at(src, rec.uscc.span.clone(), msg);
    match uscc::check(&rec.uscc.v) {
        Ok(()) => {}
        Err(UsccError::Length(n)) => {
            diags.push(at(format!("统一社会信用代码应为 18 位，这里是 {n} 位")))
        }
        Err(UsccError::BadChar(i, c)) => diags.push(
            at(format!("统一社会信用代码第 {i} 位“{c}”不是有效字符"))
                .with_hint("只能使用数字和大写字母，不含 I、O、S、V、Z"),
        ),
        Err(UsccError::Check(expected)) => diags.push(
            at(format!(
                "统一社会信用代码校验位错误：最后一位应为“{expected}”"
            ))
            .with_hint("核对营业执照上的代码，常见错误是抄错了某一位"),
        ),
    }
}

/// The village, department and liaison the record names must be in site.toml (不漏一企);
/// returns the liaison.
fn check_assignment<'c>(
    rec: &EnterpriseRecord,
    cfg: &'c SiteConfig,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'c crate::load::site_config::Liaison> {
    let src = &rec.src;
    let names = |list: &[crate::load::toml_reader::Sp<String>]| {
        list.iter().map(|v| v.v.clone()).collect::<Vec<_>>()
    };
    if let Some(v) = &rec.village {
        check_ref(diags, src, v, &names(&cfg.villages), "村（社区）");
    }
    if let Some(d) = &rec.department {
        check_ref(diags, src, d, &names(&cfg.departments), "部门");
    }
    let liaison_ids: Vec<String> = cfg.liaisons.iter().map(|l| l.id.v.clone()).collect();
    rec.liaison.as_ref().and_then(|l| {
        check_ref(diags, src, l, &liaison_ids, "联络员");
        cfg.liaisons.iter().find(|x| x.id.v == l.v)
    })
}

/// The site's milestones with the date this record reached each, if on or before `as_of`.
fn reached_milestones(
    rec: &EnterpriseRecord,
    cfg: &SiteConfig,
    as_of: Date,
    diags: &mut Vec<Diagnostic>,
) -> Vec<MilestoneReached> {
    let keys: Vec<String> = cfg.milestones.iter().map(|m| m.key.clone()).collect();
    for (k, _) in &rec.milestones {
        check_ref(diags, &rec.src, k, &keys, "里程碑");
    }
    cfg.milestones
        .iter()
        .map(|m| MilestoneReached {
            key: m.key.clone(),
            name: m.name.clone(),
            date: rec
                .milestones
                .iter()
                .find(|(k, d)| k.v == m.key && d.v <= as_of)
                .map(|(_, d)| d.v),
        })
        .collect()
}

/// Posts checked for duplicates, risks graded; returns the graded risks and every risk id.
fn graded_risks(
    rec: &mut EnterpriseRecord,
    cfg: &SiteConfig,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<GradedRisk>, Vec<String>) {
    let src = rec.src.clone();
    let mut post_names: Vec<String> = Vec::new();
    let mut seen_posts = std::collections::HashSet::new();
    for p in &rec.posts {
        if !seen_posts.insert(p.name.v.as_str()) {
            diags.push(Diagnostic::error_at(
                &src,
                p.name.span.clone(),
                format!("岗位“{}”重复", p.name.v),
            ));
        }
        post_names.push(p.name.v.clone());
    }
    let mut risk_ids: Vec<String> = Vec::new();
    let mut seen_risks = std::collections::HashSet::new();
    let mut risk_views = Vec::new();
    // The risks move into their views (and the hazards into theirs) rather than being copied:
    // a town's records hold hundreds of thousands of them.
    for r in std::mem::take(&mut rec.risks) {
        if !seen_risks.insert(r.id.v.clone()) {
            diags.push(Diagnostic::error_at(
                &src,
                r.id.span.clone(),
                format!("风险编号“{}”在本文件中重复", r.id.v),
            ));
        }
        risk_ids.push(r.id.v.clone());
        if let Some(p) = &r.post {
            check_ref(diags, &src, p, &post_names, "岗位（[[posts]] 中的 name）");
        }
        if let Some(v) = risk::grade_risk(r, cfg, &src, diags) {
            risk_views.push(v);
        }
    }
    (risk_views, risk_ids)
}

/// Hazards checked and given their state as of `as_of`, in the order pages list them: overdue
/// first (longest first), then open, awaiting acceptance, closed; major before general.
fn tracked_hazards(
    rec: &mut EnterpriseRecord,
    risk_ids: &[String],
    as_of: Date,
    diags: &mut Vec<Diagnostic>,
) -> Vec<TrackedHazard> {
    let src = rec.src.clone();
    let mut seen_hazards = std::collections::HashSet::new();
    let mut hazard_views = Vec::new();
    for (seq, h) in std::mem::take(&mut rec.hazards).into_iter().enumerate() {
        if !seen_hazards.insert(h.id.v.clone()) {
            diags.push(Diagnostic::error_at(
                &src,
                h.id.span.clone(),
                format!("隐患编号“{}”在本文件中重复", h.id.v),
            ));
        }
        if let Some(rk) = &h.risk {
            check_ref(diags, &src, rk, risk_ids, "风险编号");
        }
        check_hazard(&h, &src, diags);
        let mut v = track(h, as_of);
        v.seq = seq;
        hazard_views.push(v);
    }
    hazard_views.sort_by(|a, b| {
        let rank = |h: &TrackedHazard| match h.state {
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
    hazard_views
}

/// Each evaluation scored against its standard, oldest first.
fn scored_evaluations(
    rec: &EnterpriseRecord,
    standards: &[Standard],
    diags: &mut Vec<Diagnostic>,
) -> Vec<ScoredEvaluation> {
    let mut views: Vec<ScoredEvaluation> = rec
        .evaluations
        .iter()
        .filter_map(|e| scoring::score_evaluation(e, rec, standards, &rec.src, diags))
        .collect();
    views.sort_by_key(|e| e.e.date.v);
    views
}

/// The status rule applied to the enterprise's evaluations as of `on` (its deadline already set).
pub(crate) fn status_on(e: &Enterprise, cfg: &SiteConfig, on: Date) -> status::Decision {
    let facts: Vec<status::EvalFact> = e
        .evaluations
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
pub(crate) fn is_high_risk(e: &Enterprise) -> bool {
    !e.rec.high_risk.is_empty() || !e.tenants.is_empty()
}

/// Whether the enterprise counts in a high-risk category (厂中厂 includes lessors).
pub(crate) fn in_category(e: &Enterprise, category: HighRisk) -> bool {
    e.rec.high_risk.iter().any(|h| h.v == category)
        || (category == HighRisk::FactoryInFactory && !e.tenants.is_empty())
}

/// The deadline, the status and its reason, and the shown categories; run again once the
/// enterprise's tenants are known (`lessor`).
pub(crate) fn decide_status(e: &mut Enterprise, cfg: &SiteConfig, as_of: Date, lessor: bool) {
    let high = !e.rec.high_risk.is_empty() || lessor;
    e.deadline = cfg
        .deadlines
        .as_ref()
        .map(|d| if high { d.high_risk } else { d.all });
    e.deadline_group = if high {
        Cohort::HighRisk
    } else {
        Cohort::Other
    };
    let d = status_on(e, cfg, as_of);
    e.status = d.status;
    e.status_group = d.status.group();
    e.passed_late = d.status == Status::DoneLate;
    e.status_reason = d.reason;
    e.categories = e
        .rec
        .high_risk
        .iter()
        .map(|h| h.v.name().to_string())
        .collect();
    if lessor
        && !e
            .rec
            .high_risk
            .iter()
            .any(|h| h.v == HighRisk::FactoryInFactory)
    {
        e.categories
            .push(format!("{}（出租方）", HighRisk::FactoryInFactory));
    }
}

pub(super) fn check_ref(
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
