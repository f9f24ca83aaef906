//! The list of pages to render and what each template is given: content pages and sections, the
//! home dashboard, enterprise pages, standards, search, 404 — plus the notices' Atom feed.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::summary::{EntSummary, summary};
use super::{Ctx, Job, Output, base_context, svg};
use crate::diag::Diagnostic;
use crate::model::content::Page;
use crate::model::enterprise::Enterprise;
use crate::model::hazard::HazardState;
use crate::model::{Site, town};

/// Keys the generator owns; a content `_index.md` at one of them becomes that page's introduction.
pub(crate) const GENERATED: &[&str] = &[
    "enterprises/",
    "standards/",
    "ledger/",
    "search/",
    "showcase/",
    "reports/",
];

/// A file made alongside the pages (on the rendering threads): its output path and bytes.
pub(crate) type Deferred = Box<dyn FnOnce() -> Result<(String, Vec<u8>), Box<Diagnostic>> + Send>;

/// What [`all`] plans: the pages, and the files to make while they render; and what the
/// preview server remembers of the data pages among them (`None` when it cannot reuse them).
pub(crate) struct Planned<'a> {
    pub(crate) jobs: Vec<Job<'a>>,
    pub(crate) deferred: Vec<Deferred>,
    pub(crate) data: Option<DataPages>,
}

/// The pages planned from the records, the standards and the site settings (the enterprise
/// list through the report index) as the preview server remembers them: while what they are
/// made from is unchanged (a content edit), they are taken from the last output instead of
/// being planned again (at 1,000 pages, 8 of a 25 ms rebuild).
#[derive(Clone, Default)]
pub(crate) struct DataPages {
    /// Fingerprint of everything those planners read (see [`data_fingerprint`]).
    pub(crate) fp: u64,
    /// Each page: key, file name, template, in the sitemap, indexed.
    pub(crate) pages: Vec<(String, String, String, bool, bool)>,
    /// The files made beside them: ledger downloads and workbooks.
    pub(crate) files: Vec<String>,
}

/// What the data pages are made from besides the theme: the site's data (settings, options,
/// standards, records), the enterprises' stories, the content pages the chrome links to, and
/// the introductions of the generated pages.
pub(crate) fn data_fingerprint(site: &Site) -> u64 {
    let mut h = crate::fingerprint::hasher();
    site.fingerprints.data().hash(&mut h);
    site.top_pages.hash(&mut h);
    for e in &site.enterprises {
        e.story.hash(&mut h);
    }
    for p in site
        .pages
        .iter()
        .filter(|p| GENERATED.contains(&p.key.as_str()))
    {
        p.hash(&mut h);
    }
    h.finish()
}

/// What several planners read, made once per build.
struct Common<'a> {
    site: &'a Site,
    /// Content `_index.md` pages at generated keys: the introductions of those pages.
    intros: BTreeMap<&'a str, &'a Page>,
    summaries: Vec<EntSummary>,
    town: town::Town,
}

impl Common<'_> {
    fn intro(&self, key: &str) -> Option<crate::model::content::Html> {
        self.intros.get(key).map(|p| p.html.clone())
    }
}

/// A page whose context is ready; `listed` puts it in the sitemap and the search index.
fn ready<'a>(key: &str, template: &str, ctx: tera::Context, listed: bool) -> Job<'a> {
    Job {
        key: key.to_string(),
        file: "index.html".into(),
        template: template.into(),
        ctx: Ctx::Ready(ctx),
        in_sitemap: listed,
        indexed: listed,
    }
}

/// Every page of the site as a job, plus the files made alongside them (feed, ledger downloads):
/// those go to `stream` when there is one (`build`), else into `out`; the costliest are left
/// in [`Planned::deferred`]. One planner per page family, in output order.
/// `same`: the data pages of the last render, when they can stand as they are (the caller has
/// checked that their fingerprint matches and that the last output holds them); their jobs are
/// then [`Ctx::Same`](super::Ctx::Same) and their files are the caller's to copy.
pub(crate) fn all<'a>(
    site: &'a Site,
    out: &mut Output,
    stream: Option<&super::Stream<'_>>,
    diags: &mut Vec<Diagnostic>,
    same: Option<&DataPages>,
) -> anyhow::Result<Planned<'a>> {
    let c = Common {
        site,
        intros: site
            .pages
            .iter()
            .filter(|p| GENERATED.contains(&p.key.as_str()))
            .map(|p| (p.key.as_str(), p))
            .collect(),
        summaries: site.enterprises.iter().map(summary).collect(),
        town: town::build(site),
    };
    let mut jobs = Vec::new();
    let mut deferred: Vec<Deferred> = Vec::new();
    content_pages(&c, out, &mut jobs);
    print_books(&c, &mut jobs);
    let first = jobs.len();
    if let Some(d) = same {
        jobs.extend(
            d.pages
                .iter()
                .map(|(key, file, template, in_sitemap, indexed)| Job {
                    key: key.clone(),
                    file: file.clone(),
                    template: template.clone(),
                    ctx: super::Ctx::Same,
                    in_sitemap: *in_sitemap,
                    indexed: *indexed,
                }),
        );
        search_and_404(&c, &mut jobs);
        let data = Some(d.clone());
        return Ok(Planned {
            jobs,
            deferred,
            data,
        });
    }
    // The data pages are remembered only when planned in memory and without a diagnostic (which
    // reusing them would lose).
    let before = diags.len();
    let had: std::collections::BTreeSet<String> = out.files.keys().cloned().collect();
    if !enterprise_pages(&c, out, diags, &mut jobs) {
        return Ok(Planned {
            jobs,
            deferred,
            data: None,
        });
    }
    standard_pages(&c, &mut jobs);
    deferred.push(ledger_pages(&c, out, stream, &mut jobs)?);
    showcase_page(&c, &mut jobs);
    let (quarterly, monthly) = periodic_reports(&c, out, stream, &mut jobs)?;
    jobs.push(super::reports::index_job(site, quarterly, monthly));
    let data = (stream.is_none() && diags.len() == before).then(|| DataPages {
        fp: data_fingerprint(site),
        pages: jobs[first..]
            .iter()
            .map(|j| {
                let (k, f, t) = (j.key.clone(), j.file.clone(), j.template.clone());
                (k, f, t, j.in_sitemap, j.indexed)
            })
            .collect(),
        files: out
            .files
            .keys()
            .filter(|k| !had.contains(*k))
            .cloned()
            .collect(),
    });
    search_and_404(&c, &mut jobs);
    Ok(Planned {
        jobs,
        deferred,
        data,
    })
}

/// Content pages and sections, the home dashboard (a generated one when content has no root
/// page) and the notices' Atom feed.
fn content_pages<'a>(c: &Common<'a>, out: &mut Output, jobs: &mut Vec<Job<'a>>) {
    let site = c.site;
    // What `base_context` takes from the site (all but the key and title).
    let base_fp = site.fingerprints.site;
    for p in &site.pages {
        if GENERATED.contains(&p.key.as_str()) {
            continue;
        }
        let template = match (&p.template, p.key.is_empty(), p.is_section) {
            (Some(t), _, _) => t.clone(),
            (None, true, _) => "index.html".to_string(),
            (None, false, true) => "section.html".to_string(),
            (None, false, false) => "page.html".to_string(),
        };
        let print_url = site
            .books
            .iter()
            .find(|b| b.section_url == p.url)
            .map(|b| format!("{}print/", b.section_url));
        // Plain content pages (the many) get their context on the rendering threads.
        if !p.key.is_empty() && p.key != "notices/" {
            jobs.push(Job {
                key: p.key.clone(),
                file: "index.html".into(),
                template,
                ctx: Ctx::Keyed {
                    key: {
                        let print_url = print_url.clone();
                        Box::new(move || crate::fingerprint::of((base_fp, p, &print_url)))
                    },
                    make: Box::new(move || {
                        let mut ctx = base_context(site, &p.key, &p.title);
                        ctx.insert("page", p);
                        if let Some(u) = &print_url {
                            ctx.insert("print_url", u);
                        }
                        ctx
                    }),
                },
                in_sitemap: true,
                indexed: true,
            });
            continue;
        }
        let mut ctx = base_context(site, &p.key, &p.title);
        ctx.insert("page", p);
        if let Some(u) = &print_url {
            ctx.insert("print_url", u);
        }
        if p.key.is_empty() {
            dashboard_context(&mut ctx, c);
        }
        if p.key == "notices/" {
            let mut dated: Vec<&Page> = site
                .pages
                .iter()
                .filter(|x| x.section == p.key && !x.is_section)
                .collect();
            dated.sort_by(|a, b| (b.date, &a.key).cmp(&(a.date, &b.key)));
            if !dated.is_empty() && dated.iter().all(|d| d.date.is_some()) {
                let feed = super::feeds::atom(site, p, &dated);
                out.files.insert(
                    "notices/atom.xml".into(),
                    std::sync::Arc::new(feed.into_bytes()),
                );
                ctx.insert("feed", "atom.xml");
            }
        }
        jobs.push(Job {
            template,
            ..ready(&p.key, "", ctx, true)
        });
    }
    if !site.pages.iter().any(|p| p.key.is_empty()) {
        let mut ctx = base_context(site, "", &site.config.title);
        dashboard_context(&mut ctx, c);
        jobs.push(ready("", "index.html", ctx, true));
    }
}

/// One-page print versions of the manuals.
fn print_books<'a>(c: &Common<'a>, jobs: &mut Vec<Job<'a>>) {
    for b in &c.site.books {
        let mut ctx = base_context(c.site, &b.key, &format!("{}（打印版）", b.title));
        ctx.insert("book", b);
        jobs.push(ready(&b.key, "print.html", ctx, false));
    }
}

/// The enterprise list and every enterprise's pages and printouts. `false` when they cannot be
/// made (no base URL for the QR codes): the error is in `diags` and planning stops.
fn enterprise_pages<'a>(
    c: &Common<'a>,
    out: &mut Output,
    diags: &mut Vec<Diagnostic>,
    jobs: &mut Vec<Job<'a>>,
) -> bool {
    let site = c.site;
    let mut ctx = base_context(site, "enterprises/", "企业名录");
    ctx.insert("intro", &c.intro("enterprises/"));
    ctx.insert("enterprises", &c.summaries);
    jobs.push(ready("enterprises/", "enterprises.html", ctx, true));
    if site.base_url.is_none() && !site.enterprises.is_empty() {
        diags.push(
            Diagnostic::file(
                crate::diag::Severity::Error,
                "data/site.toml",
                "生成企业页面和岗位告知卡的二维码需要网站地址，但 site.toml 没有设置 base_url",
            )
            .with_hint("在 data/site.toml 中写 base_url = \"https://…/\"，或构建时加 --base-url"),
        );
        return false;
    }
    // What every enterprise page rests on besides its own record: the site and the standards.
    let data_fp = crate::fingerprint::of((site.fingerprints.site, site.fingerprints.standards));
    let per_enterprise: Vec<Vec<Job>> = site
        .enterprises
        .par_iter()
        .map(|e| {
            let mut v = Vec::new();
            super::enterprise::jobs(site, e, out, data_fp, &mut v);
            v
        })
        .collect();
    jobs.extend(per_enterprise.into_iter().flatten());
    true
}

/// The list of evaluation standards and one page per standard.
fn standard_pages<'a>(c: &Common<'a>, jobs: &mut Vec<Job<'a>>) {
    let site = c.site;
    let mut ctx = base_context(site, "standards/", "评估标准");
    ctx.insert("intro", &c.intro("standards/"));
    ctx.insert("standards", &site.standards);
    jobs.push(ready("standards/", "standards.html", ctx, true));
    for s in &site.standards {
        let key = format!("standards/{}/", s.id);
        let mut ctx = base_context(site, &key, &s.title);
        let total: u64 = s.items().filter(|i| !i.veto).map(|i| i.points).sum();
        ctx.insert("std", s);
        ctx.insert("total_points", &total);
        jobs.push(ready(&key, "standard.html", ctx, true));
    }
}

/// The quarterly briefings and monthly reports (with their workbooks); returns their index entries.
fn periodic_reports<'a>(
    c: &Common<'a>,
    out: &mut Output,
    stream: Option<&super::Stream<'_>>,
    jobs: &mut Vec<Job<'a>>,
) -> anyhow::Result<(Vec<super::periodic::Listed>, Vec<super::periodic::Listed>)> {
    let mut emit = |path: String, bytes: Vec<u8>| match stream {
        Some(put) => put(&path, &bytes),
        None => {
            out.files.insert(path, std::sync::Arc::new(bytes));
            Ok(())
        }
    };
    let quarterly = super::periodic::quarterly_jobs(c.site, &c.site.series, jobs);
    let monthly = super::periodic::monthly_jobs(c.site, &c.site.series, &mut emit, jobs)?;
    Ok((quarterly, monthly))
}

/// The trend figures of a village's, department's or category's ledger page; empty for others.
fn group_trends(c: &Common, key: &str) -> String {
    let (town, s) = (&c.town, &c.site.series);
    let pairs = [
        (&town.by_village, &s.villages),
        (&town.by_department, &s.departments),
        (&town.by_category, &s.categories),
    ];
    for (groups, series) in pairs {
        if let Some(g) = groups.iter().find(|g| g.key == key)
            && let Some(gs) = series.iter().find(|gs| gs.name == g.name)
        {
            return [
                super::trends::status(&g.title, &s.months, &gs.counts, &c.site.config),
                super::trends::hazards(&g.title, &s.months, &gs.counts),
            ]
            .concat();
        }
    }
    String::new()
}

/// The ledger pages with their CSV and JSON downloads (each table's made in parallel); returns
/// the workbook, made later while the pages render.
fn ledger_pages<'a>(
    c: &Common<'a>,
    out: &mut Output,
    stream: Option<&super::Stream<'_>>,
    jobs: &mut Vec<Job<'a>>,
) -> anyhow::Result<Deferred> {
    let (site, town) = (c.site, &c.town);
    // The ledger downloads of a large town are tens of megabytes; streamed, they are not held
    // until the end of the build.
    let mut emit = |path: String, bytes: Vec<u8>| match stream {
        Some(put) => put(&path, &bytes),
        None => {
            out.files.insert(path, std::sync::Arc::new(bytes));
            Ok(())
        }
    };
    let ledgers = super::ledger::pages(site, town);
    let made: Vec<_> = ledgers
        .par_iter()
        .map(|lp| {
            let rows =
                super::ledger::rows_html(&lp.table, &crate::model::content::root_prefix(&lp.key));
            (
                super::ledger::csv(&lp.table),
                super::ledger::json(&lp.table),
                rows,
            )
        })
        .collect();
    for (lp, (csv, json, rows_html)) in ledgers.iter().zip(made) {
        emit(format!("{}ledger.csv", lp.key), csv)?;
        emit(format!("{}ledger.json", lp.key), json)?;
        let mut ctx = base_context(site, &lp.key, &lp.title);
        // Ledger tables can have tens of thousands of rows: their body is written in Rust, escaped,
        // rather than looped over in the template.
        super::ledger::insert_context(&mut ctx, site, lp);
        ctx.insert("row_count", &lp.table.rows.len());
        ctx.insert("rows_html", &rows_html);
        ctx.insert("description", &lp.description);
        ctx.insert("is_root", &(lp.key == "ledger/"));
        ctx.insert("trends", &group_trends(c, &lp.key));
        if lp.key == "ledger/" {
            ctx.insert("intro", &c.intro("ledger/"));
            let dims: Vec<(&str, Vec<&town::Group>)> = vec![
                ("按村（社区）", town.by_village.iter().collect()),
                ("按包联部门", town.by_department.iter().collect()),
                (
                    "按高风险类别",
                    town.by_category
                        .iter()
                        .chain(std::iter::once(&town.no_category))
                        .collect(),
                ),
                ("按联络员", town.by_liaison.iter().collect()),
                ("按规模", town.by_size.iter().collect()),
                ("按类型", town.by_kind.iter().collect()),
                ("按建设状态", town.by_status.iter().collect()),
            ];
            ctx.insert("dims", &dims);
        }
        jobs.push(ready(&lp.key, "ledger.html", ctx, true));
    }
    // The workbook (one sheet per table) is made while the pages render, not before: writing
    // and compressing it takes one core most of a second for a large town.
    let is_sheet = |k: &str| {
        k == "ledger/"
            || k == "ledger/hazards/"
            || k == "ledger/risks/"
            || k.starts_with("ledger/village/")
            || k.starts_with("ledger/department/")
    };
    let sheets: Vec<super::ledger::Table> = ledgers
        .into_iter()
        .filter(|lp| is_sheet(&lp.key))
        .map(|lp| lp.table)
        .collect();
    let as_of = site.as_of;
    Ok(Box::new(move || {
        let path = "ledger/ledger.xlsx".to_string();
        let tables: Vec<&super::ledger::Table> = sheets.iter().collect();
        super::ledger::xlsx(&tables, as_of)
            .map(|bytes| (path.clone(), bytes))
            .map_err(|e| {
                Box::new(Diagnostic::file(
                    crate::diag::Severity::Error,
                    &path,
                    format!("无法生成 Excel 台账：{e}"),
                ))
            })
    }))
}

/// The showcase of the demonstration enterprises.
fn showcase_page<'a>(c: &Common<'a>, jobs: &mut Vec<Job<'a>>) {
    let site = c.site;
    let demo: Vec<&Enterprise> = site
        .enterprises
        .iter()
        .filter(|e| e.rec.demonstration)
        .collect();
    let mut ctx = base_context(site, "showcase/", "示范企业展示");
    ctx.insert("intro", &c.intro("showcase/"));
    let demo_views: Vec<serde_json::Value> = demo
        .iter()
        .map(|e| {
            serde_json::json!({
                "summary": summary(e),
                "story": e.story,
                "processes": e.rec.processes,
                "level_counts": e.level_counts,
                "hazards_total": e.hazards.len(),
                "hazards_closed": e.hazards.iter().filter(|h| h.state == HazardState::Closed).count(),
                "red_lines": e.rec.red_lines.len(),
                "contacts": e.rec.contacts.len(),
                "posts": e.risk_groups.len(),
            })
        })
        .collect();
    ctx.insert("demo", &demo_views);
    jobs.push(ready("showcase/", "showcase.html", ctx, true));
}

/// The search page and the 404 page.
fn search_and_404<'a>(c: &Common<'a>, jobs: &mut Vec<Job<'a>>) {
    let site = c.site;
    let mut ctx = base_context(site, "search/", "搜索");
    ctx.insert("intro", &c.intro("search/"));
    jobs.push(ready("search/", "search.html", ctx, false));
    // The 404 page is served from any depth, so its links are root-relative to the site's base path.
    let mut ctx = base_context(site, "", "页面不存在");
    let base_path = site
        .base_url
        .as_ref()
        .and_then(|b| b.split_once("://").map(|(_, r)| r))
        .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
        .unwrap_or_else(|| "/".into());
    ctx.insert("root", &base_path);
    jobs.push(Job {
        file: "404.html".into(),
        ..ready("", "404.html", ctx, false)
    });
}

fn dashboard_context(ctx: &mut tera::Context, c: &Common) {
    let (site, town) = (c.site, &c.town);
    let by_slug: BTreeMap<&str, &EntSummary> =
        c.summaries.iter().map(|s| (s.slug.as_str(), s)).collect();
    let pick = |slugs: &[String]| {
        slugs
            .iter()
            .filter_map(|s| by_slug.get(s.as_str()).copied().cloned())
            .collect::<Vec<_>>()
    };
    // The dashboard shows counts and the first twenty hazards; the full lists live in the ledgers.
    ctx.insert("town", &super::views::TownView::brief(town, 20));
    let s = &c.site.series;
    ctx.insert(
        "trends",
        &[
            super::trends::status("全镇", &s.months, &s.town, &site.config),
            super::trends::hazards("全镇", &s.months, &s.town),
        ]
        .concat(),
    );
    ctx.insert("open_hazard_count", &town.open_hazards.len());
    ctx.insert("missing_contact", &pick(&town.missing_contact));
    ctx.insert("demonstration", &pick(&town.demonstration));
    ctx.insert("evaluators", &site.config.plan.evaluators);
    ctx.insert(
        "has_plan_page",
        &site.pages.iter().any(|p| p.key == "plan/"),
    );
    ctx.insert("deadlines", &site.config.deadlines);
    let status_bars = |groups: &[town::Group],
                       title: &str|
     -> Vec<(String, String, String, usize, usize, usize, usize)> {
        groups
            .iter()
            .map(|g| {
                let chart = svg::stacked(
                    &format!(
                        "{title}“{}”：已达标 {}，推进中 {}，已逾期 {}",
                        g.title, g.done, g.progress, g.late
                    ),
                    &[
                        (format!("已达标 {}", g.done), g.done as f64, "done".into()),
                        (
                            format!("推进中 {}", g.progress),
                            g.progress as f64,
                            "progress".into(),
                        ),
                        (format!("已逾期 {}", g.late), g.late as f64, "late".into()),
                    ],
                );
                (
                    g.title.clone(),
                    g.url.clone(),
                    chart,
                    g.count,
                    g.done,
                    g.progress,
                    g.late,
                )
            })
            .collect()
    };
    let mut cats = town.by_category.clone();
    cats.push(town.no_category.clone());
    ctx.insert("cat_rows", &status_bars(&cats, "类别"));
    ctx.insert("size_rows", &status_bars(&town.by_size, "规模"));
    ctx.insert("kind_rows", &status_bars(&town.by_kind, "类型"));
    ctx.insert("village_rows", &status_bars(&town.by_village, "村（社区）"));
    ctx.insert("department_rows", &status_bars(&town.by_department, "部门"));
    ctx.insert("liaison_rows", &status_bars(&town.by_liaison, "联络员"));
}
