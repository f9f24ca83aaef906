//! The pipeline end to end — load → model → render → search → write — as `build`, `check` and the
//! preview server use it. Options come from the CLI; the as-of date is decided there, not here.

use std::path::PathBuf;
use std::time::Instant;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::diag::{self, Diagnostic};
use crate::model::{ModelOptions, Profile, Site};
use crate::render::{self, Output};
use crate::{load, model, search, write};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub out: PathBuf,
    pub as_of: Option<Date>,
    /// Today's date, read once by the CLI; used only when neither `--as-of` nor site.toml gives one.
    pub today: Date,
    pub profile: Profile,
    pub base_url: Option<String>,
    /// `build --offline`: write the copy that works opened from a folder (`file://`) instead of
    /// the site for a web server (which carries that copy as a zip).
    pub offline: bool,
}

/// What the preview server keeps between rebuilds so that unchanged inputs cost little: parsed
/// files, rendered Markdown and rendered pages.
#[derive(Default)]
pub struct Caches {
    pub(crate) load: load::LoadMemo,
    pub(crate) markdown: model::content::MarkdownMemo,
    pub(crate) render: render::RenderCache,
    /// The compiled templates and the fingerprint of the theme they came from.
    pub(crate) templates: Option<(u64, tera::Tera)>,
}

/// What a successful compile produced, with timings per stage in milliseconds.
pub struct Compiled {
    pub site: Site,
    pub output: Output,
    pub diags: Vec<Diagnostic>,
    pub search: search::IndexStats,
    pub stages: Vec<(&'static str, u128)>,
}

pub enum Failure {
    /// The input has errors (exit 1). Diagnostics are sorted.
    Input(Vec<Diagnostic>),
    /// Usage or I/O failure (exit 2), with the context of what was being done.
    Io(anyhow::Error),
}

/// load + model + render in memory + link check: the `check` command (writes nothing).
pub fn check(opts: &BuildOptions) -> (Option<Site>, Vec<Diagnostic>) {
    let (inputs, mut diags) = load::load(&opts.root);
    let theme = render::theme::load(&opts.root);
    if let Err(e) = &theme {
        diags.push(Diagnostic::file(
            diag::Severity::Error,
            "templates",
            diag::failure_text(e),
        ));
    }
    let mut site = model::build(
        inputs,
        &model_opts(opts, theme.as_ref().ok(), false),
        &mut diags,
    );
    if let Some(s) = &mut site {
        s.derive_series();
    }
    // The link check reads the rendered pages: render in memory (nothing is written) when the
    // input is otherwise clean, so `check` fails on a broken link exactly when `build` would.
    if let (Some(s), Ok(theme)) = (&site, &theme)
        && !diags.iter().any(|d| d.is_error())
    {
        match render::templates(theme) {
            Ok(tera) => match render::render(s, theme, &tera, &mut diags, None, None, true) {
                Ok(mut out) if !diags.iter().any(|d| d.is_error()) => {
                    // Kept in memory (no stream), which cannot fail.
                    let _ = search::build(&mut out, None);
                    diags.extend(render::check_links(&mut out, s.base_url.as_deref(), None));
                }
                Ok(_) => {}
                Err(e) => diags.push(Diagnostic::file(
                    diag::Severity::Error,
                    "public",
                    diag::failure_text(&e),
                )),
            },
            Err(mut d) => diags.append(&mut d),
        }
    }
    diag::sort(&mut diags);
    (site, diags)
}

/// load + model with `overlay` standing in for the files it names (see [`load::Overlay`]): the
/// checks `records import` runs on what it would write, before writing anything.
pub(crate) fn check_overlay(opts: &BuildOptions, overlay: &load::Overlay) -> Vec<Diagnostic> {
    let (inputs, mut diags) = load::load_overlay(&opts.root, overlay);
    let theme = render::theme::load(&opts.root).ok();
    let _ = model::build(inputs, &model_opts(opts, theme.as_ref(), false), &mut diags);
    diag::sort(&mut diags);
    diags
}

/// `offline_zip`: whether this run publishes the offline copy's zip (`build` does).
fn model_opts(
    opts: &BuildOptions,
    theme: Option<&render::theme::Theme>,
    offline_zip: bool,
) -> ModelOptions {
    ModelOptions {
        offline_zip,
        templates: theme
            .map(|t| t.templates.keys().cloned().collect())
            .unwrap_or_default(),
        as_of: opts.as_of,
        today: opts.today,
        profile: opts.profile,
        base_url: opts.base_url.clone(),
    }
}

/// How [`compile`] runs: for `build` or for the preview server.
pub enum Mode<'a> {
    /// `build`: pages go into `stream` (the staging folder) as they are rendered instead of
    /// being kept; the search index is built.
    Build(&'a render::Stream<'a>),
    /// The preview server: reuses what `caches` hold from last time (pages whose context is the
    /// same, the compiled templates) and may leave the search index for later
    /// (`with_search = false`, see `serve`).
    Preview {
        caches: &'a mut Caches,
        with_search: bool,
    },
}

/// Everything but writing: load, model, render, search and the link check.
pub fn compile(opts: &BuildOptions, mode: Mode<'_>) -> Result<Compiled, Failure> {
    let (caches, with_search, stream) = match mode {
        Mode::Build(stream) => (None, true, Some(stream)),
        Mode::Preview {
            caches,
            with_search,
        } => (Some(caches), with_search, None),
    };
    let (load_memo, md_memo, cache, compiled) = match caches {
        Some(c) => (
            Some(&mut c.load),
            Some(&mut c.markdown),
            Some(&mut c.render),
            Some(&mut c.templates),
        ),
        None => (None, None, None, None),
    };
    let mut stages = Vec::new();
    let t = Instant::now();
    let (inputs, mut diags) = load::load_with(&opts.root, load_memo);
    stages.push(("load", t.elapsed().as_millis()));
    let theme = render::theme::load(&opts.root).map_err(Failure::Io)?;
    let t = Instant::now();
    let offline_zip = stream.is_some();
    let mut site = model::build_with(
        inputs,
        &model_opts(opts, Some(&theme), offline_zip),
        md_memo,
        &mut diags,
    );
    stages.push(("model", t.elapsed().as_millis()));
    if let Some(s) = &mut site {
        let t = Instant::now();
        s.derive_series();
        stages.push(("series", t.elapsed().as_millis()));
    }
    // The preview server compiles the templates again only when the theme changed.
    let fp = render::theme_fingerprint(&theme);
    let mut own = None;
    let slot = compiled.unwrap_or(&mut own);
    if slot.as_ref().is_none_or(|(f, _)| *f != fp) {
        *slot = match render::templates(&theme) {
            Ok(t) => Some((fp, t)),
            Err(mut d) => {
                diags.append(&mut d);
                None
            }
        };
    }
    let tera = slot.as_ref().map(|(_, t)| t);
    let (Some(site), Some(tera)) = (site, tera) else {
        diag::sort(&mut diags);
        return Err(Failure::Input(diags));
    };
    if diags.iter().any(|d| d.is_error()) {
        diag::sort(&mut diags);
        return Err(Failure::Input(diags));
    }
    // The last good output, for the link check to look only at what changed since.
    let previous = cache.as_ref().and_then(|c| c.last());
    let t = Instant::now();
    let mut output = render::render(&site, &theme, tera, &mut diags, cache, stream, with_search)
        .map_err(Failure::Io)?;
    if offline_zip {
        // Made by `build` once everything else is written (it holds everything else).
        output.streamed.insert(crate::offline::ZIP_PATH.to_string());
    }
    stages.push(("render", t.elapsed().as_millis()));
    if diags.iter().any(|d| d.is_error()) {
        diag::sort(&mut diags);
        return Err(Failure::Input(diags));
    }
    let mut stats = search::IndexStats::default();
    if with_search {
        let t = Instant::now();
        stats = search::build(&mut output, stream).map_err(Failure::Io)?;
        stages.push(("search", t.elapsed().as_millis()));
    }
    // After everything is made (print versions, feeds, the index): a link that does not resolve
    // in the output fails the build like a broken link in the Markdown does.
    let t = Instant::now();
    let broken = render::check_links(&mut output, site.base_url.as_deref(), previous.as_deref());
    stages.push(("links", t.elapsed().as_millis()));
    if !broken.is_empty() {
        diags.extend(broken);
        diag::sort(&mut diags);
        return Err(Failure::Input(diags));
    }
    diag::sort(&mut diags);
    Ok(Compiled {
        site,
        output,
        diags,
        search: stats,
        stages,
    })
}

/// The `build` command: pages stream into a staging folder beside the output as they are
/// rendered; the rest follows, and the staging folder is swapped in only if all went well.
/// With `--offline` every file is written as the offline copy has it; otherwise, when a page
/// offers the offline copy for download, its zip is made from the staged files.
pub fn build(opts: &BuildOptions) -> Result<Compiled, Failure> {
    write::check_destination(&opts.root, &opts.out).map_err(Failure::Io)?;
    let staging = write::Staging::create(&opts.out).map_err(Failure::Io)?;
    let put = |rel: &str, bytes: &[u8]| -> anyhow::Result<()> {
        if !opts.offline {
            return staging.put(rel, bytes);
        }
        write::offline::file(rel, bytes).map_or(Ok(()), |(r, b)| staging.put(&r, &b))
    };
    // On any early return (or a panic) dropping `staging` removes the staging folder.
    let mut c = compile(opts, Mode::Build(&put))?;
    let t = Instant::now();
    // The pages and the search index went into the staging folder as they were made; any file
    // still in memory, then the theme's static files and the assets, are written from all threads.
    let copies: Vec<(String, render::theme::ThemeFile)> = c
        .output
        .copies_to_write()
        .map(|(rel, f)| (rel.clone(), f.clone()))
        .collect();
    let files = std::mem::take(&mut c.output.files);
    files
        .par_iter()
        .try_for_each(|(rel, bytes)| put(rel, bytes))
        .map_err(Failure::Io)?;
    copies
        .par_iter()
        .try_for_each(|(rel, f)| put(rel, &f.read()?))
        .map_err(Failure::Io)?;
    c.stages.push(("write", t.elapsed().as_millis()));
    if !opts.offline && offers_zip(&c) {
        let t = Instant::now();
        publish_zip(&staging, &c, &files).map_err(Failure::Io)?;
        c.stages.push(("zip", t.elapsed().as_millis()));
    }
    staging.swap().map_err(Failure::Io)?;
    Ok(c)
}

/// Whether a page links to the offline copy's zip (`{{ offline_download() }}`): a zip nobody is
/// offered is not made (it costs about as much as the rest of the build).
fn offers_zip(c: &Compiled) -> bool {
    c.output.links.values().any(|l| links_to_zip(l))
}

fn links_to_zip(page: &render::links::PageLinks) -> bool {
    page.links
        .iter()
        .any(|k| k.target.as_deref() == Some(crate::offline::ZIP_PATH))
}

/// Makes the offline copy's zip from the staged site (each file as the copy has it, compressed
/// on all threads) and puts its size into the pages that link to it.
fn publish_zip(
    staging: &write::Staging,
    c: &Compiled,
    files: &std::collections::BTreeMap<String, crate::render::Bytes>,
) -> anyhow::Result<()> {
    use crate::offline;
    let staged: Vec<&String> = c
        .output
        .streamed
        .iter()
        .chain(c.output.copies.keys())
        .filter(|r| r.as_str() != offline::ZIP_PATH && !files.contains_key(*r))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let piece = |rel: &str, bytes: &[u8]| -> anyhow::Result<Option<write::bundle::Piece>> {
        write::offline::file(rel, bytes)
            .map(|(r, b)| write::bundle::piece(&r, &b))
            .transpose()
    };
    let mut pieces: Vec<write::bundle::Piece> = staged
        .par_iter()
        .map(|rel| piece(rel, &staging.read_bytes(rel)?))
        .chain(files.par_iter().map(|(rel, bytes)| piece(rel, bytes)))
        .filter_map(Result::transpose)
        .collect::<anyhow::Result<_>>()?;
    pieces.shrink_to_fit();
    let folder = offline::folder_name(&c.site.config.title);
    let size = staging.write_with(offline::ZIP_PATH, |f| {
        let w = write::bundle::assemble(pieces, &folder, std::io::BufWriter::new(f))?;
        w.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    })?;
    let size = offline::human_size(size);
    for (page, l) in &c.output.links {
        if links_to_zip(l) {
            let html = String::from_utf8_lossy(&staging.read_bytes(page)?).into_owned();
            if html.contains(offline::SIZE) {
                staging.put(page, html.replace(offline::SIZE, &size).as_bytes())?;
            }
        }
    }
    Ok(())
}

/// `load 12，model 30，…` — milliseconds per stage, as `--timings` prints them.
pub fn stage_list(stages: &[(&str, u128)]) -> String {
    let parts: Vec<String> = stages.iter().map(|(n, t)| format!("{n} {t}")).collect();
    parts.join("，")
}
