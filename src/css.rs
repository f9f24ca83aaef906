//! The theme's class names for the model's facts — risk levels, construction status, hazard
//! states — in one table each. Render and the shortcodes that write HTML into Markdown read them;
//! `themes/default/static/css/site.css` styles them (`level-major`, `status-late`, `state-overdue`…).

use crate::domain::{HazardState, Level, Status, StatusGroup};

/// `major` / `considerable` / `general` / `low`.
pub(crate) fn level(l: Level) -> &'static str {
    match l {
        Level::Major => "major",
        Level::Considerable => "considerable",
        Level::General => "general",
        Level::Low => "low",
    }
}

/// `done` / `progress` / `late`: the dashboard group's class (a late completion is `done`).
pub(crate) fn status_group(g: StatusGroup) -> &'static str {
    match g {
        StatusGroup::Done => "done",
        StatusGroup::InProgress => "progress",
        StatusGroup::Late => "late",
    }
}

/// The class of a status: that of its dashboard group.
pub(crate) fn status(s: Status) -> &'static str {
    status_group(s.group())
}

/// `open` / `overdue` / `rectified` / `rectified-overdue` / `closed`: a rectified hazard not yet
/// accepted by its deadline is still late, and marked so.
pub(crate) fn hazard_state(state: HazardState, overdue_days: i64) -> &'static str {
    match state {
        HazardState::Open => "open",
        HazardState::Overdue => "overdue",
        HazardState::Rectified if overdue_days > 0 => "rectified-overdue",
        HazardState::Rectified => "rectified",
        HazardState::Closed => "closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_is_styled_by_the_theme() {
        let css = include_str!("../themes/default/static/css/site.css");
        let mut classes: Vec<String> = Level::ALL
            .iter()
            .map(|l| format!(".level-{}", level(*l)))
            .collect();
        for (s, days) in [
            (HazardState::Open, 0),
            (HazardState::Overdue, 3),
            (HazardState::Rectified, 0),
            (HazardState::Rectified, 3),
            (HazardState::Closed, 0),
        ] {
            classes.push(format!(".state-{}", hazard_state(s, days)));
        }
        for s in Status::ALL {
            classes.push(format!(".status-{}", status(*s)));
        }
        let missing: Vec<&String> = classes
            .iter()
            .filter(|c| !css.contains(c.as_str()))
            .collect();
        assert!(missing.is_empty(), "not in site.css: {missing:?}");
    }
}
