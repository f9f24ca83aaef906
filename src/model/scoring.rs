//! Scoring an evaluation against its standard: N/A items leave the denominator, the percentage is
//! kept in tenths (integer arithmetic, so 59.95 never flips), and a veto fails whatever the score.
//! Recorded scores are whole points, which lie on every step a standard may allow (see load::standard);
//! the browser self-assessment (selfcheck.js) does the same sums in units of the step.

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::domain::Verdict;
use crate::load::enterprise::{EnterpriseRecord, Evaluation};
use crate::load::standard::Standard;

use super::enterprise::{ScoredEvaluation, check_ref};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct CategoryScore {
    pub(crate) name: String,
    pub(crate) awarded: u64,
    pub(crate) applicable: u64,
    /// Percentage in tenths (0..=1000).
    pub(crate) tenths: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Score {
    pub(crate) awarded: u64,
    pub(crate) applicable: u64,
    pub(crate) tenths: u64,
    /// `87.5`
    pub(crate) percent: String,
    pub(crate) line: f64,
    pub(crate) vetoed: bool,
    pub(crate) pass: bool,
    pub(crate) verdict: Verdict,
    pub(crate) categories: Vec<CategoryScore>,
}

fn tenths(awarded: u64, applicable: u64) -> u64 {
    (awarded * 1000 + applicable / 2)
        .checked_div(applicable)
        .unwrap_or(0)
}

/// Scores `scores` (item id → points) with `na` not applicable; `line` is the pass line in percent.
pub(crate) fn score(
    std: &Standard,
    scores: &[(String, u64)],
    na: &[String],
    vetoed: bool,
    line: f64,
) -> Score {
    let mut cats = Vec::new();
    let (mut awarded, mut applicable) = (0, 0);
    for c in &std.categories {
        let (mut a, mut p) = (0, 0);
        for item in c.items.iter().filter(|i| !i.veto && !na.contains(&i.id.v)) {
            p += item.points;
            a += scores
                .iter()
                .find(|(id, _)| *id == item.id.v)
                .map_or(0, |(_, s)| (*s).min(item.points));
        }
        if c.items.iter().any(|i| !i.veto) {
            cats.push(CategoryScore {
                name: c.name.clone(),
                awarded: a,
                applicable: p,
                tenths: tenths(a, p),
            });
        }
        awarded += a;
        applicable += p;
    }
    let t = tenths(awarded, applicable);
    let reaches = t as f64 >= (line * 10.0).round();
    let pass = reaches && !vetoed;
    Score {
        awarded,
        applicable,
        tenths: t,
        percent: format!("{}.{}", t / 10, t % 10),
        line,
        vetoed,
        pass,
        verdict: if vetoed {
            Verdict::Vetoed
        } else if pass {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        categories: cats,
    }
}

/// An evaluation checked against its standard and scored; `None`, with the reasons in `diags`,
/// when the standard is unknown or the record's scores do not fit it.
pub(super) fn score_evaluation(
    e: &Evaluation,
    rec: &EnterpriseRecord,
    standards: &[Standard],
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<ScoredEvaluation> {
    let std = find_standard(e, standards, src, diags)?;
    warn_other_size(e, rec, std, src, diags);
    let scored: Vec<String> = std
        .items()
        .filter(|i| !i.veto)
        .map(|i| i.id.v.clone())
        .collect();
    // Every check runs, so that one build reports all of the record's mistakes.
    let (item_scores, scores_ok) = item_scores(e, std, &scored, src, diags);
    let (na, na_ok) = not_applicable(e, std, &scored, src, diags);
    let vetoes_ok = vetoes_known(e, std, src, diags);
    let complete = all_scored(e, &scored, &na, src, diags);
    if !(scores_ok && na_ok && vetoes_ok && complete) {
        return None;
    }
    let line = if rec.demonstration {
        std.demonstration_line
    } else {
        std.pass_line
    };
    let score = score(std, &item_scores, &na, !e.vetoed.is_empty(), line);
    Some(ScoredEvaluation {
        e: e.clone(),
        standard_title: std.title.clone(),
        score,
        item_scores,
    })
}

/// The evaluation's standard; an unknown one is an error naming the known ones.
fn find_standard<'s>(
    e: &Evaluation,
    standards: &'s [Standard],
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'s Standard> {
    let ids: Vec<String> = standards.iter().map(|s| s.id.clone()).collect();
    let Some(std) = standards.iter().find(|s| s.id == e.standard.v) else {
        check_ref(
            diags,
            src,
            &e.standard,
            &ids,
            "评估标准（data/standards/ 下的文件名）",
        );
        return None;
    };
    Some(std)
}

/// A standard written for another size of enterprise is allowed, but likely a slip: a warning.
fn warn_other_size(
    e: &Evaluation,
    rec: &EnterpriseRecord,
    std: &Standard,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(applies_to) = std.applies_to
        && applies_to != rec.size
    {
        diags.push(Diagnostic::warning_at(
            src,
            e.standard.span.clone(),
            format!(
                "评估标准“{}”适用于{}企业，本企业为{}",
                std.id, applies_to, rec.size
            ),
        ));
    }
}

/// The recorded scores of the standard's scored items, and whether every one was such an item
/// and within its points.
fn item_scores(
    e: &Evaluation,
    std: &Standard,
    scored: &[String],
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<(String, u64)>, bool) {
    let mut item_scores = Vec::new();
    let mut ok = true;
    for (id, pts) in &e.scores {
        match std.item(&id.v) {
            None => {
                check_ref(
                    diags,
                    src,
                    id,
                    scored,
                    &format!("评估项（标准 {}）", std.id),
                );
                ok = false;
            }
            Some(item) if item.veto => {
                diags.push(
                    Diagnostic::error_at(
                        src,
                        id.span.clone(),
                        format!("“{}”是否决项，不计分", id.v),
                    )
                    .with_hint("触发的否决项写在 vetoed = [...] 中"),
                );
                ok = false;
            }
            Some(item) => {
                if pts.v < 0 || pts.v as u64 > item.points {
                    diags.push(Diagnostic::error_at(
                        src,
                        pts.span.clone(),
                        format!("评估项“{}”得分 {} 超出范围 0～{}", id.v, pts.v, item.points),
                    ));
                    ok = false;
                } else {
                    item_scores.push((id.v.clone(), pts.v as u64));
                }
            }
        }
    }
    (item_scores, ok)
}

/// The items marked not applicable, and whether each is a scored item of the standard.
fn not_applicable(
    e: &Evaluation,
    std: &Standard,
    scored: &[String],
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<String>, bool) {
    let mut na = Vec::new();
    let mut ok = true;
    for n in &e.not_applicable {
        if scored.contains(&n.v) {
            na.push(n.v.clone());
        } else {
            check_ref(diags, src, n, scored, &format!("评估项（标准 {}）", std.id));
            ok = false;
        }
    }
    (na, ok)
}

/// Whether every veto the evaluation records is one of the standard's veto items.
fn vetoes_known(
    e: &Evaluation,
    std: &Standard,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let vetoes: Vec<String> = std
        .items()
        .filter(|i| i.veto)
        .map(|i| i.id.v.clone())
        .collect();
    let mut ok = true;
    for v in &e.vetoed {
        if !vetoes.contains(&v.v) {
            check_ref(
                diags,
                src,
                v,
                &vetoes,
                &format!("否决项（标准 {}）", std.id),
            );
            ok = false;
        }
    }
    ok
}

/// Whether every applicable scored item has a score: a gap would silently lower the percentage.
fn all_scored(
    e: &Evaluation,
    scored: &[String],
    na: &[String],
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let missing: Vec<&String> = scored
        .iter()
        .filter(|id| !na.contains(id) && !e.scores.iter().any(|(k, _)| &k.v == *id))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
    diags.push(
        Diagnostic::error_at(
            src,
            e.date.span.clone(),
            format!(
                "{} 的评估有 {} 个适用项没有打分：{}",
                e.date.v,
                missing.len(),
                list.join("、")
            ),
        )
        .with_hint("每个适用项都要在 [evaluations.scores] 中打分，不适用的列入 not_applicable"),
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::standard::{Category, Item};
    use crate::load::toml_reader::Sp;
    use std::sync::Arc;

    fn item(id: &str, points: u64, veto: bool) -> Item {
        Item {
            id: Sp::new(id.into(), 0..0),
            requirement: String::new(),
            points,
            method: String::new(),
            deduction: String::new(),
            veto,
        }
    }

    fn std() -> Standard {
        Standard {
            id: "t".into(),
            src: Arc::new(crate::diag::SourceFile {
                rel: "x".into(),
                text: String::new(),
            }),
            title: "t".into(),
            description: String::new(),
            applies_to: Some(crate::domain::Size::SmallMicro),
            pass_line: 60.0,
            demonstration_line: 80.0,
            step: 1.0,
            step_text: "1".into(),
            categories: vec![
                Category {
                    name: "A".into(),
                    items: vec![item("1", 500, false), item("2", 500, false)],
                },
                Category {
                    name: "否决项".into(),
                    items: vec![item("V1", 0, true)],
                },
            ],
        }
    }

    fn sc(v: &[(&str, u64)]) -> Vec<(String, u64)> {
        v.iter().map(|(a, b)| (a.to_string(), *b)).collect()
    }

    #[test]
    fn not_applicable_leaves_denominator() {
        let s = score(&std(), &sc(&[("1", 400)]), &["2".into()], false, 60.0);
        assert_eq!(
            (s.awarded, s.applicable, s.percent.as_str()),
            (400, 500, "80.0")
        );
        assert!(s.pass);
    }

    #[test]
    fn veto_overrides_high_score() {
        let s = score(&std(), &sc(&[("1", 500), ("2", 500)]), &[], true, 60.0);
        assert_eq!(s.percent, "100.0");
        assert!(!s.pass);
        assert_eq!(s.verdict, Verdict::Vetoed);
    }

    #[test]
    fn pass_line_edge() {
        let s = score(&std(), &sc(&[("1", 500), ("2", 99)]), &[], false, 60.0);
        assert_eq!(s.percent, "59.9");
        assert!(!s.pass);
        let s = score(&std(), &sc(&[("1", 500), ("2", 100)]), &[], false, 60.0);
        assert_eq!(s.percent, "60.0");
        assert!(s.pass);
    }

    #[test]
    fn demonstration_line() {
        let s = score(&std(), &sc(&[("1", 500), ("2", 250)]), &[], false, 80.0);
        assert_eq!(s.percent, "75.0");
        assert!(!s.pass);
    }
}
