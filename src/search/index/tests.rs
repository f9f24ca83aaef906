//! Unit tests of the index builder: document terms, parts, shards.

use super::*;

#[test]
fn chunks_split_on_characters() {
    assert_eq!(chunks("粉尘爆炸危险", 4), vec!["粉尘爆炸", "危险"]);
    assert_eq!(chunks("abcd", 2), vec!["ab", "cd"]);
    assert!(chunks("", 2).is_empty());
}

#[test]
fn place_names_the_manual_and_the_chapter() {
    let titles: HashMap<&str, &str> = [
        ("handbook/", "指导手册"),
        ("handbook/small-micro/", "小微企业指导手册（本镇工作版）"),
        ("handbook/large-medium/", "大中型企业指导手册"),
        ("handbook/topics/", "高风险作业专题"),
        ("enterprises/", "企业名录"),
        ("notices/", "通知公告"),
        ("ledger/", "企业台账"),
        ("", "首页"),
    ]
    .into_iter()
    .collect();
    let t = |k: &str| titles.get(k).map(|t| t.to_string());
    let p = |k: &str, title: &str| place(k, title, &t).join(" › ");
    assert_eq!(
        p(
            "handbook/small-micro/08-hazard-rectification/",
            "08 改隐患：闭环和销号"
        ),
        "小微企业指导手册 › 第8章"
    );
    assert_eq!(
        p(
            "handbook/large-medium/10-evaluation/",
            "第10章 自评、评估与持续改进"
        ),
        "大中型企业指导手册 › 第10章"
    );
    // A chapter whose title lost its number keeps the one in its file name.
    assert_eq!(
        p("handbook/small-micro/03-hazards/", "辨识危险有害因素"),
        "小微企业指导手册 › 第3章"
    );
    assert_eq!(p("handbook/topics/动火作业/", "动火作业"), "高风险作业专题");
    assert_eq!(p("handbook/small-micro/", "小微企业指导手册"), "指导手册");
    assert_eq!(p("enterprises/baihe-tofu/", "某公司"), "企业名录");
    // A dated notice is not a chapter, and a missing middle page is skipped.
    assert_eq!(p("notices/2024-07-15-kickoff/", "通知"), "通知公告");
    assert_eq!(p("ledger/village/太平村/", "村台账"), "企业台账");
    assert_eq!(p("handbook/", "指导手册"), "");
    assert_eq!(p("", "首页"), "");
    assert_eq!(without_remark("（示例）"), "（示例）");
    assert_eq!(chapter_number("2024 年总结"), None);
}

#[test]
fn terms_sort_by_number_as_their_text_does() {
    let words = [
        "a",
        "ab",
        "abcdefgh",
        "abcdefghi",
        "abcdefgha",
        "abcdefg",
        "b",
        "安全",
        "安全生",
        "安全生产",
        "安全生产责任",
        "0.5",
        "gb",
        "zzzzzzzzzzzz",
        "安",
    ];
    let term = |w: &str| match short_key(w) {
        Some(k) => TermText::Short(k),
        None => TermText::Long(w.into()),
    };
    let mut by_text: Vec<&str> = words.to_vec();
    by_text.sort();
    let mut by_order: Vec<(TermText, &str)> = words.iter().map(|w| (term(w), *w)).collect();
    by_order.sort_by(|a, b| a.0.order().cmp(&b.0.order()));
    let by_order: Vec<&str> = by_order.into_iter().map(|(_, w)| w).collect();
    assert_eq!(by_order, by_text);
    for w in words {
        assert_eq!(term(w).into_string(), w);
    }
}
