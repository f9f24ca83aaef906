//! Building the sharded index. Layout under `search/`:
//! - `meta.json`: document count, average length, shard count;
//! - `s/<n>.json`: `{term: postings}` for the terms whose FNV-1a hash falls in shard n. Postings are
//!   `doc,len,titleLen,headingHits,pos,pos…` entries (base 36, positions delta-coded) joined by `;`;
//! - `d/<doc>.json`: title, URL, text (truncated) and section anchors, fetched only for shown results.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::html_text::PageText;
use super::tokenize::{Token, tokenize_into};
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

struct DocTokens {
    tokens: Vec<Token>,
    title_len: u32,
    len: u32,
    /// Token ranges of headings.
    headings: Vec<(u32, u32)>,
    section_pos: Vec<u32>,
}

/// Tokenizes title then body (sections split so heading token ranges are known).
fn doc_tokens(p: &PageText) -> DocTokens {
    let mut tokens = Vec::new();
    let title_len = tokenize_into(&p.title, 0, &mut tokens);
    let mut pos = title_len + 1;
    let chars: Vec<char> = p.text.chars().collect();
    let mut headings = Vec::new();
    let mut section_pos = Vec::new();
    let mut at = 0usize;
    for (_, off, h) in &p.sections {
        let off = (*off).min(chars.len());
        let before: String = chars[at.min(off)..off].iter().collect();
        pos = tokenize_into(&before, pos, &mut tokens);
        let hend = (off + h.chars().count()).min(chars.len());
        let head: String = chars[off..hend].iter().collect();
        let start = pos;
        section_pos.push(start);
        pos = tokenize_into(&head, pos, &mut tokens);
        headings.push((start, pos));
        at = hend;
    }
    let rest: String = chars[at.min(chars.len())..].iter().collect();
    pos = tokenize_into(&rest, pos, &mut tokens);
    DocTokens {
        tokens,
        title_len,
        len: pos,
        headings,
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
    let toks: Vec<DocTokens> = pages.par_iter().map(|(_, p)| doc_tokens(p)).collect();

    // term -> Vec<(doc, positions)>; docs are visited in order so postings stay sorted.
    let mut postings: BTreeMap<&str, Vec<(usize, Vec<u32>)>> = BTreeMap::new();
    for (doc, dt) in toks.iter().enumerate() {
        let mut per_doc: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for t in &dt.tokens {
            per_doc.entry(t.text.as_str()).or_default().push(t.pos);
        }
        for (term, pos) in per_doc {
            postings.entry(term).or_default().push((doc, pos));
        }
    }
    let total_len: u64 = toks.iter().map(|t| t.len as u64).sum();
    let avgdl = if toks.is_empty() {
        0.0
    } else {
        (total_len as f64 / toks.len() as f64 * 100.0).round() / 100.0
    };

    let encoded: Vec<(&str, String)> = postings
        .par_iter()
        .map(|(term, list)| {
            let mut s = String::new();
            for (i, (doc, pos)) in list.iter().enumerate() {
                if i > 0 {
                    s.push(';');
                }
                let dt = &toks[*doc];
                let heading_hits = pos
                    .iter()
                    .filter(|p| dt.headings.iter().any(|(a, b)| **p >= *a && **p < *b))
                    .count();
                s.push_str(&format!(
                    "{},{},{},{}",
                    b36(*doc as u64),
                    b36(dt.len as u64),
                    b36(dt.title_len as u64),
                    b36(heading_hits as u64)
                ));
                let mut prev = 0u32;
                for p in pos {
                    s.push(',');
                    s.push_str(&b36((p - prev) as u64));
                    prev = *p;
                }
            }
            (*term, s)
        })
        .collect();
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
        .zip(toks.par_iter())
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
