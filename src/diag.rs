//! Diagnostics: one type for every problem the build finds, located by file, line and column,
//! and rendered like rustc with the source line and a caret under the span (in Chinese, for editors).

use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// A source file as read from disk: its path relative to the site root (with `/`) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub rel: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, self-contained: the location and the quoted source line are resolved when it is made,
/// so it can be printed or sent to the browser overlay without the source at hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
    pub source_line: Option<String>,
    /// Display columns before the caret and caret width (CJK counts 2).
    #[serde(skip)]
    caret: (usize, usize),
}

impl Diagnostic {
    /// A problem in a whole file (no line to point at).
    pub fn file(severity: Severity, file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            source_line: None,
            caret: (0, 0),
        }
    }

    /// A problem at a byte span of `src`.
    pub fn at(
        severity: Severity,
        src: &SourceFile,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let text = &src.text;
        let start = floor_char(text, span.start.min(text.len()));
        let end = floor_char(text, span.end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_no = text[..start].matches('\n').count() + 1;
        let raw_line = text[line_start..line_end].trim_end_matches('\r');
        let column = text[line_start..start].chars().count() + 1;
        let before = display_width(&text[line_start..start]);
        let under_end = end.min(line_start + raw_line.len()).max(start);
        let width = display_width(&text[start..under_end]).max(1);
        Diagnostic {
            severity,
            file: src.rel.clone(),
            line: line_no,
            column,
            message: message.into(),
            hint: None,
            source_line: Some(raw_line.replace('\t', " ")),
            caret: (before, width),
        }
    }

    pub fn error_at(src: &SourceFile, span: Range<usize>, message: impl Into<String>) -> Self {
        Self::at(Severity::Error, src, span, message)
    }

    pub fn warning_at(src: &SourceFile, span: Range<usize>, message: impl Into<String>) -> Self {
        Self::at(Severity::Warning, src, span, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column` (or just the file).
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.column)
        }
    }

    /// The rustc-like rendering used on the terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        };
        let _ = writeln!(out, "{label}：{}", self.message);
        let _ = writeln!(out, "  --> {}", self.location());
        if let Some(src_line) = &self.source_line {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let _ = writeln!(out, " {pad} |");
            let _ = writeln!(out, " {num} | {src_line}");
            let _ = writeln!(
                out,
                " {pad} | {}{}",
                " ".repeat(self.caret.0),
                "^".repeat(self.caret.1)
            );
        }
        if let Some(h) = &self.hint {
            let _ = writeln!(out, "  = 提示：{h}");
        }
        out
    }
}

/// Sort for output: by file, then line and column, errors before warnings at the same place.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.severity, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
    });
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Terminal columns of a string, by Unicode's East Asian Width (UAX #11, through `unicode-width`):
/// CJK ideographs and full-width punctuation take two, ASCII one, combining marks none; characters
/// of ambiguous width (“” ‘’ …) take one. A tab counts as one column, because the quoted source
/// line shows each tab as a single space.
pub fn display_width(s: &str) -> usize {
    s.split('\t').map(UnicodeWidthStr::width).sum::<usize>() + s.matches('\t').count()
}

/// The closest candidate to `word`, if close enough to be a plausible typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::normalized_levenshtein(word, c);
        let contains = !word.is_empty() && (c.contains(word) || word.contains(c));
        let score = if contains { score.max(0.6) } else { score };
        if score >= 0.5 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// A non-input failure as one line: what was being done, then why (`无法写入 X：Permission denied`).
pub fn failure_text(e: &anyhow::Error) -> String {
    let parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    parts.join("：")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> SourceFile {
        SourceFile {
            rel: "data/x.toml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn locates_line_and_column_in_characters() {
        let s = src("name = \"a\"\nvillage = \"新桥村\"\n");
        let start = s.text.find("\"新").unwrap();
        let d = Diagnostic::error_at(&s, start..start + "\"新桥村\"".len(), "未知的村");
        assert_eq!((d.line, d.column), (2, 11));
        let r = d.render();
        assert!(r.contains("--> data/x.toml:2:11"), "{r}");
        assert!(r.contains(" 2 | village = \"新桥村\""), "{r}");
        assert!(r.contains("   |           ^^^^^^^^"), "{r}");
    }

    /// The quoted line and the caret line of a one-line file with the span on `needle`.
    fn quoted(line: &str, needle: &str) -> (String, String) {
        let s = src(line);
        let start = s.text.find(needle).unwrap();
        let r = Diagnostic::error_at(&s, start..start + needle.len(), "x").render();
        let lines: Vec<&str> = r.lines().collect();
        (lines[3].to_string(), lines[4].to_string())
    }

    #[test]
    fn widths_are_written_out_by_hand() {
        // Expected columns counted by hand, not computed: each CJK character and each full-width
        // punctuation mark takes two, ASCII one, a tab one (it is shown as a space).
        assert_eq!(display_width("安全生产"), 8);
        assert_eq!(display_width("，。：；！？"), 12);
        assert_eq!(display_width("《》（）【】、"), 14);
        assert_eq!(display_width("\u{3000}"), 2); // ideographic space
        assert_eq!(display_width("ＧＢ１５"), 8); // full-width ASCII
        assert_eq!(display_width("GB 15577-2018"), 13);
        assert_eq!(display_width("第3条：a=1，b=2。"), 17);
        assert_eq!(display_width("“引号”‘单’"), 10); // ambiguous-width quotes: one column each
        assert_eq!(display_width("\t"), 1);
        assert_eq!(display_width("a\tb\t安"), 6);
        assert_eq!(display_width(""), 0);
    }

    #[test]
    fn caret_after_full_width_punctuation() {
        // 标题：安全，生产。 is nine wide characters: eighteen columns.
        let (q, c) = quoted("标题：安全，生产。error", "error");
        assert_eq!(q, " 1 | 标题：安全，生产。error");
        assert_eq!(c, "   |                   ^^^^^");
    }

    #[test]
    fn caret_in_mixed_ascii_and_chinese() {
        // `- 列表项：[另一页](` is 2 + 8 + 1 + 6 + 2 = 19 columns; `@/g.md#不存在` is 7 + 6 = 13.
        let (q, c) = quoted("- 列表项：[另一页](@/g.md#不存在)", "@/g.md#不存在");
        assert_eq!(q, " 1 | - 列表项：[另一页](@/g.md#不存在)");
        assert_eq!(c, "   |                    ^^^^^^^^^^^^^");
        // Quotes of ambiguous width count one: `“引号”，` is 1 + 4 + 1 + 2 = 8 columns.
        let (_, c) = quoted("“引号”，key", "key");
        assert_eq!(c, "   |         ^^^");
    }

    #[test]
    fn caret_after_a_tab() {
        // The tab is quoted as one space and counted as one column.
        let (q, c) = quoted("\tkey = 1", "key");
        assert_eq!(q, " 1 |  key = 1");
        assert_eq!(c, "   |  ^^^");
        let (q, c) = quoted("a\t中\tb", "b");
        assert_eq!(q, " 1 | a 中 b");
        assert_eq!(c, "   |      ^");
    }

    #[test]
    fn span_past_end_is_clamped() {
        let s = src("a");
        let d = Diagnostic::error_at(&s, 10..20, "x");
        assert_eq!((d.line, d.column), (1, 2));
    }

    #[test]
    fn suggests_near_words() {
        assert_eq!(suggest("titel", ["title", "weight"]), Some("title"));
        assert_eq!(suggest("新桥村", ["新桥社区", "太平村"]), Some("新桥社区"));
        assert_eq!(suggest("zzz", ["title"]), None);
    }
}
