//! The town's numbers on any one date, worked out from the dated events in the records alone:
//! construction status by the plan's rule and hazard states. Prose quotes them by shortcode
//! (`{{ stat(…) }}`) so a notice dated 2025-06-20 says what the records said that day.

use jiff::civil::Date;

use super::enterprise::{Enterprise, is_high_risk, status_on};
use super::hazard::{HazardState, state_on};
use super::status::Status;
use crate::domain::Cohort;
use crate::load::site_config::SiteConfig;

/// Counts on one date for one group of enterprises.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Snapshot {
    pub(crate) enterprises: usize,
    pub(crate) done: usize,
    pub(crate) done_late: usize,
    pub(crate) progress: usize,
    pub(crate) late: usize,
    pub(crate) hazards_open: usize,
    pub(crate) hazards_rectifying: usize,
    pub(crate) hazards_overdue: usize,
    pub(crate) hazards_awaiting: usize,
    pub(crate) hazards_awaiting_overdue: usize,
    pub(crate) hazards_major_open: usize,
}

/// Which enterprises a snapshot counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    All,
    HighRisk,
    Other,
}

impl Group {
    pub(crate) fn parse(s: &str) -> Option<Group> {
        match s {
            "" | "全部" => Some(Group::All),
            _ => Cohort::from_name(s).map(|c| match c {
                Cohort::HighRisk => Group::HighRisk,
                Cohort::Other => Group::Other,
            }),
        }
    }

    fn contains(self, e: &Enterprise) -> bool {
        match self {
            Group::All => true,
            Group::HighRisk => is_high_risk(e),
            Group::Other => !is_high_risk(e),
        }
    }
}

pub(crate) fn at(ents: &[Enterprise], cfg: &SiteConfig, on: Date, group: Group) -> Snapshot {
    let mut s = Snapshot::default();
    for e in ents.iter().filter(|e| group.contains(e)) {
        s.enterprises += 1;
        match status_on(e, cfg, on).status {
            Status::Done => s.done += 1,
            Status::DoneLate => s.done_late += 1,
            Status::InProgress => s.progress += 1,
            Status::Late => s.late += 1,
        }
        for h in e.hazards.iter().filter(|h| h.h.found.v <= on) {
            let (state, overdue_days) = state_on(&h.h, on);
            if state == HazardState::Closed {
                continue;
            }
            s.hazards_open += 1;
            s.hazards_major_open += usize::from(h.major);
            match state {
                HazardState::Open => s.hazards_rectifying += 1,
                HazardState::Overdue => s.hazards_overdue += 1,
                HazardState::Rectified => {
                    s.hazards_awaiting += 1;
                    s.hazards_awaiting_overdue += usize::from(overdue_days > 0);
                }
                HazardState::Closed => {}
            }
        }
    }
    s
}

/// The names `{{ stat(name=…) }}` accepts, with what each counts.
pub(crate) const STATS: &[(&str, &str)] = &[
    ("enterprises", "企业数"),
    ("done", "已达标（含逾期完成）"),
    ("done_on_time", "按期达标"),
    ("done_late", "已达标（逾期完成）"),
    ("progress", "推进中"),
    ("late", "已逾期"),
    ("hazards_open", "未销号隐患"),
    ("hazards_rectifying", "整改中隐患"),
    ("hazards_overdue", "逾期未整改隐患"),
    ("hazards_awaiting", "待验收隐患"),
    ("hazards_awaiting_overdue", "过期未验收隐患"),
    ("hazards_late", "逾期隐患（逾期未整改 + 过期未验收）"),
    ("hazards_major_open", "未销号重大隐患"),
];

impl Snapshot {
    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        Some(match name {
            "enterprises" => self.enterprises,
            "done" => self.done + self.done_late,
            "done_on_time" => self.done,
            "done_late" => self.done_late,
            "progress" => self.progress,
            "late" => self.late,
            "hazards_open" => self.hazards_open,
            "hazards_rectifying" => self.hazards_rectifying,
            "hazards_overdue" => self.hazards_overdue,
            "hazards_awaiting" => self.hazards_awaiting,
            "hazards_awaiting_overdue" => self.hazards_awaiting_overdue,
            "hazards_late" => self.hazards_overdue + self.hazards_awaiting_overdue,
            "hazards_major_open" => self.hazards_major_open,
            _ => return None,
        })
    }
}
