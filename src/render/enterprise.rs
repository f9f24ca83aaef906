//! An enterprise's pages: its own page and its printouts — post risk cards (A4 and A5 sheets, one
//! page per post), the four-colour table, the bulletin notice and a year-end report per evaluated
//! year. Every context is built on the rendering thread, and what several of these pages show
//! alike (QR codes, card sections) is made once and dropped as soon as they have it, so memory
//! holds the enterprises being rendered, not the town.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use super::summary::summary;
use super::views::{LevelView, RiskView};
use super::{Ctx, Job, Output, base_context, fragments, qr, svg};

mod cards;
mod report;

use crate::load::enterprise::{Action, Contact, Equipment, Process, RedLine, SafetyOrg, Whistle};
use crate::model::contact::ContactMonth;
use crate::model::enterprise::{Enterprise, EnterpriseRef, MilestoneReached};
use crate::model::risk::Level;
use crate::model::scoring::Score;
use crate::model::{Profile, Site};
pub(crate) use report::report_counts;
use report::report_job;

/// What the enterprise page, its card pages and its bulletin share.
struct Parts {
    page_qr: Option<String>,
    /// Per post/unit in `risk_groups` order, its cards (`<section>`s, QR code included) laid out
    /// for A4 and for A5: a long post continues on more cards, differently on each paper.
    a4: Vec<String>,
    a5: Vec<String>,
}

/// [`Parts`], made by the first page that needs them and released by the last one: `users`
/// counts the pages still to take them.
struct Shared<'a> {
    site: &'a Site,
    e: &'a Enterprise,
    key: String,
    parts: Mutex<Option<Arc<Parts>>>,
    users: AtomicUsize,
    /// Fingerprint of all these pages rest on (for the preview server, see [`Ctx::Keyed`]): the
    /// site and standards (`data`), the record's source, the story, the four-colour plan image.
    data: u64,
    plan: Option<String>,
    fp: OnceLock<u64>,
}

impl Shared<'_> {
    /// The derived enterprise is a function of its record, the site and the standards, so their
    /// sources stand for it.
    fn fingerprint(&self, key: &str, template: &str) -> u64 {
        let fp = *self.fp.get_or_init(|| {
            let src = &self.e.rec.src;
            crate::fingerprint::of((self.data, &src.rel, &src.text, &self.e.story, &self.plan))
        });
        crate::fingerprint::of((fp, key, template))
    }

    fn take(&self) -> Arc<Parts> {
        // A panic while making the parts leaves nothing half-made in the slot, so a poisoned lock
        // is still usable.
        let mut slot = self.parts.lock().unwrap_or_else(|p| p.into_inner());
        let parts = slot.get_or_insert_with(|| Arc::new(self.make())).clone();
        let before = self
            .users
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if before.is_ok_and(|n| n <= 1) {
            *slot = None;
        }
        parts
    }

    fn make(&self) -> Parts {
        let (site, e) = (self.site, self.e);
        let base = site.base_url.as_deref().unwrap_or_default();
        let page_qr = qr::svg(
            &format!("{base}{}", self.key),
            &format!("{}页面二维码", e.rec.name.v),
        );
        let (mut a4, mut a5) = (Vec::new(), Vec::new());
        for g in &e.risk_groups {
            let code = qr::svg(
                &format!("{base}{}cards/{}/", self.key, g.index),
                &format!("{}岗位告知卡二维码", g.name),
            );
            a4.push(cards::render(e, g, code.as_deref(), cards::A4));
            a5.push(cards::render(e, g, code.as_deref(), cards::A5));
        }
        Parts { page_qr, a4, a5 }
    }
}

/// The enterprise as its page's template sees it: the record and the derived facts, without the
/// risk and hazard lists (their tables come ready-made from [`fragments`]; the page shows their
/// counts) and without the raw posts, milestones and item scores that the page does not show.
/// Serialising all of it into every page's context was a large share of the build.
#[derive(Serialize)]
struct PageView<'a> {
    slug: &'a str,
    name: &'a str,
    uscc: &'a str,
    address: &'a str,
    village: Option<&'a str>,
    department: Option<&'a str>,
    liaison: Option<&'a str>,
    industry: &'a str,
    kind: &'a str,
    size: &'a str,
    employees: u64,
    high_risk: Vec<&'a str>,
    landlord: &'a str,
    demonstration: bool,
    safety_code_url: &'a str,
    emergency_phone: &'a str,
    safety_org: &'a SafetyOrg,
    processes: &'a [Process],
    equipment: &'a [Equipment],
    red_lines: &'a [RedLine],
    whistleblower: &'a [Whistle],
    contacts: &'a [Contact],
    actions: &'a [Action],
    liaison_title: &'a str,
    deadline: Option<jiff::civil::Date>,
    deadline_group: &'a str,
    status: &'a str,
    status_class: &'a str,
    passed_late: bool,
    /// Escaped, with dates kept whole.
    status_reason: String,
    categories: &'a [String],
    tenants: &'a [EnterpriseRef],
    landlord_ref: Option<&'a EnterpriseRef>,
    milestone_views: &'a [MilestoneReached],
    milestones_done: usize,
    milestones_total: usize,
    risk_count: usize,
    level_counts: [usize; 4],
    hazard_count: usize,
    open_hazards: usize,
    overdue_hazards: usize,
    awaiting_acceptance: usize,
    open_major_hazards: usize,
    months: &'a [ContactMonth],
    missed_months: &'a [String],
    this_month_missing: bool,
    last_contact: Option<jiff::civil::Date>,
    evaluation_views: Vec<EvaluationBrief<'a>>,
    latest_score: Option<&'a Score>,
    special_equipment: u64,
    has_story: bool,
}

/// An evaluation as the page lists it (no item-by-item scores: those are in the year report).
#[derive(Serialize)]
struct EvaluationBrief<'a> {
    date: jiff::civil::Date,
    by: &'a str,
    standard: &'a str,
    standard_title: &'a str,
    score: &'a Score,
}

impl<'a> PageView<'a> {
    fn of(e: &'a Enterprise) -> Self {
        let r = &e.rec;
        PageView {
            slug: &r.slug,
            name: &r.name.v,
            uscc: &r.uscc.v,
            address: &r.address,
            village: r.village.as_ref().map(|v| v.v.as_str()),
            department: r.department.as_ref().map(|v| v.v.as_str()),
            liaison: r.liaison.as_ref().map(|v| v.v.as_str()),
            industry: r.industry.name(),
            kind: r.kind.name(),
            size: r.size.name(),
            employees: r.employees.v,
            high_risk: r.high_risk.iter().map(|h| h.v.name()).collect(),
            landlord: &r.landlord,
            demonstration: r.demonstration,
            safety_code_url: &r.safety_code_url.v,
            emergency_phone: &r.emergency_phone,
            safety_org: &r.safety_org,
            processes: &r.processes,
            equipment: &r.equipment,
            red_lines: &r.red_lines,
            whistleblower: &r.whistleblower,
            contacts: &r.contacts,
            actions: &r.actions,
            liaison_title: &e.liaison_title,
            deadline: e.deadline,
            deadline_group: e.deadline_group.name(),
            status: e.status.name(),
            status_class: crate::css::status(e.status),
            passed_late: e.passed_late,
            status_reason: super::html::escape_keep_tokens(&e.status_reason),
            categories: &e.categories,
            tenants: &e.tenants,
            landlord_ref: e.landlord_ref.as_ref(),
            milestone_views: &e.milestones,
            milestones_done: e.milestones_done,
            milestones_total: e.milestones_total,
            risk_count: e.risks.len(),
            level_counts: e.level_counts,
            hazard_count: e.hazards.len(),
            open_hazards: e.open_hazards,
            overdue_hazards: e.overdue_hazards,
            awaiting_acceptance: e.awaiting_acceptance,
            open_major_hazards: e.open_major_hazards,
            months: &e.months,
            missed_months: &e.missed_months,
            this_month_missing: e.this_month_missing,
            last_contact: e.last_contact,
            evaluation_views: e
                .evaluations
                .iter()
                .map(|v| EvaluationBrief {
                    date: v.e.date.v,
                    by: &v.e.by,
                    standard: &v.e.standard.v,
                    standard_title: &v.standard_title,
                    score: &v.score,
                })
                .collect(),
            latest_score: e.latest_score.as_ref(),
            special_equipment: e.special_equipment,
            has_story: e.has_story,
        }
    }
}

fn page_context(ctx: &mut tera::Context, site: &Site, e: &Enterprise) {
    ctx.insert("e", &PageView::of(e));
    ctx.insert("story", &e.story);
    let levels: Vec<svg::Bar> = Level::ALL
        .iter()
        .map(|l| svg::Bar {
            label: format!("{}风险（{}）", l.name(), l.colour()),
            value: e.level_counts[l.index()] as f64,
            text: format!("{} 项", e.level_counts[l.index()]),
            class: format!("level-{}", crate::css::level(*l)),
        })
        .collect();
    let max = e.level_counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    ctx.insert(
        "level_chart",
        &svg::bars("风险等级分布（四色）", &levels, max),
    );
    let latest = e
        .evaluations
        .iter()
        .rev()
        .find(|v| v.e.date.v <= site.as_of);
    if let Some(v) = latest {
        let bars: Vec<svg::Bar> = v
            .score
            .categories
            .iter()
            .map(|c| svg::Bar {
                label: c.name.clone(),
                value: c.tenths as f64 / 10.0,
                text: format!(
                    "{}/{}（{}.{}%）",
                    c.awarded,
                    c.applicable,
                    c.tenths / 10,
                    c.tenths % 10
                ),
                class: "score".into(),
            })
            .collect();
        ctx.insert(
            "score_chart",
            &svg::bars("最近一次评估各类得分率", &bars, 100.0),
        );
    }
    if site.profile == Profile::Internal {
        ctx.insert("private_people", &e.rec.private);
        ctx.insert("liaison_name", &e.liaison_name);
        ctx.insert("liaison_phone", &e.liaison_phone);
    }
    ctx.insert("summary", &summary(e));
    let s = &site.series;
    ctx.insert(
        "hazard_trend",
        &super::trends::enterprise_hazards(&s.months, s.of_enterprise(&e.rec.slug)),
    );
    ctx.insert("risk_tables", &fragments::risk_tables(e));
    ctx.insert("hazard_rows", &fragments::hazard_rows(e));
}

/// A boxed maker of one page's context, as [`Ctx`] holds it.
type Make<'a> = Box<dyn Fn() -> tera::Context + Send + Sync + 'a>;

/// All pages of one enterprise, appended to `jobs`.
pub(crate) fn jobs<'a>(
    site: &'a Site,
    e: &'a Enterprise,
    out: &Output,
    data: u64,
    jobs: &mut Vec<Job<'a>>,
) {
    let years = report_years(site, e);
    let plan = plan_image(site, e, out);
    let shared = Arc::new(Shared {
        site,
        e,
        key: format!("enterprises/{}/", e.rec.slug),
        data,
        plan: plan.clone(),
        fp: OnceLock::new(),
        parts: Mutex::new(None),
        // The enterprise page, both card sheets, one page per card, the bulletin.
        users: AtomicUsize::new(e.risk_groups.len() + 4),
    });
    jobs.push(page_job(&shared, years.clone()));
    // Printouts get the short summary, not the whole record, and only the enterprise page is indexed.
    card_sheet_jobs(&shared, jobs);
    card_page_jobs(&shared, jobs);
    jobs.push(four_colour_job(&shared, plan));
    jobs.push(bulletin_job(&shared));
    report_jobs(&shared, years, jobs);
}

/// The years the enterprise has a report for, in order, each once.
fn report_years(site: &Site, e: &Enterprise) -> Vec<i16> {
    let mut years: Vec<i16> = e
        .evaluations
        .iter()
        .filter(|v| report_counts(site, v))
        .map(|v| v.e.date.v.year())
        .collect();
    years.sort();
    years.dedup();
    years
}

/// The four-colour plan image the site ships for the enterprise, if any (the first format found).
fn plan_image(site: &Site, e: &Enterprise, out: &Output) -> Option<String> {
    ["png", "jpg", "jpeg", "svg"]
        .iter()
        .map(|x| format!("enterprises/{}/plan.{x}", e.rec.slug))
        .find(|p| out.copies.contains_key(p) || site.assets.contains(p))
}

/// A page's context made only when rendered, with the fingerprint the preview server compares.
fn keyed<'a>(shared: &Arc<Shared<'a>>, key: &str, template: &str, make: Make<'a>) -> Ctx<'a> {
    let (s, k, t) = (shared.clone(), key.to_string(), template.to_string());
    Ctx::Keyed {
        key: Box::new(move || s.fingerprint(&k, &t)),
        make,
    }
}

/// One of the enterprise's pages: `index.html` in `key`'s folder, in the sitemap, context [`keyed`].
fn lazy<'a>(
    shared: &Arc<Shared<'a>>,
    key: String,
    template: &str,
    indexed: bool,
    make: Make<'a>,
) -> Job<'a> {
    Job {
        ctx: keyed(shared, &key, template, make),
        key,
        file: "index.html".into(),
        template: template.into(),
        in_sitemap: true,
        indexed,
    }
}

/// The enterprise page, the only one of its pages the search index covers.
fn page_job<'a>(shared: &Arc<Shared<'a>>, years: Vec<i16>) -> Job<'a> {
    let (site, e) = (shared.site, shared.e);
    let (k, s) = (shared.key.clone(), shared.clone());
    lazy(
        shared,
        shared.key.clone(),
        "enterprise.html",
        true,
        Box::new(move || {
            let parts = s.take();
            let mut ctx = base_context(site, &k, &e.rec.name.v);
            page_context(&mut ctx, site, e);
            ctx.insert("qr", &parts.page_qr);
            ctx.insert("report_years", &years);
            // The as-of year's report is interim unless the as-of date is its last day.
            let open_year = (site.as_of.month(), site.as_of.day()) != (12, 31);
            ctx.insert("interim_year", &open_year.then(|| site.as_of.year()));
            ctx
        }),
    )
}

/// The two sheets with all the post cards, A4 (in the sitemap) and A5 (not).
fn card_sheet_jobs<'a>(shared: &Arc<Shared<'a>>, jobs: &mut Vec<Job<'a>>) {
    let (site, e, key) = (shared.site, shared.e, &shared.key);
    for (file_key, layout, title) in [
        (format!("{key}cards/"), "a4", "岗位安全风险告知卡"),
        (format!("{key}cards/a5/"), "a5", "岗位安全风险告知卡（A5）"),
    ] {
        let (s, k) = (shared.clone(), file_key.clone());
        let mut job = lazy(
            shared,
            file_key,
            "cards.html",
            false,
            Box::new(move || {
                let parts = s.take();
                let mut ctx = base_context(site, &k, &format!("{}：{title}", e.rec.name.v));
                ctx.insert("e", &summary(e));
                let sheet = if layout == "a5" { &parts.a5 } else { &parts.a4 };
                ctx.insert("cards_html", &sheet.concat());
                ctx.insert("layout", layout);
                ctx.insert("single", &false);
                ctx
            }),
        );
        job.in_sitemap = layout == "a4";
        jobs.push(job);
    }
}

/// One A4 page per post card, the page its QR code points to.
fn card_page_jobs<'a>(shared: &Arc<Shared<'a>>, jobs: &mut Vec<Job<'a>>) {
    let (site, e, key) = (shared.site, shared.e, &shared.key);
    for (n, g) in e.risk_groups.iter().enumerate() {
        let card_key = format!("{key}cards/{}/", g.index);
        let (s, k) = (shared.clone(), card_key.clone());
        jobs.push(lazy(
            shared,
            card_key,
            "cards.html",
            false,
            Box::new(move || {
                let parts = s.take();
                let mut ctx = base_context(
                    site,
                    &k,
                    &format!("{}：{}岗位安全风险告知卡", e.rec.name.v, g.name),
                );
                ctx.insert("e", &summary(e));
                ctx.insert("cards_html", parts.a4.get(n).map_or("", |c| c.as_str()));
                ctx.insert("layout", "a4");
                ctx.insert("single", &true);
                ctx
            }),
        ));
    }
}

/// The four-colour table: each post's highest level and its risks as dots, beside the plan image.
fn four_colour_job<'a>(shared: &Arc<Shared<'a>>, plan: Option<String>) -> Job<'a> {
    let (site, e) = (shared.site, shared.e);
    let four_key = format!("{}four-colour/", shared.key);
    let k = four_key.clone();
    lazy(
        shared,
        four_key,
        "four_colour.html",
        false,
        Box::new(move || {
            let mut ctx = base_context(site, &k, &format!("{}：风险四色分布表", e.rec.name.v));
            let groups: Vec<serde_json::Value> = e
                .risk_groups
                .iter()
                .map(|g| {
                    serde_json::json!({
                        "name": g.name,
                        "highest": LevelView::from(g.highest),
                        "dots": fragments::level_dots(e, g),
                    })
                })
                .collect();
            ctx.insert("e", &summary(e));
            ctx.insert("groups", &groups);
            ctx.insert("plan", &plan);
            ctx
        }),
    )
}

/// The bulletin notice: the page's QR code and the two highest levels' risks.
fn bulletin_job<'a>(shared: &Arc<Shared<'a>>) -> Job<'a> {
    let (site, e) = (shared.site, shared.e);
    let bulletin_key = format!("{}bulletin/", shared.key);
    let (k, s) = (bulletin_key.clone(), shared.clone());
    lazy(
        shared,
        bulletin_key,
        "bulletin.html",
        false,
        Box::new(move || {
            let parts = s.take();
            let mut ctx = base_context(site, &k, &format!("{}：安全风险公告", e.rec.name.v));
            ctx.insert("e", &summary(e));
            ctx.insert("qr", &parts.page_qr);
            let top: Vec<RiskView> = e
                .risks
                .iter()
                .filter(|r| r.level.index() <= 1)
                .map(RiskView::of)
                .collect();
            ctx.insert("top_risks", &top);
            ctx
        }),
    )
}

/// The year reports, their contexts fingerprinted like the other pages'.
fn report_jobs<'a>(shared: &Arc<Shared<'a>>, years: Vec<i16>, jobs: &mut Vec<Job<'a>>) {
    for year in years {
        if let Some(mut job) = report_job(shared.site, shared.e, &shared.key, year) {
            if let Ctx::Lazy(make) = std::mem::replace(&mut job.ctx, Ctx::Ready(Default::default()))
            {
                job.ctx = keyed(shared, &job.key, &job.template, make);
            }
            jobs.push(job);
        }
    }
}
