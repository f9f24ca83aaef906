//! The repository's handbook and evaluation standards, embedded in the binary so that
//! `dualprev init` gives a new town the whole of them. The list is written out by hand (one path
//! a line, the bytes taken by `include_bytes!`); the tests below fail when a file under
//! `content/handbook/` or `data/standards/` is missing from it, so it cannot go stale.

/// `(path under the site root, bytes)` for every path listed, in the order given.
macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../", $path)).as_slice())),*]
    };
}

/// Every file under `content/handbook/` (the two manuals, the topics, glossary, sources, training).
pub(super) const HANDBOOK: &[(&str, &[u8])] = embed![
    "content/handbook/_index.md",
    "content/handbook/glossary.md",
    "content/handbook/large-medium/01-organization.md",
    "content/handbook/large-medium/02-risk-units.md",
    "content/handbook/large-medium/03-hazard-identification.md",
    "content/handbook/large-medium/04-risk-assessment.md",
    "content/handbook/large-medium/05-risk-grading.md",
    "content/handbook/large-medium/06-controls-and-notification.md",
    "content/handbook/large-medium/07-hazard-investigation.md",
    "content/handbook/large-medium/08-hazard-remediation.md",
    "content/handbook/large-medium/09-ledgers-and-it.md",
    "content/handbook/large-medium/10-evaluation-and-improvement.md",
    "content/handbook/large-medium/11-faq.md",
    "content/handbook/large-medium/_index.md",
    "content/handbook/small-micro/01-organization.md",
    "content/handbook/small-micro/02-posts.md",
    "content/handbook/small-micro/03-hazard-identification.md",
    "content/handbook/small-micro/04-risk-assessment.md",
    "content/handbook/small-micro/05-four-colours.md",
    "content/handbook/small-micro/06-control-and-notice.md",
    "content/handbook/small-micro/07-hazard-checks.md",
    "content/handbook/small-micro/08-hazard-rectification.md",
    "content/handbook/small-micro/09-records.md",
    "content/handbook/small-micro/10-self-assessment.md",
    "content/handbook/small-micro/11-faq.md",
    "content/handbook/small-micro/_index.md",
    "content/handbook/sources.md",
    "content/handbook/topics/_index.md",
    "content/handbook/topics/动火作业.md",
    "content/handbook/topics/危险化学品储存使用.md",
    "content/handbook/topics/吊装作业.md",
    "content/handbook/topics/外委外租.md",
    "content/handbook/topics/有限空间作业.md",
    "content/handbook/topics/检维修作业.md",
    "content/handbook/topics/消防安全.md",
    "content/handbook/topics/用电安全.md",
    "content/handbook/topics/粉尘涉爆.md",
    "content/handbook/topics/高处作业.md",
    "content/handbook/topics/高温熔融金属及熔渣.md",
    "content/handbook/training.md",
];

/// Both evaluation standards.
pub(super) const STANDARDS: &[(&str, &[u8])] = embed![
    "data/standards/large-medium.toml",
    "data/standards/small-micro.toml",
];

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The files the site's loader would read under `dir` of this repository (temp files skipped).
    fn repo_files(dir: &str) -> Vec<String> {
        crate::load::list_files(Path::new(env!("CARGO_MANIFEST_DIR")), dir)
    }

    fn listed(list: &[(&str, &[u8])]) -> Vec<String> {
        let mut v: Vec<String> = list.iter().map(|(p, _)| p.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn every_handbook_file_is_embedded() {
        let on_disk = repo_files("content/handbook");
        assert!(on_disk.len() > 30, "the handbook is missing: {on_disk:?}");
        let missing: Vec<&String> = on_disk
            .iter()
            .filter(|p| !listed(super::HANDBOOK).contains(p))
            .collect();
        assert!(
            missing.is_empty(),
            "add these to HANDBOOK in src/scaffold/embedded.rs: {missing:?}"
        );
        assert_eq!(
            listed(super::HANDBOOK),
            on_disk,
            "HANDBOOK lists a file that is gone"
        );
    }

    #[test]
    fn every_standard_is_embedded() {
        let on_disk = repo_files("data/standards");
        assert_eq!(
            listed(super::STANDARDS),
            on_disk,
            "STANDARDS in src/scaffold/embedded.rs must list every file under data/standards/"
        );
    }

    #[test]
    fn embedded_bytes_are_the_files() {
        for (rel, bytes) in super::HANDBOOK.iter().chain(super::STANDARDS) {
            let disk = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap();
            assert_eq!(&disk[..], *bytes, "{rel}");
        }
    }
}
