//! The one tokenizer of the site, used at build time and mirrored byte for byte by the browser
//! script: CJK runs become overlapping character bigrams (a lone character stays a unigram, and the
//! last character of a run is also kept as a unigram so one-character queries find it), Latin letters
//! become lower-cased words, digit runs (with inner dots: `0.1`) stay as they are. Full-width ASCII
//! is folded to half-width first.

/// A token and its position in the token stream (consecutive bigrams of a run have consecutive positions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub pos: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Letter,
    Digit,
    Other,
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF | 0x30000..=0x3134F
        | 0x3040..=0x30FF | 0xAC00..=0xD7A3)
}

/// Folds full-width ASCII (Ａ, １, ．) to half-width and lower-cases.
pub(crate) fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_ascii_digit() {
        Class::Digit
    } else if c.is_alphabetic() {
        Class::Letter
    } else {
        Class::Other
    }
}

/// A token as a byte range of the folded text (see [`spans_into`]), its position, and the index
/// of its first character in the text given (the indexer adds where that text starts in the
/// page); for a CJK bigram, the character that follows it in its run (`None` at the end of the
/// run and for every other token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) pos: u32,
    pub(crate) at: u32,
    pub(crate) follow: Option<char>,
}

/// Appends the folded form of `text` to `folded` and its tokens, as ranges of `folded`, to `out`;
/// positions are numbered from `start`, and the next free one is returned. No allocation per token:
/// the indexer sees every character of a large site.
pub(crate) fn spans_into(text: &str, start: u32, folded: &mut String, out: &mut Vec<Span>) -> u32 {
    // Start byte (in `folded`) and class of every folded character of `text`.
    let mut chars: Vec<(u32, Class)> = Vec::with_capacity(text.len() / 2);
    for c in text.chars() {
        let f = fold(c);
        let cl = class(f);
        let at = folded.len() as u32;
        if cl == Class::Letter {
            folded.extend(f.to_lowercase());
        } else {
            folded.push(f);
        }
        chars.push((at, cl));
    }
    let total = folded.len() as u32;
    let end_of = |i: usize| chars.get(i + 1).map_or(total, |c| c.0);
    let char_at = |i: usize| folded[chars[i].0 as usize..].chars().next();
    let is_digit = |i: usize| chars[i].1 == Class::Digit;
    let dot_at = |i: usize| folded.as_bytes()[chars[i].0 as usize] == b'.';
    let mut pos = start;
    let mut i = 0;
    while i < chars.len() {
        match chars[i].1 {
            Class::Other => i += 1,
            Class::Cjk => {
                let s = i;
                while i < chars.len() && chars[i].1 == Class::Cjk {
                    i += 1;
                }
                if i - s == 1 {
                    out.push(Span {
                        start: chars[s].0,
                        end: end_of(s),
                        pos,
                        at: s as u32,
                        follow: None,
                    });
                    pos += 1;
                } else {
                    #[allow(clippy::needless_range_loop)] // k and k + 1 are both used
                    for k in s..i - 1 {
                        out.push(Span {
                            start: chars[k].0,
                            end: end_of(k + 1),
                            pos,
                            at: k as u32,
                            follow: if k + 2 < i { char_at(k + 2) } else { None },
                        });
                        pos += 1;
                    }
                    out.push(Span {
                        start: chars[i - 1].0,
                        end: end_of(i - 1),
                        pos,
                        at: (i - 1) as u32,
                        follow: None,
                    });
                    pos += 1;
                }
                // A gap keeps phrases from matching across runs.
                pos += 1;
            }
            Class::Letter => {
                let s = i;
                while i < chars.len() && chars[i].1 == Class::Letter {
                    i += 1;
                }
                out.push(Span {
                    start: chars[s].0,
                    end: end_of(i - 1),
                    pos,
                    at: s as u32,
                    follow: None,
                });
                pos += 1;
            }
            Class::Digit => {
                let s = i;
                while i < chars.len()
                    && (is_digit(i)
                        || (i > s && dot_at(i) && i + 1 < chars.len() && is_digit(i + 1)))
                {
                    i += 1;
                }
                out.push(Span {
                    start: chars[s].0,
                    end: end_of(i - 1),
                    pos,
                    at: s as u32,
                    follow: None,
                });
                pos += 1;
            }
        }
    }
    pos
}

/// Tokenizes `text`, numbering positions from `start`. Returns the next free position.
pub fn tokenize_into(text: &str, start: u32, out: &mut Vec<Token>) -> u32 {
    let mut folded = String::with_capacity(text.len());
    let mut spans = Vec::new();
    let next = spans_into(text, start, &mut folded, &mut spans);
    out.extend(spans.iter().map(|s| Token {
        text: folded[s.start as usize..s.end as usize].to_string(),
        pos: s.pos,
    }));
    next
}

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    tokenize_into(text, 0, &mut out);
    out
}

/// A query is a list of terms; a term is a phrase of tokens that must be adjacent in order.
/// A CJK run is one phrase of its bigrams (its trailing unigram is dropped: the bigrams already
/// cover it); a one-character run is that character; every Latin word or number is its own term.
pub fn query_terms(q: &str) -> Vec<Vec<String>> {
    let toks = tokenize(q);
    let mut terms: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let first = t.text.chars().next().unwrap_or(' ');
        if is_cjk(first) && t.text.chars().count() == 2 {
            let mut phrase = vec![t.text.clone()];
            let mut j = i + 1;
            while j < toks.len() && toks[j].pos == toks[j - 1].pos + 1 {
                if toks[j].text.chars().count() == 2 {
                    phrase.push(toks[j].text.clone());
                }
                j += 1;
            }
            terms.push(phrase);
            i = j;
        } else {
            terms.push(vec![t.text.clone()]);
            i += 1;
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn cjk_bigrams_with_final_unigram() {
        assert_eq!(texts("粉尘爆炸"), ["粉尘", "尘爆", "爆炸", "炸"]);
        assert_eq!(texts("尘"), ["尘"]);
    }

    #[test]
    fn mixed_latin_numbers_and_punctuation() {
        assert_eq!(
            texts("GB 15577—2018《粉尘防爆》"),
            ["gb", "15577", "2018", "粉尘", "尘防", "防爆", "爆"]
        );
        assert_eq!(texts("压力0.1MPa"), ["压力", "力", "0.1", "mpa"]);
        assert_eq!(texts("2024年"), ["2024", "年"]);
    }

    #[test]
    fn bigrams_know_what_follows_them_in_their_run() {
        let mut folded = String::new();
        let mut spans = Vec::new();
        spans_into("粉尘涉爆，尘", 0, &mut folded, &mut spans);
        let follows: Vec<(&str, Option<char>)> = spans
            .iter()
            .map(|s| (&folded[s.start as usize..s.end as usize], s.follow))
            .collect();
        assert_eq!(
            follows,
            [
                ("粉尘", Some('涉')),
                ("尘涉", Some('爆')),
                ("涉爆", None),
                ("爆", None),
                ("尘", None)
            ]
        );
    }

    #[test]
    fn full_width_folds() {
        assert_eq!(texts("ＧＢ１５５７７"), ["gb", "15577"]);
    }

    #[test]
    fn runs_do_not_touch() {
        let t = tokenize("粉尘，爆炸");
        let a = t.iter().find(|x| x.text == "粉尘").unwrap().pos;
        let b = t.iter().find(|x| x.text == "爆炸").unwrap().pos;
        assert!(b > a + 2);
    }

    #[test]
    fn query_phrases() {
        assert_eq!(query_terms("粉尘爆炸"), vec![vec!["粉尘", "尘爆", "爆炸"]]);
        assert_eq!(query_terms("粉尘 爆炸"), vec![vec!["粉尘"], vec!["爆炸"]]);
        assert_eq!(query_terms("GB 15577"), vec![vec!["gb"], vec!["15577"]]);
        assert_eq!(query_terms("尘"), vec![vec!["尘"]]);
    }
}
