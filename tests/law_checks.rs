//! The handbook and the checks say what the law says, from one place:
//! - the LEC and LS factor tables, the direct-grading rules and the accident categories live in
//!   site.toml and are rendered into both manuals by shortcode; a change there changes both;
//! - risk records are checked against those tables (a value or category not in them is an error);
//! - warnings cite their article, at the exact place: staffing (《安全生产法》第二十四条), the
//!   registered safety engineer (第二十七条), size against headcount (2017 statistical rule);
//! - the repository's own records build without any of these warnings.

use crate::common::*;

const Q: &str = "data/enterprises/qiaotou-foundry.toml";
const T: &str = "data/enterprises/taiping-woodwork.toml";

const MANUALS: [&str; 2] = [
    "handbook/small-micro/04-risk-assessment/index.html",
    "handbook/large-medium/04-risk-assessment/index.html",
];

#[test]
fn factor_tables_and_direct_rules_come_from_site_toml_into_both_manuals() {
    let s = repo_site();
    let out = s.out();
    s.build(&["--quiet"]).ok();
    for m in MANUALS {
        let t = page_text(&read(&out, m));
        for want in [
            "C 值（发生事故可能造成的后果）取值表（全镇统一）",
            "3重大，致残",
            "S 值（严重性）取值表（全镇统一）",
            "5特别严重可能造成人员死亡（1 人及以上，含群死群伤）",
            "本企业或同类企业发生过死亡事故",
        ] {
            assert!(t.contains(want), "{m} lacks {want:?}");
        }
    }
    // One description changed in site.toml changes both manuals, and nothing else is needed.
    replace_once(
        &s,
        "data/site.toml",
        "{ value = 3, text = \"重大，致残\" },",
        "{ value = 3, text = \"重大，致残（测试改动）\" },",
    );
    replace_once(
        &s,
        "data/site.toml",
        "  \"涉及危险化学品重大危险源（按 GB 18218 辨识）\",",
        "  \"涉及危险化学品重大危险源（按 GB 18218 辨识）\",\n  \"测试新增的直接判定情形\",",
    );
    s.build(&["--quiet"]).ok();
    for m in MANUALS {
        let t = page_text(&read(&out, m));
        assert!(
            t.contains("3重大，致残（测试改动）"),
            "{m} did not follow site.toml"
        );
        assert!(
            t.contains("4. 测试新增的直接判定情形") || t.contains("测试新增的直接判定情形"),
            "{m}"
        );
    }
}

#[test]
fn accident_categories_are_data() {
    // town-small states no [accidents]: GB/T 6441—1986's list applies, so a made-up one is an
    // error with the nearest suggestion.
    let s = site("town-small");
    replace_once(
        &s,
        Q,
        "accidents = [\"灼烫\", \"其他爆炸\"]",
        "accidents = [\"灼烫\", \"粉尘爆炸\"]",
    );
    let r = s.check();
    r.expect_code(1);
    assert!(
        r.stderr
            .contains("错误：未知的事故类型（site.toml [accidents]）“粉尘爆炸”"),
        "{}",
        r.stderr
    );
    // A town that switches its list in site.toml: the same record passes.
    let p = s.root.join("data/site.toml");
    let mut site_toml = std::fs::read_to_string(&p).unwrap();
    site_toml.push_str(
        "\n[accidents]\nstandard = \"测试用分类\"\ncategories = [\"灼烫\", \"粉尘爆炸\", \"火灾\", \"机械伤害\", \"触电\", \"物体打击\", \"高处坠落\", \"其他爆炸\", \"起重伤害\", \"车辆伤害\", \"中毒和窒息\", \"其他伤害\", \"容器爆炸\", \"坍塌\", \"淹溺\"]\n",
    );
    std::fs::write(&p, site_toml).unwrap();
    let r = s.check();
    assert!(!r.stderr.contains("事故类型"), "{}", r.stderr);
}

#[test]
fn staffing_engineer_and_size_warnings_cite_the_law_at_the_place() {
    let s = site("town-small");
    // qiaotou-foundry is 金属冶炼 (art. 24: a body or full-time staff; art. 27: an engineer).
    replace_once(
        &s,
        Q,
        "full_time_safety_staff = 1\npart_time_safety_staff = 1",
        "full_time_safety_staff = 0\npart_time_safety_staff = 1\nregistered_safety_engineers = 0",
    );
    // taiping-woodwork (12 staff, no [safety_org]) says it stores 危险物品.
    replace_once(
        &s,
        T,
        "high_risk = [\"粉尘涉爆\"]",
        "high_risk = [\"粉尘涉爆\"]\nhazardous_goods = true",
    );
    let r = s.check();
    assert_warning(
        &r.stderr,
        "金属冶炼单位应当设置安全生产管理机构或者配备专职安全生产管理人员（《安全生产法》第二十四条）",
        &format!("{Q}:17:1"),
        "[safety_org]",
    );
    assert_warning(
        &r.stderr,
        "金属冶炼单位应当有注册安全工程师从事安全生产管理工作（《安全生产法》第二十七条），本档案填写为 0",
        &format!("{Q}:21:31"),
        "registered_safety_engineers = 0",
    );
    assert_warning(
        &r.stderr,
        "生产、经营、储存、装卸危险物品的单位应当设置安全生产管理机构或者配备专职安全生产管理人员（《安全生产法》第二十四条）",
        &format!("{T}:12:19"),
        "hazardous_goods = true",
    );
    // Part-time staff do not satisfy art. 24; one full-time person does.
    let s = site("town-small");
    replace_once(
        &s,
        Q,
        "full_time_safety_staff = 1\npart_time_safety_staff = 1",
        "full_time_safety_staff = 1\npart_time_safety_staff = 0\nregistered_safety_engineers = 1",
    );
    let r = s.check();
    assert!(
        !r.stderr.contains("第二十四条") && !r.stderr.contains("第二十七条"),
        "{}",
        r.stderr
    );
    // Size: qiaotou marked 大中型 with 299 staff is below industry's 300 (and with [size_rule]
    // saying 250, it is not).
    let s = site("town-small");
    replace_once(&s, Q, "size = \"小微型\"", "size = \"大中型\"");
    replace_once(&s, Q, "employees = 30", "employees = 299");
    let r = s.check();
    assert_warning(
        &r.stderr,
        "登记为大中型，但从业人员 299 人少于工业中型企业的下限 300 人（《统计上大中小微型企业划分办法（2017）》）",
        &format!("{Q}:10:13"),
        "employees = 299",
    );
    let p = s.root.join("data/site.toml");
    let mut site_toml = std::fs::read_to_string(&p).unwrap();
    site_toml.push_str("\n[size_rule]\nmedium_min_staff_industry = 250\n");
    std::fs::write(&p, site_toml).unwrap();
    let r = s.check();
    assert!(!r.stderr.contains("划分办法"), "{}", r.stderr);
}

#[test]
fn the_repository_records_meet_the_law_checks() {
    let s = repo_site();
    let r = s.check();
    for article in [
        "第二十四条",
        "第二十七条",
        "划分办法",
        "事故类型",
        "占位文字",
    ] {
        assert!(
            !r.stderr.contains(article),
            "the repository's records warn about {article}:\n{}",
            r.stderr
        );
    }
}
