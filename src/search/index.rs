//! Building the sharded index. Layout under `search/`:
//! - `meta.json`: format version, document count, shard count, the varint alphabet `d`;
//! - `s/<n>.json`: `{term: postings}` for the terms whose FNV-1a hash falls in shard n. Postings are
//!   `(doc, impact)` pairs in doc order (doc numbers delta-coded), written with the 64-character
//!   varint alphabet [`VARINT_DIGITS`](super::format::VARINT_DIGITS); a long list is kept in `l/<key>.txt` and its shard entry is
//!   `@<key>`, so a shard stays small and a query fetches only the lists it needs;
//! - `d/<doc>.json`: title, URL, section anchors, where the page belongs `w` (see [`place`]), the
//!   number of text chunks `n` and the first chunk `x` of the page text; chunk k ≥ 1 is
//!   `x/<doc>-<k>.txt`. The query side reads chunks in order until it has seen what it looks for:
//!   CJK phrases are confirmed against the text, so postings need no positions, and a long page
//!   costs only the chunks up to its first match.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use super::format::{
    CHUNK, HEADING_WEIGHT, LIST_INLINE, SHARD_TARGET, TITLE_WEIGHT, VARINT_DIGITS, b36, impact,
    push_varint, shard_of,
};
use super::tokenize::{Span, spans_into};
use crate::page_text::PageText;
use crate::render::Output;

#[derive(Debug, Default, Clone, Serialize)]
pub struct IndexStats {
    pub docs: usize,
    pub shards: usize,
    pub total_bytes: usize,
    pub largest_shard: usize,
    /// Posting lists kept in files of their own (`l/`), and the largest of them.
    pub lists: usize,
    pub largest_list: usize,
}

#[derive(Serialize)]
struct Meta {
    v: u32,
    n: usize,
    shards: usize,
    /// The posting alphabet, so the browser script does not keep a copy of it.
    d: &'static str,
}

#[derive(Serialize)]
struct DocFile<'a> {
    t: &'a str,
    u: &'a str,
    x: &'a str,
    n: usize,
    /// [anchor, char offset] of each section, so a result can link to the heading above its match
    s: Vec<(&'a str, usize)>,
    /// Where the page belongs (see [`place`]): a line under the result's title.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    w: Vec<String>,
}

/// Where a page belongs, for its result line: the titles of the pages above it, less the site
/// root and less the top section when a nearer parent names the page better (a manual rather than
/// 指导手册), each without a trailing （…） remark; then 第N章 when the page is a numbered chapter
/// of such a parent (from its title, `08 …` or `第8章 …`, else its file name, `08-…`).
pub(crate) fn place(
    key: &str,
    title: &str,
    title_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    let parts: Vec<&str> = key.split('/').filter(|p| !p.is_empty()).collect();
    let mut out: Vec<String> = (1..parts.len())
        .filter_map(|i| title_of(&format!("{}/", parts[..i].join("/"))))
        .map(|t| without_remark(&t).to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if out.len() > 1 {
        out.remove(0);
        let n = chapter_number(title).or_else(|| parts.last().and_then(|s| leading_number(s, '-')));
        if let Some(n) = n {
            out.push(format!("第{n}章"));
        }
    }
    out
}

/// `小微企业指导手册（本镇工作版）` → `小微企业指导手册`.
fn without_remark(t: &str) -> &str {
    let t = t.trim();
    match t
        .strip_suffix('）')
        .and_then(|r| r.rfind('（').map(|i| &t[..i]))
    {
        Some(head) if !head.trim().is_empty() => head.trim_end(),
        _ => t,
    }
}

/// The chapter number a title starts with: `第8章 …` or `08 …`.
fn chapter_number(title: &str) -> Option<u32> {
    let t = title.trim();
    if let Some(rest) = t.strip_prefix('第') {
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        return rest[digits.len()..]
            .starts_with('章')
            .then(|| digits.parse().ok())
            .flatten();
    }
    leading_number(t, ' ')
}

/// One to three digits at the start of `s` followed by `sep`, as a number (`08-records` → 8).
fn leading_number(s: &str, sep: char) -> Option<u32> {
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let ok = (1..=3).contains(&digits.len()) && s[digits.len()..].starts_with(sep);
    ok.then(|| digits.parse().ok()).flatten().filter(|n| *n > 0)
}

/// One document reduced to what the index needs: its folded text, and each distinct term (a range
/// of that text) with its weighted count, sorted by term. Built per page in parallel, with no
/// allocation per token.
struct DocTerms {
    folded: String,
    terms: Vec<Term>,
    /// `terms[parts[p]..parts[p + 1]]` are the terms of partition p.
    parts: [u32; PARTS + 1],
    len: u32,
}

/// One distinct term of a document: its text as a range of the folded buffer, its weighted count
/// (occurrences plus title and heading bonuses), its bytes as a number when it has at most 8
/// (0 otherwise), and its merge partition.
#[derive(Clone, Copy)]
struct Term {
    start: u32,
    end: u32,
    weight: u32,
    key: u64,
    part: u32,
}

impl DocTerms {
    fn term(&self, t: &Term) -> &str {
        &self.folded[t.start as usize..t.end as usize]
    }
}

/// How the merge tells terms apart: short terms by their bytes, long ones by their text.
#[derive(PartialEq, Eq, Hash)]
enum TermKey<'a> {
    Short(u64),
    Long(&'a str),
}

/// Tokenizes title then body (sections split so heading token ranges are known).
fn doc_terms(p: &PageText) -> DocTerms {
    let mut folded = String::with_capacity(p.title.len() + p.text.len() + 16);
    let mut spans: Vec<Span> = Vec::with_capacity(p.text.len() / 3);
    let (title_len, headings, len) = tokenize_page(p, &mut folded, &mut spans);
    let terms = weigh_terms(&folded, &spans, title_len, &headings);
    let (terms, parts) = group_by_part(terms);
    DocTerms {
        folded,
        terms,
        parts,
        len,
    }
}

/// The page's tokens into `folded` and `spans`, title first, so that weights can tell title and
/// heading tokens: returns where the title's positions end, each heading's range of positions,
/// and the next free position (the page's length).
fn tokenize_page(
    p: &PageText,
    folded: &mut String,
    spans: &mut Vec<Span>,
) -> (u32, Vec<(u32, u32)>, u32) {
    let title_len = spans_into(&p.title, 0, folded, spans);
    let mut pos = title_len + 1;
    let mut headings: Vec<(u32, u32)> = Vec::new();
    let mut at = 0usize;
    for pair in heading_bytes(p).chunks(2) {
        let start = pair[0].max(at);
        let end = pair[1].max(start);
        pos = spans_into(&p.text[at..start], pos, folded, spans);
        let h0 = pos;
        pos = spans_into(&p.text[start..end], pos, folded, spans);
        headings.push((h0, pos));
        at = end;
    }
    pos = spans_into(&p.text[at..], pos, folded, spans);
    (title_len, headings, pos)
}

/// Start and end of each section's heading in the page text as byte offsets, in pairs: section
/// offsets are in characters, so the text is walked once to convert them.
fn heading_bytes(p: &PageText) -> Vec<usize> {
    let mut wanted = Vec::with_capacity(p.sections.len() * 2);
    for (_, off, h) in &p.sections {
        wanted.push(*off);
        wanted.push(off + h.chars().count());
    }
    let mut bytes_of: Vec<usize> = Vec::with_capacity(wanted.len());
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
    bytes_of
}

/// Distinct terms with their weighted counts, in first-seen order. Nearly every term is a CJK
/// bigram of 6 bytes: those (and any term of up to 8 bytes) are keyed by their bytes as a u64,
/// the rest by their text.
fn weigh_terms(folded: &str, spans: &[Span], title_len: u32, headings: &[(u32, u32)]) -> Vec<Term> {
    let mut short: HashMap<u64, u32, Fast> =
        HashMap::with_capacity_and_hasher(spans.len() / 2, Fast);
    let mut long: HashMap<&str, u32, Fast> = HashMap::with_hasher(Fast);
    let mut terms: Vec<Term> = Vec::with_capacity(spans.len() / 2);
    // Spans come in position order, and so do the heading ranges: one cursor walks both.
    let mut h = 0;
    for sp in spans {
        while h < headings.len() && headings[h].1 <= sp.pos {
            h += 1;
        }
        let in_heading = h < headings.len() && headings[h].0 <= sp.pos;
        let weight = 1
            + if sp.pos < title_len { TITLE_WEIGHT } else { 0 }
            + if in_heading { HEADING_WEIGHT } else { 0 };
        let text = &folded[sp.start as usize..sp.end as usize];
        let next = terms.len() as u32;
        let key = short_key(text);
        let slot = match key {
            Some(k) => *short.entry(k).or_insert(next),
            None => *long.entry(text).or_insert(next),
        };
        if slot == next {
            let part = match key {
                Some(k) => part_of_short(k),
                None => part_of(text),
            };
            terms.push(Term {
                start: sp.start,
                end: sp.end,
                weight,
                key: key.unwrap_or(0),
                part: part as u32,
            });
        } else {
            terms[slot as usize].weight += weight;
        }
    }
    terms
}

/// The terms grouped by partition (see `index`), so each partition's merge reads only its own
/// terms, with where each partition starts.
fn group_by_part(terms: Vec<Term>) -> (Vec<Term>, [u32; PARTS + 1]) {
    let mut counts = [0u32; PARTS + 1];
    for t in &terms {
        counts[t.part as usize + 1] += 1;
    }
    for i in 1..=PARTS {
        counts[i] += counts[i - 1];
    }
    let parts = counts;
    let mut order: Vec<u32> = vec![0; terms.len()];
    for (i, t) in terms.iter().enumerate() {
        let p = t.part as usize;
        order[counts[p] as usize] = i as u32;
        counts[p] += 1;
    }
    let terms: Vec<Term> = order.iter().map(|i| terms[*i as usize]).collect();
    (terms, parts)
}

/// `text` cut into pieces of `size` characters.
fn chunks(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut count = 0;
    for (b, _) in text.char_indices() {
        if count == size {
            out.push(&text[start..b]);
            start = b;
            count = 0;
        }
        count += 1;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The postings are merged in this many partitions of the terms, in parallel.
const PARTS: usize = 16;

fn part_of(t: &str) -> usize {
    use std::hash::BuildHasher;
    (Fast.hash_one(t) >> 32) as usize % PARTS
}

/// A term of up to 8 bytes as a number. Terms hold no NUL (the tokenizer drops it), so the
/// zero padding keeps terms of different lengths apart.
fn short_key(t: &str) -> Option<u64> {
    let b = t.as_bytes();
    (b.len() <= 8).then(|| {
        let mut k = [0u8; 8];
        k[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(k)
    })
}

fn part_of_short(k: u64) -> usize {
    (k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize % PARTS
}

/// A small, fast hasher for the index's own maps (keys come from the site's text, not from
/// an attacker who could choose collisions at build time to any real effect).
#[derive(Clone, Copy, Default)]
struct Fast;

impl std::hash::BuildHasher for Fast {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut k = [0u8; 8];
            k[..c.len()].copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(k));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Indexes every HTML page of `out` (except the search page and 404) and adds the index files.
pub(crate) fn build(out: &mut Output) -> IndexStats {
    let (files, stats) = index(out);
    out.files.extend(files);
    stats
}

/// Each term with its `(doc, weighted tf)` list, docs in order.
type Postings<'t> = Vec<(&'t str, Vec<(u32, u32)>)>;

/// The index files for the pages of `out`, without touching it.
pub fn index(out: &Output) -> (BTreeMap<String, Vec<u8>>, IndexStats) {
    let mut files = BTreeMap::new();
    let pages = &out.texts;
    let docs_terms: Vec<DocTerms> = pages.par_iter().map(|(_, p)| doc_terms(p)).collect();
    let n = docs_terms.len();
    let postings = merge_postings(&docs_terms);
    let encoded = encode_postings(&docs_terms, &postings);
    drop(postings);
    let mut stats = IndexStats {
        docs: n,
        ..Default::default()
    };
    let inline = long_lists_apart(encoded, &mut files, &mut stats);
    let shards = add_shards(&inline, &mut files, &mut stats);
    for (path, bytes) in doc_files(pages).into_iter().flatten() {
        stats.total_bytes += bytes.len();
        files.insert(path, bytes);
    }
    let meta = serde_json::to_vec(&Meta {
        v: 2,
        n,
        shards,
        d: std::str::from_utf8(VARINT_DIGITS).unwrap_or_default(),
    })
    .unwrap_or_default();
    stats.total_bytes += meta.len();
    files.insert("search/meta.json".into(), meta);
    (files, stats)
}

/// term -> [(doc, weighted tf)], sorted by term: built in parallel over partitions of the terms;
/// docs are visited in order so postings stay sorted.
fn merge_postings(docs_terms: &[DocTerms]) -> Postings<'_> {
    let parts: Vec<Postings> = (0..PARTS)
        .into_par_iter()
        .map(|part| {
            type Entry<'t> = (&'t str, Vec<(u32, u32)>);
            let mut map: HashMap<TermKey, Entry, Fast> = HashMap::with_hasher(Fast);
            for (doc, dt) in docs_terms.iter().enumerate() {
                let range = dt.parts[part] as usize..dt.parts[part + 1] as usize;
                for t in &dt.terms[range] {
                    let text = dt.term(t);
                    let key = if t.end - t.start <= 8 {
                        TermKey::Short(t.key)
                    } else {
                        TermKey::Long(text)
                    };
                    map.entry(key)
                        .or_insert_with(|| (text, Vec::new()))
                        .1
                        .push((doc as u32, t.weight));
                }
            }
            map.into_values().collect()
        })
        .collect();
    let mut postings: Postings = parts.into_iter().flatten().collect();
    postings.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    postings
}

/// Each term's list as varint text: doc numbers delta-coded, each with its impact (the score the
/// query adds up), which needs the document lengths.
fn encode_postings<'t>(docs_terms: &[DocTerms], postings: &Postings<'t>) -> Vec<(&'t str, String)> {
    let n = docs_terms.len();
    let total_len: u64 = docs_terms.iter().map(|t| t.len as u64).sum();
    let avgdl = if n == 0 {
        1.0
    } else {
        total_len as f64 / n as f64
    };
    postings
        .par_iter()
        .map(|(term, list)| {
            let mut s = String::with_capacity(list.len() * 3);
            let mut prev = 0u32;
            for (doc, wtf) in list {
                push_varint(&mut s, (doc - prev) as u64);
                let len = docs_terms[*doc as usize].len;
                push_varint(&mut s, impact(*wtf, len, list.len(), n, avgdl) as u64);
                prev = *doc;
            }
            (*term, s)
        })
        .collect()
}

/// Long lists go to files of their own, keyed by their place in the sorted term list; their
/// terms' shard entries point there (`@<key>`).
fn long_lists_apart<'t>(
    encoded: Vec<(&'t str, String)>,
    files: &mut BTreeMap<String, Vec<u8>>,
    stats: &mut IndexStats,
) -> Vec<(&'t str, String)> {
    let mut inline: Vec<(&str, String)> = Vec::with_capacity(encoded.len());
    for (i, (term, s)) in encoded.into_iter().enumerate() {
        if s.len() > LIST_INLINE {
            let key = b36(i as u64);
            stats.total_bytes += s.len();
            stats.lists += 1;
            stats.largest_list = stats.largest_list.max(s.len());
            files.insert(format!("search/l/{key}.txt"), s.into_bytes());
            inline.push((term, format!("@{key}")));
        } else {
            inline.push((term, s));
        }
    }
    inline
}

/// The shard files, as many as keep each near [`SHARD_TARGET`] bytes, each term in the shard its
/// hash picks; returns how many.
fn add_shards(
    inline: &[(&str, String)],
    files: &mut BTreeMap<String, Vec<u8>>,
    stats: &mut IndexStats,
) -> usize {
    let total: usize = inline.iter().map(|(t, s)| t.len() + s.len() + 6).sum();
    let shards = total.div_ceil(SHARD_TARGET).max(1);
    stats.shards = shards;
    let mut shard_maps: Vec<BTreeMap<&str, &str>> = vec![BTreeMap::new(); shards];
    for (term, s) in inline {
        shard_maps[shard_of(term, shards)].insert(term, s.as_str());
    }
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
    shards
}

/// Per page, in page order: its document file and the chunks of its text after the first.
fn doc_files(pages: &[(String, PageText)]) -> Vec<Vec<(String, Vec<u8>)>> {
    let titles: HashMap<&str, &str> = pages
        .iter()
        .map(|(k, p)| (k.as_str(), p.title.as_str()))
        .collect();
    let title_of = |k: &str| titles.get(k).map(|t| t.to_string());
    pages
        .par_iter()
        .enumerate()
        .map(|(i, (key, p))| {
            let url = crate::url::encode_path(key);
            let chunks = chunks(&p.text, CHUNK);
            let id = b36(i as u64);
            let f = DocFile {
                t: &p.title,
                u: &url,
                x: chunks.first().copied().unwrap_or(""),
                n: chunks.len().max(1),
                s: p.sections
                    .iter()
                    .map(|(a, off, _)| (a.as_str(), *off))
                    .collect(),
                w: place(key, &p.title, &title_of),
            };
            let mut out = vec![(
                format!("search/d/{id}.json"),
                serde_json::to_vec(&f).unwrap_or_default(),
            )];
            for (k, c) in chunks.iter().enumerate().skip(1) {
                out.push((format!("search/x/{id}-{k}.txt"), c.as_bytes().to_vec()));
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests;
