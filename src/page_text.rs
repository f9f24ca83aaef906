//! Plain text out of a rendered page, taken by render while the HTML is at hand and read by the
//! search index: only what lies between the `search:start` and `search:end` markers of the
//! template, scripts, styles, SVG and in-page navigation (tables of contents) skipped, character
//! references decoded, block boundaries turned into line breaks, and the start of every heading
//! with an id remembered.

/// A page's indexable text with the character offsets where its anchored headings begin.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PageText {
    pub(crate) title: String,
    pub(crate) text: String,
    /// (anchor id, char offset in `text`, heading text)
    pub(crate) sections: Vec<(String, usize, String)>,
}

const BLOCK: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "table",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "caption",
    "figcaption",
    "nav",
    "aside",
    "hr",
];

/// The title (without the site name after ` · `) and the indexable text of a rendered page.
pub fn extract(html: &str) -> PageText {
    let title = between(html, "<title>", "</title>")
        .map(decode)
        .unwrap_or_default();
    let title = title.split(" · ").next().unwrap_or("").trim().to_string();
    let body = match (
        html.find("<!--search:start-->"),
        html.find("<!--search:end-->"),
    ) {
        (Some(a), Some(b)) if b > a => &html[a..b],
        _ => "",
    };
    let mut w = Walk {
        out: PageText {
            title,
            ..Default::default()
        },
        chars: 0,
        skip_until: None,
        skip_depth: 0,
        heading: None,
    };
    let mut i = 0;
    let bytes = body.as_bytes();
    while i < body.len() {
        // A comment ends at `-->` only: a `>` inside it is text of the comment, not its end.
        if body[i..].starts_with("<!--") {
            i = body[i + 4..]
                .find("-->")
                .map_or(body.len(), |e| i + 4 + e + 3);
            continue;
        }
        if bytes[i] == b'<' {
            let (end, tag_end) = match body[i..].find('>') {
                Some(e) => (i + e + 1, i + e),
                None => (body.len(), body.len()),
            };
            take_tag(&mut w, &body[i + 1..tag_end.max(i + 1)]);
            i = end;
            continue;
        }
        let next = body[i..].find('<').map_or(body.len(), |e| i + e);
        if w.skip_until.is_none() {
            take_text(&mut w, &body[i..next]);
        }
        i = next;
    }
    w.out.text = w.out.text.trim_end().to_string();
    w.out
}

/// The walk over a page's marked part: what it has taken so far, and what it is inside of.
struct Walk {
    out: PageText,
    /// Characters of `out.text`.
    chars: usize,
    /// The element being skipped, and how deep inside it the walk is (it may nest).
    skip_until: Option<&'static str>,
    skip_depth: usize,
    /// The anchored heading being read: its id, where it starts, its text so far.
    heading: Option<(String, usize, String)>,
}

/// A tag (its text between `<` and `>`): it moves in or out of a skipped element, breaks a
/// block, or starts or ends an anchored heading.
fn take_tag(w: &mut Walk, tag: &str) {
    let closing = tag.starts_with('/');
    let bare = tag.trim_start_matches('/');
    let len = bare
        .bytes()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(bare.len());
    let name = crate::text::ascii_lower(&bare[..len]);
    let name = name.as_ref();
    if let Some(stop) = w.skip_until {
        // The same element nested inside the skipped one must close before it does.
        if name == stop && !tag.ends_with('/') {
            if closing {
                w.skip_depth -= 1;
            } else {
                w.skip_depth += 1;
            }
            if w.skip_depth == 0 {
                w.skip_until = None;
            }
        }
        return;
    }
    if !closing && let Some(stop) = skipped(name, tag) {
        w.skip_depth = 1;
        w.skip_until = Some(stop);
        return;
    }
    if BLOCK.contains(&name) && !w.out.text.ends_with('\n') && !w.out.text.is_empty() {
        w.out.text.push('\n');
        w.chars += 1;
    }
    let is_heading =
        name.len() == 2 && name.starts_with('h') && name.as_bytes()[1].is_ascii_digit();
    if is_heading && !closing {
        if let Some(id) = attr(tag, "id") {
            w.heading = Some((decode(id), w.chars, String::new()));
        }
    } else if is_heading
        && closing
        && let Some((id, at, text)) = w.heading.take()
    {
        w.out.sections.push((id, at, text.trim().to_string()));
    }
}

/// The element an opening tag starts whose content is not page text, if it is one: scripts,
/// styles, pictures, templates, and navigation inside the page (its table of contents, links to
/// other ledgers), which repeats headings and titles found elsewhere; left in, it would open
/// every snippet.
fn skipped(name: &str, tag: &str) -> Option<&'static str> {
    // Attributes are looked for only on the element kinds a class can exclude.
    let class_has =
        |want: &str| attr(tag, "class").is_some_and(|c| c.split_whitespace().any(|w| w == want));
    match name {
        "script" => Some("script"),
        "style" => Some("style"),
        "svg" => Some("svg"),
        "template" => Some("template"),
        "nav" => Some("nav"),
        "details" if attr(tag, "class").is_some_and(|c| c.contains("toc")) => Some("details"),
        // A trend figure's caption and table of monthly numbers are chart data, not text to
        // find: indexed, every enterprise page would outrank the handbook for 销号.
        "figure" if class_has("trend") => Some("figure"),
        // What differs between a build and the preview (the offline copy's download link and
        // size) is left out, so both index the same text.
        "p" if class_has("noindex") => Some("p"),
        "div" if class_has("noindex") => Some("div"),
        _ => None,
    }
}

/// Text between tags, decoded and with its whitespace folded, added to the page (and to the
/// heading being read).
fn take_text(w: &mut Walk, raw: &str) {
    let t = html_escape::decode_html_entities(raw);
    let start = w.out.text.len();
    let after_space = w.out.text.is_empty() || w.out.text.ends_with([' ', '\n']);
    w.chars += collapse_into(&t, after_space, &mut w.out.text);
    if let Some((_, _, h)) = w.heading.as_mut() {
        h.push_str(&w.out.text[start..]);
    }
}

/// Appends `s` to `out` with runs of whitespace folded to one space, and returns how many
/// characters it added; `after_space` says whether `out` already ends in a separator, so the
/// words on both sides of inline markup stay apart exactly once.
fn collapse_into(s: &str, after_space: bool, out: &mut String) -> usize {
    let mut added = 0;
    let mut space = after_space;
    let mut pending = false;
    // Runs of non-space characters are copied as slices, not a character at a time.
    let mut run: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if let Some(r) = run.take() {
                out.push_str(&s[r..i]);
            }
            pending = !space;
        } else {
            if run.is_none() {
                if pending {
                    out.push(' ');
                    added += 1;
                }
                run = Some(i);
            }
            pending = false;
            space = false;
            added += 1;
        }
    }
    if let Some(r) = run {
        out.push_str(&s[r..]);
    }
    if pending {
        out.push(' ');
        added += 1;
    }
    added
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> Option<&'a str> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(&s[i..j])
}

/// The value of the first ` name="…"` in a tag's text.
fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let b = tag.as_bytes();
    let mut from = 0;
    while let Some(k) = tag[from..].find(name) {
        let at = from + k;
        let after = &tag[at + name.len()..];
        if at > 0 && b[at - 1] == b' ' && after.starts_with("=\"") {
            let v = &after[2..];
            return v.find('"').map(|j| &v[..j]);
        }
        // `name` is ASCII, so one byte on is still a character boundary.
        from = at + 1;
    }
    None
}

/// Decodes character references as a browser does, every HTML5 named reference included.
pub fn decode(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_before_chinese_text_without_panicking() {
        assert_eq!(
            decode("防火&防爆，压力&gt;0.8MPa时"),
            "防火&防爆，压力>0.8MPa时"
        );
        assert_eq!(decode("安全&amp;健康是一回事"), "安全&健康是一回事");
    }

    #[test]
    fn comments_and_named_references_read_as_a_browser_reads_them() {
        let t = extract(
            "<!--search:start--><!-- 压力 > 0.1MPa 时另写 --><p>动火&hellip;作业&mdash;监护&#x8981;</p><!--search:end-->",
        );
        assert_eq!(t.text, "动火…作业—监护要");
    }

    #[test]
    fn nested_skipped_elements_end_at_their_own_close() {
        let t = extract(
            "<!--search:start--><nav>甲<nav>乙</nav>丙</nav><p>丁</p><script>if (a<b) x('</p>')</script>戊<!--search:end-->",
        );
        assert_eq!(t.text, "丁\n戊");
    }

    #[test]
    fn noindex_paragraphs_are_left_out() {
        let t = extract(
            "<!--search:start--><div class=\"offline-download\"><p class=\"noindex\"><a href=\"z.zip\">下载离线版</a></p><p>解压后双击</p></div><!--search:end-->",
        );
        assert_eq!(t.text, "解压后双击");
    }

    #[test]
    fn trend_figures_are_chart_data_not_text() {
        let t = extract(
            "<!--search:start--><p>隐患台账</p><figure class=\"trend\"><svg><title>未销号</title></svg><figcaption>未销号隐患</figcaption><details><table><tr><td>3</td></tr></table></details></figure><figure class=\"photo\">照片</figure><!--search:end-->",
        );
        assert_eq!(t.text, "隐患台账\n照片");
    }

    #[test]
    fn words_around_inline_markup_stay_apart() {
        let t = extract(
            "<!--search:start--><p>除尘器 <strong>dust</strong> collector 和<em>火花</em>探测</p><!--search:end-->",
        );
        assert_eq!(t.text, "除尘器 dust collector 和火花探测");
    }

    #[test]
    fn attributes_are_found_after_chinese_values_and_look_alike_names() {
        // `id` inside `data-id` and `idx` is not the id; Chinese before it moves no offset.
        let html = "<!--search:start--><H2 title=\"标题 idx\" data-id=\"no\" id=\"真的\">\
                    标 题</H2><P class=\"说明 noindex\">不收</P><p>正文</p><!--search:end-->";
        let t = extract(html);
        assert_eq!(t.sections.len(), 1, "{:?}", t.sections);
        let (id, at, h) = &t.sections[0];
        assert_eq!((id.as_str(), *at, h.as_str()), ("真的", 0, "标 题"));
        assert_eq!(t.text, "标 题\n正文");
    }

    #[test]
    fn extracts_marked_text_and_sections() {
        let html = "<title>有限空间 · 站</title><nav>菜单</nav><!--search:start--><h1>标题</h1>\
                    <details class=\"toc\" open><summary>本页目录</summary><a href=\"#lec\">LEC 法</a></details>\
                    <nav class=\"ent-toc\">目录导航</nav><p>第一段&lt;b&gt;</p>\
                    <h2 id=\"lec\">LEC 法</h2><p>内容<svg><text>图</text></svg>结束</p><script>x()</script><!--search:end-->";
        let t = extract(html);
        assert_eq!(t.title, "有限空间");
        assert!(!t.text.contains("菜单"));
        assert!(
            !t.text.contains("本页目录") && !t.text.contains("目录导航"),
            "tables of contents are not page text: {:?}",
            t.text
        );
        assert_eq!(t.text.matches("LEC 法").count(), 1);
        assert!(t.text.contains("第一段<b>"));
        assert!(!t.text.contains("图"));
        assert!(!t.text.contains("x()"));
        assert_eq!(t.sections.len(), 1);
        let (id, at, h) = &t.sections[0];
        assert_eq!((id.as_str(), h.as_str()), ("lec", "LEC 法"));
        assert!(
            t.text
                .chars()
                .skip(*at)
                .collect::<String>()
                .starts_with("LEC 法")
        );
    }
}
