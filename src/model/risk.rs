//! Risk grading (风险分级): LEC and LS scores banded by the thresholds in site.toml, or a level
//! stated directly; a declared level that disagrees is reported and the stricter one is shown.

use serde::Serialize;

use crate::load::site_config::Bands;

/// The four levels, strictest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Level {
    Major,
    Considerable,
    General,
    Low,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Major,
        Level::Considerable,
        Level::General,
        Level::Low,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Level::Major => "重大",
            Level::Considerable => "较大",
            Level::General => "一般",
            Level::Low => "低",
        }
    }

    /// CSS class and colour word (the text always travels with the colour).
    pub fn class(self) -> &'static str {
        match self {
            Level::Major => "major",
            Level::Considerable => "considerable",
            Level::General => "general",
            Level::Low => "low",
        }
    }

    pub fn colour(self) -> &'static str {
        match self {
            Level::Major => "红",
            Level::Considerable => "橙",
            Level::General => "黄",
            Level::Low => "蓝",
        }
    }

    pub fn from_name(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Bands a score: lower bounds are inclusive.
pub fn band(score: f64, b: &Bands) -> Level {
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

pub fn on_scale(x: f64, scale: &[f64]) -> bool {
    scale.iter().any(|v| (v - x).abs() < 1e-9)
}

/// A score rendered without trailing zeros: 720, 1.5, 0.6.
pub fn fmt_score(x: f64) -> String {
    let s = format!("{:.2}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
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
