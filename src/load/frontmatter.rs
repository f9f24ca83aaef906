//! Splitting a Markdown file into its TOML front matter (between `+++` lines) and body, and reading
//! the front matter's known keys.

use jiff::civil::Date;

use super::toml_reader::{Reader, Sp};
use crate::diag::{Diagnostic, SourceFile};

pub const KEYS: &[&str] = &[
    "title",
    "weight",
    "date",
    "description",
    "draft",
    "template",
];

#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: String,
    pub weight: i64,
    pub(crate) date: Option<Date>,
    pub(crate) description: String,
    pub(crate) draft: bool,
    pub(crate) template: Option<Sp<String>>,
}

/// Byte ranges of the front matter TOML and of the body, or an error if there is no front matter.
pub fn split(text: &str) -> Option<(std::ops::Range<usize>, usize)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "+++" {
        return None;
    }
    let fm_start = first_end + 1;
    let mut pos = fm_start;
    while pos <= text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if text[pos..end].trim_end() == "+++" {
            let body = (end + 1).min(text.len());
            return Some((fm_start..pos, body));
        }
        if end >= text.len() {
            break;
        }
        pos = end + 1;
    }
    None
}

/// Parses the front matter of `src`; returns it and the byte offset where the body starts.
pub fn parse(src: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<(FrontMatter, usize)> {
    let Some((fm, body)) = split(&src.text) else {
        diags.push(
            Diagnostic::error_at(
                src,
                0..0,
                "缺少 front matter：文件应以 +++ 开头，以 +++ 结束",
            )
            .with_hint("例如：\n+++\ntitle = \"标题\"\n+++"),
        );
        return None;
    };
    let mut r = Reader::new(src, fm.start);
    let doc = r.parse(&src.text[fm.clone()]);
    let out = doc.map(|doc| {
        let t = r.root(&doc);
        r.check_keys(&t, KEYS, "front matter ");
        FrontMatter {
            title: match r.str(&t, "title", "front matter ") {
                Some(s) if s.v.trim().is_empty() => {
                    r.error(s.span, "标题 title 不能为空");
                    String::new()
                }
                Some(s) => s.v,
                None => String::new(),
            },
            weight: r.opt_int(&t, "weight").map_or(0, |w| w.v),
            date: r.opt_date(&t, "date").map(|d| d.v),
            description: r
                .opt_str(&t, "description")
                .map(|s| s.v)
                .unwrap_or_default(),
            draft: r.opt_bool(&t, "draft").is_some_and(|b| b.v),
            template: r.opt_str(&t, "template"),
        }
    });
    let ok = !r.diags.iter().any(|d| d.is_error());
    diags.append(&mut r.diags);
    match out {
        Some(f) if ok => Some((f, body)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(t: &str) -> SourceFile {
        SourceFile {
            rel: "content/a.md".into(),
            text: t.into(),
        }
    }

    #[test]
    fn splits() {
        let t = "+++\ntitle = \"a\"\n+++\nbody";
        let (fm, body) = split(t).unwrap();
        assert_eq!(&t[fm], "title = \"a\"\n");
        assert_eq!(&t[body..], "body");
        assert!(split("no front matter").is_none());
        assert!(split("+++\ntitle = 1\n").is_none());
    }

    #[test]
    fn unknown_key_suggests() {
        let s = src("+++\ntitle = \"a\"\nwieght = 3\n+++\n");
        let mut d = Vec::new();
        assert!(parse(&s, &mut d).is_none());
        assert_eq!((d[0].line, d[0].column), (3, 1));
        assert!(d[0].message.contains("weight"), "{}", d[0].message);
    }

    #[test]
    fn missing_title() {
        let s = src("+++\nweight = 3\n+++\n");
        let mut d = Vec::new();
        assert!(parse(&s, &mut d).is_none());
        assert!(d[0].message.contains("title"));
    }
}
