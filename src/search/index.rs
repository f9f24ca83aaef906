//! Building the sharded index. Layout under `search/`:
//! - `meta.json`: document count, average length, shard count;
//! - `s/<n>.json`: `{term: postings}` for the terms whose FNV-1a hash falls in shard n. Postings are
//!   `doc,len,titleLen,headingHits,pos,pos…` entries (base 36, positions delta-coded) joined by `;`;
//! - `d/<doc>.json`: title, URL, text (truncated) and section anchors, fetched only for shown results.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::html_text::PageText;
use super::tokenize::{Span, spans_into};
use crate::render::Output;

/// Characters of page text kept in a result file (for the snippet).
pub const TEXT_LIMIT: usize = 6000;
/// Target bytes of one shard; the shard count follows from the total.
pub const SHARD_TARGET: usize = 24 * 1024;

#[derive(Debug, Default, Clone, Serialize)]
pub struct IndexStats {
    pub docs: usize,
    pub terms: usize,
    pub shards: usize,
    pub total_bytes: usize,
    pub largest_shard: usize,
}

#[derive(Serialize)]
struct Meta {
    v: u32,
    n: usize,
    avgdl: f64,
    shards: usize,
}

#[derive(Serialize)]
struct DocFile<'a> {
    t: &'a str,
    u: &'a str,
    x: String,
    /// [anchor, char offset, token position, heading]
    s: Vec<(&'a str, usize, u32, &'a str)>,
}

/// FNV-1a over UTF-8 bytes: simple enough to repeat exactly in the browser.
pub fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in s.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

pub fn shard_of(term: &str, shards: usize) -> usize {
    (fnv1a(term) as usize) % shards.max(1)
}

/// Appends `n` in base 36 to `out`.
pub fn push_b36(out: &mut String, mut n: u64) {
    const D: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = [0u8; 13];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = D[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    for b in &buf[i..] {
        out.push(*b as char);
    }
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

/// One document's entry for a term: (doc number, positions, heading hits).
type Posting<'a> = (usize, &'a [u32], u32);

/// One document reduced to what the index needs: its folded text, and each distinct term (a range
/// of that text) with its positions and how many of them fall in headings, sorted by term. Built per
/// page in parallel, with no allocation per token.
struct DocTerms {
    folded: String,
    /// (term start, term end, first index into `positions`, count, heading hits)
    terms: Vec<(u32, u32, u32, u32, u32)>,
    positions: Vec<u32>,
    title_len: u32,
    len: u32,
    section_pos: Vec<u32>,
}

impl DocTerms {
    fn term(&self, t: &(u32, u32, u32, u32, u32)) -> &str {
        &self.folded[t.0 as usize..t.1 as usize]
    }
    fn positions_of(&self, t: &(u32, u32, u32, u32, u32)) -> &[u32] {
        &self.positions[t.2 as usize..(t.2 + t.3) as usize]
    }
}

/// Tokenizes title then body (sections split so heading token ranges are known).
fn doc_terms(p: &PageText) -> DocTerms {
    let mut folded = String::with_capacity(p.title.len() + p.text.len() + 16);
    let mut spans: Vec<Span> = Vec::with_capacity(p.text.len() / 3);
    let title_len = spans_into(&p.title, 0, &mut folded, &mut spans);
    let mut pos = title_len + 1;
    let mut headings: Vec<(u32, u32)> = Vec::new();
    let mut section_pos = Vec::new();
    // Section offsets are in characters; walk the text once, converting them to byte offsets.
    let mut wanted = Vec::with_capacity(p.sections.len() * 2);
    for (_, off, h) in &p.sections {
        wanted.push(*off);
        wanted.push(off + h.chars().count());
    }
    let mut bytes_of: Vec<usize> = Vec::with_capacity(wanted.len());
    {
        let mut want = wanted.iter().peekable();
        for (ci, (bi, _)) in p.text.char_indices().enumerate() {
            while want.peek().is_some_and(|w| **w <= ci) {
                want.next();
                bytes_of.push(bi);
            }
        }
        while want.next().is_some() {
            bytes_of.push(p.text.len());
        }
    }
    let mut at = 0usize;
    for pair in bytes_of.chunks(2) {
        let start = pair[0].max(at);
        let end = pair[1].max(start);
        pos = spans_into(&p.text[at..start], pos, &mut folded, &mut spans);
        section_pos.push(pos);
        let h0 = pos;
        pos = spans_into(&p.text[start..end], pos, &mut folded, &mut spans);
        headings.push((h0, pos));
        at = end;
    }
    pos = spans_into(&p.text[at..], pos, &mut folded, &mut spans);
    let text_of = |s: &Span| &folded[s.start as usize..s.end as usize];
    // Any order that puts equal terms together will do. Most terms are CJK bigrams of 6 bytes, so
    // sort on a precomputed 8-byte prefix and the length; longer terms get a hash of their text
    // instead, and the rare doc where two different terms share a key is sorted by text.
    let key = |s: &Span| -> (u64, u32) {
        let b = text_of(s).as_bytes();
        if b.len() <= 8 {
            let mut k = [0u8; 8];
            k[..b.len()].copy_from_slice(b);
            (u64::from_be_bytes(k), b.len() as u32)
        } else {
            (fnv1a(text_of(s)) as u64 | (1 << 63), b.len() as u32)
        }
    };
    let mut keyed: Vec<((u64, u32), Span)> = spans.iter().map(|s| (key(s), *s)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.pos.cmp(&b.1.pos)));
    let clash = keyed
        .windows(2)
        .any(|w| w[0].0 == w[1].0 && w[0].0.1 > 8 && text_of(&w[0].1) != text_of(&w[1].1));
    if clash {
        keyed.sort_unstable_by(|a, b| text_of(&a.1).cmp(text_of(&b.1)).then(a.1.pos.cmp(&b.1.pos)));
    }
    let spans: Vec<Span> = keyed.into_iter().map(|(_, s)| s).collect();
    let mut terms: Vec<(u32, u32, u32, u32, u32)> = Vec::new();
    let mut positions: Vec<u32> = Vec::with_capacity(spans.len());
    for sp in &spans {
        // Heading ranges are in order and do not overlap: find the last one starting at or before.
        let k = headings.partition_point(|(a, _)| *a <= sp.pos);
        let in_heading = (k > 0 && sp.pos < headings[k - 1].1) as u32;
        let same = terms
            .last()
            .is_some_and(|t| folded[t.0 as usize..t.1 as usize] == *text_of(sp));
        if same {
            if let Some(t) = terms.last_mut() {
                t.3 += 1;
                t.4 += in_heading;
            }
        } else {
            terms.push((sp.start, sp.end, positions.len() as u32, 1, in_heading));
        }
        positions.push(sp.pos);
    }
    DocTerms {
        folded,
        terms,
        positions,
        title_len,
        len: pos,
        section_pos,
    }
}

/// Indexes every HTML page of `out` (except the search page and 404) and adds the index files.
pub fn build(out: &mut Output) -> IndexStats {
    let (files, stats) = index(out);
    out.files.extend(files);
    stats
}

/// The index files for the pages of `out`, without touching it.
pub fn index(out: &Output) -> (BTreeMap<String, Vec<u8>>, IndexStats) {
    let mut files = BTreeMap::new();
    let pages = &out.texts;
    let trace = std::env::var_os("DUALPREV_TRACE").is_some();
    let t0 = std::time::Instant::now();
    let docs_terms: Vec<DocTerms> = pages.par_iter().map(|(_, p)| doc_terms(p)).collect();
    if trace {
        eprintln!("trace: index terms {} ms", t0.elapsed().as_millis());
    }

    // term -> [(doc, positions, heading hits)]; docs are visited in order so postings stay sorted.
    let mut postings: std::collections::HashMap<&str, Vec<Posting>> =
        std::collections::HashMap::new();
    for (doc, dt) in docs_terms.iter().enumerate() {
        for t in &dt.terms {
            postings
                .entry(dt.term(t))
                .or_default()
                .push((doc, dt.positions_of(t), t.4));
        }
    }
    let total_len: u64 = docs_terms.iter().map(|t| t.len as u64).sum();
    let avgdl = if docs_terms.is_empty() {
        0.0
    } else {
        (total_len as f64 / docs_terms.len() as f64 * 100.0).round() / 100.0
    };

    if trace {
        eprintln!("trace: index merged {} ms", t0.elapsed().as_millis());
    }
    let mut postings: Vec<(&str, Vec<Posting>)> = postings.into_iter().collect();
    postings.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let encoded: Vec<(&str, String)> = postings
        .par_iter()
        .map(|(term, list)| {
            let mut s = String::new();
            for (i, (doc, pos, hits)) in list.iter().enumerate() {
                if i > 0 {
                    s.push(';');
                }
                let dt = &docs_terms[*doc];
                for (k, n) in [
                    *doc as u64,
                    dt.len as u64,
                    dt.title_len as u64,
                    *hits as u64,
                ]
                .into_iter()
                .enumerate()
                {
                    if k > 0 {
                        s.push(',');
                    }
                    push_b36(&mut s, n);
                }
                let mut prev = 0u32;
                for p in pos.iter() {
                    s.push(',');
                    push_b36(&mut s, (p - prev) as u64);
                    prev = *p;
                }
            }
            (*term, s)
        })
        .collect();
    if trace {
        eprintln!("trace: index encoded {} ms", t0.elapsed().as_millis());
    }
    let total: usize = encoded.iter().map(|(t, s)| t.len() + s.len() + 6).sum();
    let shards = total.div_ceil(SHARD_TARGET).max(1);
    let mut shard_maps: Vec<BTreeMap<&str, &str>> = vec![BTreeMap::new(); shards];
    for (term, s) in &encoded {
        shard_maps[shard_of(term, shards)].insert(term, s.as_str());
    }
    let mut stats = IndexStats {
        docs: pages.len(),
        terms: encoded.len(),
        shards,
        ..Default::default()
    };
    let shard_files: Vec<(String, Vec<u8>)> = shard_maps
        .par_iter()
        .enumerate()
        .map(|(i, m)| {
            (
                format!("search/s/{i}.json"),
                serde_json::to_vec(m).unwrap_or_default(),
            )
        })
        .collect();
    for (path, bytes) in shard_files {
        stats.total_bytes += bytes.len();
        stats.largest_shard = stats.largest_shard.max(bytes.len());
        files.insert(path, bytes);
    }
    let docs: Vec<(String, Vec<u8>)> = pages
        .par_iter()
        .zip(docs_terms.par_iter())
        .enumerate()
        .map(|(i, ((key, p), dt))| {
            let url = crate::model::markdown::encode_path(key);
            let f = DocFile {
                t: &p.title,
                u: &url,
                x: p.text.chars().take(TEXT_LIMIT).collect(),
                s: p.sections
                    .iter()
                    .zip(&dt.section_pos)
                    .map(|((a, off, h), tp)| (a.as_str(), *off, *tp, h.as_str()))
                    .collect(),
            };
            (
                format!("search/d/{}.json", b36(i as u64)),
                serde_json::to_vec(&f).unwrap_or_default(),
            )
        })
        .collect();
    for (path, bytes) in docs {
        stats.total_bytes += bytes.len();
        files.insert(path, bytes);
    }
    if trace {
        eprintln!("trace: index files {} ms", t0.elapsed().as_millis());
    }
    let meta = serde_json::to_vec(&Meta {
        v: 1,
        n: pages.len(),
        avgdl,
        shards,
    })
    .unwrap_or_default();
    stats.total_bytes += meta.len();
    files.insert("search/meta.json".into(), meta);
    (files, stats)
}
