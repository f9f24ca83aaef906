//! One enterprise reduced to the row that lists, ledgers and its own pages show about it.

use serde::Serialize;

use crate::model::enterprise::Enterprise;

/// A row about one enterprise, as lists and ledgers show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EntSummary {
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) uscc: String,
    pub(crate) address: String,
    pub(crate) emergency_phone: String,
    pub(crate) high_risk: Vec<String>,
    pub(crate) red_lines: Vec<crate::load::enterprise::RedLine>,
    pub(crate) milestones_done: usize,
    pub(crate) milestones_total: usize,
    pub(crate) village: String,
    pub(crate) department: String,
    pub(crate) liaison_title: String,
    pub(crate) categories: Vec<String>,
    pub(crate) size: String,
    pub(crate) kind: String,
    pub(crate) industry: String,
    pub(crate) employees: u64,
    pub(crate) demonstration: bool,
    pub(crate) deadline: String,
    pub(crate) status: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) passed_late: bool,
    pub(crate) milestones: String,
    pub(crate) open_hazards: usize,
    pub(crate) overdue_hazards: usize,
    pub(crate) open_major_hazards: usize,
    pub(crate) last_contact: String,
    pub(crate) this_month_missing: bool,
    pub(crate) missed_months: usize,
    pub(crate) latest_score: String,
    pub(crate) latest_verdict: String,
    pub(crate) major_risks: usize,
    pub(crate) considerable_risks: usize,
}

pub(crate) fn summary(e: &Enterprise) -> EntSummary {
    EntSummary {
        slug: e.rec.slug.clone(),
        name: e.rec.name.v.clone(),
        uscc: e.rec.uscc.v.clone(),
        address: e.rec.address.clone(),
        emergency_phone: e.rec.emergency_phone.clone(),
        high_risk: e.categories.clone(),
        red_lines: e.rec.red_lines.clone(),
        milestones_done: e.milestones_done,
        milestones_total: e.milestones_total,
        village: e
            .rec
            .village
            .as_ref()
            .map(|v| v.v.clone())
            .unwrap_or_default(),
        department: e
            .rec
            .department
            .as_ref()
            .map(|v| v.v.clone())
            .unwrap_or_default(),
        liaison_title: e.liaison_title.clone(),
        categories: e.categories.clone(),
        size: e.rec.size.name().to_string(),
        kind: e.rec.kind.name().to_string(),
        industry: e.rec.industry.name().to_string(),
        employees: e.rec.employees.v,
        demonstration: e.rec.demonstration,
        deadline: e.deadline.map(|d| d.to_string()).unwrap_or_default(),
        status: e.status.name(),
        status_class: crate::css::status(e.status),
        passed_late: e.passed_late,
        milestones: format!("{}/{}", e.milestones_done, e.milestones_total),
        open_hazards: e.open_hazards,
        overdue_hazards: e.overdue_hazards,
        open_major_hazards: e.open_major_hazards,
        last_contact: e.last_contact.map(|d| d.to_string()).unwrap_or_default(),
        this_month_missing: e.this_month_missing,
        missed_months: e.missed_months.len(),
        latest_score: e
            .latest_score
            .as_ref()
            .map(|s| s.percent.clone())
            .unwrap_or_default(),
        latest_verdict: e
            .latest_score
            .as_ref()
            .map(|s| s.verdict.to_string())
            .unwrap_or_default(),
        major_risks: e.level_counts[0],
        considerable_risks: e.level_counts[1],
    }
}
