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

/// One line of a [`lines`] chart: its name (in the legend and at its end), a class for its
/// colour and dash pattern, and one value per month.
pub(crate) struct Line {
    pub(crate) name: String,
    pub(crate) class: &'static str,
    pub(crate) values: Vec<usize>,
}

/// A labelled vertical rule at one month (a deadline).
pub(crate) struct Marker {
    pub(crate) at: usize,
    pub(crate) label: String,
}

/// Rounds up to 1, 2 or 5 × 10ⁿ, so the axis reads in round numbers.
fn nice_max(v: usize) -> usize {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if v <= m * step {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// Where a [`lines`] chart's plot area sits, and how months and values map into it.
struct Frame {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    /// Months on the axis.
    n: usize,
    /// The value at the top of the axis.
    max: usize,
}

impl Frame {
    fn x(&self, i: usize) -> f64 {
        if self.n <= 1 {
            self.left + self.width / 2.0
        } else {
            self.left + self.width * i as f64 / (self.n - 1) as f64
        }
    }

    fn y(&self, v: usize) -> f64 {
        self.top + self.height - self.height * v as f64 / self.max as f64
    }
}

/// A line chart over months: a legend naming each line by its dash pattern as well as its colour,
/// the value written at each line's last point, the first month, each January and the last month
/// labelled on the axis, and deadline rules. The numbers themselves go in a table beside it.
pub(crate) fn lines(title: &str, months: &[String], lines: &[Line], markers: &[Marker]) -> String {
    let (w, left, right) = (360.0, 34.0, 34.0);
    let legend_rows = lines.len().div_ceil(2) as f64;
    let top = 8.0 + legend_rows * 18.0 + 14.0;
    let f = Frame {
        left,
        top,
        width: w - left - right,
        height: 130.0,
        n: months.len().max(1),
        max: nice_max(
            lines
                .iter()
                .flat_map(|l| l.values.iter().copied())
                .max()
                .unwrap_or(0)
                .max(1),
        ),
    };
    let h = top + f.height + 24.0;
    let mut s = format!(
        "<svg class=\"chart chart-lines\" role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title)
    );
    legend(&mut s, &f, lines);
    grid(&mut s, &f, markers);
    month_labels(&mut s, &f, months);
    plot(&mut s, &f, lines);
    s.push_str("</svg>");
    s
}

/// Two legend entries a row above the plot, each a short stretch of its line and its name.
fn legend(s: &mut String, f: &Frame, lines: &[Line]) {
    use std::fmt::Write;
    for (k, l) in lines.iter().enumerate() {
        let (lx, ly) = (
            f.left + (k % 2) as f64 * (f.width / 2.0),
            8.0 + (k / 2) as f64 * 18.0 + 9.0,
        );
        let _ = write!(
            s,
            "<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" class=\"chart-line {}\"/><text x=\"{}\" y=\"{}\" class=\"chart-label\">{}</text>",
            lx + 22.0,
            l.class,
            lx + 28.0,
            ly + 4.5,
            escape(&l.name)
        );
    }
}

/// Rules at 0, half and the top of the axis with their values, and the labelled markers.
fn grid(s: &mut String, f: &Frame, markers: &[Marker]) {
    use std::fmt::Write;
    for v in [0, f.max / 2, f.max] {
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{yy:.1}\" x2=\"{}\" y2=\"{yy:.1}\" class=\"chart-grid\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" class=\"chart-axis\">{v}</text>",
            f.left,
            f.left + f.width,
            f.left - 4.0,
            f.y(v) + 4.0,
            yy = f.y(v)
        );
    }
    for m in markers.iter().filter(|m| m.at < f.n) {
        let _ = write!(
            s,
            "<line x1=\"{mx:.1}\" y1=\"{}\" x2=\"{mx:.1}\" y2=\"{}\" class=\"chart-marker\"/><text x=\"{:.1}\" y=\"{}\" text-anchor=\"end\" class=\"chart-axis\">{}</text>",
            f.top,
            f.top + f.height,
            f.x(m.at) - 3.0,
            f.top - 3.0,
            escape(&m.label),
            mx = f.x(m.at)
        );
    }
}

/// The first month, each January and the last month, none closer than 60 units to the one
/// before (the last month wins over a January just before it).
fn month_labels(s: &mut String, f: &Frame, months: &[String]) {
    use std::fmt::Write;
    let mut ticks: Vec<usize> = (0..months.len())
        .filter(|&i| i == 0 || i + 1 == months.len() || months[i].ends_with("-01"))
        .collect();
    let mut shown: Vec<usize> = Vec::new();
    while let Some(i) = (!ticks.is_empty()).then(|| ticks.remove(0)) {
        let last = ticks.is_empty();
        if let Some(&p) = shown.last()
            && f.x(i) - f.x(p) < 60.0
        {
            if !last {
                continue;
            }
            shown.pop();
        }
        shown.push(i);
    }
    for i in shown {
        let anchor = match i {
            0 => "start",
            _ if i + 1 == months.len() => "end",
            _ => "middle",
        };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"chart-axis\">{}</text>",
            f.x(i),
            f.top + f.height + 18.0,
            escape(&months[i])
        );
    }
}

/// The lines, and each one's last value beside its end, pushed apart where two ends meet.
fn plot(s: &mut String, f: &Frame, lines: &[Line]) {
    use std::fmt::Write;
    for l in lines {
        let points: Vec<String> = l
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", f.x(i), f.y(*v)))
            .collect();
        let _ = write!(
            s,
            "<polyline points=\"{}\" class=\"chart-line {}\"/>",
            points.join(" "),
            l.class
        );
    }
    let mut ends: Vec<(f64, usize, &str)> = lines
        .iter()
        .filter_map(|l| l.values.last().map(|v| (f.y(*v) + 4.0, *v, l.class)))
        .collect();
    ends.sort_by(|a, b| a.0.total_cmp(&b.0));
    for i in 1..ends.len() {
        ends[i].0 = ends[i].0.max(ends[i - 1].0 + 12.0);
    }
    let end_x = f.x(f.n - 1) + 4.0;
    for (ty, v, class) in ends {
        let _ = write!(
            s,
            "<text x=\"{end_x:.1}\" y=\"{ty:.1}\" class=\"chart-value {class}\">{v}</text>"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_read_in_round_numbers() {
        let got: Vec<usize> = [0, 1, 2, 3, 6, 11, 20, 21, 480, 5001]
            .iter()
            .map(|v| nice_max(*v))
            .collect();
        assert_eq!(got, [1, 1, 2, 5, 10, 20, 20, 50, 500, 10000]);
    }

    #[test]
    fn a_line_chart_names_itself_and_labels_the_ends() {
        let months: Vec<String> = ["2024-11", "2024-12", "2025-01", "2025-02"]
            .map(String::from)
            .to_vec();
        let svg = lines(
            "未销号隐患 <月末>",
            &months,
            &[Line {
                name: "未销号".into(),
                class: "open",
                values: vec![1, 3, 2, 7],
            }],
            &[Marker {
                at: 1,
                label: "期限".into(),
            }],
        );
        assert!(svg.starts_with("<svg class=\"chart chart-lines\" role=\"img\""));
        assert!(svg.contains("<title>未销号隐患 &lt;月末&gt;</title>"));
        // Axis 0–10 (7 rounds up to 10); the last value is written at the line's end.
        assert!(svg.contains(">10</text>") && svg.contains(">7</text>"));
        assert!(svg.contains(">2024-11</text>") && svg.contains(">2025-02</text>"));
        assert!(svg.contains(">期限</text>"));
        assert_eq!(svg.matches("<polyline").count(), 1);
    }
}
