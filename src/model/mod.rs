//! Stage 2 — model: one `Site` value from the loaded inputs. Cross-references are resolved and the
//! derived facts (risk levels, hazard states, deadline status, scores) are computed here, once, from
//! an explicit as-of date — never from the clock.

pub(crate) mod contact;
pub mod content;
pub(crate) mod dates;
pub(crate) mod enterprise;
pub(crate) mod hazard;
pub(crate) mod law;
pub mod markdown;
pub(crate) mod nowrap;
pub(crate) mod quarter;
pub(crate) mod risk;
pub(crate) mod scoring;
pub(crate) mod series;
pub(crate) mod shortcodes;
pub(crate) mod snapshot;
pub(crate) mod status;
pub(crate) mod town;
pub(crate) mod uscc;

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::load::Inputs;
use crate::load::site_config::SiteConfig;
use crate::load::standard::Standard;
use content::Page;
use enterprise::Enterprise;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Public,
    Internal,
}

pub struct Site {
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    pub(crate) as_of: Date,
    pub(crate) profile: Profile,
    pub(crate) base_url: Option<String>,
    pub(crate) pages: Vec<Page>,
    /// Keys of the top-level pages (`handbook/`, `about/`, …): which sections the site has, asked
    /// for every page's navigation, so not found by a walk of all pages each time.
    pub(crate) top_pages: std::collections::BTreeSet<String>,
    pub(crate) books: Vec<content::PrintBook>,
    pub(crate) enterprises: Vec<Enterprise>,
    pub(crate) standards: Vec<Standard>,
    pub(crate) assets: Vec<String>,
    pub(crate) fingerprints: Fingerprints,
    /// The month-end series from the plan's start; empty until [`Site::derive_series`] runs.
    pub(crate) series: series::Series,
    /// `config` as template data, made once: every page's context has it.
    pub(crate) config_value: std::sync::OnceLock<serde_json::Value>,
}

impl Site {
    /// Works out the month-end series (its own pipeline stage: `--timings` shows it apart).
    pub(crate) fn derive_series(&mut self) {
        self.series = series::build(&self.enterprises, &self.config, self.as_of);
    }

    /// Pages, enterprise records and evaluation standards, as the command line reports them.
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.pages.len(),
            self.enterprises.len(),
            self.standards.len(),
        )
    }
}

pub(crate) struct ModelOptions {
    /// The date from `--as-of` (already defaulted in `main`).
    pub(crate) as_of: Option<Date>,
    pub(crate) today: Date,
    pub(crate) profile: Profile,
    pub(crate) base_url: Option<String>,
    /// Whether the run publishes the offline copy's zip (`build`), for `{{ offline_download() }}`.
    pub(crate) offline_zip: bool,
    /// Template names the theme provides, to check `template = "…"` in front matter.
    pub(crate) templates: std::collections::BTreeSet<String>,
}

/// Builds the site model; `None` when the config itself could not be read.
pub(crate) fn build(
    inputs: Inputs,
    opts: &ModelOptions,
    diags: &mut Vec<Diagnostic>,
) -> Option<Site> {
    build_with(inputs, opts, None, diags)
}

/// [`build`] reusing the Markdown of unchanged pages from the previous build (preview server).
pub(crate) fn build_with(
    inputs: Inputs,
    opts: &ModelOptions,
    memo: Option<&mut content::MarkdownMemo>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Site> {
    let fingerprints = Fingerprints::of(&inputs, opts);
    let cfg = inputs.site?;
    let as_of = opts.as_of.or(cfg.as_of).unwrap_or(opts.today);
    let mut standards = inputs.standards;
    standards.sort_by(|a, b| a.id.cmp(&b.id));

    let derived: Vec<(Enterprise, Vec<Diagnostic>)> = inputs
        .enterprises
        .into_par_iter()
        .map(|rec| {
            let mut d = Vec::new();
            let e = enterprise::derive(rec, &cfg, &standards, as_of, &mut d);
            (e, d)
        })
        .collect();
    let mut enterprises = Vec::with_capacity(derived.len());
    for (e, mut d) in derived {
        diags.append(&mut d);
        enterprises.push(e);
    }
    enterprises.sort_by(|a, b| a.rec.slug.cmp(&b.rec.slug));
    check_unique(&enterprises, diags);
    link_leases(&mut enterprises, &cfg, as_of);
    check_demonstration(&enterprises, &cfg, diags);

    let env = shortcodes::Env {
        cfg: &cfg,
        ents: &enterprises,
        as_of,
        offline_zip: opts.offline_zip,
    };
    let sc = |name: &str, args: &BTreeMap<String, String>, root: &str| {
        shortcodes::expand(name, args, root, &env)
    };
    let (pages, targets, books) = content::build(
        &inputs.pages,
        &opts.templates,
        &sc,
        fingerprints.data(),
        memo,
        diags,
    );

    // Stories merge into their enterprise's page; a story without a record is an error.
    let mut stories = Vec::new();
    for story in &inputs.stories {
        let slug = story
            .path
            .trim_start_matches("enterprises/")
            .trim_end_matches(".md");
        let key = format!("enterprises/{slug}/");
        let root = content::root_prefix(&key);
        let headings = markdown::headings(story.body());
        let scr = |name: &str, args: &BTreeMap<String, String>| sc(name, args, &root);
        let ctx = markdown::RenderCtx {
            src: &story.src,
            body_start: story.body_start,
            path: &story.path,
            root: &root,
            headings: &headings,
            targets: &targets,
            shortcode: &scr,
            in_page: None,
            id_prefix: "",
        };
        let html = markdown::render(story.body(), &ctx, diags);
        stories.push((slug.to_string(), story, html));
    }
    for (slug, story, html) in stories {
        match enterprises.iter_mut().find(|e| e.rec.slug == slug) {
            Some(e) if !story.fm.draft => {
                e.story = Some(html);
                e.has_story = true;
            }
            Some(_) => {}
            None => diags.push(
                Diagnostic::error_at(
                    &story.src,
                    0..3,
                    format!(
                        "企业介绍 content/{} 没有对应的企业档案 data/enterprises/{slug}.toml",
                        story.path
                    ),
                )
                .with_hint("介绍文件名须与企业档案文件名相同"),
            ),
        }
    }

    let base_url = opts
        .base_url
        .clone()
        .or(cfg.base_url.clone())
        .map(|u| if u.ends_with('/') { u } else { format!("{u}/") });
    let top_pages = pages
        .iter()
        .filter(|p| p.key.trim_end_matches('/').find('/').is_none())
        .map(|p| p.key.clone())
        .collect();
    Some(Site {
        root: inputs.root,
        config: cfg,
        as_of,
        profile: opts.profile,
        base_url,
        pages,
        top_pages,
        books,
        enterprises,
        standards,
        assets: inputs.assets,
        fingerprints,
        series: series::Series::default(),
        config_value: Default::default(),
    })
}

/// Fingerprints of the inputs besides the Markdown pages, for the preview server's memos.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fingerprints {
    /// site.toml and the build options (dates, profile, base URL): all that the context every
    /// page shares is made from.
    pub(crate) site: u64,
    pub standards: u64,
    pub(crate) records: u64,
}

impl Fingerprints {
    fn of(inputs: &Inputs, opts: &ModelOptions) -> Fingerprints {
        let records: Vec<u64> = inputs
            .enterprises
            .par_iter()
            .map(|r| crate::fingerprint::of((&r.src.rel, &r.src.text)))
            .collect();
        Fingerprints {
            site: crate::fingerprint::of((
                inputs.site_src.as_ref().map(|s| &s.text),
                opts.as_of,
                opts.today,
                opts.profile == Profile::Internal,
                &opts.base_url,
                opts.offline_zip,
            )),
            standards: crate::fingerprint::of(
                inputs
                    .standards
                    .iter()
                    .map(|s| (&s.src.rel, &s.src.text))
                    .collect::<Vec<_>>(),
            ),
            records: crate::fingerprint::of(records),
        }
    }

    /// Everything shortcodes can read; never 0 (0 marks a page that used no shortcode).
    pub(crate) fn data(&self) -> u64 {
        crate::fingerprint::of((self.site, self.standards, self.records)) | 1
    }
}

/// Names and USCCs are unique across files; both places are named.
/// 厂中厂 both ways: a tenant's `landlord` that names another record links the two, and the
/// lessor joins the high-risk group with its deadline. A name that matches no record is left
/// as written (the dashboard lists it).
fn link_leases(ents: &mut [Enterprise], cfg: &SiteConfig, as_of: Date) {
    let by_name: BTreeMap<String, usize> = ents
        .iter()
        .enumerate()
        .map(|(i, e)| (e.rec.name.v.trim().to_string(), i))
        .collect();
    let mut tenants: BTreeMap<usize, Vec<enterprise::EnterpriseRef>> = BTreeMap::new();
    for i in 0..ents.len() {
        let name = ents[i].rec.landlord.trim();
        let Some(&l) = by_name.get(name) else {
            continue;
        };
        if name.is_empty() || l == i {
            continue;
        }
        let landlord = enterprise::EnterpriseRef {
            slug: ents[l].rec.slug.clone(),
            name: ents[l].rec.name.v.clone(),
        };
        ents[i].landlord_ref = Some(landlord);
        tenants
            .entry(l)
            .or_default()
            .push(enterprise::EnterpriseRef {
                slug: ents[i].rec.slug.clone(),
                name: ents[i].rec.name.v.clone(),
            });
    }
    for (l, list) in tenants {
        ents[l].tenants = list;
        enterprise::decide_status(&mut ents[l], cfg, as_of, true);
    }
}

/// The plan asks for one production and one warehouse demonstration enterprise, or two
/// production ones (示范企业创建阶段 2.).
fn check_demonstration(ents: &[Enterprise], cfg: &SiteConfig, diags: &mut Vec<Diagnostic>) {
    let demo: Vec<&Enterprise> = ents.iter().filter(|e| e.rec.demonstration).collect();
    let max = cfg.plan.demonstration_max as usize;
    if demo.len() > max {
        let names: Vec<&str> = demo.iter().map(|e| e.rec.name.v.as_str()).collect();
        for e in &demo[max..] {
            diags.push(
                Diagnostic::warning_at(
                    &e.rec.src,
                    e.rec.demonstration_span.clone(),
                    format!(
                        "全镇标记了 {} 家示范企业（{}），实施方案要求最多 {max} 家",
                        demo.len(),
                        names.join("、")
                    ),
                )
                .with_hint("实施方案：选取生产类和仓储类工贸企业各 1 家，或生产类工贸企业 2 家，创建为市级示范企业"),
            );
        }
    }
    let stores: Vec<&&Enterprise> = demo
        .iter()
        .filter(|e| e.rec.kind == crate::domain::Kind::Warehousing)
        .collect();
    if stores.len() > 1 {
        for e in &stores[1..] {
            diags.push(
                Diagnostic::warning_at(
                    &e.rec.src,
                    e.rec.demonstration_span.clone(),
                    format!("仓储类示范企业有 {} 家，实施方案只要求 1 家", stores.len()),
                )
                .with_hint("实施方案：生产类和仓储类各 1 家，或生产类 2 家"),
            );
        }
    }
}

fn check_unique(ents: &[Enterprise], diags: &mut Vec<Diagnostic>) {
    let mut names: BTreeMap<&str, &Enterprise> = BTreeMap::new();
    let mut codes: BTreeMap<&str, &Enterprise> = BTreeMap::new();
    for e in ents {
        for (map, value, span, what) in [
            (
                &mut names,
                e.rec.name.v.as_str(),
                e.rec.name.span.clone(),
                "企业名称",
            ),
            (
                &mut codes,
                e.rec.uscc.v.as_str(),
                e.rec.uscc.span.clone(),
                "统一社会信用代码",
            ),
        ] {
            if let Some(first) = map.get(value) {
                let first_span = if what == "企业名称" {
                    first.rec.name.span.clone()
                } else {
                    first.rec.uscc.span.clone()
                };
                let at = Diagnostic::error_at(&first.rec.src, first_span, "");
                diags.push(
                    Diagnostic::error_at(
                        &e.rec.src,
                        span,
                        format!("{what}“{value}”与另一份档案重复"),
                    )
                    .with_hint(format!("已在 {} 中使用", at.location())),
                );
            } else {
                map.insert(value, e);
            }
        }
    }
}
