//! Plain text out of a rendered page, taken by render while the HTML is at hand and read by the
//! search index: only what lies between the `search:start` and `search:end` markers of the
//! template, scripts, styles, SVG and in-page navigation (tables of contents) skipped, character
//! references decoded, block boundaries turned into line breaks, and the start of every heading
//! with an id remembered.

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// A page's indexable text with the character offsets where its anchored headings begin.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PageText {
    pub title: String,
    pub text: String,
    /// (anchor id, char offset in `text`, heading text)
    pub sections: Vec<(String, usize, String)>,
}

const BLOCK: &[&[u8]] = &[
    b"p",
    b"div",
    b"li",
    b"ul",
    b"ol",
    b"table",
    b"tr",
    b"td",
    b"th",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"br",
    b"section",
    b"article",
    b"header",
    b"footer",
    b"blockquote",
    b"pre",
    b"dt",
    b"dd",
    b"caption",
    b"figcaption",
    b"nav",
    b"aside",
    b"hr",
];

pub fn extract(html: &str) -> PageText {
    let title = between(html, "<title>", "</title>")
        .map(decode)
        .unwrap_or_default();
    let title = title.split(" · ").next().unwrap_or("").trim().to_string();
    // The markers are written by the templates, so a plain search finds them; everything between
    // them goes through a real tokenizer (comments, character references, raw text elements).
    let body = match (
        html.find("<!--search:start-->"),
        html.find("<!--search:end-->"),
    ) {
        (Some(a), Some(b)) if b > a => &html[a..b],
        _ => "",
    };
    let mut out = PageText {
        title,
        ..Default::default()
    };
    let mut chars = 0usize;
    // Depth inside a skipped element: everything below it, nested tags included, is left out.
    let mut skipped: Option<(Vec<u8>, usize)> = None;
    let mut heading: Option<(String, usize, String)> = None;
    for token in tokens(body) {
        let (name, closing, id, class) = match &token {
            Token::StartTag(t) => (
                &t.name.0,
                false,
                t.attributes.get(b"id".as_slice()),
                t.attributes.get(b"class".as_slice()),
            ),
            Token::EndTag(t) => (&t.name.0, true, None, None),
            Token::String(text) => {
                if skipped.is_none() {
                    let t = String::from_utf8_lossy(&text.value);
                    let t = collapse(&t, out.text.is_empty() || out.text.ends_with([' ', '\n']));
                    if let Some((_, _, h)) = heading.as_mut() {
                        h.push_str(&t);
                    }
                    chars += t.chars().count();
                    out.text.push_str(&t);
                }
                continue;
            }
            _ => continue,
        };
        if let Some((skip, depth)) = skipped.as_mut() {
            if skip == name {
                if closing {
                    *depth -= 1;
                } else {
                    *depth += 1;
                }
                if *depth == 0 {
                    skipped = None;
                }
            }
            continue;
        }
        // Navigation inside the page (its table of contents, links to other ledgers) repeats
        // headings and titles found elsewhere; left in, it would open every snippet.
        let toc = name == b"details"
            && class.is_some_and(|c| c.value.split(|b| *b == b' ').any(|w| w == b"toc"));
        if !closing
            && (toc
                || matches!(
                    name.as_slice(),
                    b"script" | b"style" | b"svg" | b"template" | b"nav"
                ))
        {
            skipped = Some((name.clone(), 1));
            continue;
        }
        if BLOCK.contains(&name.as_slice()) && !out.text.ends_with('\n') && !out.text.is_empty() {
            out.text.push('\n');
            chars += 1;
        }
        let is_heading = name.len() == 2 && name[0] == b'h' && name[1].is_ascii_digit();
        if is_heading && !closing {
            if let Some(id) = id {
                heading = Some((
                    String::from_utf8_lossy(&id.value).into_owned(),
                    chars,
                    String::new(),
                ));
            }
        } else if is_heading
            && closing
            && let Some((id, at, text)) = heading.take()
        {
            out.sections.push((id, at, text.trim().to_string()));
        }
    }
    out.text = out.text.trim_end().to_string();
    out
}

/// The tokens of an HTML fragment; `script`, `style` and the like switch the tokenizer to raw
/// text as a browser would, so a `<` inside a script is not taken for a tag.
fn tokens(html: &str) -> impl Iterator<Item = Token> + '_ {
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    Tokenizer::new_with_emitter(html, emitter).flatten()
}

/// Folds runs of whitespace to one space; `after_space` says whether the text so far already
/// ends in a separator, so the words on both sides of inline markup stay apart exactly once.
fn collapse(s: &str, after_space: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = after_space;
    let mut pending = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending = !space;
        } else {
            if pending {
                out.push(' ');
            }
            pending = false;
            space = false;
            out.push(c);
        }
    }
    if pending {
        out.push(' ');
    }
    out
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> Option<&'a str> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(&s[i..j])
}

/// Decodes the character references of a piece of text (the page title) as a browser would.
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for token in tokens(s) {
        if let Token::String(t) = token {
            out.push_str(&String::from_utf8_lossy(&t.value));
        }
    }
    out
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
    fn words_around_inline_markup_stay_apart() {
        let t = extract(
            "<!--search:start--><p>除尘器 <strong>dust</strong> collector 和<em>火花</em>探测</p><!--search:end-->",
        );
        assert_eq!(t.text, "除尘器 dust collector 和火花探测");
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
