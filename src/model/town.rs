//! Town-wide facts for the dashboard and the ledgers: enterprises grouped by category, size, kind,
//! village, department and liaison, with deadline status per group; open and overdue hazards; missed
//! contacts; evaluations; and the gaps (a village, department or liaison with no enterprise).

use serde::Serialize;

use super::Site;
use super::enterprise::{Enterprise, in_category, is_high_risk};
use super::hazard::HazardState;
use crate::domain::{
    Cohort, ControlLevel, HazardGrade, HighRisk, Kind, Level, Size, Status, StatusGroup,
};
use crate::url::encode_path;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Group {
    /// Which grouping: village, department, category, liaison, size, kind.
    pub(crate) dimension: &'static str,
    pub(crate) name: String,
    /// Shown title (a liaison's public title, otherwise the name).
    pub(crate) title: String,
    /// Ledger key of the group's page.
    pub(crate) key: String,
    pub(crate) url: String,
    pub(crate) slugs: Vec<String>,
    pub(crate) count: usize,
    pub(crate) done: usize,
    pub(crate) progress: usize,
    pub(crate) late: usize,
    pub(crate) open_hazards: usize,
    pub(crate) overdue_hazards: usize,
}

#[cfg(test)]
mod tests {
    #[test]
    fn folder_names_stay_inside() {
        assert_eq!(super::folder_name("../../x"), "_._.._x");
        assert_eq!(super::folder_name("a/b\\c"), "a_b_c");
        assert_eq!(super::folder_name("新桥社区"), "新桥社区");
        assert_eq!(super::folder_name(""), "_");
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HazardRef {
    pub(crate) slug: String,
    pub(crate) enterprise: String,
    pub(crate) id: String,
    pub(crate) grade: HazardGrade,
    pub(crate) major: bool,
    pub(crate) location: String,
    pub(crate) description: String,
    pub(crate) found: String,
    pub(crate) deadline: String,
    pub(crate) state: HazardState,
    /// Past the deadline and not closed.
    pub(crate) overdue: bool,
    /// Rectified, waiting for acceptance (待验收).
    pub(crate) awaiting: bool,
    pub(crate) overdue_days: i64,
    pub(crate) responsible: String,
}

/// The open hazards split so the parts add up: open = 整改中 + 逾期 + 待验收.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub(crate) struct HazardCounts {
    pub(crate) open: usize,
    /// Not rectified, within the deadline.
    pub(crate) rectifying: usize,
    /// Not rectified, past the deadline.
    pub(crate) overdue: usize,
    /// Rectified, not accepted.
    pub(crate) awaiting: usize,
    /// Of `awaiting`, past the deadline.
    pub(crate) awaiting_overdue: usize,
}

impl HazardCounts {
    pub(crate) fn of(open: &[HazardRef]) -> Self {
        let awaiting = open.iter().filter(|h| h.awaiting).count();
        let overdue = open.iter().filter(|h| !h.awaiting && h.overdue).count();
        HazardCounts {
            open: open.len(),
            rectifying: open.len() - awaiting - overdue,
            overdue,
            awaiting,
            awaiting_overdue: open.iter().filter(|h| h.awaiting && h.overdue).count(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RiskRef {
    pub(crate) slug: String,
    pub(crate) enterprise: String,
    pub(crate) id: String,
    pub(crate) group: String,
    pub(crate) activity: String,
    pub(crate) hazard: String,
    pub(crate) level: Level,
    pub(crate) formula: String,
    #[serde(serialize_with = "crate::domain::name_or_empty")]
    pub(crate) control_level: Option<ControlLevel>,
    pub(crate) rank: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeadlineGroup {
    pub(crate) name: &'static str,
    pub(crate) deadline: String,
    pub(crate) count: usize,
    pub(crate) evaluated: usize,
    pub(crate) passed: usize,
    pub(crate) passed_on_time: usize,
    pub(crate) year_end_submitted: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Town {
    pub(crate) total: usize,
    pub(crate) done: usize,
    pub(crate) progress: usize,
    pub(crate) late: usize,
    pub(crate) by_category: Vec<Group>,
    pub(crate) by_size: Vec<Group>,
    pub(crate) by_kind: Vec<Group>,
    pub(crate) by_village: Vec<Group>,
    pub(crate) by_department: Vec<Group>,
    pub(crate) by_liaison: Vec<Group>,
    pub(crate) by_status: Vec<Group>,
    pub(crate) no_category: Group,
    /// Every hazard not closed: 整改中 + 逾期 + 待验收.
    pub(crate) open_hazards: Vec<HazardRef>,
    /// Past the deadline and not closed (逾期未整改 + 待验收逾期).
    pub(crate) overdue_count: usize,
    pub(crate) hazard_counts: HazardCounts,
    pub(crate) open_major_count: usize,
    pub(crate) risks: Vec<RiskRef>,
    pub(crate) missing_contact: Vec<String>,
    pub(crate) missed_any: Vec<String>,
    pub(crate) evaluated: usize,
    pub(crate) deadline_groups: Vec<DeadlineGroup>,
    pub(crate) demonstration: Vec<String>,
    /// Landlords named by 厂中厂 records that match no record (not every lessor is a 工贸 enterprise).
    pub(crate) outside_landlords: Vec<OutsideLandlord>,
    pub(crate) gaps: Vec<String>,
    pub(crate) month: String,
}

/// A lessor with no record of its own, and the tenants that name it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutsideLandlord {
    pub(crate) name: String,
    pub(crate) tenants: Vec<super::enterprise::EnterpriseRef>,
}

/// A name as one folder of the output: path separators and leading dots would leave the ledger
/// folder (or the site), so they are replaced.
pub(crate) fn folder_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let s = if let Some(rest) = s.strip_prefix('.') {
        format!("_{rest}")
    } else {
        s
    };
    if s.is_empty() { "_".into() } else { s }
}

fn group(dimension: &'static str, name: &str, title: &str, ents: &[&Enterprise]) -> Group {
    let key = format!("ledger/{dimension}/{}/", folder_name(name));
    Group {
        dimension,
        name: name.to_string(),
        title: title.to_string(),
        url: encode_path(&key),
        key,
        slugs: ents.iter().map(|e| e.rec.slug.clone()).collect(),
        count: ents.len(),
        done: in_group(ents, StatusGroup::Done),
        progress: in_group(ents, StatusGroup::InProgress),
        late: in_group(ents, StatusGroup::Late),
        open_hazards: ents.iter().map(|e| e.open_hazards).sum(),
        overdue_hazards: ents.iter().map(|e| e.overdue_hazards).sum(),
    }
}

/// How many of `ents` count in the dashboard group `g`.
fn in_group(ents: &[&Enterprise], g: StatusGroup) -> usize {
    ents.iter().filter(|e| e.status_group == g).count()
}

pub(crate) fn build(site: &Site) -> Town {
    let all: Vec<&Enterprise> = site.enterprises.iter().collect();
    let pick =
        |f: &dyn Fn(&Enterprise) -> bool| all.iter().copied().filter(|e| f(e)).collect::<Vec<_>>();
    let by_category = HighRisk::ALL
        .iter()
        .map(|&c| {
            group(
                "category",
                c.name(),
                c.name(),
                &pick(&|e| in_category(e, c)),
            )
        })
        .collect();
    let no_category = group(
        "category",
        "非高风险",
        "不涉及高风险类别",
        &pick(&|e| !is_high_risk(e)),
    );
    let by_size = Size::ALL
        .iter()
        .map(|&s| group("size", s.name(), s.name(), &pick(&|e| e.rec.size == s)))
        .collect();
    let by_kind = Kind::ALL
        .iter()
        .map(|&k| group("kind", k.name(), k.name(), &pick(&|e| e.rec.kind == k)))
        .collect();
    let by_village = site
        .config
        .villages
        .iter()
        .map(|v| {
            group(
                "village",
                &v.v,
                &v.v,
                &pick(&|e| e.rec.village.as_ref().is_some_and(|x| x.v == v.v)),
            )
        })
        .collect::<Vec<_>>();
    let by_department = site
        .config
        .departments
        .iter()
        .map(|v| {
            group(
                "department",
                &v.v,
                &v.v,
                &pick(&|e| e.rec.department.as_ref().is_some_and(|x| x.v == v.v)),
            )
        })
        .collect::<Vec<_>>();
    let by_liaison = site
        .config
        .liaisons
        .iter()
        .map(|l| {
            group(
                "liaison",
                &l.id.v,
                &l.title,
                &pick(&|e| e.rec.liaison.as_ref().is_some_and(|x| x.v == l.id.v)),
            )
        })
        .collect::<Vec<_>>();
    let by_status = StatusGroup::ALL
        .iter()
        .map(|&g| {
            group(
                "status",
                g.name(),
                g.name(),
                &pick(&|e| e.status_group == g),
            )
        })
        .collect();

    let mut open_hazards = Vec::new();
    let mut risks = Vec::new();
    for e in &all {
        for h in e.hazards.iter().filter(|h| h.state != HazardState::Closed) {
            open_hazards.push(HazardRef {
                slug: e.rec.slug.clone(),
                enterprise: e.rec.name.v.clone(),
                id: h.h.id.v.clone(),
                grade: h.h.grade.v,
                major: h.major,
                location: h.h.location.clone(),
                description: h.h.description.clone(),
                found: h.h.found.v.to_string(),
                deadline: h
                    .h
                    .deadline
                    .as_ref()
                    .map(|d| d.v.to_string())
                    .unwrap_or_default(),
                state: h.state,
                overdue: h.overdue_days > 0,
                awaiting: h.state == HazardState::Rectified,
                overdue_days: h.overdue_days,
                responsible: h.h.responsible.clone(),
            });
        }
        for r in e.risks.iter().filter(|r| r.level.index() <= 1) {
            risks.push(RiskRef {
                slug: e.rec.slug.clone(),
                enterprise: e.rec.name.v.clone(),
                id: r.r.id.v.clone(),
                group: r.group.clone(),
                activity: r.r.activity.clone(),
                hazard: r.r.hazard.clone(),
                level: r.level,
                formula: r.formula.clone(),
                control_level: r.r.control_level,
                rank: r.level.index(),
            });
        }
    }
    // Overdue first (longest first), major before general, then by enterprise.
    open_hazards.sort_by(|a, b| {
        (!a.overdue, !a.major, -a.overdue_days, &a.slug, &a.id).cmp(&(
            !b.overdue,
            !b.major,
            -b.overdue_days,
            &b.slug,
            &b.id,
        ))
    });
    risks.sort_by(|a, b| (a.rank, &a.slug, &a.id).cmp(&(b.rank, &b.slug, &b.id)));

    let deadline_groups = match &site.config.deadlines {
        Some(d) => vec![
            deadline_group(
                Cohort::HighRisk.name(),
                d.high_risk,
                &pick(&|e| is_high_risk(e)),
                &site.config.plan.evaluators,
                site.as_of,
            ),
            deadline_group(
                Cohort::Other.name(),
                d.all,
                &pick(&|e| !is_high_risk(e)),
                &site.config.plan.evaluators,
                site.as_of,
            ),
        ],
        None => Vec::new(),
    };
    let mut gaps = Vec::new();
    for (list, what) in [
        (&by_village, "村（社区）"),
        (&by_department, "部门"),
        (&by_liaison, "联络员"),
    ] {
        for g in list.iter().filter(|g| g.count == 0) {
            gaps.push(format!("{what}：{}", g.title));
        }
    }
    let slugs = |f: &dyn Fn(&Enterprise) -> bool| {
        all.iter()
            .filter(|e| f(e))
            .map(|e| e.rec.slug.clone())
            .collect::<Vec<_>>()
    };
    Town {
        total: all.len(),
        done: in_group(&all, StatusGroup::Done),
        progress: in_group(&all, StatusGroup::InProgress),
        late: in_group(&all, StatusGroup::Late),
        by_category,
        no_category,
        by_size,
        by_kind,
        by_village,
        by_department,
        by_liaison,
        by_status,
        overdue_count: open_hazards.iter().filter(|h| h.overdue).count(),
        hazard_counts: HazardCounts::of(&open_hazards),
        open_major_count: open_hazards.iter().filter(|h| h.major).count(),
        open_hazards,
        risks,
        missing_contact: slugs(&|e| e.this_month_missing),
        missed_any: slugs(&|e| !e.missed_months.is_empty()),
        evaluated: all.iter().filter(|e| !e.evaluations.is_empty()).count(),
        deadline_groups,
        demonstration: slugs(&|e| e.rec.demonstration),
        outside_landlords: outside_landlords(&all),
        gaps,
        month: super::dates::month_label(super::dates::month_index(site.as_of)),
    }
}

fn deadline_group(
    name: &'static str,
    deadline: jiff::civil::Date,
    ents: &[&Enterprise],
    evaluators: &[String],
    as_of: jiff::civil::Date,
) -> DeadlineGroup {
    let counted = |v: &&super::enterprise::ScoredEvaluation| {
        super::status::counts(&v.e.by, evaluators) && v.e.date.v <= as_of
    };
    DeadlineGroup {
        name,
        deadline: deadline.to_string(),
        count: ents.len(),
        evaluated: ents
            .iter()
            .filter(|e| e.evaluations.iter().any(|v| counted(&v)))
            .count(),
        passed: in_group(ents, StatusGroup::Done),
        passed_on_time: ents.iter().filter(|e| e.status == Status::Done).count(),
        year_end_submitted: ents
            .iter()
            .filter(|e| {
                e.evaluations.iter().any(|v| {
                    counted(&v) && v.e.date.v.year() == deadline.year() && v.e.date.v <= deadline
                })
            })
            .count(),
    }
}

fn outside_landlords(all: &[&Enterprise]) -> Vec<OutsideLandlord> {
    let mut out: Vec<OutsideLandlord> = Vec::new();
    for e in all {
        let name = e.rec.landlord.trim();
        if name.is_empty() || e.landlord_ref.is_some() {
            continue;
        }
        let tenant = super::enterprise::EnterpriseRef {
            slug: e.rec.slug.clone(),
            name: e.rec.name.v.clone(),
        };
        match out.iter_mut().find(|o| o.name == name) {
            Some(o) => o.tenants.push(tenant),
            None => out.push(OutsideLandlord {
                name: name.to_string(),
                tenants: vec![tenant],
            }),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}
