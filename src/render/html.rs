//! HTML escaping for the rendering stage: every value a template prints goes through [`escape`],
//! and the fragments built in Rust use [`escape_into`]. Same output as `crate::text::escape`, but
//! text without special characters (almost all of it) is copied in one piece.

/// Appends `s` to `out`, escaped for element content and quoted attribute values.
pub fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut done = 0;
    for (i, b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The special characters are ASCII, so `i` is always on a character boundary.
        out.push_str(&s[done..i]);
        out.push_str(rep);
        done = i + 1;
    }
    out.push_str(&s[done..]);
}

/// `escape_into` a new string: tera's escape function.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_as_the_shared_escape() {
        for s in [
            "",
            "plain",
            "<a href=\"x\">'&'</a>",
            "中文&amp;<混合>'\"",
            "&&&",
            "尾巴<",
        ] {
            assert_eq!(super::escape(s), crate::text::escape(s), "{s}");
        }
    }
}

/// Escapes `s` and keeps its dates, ids and formulas on one line (`<span class="nowrap">`), as
/// Markdown prose does: for sentences made in Rust, such as an enterprise's status reason.
pub fn escape_keep_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 32);
    let mut last = 0;
    for (a, b) in crate::model::markdown::token_spans(s) {
        escape_into(&mut out, &s[last..a]);
        out.push_str("<span class=\"nowrap\">");
        escape_into(&mut out, &s[a..b]);
        out.push_str("</span>");
        last = b;
    }
    escape_into(&mut out, &s[last..]);
    out
}

#[cfg(test)]
mod keep_tokens_tests {
    #[test]
    fn dates_stay_whole_and_text_is_escaped() {
        assert_eq!(
            super::escape_keep_tokens("2024-12-20 的<b>评估，期限 2024-12-31。"),
            "<span class=\"nowrap\">2024-12-20</span> 的&lt;b&gt;评估，期限 <span class=\"nowrap\">2024-12-31</span>。"
        );
    }
}
