//! Diagnostics: one type for every problem the build finds, located by file, line and column,
//! and rendered like rustc with the source line and a caret under the span (in Chinese, for editors).

use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;

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

/// Terminal columns of a string: East Asian wide characters take two.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
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
