//! The index's file format, shared by the writer ([`super::index`]) and the reader
//! ([`super::query`]; `static/js/search.js` reads the varint alphabet from `meta.json`): sizes,
//! weights, the shard hash, document ids in base 36, the posting-list codec and the codec of the
//! characters that follow a bigram (which let a query rule out a phrase without reading pages).

/// BM25 parameters of the impacts (applied when indexing; queries only add impacts up).
pub(crate) const K1: f64 = 1.2;
pub(crate) const B: f64 = 0.75;

/// Target bytes of one shard; the shard count follows from the total.
pub(crate) const SHARD_TARGET: usize = 4 * 1024;
/// Posting strings longer than this get a file of their own instead of a place in a shard.
pub(crate) const LIST_INLINE: usize = 1024;
/// Scale of the whole-number impacts (BM25 weight × this, rounded).
pub(crate) const IMPACT_SCALE: f64 = 30.0;
/// Extra weight of a term occurrence in the title and in a heading.
pub(crate) const TITLE_WEIGHT: u32 = 3;
pub(crate) const HEADING_WEIGHT: u32 = 1;

/// FNV-1a over UTF-8 bytes: simple enough to repeat exactly in the browser.
pub fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in s.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

pub(crate) fn shard_of(term: &str, shards: usize) -> usize {
    (fnv1a(term) as usize) % shards.max(1)
}

pub fn b36(mut n: u64) -> String {
    const D: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".into();
    }
    let mut buf = Vec::new();
    while n > 0 {
        buf.push(D[(n % 36) as usize]);
        n /= 36;
    }
    buf.reverse();
    String::from_utf8(buf).unwrap_or_default()
}

/// The part of [`impact_of`] that depends only on the term: computed once per posting list.
pub(crate) fn idf(df: usize, n: usize) -> f64 {
    let (n, df) = (n as f64, df as f64);
    ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
}

/// The part of [`impact_of`] that depends only on the page: computed once per page.
pub(crate) fn length_norm(len: u32, avgdl: f64) -> f64 {
    1.0 - B + B * len as f64 / avgdl.max(1.0)
}

/// A term's BM25 weight in one document, as a whole number: the browser only adds these up, so
/// Rust and JavaScript rank identically with no floating point on the query side.
/// Takes the term's [`idf`] and the page's [`length_norm`].
pub(crate) fn impact_of(weighted_tf: u32, idf: f64, norm: f64) -> u32 {
    let tf = weighted_tf as f64;
    let score = idf * tf * (K1 + 1.0) / (tf + K1 * norm);
    ((score * IMPACT_SCALE).round() as u32).max(1)
}

/// Characters of page text per chunk.
pub(crate) const CHUNK: usize = 500;

/// Characters of the posting alphabet: the first 32 end a number, the last 32 say more follow.
pub(crate) const VARINT_DIGITS: &[u8; 64] =
    b"0123456789abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_";

/// Appends `n` as base-32 digits, most significant first, every digit but the last marked.
pub(crate) fn push_varint(out: &mut String, n: u64) {
    let mut groups = [0u8; 13];
    let mut k = 0;
    let mut v = n;
    loop {
        groups[k] = (v & 31) as u8;
        k += 1;
        v >>= 5;
        if v == 0 {
            break;
        }
    }
    for i in (0..k).rev() {
        let d = groups[i] + if i > 0 { 32 } else { 0 };
        out.push(VARINT_DIGITS[d as usize] as char);
    }
}

/// Decodes a posting string: `(doc, impact)` pairs, doc numbers delta-coded.
pub fn decode_postings(s: &str) -> Vec<(u64, u32)> {
    let mut nums = Vec::with_capacity(s.len());
    let mut acc = 0u64;
    for b in s.bytes() {
        let Some(d) = digit_of(b) else {
            continue;
        };
        if d >= 32 {
            acc = (acc << 5) | (d as u64 - 32);
        } else {
            nums.push((acc << 5) | d as u64);
            acc = 0;
        }
    }
    let mut doc = 0u64;
    nums.chunks_exact(2)
        .map(|c| {
            doc += c[0];
            (doc, c[1] as u32)
        })
        .collect()
}

/// Buckets of the "what follows" codes: a character's code point modulo this.
pub(crate) const FOLLOW_BUCKETS: u32 = 4096;
/// A count digit that means "too many different characters follow to list": any may.
const FOLLOW_ANY: usize = 63;
/// The largest chunk number a follow code records (later chunks are recorded as this).
pub(crate) const FOLLOW_CHUNK_MAX: u8 = 63;

/// A character that follows a bigram in a page: its code, and the first text chunk where it
/// does (0 also for the title). A phrase cannot start before that chunk, so a reader of a long
/// page can skip the chunks before it.
pub type Follow = (u16, u8);

/// The code of a character that follows a bigram: two alphabet digits of 6 bits.
pub(crate) fn follow_code(c: char) -> u16 {
    (c as u32 % FOLLOW_BUCKETS) as u16
}

/// Appends the follow codes of one posting: their count as one digit, then each code as two
/// digits and its chunk as one; [`FOLLOW_ANY`] alone when there are that many or more. `codes`
/// is sorted and distinct by code.
pub(crate) fn push_follows(out: &mut String, codes: &[Follow]) {
    if codes.len() >= FOLLOW_ANY {
        out.push(VARINT_DIGITS[FOLLOW_ANY] as char);
        return;
    }
    out.push(VARINT_DIGITS[codes.len()] as char);
    for (c, chunk) in codes {
        out.push(VARINT_DIGITS[(c >> 6) as usize] as char);
        out.push(VARINT_DIGITS[(c & 63) as usize] as char);
        out.push(VARINT_DIGITS[(*chunk).min(FOLLOW_CHUNK_MAX) as usize] as char);
    }
}

/// Follow codes of a long list longer than this are split by code into files of about this size
/// (`n/<key>-<b>.txt`), so that a query fetches only the part holding its code: a bigram on
/// every page with many different characters after it would otherwise cost hundreds of KB.
pub(crate) const FOLLOW_SPLIT: usize = 4096;

/// How many parts the follow codes of a list take (1: one dense file).
pub(crate) fn follow_parts(follows_len: usize) -> usize {
    follows_len.div_ceil(FOLLOW_SPLIT).clamp(1, 64)
}

/// Decodes one part of split follow codes for a list of `n` postings (written by
/// `follow_files` in the index). A part is inverted, by code: first the postings any character
/// may follow (their count, then each as the number of postings skipped since the last one
/// listed), then for each code of the part: the code as two digits, the number of postings it
/// follows, and each of those postings as the postings skipped and the first chunk. A code that
/// follows a bigram on thousands of pages thus costs two characters a page, and the part holds
/// nothing for pages where no code of it follows.
pub fn decode_follows_part(s: &str, n: usize) -> Vec<Option<Vec<Follow>>> {
    let mut out: Vec<Option<Vec<Follow>>> = vec![Some(Vec::new()); n];
    let b = s.as_bytes();
    let mut i = 0usize;
    let any = read_varint(b, &mut i);
    let mut at = 0usize;
    for _ in 0..any {
        at += read_varint(b, &mut i) as usize;
        if let Some(slot) = out.get_mut(at) {
            *slot = None;
        }
        at += 1;
    }
    while i + 2 <= b.len() {
        let code = ((digit(b[i]) << 6) | digit(b[i + 1])) as u16;
        i += 2;
        let count = read_varint(b, &mut i);
        let mut at = 0usize;
        for _ in 0..count {
            at += read_varint(b, &mut i) as usize;
            let chunk = b.get(i).map_or(0, |c| digit(*c)) as u8;
            i += 1;
            if let Some(Some(codes)) = out.get_mut(at) {
                codes.push((code, chunk));
            }
            at += 1;
        }
    }
    out
}

/// Appends one code's section of a split part (see [`decode_follows_part`]): the postings
/// (indices into the list, ascending) it follows, each with its first chunk.
pub(crate) fn push_code_section(
    out: &mut String,
    code: u16,
    postings: impl ExactSizeIterator<Item = (u32, u8)>,
) {
    out.push(VARINT_DIGITS[(code >> 6) as usize] as char);
    out.push(VARINT_DIGITS[(code & 63) as usize] as char);
    push_varint(out, postings.len() as u64);
    let mut next = 0u32;
    for (at, chunk) in postings {
        push_varint(out, (at - next) as u64);
        out.push(VARINT_DIGITS[chunk.min(FOLLOW_CHUNK_MAX) as usize] as char);
        next = at + 1;
    }
}

/// Decodes a follows string into one entry per posting: `None` when any character may follow,
/// else the codes of those that do, each with its first chunk.
pub fn decode_follows(s: &str) -> Vec<Option<Vec<Follow>>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        out.push(read_follows(b, &mut i));
    }
    out
}

/// One posting's follow codes from byte `*i` on, as [`push_follows`] writes them; `*i` ends past
/// them.
fn read_follows(b: &[u8], i: &mut usize) -> Option<Vec<Follow>> {
    read_follows_raw(b, i).map(|raw| raw.chunks_exact(3).map(follow_of).collect())
}

/// [`read_follows`] without decoding: the posting's codes as written, three characters each
/// (`None` when any character may follow). Lets the index walk a long list allocating nothing.
pub(crate) fn read_follows_raw<'b>(b: &'b [u8], i: &mut usize) -> Option<&'b [u8]> {
    let n = digit(b[*i]);
    *i += 1;
    if n == FOLLOW_ANY {
        return None;
    }
    let start = *i;
    *i = (start + 3 * n).min(b.len());
    Some(&b[start..start + (*i - start) / 3 * 3])
}

/// One code and its chunk from the three characters [`push_follows`] writes.
pub(crate) fn follow_of(c: &[u8]) -> Follow {
    (((digit(c[0]) << 6) | digit(c[1])) as u16, digit(c[2]) as u8)
}

/// One varint from byte `*i` on, as [`push_varint`] writes it; `*i` ends past it.
pub(crate) fn read_varint(b: &[u8], i: &mut usize) -> u64 {
    let mut v = 0u64;
    while *i < b.len() {
        let d = digit(b[*i]) as u64;
        *i += 1;
        if d >= 32 {
            v = (v << 5) | (d - 32);
        } else {
            return (v << 5) | d;
        }
    }
    v
}

/// The value of one character of the posting alphabet ([`VARINT_DIGITS`]), `None` for any other.
pub(crate) fn digit_of(x: u8) -> Option<usize> {
    match x {
        b'0'..=b'9' => Some((x - b'0') as usize),
        b'a'..=b'v' => Some((x - b'a') as usize + 10),
        b'A'..=b'Z' => Some((x - b'A') as usize + 32),
        b'w'..=b'z' => Some((x - b'w') as usize + 58),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// [`digit_of`], reading any other character as 0 (the index writes none).
pub(crate) fn digit(x: u8) -> usize {
    digit_of(x).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        let pairs: Vec<(u64, u32)> =
            vec![(0, 1), (1, 31), (33, 32), (1000, 1023), (70_000, 1 << 20)];
        let mut s = String::new();
        let mut prev = 0;
        for (d, i) in &pairs {
            push_varint(&mut s, d - prev);
            push_varint(&mut s, *i as u64);
            prev = *d;
        }
        assert_eq!(decode_postings(&s), pairs);
        let mut one = String::new();
        push_varint(&mut one, 31);
        push_varint(&mut one, 32);
        assert_eq!(
            one, "vB0",
            "31 is one final digit; 32 is continuation 1 then final 0"
        );
    }

    #[test]
    fn digit_values_follow_the_alphabet() {
        for (i, c) in VARINT_DIGITS.iter().enumerate() {
            assert_eq!(digit_of(*c), Some(i), "{}", *c as char);
        }
        assert_eq!(digit_of(b'.'), None);
        assert_eq!(digit_of(b'@'), None);
    }

    #[test]
    fn follows_round_trip() {
        let mut s = String::new();
        push_follows(&mut s, &[]);
        push_follows(&mut s, &[(follow_code('涉'), 0), (4095, 9)]);
        let many: Vec<Follow> = (0..70).map(|c| (c, 1)).collect();
        push_follows(&mut s, &many);
        push_follows(&mut s, &[(7, 200)]);
        assert_eq!(
            decode_follows(&s),
            vec![
                Some(vec![]),
                Some(vec![(follow_code('涉'), 0), (4095, 9)]),
                None,
                Some(vec![(7, 63)])
            ]
        );
        assert_eq!(follow_code('涉'), ('涉' as u32 % 4096) as u16);
    }

    #[test]
    fn split_follows_round_trip() {
        let mut s = String::new();
        // Postings 3 and 10 may be followed by anything.
        push_varint(&mut s, 2);
        push_varint(&mut s, 3);
        push_varint(&mut s, 6);
        push_code_section(&mut s, 16, [(2, 0)].into_iter());
        push_code_section(&mut s, 32, [(2, 3), (44, 70)].into_iter());
        let d = decode_follows_part(&s, 45);
        assert_eq!(d.len(), 45);
        assert_eq!(d[2], Some(vec![(16, 0), (32, 3)]));
        assert_eq!(d[3], None);
        assert_eq!(d[10], None);
        assert_eq!(d[44], Some(vec![(32, FOLLOW_CHUNK_MAX)]));
        assert_eq!(d[0], Some(vec![]));
        assert_eq!(d[43], Some(vec![]));
        assert_eq!(
            decode_follows_part("0", 2),
            vec![Some(vec![]), Some(vec![])]
        );
        assert_eq!(follow_parts(100), 1);
        assert_eq!(follow_parts(FOLLOW_SPLIT * 3 + 1), 4);
        assert_eq!(follow_parts(usize::MAX / 2), 64);
    }

    fn impact(weighted_tf: u32, len: u32, df: usize, n: usize, avgdl: f64) -> u32 {
        impact_of(weighted_tf, idf(df, n), length_norm(len, avgdl))
    }

    #[test]
    fn impact_is_bm25_times_30_rounded() {
        // Worked by hand: idf = ln((10 − 1 + 0.5)/(1 + 0.5) + 1) = 1.99243; a document of average
        // length has norm 1, so score = idf × 2.2 / 2.2 = 1.99243 → × 30 = 59.77 → 60.
        assert_eq!(impact(1, 100, 1, 10, 100.0), 60);
        // Twice the average length, tf 3, df 2: idf = ln(8.5/2.5 + 1) = 1.48160,
        // norm = 0.25 + 0.75 × 2 = 1.75, score = 1.48160 × 3 × 2.2 / (3 + 2.1) = 1.91737 → 57.52 → 58.
        assert_eq!(impact(3, 200, 2, 10, 100.0), 58);
    }

    #[test]
    fn impact_grows_with_count_and_rarity() {
        assert!(impact(3, 100, 10, 1000, 100.0) > impact(1, 100, 10, 1000, 100.0));
        assert!(impact(1, 100, 10, 1000, 100.0) > impact(1, 100, 500, 1000, 100.0));
        assert!(impact(1, 50, 10, 1000, 100.0) > impact(1, 400, 10, 1000, 100.0));
        assert!(impact(1, 100, 1000, 1000, 100.0) >= 1);
    }
}
