//! Markdown to HTML for content pages: stable heading ids (Chinese kept, duplicates numbered), a table
//! of contents, internal links (`@/path.md#anchor` and relative `.md`) resolved to relative URLs and
//! checked, and data shortcodes expanded. Raw HTML is allowed: content authors are trusted.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::diag::{Diagnostic, SourceFile, suggest};
use crate::url::encode_path;

#[derive(Debug, Clone, Serialize, Hash)]
pub struct Heading {
    pub(crate) level: u8,
    pub id: String,
    pub(crate) title: String,
}

/// What links may point at: content path → (URL key, heading ids).
pub type LinkTargets = BTreeMap<String, (String, BTreeSet<String>)>;

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading's id: text lower-cased (ASCII), spaces to `-`, punctuation dropped, CJK kept.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !out.ends_with('-')
            && !out.is_empty()
        {
            out.push(if c == '_' { '_' } else { '-' });
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

fn level_num(l: HeadingLevel) -> u8 {
    l as u8
}

/// First pass: the headings of a body, with unique ids. Explicit `{#id}`s are reserved first, so an
/// automatic id never takes one that a link may point at.
pub fn headings(body: &str) -> Vec<Heading> {
    let mut raw: Vec<(u8, Option<String>, String)> = Vec::new();
    let mut current: Option<(u8, Option<String>, String)> = None;
    for ev in Parser::new_ext(body, options()) {
        match ev {
            Event::Start(Tag::Heading { level, id, .. }) => {
                current = Some((level_num(level), id.map(|s| s.to_string()), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => raw.extend(current.take()),
            _ => {}
        }
    }
    let mut used: BTreeSet<String> = raw.iter().filter_map(|(_, id, _)| id.clone()).collect();
    raw.into_iter()
        .map(|(level, explicit, title)| {
            let id = explicit.unwrap_or_else(|| {
                let base = slugify(&title);
                let mut id = base.clone();
                let mut n = 1;
                while used.contains(&id) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                used.insert(id.clone());
                id
            });
            Heading {
                level,
                id,
                title: title.trim().to_string(),
            }
        })
        .collect()
}

/// Expands a shortcode by name and arguments to HTML, or says what is wrong.
pub type Shortcode<'a> = dyn Fn(&str, &BTreeMap<String, String>) -> Result<String, String> + 'a;

/// Everything the second pass needs to know about the page being rendered.
pub struct RenderCtx<'a> {
    pub src: &'a SourceFile,
    pub body_start: usize,
    /// Content path of this page, for relative links.
    pub path: &'a str,
    /// Prefix from this page to the site root, e.g. `../../`.
    pub root: &'a str,
    pub headings: &'a [Heading],
    pub targets: &'a LinkTargets,
    pub shortcode: &'a Shortcode<'a>,
    /// For the one-page print version: content paths rendered on this same page, each with the
    /// prefix of its anchors; links to them become in-page anchors and heading ids get the prefix.
    pub in_page: Option<&'a BTreeMap<String, String>>,
    pub id_prefix: &'a str,
}

/// Second pass: HTML with ids, resolved links and shortcodes; link problems go to `diags`.
pub fn render(body: &str, ctx: &RenderCtx, diags: &mut Vec<Diagnostic>) -> String {
    let mut events: Vec<Event> = Vec::new();
    let mut heading_no = 0;
    let mut para: Option<Vec<(Event, Range<usize>)>> = None;
    for (ev, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let ev = match ev {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let id = ctx
                    .headings
                    .get(heading_no)
                    .map(|h| format!("{}{}", ctx.id_prefix, h.id))
                    .unwrap_or_default();
                heading_no += 1;
                Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(id)),
                    classes,
                    attrs,
                })
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = resolve_link(&dest_url, &range, body, ctx, diags)
                    .map_or(dest_url, CowStr::from);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = if let Some(p) = dest_url.strip_prefix("@/") {
                    CowStr::from(format!("{}{}", ctx.root, encode_path(p)))
                } else {
                    dest_url
                };
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                })
            }
            // A bare checkbox has no accessible name; say what it is.
            Event::TaskListMarker(done) => Event::Html(CowStr::from(if done {
                "<input type=\"checkbox\" disabled checked aria-label=\"已完成\"> "
            } else {
                "<input type=\"checkbox\" disabled aria-label=\"待检查\"> "
            })),
            other => other,
        };
        // A wide table scrolls inside its own box on a phone instead of squeezing its columns.
        let table_end = matches!(ev, Event::End(TagEnd::Table));
        if matches!(ev, Event::Start(Tag::Table(_))) && para.is_none() {
            events.push(Event::Html(CowStr::from(
                "<div class=\"table-scroll\" tabindex=\"0\">",
            )));
        }
        // Buffer paragraphs so that a paragraph holding only `{{ name(args) }}` becomes the shortcode's HTML.
        match (&ev, para.as_mut()) {
            (Event::Start(Tag::Paragraph), None) => para = Some(vec![(ev, range)]),
            (Event::End(TagEnd::Paragraph), Some(buf)) => {
                buf.push((ev, range));
                let buf = para.take().unwrap_or_default();
                flush_paragraph(buf, body, ctx, diags, &mut events);
            }
            (_, Some(buf)) => buf.push((ev, range)),
            (_, None) => events.push(ev),
        }
        if table_end && para.is_none() {
            events.push(Event::Html(CowStr::from("</div>")));
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    let events = inline_shortcodes(events, body, ctx, diags);
    pulldown_cmark::html::push_html(
        &mut html,
        super::nowrap::keep_tokens_whole(events).into_iter(),
    );
    html
}

fn flush_paragraph<'e>(
    buf: Vec<(Event<'e>, Range<usize>)>,
    body: &str,
    ctx: &RenderCtx,
    diags: &mut Vec<Diagnostic>,
    out: &mut Vec<Event<'e>>,
) {
    let inner = &buf[1..buf.len().saturating_sub(1)];
    let only_text = !inner.is_empty() && inner.iter().all(|(e, _)| matches!(e, Event::Text(_)));
    if only_text {
        let start = inner[0].1.start;
        let end = inner[inner.len() - 1].1.end;
        let raw = body[start..end].trim();
        if let Some((name, args)) = parse_shortcode(raw) {
            let span = ctx.body_start + start..ctx.body_start + end;
            match (ctx.shortcode)(&name, &args) {
                Ok(html) => out.push(Event::Html(CowStr::from(html))),
                Err(msg) => diags.push(Diagnostic::error_at(ctx.src, span, msg)),
            }
            return;
        }
    }
    out.extend(buf.into_iter().map(|(e, _)| e));
}

/// Shortcodes that stand inside a sentence; the others make blocks of their own.
const INLINE_SHORTCODES: &[&str] = &["stat"];

/// Expands shortcodes written inside a sentence or a list item (`已达标 {{ stat(name="done") }} 家`).
/// Adjacent text is merged first: the parser splits text at characters such as `_` that could
/// start emphasis. An error points at the shortcode's text in the source.
fn inline_shortcodes<'e>(
    events: Vec<Event<'e>>,
    body: &str,
    ctx: &RenderCtx,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Event<'e>> {
    let mut merged: Vec<Event<'e>> = Vec::with_capacity(events.len());
    for e in events {
        match (e, merged.last_mut()) {
            (Event::Text(t), Some(Event::Text(prev))) => {
                *prev = CowStr::from(format!("{prev}{t}"));
            }
            (e, _) => merged.push(e),
        }
    }
    let mut out = Vec::with_capacity(merged.len());
    for e in merged {
        let Event::Text(text) = &e else {
            out.push(e);
            continue;
        };
        if !text.contains("{{") {
            out.push(e);
            continue;
        }
        let mut rest: &str = text;
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open..].find("}}").map(|c| open + c + 2) else {
                break;
            };
            let raw = &rest[open..close];
            let parsed =
                parse_shortcode(raw).filter(|(name, _)| INLINE_SHORTCODES.contains(&name.as_str()));
            let Some((name, args)) = parsed else {
                out.push(Event::Text(CowStr::from(rest[..close].to_string())));
                rest = &rest[close..];
                continue;
            };
            if open > 0 {
                out.push(Event::Text(CowStr::from(rest[..open].to_string())));
            }
            match (ctx.shortcode)(&name, &args) {
                Ok(html) => out.push(Event::InlineHtml(CowStr::from(html))),
                Err(msg) => {
                    let at = body.find(raw).unwrap_or(0);
                    let span = ctx.body_start + at..ctx.body_start + at + raw.len();
                    diags.push(Diagnostic::error_at(ctx.src, span, msg));
                }
            }
            rest = &rest[close..];
        }
        if !rest.is_empty() {
            out.push(Event::Text(CowStr::from(rest.to_string())));
        }
    }
    out
}

/// `{{ name(key="value", other="x") }}` → name and arguments.
pub(crate) fn parse_shortcode(s: &str) -> Option<(String, BTreeMap<String, String>)> {
    let inner = s.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let (name, rest) = inner.split_once('(')?;
    let args_src = rest.strip_suffix(')')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let mut args = BTreeMap::new();
    let mut rest = args_src.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let after = after.trim_start().strip_prefix('"')?;
        let (value, after) = after.split_once('"')?;
        args.insert(key.trim().to_string(), value.to_string());
        rest = after.trim_start().trim_start_matches(',').trim_start();
    }
    Some((name.to_string(), args))
}

fn is_external(dest: &str) -> bool {
    dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("tel:")
        || dest.starts_with("//")
        || dest.starts_with("data:")
}

/// Normalises `a/b/../c.md` and a link relative to the page's folder.
fn join_relative(page_path: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = page_path.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn resolve_link(
    dest: &str,
    range: &Range<usize>,
    body: &str,
    ctx: &RenderCtx,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    if is_external(dest) || dest.starts_with('/') {
        return None;
    }
    let (path_part, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (dest, None),
    };
    // Point the diagnostic at the destination text inside `[..](..)`.
    let local = body[range.clone()]
        .find(dest)
        .map_or(range.start, |i| range.start + i);
    let span = ctx.body_start + local..ctx.body_start + local + dest.len();
    let target_path = if let Some(p) = path_part.strip_prefix("@/") {
        p.to_string()
    } else if path_part.ends_with(".md") {
        let decoded = percent_encoding::percent_decode_str(path_part).decode_utf8_lossy();
        match join_relative(ctx.path, &decoded) {
            Some(p) => p,
            None => {
                diags.push(
                    Diagnostic::error_at(
                        ctx.src,
                        span,
                        format!("链接“{dest}”指向 content/ 目录之外"),
                    )
                    .with_hint("站内链接写成 @/目录/文件.md"),
                );
                return None;
            }
        }
    } else if path_part.is_empty() {
        // Same-page anchor.
        if let Some(a) = anchor
            && !ctx.headings.iter().any(|h| h.id == a)
        {
            let ids: Vec<&str> = ctx.headings.iter().map(|h| h.id.as_str()).collect();
            push_missing_anchor(diags, ctx.src, span, a, "本页", &ids);
        }
        // On a print version the page's heading ids carry the chapter's prefix.
        return anchor
            .filter(|_| !ctx.id_prefix.is_empty())
            .map(|a| format!("#{}{}", ctx.id_prefix, encode_path(a)));
    } else {
        return None;
    };
    let Some((key, ids)) = ctx.targets.get(&target_path) else {
        let known = ctx
            .targets
            .keys()
            .map(|s| s.as_str())
            .filter(|s| *s != ctx.path);
        let mut d = Diagnostic::error_at(
            ctx.src,
            span,
            format!("链接指向的页面不存在：{target_path}"),
        );
        if let Some(s) = suggest(&target_path, known) {
            d = d.with_hint(format!("是否应为 @/{s}？"));
        }
        diags.push(d);
        return None;
    };
    if let Some(a) = anchor
        && !ids.contains(a)
    {
        let list: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
        push_missing_anchor(diags, ctx.src, span, a, &target_path, &list);
        return None;
    }
    if let Some(prefix) = ctx.in_page.and_then(|m| m.get(&target_path)) {
        return Some(match anchor {
            Some(a) => format!("#{prefix}{}", encode_path(a)),
            None => format!("#{}", prefix.trim_end_matches('-')),
        });
    }
    let mut url = format!("{}{}", ctx.root, encode_path(key));
    if let Some(a) = anchor {
        url.push('#');
        url.push_str(&encode_path(a));
    }
    Some(url)
}

fn push_missing_anchor(
    diags: &mut Vec<Diagnostic>,
    src: &SourceFile,
    span: Range<usize>,
    anchor: &str,
    page: &str,
    ids: &[&str],
) {
    let mut d = Diagnostic::error_at(
        src,
        span,
        format!("链接的锚点“#{anchor}”在 {page} 中不存在"),
    );
    if let Some(s) = suggest(anchor, ids.iter().copied()) {
        d = d.with_hint(format!("是否应为 #{s}？"));
    } else if !ids.is_empty() {
        let shown: Vec<&str> = ids.iter().take(12).copied().collect();
        d = d.with_hint(format!("该页的标题锚点有：{}", shown.join("、")));
    }
    diags.push(d);
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_ids_and_formulas_are_kept_whole() {
        let t =
            "算例：D = 3 × 6 × 40 = 720，隐患 H2024-003 于 2024-09-12 验收；3×6×7=126。共 12 人";
        let got: Vec<&str> = crate::model::nowrap::token_spans(t)
            .iter()
            .map(|&(a, b)| &t[a..b])
            .collect();
        assert_eq!(
            got,
            [
                "D = 3 × 6 × 40 = 720",
                "H2024-003",
                "2024-09-12",
                "3×6×7=126"
            ]
        );
    }

    use super::*;

    #[test]
    fn slugs_keep_chinese() {
        assert_eq!(slugify("LEC 法：取值表"), "lec-法取值表");
        assert_eq!(slugify("（一）组织机构"), "一组织机构");
        assert_eq!(slugify("!!!"), "section");
    }

    #[test]
    fn a_plain_space_between_words_is_a_break_not_part_of_a_token() {
        // Only `×` and `=` carry a run across a space: "GB 15577-2018" keeps just the number whole.
        let t = "见 GB 15577-2018 和 A1 B2 组";
        let got: Vec<&str> = crate::model::nowrap::token_spans(t)
            .iter()
            .map(|&(a, b)| &t[a..b])
            .collect();
        assert_eq!(got, ["15577-2018"]);
    }

    #[test]
    fn headings_keep_their_level() {
        let levels: Vec<u8> = headings("# 一\n\n### 三\n\n## 二\n")
            .iter()
            .map(|h| h.level)
            .collect();
        assert_eq!(levels, [1, 3, 2]);
    }

    #[test]
    fn duplicate_headings_are_numbered() {
        let h = headings("# 概述\n\n## 概述\n\n## 概述\n\n## 自定 {#custom}\n");
        let ids: Vec<&str> = h.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["概述", "概述-1", "概述-2", "custom"]);
    }

    #[test]
    fn shortcode_syntax() {
        let (n, a) = parse_shortcode("{{ enterprises(keywords=\"粉尘,抛光\") }}").unwrap();
        assert_eq!(n, "enterprises");
        assert_eq!(a["keywords"], "粉尘,抛光");
        assert_eq!(parse_shortcode("{{ lec_bands() }}").unwrap().0, "lec_bands");
        assert!(parse_shortcode("{{ not a shortcode }}").is_none());
    }

    #[test]
    fn relative_join() {
        assert_eq!(
            join_relative("handbook/a/b.md", "../c.md").unwrap(),
            "handbook/c.md"
        );
        assert!(join_relative("a.md", "../../x.md").is_none());
    }
}
