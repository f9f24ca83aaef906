//! Data shortcodes for Markdown: `{{ lec_bands() }}`, `{{ ls_bands() }}`, `{{ deadlines() }}`,
//! `{{ milestones() }}` and `{{ enterprises(keywords="…") }}` render from site.toml and the records,
//! so the handbook never contradicts the data.

use std::collections::BTreeMap;

use super::enterprise::Enterprise;
use super::risk::{Level, fmt_score};
use crate::load::site_config::{Bands, SiteConfig};
use crate::text::escape;

pub const NAMES: &[&str] = &[
    "lec_bands",
    "ls_bands",
    "deadlines",
    "milestones",
    "enterprises",
];

pub fn expand(
    name: &str,
    args: &BTreeMap<String, String>,
    root: &str,
    cfg: &SiteConfig,
    ents: &[Enterprise],
) -> Result<String, String> {
    match name {
        "lec_bands" => bands_table(cfg.lec.as_ref(), "D = L × E × C", "lec")
            .ok_or_else(|| "site.toml 没有 [bands.lec]".to_string()),
        "ls_bands" => bands_table(cfg.ls.as_ref(), "R = L × S", "ls")
            .ok_or_else(|| "site.toml 没有 [bands.ls]".to_string()),
        "deadlines" => {
            let d = cfg.deadlines.as_ref().ok_or("site.toml 没有 [deadlines]")?;
            Ok(format!(
                "<table class=\"data-table deadlines\"><thead><tr><th scope=\"col\">企业类别</th><th scope=\"col\">建成期限</th></tr></thead><tbody>\
                 <tr><td>涉及高风险类别的企业（金属冶炼、粉尘涉爆、涉重点监管危险化工工艺、涉有限空间作业、劳动密集型、厂中厂）</td><td><time datetime=\"{0}\">{0}</time></td></tr>\
                 <tr><td>全部生产、仓储企业</td><td><time datetime=\"{1}\">{1}</time></td></tr></tbody></table>",
                d.high_risk, d.all
            ))
        }
        "milestones" => {
            let items: String = cfg
                .milestones
                .iter()
                .map(|m| format!("<li>{}</li>", escape(&m.name)))
                .collect();
            Ok(format!("<ol class=\"milestone-list\">{items}</ol>"))
        }
        "enterprises" => {
            let kw = args
                .get("keywords")
                .ok_or("enterprises 需要参数 keywords=\"词1,词2\"")?;
            let words: Vec<&str> = kw
                .split([',', '，', '、'])
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .collect();
            if words.is_empty() {
                return Err("enterprises 的 keywords 不能为空".into());
            }
            let mut hits: Vec<&Enterprise> = ents
                .iter()
                .filter(|e| words.iter().any(|w| mentions(e, w)))
                .collect();
            hits.sort_by(|a, b| a.rec.name.v.cmp(&b.rec.name.v));
            if hits.is_empty() {
                return Ok("<p class=\"muted\">本镇暂无档案记录涉及此类作业的企业。</p>".into());
            }
            let items: String = hits
                .iter()
                .map(|e| {
                    format!(
                        "<li><a href=\"{root}enterprises/{}/\">{}</a>（{}，{}）</li>",
                        e.rec.slug,
                        escape(&e.rec.name.v),
                        escape(
                            e.rec
                                .village
                                .as_ref()
                                .or(e.rec.department.as_ref())
                                .map_or("", |v| v.v.as_str())
                        ),
                        escape(&e.rec.size)
                    )
                })
                .collect();
            Ok(format!("<ul class=\"enterprise-list\">{items}</ul>"))
        }
        _ => Err(format!("未知的短代码“{name}”，可用：{}", NAMES.join("、"))),
    }
}

fn bands_table(b: Option<&Bands>, formula: &str, class: &str) -> Option<String> {
    let b = b?;
    let rows = [
        (
            Level::Major,
            format!("{var} ≥ {}", fmt_score(b.major), var = &formula[..1]),
        ),
        (
            Level::Considerable,
            format!(
                "{} ≤ {var} &lt; {}",
                fmt_score(b.considerable),
                fmt_score(b.major),
                var = &formula[..1]
            ),
        ),
        (
            Level::General,
            format!(
                "{} ≤ {var} &lt; {}",
                fmt_score(b.general),
                fmt_score(b.considerable),
                var = &formula[..1]
            ),
        ),
        (
            Level::Low,
            format!("{var} &lt; {}", fmt_score(b.general), var = &formula[..1]),
        ),
    ];
    let body: String = rows
        .iter()
        .map(|(l, range)| {
            format!(
                "<tr><td>{range}</td><td><span class=\"level level-{}\">{}风险</span></td><td>{}色</td></tr>",
                l.class(),
                l.name(),
                l.colour()
            )
        })
        .collect();
    Some(format!(
        "<table class=\"data-table bands bands-{class}\"><caption>{formula} 风险分级标准（全镇统一）</caption><thead><tr><th scope=\"col\">分值范围</th><th scope=\"col\">风险等级</th><th scope=\"col\">颜色</th></tr></thead><tbody>{body}</tbody></table>"
    ))
}

/// Whether an enterprise's record mentions `w` anywhere a reader would look for the kind of work.
fn mentions(e: &Enterprise, w: &str) -> bool {
    let r = &e.rec;
    r.high_risk.iter().any(|h| h.v.contains(w))
        || r.processes
            .iter()
            .any(|p| p.name.contains(w) || p.description.contains(w))
        || r.equipment.iter().any(|x| x.name.contains(w))
        || e.risk_views
            .iter()
            .map(|v| &v.r)
            .any(|x| x.activity.contains(w) || x.hazard.contains(w) || x.unit.contains(w))
        || r.red_lines.iter().any(|x| x.text.contains(w))
        || r.landlord.contains(w) && !r.landlord.is_empty()
}
