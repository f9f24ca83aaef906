//! Starting points written for users: `dualprev init DIR` (a new town's site: site.toml to fill
//! in, the town's pages, the full handbook, both standards and the default theme) and
//! `dualprev new enterprise SLUG` (a record skeleton, every field explained).

use anyhow::Context;
use std::path::Path;

use crate::domain::{
    ContactMode, ControlLevel, HazardGrade, HighRisk, Industry, Kind, Method, RedLineKind, Size,
    Source,
};

mod adapt;
mod embedded;
#[cfg(test)]
mod tests;

/// The new town's `data/site.toml`: every table the site reads, placeholders marked 请按本镇实际修改.
const SITE_TOML: &str = include_str!("scaffold/town/site.toml");

/// The pages that speak of the town, written for any town: they say 本镇, and the plan page cites
/// the town's plan from site.toml's `[plan]` (`{{ plan_document() }}`).
const TOWN_PAGES: &[(&str, &str)] = &[
    ("content/_index.md", include_str!("scaffold/town/_index.md")),
    ("content/about.md", include_str!("scaffold/town/about.md")),
    ("content/plan.md", include_str!("scaffold/town/plan.md")),
    (
        "content/notices/_index.md",
        include_str!("scaffold/town/notices.md"),
    ),
];

/// Creates a new site in `dir` for a town that is not 连山镇: its site.toml to fill in, its home,
/// about, plan and notices pages, the whole handbook and both standards (adapted so that they
/// do not name 连山), an empty `data/enterprises/` and the default theme. Refuses a folder that
/// already has a site.toml. Returns the files written, relative to `dir`.
pub fn init(dir: &Path) -> anyhow::Result<Vec<String>> {
    if dir.join("data/site.toml").exists() {
        anyhow::bail!(
            "{} 已经是一个站点（存在 data/site.toml），不会覆盖",
            dir.display()
        );
    }
    let mut written = Vec::new();
    let mut put = |rel: &str, bytes: &[u8]| -> anyhow::Result<()> {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("无法创建目录 {}", parent.display()))?;
        }
        std::fs::write(&p, bytes).with_context(|| format!("无法写入 {}", p.display()))?;
        written.push(rel.to_string());
        Ok(())
    };
    for (rel, text) in TOWN_PAGES {
        put(rel, text.as_bytes())?;
    }
    for (rel, bytes) in embedded::HANDBOOK.iter().chain(embedded::STANDARDS) {
        put(rel, &adapt::for_new_town(rel, bytes))?;
    }
    for (rel, bytes) in crate::render::theme::embedded_files() {
        put(&format!("themes/default/{rel}"), bytes)?;
    }
    let enterprises = dir.join("data/enterprises");
    std::fs::create_dir_all(&enterprises)
        .with_context(|| format!("无法创建目录 {}", enterprises.display()))?;
    // site.toml last: an init that fails half-way leaves no site.toml, so it can be run again.
    put("data/site.toml", SITE_TOML.as_bytes())?;
    // The workbook each enterprise fills in; its drop-downs come from the site.toml just written.
    if let Err(diags) = crate::records::template(dir, &dir.join(TEMPLATE_BOOK), None) {
        let _ = std::fs::remove_file(dir.join("data/site.toml"));
        let why: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
        anyhow::bail!("无法生成 {TEMPLATE_BOOK}：{}", why.join("；"));
    }
    written.push(TEMPLATE_BOOK.to_string());
    Ok(written)
}

/// The enterprise template workbook `init` writes at the site root.
pub const TEMPLATE_BOOK: &str = "企业填报模板.xlsx";

/// The record skeleton: every field, with a Chinese comment on what to write.
pub(crate) fn enterprise_skeleton(slug: &str) -> String {
    format!(
        r#"# 企业档案（一企一档）：{slug}
# 按注释填写后运行 dualprev check 检查。带“个人信息”字样的内容只在内部版本显示。
name = "请填写企业全称"                      # 与营业执照一致
uscc = "9144030071526726XG"                  # 统一社会信用代码（18 位），请改为本企业的代码
address = "请填写生产经营地址"
village = "示例社区"                          # 所在村（社区），须是 site.toml 中 [[villages]] 的 name
department = ""                              # 或包联部门（[[departments]] 的 name），两者至少填一项
liaison = "L01"                              # 联络员编号，须是 site.toml 中 [[liaisons]] 的 id
industry = "机械"                            # 行业：{industries}
kind = "生产"                                # {kinds}
size = "小微型"                              # {sizes}
employees = 20                               # 从业人员数
high_risk = []                               # 高风险类别，可多选：{high_risk}；不涉及则留空
landlord = ""                                # 厂中厂：出租方名称（承租方填写；出租方按高风险企业的期限建设）
hazardous_goods = false                      # 是否生产、经营、储存、装卸危险物品（《安全生产法》第二十四条）
demonstration = false                        # 是否示范企业（全镇最多 2 家：生产类、仓储类各 1 家，或生产类 2 家）
safety_code_url = ""                         # 省平台“安全码”页面地址（如有）
emergency_phone = ""                         # 企业值班电话（公开）

[safety_org]                                 # 安全管理机构和人员
safety_department = false                    # 是否设安全管理机构
full_time_safety_staff = 0                   # 专职安全管理人员数（金属冶炼、危险物品单位和超过 100 人的单位须设机构或配专职）
part_time_safety_staff = 1                   # 兼职安全管理人员数
registered_safety_engineers = 0              # 注册安全工程师人数（金属冶炼、危险物品生产储存单位须有，《安全生产法》第二十七条）

[[processes]]                                # 主要工艺，可重复
name = "请填写工艺名称"
description = "简要说明"

[[equipment]]                                # 主要设备，可重复
name = "请填写设备名称"
count = 1
special = false                              # 是否特种设备（锅炉、压力容器、起重机械、叉车等）

[milestones]                                 # 建设进度：site.toml 中里程碑的 key = 完成日期
# risk_identified = 2025-03-31

[[posts]]                                    # 岗位，可重复（小微企业以岗位为核心）
name = "请填写岗位名称"
headcount = 1

[[risks]]                                    # 风险清单，可重复
id = "R01"                                   # 本文件内唯一
post = "请填写岗位名称"                       # 所在岗位（[[posts]] 的 name），或填 unit（单元/区域）
activity = "作业活动"
hazard = "危险有害因素"
accidents = ["机械伤害"]                      # 可能导致的事故类型（GB 6441）
method = "LEC"                               # 评价方法：{lec}（填 l e c）、{ls}（填 l s）或 {direct}（填 level）
l = 3                                        # 可能性 L：10 6 3 1 0.5 0.2 0.1
e = 6                                        # 暴露频繁程度 E：10 6 3 2 1 0.5
c = 7                                        # 后果 C：100 40 15 7 3 1
control_level = "班组"                        # 管控层级：{control_levels}
measures = ["管控措施"]
emergency = ["应急处置措施"]

# [[hazards]]                                # 隐患台账，可重复
# id = "H2025-001"
# found = 2025-03-01                         # 发现日期（不加引号）
# source = "日常排查"                         # {sources}
# location = "位置"
# description = "隐患描述"
# grade = "一般"                              # {grades}；重大隐患须填 criterion、measures、funds_yuan、deadline、responsible、contingency
# measures = "整改措施"
# deadline = 2025-03-31                      # 整改期限
# responsible = "设备主管"                    # 责任岗位（不写人名）
# rectified = 2025-03-20                     # 整改完成日期（可选）
# accepted = 2025-03-25                      # 验收销号日期（可选）

[[red_lines]]                                # 安全生产红线，可重复
kind = "人的不安全行为"                        # {red_line_kinds}
text = "请填写红线内容"

# [[contacts]]                               # 联络员联系记录，可重复
# date = 2025-03-15
# liaison = "L01"
# mode = "走访"                               # {contact_modes}
# notes = "情况记录"

[private]                                    # 个人信息：只在内部版本显示，公开版本不输出
principal = {{ name = "", phone = "" }}       # 主要负责人
safety_manager = {{ name = "", phone = "" }}  # 安全管理人员
"#,
        industries = Industry::NAMES.join(" "),
        kinds = Kind::NAMES.join(" 或 "),
        sizes = Size::NAMES.join(" 或 "),
        high_risk = HighRisk::NAMES.join(" "),
        lec = Method::Lec,
        ls = Method::Ls,
        direct = Method::Direct,
        control_levels = ControlLevel::NAMES.join(" "),
        sources = Source::NAMES.join(" "),
        grades = HazardGrade::NAMES.join(" 或 "),
        red_line_kinds = RedLineKind::NAMES.join(" 或 "),
        contact_modes = ContactMode::NAMES.join(" 或 "),
    )
}

/// Writes `data/enterprises/<slug>.toml` under `root`; refuses to overwrite.
pub fn new_enterprise(root: &Path, slug: &str) -> anyhow::Result<String> {
    if !crate::load::valid_slug(slug) {
        anyhow::bail!(
            "“{slug}”不能用作文件名和网址：只用小写英文字母、数字和连字符，例如 lianshan-casting"
        );
    }
    let rel = format!("data/enterprises/{slug}.toml");
    let path = root.join(&rel);
    if path.exists() {
        anyhow::bail!("{rel} 已存在，不会覆盖");
    }
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).with_context(|| format!("无法创建目录 {}", p.display()))?;
    }
    std::fs::write(&path, enterprise_skeleton(slug)).with_context(|| format!("无法写入 {rel}"))?;
    Ok(rel)
}
