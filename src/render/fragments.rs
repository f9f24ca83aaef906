//! The repetitive parts of an enterprise's pages — its risk tables and hazard ledger rows — written
//! in Rust instead of template loops, as the ledger rows are. A town has thousands of enterprises
//! with dozens of risks and hazards each; looping over them in tera (and serialising them into
//! every page's context first) was most of the build. Every record value is escaped;
//! cells carry their column's name (`data-label`) for the stacked phone layout.

use std::fmt::Write as _;

use super::views::level_html as level;
use crate::model::enterprise::{Enterprise, RiskGroup};
use crate::model::hazard::HazardState;
use crate::text::escape_into as esc;

/// `<li>` items, escaped.
fn items<'s>(out: &mut String, list: impl IntoIterator<Item = &'s String>) {
    for x in list {
        out.push_str("<li>");
        esc(out, x);
        out.push_str("</li>");
    }
}

fn joined<'s>(out: &mut String, list: impl IntoIterator<Item = &'s str>, sep: &str) {
    for (i, x) in list.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        esc(out, x);
    }
}

/// A post's headcount as the templates show it: nothing when missing or zero.
fn headcount(out: &mut String, n: Option<u64>) {
    if let Some(n) = n.filter(|n| *n != 0) {
        let _ = write!(out, "（{n} 人）");
    }
}

/// The enterprise page's risk inventory: per post or unit, a heading and a table of its risks.
pub(crate) fn risk_tables(e: &Enterprise) -> String {
    let mut out = String::with_capacity(e.risks.len() * 900 + e.risk_groups.len() * 600);
    for g in &e.risk_groups {
        let _ = write!(out, "\n<h3 id=\"group-{}\">", g.index);
        esc(&mut out, &g.name);
        headcount(&mut out, g.headcount);
        out.push_str(" · 最高 ");
        level(&mut out, g.highest);
        out.push_str("</h3>\n<div class=\"table-scroll\" tabindex=\"0\">\n<table class=\"data-table risk-table stack-table\">\n  <thead><tr><th scope=\"col\">编号</th><th scope=\"col\">作业活动 / 危险有害因素</th><th scope=\"col\">可能事故</th><th scope=\"col\">评价</th><th scope=\"col\">等级</th><th scope=\"col\">管控层级</th><th scope=\"col\">管控措施</th><th scope=\"col\">应急处置</th></tr></thead>\n  <tbody>\n  ");
        for r in g.risks.iter().filter_map(|i| e.risks.get(*i)) {
            out.push_str("\n  <tr class=\"risk-row level-row-");
            out.push_str(crate::css::level(r.level));
            out.push_str("\">\n    <td>");
            esc(&mut out, &r.r.id.v);
            out.push_str("</td>\n    <td data-label=\"作业活动 / 危险有害因素\">");
            if !r.r.activity.is_empty() {
                out.push_str("<strong>");
                esc(&mut out, &r.r.activity);
                out.push_str("</strong><br>");
            }
            esc(&mut out, &r.r.hazard);
            out.push_str("</td>\n    <td data-label=\"可能事故\">");
            joined(&mut out, r.r.accidents.iter().map(|a| a.v.as_str()), "、");
            out.push_str("</td>\n    <td data-label=\"评价\">");
            esc(&mut out, r.r.method.v.name());
            out.push_str("<br><span class=\"formula\">");
            esc(&mut out, &r.formula);
            out.push_str("</span></td>\n    <td data-label=\"等级\">");
            level(&mut out, r.level);
            if let Some(c) = &r.computed {
                out.push_str("<br><small>计算为");
                out.push_str(c.name());
                out.push_str("，填报为");
                out.push_str(r.declared.as_ref().map_or("", |d| d.name()));
                out.push_str("，从严</small>");
            } else if let Some(d) = &r.declared {
                out.push_str("<br><small>填报为");
                out.push_str(d.name());
                out.push_str("，计算从严</small>");
            }
            out.push_str("</td>\n    <td data-label=\"管控层级\">");
            esc(&mut out, crate::domain::opt_name(r.r.control_level));
            out.push_str("</td>\n    <td data-label=\"管控措施\"><ul class=\"compact\">");
            items(&mut out, &r.r.measures);
            out.push_str("</ul></td>\n    <td data-label=\"应急处置\"><ul class=\"compact\">");
            items(&mut out, &r.r.emergency);
            out.push_str("</ul></td>\n  </tr>\n  ");
        }
        out.push_str("\n  </tbody>\n</table>\n</div>\n");
    }
    out
}

/// The enterprise page's hazard ledger rows (the closed loop, overdue first as the model sorted them).
pub(crate) fn hazard_rows(e: &Enterprise) -> String {
    let mut out = String::with_capacity(e.hazards.len() * 700);
    for h in &e.hazards {
        out.push_str("\n  <tr id=\"hazard-");
        esc(&mut out, &h.h.id.v);
        out.push_str("\" class=\"");
        if h.state == HazardState::Overdue {
            out.push_str("row-overdue");
        }
        out.push_str("\">\n    <td>");
        esc(&mut out, &h.h.id.v);
        let _ = write!(
            out,
            "</td><td data-label=\"发现\"><span class=\"nowrap\">{}</span></td><td data-label=\"来源\">",
            h.h.found.v
        );
        esc(&mut out, crate::domain::opt_name(h.h.source));
        out.push_str("</td>\n    <td data-label=\"位置 / 隐患\">");
        if !h.h.location.is_empty() {
            esc(&mut out, &h.h.location);
            out.push('：');
        }
        esc(&mut out, &h.h.description);
        if let Some(r) = h.h.risk.as_ref().filter(|r| !r.v.is_empty()) {
            out.push_str("<br><small>关联风险 ");
            esc(&mut out, &r.v);
            out.push_str("</small>");
        }
        out.push_str("</td>\n    <td data-label=\"等级\">");
        if h.major {
            out.push_str("<strong class=\"grade-major\">重大</strong>");
            if !h.h.criterion.is_empty() {
                out.push_str("<br><small>");
                esc(&mut out, &h.h.criterion);
                out.push_str("</small>");
            }
        } else {
            out.push_str(h.h.grade.v.name());
        }
        out.push_str("</td>\n    <td data-label=\"整改措施\">");
        esc(&mut out, &h.h.measures);
        if h.major {
            out.push_str("<br><small>资金 ");
            // tera printed numbers with Rust's `{}` for f64.
            match h.h.funds_yuan {
                Some(f) => {
                    let _ = write!(out, "{f}");
                }
                None => out.push('—'),
            }
            out.push_str(" 元；责任 ");
            esc(&mut out, &h.h.responsible);
            out.push_str("；预案 ");
            esc(&mut out, &h.h.contingency);
            out.push_str("</small>");
        } else if !h.h.responsible.is_empty() {
            out.push_str("<br><small>责任 ");
            esc(&mut out, &h.h.responsible);
            out.push_str("</small>");
        }
        for (label, d) in [
            ("期限", &h.h.deadline),
            ("整改", &h.h.rectified),
            ("验收", &h.h.accepted),
        ] {
            out.push_str(if label == "期限" {
                "</td>\n    "
            } else {
                "</td>"
            });
            let _ = write!(out, "<td data-label=\"{label}\">");
            match d {
                Some(d) => {
                    let _ = write!(out, "<span class=\"nowrap\">{}</span>", d.v);
                }
                None => out.push('—'),
            }
        }
        out.push_str("</td>\n    <td data-label=\"状态\"><span class=\"state state-");
        out.push_str(crate::css::hazard_state(h.state, h.overdue_days));
        out.push_str("\">");
        esc(
            &mut out,
            &super::views::hazard_state_text(h.state, h.overdue_days),
        );
        out.push_str("</span></td>\n  </tr>\n  ");
    }
    out
}

/// The four-colour table's dots: per level (strictest first), one ● for each of the group's risks
/// at that level.
pub(crate) fn level_dots(e: &Enterprise, g: &RiskGroup) -> [String; 4] {
    let mut dots: [String; 4] = Default::default();
    for r in g.risks.iter().filter_map(|i| e.risks.get(*i)) {
        dots[r.level.index()].push('●');
    }
    dots
}
