//! Borrowed views of the model's facts as templates and fragments show them: each adds the
//! Chinese label and the CSS class (from `crate::css`) of a fact without copying the fact — the
//! way Zola's `SerializingPage` wraps a page. The model stays plain data.

use serde::Serialize;

use crate::domain::{HazardState, Level};
use crate::load::enterprise::{Hazard, Risk};
use crate::model::enterprise::GradedRisk;
use crate::model::hazard::TrackedHazard;
use crate::model::town::{
    DeadlineGroup, Group, HazardCounts, HazardRef, OutsideLandlord, RiskRef, Town,
};

/// 整改中 / 逾期 N 天 / 待验收 / 待验收（逾期 N 天） / 已销号.
pub(crate) fn hazard_state_text(state: HazardState, overdue_days: i64) -> String {
    match state {
        HazardState::Overdue => format!("逾期 {overdue_days} 天"),
        HazardState::Rectified if overdue_days > 0 => format!("待验收（逾期 {overdue_days} 天）"),
        s => s.name().to_string(),
    }
}

/// A risk level as the `level` macro of macros.html shows it: name, colour in words, class.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LevelView {
    pub(crate) name: &'static str,
    pub(crate) class: &'static str,
    pub(crate) colour: &'static str,
}

impl From<Level> for LevelView {
    fn from(l: Level) -> Self {
        LevelView {
            name: l.name(),
            class: crate::css::level(l),
            colour: l.colour(),
        }
    }
}

/// The `level` macro of macros.html, written into `out`: the level's name, with its colour in
/// words (the text always travels with the colour).
pub(crate) fn level_html(out: &mut String, l: Level) {
    out.push_str("<span class=\"level level-");
    out.push_str(crate::css::level(l));
    out.push_str("\">");
    out.push_str(l.name());
    out.push_str("<span class=\"level-colour\">（");
    out.push_str(l.colour());
    out.push_str("）</span></span>");
}

/// A graded risk as the bulletin lists it.
#[derive(Serialize)]
pub(crate) struct RiskView<'a> {
    #[serde(flatten)]
    pub(crate) r: &'a Risk,
    pub(crate) group: &'a str,
    pub(crate) level: LevelView,
}

impl<'a> RiskView<'a> {
    pub(crate) fn of(g: &'a GradedRisk) -> Self {
        RiskView {
            r: &g.r,
            group: &g.group,
            level: g.level.into(),
        }
    }
}

/// A hazard with its state on a date, as the evaluation report lists it.
#[derive(Serialize)]
pub(crate) struct HazardView<'a> {
    #[serde(flatten)]
    pub(crate) h: &'a Hazard,
    pub(crate) state_text: String,
    pub(crate) state_class: &'static str,
    pub(crate) overdue_days: i64,
    pub(crate) major: bool,
}

impl<'a> HazardView<'a> {
    pub(crate) fn of(t: &'a TrackedHazard) -> Self {
        HazardView {
            h: &t.h,
            state_text: hazard_state_text(t.state, t.overdue_days),
            state_class: crate::css::hazard_state(t.state, t.overdue_days),
            overdue_days: t.overdue_days,
            major: t.major,
        }
    }
}

/// An open hazard of the town, as the dashboard lists it.
#[derive(Serialize)]
pub(crate) struct OpenHazard<'a> {
    #[serde(flatten)]
    pub(crate) h: &'a HazardRef,
    pub(crate) state_text: String,
    pub(crate) state_class: &'static str,
}

impl<'a> OpenHazard<'a> {
    pub(crate) fn of(h: &'a HazardRef) -> Self {
        OpenHazard {
            h,
            state_text: hazard_state_text(h.state, h.overdue_days),
            state_class: crate::css::hazard_state(h.state, h.overdue_days),
        }
    }
}

/// The town as templates see it, borrowed: the dashboard's brief version swaps in short lists
/// without copying the town.
#[derive(Serialize)]
pub(crate) struct TownView<'t> {
    total: usize,
    done: usize,
    progress: usize,
    late: usize,
    by_category: &'t [Group],
    by_size: &'t [Group],
    by_kind: &'t [Group],
    by_village: &'t [Group],
    by_department: &'t [Group],
    by_liaison: &'t [Group],
    by_status: &'t [Group],
    no_category: &'t Group,
    open_hazards: Vec<OpenHazard<'t>>,
    overdue_count: usize,
    hazard_counts: &'t HazardCounts,
    open_major_count: usize,
    risks: &'t [RiskRef],
    missing_contact: &'t [String],
    missed_any: &'t [String],
    evaluated: usize,
    deadline_groups: &'t [DeadlineGroup],
    demonstration: &'t [String],
    outside_landlords: &'t [OutsideLandlord],
    gaps: &'t [String],
    month: &'t str,
}

impl<'t> TownView<'t> {
    pub(crate) fn of(t: &'t Town) -> Self {
        // Destructured so that a new field of `Town` cannot be forgotten here.
        let Town {
            total,
            done,
            progress,
            late,
            by_category,
            by_size,
            by_kind,
            by_village,
            by_department,
            by_liaison,
            by_status,
            no_category,
            open_hazards,
            overdue_count,
            hazard_counts,
            open_major_count,
            risks,
            missing_contact,
            missed_any,
            evaluated,
            deadline_groups,
            demonstration,
            outside_landlords,
            gaps,
            month,
        } = t;
        TownView {
            total: *total,
            done: *done,
            progress: *progress,
            late: *late,
            by_category,
            by_size,
            by_kind,
            by_village,
            by_department,
            by_liaison,
            by_status,
            no_category,
            open_hazards: open_hazards.iter().map(OpenHazard::of).collect(),
            overdue_count: *overdue_count,
            hazard_counts,
            open_major_count: *open_major_count,
            risks,
            missing_contact,
            missed_any,
            evaluated: *evaluated,
            deadline_groups,
            demonstration,
            outside_landlords,
            gaps,
            month,
        }
    }

    /// The town as the dashboard shows it: the first `n` open hazards and no risks (the full
    /// lists are in the ledgers). Serialising every open hazard and major risk of thousands of
    /// enterprises only to drop them took a noticeable part of a large build.
    pub(crate) fn brief(t: &'t Town, n: usize) -> Self {
        TownView {
            open_hazards: t.open_hazards[..t.open_hazards.len().min(n)]
                .iter()
                .map(OpenHazard::of)
                .collect(),
            risks: &[],
            ..TownView::of(t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazard_state_texts() {
        use HazardState::*;
        let t = |s, d| hazard_state_text(s, d);
        assert_eq!(t(Open, 0), "整改中");
        assert_eq!(t(Overdue, 10), "逾期 10 天");
        assert_eq!(t(Rectified, 0), "待验收");
        assert_eq!(t(Rectified, 10), "待验收（逾期 10 天）");
        assert_eq!(t(Closed, 0), "已销号");
    }

    #[test]
    fn level_html_names_the_colour() {
        let mut out = String::new();
        level_html(&mut out, Level::Considerable);
        assert_eq!(
            out,
            "<span class=\"level level-considerable\">较大<span class=\"level-colour\">（橙）</span></span>"
        );
    }
}
