//! Building the sharded index. Layout under `search/`:
//! - `meta.json`: format version, document count, shard count, the varint alphabet `d`;
//! - `s/<n>.json`: `{term: postings}` for the terms whose FNV-1a hash falls in shard n. Postings are
//!   `(doc, impact)` pairs in doc order (doc numbers delta-coded), written with the 64-character
//!   varint alphabet [`VARINT_DIGITS`](super::format::VARINT_DIGITS). A CJK bigram's entry adds,
//!   after a `.`, what follows it: per posting, the codes of the characters that follow the bigram
//!   in that page ([`push_follows`]), so that a phrase is ruled out on pages where its characters
//!   are never adjacent without reading them. A long list is kept in `l/<key>.txt` (its follows in
//!   `n/<key>.txt`) and its shard entry is `@<key>`, so a shard stays small and a query fetches
//!   only the lists it needs; when its follows are long they are split by code into
//!   `n/<key>-<part>.txt`, each listing per code the postings it follows (`@<key>:<parts>`);
//! - `d/<doc>.json`: title, URL, section anchors, where the page belongs `w` (see [`place`]), the
//!   number of text chunks `n` and the first chunk `x` of the page text; chunk k ≥ 1 is
//!   `x/<doc>-<k>.txt`. The query side reads chunks in order until it has seen what it looks for:
//!   CJK phrases are confirmed against the text, so postings need no positions (what follows a
//!   bigram only narrows the pages to read), and a long page costs only the chunks up to its
//!   first match.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use super::format::{
    CHUNK, FOLLOW_BUCKETS, FOLLOW_CHUNK_MAX, Follow, HEADING_WEIGHT, LIST_INLINE, SHARD_TARGET,
    TITLE_WEIGHT, VARINT_DIGITS, b36, follow_code, follow_of, follow_parts, idf, impact_of,
    length_norm, push_code_section, push_follows, push_varint, read_follows_raw, read_varint,
    shard_of,
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
    /// Characters of page text per chunk.
    c: usize,
    /// Buckets of the follow codes (a character's code is its code point modulo this).
    f: u32,
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
    /// The follow codes of every term with the first chunk where each follows it, sorted and
    /// distinct per term (see [`DocTerms::follows_of`]).
    follows: Vec<Follow>,
    /// `terms[parts[p]..parts[p + 1]]` are the terms of partition p.
    parts: [u32; PARTS + 1],
    len: u32,
}

/// One distinct term of a document: its text as a range of the folded buffer, its weighted count
/// (occurrences plus title and heading bonuses), its bytes as a number when it has at most 8
/// (0 otherwise), its merge partition, and the range of its follow codes.
#[derive(Clone, Copy)]
struct Term {
    start: u32,
    end: u32,
    weight: u32,
    key: u64,
    follows_start: u32,
    follows_len: u16,
    part: u8,
}

impl DocTerms {
    fn term(&self, t: &Term) -> &str {
        &self.folded[t.start as usize..t.end as usize]
    }

    fn follows_of(&self, t: &Term) -> &[Follow] {
        let start = t.follows_start as usize;
        &self.follows[start..start + t.follows_len as usize]
    }
}

/// Tokenizes title then body (sections split so heading token ranges are known).
fn doc_terms(p: &PageText) -> DocTerms {
    let mut folded = String::with_capacity(p.title.len() + p.text.len() + 16);
    let mut spans: Vec<Span> = Vec::with_capacity(p.text.len() / 3);
    let (title_len, headings, len) = tokenize_page(p, &mut folded, &mut spans);
    let (terms, follows) = weigh_terms(&folded, &spans, title_len, &headings);
    let (terms, parts) = group_by_part(terms);
    DocTerms {
        folded,
        terms,
        follows,
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
    for sp in spans.iter_mut() {
        sp.at = IN_TITLE;
    }
    let mut pos = title_len + 1;
    let mut headings: Vec<(u32, u32)> = Vec::new();
    // A piece of the text from byte `from.0` (character `from.1`) to byte `to`: its spans say
    // where they are in the whole text, in characters.
    let mut piece = |from: (usize, usize), to: usize, pos: u32| {
        let first = spans.len();
        let next = spans_into(&p.text[from.0..to], pos, folded, spans);
        for sp in &mut spans[first..] {
            sp.at = sp.at.saturating_add(from.1 as u32);
        }
        next
    };
    let mut at = (0usize, 0usize);
    for pair in heading_offsets(p).chunks(2) {
        let start = if pair[0].0 >= at.0 { pair[0] } else { at };
        let end = if pair[1].0 >= start.0 { pair[1] } else { start };
        pos = piece(at, start.0, pos);
        let h0 = pos;
        pos = piece(start, end.0, pos);
        headings.push((h0, pos));
        at = end;
    }
    pos = piece(at, p.text.len(), pos);
    (title_len, headings, pos)
}

/// Where a title token is, instead of a character of the text.
const IN_TITLE: u32 = u32::MAX;

/// Start and end of each section's heading in the page text as (byte, character) offsets, in
/// pairs: section offsets are in characters, so the text is walked once to convert them.
fn heading_offsets(p: &PageText) -> Vec<(usize, usize)> {
    let mut wanted = Vec::with_capacity(p.sections.len() * 2);
    for (_, off, h) in &p.sections {
        wanted.push(*off);
        wanted.push(off + h.chars().count());
    }
    let mut bytes_of: Vec<(usize, usize)> = Vec::with_capacity(wanted.len());
    let mut want = wanted.iter().peekable();
    let mut chars = 0;
    for (ci, (bi, _)) in p.text.char_indices().enumerate() {
        while want.peek().is_some_and(|w| **w <= ci) {
            want.next();
            bytes_of.push((bi, ci));
        }
        chars = ci + 1;
    }
    while want.next().is_some() {
        bytes_of.push((p.text.len(), chars));
    }
    bytes_of
}

/// Distinct terms with their weighted counts, in first-seen order, and the codes of what follows
/// each. Nearly every term is a CJK bigram of 6 bytes: those (and any term of up to 8 bytes) are
/// keyed by their bytes as a u64, the rest by their text.
fn weigh_terms(
    folded: &str,
    spans: &[Span],
    title_len: u32,
    headings: &[(u32, u32)],
) -> (Vec<Term>, Vec<Follow>) {
    let mut short: HashMap<u64, u32, Fast> =
        HashMap::with_capacity_and_hasher(spans.len() / 2, Fast);
    let mut long: HashMap<&str, u32, Fast> = HashMap::with_hasher(Fast);
    let mut terms: Vec<Term> = Vec::with_capacity(spans.len() / 2);
    // Each term's follow codes as a chain through `links` ((code, chunk), previous link), from
    // `heads`: no sort of the whole page, and most chains hold one or two codes.
    let mut links: Vec<(Follow, u32)> = Vec::with_capacity(spans.len());
    let mut heads: Vec<u32> = Vec::with_capacity(spans.len() / 2);
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
                part: part as u8,
                follows_start: 0,
                follows_len: 0,
            });
            heads.push(NO_LINK);
        } else {
            terms[slot as usize].weight += weight;
        }
        if let Some(c) = sp.follow {
            // The title is read with the first chunk: chunk 0.
            let chunk = if sp.at == IN_TITLE {
                0
            } else {
                (sp.at as usize / CHUNK).min(FOLLOW_CHUNK_MAX as usize) as u8
            };
            links.push(((follow_code(c), chunk), heads[slot as usize]));
            heads[slot as usize] = (links.len() - 1) as u32;
        }
    }
    let mut follows: Vec<Follow> = Vec::with_capacity(links.len());
    for (t, head) in terms.iter_mut().zip(&heads) {
        let start = follows.len();
        let mut at = *head;
        while at != NO_LINK {
            follows.push(links[at as usize].0);
            at = links[at as usize].1;
        }
        // Sorted by code then chunk: the first of each code has its earliest chunk.
        let codes = &mut follows[start..];
        codes.sort_unstable();
        let mut kept = 0;
        for i in 0..codes.len() {
            if i == 0 || codes[i].0 != codes[kept - 1].0 {
                codes[kept] = codes[i];
                kept += 1;
            }
        }
        follows.truncate(start + kept);
        t.follows_start = start as u32;
        t.follows_len = kept as u16;
    }
    (terms, follows)
}

/// The end of a chain of follow codes.
const NO_LINK: u32 = u32::MAX;

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

/// Indexes every HTML page of `out` (except the search page and 404) and adds the index files:
/// into `stream` as they are made when there is one (`build`: they never pile up in memory), else
/// into `out.files`.
pub(crate) fn build(
    out: &mut Output,
    stream: Option<&crate::render::Stream<'_>>,
) -> anyhow::Result<IndexStats> {
    match stream {
        Some(put) => {
            let paths = std::sync::Mutex::new(Vec::new());
            let stats = index_into(out, &|path: String, bytes: Vec<u8>| {
                put(&path, &bytes)?;
                paths.lock().unwrap_or_else(|e| e.into_inner()).push(path);
                Ok(())
            })?;
            let paths = paths.into_inner().unwrap_or_else(|e| e.into_inner());
            out.streamed.extend(paths);
            Ok(stats)
        }
        None => {
            let (files, stats) = index(out);
            out.files
                .extend(files.into_iter().map(|(p, b)| (p, Arc::new(b))));
            Ok(stats)
        }
    }
}

/// Where [`index_into`] puts each file it makes (callable from several threads at once).
pub(crate) type Sink<'s> = dyn Fn(String, Vec<u8>) -> anyhow::Result<()> + Sync + 's;

/// One term's postings as merged, pages in order, in one buffer: per posting the distance from
/// the previous posting's page and the weighted count, as varints, then for a CJK bigram the
/// posting's follow codes as [`push_follows`] writes them (they need nothing from the other
/// pages). The impacts need the term's page count, so [`encode_postings`] reads the buffer once
/// more at the end. One buffer instead of a list of pairs and a string of follow codes: adding a
/// posting touches one heap block instead of two, and the merge holds 3–4 bytes a posting, not 9–12.
struct Entry {
    buf: String,
    /// The page of the last posting, and how many postings there are.
    last: u32,
    df: u32,
    bigram: bool,
}

/// Every term with its entry, sorted by term.
type Postings = Vec<(TermText, Entry)>;

/// A term as the merge keeps it: up to 8 bytes as a number (see [`short_key`]), or its text.
enum TermText {
    Short(u64),
    Long(Box<str>),
}

impl TermText {
    /// Sorts as the text does: the first 8 bytes as a big-endian number (zero-padded; terms
    /// hold no NUL, so a shorter term sorts first), then the rest. Most terms are short, and
    /// sorting a million of them by number instead of by allocated text saves a third of a
    /// second on 10,000 pages.
    fn order(&self) -> (u64, &[u8]) {
        match self {
            TermText::Short(k) => (u64::from_be_bytes(k.to_le_bytes()), b""),
            TermText::Long(t) => {
                let b = t.as_bytes();
                let mut head = [0u8; 8];
                let n = b.len().min(8);
                head[..n].copy_from_slice(&b[..n]);
                (u64::from_be_bytes(head), &b[n..])
            }
        }
    }

    fn into_string(self) -> String {
        match self {
            TermText::Short(k) => short_text(k),
            TermText::Long(t) => t.into_string(),
        }
    }
}

/// Pages tokenized and merged at a time: their terms are dropped once merged, so the index holds
/// the terms of this many pages, not of the whole site (on 10,000 guidance pages, 440 MB less).
const BATCH: usize = 1024;

/// The terms of one merge partition seen so far: short terms keyed by their bytes as a u64,
/// long ones by their text.
#[derive(Default)]
struct PartMap {
    short: HashMap<u64, Entry, Fast>,
    long: HashMap<Box<str>, Entry, Fast>,
}

impl PartMap {
    /// Adds the terms of partition `part` of one page, page number `doc`.
    fn add(&mut self, doc: u32, dt: &DocTerms, part: usize) {
        let range = dt.parts[part] as usize..dt.parts[part + 1] as usize;
        for t in &dt.terms[range] {
            let text = dt.term(t);
            let e = if t.end - t.start <= 8 {
                self.short.entry(t.key).or_insert_with(|| new_entry(text))
            } else {
                if !self.long.contains_key(text) {
                    self.long.insert(text.into(), new_entry(text));
                }
                match self.long.get_mut(text) {
                    Some(e) => e,
                    None => continue,
                }
            };
            push_varint(&mut e.buf, (doc - e.last) as u64);
            push_varint(&mut e.buf, t.weight as u64);
            if e.bigram {
                push_follows(&mut e.buf, dt.follows_of(t));
            }
            e.last = doc;
            e.df += 1;
        }
    }

    fn drain_into(self, postings: &mut Postings) {
        let short = self.short.into_iter().map(|(k, e)| (TermText::Short(k), e));
        let long = self.long.into_iter().map(|(k, e)| (TermText::Long(k), e));
        postings.extend(short.chain(long));
    }
}

fn new_entry(text: &str) -> Entry {
    Entry {
        buf: String::new(),
        last: 0,
        df: 0,
        bigram: is_bigram(text),
    }
}

/// The text of a term kept as its bytes in a u64 (see [`short_key`]).
fn short_text(k: u64) -> String {
    let b = k.to_le_bytes();
    let len = b.iter().position(|x| *x == 0).unwrap_or(8);
    String::from_utf8_lossy(&b[..len]).into_owned()
}

/// The index files for the pages of `out`, without touching it.
pub fn index(out: &Output) -> (BTreeMap<String, Vec<u8>>, IndexStats) {
    let files = std::sync::Mutex::new(BTreeMap::new());
    let stats = index_into(out, &|path, bytes| {
        files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path, bytes);
        Ok(())
    })
    // Putting a file into a map cannot fail.
    .unwrap_or_default();
    (files.into_inner().unwrap_or_else(|e| e.into_inner()), stats)
}

/// Makes the index files for the pages of `out`, each handed to `sink` as soon as it is made.
pub(crate) fn index_into(out: &Output, sink: &Sink<'_>) -> anyhow::Result<IndexStats> {
    let texts = out.page_texts();
    let pages: &[(String, Arc<PageText>)] = &texts;
    let n = pages.len();
    let (postings, lens) = merge_postings(pages);
    let mut stats = IndexStats {
        docs: n,
        ..Default::default()
    };
    let inline = encode_postings(&lens, postings, sink, &mut stats)?;
    let shards = add_shards(&inline, sink, &mut stats)?;
    drop(inline);
    stats.total_bytes += doc_files(pages, sink)?;
    let meta = serde_json::to_vec(&Meta {
        v: 4,
        n,
        shards,
        d: std::str::from_utf8(VARINT_DIGITS).unwrap_or_default(),
        c: CHUNK,
        f: FOLLOW_BUCKETS,
    })
    .unwrap_or_default();
    stats.total_bytes += meta.len();
    sink("search/meta.json".into(), meta)?;
    Ok(stats)
}

/// term -> [(doc, weighted tf)] and follow codes, sorted by term, and each page's length in
/// tokens. Pages are tokenized [`BATCH`] at a time in parallel; each batch is merged in parallel
/// over partitions of the terms, pages in order so postings stay sorted.
fn merge_postings(pages: &[(String, Arc<PageText>)]) -> (Postings, Vec<u32>) {
    let mut maps: Vec<PartMap> = (0..PARTS).map(|_| PartMap::default()).collect();
    let mut lens: Vec<u32> = Vec::with_capacity(pages.len());
    for (b, batch) in pages.chunks(BATCH).enumerate() {
        let docs_terms: Vec<DocTerms> = batch.par_iter().map(|(_, p)| doc_terms(p)).collect();
        let base = b * BATCH;
        maps.par_iter_mut().enumerate().for_each(|(part, map)| {
            for (i, dt) in docs_terms.iter().enumerate() {
                map.add((base + i) as u32, dt, part);
            }
        });
        lens.extend(docs_terms.iter().map(|d| d.len));
    }
    // Drained one map at a time into one list: each map's table is freed as it goes, and no
    // list of lists is copied into this one.
    let mut postings: Postings =
        Vec::with_capacity(maps.iter().map(|m| m.short.len() + m.long.len()).sum());
    for map in maps {
        map.drain_into(&mut postings);
    }
    postings.par_sort_unstable_by(|a, b| a.0.order().cmp(&b.0.order()));
    (postings, lens)
}

/// One term's shard entry: the term, its postings or the `@<key>` of a list kept apart, and a
/// bigram's follow codes when they are kept in the shard too.
type Inline = (String, String, Option<String>);

/// Each term's list as varint text: doc numbers delta-coded, each with its impact (the score the
/// query adds up), which needs the document lengths; a bigram's follow codes beside it. A list
/// too long for a shard goes to `sink` as it is made (see [`list_apart`]), so the encoded lists
/// never all sit in memory at once; the stats count those files.
fn encode_postings(
    lens: &[u32],
    postings: Postings,
    sink: &Sink<'_>,
    stats: &mut IndexStats,
) -> anyhow::Result<Vec<Inline>> {
    let n = lens.len();
    let total_len: u64 = lens.iter().map(|l| *l as u64).sum();
    let avgdl = if n == 0 {
        1.0
    } else {
        total_len as f64 / n as f64
    };
    let norms: Vec<f64> = lens.iter().map(|l| length_norm(*l, avgdl)).collect();
    let lists = AtomicUsize::new(0);
    let largest_list = AtomicUsize::new(0);
    let bytes = AtomicUsize::new(0);
    let inline = postings
        .into_par_iter()
        .enumerate()
        .map(|(i, (term, e))| {
            let mut s = String::with_capacity(e.df as usize * 3);
            let mut follows = e.bigram.then(|| String::with_capacity(e.buf.len() / 2));
            let idf = idf(e.df as usize, n);
            let b = e.buf.as_bytes();
            let (mut at, mut doc) = (0usize, 0u32);
            for _ in 0..e.df {
                let delta = read_varint(b, &mut at);
                let wtf = read_varint(b, &mut at) as u32;
                doc += delta as u32;
                push_varint(&mut s, delta);
                push_varint(&mut s, impact_of(wtf, idf, norms[doc as usize]) as u64);
                if let Some(f) = follows.as_mut() {
                    let start = at;
                    read_follows_raw(b, &mut at);
                    f.push_str(&e.buf[start..at]);
                }
            }
            drop(e);
            // A list is long when its entry would be: postings and follow codes together.
            if s.len() + follows.as_ref().map_or(0, |f| f.len()) <= LIST_INLINE {
                return Ok((term.into_string(), s, follows));
            }
            lists.fetch_add(1, Ordering::Relaxed);
            largest_list.fetch_max(s.len(), Ordering::Relaxed);
            let (entry, written) = list_apart(i, s, follows, sink)?;
            bytes.fetch_add(written, Ordering::Relaxed);
            Ok((term.into_string(), entry, None))
        })
        .collect::<anyhow::Result<_>>()?;
    stats.lists += lists.into_inner();
    stats.largest_list = stats.largest_list.max(largest_list.into_inner());
    stats.total_bytes += bytes.into_inner();
    Ok(inline)
}

/// A term of two CJK characters: the only kind a phrase is made of, so the only kind whose
/// follow codes are kept.
fn is_bigram(term: &str) -> bool {
    let mut cs = term.chars();
    matches!((cs.next(), cs.next(), cs.next()), (Some(a), Some(_), None) if super::tokenize::is_cjk(a))
}

/// A long list goes to files of its own, keyed by its place `i` in the sorted term list; its
/// term's shard entry points there (`@<key>`, with `:<parts>` when its follow codes are split).
/// Returns that entry and the bytes written.
fn list_apart(
    i: usize,
    postings: String,
    follows: Option<String>,
    sink: &Sink<'_>,
) -> anyhow::Result<(String, usize)> {
    let key = b36(i as u64);
    let parts = follows.as_ref().map_or(1, |f| follow_parts(f.len()));
    let mut bytes = postings.len();
    sink(format!("search/l/{key}.txt"), postings.into_bytes())?;
    if let Some(f) = follows {
        for (path, text) in follow_files(&key, &f, parts) {
            bytes += text.len();
            sink(path, text.into_bytes())?;
        }
    }
    let entry = if parts > 1 {
        format!("@{key}:{parts}")
    } else {
        format!("@{key}")
    };
    Ok((entry, bytes))
}

/// The files of a long list's follow codes: `n/<key>.txt` as they are, or split into `parts`
/// files by code (`n/<key>-<code % parts>.txt`), each inverted to the postings each of its codes
/// follows (read by [`decode_follows_part`](super::format::decode_follows_part)).
fn follow_files(key: &str, follows: &str, parts: usize) -> Vec<(String, String)> {
    if parts <= 1 {
        return vec![(format!("search/n/{key}.txt"), follows.to_string())];
    }
    // Every (code, posting, chunk) of the list, then sorted by code: a stable sort keeps each
    // code's postings in list order.
    let mut any: Vec<u32> = Vec::new();
    let mut pairs: Vec<(u16, u32, u8)> = Vec::with_capacity(follows.len() / 3);
    let b = follows.as_bytes();
    let (mut i, mut posting) = (0usize, 0u32);
    while i < b.len() {
        match read_follows_raw(b, &mut i) {
            None => any.push(posting),
            Some(raw) => pairs.extend(raw.chunks_exact(3).map(|c| {
                let (code, chunk) = follow_of(c);
                (code, posting, chunk)
            })),
        }
        posting += 1;
    }
    pairs.sort_by_key(|p| p.0);
    let mut texts: Vec<String> = vec![String::new(); parts];
    for text in &mut texts {
        push_varint(text, any.len() as u64);
        let mut next = 0u32;
        for at in &any {
            push_varint(text, (at - next) as u64);
            next = at + 1;
        }
    }
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let code = run[0].0;
        let postings = run.iter().map(|(_, at, chunk)| (*at, *chunk));
        push_code_section(&mut texts[code as usize % parts], code, postings);
    }
    texts
        .into_iter()
        .enumerate()
        .map(|(p, t)| (format!("search/n/{key}-{p}.txt"), t))
        .collect()
}

/// The shard files, as many as keep each near [`SHARD_TARGET`] bytes, each term in the shard its
/// hash picks; returns how many.
fn add_shards(inline: &[Inline], sink: &Sink<'_>, stats: &mut IndexStats) -> anyhow::Result<usize> {
    let value_len = |s: &str, f: &Option<String>| s.len() + f.as_ref().map_or(0, |f| f.len() + 1);
    let total: usize = inline
        .iter()
        .map(|(t, s, f)| t.len() + value_len(s, f) + 6)
        .sum();
    let shards = total.div_ceil(SHARD_TARGET).max(1);
    stats.shards = shards;
    // `inline` is sorted by term, so each shard's entries arrive sorted, as a JSON map's keys
    // were when this was a BTreeMap per shard.
    let mut shard_maps: Vec<Vec<(&str, Value)>> = vec![Vec::new(); shards];
    for (term, s, f) in inline {
        shard_maps[shard_of(term, shards)].push((term.as_str(), Value(s, f.as_deref())));
    }
    let sizes: Vec<usize> = shard_maps
        .par_iter()
        .enumerate()
        .map(|(i, m)| {
            let bytes = serde_json::to_vec(&SortedMap(m)).unwrap_or_default();
            let len = bytes.len();
            sink(format!("search/s/{i}.json"), bytes)?;
            Ok(len)
        })
        .collect::<anyhow::Result<_>>()?;
    for len in sizes {
        stats.total_bytes += len;
        stats.largest_shard = stats.largest_shard.max(len);
    }
    Ok(shards)
}

/// Sorted, distinct `(key, value)` pairs written as a JSON object.
struct SortedMap<'a>(&'a [(&'a str, Value<'a>)]);

/// A shard entry's value: the postings (or `@<key>` of a list kept apart), then for a bigram
/// `.` and its follow codes, written as one JSON string without first joining them.
#[derive(Clone, Copy)]
struct Value<'a>(&'a str, Option<&'a str>);

impl Serialize for Value<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.1 {
            Some(f) => s.collect_str(&format_args!("{}.{}", self.0, f)),
            None => s.serialize_str(self.0),
        }
    }
}

impl Serialize for SortedMap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Per page: its document file and the chunks of its text after the first, handed to `sink`;
/// returns their bytes.
fn doc_files(pages: &[(String, Arc<PageText>)], sink: &Sink<'_>) -> anyhow::Result<usize> {
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
            let doc = serde_json::to_vec(&f).unwrap_or_default();
            let mut bytes = doc.len();
            sink(format!("search/d/{id}.json"), doc)?;
            for (k, c) in chunks.iter().enumerate().skip(1) {
                bytes += c.len();
                sink(format!("search/x/{id}-{k}.txt"), c.as_bytes().to_vec())?;
            }
            Ok(bytes)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))
}

#[cfg(test)]
mod tests;
