//! The query side, in Rust, with the same semantics as the browser script: every term must be
//! present, a CJK phrase only where its bigrams are adjacent in order, ranked by BM25 with title and
//! heading hits weighted up. Tests use it to check the index without a browser.

use std::collections::{BTreeMap, HashMap};

use super::index::shard_of;
use super::tokenize::query_terms;

pub const K1: f64 = 1.2;
pub const B: f64 = 0.75;
pub const TITLE_BOOST: f64 = 3.0;
pub const HEADING_BOOST: f64 = 1.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub doc: u64,
    pub title: String,
    /// URL relative to the site root, with `#anchor` when the first match is under a heading.
    pub url: String,
    pub score: f64,
    pub snippet: String,
}

struct Posting {
    len: u32,
    title_len: u32,
    heading_hits: u32,
    pos: Vec<u32>,
}

fn parse_postings(s: &str) -> HashMap<u64, Posting> {
    let mut out = HashMap::new();
    for entry in s.split(';') {
        let nums: Vec<u64> = entry
            .split(',')
            .filter_map(|x| u64::from_str_radix(x, 36).ok())
            .collect();
        if nums.len() < 4 {
            continue;
        }
        let mut pos = Vec::with_capacity(nums.len() - 4);
        let mut acc = 0u64;
        for d in &nums[4..] {
            acc += d;
            pos.push(acc as u32);
        }
        out.insert(
            nums[0],
            Posting {
                len: nums[1] as u32,
                title_len: nums[2] as u32,
                heading_hits: nums[3] as u32,
                pos,
            },
        );
    }
    out
}

/// Runs `q` against an index read through `get` (path under the site root → file text).
pub fn query(get: &dyn Fn(&str) -> Option<String>, q: &str) -> Vec<Hit> {
    let terms = query_terms(q);
    if terms.is_empty() {
        return Vec::new();
    }
    let Some(meta) =
        get("search/meta.json").and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
    else {
        return Vec::new();
    };
    let n = meta["n"].as_f64().unwrap_or(0.0);
    let avgdl = meta["avgdl"].as_f64().unwrap_or(1.0).max(1.0);
    let shards = meta["shards"].as_u64().unwrap_or(1) as usize;
    let mut shard_cache: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    let mut lookup = |t: &str| -> Option<HashMap<u64, Posting>> {
        let s = shard_of(t, shards);
        let m = shard_cache.entry(s).or_insert_with(|| {
            get(&format!("search/s/{s}.json"))
                .and_then(|x| serde_json::from_str(&x).ok())
                .unwrap_or_default()
        });
        m.get(t).map(|p| parse_postings(p))
    };

    // For each term: doc → (weighted tf, len, first position).
    let mut per_term: Vec<HashMap<u64, (f64, u32, u32)>> = Vec::new();
    for phrase in &terms {
        let lists: Vec<HashMap<u64, Posting>> =
            match phrase.iter().map(|t| lookup(t)).collect::<Option<Vec<_>>>() {
                Some(l) => l,
                None => return Vec::new(),
            };
        let mut found = HashMap::new();
        for (doc, first) in &lists[0] {
            let mut hits: Vec<u32> = Vec::new();
            'starts: for p in &first.pos {
                for (k, l) in lists.iter().enumerate().skip(1) {
                    match l.get(doc) {
                        Some(pk) if pk.pos.binary_search(&(p + k as u32)).is_ok() => {}
                        _ => continue 'starts,
                    }
                }
                hits.push(*p);
            }
            if hits.is_empty() {
                continue;
            }
            let in_title = hits.iter().filter(|p| **p < first.title_len).count() as f64;
            let heading = (first.heading_hits as f64).min(hits.len() as f64);
            let tf = hits.len() as f64 + TITLE_BOOST * in_title + HEADING_BOOST * heading;
            let first_body = hits
                .iter()
                .copied()
                .find(|p| *p > first.title_len)
                .unwrap_or(hits[0]);
            found.insert(*doc, (tf, first.len, first_body));
        }
        per_term.push(found);
    }
    let mut docs: Vec<u64> = per_term[0]
        .keys()
        .copied()
        .filter(|d| per_term.iter().all(|m| m.contains_key(d)))
        .collect();
    docs.sort_unstable();
    let mut scored: Vec<(f64, u64, u32)> = docs
        .iter()
        .map(|d| {
            let mut score = 0.0;
            let mut first = u32::MAX;
            for m in &per_term {
                let df = m.len() as f64;
                let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                let (tf, len, p) = m[d];
                score += idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len as f64 / avgdl));
                first = first.min(p);
            }
            (score, *d, first)
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    scored
        .into_iter()
        .map(|(score, doc, first)| {
            let file = get(&format!("search/d/{}.json", super::index::b36(doc)))
                .and_then(|x| serde_json::from_str::<serde_json::Value>(&x).ok());
            let (title, mut url, snippet) = match &file {
                Some(f) => (
                    f["t"].as_str().unwrap_or("").to_string(),
                    f["u"].as_str().unwrap_or("").to_string(),
                    snippet(f["x"].as_str().unwrap_or(""), q),
                ),
                None => (String::new(), String::new(), String::new()),
            };
            if let Some(secs) = file.as_ref().and_then(|f| f["s"].as_array()) {
                let anchor = secs
                    .iter()
                    .rfind(|s| s[2].as_u64().is_some_and(|p| p as u32 <= first));
                if let Some(a) = anchor.and_then(|s| s[0].as_str()) {
                    url = format!("{url}#{}", crate::model::markdown::encode_path(a));
                }
            }
            Hit {
                doc,
                title,
                url,
                score,
                snippet,
            }
        })
        .collect()
}

/// Up to ~80 characters around the first occurrence of the query (or its first word).
pub fn snippet(text: &str, q: &str) -> String {
    let lower: String = text.chars().map(super::tokenize::fold).collect();
    let ql: String = q.trim().chars().map(super::tokenize::fold).collect();
    let first_word = ql.split_whitespace().next().unwrap_or("");
    let at = lower
        .find(&ql)
        .or_else(|| lower.find(first_word))
        .map_or(0, |b| lower[..b].chars().count());
    let start = at.saturating_sub(30);
    let s: String = text.chars().skip(start).take(90).collect();
    s.replace('\n', " ")
}
