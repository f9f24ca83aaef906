//! SVG charts drawn at build time (no JavaScript needed to read them): horizontal bars with their
//! numbers written beside them, so the figure carries its meaning in text, not only in colour.

use crate::text::escape;

pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: f64,
    /// Text shown after the bar (the number, with unit).
    pub(crate) text: String,
    /// CSS class for the fill colour.
    pub(crate) class: String,
}

/// Horizontal bar chart; `max` scales the bars (e.g. 100 for percentages).
pub(crate) fn bars(title: &str, bars: &[Bar], max: f64) -> String {
    let row = 28.0;
    let label_w = 150.0;
    let bar_w = 260.0;
    let h = row * bars.len() as f64 + 8.0;
    let w = label_w + bar_w + 90.0;
    let mut s = format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let len = if max > 0.0 {
            (b.value / max).clamp(0.0, 1.0) * bar_w
        } else {
            0.0
        };
        s.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"chart-label\">{label}</text>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{bar_w}\" height=\"18\" class=\"chart-track\"/>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{len:.1}\" height=\"18\" class=\"chart-bar {class}\"/>\
             <text x=\"{vx}\" y=\"{ty}\" class=\"chart-value\">{text}</text>",
            lx = label_w - 6.0,
            ty = y + 14.0,
            label = escape(&b.label),
            bx = label_w,
            class = escape(&b.class),
            vx = label_w + bar_w + 6.0,
            text = escape(&b.text),
        ));
    }
    s.push_str("</svg>");
    s
}

/// A stacked single bar (e.g. deadline status of a group), segments labelled in the legend.
pub(crate) fn stacked(title: &str, segments: &[(String, f64, String)]) -> String {
    let total: f64 = segments.iter().map(|s| s.1).sum();
    let w = 300.0;
    let mut x = 0.0;
    let mut s = format!(
        "<svg class=\"chart stacked\" role=\"img\" viewBox=\"0 0 {w} 20\" width=\"100%\" preserveAspectRatio=\"none\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title)
    );
    s.push_str(&format!(
        "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"20\" class=\"chart-track\"/>"
    ));
    for (label, v, class) in segments {
        if total <= 0.0 || *v <= 0.0 {
            continue;
        }
        let len = v / total * w;
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"0\" width=\"{len:.1}\" height=\"20\" class=\"chart-bar {}\"><title>{}</title></rect>",
            escape(class),
            escape(label)
        ));
        x += len;
    }
    s.push_str("</svg>");
    s
}
