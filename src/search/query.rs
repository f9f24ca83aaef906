//! The query side, in Rust, with the same semantics as the browser script: every term must be
//! present, a CJK phrase only where its characters are adjacent in order (narrowed by what follows
//! each bigram in the index, then checked against the page text the index ships), ranked by the
//! sum of the index's whole-number BM25 impacts. Tests use it to check the index without a browser.

use std::collections::{BTreeMap, HashMap};

use super::format::{
    CHUNK, b36, decode_follows, decode_follows_part, decode_postings, follow_code, shard_of,
};
use super::tokenize::{fold, query_terms};

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub doc: u64,
    pub title: String,
    /// URL relative to the site root, with `#anchor` when the first match is under a heading.
    pub url: String,
    pub score: f64,
    pub snippet: String,
    /// Where the page belongs, e.g. [小微企业指导手册, 第8章] (the index's `w`).
    pub place: Vec<String>,
}

/// The terms of a phrase (its bigrams) whose lists are fetched: every other bigram and the last,
/// so that together they cover every character; with each, the character that must follow it
/// (the last character of the next bigram) when there is one. Any page with the phrase has them
/// all, each followed by its character; the text check then drops the few pages that have them
/// apart.
pub fn cover(phrase: &[String]) -> Vec<(&String, Option<char>)> {
    let next = |i: usize| phrase.get(i + 1).and_then(|t| t.chars().last());
    let mut out: Vec<(&String, Option<char>)> = phrase
        .iter()
        .enumerate()
        .step_by(2)
        .map(|(i, t)| (t, next(i)))
        .collect();
    if phrase.len().is_multiple_of(2)
        && let Some(last) = phrase.last()
    {
        out.push((last, None));
    }
    out
}

/// The text a phrase of bigrams stands for: 粉尘, 尘爆, 爆炸 → 粉尘爆炸.
pub fn phrase_text(phrase: &[String]) -> String {
    let mut s = phrase.first().cloned().unwrap_or_default();
    for t in phrase.iter().skip(1) {
        s.extend(t.chars().skip(1));
    }
    s
}

pub fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

/// A posting as the query uses it: page, impact, and the first chunk where the term is followed
/// by what the phrase needs (0 when nothing is asked of what follows).
type Posting = (u64, u32, u8);

/// A page that may match: its summed impacts, its number, and the first text chunk where a match
/// can be (1 unless every term of the query is a phrase that starts only further on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub score: u64,
    pub doc: u64,
    pub from: u32,
}

/// Candidates in rank order: pages holding every cover term, by the summed impacts, ties by
/// document number; empty when the index cannot be read or a term is missing.
pub fn candidates(get: &dyn Fn(&str) -> Option<String>, groups: &[Vec<String>]) -> Vec<Candidate> {
    let Some(meta) =
        get("search/meta.json").and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
    else {
        return Vec::new();
    };
    let shards = meta["shards"].as_u64().unwrap_or(1) as usize;
    let mut shard_cache: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    // A term's postings, only those whose page has `then` right after the term when given, each
    // with the first chunk where it does (0 without `then`).
    let mut lookup = |t: &str, then: Option<char>| -> Option<Vec<Posting>> {
        let s = shard_of(t, shards);
        let m = shard_cache.entry(s).or_insert_with(|| {
            get(&format!("search/s/{s}.json"))
                .and_then(|x| serde_json::from_str(&x).ok())
                .unwrap_or_default()
        });
        let raw = m.get(t)?;
        let (list, keep) = match raw.strip_prefix('@') {
            Some(long) => {
                // `@key`, or `@key:parts` when its follow codes are split by code.
                let (key, parts) = long.split_once(':').unwrap_or((long, "1"));
                let parts: u32 = parts.parse().unwrap_or(1).max(1);
                let list = decode_postings(&get(&format!("search/l/{key}.txt"))?);
                let keep = match then {
                    Some(c) if parts > 1 => {
                        let b = follow_code(c) as u32 % parts;
                        let part = get(&format!("search/n/{key}-{b}.txt"))?;
                        Some(decode_follows_part(&part, list.len()))
                    }
                    Some(_) => Some(decode_follows(&get(&format!("search/n/{key}.txt"))?)),
                    None => None,
                };
                (list, keep)
            }
            None => {
                let (p, f) = raw.split_once('.').unwrap_or((raw, ""));
                (decode_postings(p), then.map(|_| decode_follows(f)))
            }
        };
        let (Some(c), Some(keep)) = (then, keep) else {
            return Some(list.into_iter().map(|(d, i)| (d, i, 0)).collect());
        };
        let code = follow_code(c);
        Some(
            list.into_iter()
                .zip(keep)
                .filter_map(|((d, i), k)| match k {
                    None => Some((d, i, 0)),
                    Some(codes) => codes
                        .iter()
                        .find(|(c, _)| *c == code)
                        .map(|(_, chunk)| (d, i, *chunk)),
                })
                .collect(),
        )
    };
    // Each list, and whether its chunks bound where its group can start: the first cover term
    // of a phrase, checked with what follows it.
    let mut lists: Vec<(Vec<Posting>, bool)> = Vec::new();
    for g in groups {
        for (i, (t, then)) in cover(g).into_iter().enumerate() {
            match lookup(t, then) {
                Some(l) => lists.push((l, i == 0 && then.is_some())),
                None => return Vec::new(),
            }
        }
    }
    let Some(shortest) = (0..lists.len()).min_by_key(|i| lists[*i].0.len()) else {
        return Vec::new();
    };
    // doc -> (score, lists seen, where the earliest group can start)
    let mut scores: HashMap<u64, (u64, usize, u32)> = lists[shortest]
        .0
        .iter()
        .map(|(d, _, _)| (*d, (0, 0, u32::MAX)))
        .collect();
    let bounded = lists.iter().filter(|(_, b)| *b).count();
    for (l, bounds) in &lists {
        for (d, imp, chunk) in l {
            if let Some(e) = scores.get_mut(d) {
                e.0 += *imp as u64;
                e.1 += 1;
                if *bounds {
                    e.2 = e.2.min(*chunk as u32);
                }
            }
        }
    }
    // A group that is not a bounded phrase may match anywhere: read from the start.
    let all_bounded = bounded == groups.len();
    let mut ranked: Vec<Candidate> = scores
        .into_iter()
        .filter(|(_, (_, seen, _))| *seen == lists.len())
        .map(|(doc, (score, _, from))| Candidate {
            score,
            doc,
            from: if all_bounded { from.max(1) } else { 1 },
        })
        .collect();
    ranked.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.doc.cmp(&b.doc)));
    ranked
}

/// One result file read the way the browser script reads it: the first chunk, then further chunks
/// in order while some of `needles` has not been seen in the title or the text so far. When the
/// index says no match can start before chunk `from` ≥ 2, the text read starts there instead
/// (`offset` characters into the page) and the first chunk is not part of it.
pub struct DocRead {
    pub title: String,
    pub url: String,
    pub text: String,
    /// Characters of the page before `text`.
    pub offset: usize,
    pub place: Vec<String>,
    sections: Vec<(String, usize)>,
}

pub fn read_doc(
    get: &dyn Fn(&str) -> Option<String>,
    doc: u64,
    needles: &[String],
    from: u32,
) -> Option<DocRead> {
    let id = b36(doc);
    let f: serde_json::Value = serde_json::from_str(&get(&format!("search/d/{id}.json"))?).ok()?;
    let title = f["t"].as_str().unwrap_or("").to_string();
    let n = f["n"].as_u64().unwrap_or(1);
    let skip = from >= 2 && (from as u64) < n;
    let (mut text, mut k, offset) = if skip {
        (String::new(), from as u64, from as usize * CHUNK)
    } else {
        (f["x"].as_str().unwrap_or("").to_string(), 1, 0)
    };
    let ft = fold_str(&title);
    let mut fx = fold_str(&text);
    while k < n
        && needles
            .iter()
            .any(|w| !ft.contains(w.as_str()) && !fx.contains(w.as_str()))
    {
        let chunk = get(&format!("search/x/{id}-{k}.txt"))?;
        fx.push_str(&fold_str(&chunk));
        text.push_str(&chunk);
        k += 1;
    }
    let sections = f["s"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| Some((s[0].as_str()?.to_string(), s[1].as_u64()? as usize)))
                .collect()
        })
        .unwrap_or_default();
    let place = f["w"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| Some(p.as_str()?.to_string()))
                .collect()
        })
        .unwrap_or_default();
    Some(DocRead {
        title,
        url: f["u"].as_str().unwrap_or("").to_string(),
        text,
        offset,
        place,
        sections,
    })
}

/// Runs `q` against an index read through `get` (path under the site root → file text). Returns
/// every matching page in rank order.
pub fn query(get: &dyn Fn(&str) -> Option<String>, q: &str) -> Vec<Hit> {
    let groups = query_terms(q);
    if groups.is_empty() {
        return Vec::new();
    }
    let phrases: Vec<String> = groups
        .iter()
        .filter(|g| g.len() > 1)
        .map(|g| phrase_text(g))
        .collect();
    let needles: Vec<String> = groups.iter().map(|g| phrase_text(g)).collect();
    let mut hits = Vec::new();
    for c in candidates(get, &groups) {
        let (score, doc) = (c.score, c.doc);
        let Some(d) = read_doc(get, doc, &needles, c.from) else {
            continue;
        };
        let (ft, fx) = (fold_str(&d.title), fold_str(&d.text));
        if !phrases
            .iter()
            .all(|p| ft.contains(p.as_str()) || fx.contains(p.as_str()))
        {
            continue;
        }
        let mut url = d.url.clone();
        // The anchor of the last section starting at or before the first match in the text.
        let first = needles
            .iter()
            .filter_map(|n| fx.find(n.as_str()))
            .min()
            .map(|b| d.offset + fx[..b].chars().count());
        if let Some(at) = first
            && let Some((a, _)) = d.sections.iter().rfind(|(_, o)| *o <= at)
        {
            url = format!("{url}#{}", crate::url::encode_path(a));
        }
        hits.push(Hit {
            doc,
            title: d.title.clone(),
            url,
            score: score as f64,
            snippet: snippet(&d.text, q),
            place: d.place.clone(),
        });
    }
    hits
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
