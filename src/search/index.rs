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

/// One document reduced to what the index needs: each distinct term with its positions and how
/// many of them fall in headings, sorted by term. Built per page in parallel; the tokens
/// themselves are dropped at once, which keeps memory flat on large sites.
struct DocTerms {
    terms: Vec<(Box<str>, Vec<u32>, u32)>,
    title_len: u32,
    len: u32,
    section_pos: Vec<u32>,
}

/// Tokenizes title then body (sections split so heading token ranges are known).
fn doc_terms(p: &PageText) -> DocTerms {
    let mut tokens: Vec<Token> = Vec::new();
    let title_len = tokenize_into(&p.title, 0, &mut tokens);
    let mut pos = title_len + 1;
    let mut headings: Vec<(u32, u32)> = Vec::new();
    let mut section_pos = Vec::new();
    // Section offsets are in characters; walk the text once, converting them to byte offsets.
    let mut byte_at_char = Vec::with_capacity(p.sections.len() * 2);
    for (_, off, h) in &p.sections {
        byte_at_char.push(*off);
        byte_at_char.push(off + h.chars().count());
    }
    let mut bytes_of: Vec<usize> = Vec::with_capacity(byte_at_char.len());
    {
        let mut want = byte_at_char.iter().peekable();
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
        let (start, end) = (pair[0].max(at), pair[1].max(pair[0].max(at)));
        pos = tokenize_into(&p.text[at..start], pos, &mut tokens);
        section_pos.push(pos);
        let h0 = pos;
        pos = tokenize_into(&p.text[start..end], pos, &mut tokens);
        headings.push((h0, pos));
        at = end;
    }
    pos = tokenize_into(&p.text[at..], pos, &mut tokens);
    tokens.sort_by(|a, b| a.text.cmp(&b.text).then(a.pos.cmp(&b.pos)));
    let mut terms: Vec<(Box<str>, Vec<u32>, u32)> = Vec::new();
    for t in tokens {
        let in_heading = headings.iter().any(|(a, b)| t.pos >= *a && t.pos < *b) as u32;
        match terms.last_mut() {
            Some((term, positions, hits)) if **term == *t.text => {
                positions.push(t.pos);
                *hits += in_heading;
            }
            _ => terms.push((t.text.into_boxed_str(), vec![t.pos], in_heading)),
        }
    }
    DocTerms {
        terms,
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
    let docs_terms: Vec<DocTerms> = pages.par_iter().map(|(_, p)| doc_terms(p)).collect();

    // term -> [(doc, positions, heading hits)]; docs are visited in order so postings stay sorted.
    let mut postings: std::collections::HashMap<&str, Vec<(usize, &[u32], u32)>> =
        std::collections::HashMap::new();
    for (doc, dt) in docs_terms.iter().enumerate() {
        for (term, pos, hits) in &dt.terms {
            postings.entry(term).or_default().push((doc, pos, *hits));
        }
    }
    let total_len: u64 = docs_terms.iter().map(|t| t.len as u64).sum();
    let avgdl = if docs_terms.is_empty() {
        0.0
    } else {
        (total_len as f64 / docs_terms.len() as f64 * 100.0).round() / 100.0
    };

    let mut postings: Vec<(&str, Vec<(usize, &[u32], u32)>)> = postings.into_iter().collect();
    postings.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let encoded: Vec<(&str, String)> = postings
        .par_iter()
        .map(|(term, list)| {
            use std::fmt::Write as _;
            let mut s = String::new();
            for (i, (doc, pos, hits)) in list.iter().enumerate() {
                if i > 0 {
                    s.push(';');
                }
                let dt = &docs_terms[*doc];
                let _ = write!(
                    s,
                    "{},{},{},{}",
                    b36(*doc as u64),
                    b36(dt.len as u64),
                    b36(dt.title_len as u64),
                    b36(*hits as u64)
                );
                let mut prev = 0u32;
                for p in pos.iter() {
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
