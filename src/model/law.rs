//! Checks from the law on one record, as warnings that cite their article: safety staffing
//! (《安全生产法》第二十四条), the registered safety engineer (第二十七条) and size against headcount
//! (《统计上大中小微型企业划分办法（2017）》, thresholds in site.toml's `[size_rule]`).

use crate::diag::{Diagnostic, SourceFile};
use crate::domain::{HighRisk, Kind, Size};
use crate::load::enterprise::EnterpriseRecord;
use crate::load::site_config::SiteConfig;

fn has(rec: &EnterpriseRecord, category: HighRisk) -> bool {
    rec.high_risk.iter().any(|h| h.v == category)
}

/// Produces, sells, stores or loads 危险物品: said by `hazardous_goods`, or implied by a
/// hazardous chemical process.
pub(crate) fn hazardous_goods(rec: &EnterpriseRecord) -> bool {
    rec.hazardous_goods || has(rec, HighRisk::HazardousProcess)
}

pub(crate) fn check(
    rec: &EnterpriseRecord,
    cfg: &SiteConfig,
    src: &SourceFile,
    diags: &mut Vec<Diagnostic>,
) {
    let org = &rec.safety_org;
    // Art. 24: these units need a safety body or full-time staff; part-time is not enough.
    // Points at [safety_org], or when the record has none, at what makes the duty apply.
    let category = |c: HighRisk| {
        rec.high_risk
            .iter()
            .find(|h| h.v == c)
            .map(|h| h.span.clone())
    };
    let why = if let Some(at) = category(HighRisk::MetalSmelting) {
        Some(("金属冶炼单位".to_string(), at))
    } else if hazardous_goods(rec) {
        let at = category(HighRisk::HazardousProcess).unwrap_or(rec.hazardous_goods_span.clone());
        Some(("生产、经营、储存、装卸危险物品的单位".to_string(), at))
    } else if rec.employees.v > 100 {
        let why = format!("从业人员 {} 人（超过 100 人）的单位", rec.employees.v);
        Some((why, rec.employees.span.clone()))
    } else {
        None
    };
    if let Some((why, at)) = why
        && !org.safety_department
        && org.full_time_safety_staff == 0
    {
        let span = if org.span.is_empty() {
            at
        } else {
            org.span.clone()
        };
        diags.push(
            Diagnostic::warning_at(
                src,
                nonempty(span),
                format!("{why}应当设置安全生产管理机构或者配备专职安全生产管理人员（《安全生产法》第二十四条），本档案两者都没有"),
            )
            .with_hint("在 [safety_org] 中填写 safety_department = true 或 full_time_safety_staff（专职人数）；兼职人员或委托服务机构不能代替"),
        );
    }
    // Art. 27: a registered safety engineer for smelting and for 危险物品 production and storage,
    // checked where the record says how many it has.
    if (has(rec, HighRisk::MetalSmelting) || hazardous_goods(rec))
        && org.registered_safety_engineers == Some(0)
    {
        let what = if has(rec, HighRisk::MetalSmelting) {
            "金属冶炼单位"
        } else {
            "危险物品的生产、储存单位"
        };
        diags.push(
            Diagnostic::warning_at(
                src,
                nonempty(org.engineers_span.clone()),
                format!("{what}应当有注册安全工程师从事安全生产管理工作（《安全生产法》第二十七条），本档案填写为 0"),
            )
            .with_hint("配备后填写 registered_safety_engineers 的人数"),
        );
    }
    // Size: a 中型 enterprise has at least this many staff (and the revenue, which records do
    // not hold); below it the rule places the enterprise one band lower.
    let sc = &cfg.scales;
    let (min, trade) = if rec.kind == Kind::Warehousing {
        (sc.medium_min_staff_warehouse, "仓储业")
    } else {
        (sc.medium_min_staff_industry, "工业")
    };
    if rec.size == Size::LargeMedium && rec.employees.v < min {
        diags.push(
            Diagnostic::warning_at(
                src,
                rec.employees.span.clone(),
                format!(
                    "登记为大中型，但从业人员 {} 人少于{trade}中型企业的下限 {min} 人（《统计上大中小微型企业划分办法（2017）》），应按小微型企业使用手册和评估标准",
                    rec.employees.v
                ),
            )
            .with_hint("核对从业人员和营业收入；确属小微型的，把 size 改为“小微型”并按小微型评估标准评估"),
        );
    }
    if rec.size == Size::SmallMicro && rec.employees.v >= min {
        diags.push(Diagnostic::warning_at(
            src,
            rec.employees.span.clone(),
            format!(
                "小微型企业从业人员为 {} 人（≥ {}），请核对企业规模（营业收入也达到中型下限的，应为大中型）",
                rec.employees.v, min
            ),
        ));
    }
}

/// A span of at least one byte, so a diagnostic has something to point at.
fn nonempty(span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    if span.is_empty() {
        span.start..span.start + 1
    } else {
        span
    }
}
