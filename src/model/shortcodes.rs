//! Data shortcodes for Markdown: `{{ lec_bands() }}`, `{{ ls_bands() }}`, `{{ deadlines() }}`,
//! `{{ milestones() }}`, `{{ plan_phases() }}`, `{{ plan_document() }}`, `{{ stat(name="…") }}`,
//! `{{ offline_download() }}` and `{{ enterprises(category="…" | keywords="…") }}` render from
//! site.toml and the records, so the handbook and the notices never contradict the data.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::enterprise::{Enterprise, in_category};
use super::risk::{Level, fmt_score};
use super::snapshot;
use crate::domain::HighRisk;
use crate::load::site_config::{Bands, SiteConfig};
use crate::text::escape;

pub(crate) const NAMES: &[&str] = &[
    "lec_bands",
    "ls_bands",
    "deadlines",
    "milestones",
    "plan_phases",
    "plan_document",
    "offline_download",
    "stat",
    "lec_factors",
    "ls_factors",
    "direct_grading",
    "accident_types",
    "enterprises",
];

/// The shortcodes that take arguments; any other is written with empty parentheses.
const TAKE_ARGUMENTS: &[&str] = &["stat", "enterprises"];

/// What the data shortcodes read besides their arguments.
pub(crate) struct Env<'a> {
    pub(crate) cfg: &'a SiteConfig,
    pub(crate) ents: &'a [Enterprise],
    pub(crate) as_of: Date,
    /// Whether this run publishes the zip of the offline copy (`build`; not the preview).
    pub(crate) offline_zip: bool,
}

/// One data shortcode's HTML, or what is wrong with the call (reported at the shortcode).
pub(crate) fn expand(
    name: &str,
    args: &BTreeMap<String, String>,
    root: &str,
    env: &Env<'_>,
) -> Result<String, String> {
    let (cfg, ents, as_of) = (env.cfg, env.ents, env.as_of);
    if NAMES.contains(&name)
        && !TAKE_ARGUMENTS.contains(&name)
        && let Some(k) = args.keys().next()
    {
        return Err(format!(
            "短代码“{name}”不带参数（这里写了“{k}”），请写成 {{{{ {name}() }}}}"
        ));
    }
    match name {
        "offline_download" => Ok(offline_download(root, env)),
        "plan_phases" => plan_phases(cfg, as_of),
        "plan_document" => plan_document(cfg),
        "lec_factors" => Ok(lec_factors(cfg)),
        "ls_factors" => Ok(ls_factors(cfg)),
        "direct_grading" => direct_grading(cfg),
        "accident_types" => Ok(accident_types(cfg)),
        "stat" => stat(args, cfg, ents, as_of),
        "lec_bands" => bands_table(cfg.lec.as_ref(), "D = L × E × C", "lec")
            .ok_or_else(|| "site.toml 没有 [bands.lec]".to_string()),
        "ls_bands" => bands_table(cfg.ls.as_ref(), "R = L × S", "ls")
            .ok_or_else(|| "site.toml 没有 [bands.ls]".to_string()),
        "deadlines" => deadlines(cfg),
        "milestones" => Ok(milestones(cfg)),
        "enterprises" if args.contains_key("category") => {
            enterprises_in_category(&args["category"], root, ents)
        }
        "enterprises" => enterprises_by_keywords(args, root, ents),
        _ => Err(format!("未知的短代码“{name}”，可用：{}", NAMES.join("、"))),
    }
}

/// `{{ lec_factors() }}`: the L, E and C tables of site.toml.
fn lec_factors(cfg: &SiteConfig) -> String {
    let sc = &cfg.scales;
    [
        factor_table("L", "事故发生的可能性", &sc.lec_l, "lec-l"),
        factor_table("E", "暴露于危险环境的频繁程度", &sc.lec_e, "lec-e"),
        factor_table("C", "发生事故可能造成的后果", &sc.lec_c, "lec-c"),
    ]
    .concat()
}

/// `{{ ls_factors() }}`: the L and S tables of site.toml.
fn ls_factors(cfg: &SiteConfig) -> String {
    let sc = &cfg.scales;
    [
        factor_table("L", "可能性", &sc.ls_l, "ls-l"),
        factor_table("S", "严重性", &sc.ls_s, "ls-s"),
    ]
    .concat()
}

/// `{{ direct_grading() }}`: the rules that make a risk major without scoring, and their note.
fn direct_grading(cfg: &SiteConfig) -> Result<String, String> {
    let sc = &cfg.scales;
    if sc.direct_rules.is_empty() {
        return Err("site.toml 没有 [direct_grading] rules".into());
    }
    let items: String = sc
        .direct_rules
        .iter()
        .map(|r| format!("<li>{}</li>", escape(r)))
        .collect();
    let note = if sc.direct_note.is_empty() {
        String::new()
    } else {
        format!("<p class=\"direct-note\">{}</p>", escape(&sc.direct_note))
    };
    Ok(format!("<ol class=\"direct-grading\">{items}</ol>{note}"))
}

/// `{{ accident_types() }}`: the accident types records may name, with their standard.
fn accident_types(cfg: &SiteConfig) -> String {
    let sc = &cfg.scales;
    let items: Vec<String> = sc.accidents.iter().map(|a| escape(a)).collect();
    format!(
        "<p class=\"accident-types\">{}（{} 类）：{}。</p>",
        escape(&sc.accident_standard),
        sc.accidents.len(),
        items.join("、")
    )
}

/// `{{ deadlines() }}`: the two completion deadlines of the plan.
fn deadlines(cfg: &SiteConfig) -> Result<String, String> {
    let d = cfg.deadlines.as_ref().ok_or("site.toml 没有 [deadlines]")?;
    Ok(format!(
        "<table class=\"data-table deadlines\"><thead><tr><th scope=\"col\">企业类别</th><th scope=\"col\">建成期限</th></tr></thead><tbody>\
         <tr><td>涉及高风险类别的企业（金属冶炼、粉尘涉爆、涉重点监管危险化工工艺、涉有限空间作业、劳动密集型、厂中厂，含厂中厂的出租方）</td><td><time datetime=\"{0}\">{0}</time></td></tr>\
         <tr><td>全部生产、仓储企业</td><td><time datetime=\"{1}\">{1}</time></td></tr></tbody></table>",
        d.high_risk, d.all
    ))
}

/// `{{ milestones() }}`: the milestones an enterprise passes, in order.
fn milestones(cfg: &SiteConfig) -> String {
    let items: String = cfg
        .milestones
        .iter()
        .map(|m| format!("<li>{}</li>", escape(&m.name)))
        .collect();
    format!("<ol class=\"milestone-list\">{items}</ol>")
}

/// `{{ enterprises(category="…") }}`: the enterprises of a high-risk category, counted as the
/// home page counts them.
fn enterprises_in_category(c: &str, root: &str, ents: &[Enterprise]) -> Result<String, String> {
    let Some(category) = HighRisk::from_name(c) else {
        return Err(format!(
            "enterprises 的 category“{c}”不是高风险类别，可用：{}",
            HighRisk::NAMES.join("、")
        ));
    };
    let hits: Vec<&Enterprise> = ents.iter().filter(|e| in_category(e, category)).collect();
    let lead = format!(
        "<p class=\"list-rule\">按高风险类别“{}”列出（与首页统计口径相同{}）：</p>",
        escape(c),
        if category == HighRisk::FactoryInFactory {
            "，含承租方和出租方"
        } else {
            ""
        }
    );
    Ok(enterprise_list(hits, root, &lead))
}

/// `{{ enterprises(keywords="词1,词2") }}`: the enterprises whose records mention a word, said
/// to be a search rather than a category.
fn enterprises_by_keywords(
    args: &BTreeMap<String, String>,
    root: &str,
    ents: &[Enterprise],
) -> Result<String, String> {
    let kw = args
        .get("keywords")
        .ok_or("enterprises 需要参数 category=\"高风险类别\" 或 keywords=\"词1,词2\"")?;
    let words: Vec<&str> = kw
        .split([',', '，', '、'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err("enterprises 的 keywords 不能为空".into());
    }
    let hits: Vec<&Enterprise> = ents
        .iter()
        .filter(|e| words.iter().any(|w| mentions(e, w)))
        .collect();
    let lead = format!(
        "<p class=\"list-rule\">按档案中的关键词（{}）匹配，供参考，不是高风险类别的认定：</p>",
        escape(&words.join("、"))
    );
    Ok(enterprise_list(hits, root, &lead))
}

fn enterprise_list(mut hits: Vec<&Enterprise>, root: &str, lead: &str) -> String {
    hits.sort_by(|a, b| a.rec.name.v.cmp(&b.rec.name.v));
    if hits.is_empty() {
        return format!("{lead}<p class=\"muted\">本镇暂无符合的企业档案。</p>");
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
                escape(e.rec.size.name())
            )
        })
        .collect();
    format!("{lead}<ul class=\"enterprise-list\">{items}</ul>")
}

/// `{{ stat(name="late", group="高风险企业", on="2025-06-20") }}`: one number from the records,
/// as of `on` (default: the build's as-of date).
fn stat(
    args: &BTreeMap<String, String>,
    cfg: &SiteConfig,
    ents: &[Enterprise],
    as_of: Date,
) -> Result<String, String> {
    let names = || {
        snapshot::STATS
            .iter()
            .map(|(n, what)| format!("{n}（{what}）"))
            .collect::<Vec<_>>()
            .join("、")
    };
    let name = args
        .get("name")
        .ok_or_else(|| format!("stat 需要参数 name，可用：{}", names()))?;
    let group = args.get("group").map_or("", |g| g.as_str());
    let group = snapshot::Group::parse(group)
        .ok_or_else(|| format!("stat 的 group“{group}”无效，可用：全部、高风险企业、其他企业"))?;
    let on = match args.get("on") {
        Some(d) => d
            .parse::<Date>()
            .map_err(|_| format!("stat 的 on“{d}”不是日期，应写成 2025-06-20"))?,
        None => as_of,
    };
    if on > as_of {
        return Err(format!("stat 的 on {on} 晚于统计截止日 {as_of}"));
    }
    let snap = snapshot::at(ents, cfg, on, group);
    snap.get(name)
        .map(|n| n.to_string())
        .ok_or_else(|| format!("stat 的 name“{name}”未知，可用：{}", names()))
}

/// The plan's phases with their dates and whether each is over, under way or still to come.
fn plan_phases(cfg: &SiteConfig, as_of: Date) -> Result<String, String> {
    if cfg.plan.phases.is_empty() {
        return Err("site.toml 没有 [[plan.phases]]".into());
    }
    let rows: String = cfg
        .plan
        .phases
        .iter()
        .map(|p| {
            let (state, class) = if as_of > p.end {
                ("已结束", "done")
            } else if as_of >= p.start {
                ("进行中", "progress")
            } else {
                ("未开始", "todo")
            };
            let tasks: String = p
                .tasks
                .iter()
                .map(|t| format!("<li>{}</li>", escape(t)))
                .collect();
            format!(
                "<li><p class=\"phase-head\"><strong>{}</strong> <span class=\"nowrap\"><time datetime=\"{s}\">{s}</time> 至 <time datetime=\"{e}\">{e}</time></span> <span class=\"status status-{class}\">{state}</span></p><ul>{tasks}</ul></li>",
                escape(&p.name),
                s = p.start,
                e = p.end,
            )
        })
        .collect();
    Ok(format!(
        "<p class=\"phases-as-of\">截至 <time datetime=\"{as_of}\">{as_of}</time>：</p><ol class=\"phases\">{rows}</ol>"
    ))
}

/// `{{ plan_document() }}`: the plan the site serves as site.toml's `[plan]` names it — title,
/// issuer and date of issue — so that a town's plan page cites its own plan, not another town's.
fn plan_document(cfg: &SiteConfig) -> Result<String, String> {
    let p = &cfg.plan;
    let title = p
        .title
        .trim()
        .trim_start_matches('《')
        .trim_end_matches('》');
    if title.is_empty() {
        return Err("site.toml 的 [plan] 没有 title（实施方案的名称）".into());
    }
    let issuer = escape(p.issuer.trim());
    let by = match (issuer.is_empty(), p.issued) {
        (true, None) => String::new(),
        (false, None) => format!("（{issuer}印发）"),
        (true, Some(d)) => format!("（<time datetime=\"{d}\">{d}</time> 印发）"),
        (false, Some(d)) => format!("（{issuer} <time datetime=\"{d}\">{d}</time> 印发）"),
    };
    Ok(format!(
        "<p class=\"plan-document\">《<cite>{}</cite>》{by}</p>",
        escape(title)
    ))
}

/// `{{ offline_download() }}`: the link to the zip of the offline copy with its size, and how to
/// use it. The offline copy itself shows a note in place of the link (see `crate::offline`); the
/// preview, which makes no zip, says when there is one. The part that differs is not indexed
/// (`noindex`), so the preview and the build search the same text.
fn offline_download(root: &str, env: &Env<'_>) -> String {
    use crate::offline;
    let folder = escape(&offline::folder_name(&env.cfg.title));
    let as_of = env.as_of;
    let how = format!(
        "<p>离线版是整个网站的一份拷贝，数据截至 <time datetime=\"{as_of}\">{as_of}</time>。下载后解压，\
         打开文件夹“{folder}”，双击其中的 <code>index.html</code>，用电脑上的浏览器就能浏览：\
         不需要联网，也不需要安装软件，站内搜索、评估自评和打印都能用。培训会场或车间没有网络时，\
         可以把它拷到 U 盘里带去。网站更新后，请重新下载。</p>"
    );
    if !env.offline_zip {
        return format!(
            "<div class=\"offline-download\"><p class=\"noindex\">离线版在正式生成网站（<code>dualprev build</code>）时打包，\
             预览时不提供下载。</p>{how}</div>"
        );
    }
    // The note stands inside an HTML comment until the offline copy takes it out: no `--`.
    let live = env.cfg.base_url.as_deref().map_or(String::new(), |u| {
        format!(
            "联网时请以<a href=\"{}\">网站</a>上的最新版本为准。",
            escape(u).replace("--", "-&#45;")
        )
    });
    format!(
        "<div class=\"offline-download\"><p class=\"noindex\">{on}<a href=\"{root}{zip}\" download=\"{folder}-{as_of}.zip\">下载离线版</a>\
         （ZIP 压缩包，{size}）{alt}<strong>您现在打开的就是离线版</strong>，数据截至 <time datetime=\"{as_of}\">{as_of}</time>。{live}--></p>{how}</div>",
        on = offline::ONLINE,
        zip = offline::ZIP_PATH,
        size = offline::SIZE,
        alt = offline::ELSE,
    )
}

/// One factor table (`L` … with each value's meaning, and how to recognise it when stated).
fn factor_table(
    var: &str,
    meaning: &str,
    rows: &[crate::load::scales::Factor],
    class: &str,
) -> String {
    let notes = rows.iter().any(|r| !r.note.is_empty());
    let body: String = rows
        .iter()
        .map(|r| {
            let note = if notes {
                format!("<td>{}</td>", escape(&r.note))
            } else {
                String::new()
            };
            format!(
                "<tr><td class=\"nowrap\">{}</td><td>{}</td>{note}</tr>",
                fmt_score(r.value),
                escape(&r.text)
            )
        })
        .collect();
    let note_head = if notes {
        "<th scope=\"col\">判断参考</th>"
    } else {
        ""
    };
    format!(
        "<div class=\"table-scroll\" tabindex=\"0\"><table class=\"data-table factors factors-{class}\"><caption>{var} 值（{meaning}）取值表（全镇统一）</caption><thead><tr><th scope=\"col\">{var} 值</th><th scope=\"col\">{meaning}</th>{note_head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
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
                crate::css::level(*l),
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
    r.high_risk.iter().any(|h| h.v.name().contains(w))
        || r.processes
            .iter()
            .any(|p| p.name.contains(w) || p.description.contains(w))
        || r.equipment.iter().any(|x| x.name.contains(w))
        || e.risks
            .iter()
            .map(|v| &v.r)
            .any(|x| x.activity.contains(w) || x.hazard.contains(w) || x.unit.contains(w))
        || r.red_lines.iter().any(|x| x.text.contains(w))
        || r.landlord.contains(w) && !r.landlord.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceFile;

    fn cfg(plan: &str) -> SiteConfig {
        let src = SourceFile {
            rel: "data/site.toml".into(),
            text: format!("title = \"测试镇\"\n{plan}"),
        };
        let mut diags = Vec::new();
        let cfg = crate::load::site_config::parse(&src, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        cfg.expect("site.toml parses")
    }

    fn call(cfg: &SiteConfig) -> Result<String, String> {
        let env = Env {
            cfg,
            ents: &[],
            as_of: jiff::civil::date(2025, 6, 30),
            offline_zip: true,
        };
        expand("plan_document", &BTreeMap::new(), "", &env)
    }

    #[test]
    fn plan_document_cites_the_towns_own_plan() {
        let c = cfg(
            "[plan]\ntitle = \"加强测试镇工贸企业<双重预防>实施方案\"\nissuer = \"广汉市测试镇人民政府\"\nissued = 2024-07-20\n",
        );
        assert_eq!(
            call(&c).unwrap(),
            "<p class=\"plan-document\">《<cite>加强测试镇工贸企业&lt;双重预防&gt;实施方案</cite>》（广汉市测试镇人民政府 <time datetime=\"2024-07-20\">2024-07-20</time> 印发）</p>"
        );
        // Without a date of issue, or without an issuer, what is known is said.
        let c = cfg("[plan]\ntitle = \"《测试镇方案》\"\nissuer = \"测试镇人民政府\"\n");
        assert_eq!(
            call(&c).unwrap(),
            "<p class=\"plan-document\">《<cite>测试镇方案</cite>》（测试镇人民政府印发）</p>"
        );
        let c = cfg("[plan]\ntitle = \"测试镇方案\"\n");
        assert_eq!(
            call(&c).unwrap(),
            "<p class=\"plan-document\">《<cite>测试镇方案</cite>》</p>"
        );
    }

    #[test]
    fn a_shortcode_without_arguments_refuses_one() {
        let c = cfg("[plan]\ntitle = \"测试镇方案\"\n");
        let env = Env {
            cfg: &c,
            ents: &[],
            as_of: jiff::civil::date(2025, 6, 30),
            offline_zip: true,
        };
        let args: BTreeMap<String, String> = [("size".to_string(), "1".to_string())].into();
        let err = expand("offline_download", &args, "", &env).unwrap_err();
        assert!(
            err.contains("offline_download") && err.contains("size"),
            "{err}"
        );
        assert!(expand("offline_download", &BTreeMap::new(), "", &env).is_ok());
        assert!(expand("plan_document", &args, "", &env).is_err());
    }

    #[test]
    fn plan_document_without_a_title_is_an_error() {
        let err = call(&cfg("")).unwrap_err();
        assert!(err.contains("[plan]") && err.contains("title"), "{err}");
    }
}
