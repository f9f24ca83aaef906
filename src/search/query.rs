//! The query side, in Rust, with the same semantics as the browser script: every term must be
//! present, a CJK phrase only where its characters are adjacent in order (narrowed by what follows
//! each bigram in the index, then checked against the page text the index ships), ranked by the
//! sum of the index's whole-number BM25 impacts. Tests use it to check the index without a browser.

use std::collections::{BTreeMap, HashMap};

use super::format::{b36, decode_follows, decode_postings, follow_code, shard_of};
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

/// Candidates in rank order (score, doc): pages holding every cover term, by the summed impacts,
/// ties by document number; empty when the index cannot be read or a term is missing.
pub fn candidates(get: &dyn Fn(&str) -> Option<String>, groups: &[Vec<String>]) -> Vec<(u64, u64)> {
    let Some(meta) =
        get("search/meta.json").and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
    else {
        return Vec::new();
    };
    let shards = meta["shards"].as_u64().unwrap_or(1) as usize;
    let mut shard_cache: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    // A term's postings, only those whose page has `then` right after the term when given.
    let mut lookup = |t: &str, then: Option<char>| -> Option<Vec<(u64, u32)>> {
        let s = shard_of(t, shards);
        let m = shard_cache.entry(s).or_insert_with(|| {
            get(&format!("search/s/{s}.json"))
                .and_then(|x| serde_json::from_str(&x).ok())
                .unwrap_or_default()
        });
        let raw = m.get(t)?;
        let (list, follows) = match raw.strip_prefix('@') {
            Some(key) => {
                let list = decode_postings(&get(&format!("search/l/{key}.txt"))?);
                let follows = match then {
                    Some(_) => Some(get(&format!("search/n/{key}.txt"))?),
                    None => None,
                };
                (list, follows)
            }
            None => {
                let (p, f) = raw.split_once('.').unwrap_or((raw, ""));
                (decode_postings(p), then.map(|_| f.to_string()))
            }
        };
        let (Some(c), Some(f)) = (then, follows) else {
            return Some(list);
        };
        let code = follow_code(c);
        let keep = decode_follows(&f);
        Some(
            list.into_iter()
                .zip(keep)
                .filter(|(_, k)| k.as_ref().is_none_or(|codes| codes.contains(&code)))
                .map(|(p, _)| p)
                .collect(),
        )
    };
    let mut lists: Vec<Vec<(u64, u32)>> = Vec::new();
    for g in groups {
        for (t, then) in cover(g) {
            match lookup(t, then) {
                Some(l) => lists.push(l),
                None => return Vec::new(),
            }
        }
    }
    let Some(shortest) = (0..lists.len()).min_by_key(|i| lists[*i].len()) else {
        return Vec::new();
    };
    let mut scores: HashMap<u64, (u64, usize)> =
        lists[shortest].iter().map(|(d, _)| (*d, (0, 0))).collect();
    for l in &lists {
        for (d, imp) in l {
            if let Some(e) = scores.get_mut(d) {
                e.0 += *imp as u64;
                e.1 += 1;
            }
        }
    }
    let mut ranked: Vec<(u64, u64)> = scores
        .into_iter()
        .filter(|(_, (_, seen))| *seen == lists.len())
        .map(|(d, (score, _))| (score, d))
        .collect();
    ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked
}

/// One result file read the way the browser script reads it: the first chunk, then further chunks
/// in order while some of `needles` has not been seen in the title or the text so far.
pub struct DocRead {
    pub title: String,
    pub url: String,
    pub text: String,
    pub place: Vec<String>,
    sections: Vec<(String, usize)>,
}

pub fn read_doc(
    get: &dyn Fn(&str) -> Option<String>,
    doc: u64,
    needles: &[String],
) -> Option<DocRead> {
    let id = b36(doc);
    let f: serde_json::Value = serde_json::from_str(&get(&format!("search/d/{id}.json"))?).ok()?;
    let title = f["t"].as_str().unwrap_or("").to_string();
    let mut text = f["x"].as_str().unwrap_or("").to_string();
    let n = f["n"].as_u64().unwrap_or(1);
    let ft = fold_str(&title);
    let mut fx = fold_str(&text);
    let mut k = 1;
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
    for (score, doc) in candidates(get, &groups) {
        let Some(d) = read_doc(get, doc, &needles) else {
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
            .map(|b| fx[..b].chars().count());
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
