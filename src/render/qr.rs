//! QR codes as inline SVG, made at build time from the absolute URL of a page (base_url + path),
//! so a phone scanning the code at a workstation opens that page. One `path` of unit squares.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::text::escape;

/// An SVG QR code for `url`, or `None` if the URL is too long to encode. Encoding (mask
/// selection) is the costly part and the same URL always gives the same code, so the preview
/// server's rebuilds reuse earlier results.
pub fn svg(url: &str, label: &str) -> Option<String> {
    static MEMO: OnceLock<Mutex<HashMap<(String, String), Option<String>>>> = OnceLock::new();
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
    let code =
        qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).ok()?;
    let w = code.width();
    let quiet = 4;
    let size = w + 2 * quiet;
    let mut d = String::new();
    for (i, dark) in code
        .to_colors()
        .iter()
        .map(|c| *c == qrcode::Color::Dark)
        .enumerate()
    {
        if dark {
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
