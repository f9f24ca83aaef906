//! One enterprise reduced to the row that lists, ledgers and its own pages show about it.

use serde::Serialize;

use crate::model::enterprise::Enterprise;

/// A row about one enterprise, as lists and ledgers show it.
#[derive(Debug, Clone, Serialize)]
pub struct EntSummary {
    pub slug: String,
    pub name: String,
    pub uscc: String,
    pub address: String,
    pub emergency_phone: String,
    pub high_risk: Vec<String>,
    pub red_lines: Vec<crate::load::enterprise::RedLine>,
    pub milestones_done: usize,
    pub milestones_total: usize,
    pub village: String,
    pub department: String,
    pub liaison_title: String,
    pub categories: Vec<String>,
    pub size: String,
    pub kind: String,
    pub industry: String,
    pub employees: u64,
    pub demonstration: bool,
    pub deadline: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub passed_late: bool,
    pub milestones: String,
    pub open_hazards: usize,
    pub overdue_hazards: usize,
    pub open_major_hazards: usize,
    pub last_contact: String,
    pub this_month_missing: bool,
    pub missed_months: usize,
    pub latest_score: String,
    pub latest_verdict: String,
    pub major_risks: usize,
    pub considerable_risks: usize,
}

pub fn summary(e: &Enterprise) -> EntSummary {
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
        status: e.status.word(),
        status_class: e.status_class,
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
