//! What the workbook takes from the site: the drop-down lists of `data/site.toml` (villages,
//! departments, liaisons, milestones, accident types), the standards in `data/standards/`, and the
//! grading bands the risk formulas use.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::load::site_config::{self, Bands};
use crate::load::source;

use super::schema::Sheet;
use super::value::{Val, half_width};
use crate::model::risk;

#[derive(Debug, Default)]
pub(crate) struct SiteLists {
    pub villages: Vec<String>,
    pub departments: Vec<String>,
    pub liaisons: Vec<String>,
    pub standards: Vec<String>,
    /// key and name
    pub milestones: Vec<(String, String)>,
    pub accidents: Vec<String>,
    pub lec: Option<Bands>,
    pub ls: Option<Bands>,
    /// The factor values of LEC's L, E, C and LS's L, S.
    pub factors: [Vec<f64>; 5],
}

/// Reads the lists of the site at `root`; `site.toml`'s own problems come back as diagnostics.
pub(crate) fn read(root: &Path, diags: &mut Vec<Diagnostic>) -> SiteLists {
    let mut lists = SiteLists::default();
    // site.toml's warnings belong to `check`; only what stops the lists from being read counts.
    let mut site_diags = Vec::new();
    match source::read(root, "data/site.toml") {
        Ok(src) => {
            if let Some(cfg) = site_config::parse(&src, &mut site_diags) {
                lists.villages = cfg.villages.iter().map(|v| v.v.clone()).collect();
                lists.departments = cfg.departments.iter().map(|v| v.v.clone()).collect();
                lists.liaisons = cfg.liaisons.iter().map(|l| l.id.v.clone()).collect();
                lists.milestones = cfg
                    .milestones
                    .iter()
                    .map(|m| (m.key.clone(), m.name.clone()))
                    .collect();
                lists.accidents = cfg.scales.accidents.clone();
                let sc = &cfg.scales;
                lists.factors = [&sc.lec_l, &sc.lec_e, &sc.lec_c, &sc.ls_l, &sc.ls_s]
                    .map(|f| f.iter().map(|x| x.value).collect());
                lists.lec = cfg.lec;
                lists.ls = cfg.ls;
            }
        }
        Err(d) => site_diags.push(d),
    }
    lists.standards = crate::load::list_files(root, "data/standards")
        .iter()
        .filter_map(|rel| rel.strip_prefix("data/standards/")?.strip_suffix(".toml"))
        .map(str::to_string)
        .collect();
    diags.extend(site_diags.into_iter().filter(Diagnostic::is_error));
    lists
}

impl SiteLists {
    /// The milestone's name for `key`, or the key itself when site.toml does not list it.
    pub(crate) fn milestone_name(&self, key: &str) -> String {
        self.milestones
            .iter()
            .find(|(k, _)| k == key)
            .map_or(key.to_string(), |(_, n)| n.clone())
    }

    /// The key for a milestone written by name (or by key).
    pub(crate) fn milestone_key(&self, text: &str) -> String {
        self.milestones
            .iter()
            .find(|(k, n)| n == text || k == text || half_width(n) == half_width(text))
            .map_or(text.to_string(), |(k, _)| k.clone())
    }

    /// The score and level the risk sheet's formulas give for `row` (its values by column),
    /// banded exactly as the model grades the risk.
    pub(crate) fn grade(&self, sheet: &Sheet, row: &[Val]) -> (String, String) {
        let get = |key: &str| {
            sheet
                .columns
                .iter()
                .position(|c| c.key == key)
                .and_then(|i| row.get(i))
        };
        let num = |key: &str| match get(key) {
            Some(Val::Num(x)) => Some(*x),
            _ => None,
        };
        let text = |key: &str| match get(key) {
            Some(Val::Text(t)) => t.as_str(),
            _ => "",
        };
        let (score, bands) = match text("method") {
            "LEC" => (
                num("l")
                    .zip(num("e"))
                    .zip(num("c"))
                    .map(|((l, e), c)| l * e * c),
                &self.lec,
            ),
            "LS" => (num("l").zip(num("s")).map(|(l, s)| l * s), &self.ls),
            "直接判定" => return (String::new(), text("level").to_string()),
            _ => return (String::new(), String::new()),
        };
        let Some(score) = score else {
            return (String::new(), String::new());
        };
        let level = bands.as_ref().map_or("", |b| risk::band(score, b).name());
        (risk::fmt_score(score), level.to_string())
    }
}
