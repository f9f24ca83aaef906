//! Post risk cards laid out for their paper (A4, or A5 one card a sheet). The text is measured in
//! the units enterprise.css prints with (mm, pt, em): a post whose text does not fit gets smaller
//! type or continues on more cards, and every card repeats the post, the emergency steps, the
//! phone line, the enterprise name and the QR code, so no printed card loses them.

use std::fmt::Write as _;

use crate::model::enterprise::{Enterprise, RiskGroup};
use crate::text::escape_into as esc;

/// A paper a card is printed on. Keep in step with enterprise.css and the `@page` rules of
/// cards.html: the printable area is the paper less its margins.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paper {
    /// Printable area, mm.
    width: f64,
    height: f64,
    /// Body type, pt: normal, and compact for a card that fits one sheet only in smaller type.
    pt: f64,
    compact_pt: f64,
    /// QR code side, mm.
    qr: f64,
}

/// A4 with 10 mm margins, one card a page.
pub(crate) const A4: Paper = Paper {
    width: 190.0,
    height: 277.0,
    pt: 13.0,
    compact_pt: 11.0,
    qr: 30.0,
};

/// A5 with 8 mm margins, one card a page.
pub(crate) const A5: Paper = Paper {
    width: 132.0,
    height: 194.0,
    pt: 10.0,
    compact_pt: 9.0,
    qr: 22.0,
};

/// The card frame (enterprise.css, print): borders and padding, mm.
const BORDER_SIDE: f64 = 0.8;
const BORDER_TOP: f64 = 4.0;
const PAD_X: f64 = 5.0;
const PAD_Y: f64 = 3.0;
/// Body line height, em.
const LH: f64 = 1.4;
/// Room left unplanned on every card, mm: font metrics and line breaking differ a little from the
/// estimate below, and a card that runs over its sheet would push its footer onto the next one.
const SLACK: f64 = 6.0;
const PT_MM: f64 = 25.4 / 72.0;

/// Width of a text in em: CJK and full-width punctuation one em, ASCII a generous 0.6 em.
fn width_em(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum()
}

/// Lines a text takes in a box `avail` mm wide at `em` mm type. A text that wraps gives up one em
/// of each line to line-breaking rules (no full-width punctuation at a line's start).
fn lines(s: &str, avail: f64, em: f64) -> usize {
    let per_line = (avail / em).floor().max(2.0);
    let w = width_em(s);
    if w <= per_line {
        1
    } else {
        (w / (per_line - 1.0)).ceil() as usize
    }
}

/// One titled part of the card: a list, or a paragraph (`para`, a single item).
#[derive(Clone)]
struct Section {
    title: &'static str,
    para: bool,
    items: Vec<String>,
}

/// A piece of a section placed on one card; `cont` when it continues from the previous card.
struct Piece {
    title: &'static str,
    para: bool,
    cont: bool,
    items: Vec<String>,
}

/// What a post's cards hold, measured for one paper and type size.
struct Measure {
    em: f64,
    /// Inner width of the card (inside the padding), mm.
    inner_w: f64,
    /// Height for body sections on a card, once head, emergency box and foot are placed, mm.
    free: f64,
}

impl Measure {
    fn new(paper: Paper, pt: f64) -> Self {
        let em = pt * PT_MM;
        Measure {
            em,
            inner_w: paper.width - 2.0 * (BORDER_SIDE + PAD_X),
            free: paper.height - BORDER_TOP - BORDER_SIDE - 2.0 * PAD_Y - SLACK,
        }
    }

    /// A list item (indented 1.3 em) or a paragraph line block, mm.
    fn item(&self, s: &str, para: bool) -> f64 {
        let avail = if para {
            self.inner_w
        } else {
            self.inner_w - 1.3 * self.em
        };
        lines(s, avail, self.em) as f64 * LH * self.em
    }

    /// A section heading (h3): margin .5 em above, one line.
    fn heading(&self) -> f64 {
        (0.5 + LH) * self.em
    }

    /// The card head: title (1.4 em type, line height 1.25, .2 em below), post line (1.15 em type),
    /// level line (badge border and padding) and .3 em below.
    fn head(&self, post: &str) -> f64 {
        let post_lines = lines(post, self.inner_w, 1.15 * self.em) as f64;
        (1.4 * 1.25 + 0.2 + 1.15 * LH * post_lines + 1.8 + 0.3) * self.em
    }

    /// One emergency step: a list item inside the box's 2 px borders and .6 em padding.
    fn step(&self, s: &str) -> f64 {
        let avail = self.inner_w - 2.0 * 0.53 - 1.2 * self.em - 1.3 * self.em;
        lines(s, avail, self.em) as f64 * LH * self.em
    }

    /// The emergency box (.5 em above, 2 px borders, padding .1/.3 em, heading) with `items`.
    fn emergency(&self, items: &[String]) -> f64 {
        let body: f64 = items.iter().map(|s| self.step(s)).sum();
        (0.5 + 0.1 + 0.3 + LH + 0.2) * self.em + 2.0 * 0.53 + body
    }

    /// The foot: .4 em above, 1 px rule, .3 em padding, then the taller of the QR code (with its
    /// .8 em caption) and the phone line plus the enterprise name beside it.
    fn foot(&self, qr: f64, phones: &str, name: &str) -> f64 {
        let beside = self.inner_w - qr - self.em;
        let text =
            (lines(phones, beside, self.em) + lines(name, beside, self.em)) as f64 * LH * self.em
                + 0.2 * self.em;
        let code = qr + 0.8 * LH * self.em + 0.2 * self.em;
        (0.4 + 0.3) * self.em + 0.3 + text.max(code)
    }
}

/// The cards of one post: each card's body pieces and the emergency steps it shows.
struct Plan {
    compact: bool,
    cards: Vec<(Vec<Piece>, Vec<String>, bool)>,
}

/// Cuts a text too long for any card into pieces that each fit `room` mm (as `height` measures).
fn cut(s: &str, room: f64, height: impl Fn(&str) -> f64) -> Vec<String> {
    if height(s) <= room {
        return vec![s.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        cur.push(c);
        if height(&cur) > room && cur.chars().count() > 1 {
            cur.pop();
            out.push(std::mem::take(&mut cur));
            cur.push(c);
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Lays the sections out at one type size. Emergency steps go on every card; when they alone
/// would take more than half a card they are shared out over the cards instead (the later parts
/// headed 应急处置（续）).
fn plan(
    m: &Measure,
    fixed: f64,
    sections: &[Section],
    emergency: &[String],
    compact: bool,
) -> Plan {
    let room = m.free - fixed;
    // Emergency steps: one block when they fit half the room, else chunks of at most half.
    let half = room / 2.0;
    let mut chunks: Vec<Vec<String>> = vec![Vec::new()];
    for step in emergency {
        for piece in cut(step, half - m.emergency(&[]), |x| m.step(x)) {
            let last = chunks.last_mut().expect("one chunk at least");
            let mut with = last.clone();
            with.push(piece.clone());
            if !last.is_empty() && m.emergency(&with) > half {
                chunks.push(vec![piece]);
            } else {
                *last = with;
            }
        }
    }
    let whole = chunks.len() == 1;
    let emergency_on = |card: usize| -> (Vec<String>, bool) {
        if whole {
            (chunks[0].clone(), false)
        } else {
            // Cards beyond the chunks (a long body) repeat the first steps, the most urgent.
            let k = if card < chunks.len() { card } else { 0 };
            (chunks[k].clone(), k > 0)
        }
    };
    let mut cards: Vec<(Vec<Piece>, Vec<String>, bool)> = Vec::new();
    let new_card = |cards: &mut Vec<(Vec<Piece>, Vec<String>, bool)>| {
        let (steps, cont) = emergency_on(cards.len());
        cards.push((Vec::new(), steps, cont));
    };
    new_card(&mut cards);
    let mut used = 0.0;
    for s in sections {
        let mut placed_any = false;
        for item in &s.items {
            let avail_empty = room - m.emergency(&cards.last().expect("a card").1) - m.heading();
            for piece in cut(item, avail_empty, |x| m.item(x, s.para)) {
                let h = m.item(&piece, s.para);
                let card_room = room - m.emergency(&cards.last().expect("a card").1);
                let starts =
                    cards.last().expect("a card").0.last().map(|p| p.title) != Some(s.title);
                let need = h + if starts { m.heading() } else { 0.0 };
                if used + need > card_room && used > 0.0 {
                    new_card(&mut cards);
                    used = 0.0;
                }
                let card = cards.last_mut().expect("a card");
                if card.0.last().map(|p| p.title) != Some(s.title) {
                    card.0.push(Piece {
                        title: s.title,
                        para: s.para,
                        cont: placed_any,
                        items: Vec::new(),
                    });
                    used += m.heading();
                }
                card.0.last_mut().expect("a piece").items.push(piece);
                used += h;
                placed_any = true;
            }
        }
    }
    // Every emergency chunk is printed, even when the body needed fewer cards.
    while cards.len() < chunks.len() && !whole {
        new_card(&mut cards);
    }
    Plan { compact, cards }
}

fn list(out: &mut String, items: &[String]) {
    out.push_str("<ul>");
    for x in items {
        out.push_str("<li>");
        esc(out, x);
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

/// Items in first-seen order without repeats (several risks of a post often share a step).
fn distinct<'s>(list: impl IntoIterator<Item = &'s String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in list {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// The cards (`<section>`s) of one post for `paper`; `qr` is the post's card-page QR code.
pub(crate) fn render(e: &Enterprise, g: &RiskGroup, qr: Option<&str>, paper: Paper) -> String {
    let (sections, emergency) = card_text(e, g);
    let post_label = if e.rec.size == crate::domain::Size::SmallMicro {
        "岗位"
    } else {
        "单元"
    };
    let people = match g.headcount.filter(|n| *n != 0) {
        Some(n) => format!("（{n} 人）"),
        None => String::new(),
    };
    let phones = phone_line(e);
    let name = &e.rec.name.v;
    let qr_side = if qr.is_some() { paper.qr } else { 0.0 };
    let post_line = format!("{post_label}：{}{people} 第 9 张，共 9 张", g.name);
    let layout = |pt: f64, compact: bool| {
        let m = Measure::new(paper, pt);
        let fixed = m.head(&post_line) + m.foot(qr_side, &phones, name);
        plan(&m, fixed, &sections, &emergency, compact)
    };
    // Normal type; smaller type when that fits the post on one card; else normal type over
    // several cards (more cards rather than type too small to read on a wall).
    let mut p = layout(paper.pt, false);
    if p.cards.len() > 1 {
        let small = layout(paper.compact_pt, true);
        if small.cards.len() == 1 {
            p = small;
        }
    }

    let n = p.cards.len();
    let mut out = String::with_capacity(3000 * n + qr.map_or(0, str::len) * n);
    for (k, (pieces, steps, steps_cont)) in p.cards.iter().enumerate() {
        card_head(&mut out, g, (k, n), p.compact, post_label, &people);
        card_body(&mut out, pieces);
        card_emergency(&mut out, steps, *steps_cont);
        card_foot(&mut out, e, qr);
    }
    out
}

/// What every card of the post says, each thing once: its hazards with their levels, the
/// accidents they may lead to and the control measures (the body sections), and the emergency
/// steps.
fn card_text(e: &Enterprise, g: &RiskGroup) -> ([Section; 3], Vec<String>) {
    let risks: Vec<_> = g.risks.iter().filter_map(|i| e.risks.get(*i)).collect();
    let mut accidents: Vec<&str> = risks
        .iter()
        .flat_map(|r| r.r.accidents.iter().map(|a| a.v.as_str()))
        .collect();
    accidents.sort();
    accidents.dedup();
    let sections = [
        Section {
            title: "主要危险有害因素",
            para: false,
            items: risks
                .iter()
                .map(|r| format!("{}（{}）", r.r.hazard, r.level.name()))
                .collect(),
        },
        Section {
            title: "可能导致的事故",
            para: true,
            items: vec![accidents.join("、")],
        },
        Section {
            title: "管控措施",
            para: false,
            items: distinct(risks.iter().flat_map(|r| &r.r.measures)),
        },
    ];
    let emergency = distinct(risks.iter().flat_map(|r| &r.r.emergency));
    (sections, emergency)
}

/// The foot's phone line as plain text, for measuring.
fn phone_line(e: &Enterprise) -> String {
    let mut phones = "应急电话：火警 119 · 急救 120".to_string();
    if !e.rec.emergency_phone.is_empty() {
        phones.push_str(" · 企业值班 ");
        phones.push_str(&e.rec.emergency_phone);
    }
    phones
}

/// A card's opening and head: title, post line (with sheet k + 1 of n when there are more) and
/// the post's highest level.
fn card_head(
    out: &mut String,
    g: &RiskGroup,
    (k, n): (usize, usize),
    compact: bool,
    post_label: &str,
    people: &str,
) {
    let id = if k == 0 {
        format!("card-{}", g.index)
    } else {
        format!("card-{}-{}", g.index, k + 1)
    };
    let _ = write!(
        out,
        "\n<section class=\"risk-card highest-{}{}{}\" aria-labelledby=\"{id}\" data-post=\"{}\" data-sheet=\"{}/{n}\">\n  <header class=\"card-head\">\n    <h2 id=\"{id}\">岗位安全风险告知卡{}</h2>\n    <p class=\"card-post\"><span class=\"card-label\">{post_label}：</span><strong>",
        crate::css::level(g.highest),
        if compact { " card-compact" } else { "" },
        if k > 0 { " card-cont" } else { "" },
        g.index,
        k + 1,
        if k > 0 { "（续）" } else { "" },
    );
    esc(out, &g.name);
    out.push_str("</strong>");
    out.push_str(people);
    if n > 1 {
        let _ = write!(
            out,
            " <span class=\"card-sheet\">第 {} 张，共 {n} 张</span>",
            k + 1
        );
    }
    out.push_str("</p>\n    <p class=\"card-level\">风险等级：");
    super::super::views::level_html(out, g.highest);
    out.push_str("</p>\n  </header>");
}

/// The body sections placed on this card.
fn card_body(out: &mut String, pieces: &[Piece]) {
    out.push_str("\n  <div class=\"card-body\">");
    for piece in pieces {
        let _ = write!(
            out,
            "\n    <h3>{}{}</h3>\n    ",
            piece.title,
            if piece.cont { "（续）" } else { "" }
        );
        if piece.para {
            out.push_str("<p>");
            esc(out, &piece.items.concat());
            out.push_str("</p>");
        } else {
            list(out, &piece.items);
        }
    }
    out.push_str("\n  </div>");
}

/// The emergency box with this card's steps.
fn card_emergency(out: &mut String, steps: &[String], steps_cont: bool) {
    let _ = write!(
        out,
        "\n  <div class=\"card-emergency\">\n    <h3>应急处置{}</h3>\n    ",
        if steps_cont { "（续）" } else { "" }
    );
    list(out, steps);
    out.push_str("\n  </div>");
}

/// The foot every card repeats: phone numbers, the enterprise name, the QR code; and the card's end.
fn card_foot(out: &mut String, e: &Enterprise, qr: Option<&str>) {
    out.push_str("\n  <footer class=\"card-foot\">\n    <p class=\"card-phones\">");
    // The phone line with the numbers in bold; the duty number is record text.
    out.push_str("应急电话：火警 <strong>119</strong> · 急救 <strong>120</strong>");
    if !e.rec.emergency_phone.is_empty() {
        out.push_str(" · 企业值班 <strong class=\"nowrap\">");
        esc(out, &e.rec.emergency_phone);
        out.push_str("</strong>");
    }
    out.push_str("</p>\n    <p class=\"card-ent\">");
    esc(out, &e.rec.name.v);
    out.push_str("</p>\n    ");
    if let Some(qr) = qr {
        out.push_str("<div class=\"card-qr\">");
        out.push_str(qr);
        out.push_str("<span>扫码查看</span></div>");
    }
    out.push_str("\n  </footer>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(n: usize, len: usize) -> Vec<Section> {
        vec![Section {
            title: "管控措施",
            para: false,
            items: (0..n).map(|_| "字".repeat(len)).collect(),
        }]
    }

    #[test]
    fn short_posts_take_one_card_and_long_ones_continue() {
        let m = Measure::new(A5, A5.pt);
        let steps = vec!["立即停机并报告".to_string()];
        assert_eq!(
            plan(&m, 50.0, &sections(5, 20), &steps, false).cards.len(),
            1
        );
        let long = plan(&m, 50.0, &sections(60, 40), &steps, false);
        assert!(long.cards.len() >= 3, "{}", long.cards.len());
        for (pieces, emergency, _) in &long.cards {
            assert_eq!(emergency, &steps, "emergency steps on every card");
            assert!(!pieces.is_empty());
        }
        assert!(long.cards[1].0[0].cont, "a continued section says so");
        let placed: usize = long
            .cards
            .iter()
            .flat_map(|c| &c.0)
            .map(|p| p.items.len())
            .sum();
        assert_eq!(placed, 60, "every item placed once");
    }

    #[test]
    fn a_text_longer_than_a_card_is_cut_and_kept_whole() {
        let m = Measure::new(A5, A5.pt);
        let huge = "长".repeat(5000);
        let p = plan(
            &m,
            50.0,
            &sections(0, 0),
            std::slice::from_ref(&huge),
            false,
        );
        assert!(p.cards.len() > 2);
        let steps: String = p.cards.iter().flat_map(|c| c.1.clone()).collect();
        assert_eq!(
            steps, huge,
            "the emergency text is shared out, nothing lost"
        );
        for (_, steps, _) in &p.cards {
            assert!(m.emergency(steps) <= (m.free - 50.0) / 2.0 + 0.01);
        }
    }
}
