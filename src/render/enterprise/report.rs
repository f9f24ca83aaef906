//! An enterprise's year evaluation report (`report-YYYY/`): the year's last counted evaluation
//! item by item, with the deduction rule beside each lost point and the hazards open that day.

use super::super::views::HazardView;
use super::super::{Ctx, Job, base_context};
use super::summary;
use crate::model::Site;
use crate::model::enterprise::Enterprise;
use crate::model::status;

/// Whether an evaluation makes a year report: it has happened and counts for the status rule.
pub(crate) fn report_counts(site: &Site, v: &crate::model::enterprise::ScoredEvaluation) -> bool {
    v.e.date.v <= site.as_of && status::counts(&v.e.by, &site.config.plan.evaluators)
}

/// The year's evaluation report: the year's last counted evaluation item by item, with the
/// standard's deduction rule beside each lost point, and the hazards still open on the
/// evaluation's date. A year not over by the as-of date gets an interim report (中期).
pub(super) fn report_job<'a>(
    site: &'a Site,
    e: &'a Enterprise,
    key: &str,
    year: i16,
) -> Option<Job<'a>> {
    use crate::model::hazard::{HazardState, TrackedHazard, hazard_state};
    let v = e
        .evaluations
        .iter()
        .rev()
        .find(|v| report_counts(site, v) && v.e.date.v.year() == year)?;
    let std = site.standards.iter().find(|s| s.id == v.e.standard.v)?;
    let report_key = format!("{key}report-{year}/");
    let k = report_key.clone();
    let make = move || {
        let interim = jiff::civil::Date::new(year, 12, 31).is_ok_and(|end| site.as_of < end);
        let on = v.e.date.v;
        // In record order, as the hazards were entered; only what had happened by the evaluation.
        let mut recorded: Vec<&TrackedHazard> = e.hazards.iter().collect();
        recorded.sort_by_key(|v| v.seq);
        let open: Vec<TrackedHazard> = recorded
            .iter()
            .map(|v| &v.h)
            .filter(|h| h.found.v <= on)
            .map(|h| hazard_state(h, on))
            .filter(|h| h.state != HazardState::Closed)
            .collect();
        let rows: Vec<serde_json::Value> = std
            .categories
            .iter()
            .map(|c| {
                let items: Vec<serde_json::Value> = c
                    .items
                    .iter()
                    .map(|it| {
                        let na = v.e.not_applicable.iter().any(|n| n.v == it.id.v);
                        let got = v.item_scores.iter().find(|(id, _)| *id == it.id.v).map(|(_, s)| *s);
                        serde_json::json!({
                            "id": it.id.v, "requirement": it.requirement, "points": it.points, "veto": it.veto,
                            "na": na, "awarded": got, "deducted": got.map(|g| it.points.saturating_sub(g)),
                            "vetoed": v.e.vetoed.iter().any(|x| x.v == it.id.v), "deduction": it.deduction,
                        })
                    })
                    .collect();
                serde_json::json!({ "name": c.name, "items": items })
            })
            .collect();
        let deductions: Vec<&serde_json::Value> = rows
            .iter()
            .filter_map(|c| c["items"].as_array())
            .flatten()
            .filter(|it| it["deducted"].as_u64().is_some_and(|d| d > 0) || it["vetoed"] == true)
            .collect();
        let title = if interim {
            format!("{}：{year} 年度双重预防机制评估报告（中期）", e.rec.name.v)
        } else {
            format!("{}：{year} 年度双重预防机制评估报告", e.rec.name.v)
        };
        let mut ctx = base_context(site, &k, &title);
        ctx.insert("deductions", &deductions);
        ctx.insert("interim", &interim);
        ctx.insert("e", &summary(e));
        ctx.insert("year", &year);
        ctx.insert("v", v);
        ctx.insert("std", std);
        ctx.insert("rows", &rows);
        let open: Vec<HazardView> = open.iter().map(HazardView::of).collect();
        ctx.insert("open_hazards", &open);
        ctx.insert("report_date", &on.to_string());
        ctx
    };
    Some(Job {
        key: report_key,
        file: "index.html".into(),
        template: "report.html".into(),
        ctx: Ctx::Lazy(Box::new(make)),
        in_sitemap: true,
        indexed: false,
    })
}
