//! Risk grading (风险分级): LEC and LS scores banded by the thresholds in site.toml, or a level
//! stated directly; a declared level that disagrees is reported and the stricter one is shown.

use crate::diag::Diagnostic;
use crate::load::enterprise::{EnterpriseRecord, Risk};
use crate::load::site_config::{Bands, SiteConfig};

use super::enterprise::{GradedRisk, RiskGroup, check_ref};

pub(crate) use crate::domain::Level;
use crate::domain::Method;

/// Colours of the four-colour map (红橙黄蓝). The text always travels with the colour.
impl Level {
    pub(crate) fn colour(self) -> &'static str {
        match self {
            Level::Major => "红",
            Level::Considerable => "橙",
            Level::General => "黄",
            Level::Low => "蓝",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Bands a score: lower bounds are inclusive.
pub(crate) fn band(score: f64, b: &Bands) -> Level {
    // Products of the LEC factors are not exact in binary; compare with a little tolerance.
    let ge = |bound: f64| score >= bound - 1e-9;
    if ge(b.major) {
        Level::Major
    } else if ge(b.considerable) {
        Level::Considerable
    } else if ge(b.general) {
        Level::General
    } else {
        Level::Low
    }
}

pub(crate) fn on_scale(x: f64, scale: &[f64]) -> bool {
    scale.iter().any(|v| (v - x).abs() < 1e-9)
}

/// A score rendered without trailing zeros: 720, 1.5, 0.6.
pub(crate) fn fmt_score(x: f64) -> String {
    let s = format!("{:.2}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A risk's level from its method's factors (or as stated), checked against site.toml's tables;
/// `None`, with the reasons in `diags`, when it cannot be graded.
pub(super) fn grade_risk(
    owned: Risk,
    cfg: &SiteConfig,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<GradedRisk> {
    let r = &owned;
    check_accidents(r, cfg, src, diags);
    let declared = r.level.as_ref().map(|l| l.v);
    let (computed, formula) = match r.method.v {
        Method::Lec => grade_lec(r, cfg, src, diags).map(|(c, f)| (Some(c), f))?,
        Method::Ls => grade_ls(r, cfg, src, diags).map(|(c, f)| (Some(c), f))?,
        Method::Direct => {
            if declared.is_none() {
                diags.push(Diagnostic::error_at(
                    src,
                    r.method.span.clone(),
                    format!(
                        "风险“{}”为直接判定，必须填写 level（重大、较大、一般、低）",
                        r.id.v
                    ),
                ));
                return None;
            }
            (None, "直接判定".to_string())
        }
    };
    let level = settle_level(r, computed, declared, &formula, src, diags)?;
    let group = r
        .post
        .as_ref()
        .map(|p| p.v.clone())
        .unwrap_or_else(|| r.unit.clone());
    Some(GradedRisk {
        r: owned,
        formula,
        level,
        computed: computed.filter(|c| Some(*c) != declared && declared.is_some()),
        declared: declared.filter(|d| Some(*d) != computed && computed.is_some()),
        group,
    })
}

/// Each accident type must be one of site.toml's, so the ledger's counts by type add up.
fn check_accidents(
    r: &Risk,
    cfg: &SiteConfig,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) {
    for a in &r.accidents {
        check_ref(
            diags,
            src,
            a,
            &cfg.scales.accidents,
            "事故类型（site.toml [accidents]）",
        );
    }
}

/// A factor the method needs; a missing one is an error at the method.
fn need(
    r: &Risk,
    v: &Option<crate::load::toml_reader::Sp<f64>>,
    k: &str,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<f64> {
    if v.is_none() {
        diags.push(Diagnostic::error_at(
            src,
            r.method.span.clone(),
            format!("风险“{}”用 {} 法评价，但缺少因子 {k}", r.id.v, r.method.v),
        ));
    }
    v.as_ref().map(|x| x.v)
}

/// The LEC level, D = L × E × C banded by `[bands.lec]`, with the formula shown beside it.
fn grade_lec(
    r: &Risk,
    cfg: &SiteConfig,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Level, String)> {
    let (l, e, c) = (
        need(r, &r.l, "l", src, diags),
        need(r, &r.e, "e", src, diags),
        need(r, &r.c, "c", src, diags),
    );
    let sc = &cfg.scales;
    for (f, scale, name) in [
        (&r.l, &sc.lec_l, "L"),
        (&r.e, &sc.lec_e, "E"),
        (&r.c, &sc.lec_c, "C"),
    ] {
        check_factor(f, scale, "LEC", name, src, diags);
    }
    let (l, e, c) = (l?, e?, c?);
    let d = l * e * c;
    let Some(b) = cfg.lec.as_ref() else {
        diags.push(Diagnostic::error_at(
            src,
            r.method.span.clone(),
            "site.toml 没有 [bands.lec]，无法按 LEC 法分级",
        ));
        return None;
    };
    Some((
        band(d, b),
        format!(
            "D = {} × {} × {} = {}",
            fmt_score(l),
            fmt_score(e),
            fmt_score(c),
            fmt_score(d)
        ),
    ))
}

/// The LS level, R = L × S banded by `[bands.ls]`, with the formula shown beside it.
fn grade_ls(
    r: &Risk,
    cfg: &SiteConfig,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Level, String)> {
    let (l, s) = (
        need(r, &r.l, "l", src, diags),
        need(r, &r.s, "s", src, diags),
    );
    for (f, scale, name) in [(&r.l, &cfg.scales.ls_l, "L"), (&r.s, &cfg.scales.ls_s, "S")] {
        check_factor(f, scale, "LS", name, src, diags);
    }
    let (l, s) = (l?, s?);
    let rv = l * s;
    let Some(b) = cfg.ls.as_ref() else {
        diags.push(Diagnostic::error_at(
            src,
            r.method.span.clone(),
            "site.toml 没有 [bands.ls]，无法按 LS 法分级",
        ));
        return None;
    };
    Some((
        band(rv, b),
        format!(
            "R = {} × {} = {}",
            fmt_score(l),
            fmt_score(s),
            fmt_score(rv)
        ),
    ))
}

/// The level shown: the stricter of the computed and the declared one, a disagreement warned of.
fn settle_level(
    r: &Risk,
    computed: Option<Level>,
    declared: Option<Level>,
    formula: &str,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<Level> {
    match (computed, declared) {
        (Some(c), Some(d)) => {
            if c != d
                && let Some(lv) = &r.level
            {
                diags.push(Diagnostic::warning_at(
                        src,
                        lv.span.clone(),
                        format!("风险“{}”填写的等级“{}”与计算结果“{}”（{formula}）不一致，按从严原则显示“{}”", r.id.v, d.name(), c.name(), c.min(d).name()),
                    ));
            }
            Some(c.min(d))
        }
        (Some(c), None) => Some(c),
        (None, Some(d)) => Some(d),
        (None, None) => None,
    }
}

/// A factor not in its table (site.toml `[scales]`) is an error at the value, listing the allowed ones.
fn check_factor(
    f: &Option<crate::load::toml_reader::Sp<f64>>,
    scale: &[crate::load::scales::Factor],
    method: &str,
    name: &str,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) {
    let values: Vec<f64> = scale.iter().map(|x| x.value).collect();
    if let Some(f) = f
        && !on_scale(f.v, &values)
    {
        let vals: Vec<String> = values.iter().map(|x| fmt_score(*x)).collect();
        diags.push(
            Diagnostic::error_at(
                src,
                f.span.clone(),
                format!("{method} 法的 {name} 值 {} 不在取值表中", fmt_score(f.v)),
            )
            .with_hint(format!("{name} 可取：{}", vals.join("、"))),
        );
    }
}
pub(super) fn group_risks(risks: &[GradedRisk], rec: &EnterpriseRecord) -> Vec<RiskGroup> {
    let mut groups: Vec<RiskGroup> = Vec::new();
    for (i, r) in risks.iter().enumerate() {
        match groups.iter_mut().find(|g| g.name == r.group) {
            Some(g) => g.risks.push(i),
            None => groups.push(RiskGroup {
                name: r.group.clone(),
                headcount: rec
                    .posts
                    .iter()
                    .find(|p| p.name.v == r.group)
                    .map(|p| p.headcount),
                highest: r.level,
                risks: vec![i],
                index: groups.len() + 1,
            }),
        }
    }
    for g in &mut groups {
        let highest = g
            .risks
            .iter()
            .map(|i| risks[*i].level)
            .min()
            .unwrap_or(Level::Low);
        g.highest = highest;
        g.risks.sort_by_key(|i| (risks[*i].level, *i));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lec() -> Bands {
        Bands {
            major: 320.0,
            considerable: 160.0,
            general: 70.0,
        }
    }
    fn ls() -> Bands {
        Bands {
            major: 20.0,
            considerable: 15.0,
            general: 9.0,
        }
    }

    #[test]
    fn lec_boundaries() {
        assert_eq!(band(320.0, &lec()), Level::Major);
        assert_eq!(band(319.9, &lec()), Level::Considerable);
        assert_eq!(band(160.0, &lec()), Level::Considerable);
        assert_eq!(band(159.0, &lec()), Level::General);
        assert_eq!(band(70.0, &lec()), Level::General);
        assert_eq!(band(69.9, &lec()), Level::Low);
        // 3 × 6 × 40 = 720; 0.1 × 0.5 × 1 is tiny.
        assert_eq!(band(3.0 * 6.0 * 40.0, &lec()), Level::Major);
        assert_eq!(band(0.1 * 0.5 * 1.0, &lec()), Level::Low);
    }

    #[test]
    fn ls_boundaries() {
        assert_eq!(band(20.0, &ls()), Level::Major);
        assert_eq!(band(16.0, &ls()), Level::Considerable);
        assert_eq!(band(15.0, &ls()), Level::Considerable);
        assert_eq!(band(12.0, &ls()), Level::General);
        assert_eq!(band(9.0, &ls()), Level::General);
        assert_eq!(band(8.0, &ls()), Level::Low);
    }

    #[test]
    fn scores_print_plainly() {
        assert_eq!(fmt_score(720.0), "720");
        assert_eq!(fmt_score(1.5), "1.5");
        assert_eq!(fmt_score(0.6000000001), "0.6");
    }
}
