//! Stage 3 — render: every page of the site through the theme's tera templates (in parallel), plus
//! the generated files (sitemap, robots, feed, charts). The result is a map of output path → bytes;
//! nothing is written to disk here.

pub(crate) mod enterprise;
pub(crate) mod feeds;
pub(crate) mod fragments;
pub(crate) mod html;
pub(crate) mod jobs;
pub(crate) mod ledger;
pub(crate) mod links;
pub(crate) mod periodic;
pub(crate) mod qr;
pub(crate) mod reports;
pub(crate) mod summary;
pub(crate) mod svg;
pub(crate) mod theme;
pub(crate) mod trends;
pub(crate) mod views;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::diag::{Diagnostic, Severity};
use crate::model::{Profile, Site};

/// A file's content in the output.
pub type Bytes = Arc<Vec<u8>>;

/// The rendered site, in memory.
#[derive(Default)]
pub struct Output {
    /// Output path (UTF-8, `/`-separated) → content, shared: the preview server's next output
    /// keeps the unchanged pages of the last one without copying them.
    pub files: BTreeMap<String, Bytes>,
    /// Output path → file to copy (theme static files, content assets).
    pub(crate) copies: BTreeMap<String, theme::ThemeFile>,
    /// The indexable text of the landing pages (print versions and card sheets repeat them),
    /// taken as each page is rendered (so `build` can stream the HTML to disk and keep only this).
    pub texts: Vec<(String, Arc<crate::page_text::PageText>)>,
    /// The landing pages whose text was not taken (a preview that makes no index: it would hold
    /// the text of every page for a search nobody may run), sorted; see [`Output::page_texts`].
    pub(crate) untexted: Vec<String>,
    /// HTML pages rendered (kept in `files` or streamed out).
    pub pages: usize,
    /// The links and ids of every HTML page and feed, for [`check_links`] (taken as each file is
    /// made, so streamed pages are checked too).
    pub(crate) links: BTreeMap<String, Arc<links::PageLinks>>,
    /// Files streamed out (not kept in `files`): they exist for the link check.
    pub(crate) streamed: BTreeSet<String>,
}

impl Output {
    /// The indexable text of the landing pages, sorted by key: as taken while rendering, or read
    /// now from their kept HTML when none was taken.
    pub(crate) fn page_texts(
        &self,
    ) -> std::borrow::Cow<'_, [(String, Arc<crate::page_text::PageText>)]> {
        if self.untexted.is_empty() {
            return std::borrow::Cow::Borrowed(&self.texts);
        }
        // Then no text was taken at all (see `render`'s `with_texts`), and `untexted` is sorted
        // as `texts` would be.
        let read = self
            .untexted
            .par_iter()
            .filter_map(|key| {
                let html = self.files.get(&format!("{key}index.html"))?;
                let text = crate::page_text::extract(&String::from_utf8_lossy(html));
                Some((key.clone(), Arc::new(text)))
            })
            .collect();
        std::borrow::Cow::Owned(read)
    }

    /// The static files to copy: those no generated file of the same path replaces (a page or
    /// index file, kept or already streamed out).
    pub(crate) fn copies_to_write(&self) -> impl Iterator<Item = (&String, &theme::ThemeFile)> {
        self.copies
            .iter()
            .filter(|(rel, _)| !self.files.contains_key(*rel) && !self.streamed.contains(*rel))
    }
}

/// The output's link check: every link of every generated page, print versions and feeds
/// included, must resolve to a file of the output (and an id in it). Run once all files are made.
///
/// Given the previous output (the preview server's last good one, whose links all resolved), only
/// the links of pages that changed are checked, as long as no file came or went and no changed
/// page lost or gained an id; otherwise every link is.
pub(crate) fn check_links(
    out: &mut Output,
    base_url: Option<&str>,
    previous: Option<&Output>,
) -> Vec<Diagnostic> {
    let base = links::Base::new(base_url);
    let missing: Vec<(String, Arc<links::PageLinks>)> = out
        .files
        .par_iter()
        .filter(|(p, _)| links::scanned(p) && !out.links.contains_key(*p))
        .map(|(p, b)| {
            // Files made beside the pages (sitemap, feeds) keep last time's scan when unchanged.
            let again = previous
                .filter(|prev| prev.files.get(p) == Some(b))
                .and_then(|prev| prev.links.get(p).cloned());
            let l = again.unwrap_or_else(|| Arc::new(links::scan(p, b, &base)));
            (p.clone(), l)
        })
        .collect();
    out.links.extend(missing);
    let files: std::collections::HashSet<&str> = out
        .files
        .keys()
        .chain(out.copies.keys())
        .chain(out.streamed.iter())
        .map(|s| s.as_str())
        .collect();
    let changed = previous.and_then(|prev| changed_links(out, prev));
    links::check(&out.links, &files, changed.as_ref())
}

/// The pages whose links need checking again after `prev`, or `None` when every page's do.
fn changed_links<'o>(out: &'o Output, prev: &Output) -> Option<std::collections::HashSet<&'o str>> {
    let same_files = out.files.keys().eq(prev.files.keys())
        && out.copies.keys().eq(prev.copies.keys())
        && out.streamed == prev.streamed;
    if !same_files {
        return None;
    }
    let mut changed = std::collections::HashSet::new();
    for (page, l) in &out.links {
        match prev.links.get(page) {
            Some(old) if Arc::ptr_eq(old, l) => {}
            Some(old) if old.ids == l.ids => {
                changed.insert(page.as_str());
            }
            _ => return None,
        }
    }
    Some(changed)
}

/// Where rendered pages go when they are not kept in memory: `build` streams them into its
/// staging folder as they are made, so memory does not grow with the size of the site.
pub(crate) type Stream<'s> = dyn Fn(&str, &[u8]) -> anyhow::Result<()> + Sync + 's;

/// A page's context: built up front, or on demand on the rendering thread (enterprise pages: their
/// contexts are large, and building them lazily keeps only a few alive at once).
pub(crate) enum Ctx<'a> {
    Ready(Context),
    Lazy(Box<dyn Fn() -> Context + Send + Sync + 'a>),
    /// A lazy context with a cheap fingerprint of everything it is made from: the preview server
    /// compares fingerprints and builds the context only for pages whose inputs changed.
    Keyed {
        key: Box<dyn Fn() -> u64 + Send + Sync + 'a>,
        make: Box<dyn Fn() -> Context + Send + Sync + 'a>,
    },
    /// The page as the last render made it (see [`jobs::DataPages`]).
    Same,
}

/// One page to render: output key (folder), template and context.
pub(crate) struct Job<'a> {
    pub(crate) key: String,
    /// File name inside the key's folder (usually `index.html`).
    pub(crate) file: String,
    pub(crate) template: String,
    pub(crate) ctx: Ctx<'a>,
    pub(crate) in_sitemap: bool,
    /// Whether the search index covers this page (printouts repeat their enterprise page).
    pub(crate) indexed: bool,
}

impl Job<'_> {
    pub(crate) fn path(&self) -> String {
        format!("{}{}", self.key, self.file)
    }

    fn with_ctx<R>(&self, f: impl FnOnce(&Context) -> R) -> R {
        match &self.ctx {
            Ctx::Ready(c) => f(c),
            Ctx::Lazy(make) | Ctx::Keyed { make, .. } => f(&make()),
            // Never reached: a page is `Same` only when the last output holds it.
            Ctx::Same => f(&Context::new()),
        }
    }
}

#[derive(Serialize)]
struct NavItem {
    title: &'static str,
    url: &'static str,
    key: &'static str,
}

const NAV: &[NavItem] = &[
    NavItem {
        title: "首页",
        url: "",
        key: "",
    },
    NavItem {
        title: "指导手册",
        url: "handbook/",
        key: "handbook/",
    },
    NavItem {
        title: "评估标准",
        url: "standards/",
        key: "standards/",
    },
    NavItem {
        title: "企业",
        url: "enterprises/",
        key: "enterprises/",
    },
    NavItem {
        title: "台账",
        url: "ledger/",
        key: "ledger/",
    },
    NavItem {
        title: "通知公告",
        url: "notices/",
        key: "notices/",
    },
    NavItem {
        title: "搜索",
        url: "search/",
        key: "search/",
    },
];

/// The context every template gets: site identity, profile, the way back to the root, navigation.
pub(crate) fn base_context(site: &Site, key: &str, title: &str) -> Context {
    let mut ctx = Context::new();
    let config = site
        .config_value
        .get_or_init(|| serde_json::to_value(&site.config).unwrap_or_default());
    ctx.insert("site", config);
    ctx.insert("as_of", &site.as_of.to_string());
    ctx.insert("internal", &(site.profile == Profile::Internal));
    ctx.insert("root", &crate::model::content::root_prefix(key));
    ctx.insert("key", key);
    // Content sections a site may not have (a new or small site): the chrome links only to those
    // that exist, so that every link of every page resolves.
    let present =
        |k: &str| k.is_empty() || jobs::GENERATED.contains(&k) || site.top_pages.contains(k);
    let nav: Vec<&NavItem> = NAV.iter().filter(|n| present(n.key)).collect();
    ctx.insert("nav", &nav);
    let has: BTreeMap<&str, bool> = [("about", "about/"), ("handbook", "handbook/")]
        .into_iter()
        .map(|(name, k)| (name, present(k)))
        .collect();
    ctx.insert("has", &has);
    let section = NAV
        .iter()
        .rev()
        .find(|n| !n.key.is_empty() && key.starts_with(n.key))
        .map_or("", |n| n.key);
    ctx.insert("nav_current", section);
    ctx.insert("page_title", title);
    let canonical = site
        .base_url
        .as_ref()
        .map(|b| format!("{b}{}", crate::url::encode_path(key)));
    ctx.insert("canonical", &canonical);
    ctx
}

/// Parses the theme's templates; a syntax error names the template file and line.
pub(crate) fn templates(theme: &theme::Theme) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml", ".svg"]);
    // tera's default also escapes `/`, which bloats every relative URL; quotes and <>& are what matter.
    tera.set_escape_fn(crate::text::escape);
    let sources: Vec<(String, String)> = theme
        .templates
        .iter()
        .map(|(n, (_, t))| (n.clone(), t.clone()))
        .collect();
    if let Err(e) = tera.add_raw_templates(sources) {
        let msg = error_chain(&e);
        let file = theme
            .templates
            .iter()
            .find(|(n, _)| msg.contains(&format!("'{n}'")))
            .map_or("templates".to_string(), |(_, (shown, _))| shown.clone());
        return Err(vec![template_diag(&file, &msg)]);
    }
    Ok(tera)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        msg.push('：');
        msg.push_str(&s.to_string());
        cur = s.source();
    }
    msg
}

/// Turns a tera message into a diagnostic, taking the `--> line:col` it carries when there is one.
fn template_diag(file: &str, msg: &str) -> Diagnostic {
    let mut d = Diagnostic::file(
        Severity::Error,
        file,
        format!("模板错误：{}", msg.replace('\n', " ")),
    );
    if let Some(pos) = msg.find("--> ") {
        let rest = &msg[pos + 4..];
        let mut it = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        if let (Some(l), Some(c)) = (it.next(), it.next()) {
            d.line = l.parse().unwrap_or(0);
            d.column = c.parse().unwrap_or(0);
        }
    }
    d
}

/// Rendered pages of the previous build, keyed by output path with the hash of the context they
/// were rendered from: the preview server re-renders only pages whose context or templates changed.
#[derive(Default)]
pub(crate) struct RenderCache {
    theme: u64,
    hashes: std::collections::HashMap<String, u64>,
    /// The output those hashes belong to (kept by the server anyway, so no second copy).
    last: Option<std::sync::Arc<Output>>,
    /// The data pages of the last render, when they can be reused.
    data: Option<jobs::DataPages>,
}

impl RenderCache {
    /// Records the output that the last render's hashes describe.
    pub(crate) fn remember(&mut self, out: std::sync::Arc<Output>) {
        self.last = Some(out);
    }

    /// The output last remembered.
    pub(crate) fn last(&self) -> Option<std::sync::Arc<Output>> {
        self.last.clone()
    }

    /// The data pages of the last render with that render's output, when they can stand as
    /// they are: same theme, same fingerprint, and every page and file of them in the output.
    fn same_data(&self, site: &Site, theme: u64) -> Option<(&jobs::DataPages, &Output)> {
        let (d, last) = (self.data.as_ref()?, self.last.as_deref()?);
        let kept = |p: &String| last.files.contains_key(p);
        let ok = self.theme == theme
            && d.fp == jobs::data_fingerprint(site)
            && d.files.iter().all(kept)
            && d.pages.iter().all(|(k, f, ..)| {
                let p = format!("{k}{f}");
                self.hashes.contains_key(&p) && kept(&p)
            });
        ok.then_some((d, last))
    }
}

fn context_hash(template: &str, ctx: &Context) -> u64 {
    json_hash(template, &ctx.clone().into_json())
}

fn json_hash(template: &str, json: &serde_json::Value) -> u64 {
    // Written out first, then hashed in one go: the writer's many small writes cost more in the
    // hasher than the JSON does.
    thread_local!(static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) });
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        let _ = serde_json::to_writer(&mut *buf, json);
        let mut h = crate::fingerprint::hasher();
        std::hash::Hash::hash(template, &mut h);
        std::hash::Hasher::write(&mut h, buf);
        std::hash::Hasher::finish(&h)
    })
}

pub(crate) fn theme_fingerprint(theme: &theme::Theme) -> u64 {
    let mut h = crate::fingerprint::hasher();
    for (name, (_, text)) in &theme.templates {
        std::hash::Hash::hash(name, &mut h);
        std::hash::Hash::hash(text, &mut h);
    }
    std::hash::Hasher::finish(&h)
}

/// What streaming takes out of memory and the output must still know: the paths, and the links
/// of those pages for the link check.
type Noted = (BTreeSet<String>, BTreeMap<String, Arc<links::PageLinks>>);
/// A page's indexable text, when the search index covers it.
type Text = Option<Arc<crate::page_text::PageText>>;
/// One rendered page: its path, the hash of its inputs, its bytes (`None` once streamed out) or
/// its template error, its text, and its links when kept in memory (a streamed page's links are
/// noted as it is streamed).
type Rendered = (
    String,
    u64,
    Result<Option<Bytes>, Diagnostic>,
    Text,
    Option<Arc<links::PageLinks>>,
);
/// The previous build's hashes and output, when made with the same templates.
type Previous<'c> = Option<(&'c std::collections::HashMap<String, u64>, &'c Output)>;
/// A deferred file once made: its path and bytes, or why it could not be made.
type Made = Result<(String, Vec<u8>), Box<Diagnostic>>;

/// Renders the whole site. `with_texts`: take each landing page's text as it is rendered (for an
/// index made now); else [`Output::untexted`] lists them.
pub(crate) fn render(
    site: &Site,
    theme: &theme::Theme,
    tera: &Tera,
    diags: &mut Vec<Diagnostic>,
    cache: Option<&mut RenderCache>,
    stream: Option<&Stream<'_>>,
    with_texts: bool,
) -> anyhow::Result<Output> {
    let mut out = Output::default();
    // What is streamed out is gone from memory: note its path, and its links for the link check.
    let base = links::Base::new(site.base_url.as_deref());
    let noted: std::sync::Mutex<Noted> = Default::default();
    let noting = |path: &str, bytes: &[u8]| -> anyhow::Result<()> {
        let put = stream.expect("noting wraps a stream");
        stream_noted(put, &base, &noted, path, bytes)
    };
    let stream: Option<&Stream<'_>> = stream.map(|_| &noting as &Stream<'_>);
    let fp = theme_fingerprint(theme);
    let same = cache.as_deref().and_then(|c| c.same_data(site, fp));
    let jobs::Planned {
        jobs,
        deferred,
        mut data,
    } = jobs::all(site, &mut out, stream, diags, same.map(|(d, _)| d))?;
    if let Some((d, last)) = same {
        for f in &d.files {
            if let Some(b) = last.files.get(f) {
                out.files.insert(f.clone(), b.clone());
            }
        }
    }
    let previous = match &cache {
        Some(c) if c.theme == fp => c.last.as_deref().map(|o| (&c.hashes, o)),
        _ => None,
    };
    let hashing = cache.is_some();
    let how = How {
        hashing,
        with_texts,
        stream,
        base: &base,
    };
    let render_one = |job: &mut Job| render_job(job, tera, theme, previous, &how);
    // The deferred files are made beside the pages; rayon gives their thread page work once
    // they are done.
    let mut jobs = jobs;
    let (made, results): (Vec<_>, Vec<anyhow::Result<Rendered>>) = rayon::join(
        || deferred.into_iter().map(|make| make()).collect(),
        || jobs.par_iter_mut().map(render_one).collect(),
    );
    if made.iter().any(|m| m.is_err()) {
        data = None;
    }
    if let Some(d) = &mut data {
        d.files.extend(
            made.iter()
                .filter_map(|m| m.as_ref().ok().map(|(p, _)| p.clone())),
        );
    }
    keep_deferred(&mut out, made, stream, diags)?;
    let results: Vec<Rendered> = results.into_iter().collect::<Result<_, _>>()?;
    if let Some(c) = cache {
        remember_hashes(c, fp, &results);
        c.data = data;
    }
    keep_pages(&mut out, results, diags);
    add_site_files(&mut out, site, theme, &jobs);
    out.texts.sort_by(|a, b| a.0.cmp(&b.0));
    if !with_texts {
        out.untexted = jobs
            .iter()
            .filter(|j| wants_text(j))
            .map(|j| j.key.clone())
            .collect();
        out.untexted.sort();
        out.untexted.dedup();
    }
    let (streamed, streamed_links) = noted.into_inner().unwrap_or_else(|e| e.into_inner());
    out.streamed = streamed;
    out.links.extend(streamed_links);
    Ok(out)
}

/// Streams a file out, noting what the link check needs of it in `noted`.
fn stream_noted(
    put: &Stream<'_>,
    base: &links::Base,
    noted: &std::sync::Mutex<Noted>,
    path: &str,
    bytes: &[u8],
) -> anyhow::Result<()> {
    put(path, bytes)?;
    let found = links::scanned(path).then(|| links::scan(path, bytes, base));
    let mut n = noted.lock().unwrap_or_else(|e| e.into_inner());
    n.0.insert(path.to_string());
    if let Some(f) = found {
        n.1.insert(path.to_string(), Arc::new(f));
    }
    Ok(())
}

/// How each page is rendered: whether its inputs are hashed for the next rebuild, whether its
/// text is taken, and where it goes.
struct How<'a> {
    hashing: bool,
    with_texts: bool,
    stream: Option<&'a Stream<'a>>,
    base: &'a links::Base,
}

/// A landing page the search indexes (print versions and card sheets repeat it).
fn wants_text(job: &Job) -> bool {
    job.indexed && job.file == "index.html"
}

/// `v` moved into an allocation of exactly its length, for what the preview keeps for as long as
/// it runs (shrinking in place would keep the block: mimalloc does not move a block that is at
/// least half used).
pub(crate) fn exact<T>(mut v: Vec<T>) -> Vec<T> {
    if v.capacity() == v.len() {
        return v;
    }
    let mut out = Vec::with_capacity(v.len());
    out.append(&mut v);
    out
}

/// One page, reused from the previous build when its inputs hash the same, else rendered; then
/// streamed out, or kept with its links (the previous build's when reused: the preview server
/// scans only the pages that changed).
fn render_job(
    job: &mut Job,
    tera: &Tera,
    theme: &theme::Theme,
    previous: Previous<'_>,
    how: &How<'_>,
) -> anyhow::Result<Rendered> {
    let (hashing, stream, base) = (how.hashing, how.stream, how.base);
    let path = job.path();
    let wants_text = how.with_texts && wants_text(job);
    let reuse = |h: u64| reused(previous, &path, wants_text, h);
    let keyed = match &job.ctx {
        Ctx::Keyed { key, .. } if hashing => Some(key()),
        Ctx::Same => previous.and_then(|(hashes, _)| hashes.get(&path).copied()),
        _ => None,
    };
    // A ready context is hashed as the JSON it turns into, taken out of the job rather than
    // copied (the page is rendered once, and the sitemap needs only the job's key).
    let ready = match &mut job.ctx {
        Ctx::Ready(c) if hashing => Some(std::mem::take(c)),
        _ => None,
    };
    let job = &*job;
    // The error is the page's diagnostic, as `Rendered` carries it.
    #[allow(clippy::result_large_err)]
    let render = |ctx: &Context| {
        tera.render(&job.template, ctx)
            .map(|html| {
                let text = wants_text.then(|| Arc::new(crate::page_text::extract(&html)));
                // A page kept in memory (the preview keeps them all) would otherwise hold the
                // slack of the growing string, a third of its size.
                let bytes = match stream {
                    Some(_) => html.into_bytes(),
                    None => exact(html.into_bytes()),
                };
                (Arc::new(bytes), text, None)
            })
            .map_err(|e| render_error(theme, job, &path, &e))
    };
    let early = keyed.and_then(|h| reuse(h).map(|r| (h, Ok(r))));
    let (h, r) = early.unwrap_or_else(|| match ready {
        Some(ctx) => {
            let json = ctx.into_json();
            let h = json_hash(&job.template, &json);
            match reuse(h) {
                Some(r) => (h, Ok(r)),
                None => (h, render(&Context::from_value(json).unwrap_or_default())),
            }
        }
        None => job.with_ctx(|ctx| {
            let h = match keyed {
                Some(h) => h,
                None if hashing => context_hash(&job.template, ctx),
                None => 0,
            };
            if keyed.is_none()
                && let Some(r) = reuse(h)
            {
                return (h, Ok(r));
            }
            (h, render(ctx))
        }),
    });
    let (html, text, old_links) = match r {
        Ok(r) => r,
        Err(d) => return Ok((path, h, Err(d), None, None)),
    };
    match stream {
        Some(put) => {
            put(&path, &html)?;
            Ok((path, h, Ok(None), text, None))
        }
        None => {
            let found = links::scanned(&path)
                .then(|| old_links.unwrap_or_else(|| Arc::new(links::scan(&path, &html, base))));
            Ok((path, h, Ok(Some(html)), text, found))
        }
    }
}

/// A page as rendered last time: bytes, text and links.
type Again = (Bytes, Text, Option<Arc<links::PageLinks>>);

/// The page as rendered last time, when its inputs hash the same.
fn reused(previous: Previous<'_>, path: &str, wants_text: bool, h: u64) -> Option<Again> {
    let same = previous.filter(|(hashes, _)| hashes.get(path) == Some(&h))?;
    let html = same.1.files.get(path)?;
    let key = path.trim_end_matches("index.html");
    let texts = &same.1.texts;
    let text = wants_text
        .then(|| texts.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok())
        .flatten()
        .map(|i| texts[i].1.clone());
    Some((html.clone(), text, same.1.links.get(path).cloned()))
}

/// A template failure while rendering a page, naming the theme's file and the page.
fn render_error(theme: &theme::Theme, job: &Job, path: &str, e: &tera::Error) -> Diagnostic {
    let shown = theme
        .templates
        .get(&job.template)
        .map_or(job.template.clone(), |t| t.0.clone());
    template_diag(&shown, &format!("渲染 {path} 时出错：{}", error_chain(e)))
}

/// The deferred files: streamed out or kept, their failures reported.
fn keep_deferred(
    out: &mut Output,
    made: Vec<Made>,
    stream: Option<&Stream<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> anyhow::Result<()> {
    for file in made {
        match file {
            Ok((path, bytes)) => match stream {
                Some(put) => put(&path, &bytes)?,
                None => {
                    out.files.insert(path, Arc::new(bytes));
                }
            },
            Err(d) => diags.push(*d),
        }
    }
    Ok(())
}

/// The hashes the next preview build compares with (pages that failed have none).
fn remember_hashes(c: &mut RenderCache, fp: u64, results: &[Rendered]) {
    c.theme = fp;
    c.hashes = results
        .iter()
        .filter(|(_, _, r, _, _)| r.is_ok())
        .map(|(path, h, _, _, _)| (path.clone(), *h))
        .collect();
    c.last = None;
}

/// The rendered pages into the output: bytes kept, pages counted, texts taken, errors and two
/// pages at one path reported.
fn keep_pages(out: &mut Output, results: Vec<Rendered>, diags: &mut Vec<Diagnostic>) {
    // Every output path once per rebuild: foldhash rather than SipHash.
    let mut seen: std::collections::HashSet<String, foldhash::fast::RandomState> =
        Default::default();
    for (path, _, r, text, found) in results {
        if let Some(l) = found {
            out.links.insert(path.clone(), l);
        }
        if !seen.insert(path.clone()) {
            diags.push(Diagnostic::file(
                Severity::Error,
                &path,
                format!("输出路径冲突：{path} 由两个页面生成"),
            ));
        }
        match r {
            Ok(Some(html)) => {
                out.pages += 1;
                out.files.insert(path.clone(), html);
            }
            Ok(None) => out.pages += 1,
            Err(d) => diags.push(d),
        }
        if let Some(t) = text {
            out.texts
                .push((path.trim_end_matches("index.html").to_string(), t));
        }
    }
}

/// The files beside the pages: sitemap, robots.txt, and the theme's and content's files to copy.
fn add_site_files(out: &mut Output, site: &Site, theme: &theme::Theme, jobs: &[Job]) {
    let mut sitemap_keys: Vec<String> = jobs
        .iter()
        .filter(|j| j.in_sitemap)
        .map(|j| j.key.clone())
        .collect();
    sitemap_keys.sort();
    sitemap_keys.dedup();
    if let Some(sm) = feeds::sitemap(site, &sitemap_keys) {
        out.files
            .insert("sitemap.xml".into(), Arc::new(sm.into_bytes()));
    }
    out.files.insert(
        "robots.txt".into(),
        Arc::new(feeds::robots(site).into_bytes()),
    );
    for (name, f) in &theme.statics {
        out.copies.insert(name.clone(), f.clone());
    }
    for a in &site.assets {
        out.copies.insert(
            a.clone(),
            theme::ThemeFile::Disk(site.root.join("content").join(a)),
        );
    }
}
