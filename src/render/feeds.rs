//! Machine-read files: sitemap.xml (absolute URLs from base_url), robots.txt and the notices' Atom feed.

use crate::model::Site;
use crate::model::content::Page;
use crate::text::escape;

pub(crate) fn sitemap(site: &Site, keys: &[String]) -> Option<String> {
    let base = site.base_url.as_ref()?;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for k in keys {
        s.push_str(&format!(
            "  <url><loc>{}{}</loc></url>\n",
            escape(base),
            crate::url::encode_path(k)
        ));
    }
    s.push_str("</urlset>\n");
    Some(s)
}

pub(crate) fn robots(site: &Site) -> String {
    match (&site.base_url, site.profile) {
        (_, crate::model::Profile::Internal) => "User-agent: *\nDisallow: /\n".to_string(),
        (Some(b), _) => format!("User-agent: *\nAllow: /\nSitemap: {b}sitemap.xml\n"),
        (None, _) => "User-agent: *\nAllow: /\n".to_string(),
    }
}

/// Atom feed of the dated pages of `section` (newest first). Dates only: the feed is deterministic.
pub(crate) fn atom(site: &Site, section: &Page, pages: &[&Page]) -> String {
    let base = site.base_url.clone().unwrap_or_default();
    let updated = pages
        .iter()
        .filter_map(|p| p.date)
        .max()
        .map_or("1970-01-01".to_string(), |d| d.to_string());
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n",
    );
    s.push_str(&format!(
        "  <title>{} · {}</title>\n",
        escape(&section.title),
        escape(&site.config.title)
    ));
    s.push_str(&format!("  <id>{}{}</id>\n", escape(&base), section.url));
    s.push_str(&format!(
        "  <link rel=\"alternate\" href=\"{}{}\"/>\n",
        escape(&base),
        section.url
    ));
    s.push_str(&format!(
        "  <link rel=\"self\" href=\"{}{}atom.xml\"/>\n",
        escape(&base),
        section.url
    ));
    s.push_str(&format!("  <updated>{updated}T00:00:00Z</updated>\n"));
    for p in pages {
        let date = p.date.map_or("1970-01-01".to_string(), |d| d.to_string());
        // Content links are relative to the notice's own page: xml:base makes readers resolve them there.
        s.push_str(&format!(
            "  <entry xml:base=\"{}{}\">\n",
            escape(&base),
            p.url
        ));
        s.push_str(&format!("    <title>{}</title>\n", escape(&p.title)));
        s.push_str(&format!("    <id>{}{}</id>\n", escape(&base), p.url));
        s.push_str(&format!(
            "    <link rel=\"alternate\" href=\"{}{}\"/>\n",
            escape(&base),
            p.url
        ));
        s.push_str(&format!("    <updated>{date}T00:00:00Z</updated>\n"));
        s.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            escape(if site.config.town.is_empty() {
                &site.config.title
            } else {
                &site.config.town
            })
        ));
        if !p.description.is_empty() {
            s.push_str(&format!(
                "    <summary>{}</summary>\n",
                escape(&p.description)
            ));
        }
        s.push_str(&format!(
            "    <content type=\"html\">{}</content>\n",
            escape(&p.html)
        ));
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}
