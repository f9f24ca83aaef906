//! QR codes as inline SVG, made at build time from the absolute URL of a page (base_url + path),
//! so a phone scanning the code at a workstation opens that page. One `path` of unit squares.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::text::escape;

/// (URL, label) → SVG, for codes already made in this process.
type Memo = HashMap<(String, String), Option<String>>;

/// An SVG QR code for `url`, or `None` if the URL is too long to encode. Encoding (mask
/// selection) is the costly part and the same URL always gives the same code, so the preview
/// server's rebuilds reuse earlier results.
pub fn svg(url: &str, label: &str) -> Option<String> {
    static MEMO: OnceLock<Mutex<Memo>> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    let key = (url.to_string(), label.to_string());
    if let Some(hit) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return hit;
    }
    let made = make(url, label);
    if let Ok(mut m) = memo.lock() {
        m.insert(key, made.clone());
    }
    made
}

fn make(url: &str, label: &str) -> Option<String> {
    let (w, modules) = encode(url)?;
    let quiet = 4;
    let size = w + 2 * quiet;
    let mut d = String::with_capacity(modules.len() * 6);
    for (i, dark) in modules.iter().enumerate() {
        if *dark {
            d.push_str(&format!("M{},{}h1v1h-1z", i % w + quiet, i / w + quiet));
        }
    }
    Some(format!(
        "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" role=\"img\" aria-label=\"{}\" shape-rendering=\"crispEdges\" data-url=\"{}\"><title>{}</title><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{d}\"/></svg>",
        escape(label),
        escape(url),
        escape(label)
    ))
}

/// Encodes `data` (level M, smallest version) and returns the module matrix. The qrcode crate
/// does the encoding and drawing; the mask is chosen here with the ISO/IEC 18004 penalty rules,
/// computed on plain booleans, because the crate's own scoring costs ~0.6 ms a code — seconds for
/// a county's cards.
pub fn encode(data: &str) -> Option<(usize, Vec<bool>)> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let bits = qrcode::bits::encode_auto(data.as_bytes(), qrcode::EcLevel::M).ok()?;
    let version = bits.version();
    let raw = bits.into_bytes();
    let (encoded, ec) = qrcode::ec::construct_codewords(&raw, version, qrcode::EcLevel::M).ok()?;
    let mut canvas = Canvas::new(version, qrcode::EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&encoded, &ec);
    let w = version.width() as usize;
    let mut best: Option<(u32, Vec<bool>)> = None;
    for pattern in [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ] {
        let mut c = canvas.clone();
        c.apply_mask(pattern);
        let m: Vec<bool> = c
            .into_colors()
            .into_iter()
            .map(|x| x == qrcode::Color::Dark)
            .collect();
        let p = penalty(&m, w);
        if best.as_ref().is_none_or(|(b, _)| p < *b) {
            best = Some((p, m));
        }
    }
    best.map(|(_, m)| (w, m))
}

/// The four penalty rules of ISO/IEC 18004 §7.8.3: runs of five or more, 2×2 blocks, finder-like
/// 1:1:3:1:1 patterns beside four light modules, and the dark/light balance.
pub fn penalty(m: &[bool], w: usize) -> u32 {
    let at = |x: usize, y: usize| m[y * w + x];
    let mut score = 0u32;
    // Rule 1, rows then columns.
    for horizontal in [true, false] {
        for a in 0..w {
            let mut run = 1;
            for b in 1..=w {
                let same = b < w && {
                    let (cur, prev) = if horizontal {
                        (at(b, a), at(b - 1, a))
                    } else {
                        (at(a, b), at(a, b - 1))
                    };
                    cur == prev
                };
                if same {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += 3 + (run - 5);
                    }
                    run = 1;
                }
            }
        }
    }
    // Rule 2.
    for y in 0..w - 1 {
        for x in 0..w - 1 {
            let c = at(x, y);
            if at(x + 1, y) == c && at(x, y + 1) == c && at(x + 1, y + 1) == c {
                score += 3;
            }
        }
    }
    // Rule 3: dark-light-dark×3-light-dark with four light modules on either side (outside is light).
    const CORE: [bool; 7] = [true, false, true, true, true, false, true];
    for horizontal in [true, false] {
        for a in 0..w {
            let get = |i: isize| -> bool {
                if i < 0 || i >= w as isize {
                    false
                } else if horizontal {
                    at(i as usize, a)
                } else {
                    at(a, i as usize)
                }
            };
            for start in 0..=(w as isize - 7) {
                if (0..7).all(|k| get(start + k) == CORE[k as usize]) {
                    let before = (1..=4).all(|k| !get(start - k));
                    let after = (7..11).all(|k| !get(start + k));
                    if before || after {
                        score += 40;
                    }
                }
            }
        }
    }
    // Rule 4.
    let dark = m.iter().filter(|d| **d).count();
    let percent = dark * 100 / m.len().max(1);
    let k = percent.abs_diff(50) / 5;
    score + 10 * k as u32
}

/// Reads the module matrix back out of an SVG made by [`svg`] (for tests and checks).
pub fn matrix_of(svg: &str) -> Option<(usize, Vec<bool>)> {
    let size: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    let d = svg.split(" d=\"").nth(1)?.split('"').next()?;
    let quiet = 4;
    let w = size.checked_sub(2 * quiet)?;
    let mut m = vec![false; w * w];
    for cmd in d.split('M').filter(|s| !s.is_empty()) {
        let xy = cmd.split('h').next()?;
        let (x, y) = xy.split_once(',')?;
        let (x, y): (usize, usize) = (x.parse().ok()?, y.parse().ok()?);
        m[(y - quiet) * w + (x - quiet)] = true;
    }
    Some((w, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalty_counts_each_rule() {
        // 5x5 all light: rule 1 gives 5 rows + 5 columns of a run of 5 (3 each), rule 2 gives
        // 16 blocks (3 each), rule 4 gives 10 × 10.
        let m = vec![false; 25];
        assert_eq!(penalty(&m, 5), 30 + 48 + 100);
    }

    #[test]
    fn round_trips_to_a_fresh_encode() {
        let url = "https://example.org/lianshan/enterprises/xinqiao-casting/";
        let s = svg(url, "二维码").unwrap();
        let (w, m) = matrix_of(&s).unwrap();
        let fresh = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
            .unwrap();
        assert_eq!(w, fresh.width());
        assert_eq!(
            m,
            fresh
                .to_colors()
                .iter()
                .map(|c| *c == qrcode::Color::Dark)
                .collect::<Vec<_>>()
        );
        assert!(s.contains(&format!("data-url=\"{url}\"")));
    }
}
