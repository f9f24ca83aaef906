//! QR codes as inline SVG, made at build time from the absolute URL of a page (base_url + path),
//! so a phone scanning the code at a workstation opens that page. One `path` of unit squares.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};

use crate::text::escape_into;

/// A module matrix packed one bit per module, row by row: ~200 bytes for a page URL's code, so
/// the memo below stays small even for tens of thousands of codes.
#[derive(Clone)]
struct Packed {
    w: usize,
    bits: Vec<u64>,
}

impl Packed {
    fn new(w: usize, m: &[bool]) -> Self {
        let mut bits = vec![0u64; m.len().div_ceil(64)];
        for (i, _) in m.iter().enumerate().filter(|(_, d)| **d) {
            bits[i / 64] |= 1 << (i % 64);
        }
        Packed { w, bits }
    }

    fn dark(&self, i: usize) -> bool {
        self.bits[i / 64] >> (i % 64) & 1 == 1
    }
}

/// URL → encoded matrix, for codes already made in this process. Encoding (mask selection) is the
/// costly part and the same URL always gives the same code, so the preview server's rebuilds
/// reuse earlier results. Only the packed matrix is kept, not the SVG text: the text is made again
/// from it cheaply, and keeping it would hold every code of the site in memory.
type Memo = HashMap<String, Option<Packed>>;

/// An SVG QR code for `url`, or `None` if the URL is too long to encode.
pub(crate) fn svg(url: &str, label: &str) -> Option<String> {
    static MEMO: OnceLock<Mutex<Memo>> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    let hit = memo.lock().ok().and_then(|m| m.get(url).cloned());
    let packed = match hit {
        Some(p) => p,
        None => {
            let made = encode(url).map(|(w, m)| Packed::new(w, &m));
            if let Ok(mut m) = memo.lock() {
                m.insert(url.to_string(), made.clone());
            }
            made
        }
    };
    packed.map(|p| draw(&p, url, label))
}

fn draw(p: &Packed, url: &str, label: &str) -> String {
    let w = p.w;
    let quiet = 4;
    let size = w + 2 * quiet;
    let mut out = String::with_capacity(w * w * 8 + 400);
    let _ = write!(
        out,
        "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" role=\"img\" aria-label=\""
    );
    escape_into(&mut out, label);
    out.push_str("\" shape-rendering=\"crispEdges\" data-url=\"");
    escape_into(&mut out, url);
    out.push_str("\"><title>");
    escape_into(&mut out, label);
    let _ = write!(
        out,
        "</title><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\""
    );
    // Coordinates as text, made once per code rather than once per module.
    let coords: Vec<String> = (0..size).map(|n| n.to_string()).collect();
    for y in 0..w {
        let row = &coords[y + quiet];
        for x in (0..w).filter(|x| p.dark(y * w + x)) {
            out.push('M');
            out.push_str(&coords[x + quiet]);
            out.push(',');
            out.push_str(row);
            out.push_str("h1v1h-1z");
        }
    }
    out.push_str("\"/></svg>");
    out
}

/// Encodes `data` (level M, smallest version) and returns the module matrix. The qrcode crate
/// does the encoding and draws the function patterns and data; masking and the choice of mask
/// are done here on plain booleans — eight masked copies of the crate's canvas, scored by its
/// own rules, cost more than everything else about a code, and a town has tens of thousands.
/// The result is the crate's own choice, module for module (see the tests).
pub(crate) fn encode(data: &str) -> Option<(usize, Vec<bool>)> {
    use qrcode::canvas::Canvas;
    let bits = qrcode::bits::encode_auto(data.as_bytes(), qrcode::EcLevel::M).ok()?;
    let version = bits.version();
    // `encode_auto` only picks normal (not Micro) versions, whose format layout is the one below.
    if !matches!(version, qrcode::Version::Normal(_)) {
        return None;
    }
    let raw = bits.into_bytes();
    let (encoded, ec) = qrcode::ec::construct_codewords(&raw, version, qrcode::EcLevel::M).ok()?;
    let mut canvas = Canvas::new(version, qrcode::EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&encoded, &ec);
    let w = version.width() as usize;
    let unmasked = Unmasked::of(&canvas, w);
    let mut best: Option<(u32, Vec<bool>)> = None;
    for pattern in 0..FORMAT_M.len() {
        let m = unmasked.masked(pattern);
        let p = penalty(&m, w);
        if best.as_ref().is_none_or(|(b, _)| p < *b) {
            best = Some((p, m));
        }
    }
    best.map(|(_, m)| (w, m))
}

/// A drawn canvas before masking: each module's colour, and whether the mask applies to it
/// (data modules; function patterns are final).
struct Unmasked {
    w: usize,
    dark: Vec<bool>,
    maskable: Vec<bool>,
}

impl Unmasked {
    fn of(canvas: &qrcode::canvas::Canvas, w: usize) -> Self {
        use qrcode::canvas::Module;
        let mut dark = Vec::with_capacity(w * w);
        let mut maskable = Vec::with_capacity(w * w);
        for y in 0..w as i16 {
            for x in 0..w as i16 {
                let (d, m) = match canvas.get(x, y) {
                    Module::Masked(c) => (c == qrcode::Color::Dark, false),
                    Module::Unmasked(c) => (c == qrcode::Color::Dark, true),
                    Module::Empty => (false, true),
                };
                dark.push(d);
                maskable.push(m);
            }
        }
        Unmasked { w, dark, maskable }
    }

    /// The modules with mask `pattern` (0–7) applied and its format information drawn.
    fn masked(&self, pattern: usize) -> Vec<bool> {
        // One loop per condition, so that each is inlined with its constant divisors.
        let mut m = match pattern {
            0 => self.apply(|x, y| (x + y) % 2 == 0),
            1 => self.apply(|_, y| y % 2 == 0),
            2 => self.apply(|x, _| x % 3 == 0),
            3 => self.apply(|x, y| (x + y) % 3 == 0),
            4 => self.apply(|x, y| (y / 2 + x / 3) % 2 == 0),
            5 => self.apply(|x, y| (x * y) % 2 + (x * y) % 3 == 0),
            6 => self.apply(|x, y| ((x * y) % 2 + (x * y) % 3) % 2 == 0),
            _ => self.apply(|x, y| ((x + y) % 2 + (x * y) % 3) % 2 == 0),
        };
        draw_format(&mut m, self.w, FORMAT_M[pattern & 7]);
        m
    }

    /// Inverts the data modules where `invert(column, row)` holds (the ISO/IEC 18004 mask
    /// conditions above).
    fn apply(&self, invert: impl Fn(usize, usize) -> bool) -> Vec<bool> {
        let w = self.w;
        let mut m = Vec::with_capacity(w * w);
        for y in 0..w {
            for x in 0..w {
                let i = y * w + x;
                m.push(self.dark[i] ^ (self.maskable[i] && invert(x, y)));
            }
        }
        m
    }
}

/// The 15-bit format information for level M and mask patterns 0–7 (BCH-coded, already XORed
/// with 101010000010010).
const FORMAT_M: [u16; 8] = [
    0x5412, 0x5125, 0x5e7c, 0x5b4b, 0x45f9, 0x40ce, 0x4f97, 0x4aa0,
];

/// Where the format bits go, most significant first, as (column, row); negative counts from the
/// far edge. Once beside the top-left finder, once split between the other two.
const FORMAT_MAIN: [(i16, i16); 15] = [
    (0, 8),
    (1, 8),
    (2, 8),
    (3, 8),
    (4, 8),
    (5, 8),
    (7, 8),
    (8, 8),
    (8, 7),
    (8, 5),
    (8, 4),
    (8, 3),
    (8, 2),
    (8, 1),
    (8, 0),
];
const FORMAT_SIDE: [(i16, i16); 15] = [
    (8, -1),
    (8, -2),
    (8, -3),
    (8, -4),
    (8, -5),
    (8, -6),
    (8, -7),
    (-8, 8),
    (-7, 8),
    (-6, 8),
    (-5, 8),
    (-4, 8),
    (-3, 8),
    (-2, 8),
    (-1, 8),
];

/// Draws the format information of one mask pattern, and the always-dark module beside it.
fn draw_format(m: &mut [bool], w: usize, format: u16) {
    let at = |x: i16, y: i16| {
        let wrap = |v: i16| {
            if v < 0 {
                (v + w as i16) as usize
            } else {
                v as usize
            }
        };
        wrap(y) * w + wrap(x)
    };
    for coords in [&FORMAT_MAIN, &FORMAT_SIDE] {
        for (k, (x, y)) in coords.iter().enumerate() {
            m[at(*x, *y)] = format >> (14 - k) & 1 == 1;
        }
    }
    m[at(8, -8)] = true;
}

/// The four penalty rules of ISO/IEC 18004 §7.8.3: runs of five or more, 2×2 blocks, finder-like
/// 1:1:3:1:1 patterns beside four light modules, and the dark/light balance. It runs eight times
/// per code, tens of thousands of codes per town: codes up to 120 modules wide (every page URL)
/// are scored on rows and columns packed into bit sets, wider ones line by line.
pub(crate) fn penalty(m: &[bool], w: usize) -> u32 {
    // A line plus four padding modules each side must fit the word.
    match w {
        1..=56 => penalty_u64(m, w),
        57..=120 => penalty_u128(m, w),
        _ => penalty_lines(m, w),
    }
}

/// [`penalty`] on rows and columns packed into bit sets (bit x of a row is module x): one
/// function per word size, since most codes fit a `u64` line with its padding.
macro_rules! penalty_packed {
    ($name:ident, $t:ty) => {
        fn $name(m: &[bool], w: usize) -> u32 {
            let mut rows: Vec<$t> = vec![0; w];
            let mut cols: Vec<$t> = vec![0; w];
            for (y, row) in m.chunks_exact(w).enumerate() {
                for (x, d) in row.iter().enumerate() {
                    let bit = <$t>::from(*d);
                    rows[y] |= bit << x;
                    cols[x] |= bit << y;
                }
            }
            let line_mask: $t = <$t>::MAX >> (<$t>::BITS as usize - w);
            let pair_mask = line_mask >> 1;
            // Cores of rule 3 may start at padded positions 4 ..= w − 3 (inside the line).
            let starts = (line_mask >> 6) << 4;
            let mut score = 0u32;
            for &l in rows.iter().chain(&cols) {
                // Rule 1: bit i of `same` says modules i and i + 1 match; a run of n ≥ 5 is a
                // stretch of k = n − 1 ≥ 4 such bits and scores n − 2 = k − 1. `four` has k − 3
                // bits per stretch, and one stretch start each.
                let same = !(l ^ (l >> 1)) & pair_mask;
                let four = same & (same >> 1) & (same >> 2) & (same >> 3);
                score += four.count_ones() + 2 * (four & !(four << 1)).count_ones();
                // Rule 3: the line shifted up by four, so four light modules pad each side; bit
                // p of `core` says a core starts at padded position p.
                let p = l << 4;
                let n = !p;
                let core = p & (n >> 1) & (p >> 2) & (p >> 3) & (p >> 4) & (n >> 5) & (p >> 6);
                let light_before = !((p << 1) | (p << 2) | (p << 3) | (p << 4));
                let light_after = !((p >> 7) | (p >> 8) | (p >> 9) | (p >> 10));
                score += 40 * (core & (light_before | light_after) & starts).count_ones();
            }
            // Rule 2.
            for (a, b) in rows.iter().zip(rows.iter().skip(1)) {
                let same = !(a ^ (a >> 1)) & !(b ^ (b >> 1)) & !(a ^ b) & pair_mask;
                score += 3 * same.count_ones();
            }
            // Rule 4.
            let dark: u32 = rows.iter().map(|r| r.count_ones()).sum();
            let percent = dark as usize * 100 / m.len().max(1);
            let k = percent.abs_diff(50) / 5;
            score + 10 * k as u32
        }
    };
}

penalty_packed!(penalty_u64, u64);
penalty_packed!(penalty_u128, u128);

/// [`penalty`] line by line on contiguous memory (columns as rows of the transposed matrix).
fn penalty_lines(m: &[bool], w: usize) -> u32 {
    let mut t = vec![false; w * w];
    for (y, row) in m.chunks_exact(w).enumerate() {
        for (x, d) in row.iter().enumerate() {
            t[x * w + y] = *d;
        }
    }
    let mut score = 0u32;
    // Rules 1 and 3, rows then columns.
    for grid in [m, &t[..]] {
        for line in grid.chunks_exact(w) {
            score += runs(line) + finders(line);
        }
    }
    // Rule 2.
    for (a, b) in m.chunks_exact(w).zip(m.chunks_exact(w).skip(1)) {
        for x in 0..w - 1 {
            let c = a[x];
            if a[x + 1] == c && b[x] == c && b[x + 1] == c {
                score += 3;
            }
        }
    }
    // Rule 4.
    let dark = m.iter().filter(|d| **d).count();
    let percent = dark * 100 / m.len().max(1);
    let k = percent.abs_diff(50) / 5;
    score + 10 * k as u32
}

/// Rule 1 on one line: 3 + (n − 5) for each run of n ≥ 5 same-coloured modules.
fn runs(line: &[bool]) -> u32 {
    let mut score = 0;
    let mut run = 1u32;
    for pair in line.windows(2) {
        if pair[0] == pair[1] {
            run += 1;
        } else {
            if run >= 5 {
                score += 3 + (run - 5);
            }
            run = 1;
        }
    }
    if run >= 5 {
        score += 3 + (run - 5);
    }
    score
}

/// Rule 3 on one line: 40 for each dark-light-dark×3-light-dark core with four light modules
/// before or after it (outside the symbol counts as light). A 15-module window slides over the
/// line padded with four light modules each side: bits 14..11 are the four before the core,
/// bits 10..4 the core, bits 3..0 the four after.
fn finders(line: &[bool]) -> u32 {
    let w = line.len();
    if w < 7 {
        return 0;
    }
    let mut v: u32 = 0;
    let mut score = 0;
    for j in 0..w + 8 {
        let dark = j >= 4 && j < w + 4 && line[j - 4];
        v = ((v << 1) | u32::from(dark)) & 0x7FFF;
        if j >= 14 && v & 0x7F0 == 0x5D0 && (v & 0x7800 == 0 || v & 0xF == 0) {
            score += 40;
        }
    }
    score
}

/// Reads the module matrix back out of an SVG made by [`svg`] (for the tests).
#[cfg(test)]
fn matrix_of(svg: &str) -> Option<(usize, Vec<bool>)> {
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

    /// The straightforward reading of the rules, to check the fast one against.
    fn penalty_reference(m: &[bool], w: usize) -> u32 {
        let at = |x: usize, y: usize| m[y * w + x];
        let mut score = 0u32;
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
        for y in 0..w - 1 {
            for x in 0..w - 1 {
                let c = at(x, y);
                if at(x + 1, y) == c && at(x, y + 1) == c && at(x + 1, y + 1) == c {
                    score += 3;
                }
            }
        }
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
        let dark = m.iter().filter(|d| **d).count();
        let percent = dark * 100 / m.len().max(1);
        let k = percent.abs_diff(50) / 5;
        score + 10 * k as u32
    }

    #[test]
    fn fast_penalty_matches_the_reference() {
        // A small xorshift generator: deterministic matrices of several sizes and densities,
        // plus planted finder-like patterns so rule 3 is exercised.
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for w in [5usize, 7, 11, 21, 25, 41, 55, 56, 57, 64, 65, 120, 121, 125] {
            for density in [2u64, 3, 5] {
                let mut m: Vec<bool> = (0..w * w).map(|_| next() % density == 0).collect();
                if w >= 11 {
                    let core = [true, false, true, true, true, false, true];
                    let row = (next() as usize) % w;
                    let col = (next() as usize) % (w - 6);
                    for (k, d) in core.iter().enumerate() {
                        m[row * w + col + k] = *d;
                        m[(col + k) * w + row] = *d;
                    }
                }
                let expected = penalty_reference(&m, w);
                assert_eq!(penalty(&m, w), expected, "w={w}");
                assert_eq!(penalty_lines(&m, w), expected, "w={w}, line by line");
                if w <= 120 {
                    assert_eq!(penalty_u128(&m, w), expected, "w={w}, u128");
                }
            }
        }
    }

    #[test]
    fn penalty_counts_each_rule() {
        // 5x5 all light: rule 1 gives 5 rows + 5 columns of a run of 5 (3 each), rule 2 gives
        // 16 blocks (3 each), rule 4 gives 10 × 10.
        let m = vec![false; 25];
        assert_eq!(penalty(&m, 5), 30 + 48 + 100);
    }

    #[test]
    fn masks_like_the_crate() {
        use qrcode::canvas::{Canvas, MaskPattern};
        let patterns = [
            MaskPattern::Checkerboard,
            MaskPattern::HorizontalLines,
            MaskPattern::VerticalLines,
            MaskPattern::DiagonalLines,
            MaskPattern::LargeCheckerboard,
            MaskPattern::Fields,
            MaskPattern::Diamonds,
            MaskPattern::Meadow,
        ];
        // URLs from one character to versions past 56 modules (the `u128` scorer).
        for n in [1usize, 10, 20, 40, 70, 100, 150, 250, 400, 700] {
            let url: String = "https://example.org/enterprises/e00001-storage/cards/3/"
                .chars()
                .cycle()
                .take(n)
                .collect();
            let bits = qrcode::bits::encode_auto(url.as_bytes(), qrcode::EcLevel::M).unwrap();
            let version = bits.version();
            let raw = bits.into_bytes();
            let (encoded, ec) =
                qrcode::ec::construct_codewords(&raw, version, qrcode::EcLevel::M).unwrap();
            let mut canvas = Canvas::new(version, qrcode::EcLevel::M);
            canvas.draw_all_functional_patterns();
            canvas.draw_data(&encoded, &ec);
            let w = version.width() as usize;
            let unmasked = Unmasked::of(&canvas, w);
            for (i, p) in patterns.iter().enumerate() {
                let mut c = canvas.clone();
                c.apply_mask(*p);
                let expected: Vec<bool> = c
                    .into_colors()
                    .into_iter()
                    .map(|x| x == qrcode::Color::Dark)
                    .collect();
                assert!(
                    unmasked.masked(i) == expected,
                    "{n} characters, pattern {i}: differs from the crate's masking"
                );
            }
            assert!(encode(&url).is_some());
        }
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
