//! Tokens a line must not break inside — dates, ids, standard numbers and formulas — found in
//! text and wrapped in `<span class="nowrap">`: in Markdown pages here, in record text by
//! `render::html::escape_keep_tokens`.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// Wraps dates, ids, standard numbers and formulas (`2024-09-12`, `H2024-003`, `3×6×40=720`,
/// `D = 3 × 6 × 40 = 720`) in `<span class="nowrap">`, so a narrow column or a phone never breaks
/// them in the middle. Code and headings are left alone.
pub(super) fn keep_tokens_whole(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut skip = 0usize;
    for ev in events {
        match &ev {
            Event::Start(Tag::CodeBlock(_) | Tag::Heading { .. }) => skip += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Heading(_)) => skip = skip.saturating_sub(1),
            _ => {}
        }
        let Event::Text(text) = &ev else {
            out.push(ev);
            continue;
        };
        let spans = if skip == 0 {
            token_spans(text)
        } else {
            Vec::new()
        };
        if spans.is_empty() {
            out.push(ev);
            continue;
        }
        let mut last = 0;
        for (a, b) in spans {
            if a > last {
                out.push(Event::Text(CowStr::from(text[last..a].to_string())));
            }
            out.push(Event::InlineHtml(CowStr::from(format!(
                "<span class=\"nowrap\">{}</span>",
                crate::text::escape(&text[a..b])
            ))));
            last = b;
        }
        if last < text.len() {
            out.push(Event::Text(CowStr::from(text[last..].to_string())));
        }
    }
    out
}

/// Byte ranges of the tokens [`keep_tokens_whole`] protects: runs of ASCII letters, digits and
/// `. - / × = : %` (spaces allowed around `×` and `=`) holding a digit and at least three
/// characters, without leading or trailing punctuation.
pub(crate) fn token_spans(text: &str) -> Vec<(usize, usize)> {
    fn part(c: char) -> bool {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/' | '×' | '=' | ':' | '%')
    }
    fn op(c: char) -> bool {
        matches!(c, '×' | '=')
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !part(chars[i].1) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while end < chars.len() {
            let c = chars[end].1;
            if part(c) {
                end += 1;
            } else if c == ' ' {
                // A space continues the run only around an operator: `3 × 6`, `D = 3`.
                let prev = chars[..end]
                    .iter()
                    .rev()
                    .find(|(_, c)| *c != ' ')
                    .map(|p| p.1);
                let next_i = (end..chars.len()).find(|&k| chars[k].1 != ' ');
                let next = next_i.map(|k| chars[k].1);
                let joins = matches!(prev, Some(p) if op(p)) && next.is_some_and(part)
                    || matches!(next, Some(n) if op(n)) && prev.is_some_and(part);
                match (joins, next_i) {
                    (true, Some(k)) => end = k,
                    _ => break,
                }
            } else {
                break;
            }
        }
        let trim = |c: char| matches!(c, '.' | '-' | '/' | '=' | ':' | '×');
        let (mut a, mut b) = (start, end);
        while a < b && trim(chars[a].1) {
            a += 1;
        }
        while b > a && (trim(chars[b - 1].1) || chars[b - 1].1 == ' ') {
            b -= 1;
        }
        let run = &chars[a..b];
        let has_digit = run.iter().any(|(_, c)| c.is_ascii_digit());
        let joined = run.iter().any(|(_, c)| {
            matches!(c, '.' | '-' | '/' | '×' | '=' | ':') || c.is_ascii_alphabetic()
        });
        if b - a >= 3 && has_digit && joined {
            let from = chars[a].0;
            let to = chars.get(b).map_or(text.len(), |p| p.0);
            spans.push((from, to));
        }
        i = end.max(i + 1);
    }
    spans
}
