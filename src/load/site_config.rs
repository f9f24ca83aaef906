//! `data/site.toml`: the town, its villages/communities, departments and liaisons, the deadlines,
//! the risk bands and the construction milestones. Everything that varies between places lives here.

use jiff::civil::Date;
use serde::Serialize;

use super::toml_reader::{Reader, Sp, Table};
use crate::diag::{Diagnostic, SourceFile};

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Bands {
    pub(crate) major: f64,
    pub(crate) considerable: f64,
    pub(crate) general: f64,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Deadlines {
    pub(crate) high_risk: Date,
    pub(crate) all: Date,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Milestone {
    pub(crate) key: String,
    pub(crate) name: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Liaison {
    pub(crate) id: Sp<String>,
    pub(crate) title: String,
    /// Personal: internal profile only.
    #[serde(skip)]
    pub(crate) name: String,
    #[serde(skip)]
    pub(crate) phone: String,
}

/// One phase of the town's plan (动员部署, 示范企业创建, 全面推进), with its dates.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Phase {
    pub(crate) name: String,
    pub(crate) start: Date,
    pub(crate) end: Date,
    /// What the plan asks in this phase, one line each.
    pub(crate) tasks: Vec<String>,
}

/// `[plan]`: the implementation plan the site serves, and the rules it sets.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct Plan {
    pub(crate) title: String,
    pub(crate) issued: Option<Date>,
    pub(crate) issuer: String,
    pub(crate) phases: Vec<Phase>,
    /// Who may make an evaluation that counts for 已达标; empty: anyone, the enterprise itself included.
    pub(crate) evaluators: Vec<String>,
    /// How many demonstration enterprises the plan asks for, at most.
    pub(crate) demonstration_max: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteConfig {
    pub(crate) title: String,
    pub(crate) town: String,
    pub(crate) base_url: Option<String>,
    pub(crate) as_of: Option<Date>,
    pub(crate) description: String,
    pub(crate) deadlines: Option<Deadlines>,
    pub(crate) lec: Option<Bands>,
    pub(crate) ls: Option<Bands>,
    pub(crate) milestones: Vec<Milestone>,
    pub(crate) villages: Vec<Sp<String>>,
    pub(crate) departments: Vec<Sp<String>>,
    pub(crate) liaisons: Vec<Liaison>,
    pub(crate) plan: Plan,
    pub(crate) scales: super::scales::Scales,
}

const KEYS: &[&str] = &[
    "title",
    "town",
    "base_url",
    "as_of",
    "description",
    "deadlines",
    "bands",
    "milestones",
    "villages",
    "departments",
    "liaisons",
    "plan",
];

pub fn parse(src: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<SiteConfig> {
    let mut r = Reader::new(src, 0);
    let doc = r.parse(&src.text);
    let cfg = doc.map(|doc| {
        let t = r.root(&doc);
        read(&mut r, &t)
    });
    let ok = !r.diags.iter().any(|d| d.is_error());
    diags.append(&mut r.diags);
    cfg.filter(|_| ok)
}

fn read(r: &mut Reader, t: &Table) -> SiteConfig {
    const W: &str = "site.toml ";
    let keys: Vec<&str> = KEYS.iter().chain(super::scales::KEYS).copied().collect();
    r.check_keys(t, &keys, W);
    let deadlines = r.opt_table(t, "deadlines").and_then(|d| {
        r.check_keys(&d, &["high_risk", "all"], "[deadlines] ");
        let hr = r.date_req(&d, "high_risk", "[deadlines] ");
        let all = r.date_req(&d, "all", "[deadlines] ");
        Some(Deadlines {
            high_risk: hr?.v,
            all: all?.v,
        })
    });
    let (mut lec, mut ls) = (None, None);
    if let Some(b) = r.opt_table(t, "bands") {
        r.check_keys(&b, &["lec", "ls"], "[bands] ");
        lec = r
            .opt_table(&b, "lec")
            .and_then(|x| read_bands(r, &x, "[bands.lec] "));
        ls = r
            .opt_table(&b, "ls")
            .and_then(|x| read_bands(r, &x, "[bands.ls] "));
    }
    let mut milestones = Vec::new();
    for m in r.table_list(t, "milestones") {
        r.check_keys(&m, &["key", "name"], "[[milestones]] ");
        let key = r.str(&m, "key", "[[milestones]] ");
        let name = r.str(&m, "name", "[[milestones]] ");
        if let (Some(key), Some(name)) = (key, name) {
            if milestones.iter().any(|x: &Milestone| x.key == key.v) {
                r.error(key.span, format!("重复的里程碑 key“{}”", key.v));
            }
            milestones.push(Milestone {
                key: key.v,
                name: name.v,
            });
        }
    }
    let villages = named_list(r, t, "villages");
    let departments = named_list(r, t, "departments");
    let mut liaisons: Vec<Liaison> = Vec::new();
    for l in r.table_list(t, "liaisons") {
        r.check_keys(&l, &["id", "title", "name", "phone"], "[[liaisons]] ");
        let id = r.str(&l, "id", "[[liaisons]] ");
        let title = r.str(&l, "title", "[[liaisons]] ");
        let name = r.opt_str(&l, "name").map(|s| s.v).unwrap_or_default();
        let phone = r.opt_str(&l, "phone").map(|s| s.v).unwrap_or_default();
        if let (Some(id), Some(title)) = (id, title) {
            if liaisons.iter().any(|x| x.id.v == id.v) {
                r.error(id.span.clone(), format!("重复的联络员 id“{}”", id.v));
            }
            liaisons.push(Liaison {
                id,
                title: title.v,
                name,
                phone,
            });
        }
    }
    let base_url = r.opt_str(t, "base_url").filter(|s| !s.v.is_empty());
    if let Some(u) = &base_url
        && is_example_url(&u.v)
    {
        r.warning(
            u.span.clone(),
            format!(
                "base_url“{}”是示例地址，印出的二维码和站点地图会指向不存在的网站",
                u.v
            ),
        );
    }
    let base_url = base_url.map(|s| s.v);
    let base_url = base_url.map(|u| if u.ends_with('/') { u } else { format!("{u}/") });
    SiteConfig {
        title: r.str(t, "title", W).map(|s| s.v).unwrap_or_default(),
        town: r.opt_str(t, "town").map(|s| s.v).unwrap_or_default(),
        base_url,
        as_of: r.opt_date(t, "as_of").map(|d| d.v),
        description: r.opt_str(t, "description").map(|s| s.v).unwrap_or_default(),
        deadlines,
        lec,
        ls,
        milestones,
        villages,
        departments,
        liaisons,
        plan: read_plan(r, t),
        scales: super::scales::read(r, t),
    }
}

/// example.org, .com and .net (and their subdomains) are reserved for documentation (RFC 2606).
fn is_example_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest
        .split(['/', ':', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    ["example.org", "example.com", "example.net"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

fn read_plan(r: &mut Reader, t: &Table) -> Plan {
    const W: &str = "[plan] ";
    let Some(p) = r.opt_table(t, "plan") else {
        return Plan {
            demonstration_max: 2,
            ..Plan::default()
        };
    };
    r.check_keys(
        &p,
        &[
            "title",
            "issued",
            "issuer",
            "evaluators",
            "demonstration_max",
            "phases",
        ],
        W,
    );
    let mut phases: Vec<Phase> = Vec::new();
    for ph in r.table_list(&p, "phases") {
        const PW: &str = "[[plan.phases]] ";
        r.check_keys(&ph, &["name", "start", "end", "tasks"], PW);
        let name = r.str(&ph, "name", PW);
        let start = r.date_req(&ph, "start", PW);
        let end = r.date_req(&ph, "end", PW);
        let tasks = r.str_list(&ph, "tasks").into_iter().map(|s| s.v).collect();
        let (Some(name), Some(start), Some(end)) = (name, start, end) else {
            continue;
        };
        if end.v < start.v {
            r.error(
                end.span.clone(),
                format!(
                    "阶段“{}”的结束日期 {} 早于开始日期 {}",
                    name.v, end.v, start.v
                ),
            );
        }
        if let Some(prev) = phases.last()
            && start.v < prev.start
        {
            r.error(
                start.span.clone(),
                format!(
                    "阶段“{}”开始于上一阶段“{}”之前，请按先后顺序排列",
                    name.v, prev.name
                ),
            );
        }
        phases.push(Phase {
            name: name.v,
            start: start.v,
            end: end.v,
            tasks,
        });
    }
    Plan {
        title: r.opt_str(&p, "title").map(|s| s.v).unwrap_or_default(),
        issued: r.opt_date(&p, "issued").map(|d| d.v),
        issuer: r.opt_str(&p, "issuer").map(|s| s.v).unwrap_or_default(),
        evaluators: r
            .str_list(&p, "evaluators")
            .into_iter()
            .map(|s| s.v)
            .collect(),
        demonstration_max: r.opt_count(&p, "demonstration_max").map_or(2, |n| n.v),
        phases,
    }
}

fn read_bands(r: &mut Reader, t: &Table, what: &str) -> Option<Bands> {
    r.check_keys(t, &["major", "considerable", "general"], what);
    let need = |r: &mut Reader, k: &str| {
        let v = r.opt_num(t, k);
        if v.is_none() && !t.entries.contains_key(k) {
            r.error(
                t.span.start..t.span.start + 1,
                format!("{what}缺少必填字段“{k}”"),
            );
        }
        v
    };
    let major = need(r, "major")?;
    let considerable = need(r, "considerable")?;
    let general = need(r, "general")?;
    if !(major.v > considerable.v && considerable.v > general.v) {
        r.error(
            major.span,
            format!("{what}的分级下限应满足 major > considerable > general"),
        );
        return None;
    }
    Some(Bands {
        major: major.v,
        considerable: considerable.v,
        general: general.v,
    })
}

fn named_list(r: &mut Reader, t: &Table, key: &str) -> Vec<Sp<String>> {
    let what = format!("[[{key}]] ");
    let mut out: Vec<Sp<String>> = Vec::new();
    for v in r.table_list(t, key) {
        r.check_keys(&v, &["name"], &what);
        if let Some(name) = r.str(&v, "name", &what) {
            if out.iter().any(|x| x.v == name.v) {
                r.error(name.span.clone(), format!("重复的名称“{}”", name.v));
            }
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_urls() {
        for u in [
            "https://example.org/lianshan/",
            "http://EXAMPLE.com",
            "https://town.example.net:8080/x",
        ] {
            assert!(super::is_example_url(u), "{u}");
        }
        for u in [
            "https://lianshan.gov.cn/",
            "https://example.org.cn/",
            "https://notexample.com/",
        ] {
            assert!(!super::is_example_url(u), "{u}");
        }
    }
}
