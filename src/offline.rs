//! What the model, render and write stages share about the offline copy of the site (the folder
//! a trainer opens from a USB stick): where its zip is published, what it is called, and the
//! markers by which the download block of a page is filled in (its size) or swapped for a note in
//! the offline copy itself.

/// The zip of the offline copy, as an output path.
pub(crate) const ZIP_PATH: &str = "offline/site-offline.zip";

/// Starts what only the published site shows (the download link); runs up to [`ELSE`].
pub(crate) const ONLINE: &str = "<!--dualprev:online-->";
/// `<!--dualprev:offline HTML-->`: what the offline copy shows instead of the [`ONLINE`] part.
pub(crate) const ELSE: &str = "<!--dualprev:offline ";
/// Where the published pages get the zip's size once it is made.
pub(crate) const SIZE: &str = "<!--dualprev:zip-size-->";

/// The name of the offline copy — the zip's download name and the folder in it — from the
/// site's title, without the characters a file name may not hold on Windows.
pub(crate) fn folder_name(title: &str) -> String {
    let clean: String = title
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim_matches(['.', ' ', '-']);
    if clean.is_empty() {
        "网站离线版".into()
    } else {
        format!("{clean}（离线版）")
    }
}

/// A size in bytes as people read it on a download link: `860 KB`, `4.2 MB`.
pub(crate) fn human_size(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_file_names() {
        assert_eq!(
            folder_name("连山镇工贸企业双重预防机制"),
            "连山镇工贸企业双重预防机制（离线版）"
        );
        assert_eq!(folder_name("A/B:C*"), "A-B-C（离线版）");
        assert_eq!(folder_name("  "), "网站离线版");
    }

    #[test]
    fn sizes_read_like_a_download_link() {
        assert_eq!(human_size(1), "1 KB");
        assert_eq!(human_size(880_000), "860 KB");
        assert_eq!(human_size(4_404_019), "4.2 MB");
    }
}
