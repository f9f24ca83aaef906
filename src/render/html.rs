//! HTML for the rendering stage beyond plain escaping (which is [`crate::text::escape`]): text
//! whose dates, ids and formulas must not break across lines.

use crate::text::escape_into;

/// Escapes `s` and keeps its dates, ids and formulas on one line (`<span class="nowrap">`), as
/// Markdown prose does: for sentences made in Rust, such as an enterprise's status reason.
pub(crate) fn escape_keep_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 32);
    let mut last = 0;
    for (a, b) in crate::model::nowrap::token_spans(s) {
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
