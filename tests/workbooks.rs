//! Excel in and out (`dualprev records export | import | template`, src/records/): the round
//! trip over every repository and fixture record, one edited cell, a bad workbook with one fault
//! per row, messy spreadsheets, and a new town from `init` to a built site.
//!
//! Workbooks are edited here the way a person would with Excel: read with calamine, written back
//! with rust_xlsxwriter, cell values only (dates go back as serial numbers with a date format).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use rust_xlsxwriter::{Format, Workbook};

use crate::common::*;

type Sheets = Vec<(String, bool, Vec<Vec<Data>>)>;

/// Every sheet of a workbook: name, hidden, and its cells from A1.
fn read_book(path: &Path) -> Sheets {
    let mut wb = open_workbook_auto(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let metas = wb.sheets_metadata().to_vec();
    metas
        .iter()
        .map(|m| {
            let range = wb.worksheet_range(&m.name).unwrap();
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut rows = vec![Vec::new(); r0 as usize];
            for r in range.rows() {
                let mut row = vec![Data::Empty; c0 as usize];
                row.extend(r.iter().cloned());
                rows.push(row);
            }
            (
                m.name.clone(),
                m.visible != calamine::SheetVisible::Visible,
                rows,
            )
        })
        .collect()
}

/// A merged range: sheet, first row and column, last row and column (from 0).
type Merge<'a> = (&'a str, (u32, u16, u32, u16));

fn write_book(path: &Path, sheets: &Sheets, merge: Option<Merge>) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, hidden, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        if *hidden {
            ws.set_hidden(true);
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, d) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match d {
                    Data::String(s) => drop(ws.write_string(r, c, s).unwrap()),
                    Data::Float(x) => drop(ws.write_number(r, c, *x).unwrap()),
                    Data::Int(x) => drop(ws.write_number(r, c, *x as f64).unwrap()),
                    Data::Bool(b) => drop(ws.write_boolean(r, c, *b).unwrap()),
                    Data::DateTime(x) => {
                        let _ = ws
                            .write_number_with_format(r, c, x.as_f64(), &date)
                            .unwrap();
                    }
                    _ => {}
                }
            }
        }
        if let Some((sheet, (r1, c1, r2, c2))) = merge
            && sheet == name
        {
            let text = match &rows[r1 as usize][c1 as usize] {
                Data::String(s) => s.clone(),
                _ => String::new(),
            };
            ws.merge_range(r1, c1, r2, c2, &text, &Format::new())
                .unwrap();
        }
    }
    wb.save(path).unwrap();
}

fn sheet<'a>(book: &'a mut Sheets, name: &str) -> &'a mut Vec<Vec<Data>> {
    &mut book
        .iter_mut()
        .find(|s| s.0 == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .2
}

fn col(rows: &[Vec<Data>], header: &str) -> usize {
    rows[0]
        .iter()
        .position(|d| matches!(d, Data::String(s) if s == header))
        .unwrap_or_else(|| panic!("no column {header}"))
}

fn row_of(rows: &[Vec<Data>], slug: &str) -> usize {
    rows.iter()
        .position(|r| matches!(r.first(), Some(Data::String(s)) if s == slug))
        .unwrap_or_else(|| panic!("no row {slug}"))
}

fn set(rows: &mut [Vec<Data>], r: usize, c: usize, d: Data) {
    if rows[r].len() <= c {
        rows[r].resize(c + 1, Data::Empty);
    }
    rows[r][c] = d;
}

fn records(root: &Path) -> BTreeMap<String, Vec<u8>> {
    snapshot(&root.join("data/enterprises"))
}

fn export(site: &Site, file: &Path, internal: bool) -> Run {
    let mut args: Vec<&OsStr> = vec![
        a("records"),
        a("export"),
        file.as_os_str(),
        a("--root"),
        site.root.as_os_str(),
    ];
    if internal {
        args.extend([a("--profile"), a("internal")]);
    }
    let r = run(&args);
    assert_eq!(r.code, 0, "export failed: {}", r.stderr);
    r
}

fn import(site: &Site, file: &Path, dry_run: bool) -> Run {
    let mut args: Vec<&OsStr> = vec![
        a("records"),
        a("import"),
        file.as_os_str(),
        a("--root"),
        site.root.as_os_str(),
        a("--as-of"),
        a(AS_OF),
    ];
    if dry_run {
        args.push(a("--dry-run"));
    }
    run(&args)
}

/// Export then import without edits changes no byte, for the repository's records and every
/// fixture's, in both profiles (a public workbook leaves `[private]` alone).
#[test]
fn round_trip_changes_no_byte() {
    let mut sites = vec![("repository", repo_site())];
    for f in ["town-small", "hostile"] {
        sites.push((f, site(f)));
    }
    for (name, s) in &sites {
        let before = records(&s.root);
        assert!(!before.is_empty());
        for internal in [true, false] {
            let book = s.tmp_path(&format!("all-{internal}.xlsx"));
            export(s, &book, internal);
            let r = import(s, &book, false);
            assert_eq!(r.code, 0, "{name}: {}", r.stderr);
            assert!(
                r.stdout.contains("已新建 0 份、修改 0 份企业档案"),
                "{name}: {}",
                r.stdout
            );
            assert_eq!(
                diff(&before, &records(&s.root)),
                "",
                "{name} internal={internal}"
            );
            // Through a re-saved copy (values only, dates as serials): still nothing changes.
            let copy = s.tmp_path("copy.xlsx");
            write_book(&copy, &read_book(&book), None);
            let r = import(s, &copy, false);
            assert_eq!(r.code, 0, "{name}: {}", r.stderr);
            assert_eq!(diff(&before, &records(&s.root)), "", "{name} re-saved");
        }
    }
}

/// Editing one cell changes exactly that value in that one file; the rest of the file keeps
/// its bytes (comments, order, spacing).
#[test]
fn one_cell_changes_one_value_in_one_file() {
    let s = repo_site();
    let book = s.tmp_path("all.xlsx");
    export(&s, &book, false);
    let before = records(&s.root);
    let mut b = read_book(&book);
    let e = sheet(&mut b, "企业");
    let (r, c) = (row_of(e, "baihe-auto-parts"), col(e, "从业人员"));
    set(e, r, c, Data::String("６０".into()));
    let risks = sheet(&mut b, "风险");
    let rr = row_of(risks, "baihe-auto-parts");
    let mc = col(risks, "管控措施");
    let edited = s.tmp_path("edited.xlsx");
    let measures = match &risks[rr][mc] {
        Data::String(m) => m.clone(),
        other => panic!("{other:?}"),
    };
    set(
        risks,
        rr,
        mc,
        Data::String(format!("{measures}\n班前检查光电保护")),
    );
    write_book(&edited, &b, None);

    let dry = import(&s, &edited, true);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout
            .contains("修改 data/enterprises/baihe-auto-parts.toml（2 处）"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("employees：55 → 60"), "{}", dry.stdout);
    assert_eq!(diff(&before, &records(&s.root)), "", "--dry-run wrote");

    let r = import(&s, &edited, false);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = records(&s.root);
    let changed: Vec<&String> = after.keys().filter(|k| before[*k] != after[*k]).collect();
    assert_eq!(changed, ["baihe-auto-parts.toml"]);
    let old = String::from_utf8(before["baihe-auto-parts.toml"].clone()).unwrap();
    let new = String::from_utf8(after["baihe-auto-parts.toml"].clone()).unwrap();
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    assert_eq!(old_lines.len(), new_lines.len());
    let diffs: Vec<(&str, &str)> = old_lines
        .iter()
        .zip(&new_lines)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (*a, *b))
        .collect();
    assert_eq!(
        diffs,
        [
            ("employees = 55", "employees = 60"),
            (
                "measures = [\"冲床光电保护每班测试\", \"使用手用工具送料\", \"脚踏开关加防护罩\"]",
                "measures = [\"冲床光电保护每班测试\", \"使用手用工具送料\", \"脚踏开关加防护罩\", \"班前检查光电保护\"]"
            )
        ]
    );
    assert_eq!(s.check().code, 0);
}

/// One fault per row, all reported in one run at their cells, exit 1, nothing written.
#[test]
fn a_bad_workbook_is_reported_cell_by_cell_and_writes_nothing() {
    let s = site("town-small");
    let book = s.tmp_path("all.xlsx");
    export(&s, &book, false);
    let before = records(&s.root);
    let mut b = read_book(&book);
    let e = sheet(&mut b, "企业");
    let header = e[0].clone();
    let h = |name: &str| col(std::slice::from_ref(&header), name);
    // Five new enterprises copied from qiaotou-foundry's row, each with one fault.
    let base = e[row_of(e, "qiaotou-foundry")].clone();
    // Valid, distinct credit codes (the repository's, not used in this fixture).
    let mut codes = [
        "91510681MA6X9NTMAJ",
        "91510681MA6WMPL8U9",
        "91510681MA63LT48K3",
        "91510681MA69H149D5",
        "91510681MA66EDT6H3",
    ]
    .into_iter();
    let mut add = |slug: &str, field: Option<(&str, Data)>| {
        let mut row = base.clone();
        row[0] = Data::String(slug.into());
        row[h("企业名称")] = Data::String(format!("虚构{slug}有限公司"));
        row[h("统一社会信用代码")] = Data::String(codes.next().unwrap().into());
        row[h("示范企业")] = Data::String("否".into());
        if let Some((f, d)) = field {
            row[h(f)] = d;
        }
        e.push(row);
    };
    add("bad-type", Some(("从业人员", Data::String("五十".into()))));
    add(
        "bad-village",
        Some(("所在村（社区）", Data::String("不存在村".into()))),
    );
    add(
        "bad-uscc",
        Some((
            "统一社会信用代码",
            Data::String("91510681MA6X9NTMA0".into()),
        )),
    );
    add(
        "",
        Some(("企业名称", Data::String("没有档案名的企业".into()))),
    );
    add("bad-dup", None);
    let n = e.len(); // rows: header, 3 records, then rows 5..=9 (Excel numbering)
    assert_eq!(n, 9);
    let hz = sheet(&mut b, "隐患");
    let hr = row_of(hz, "qiaotou-foundry");
    let found = col(hz, "发现日期");
    set(hz, hr, found, Data::String("2025-02-30".into()));
    // bad-dup: its post, and the same risk twice (the rows right after the exported ones).
    let posts = sheet(&mut b, "岗位");
    let mut p = posts[row_of(posts, "qiaotou-foundry")].clone();
    p[0] = Data::String("bad-dup".into());
    posts.push(p);
    let rk = sheet(&mut b, "风险");
    let first = rk[row_of(rk, "qiaotou-foundry")].clone();
    let at = rk
        .iter()
        .rposition(|r| !matches!(r.first(), None | Some(Data::Empty)))
        .unwrap()
        + 1;
    for i in 0..2 {
        let mut r = first.clone();
        r[0] = Data::String("bad-dup".into());
        if at + i < rk.len() {
            rk[at + i] = r;
        } else {
            rk.push(r);
        }
    }
    let dup_row = at + 2; // Excel row of the second copy
    let bad = s.tmp_path("bad.xlsx");
    write_book(&bad, &b, Some(("红线", (1, 2, 2, 2))));

    let r = import(&s, &bad, false);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let hz_col = (b'A' + found as u8) as char;
    // Every problem, at its cell, with record and field where there is one; nothing else.
    let mut places: Vec<&str> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  --> "))
        .collect();
    places.sort();
    let mut expect = vec![
        "企业!A8".to_string(),
        "企业!C7（档案 bad-uscc，字段 uscc）".into(),
        "企业!E6（档案 bad-village，字段 village）".into(),
        "企业!K5（档案 bad-type，字段 employees）".into(),
        format!(
            "隐患!{hz_col}{}（档案 qiaotou-foundry，字段 found）",
            hr + 1
        ),
        format!("风险!B{dup_row}（档案 bad-dup，字段 id）"),
        "红线!C2:C3".into(),
    ];
    expect.sort();
    assert_eq!(places, expect, "{}", r.stderr);
    for message in [
        "这一行缺少“档案”",
        "统一社会信用代码校验位错误",
        "未知的村（社区）“不存在村”",
        "字段“employees”应为整数",
        "字段“found”应为日期",
        "风险编号“R01”在本文件中重复",
        "合并的单元格无法导入",
        "共 7 个错误",
    ] {
        assert!(r.stderr.contains(message), "{message}:\n{}", r.stderr);
    }
    assert!(r.stderr.contains("导入失败，没有写入任何文件"));
    assert_eq!(diff(&before, &records(&s.root)), "");
    assert!(!s.root.join("data/enterprises/bad-type.toml").exists());
}

/// Dates typed three ways and as serials, numbers as text, full-width digits, stray spaces,
/// sheets in another order, a hidden sheet, an extra column, empty trailing rows.
#[test]
fn messy_spreadsheets_are_read() {
    let s = site("town-small");
    let book = s.tmp_path("all.xlsx");
    export(&s, &book, false);
    let mut b = read_book(&book);
    b.reverse();
    let hz = sheet(&mut b, "隐患");
    let found = col(hz, "发现日期");
    let deadline = col(hz, "整改期限");
    let funds = col(hz, "整改资金（元）");
    let rows: Vec<usize> = (1..hz.len()).collect();
    let forms = ["2025/3/4", "2025年3月4日", " 2025-03-04 "];
    for (i, r) in rows.iter().take(3).enumerate() {
        set(hz, *r, found, Data::String(forms[i].into()));
    }
    set(hz, 1, funds, Data::String(" １２００ ".into()));
    set(hz, 2, deadline, Data::Float(45901.0)); // 2025-09-01 as a bare serial
    let width = hz[0].len();
    set(hz, 0, width, Data::String("备注".into()));
    set(hz, 1, width, Data::String("随手记的".into()));
    hz.push(vec![Data::Empty; 3]);
    hz.push(vec![Data::String("  ".into())]);
    for s in b.iter_mut().filter(|s| s.0 == "红线") {
        s.1 = true;
    }
    let messy = s.tmp_path("messy.xlsx");
    write_book(&messy, &b, None);
    let r = import(&s, &messy, false);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("未知的列“备注”，已忽略"), "{}", r.stderr);
    assert!(r.stderr.contains("工作表“红线”是隐藏的"), "{}", r.stderr);
    let hazards: String = ["qiaotou-foundry", "taiping-woodwork", "yingji-warehouse"]
        .iter()
        .map(|f| read(&s.root, &format!("data/enterprises/{f}.toml")))
        .collect();
    assert_eq!(
        hazards.matches("found = 2025-03-04").count(),
        3,
        "{hazards}"
    );
    assert!(hazards.contains("funds_yuan = 1200"), "{hazards}");
    assert!(hazards.contains("deadline = 2025-09-01"), "{hazards}");
    assert_eq!(s.check().code, 0);
}

/// A new town: `init`, the template an enterprise fills in, import, check and build.
#[test]
fn new_town_from_init_to_built_site() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("town");
    let r = run(&[a("init"), root.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let template = tmp.path().join("填报.xlsx");
    let r = run(&[
        a("records"),
        a("template"),
        template.as_os_str(),
        a("--root"),
        root.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut b = read_book(&template);
    let names: Vec<&str> = b.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        names,
        ["说明", "企业", "岗位", "风险", "隐患", "红线", "选项"]
    );
    let site_toml = std::fs::read_to_string(root.join("data/site.toml")).unwrap();
    let village = site_toml
        .split("[[villages]]")
        .nth(1)
        .and_then(|v| v.split('"').nth(1))
        .expect("a village in the new site.toml")
        .to_string();
    let liaison = site_toml
        .split("[[liaisons]]")
        .nth(1)
        .and_then(|v| v.split('"').nth(1))
        .expect("a liaison")
        .to_string();
    let fill = |rows: &mut Vec<Vec<Data>>, values: &[(&str, &str)]| {
        let mut row = vec![Data::Empty; rows[0].len()];
        row[0] = Data::String("xinqiao-casting".into());
        for (h, v) in values {
            row[col(rows, h)] = Data::String(v.to_string());
        }
        rows.push(row);
    };
    fill(
        sheet(&mut b, "企业"),
        &[
            ("企业名称", "某某镇虚构铸造有限公司"),
            ("统一社会信用代码", "91510681MA6X9NTMAJ"),
            ("所在村（社区）", &village),
            ("联络员", &liaison),
            ("行业", "机械"),
            ("类型", "生产"),
            ("规模", "小微型"),
            ("从业人员", "18"),
            ("高风险类别", "金属冶炼、粉尘涉爆"),
        ],
    );
    fill(sheet(&mut b, "岗位"), &[("岗位", "浇注工"), ("人数", "4")]);
    fill(
        sheet(&mut b, "风险"),
        &[
            ("编号", "R01"),
            ("岗位", "浇注工"),
            ("作业活动", "浇注"),
            ("危险有害因素", "铁水喷溅"),
            ("事故类型", "灼烫"),
            ("评价方法", "LEC"),
            ("L", "3"),
            ("E", "6"),
            ("C", "40"),
            ("管控层级", "公司"),
            ("管控措施", "浇包烘干\n穿戴阻燃服"),
        ],
    );
    fill(
        sheet(&mut b, "隐患"),
        &[
            ("编号", "H2025-001"),
            ("发现日期", "2025年5月6日"),
            ("隐患描述", "浇注区通道堆放杂物"),
            ("等级", "一般"),
            ("整改期限", "2025/5/20"),
        ],
    );
    let filled = tmp.path().join("回收.xlsx");
    write_book(&filled, &b, None);
    let site = Site {
        root: root.clone(),
        tmp,
    };
    let r = import(&site, &filled, false);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("新建 data/enterprises/xinqiao-casting.toml"),
        "{}",
        r.stdout
    );
    let rec = read(&root, "data/enterprises/xinqiao-casting.toml");
    assert!(
        rec.contains("high_risk = [\"金属冶炼\", \"粉尘涉爆\"]"),
        "{rec}"
    );
    assert!(
        rec.contains("measures = [\"浇包烘干\", \"穿戴阻燃服\"]"),
        "{rec}"
    );
    let c = site.check();
    assert_eq!(c.code, 0, "{}", c.stderr);
    let out = site.tmp_path("public");
    let r = site.build_into(&out, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = read(&out, "enterprises/xinqiao-casting/index.html");
    assert!(page.contains("某某镇虚构铸造有限公司"));
    // Re-importing the same workbook now changes nothing.
    let again = import(&site, &filled, false);
    assert!(
        again.stdout.contains("已新建 0 份、修改 0 份"),
        "{}",
        again.stdout
    );
}

/// The public workbook holds no personal data (no 人员 sheet, no value of any `[private]` table);
/// the internal one has them all.
#[test]
fn personal_data_only_in_the_internal_workbook() {
    let s = site("town-small");
    let mut personal = Vec::new();
    for (_, bytes) in records(&s.root) {
        let doc: toml::Table = toml::from_str(std::str::from_utf8(&bytes).unwrap()).unwrap();
        if let Some(toml::Value::Table(p)) = doc.get("private") {
            for person in p.values().filter_map(toml::Value::as_table) {
                personal.extend(
                    person
                        .values()
                        .filter_map(toml::Value::as_str)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    assert!(personal.len() >= 6, "{personal:?}");
    let cells = |internal: bool| -> Vec<String> {
        let book = s.tmp_path(&format!("p-{internal}.xlsx"));
        export(&s, &book, internal);
        read_book(&book)
            .into_iter()
            .flat_map(|(_, _, rows)| rows.into_iter().flatten())
            .map(|d| d.to_string())
            .collect()
    };
    let public = cells(false);
    for p in &personal {
        assert!(
            !public.iter().any(|c| c.contains(p.as_str())),
            "{p} in the public workbook"
        );
    }
    let internal = cells(true);
    for p in &personal {
        assert!(
            internal.iter().any(|c| c == p),
            "{p} missing from the internal workbook"
        );
    }
}

/// The template shows the score and level as people type (formulas, with the values of the
/// record it was filled from cached for readers that do not recalculate).
#[test]
fn template_works_out_score_and_level() {
    let s = site("town-small");
    let book = s.tmp_path("t.xlsx");
    let r = run(&[
        a("records"),
        a("template"),
        book.as_os_str(),
        a("--root"),
        s.root.as_os_str(),
        a("--enterprise"),
        a("qiaotou-foundry"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut b = read_book(&book);
    let risks = sheet(&mut b, "风险");
    let (score, level, id) = (
        col(risks, "分值"),
        col(risks, "计算等级"),
        col(risks, "编号"),
    );
    let row = |rid: &str| {
        risks
            .iter()
            .find(|r| matches!(r.get(id), Some(Data::String(x)) if x == rid))
            .unwrap_or_else(|| panic!("no {rid}"))
    };
    // Hand-worked in tests/records.rs: R01 LEC 3×6×40 = 720 重大, R02 LS 4×4 = 16 较大.
    assert_eq!(row("R01")[score].to_string(), "720");
    assert_eq!(row("R01")[level].to_string(), "重大");
    assert_eq!(row("R02")[score].to_string(), "16");
    assert_eq!(row("R02")[level].to_string(), "较大");
    let mut wb = open_workbook_auto(&book).unwrap();
    let f = wb.worksheet_formula("风险").unwrap();
    let text = f.get_value((1, score as u32)).cloned().unwrap_or_default();
    assert!(text.contains("COUNT(") && text.contains("*"), "{text}");
}

/// Rows find their items by id (or name, date…), not by position: a sheet sorted in Excel
/// changes no byte, and a renamed id edits that one item where it is.
#[test]
fn sorted_sheets_change_nothing_and_a_renamed_id_stays_in_place() {
    let s = site("town-small");
    let book = s.tmp_path("all.xlsx");
    export(&s, &book, false);
    let before = records(&s.root);
    let mut b = read_book(&book);
    for name in ["风险", "隐患", "联系记录", "岗位"] {
        let rows = sheet(&mut b, name);
        let filled = rows
            .iter()
            .rposition(|r| !matches!(r.first(), None | Some(Data::Empty)))
            .unwrap();
        rows[1..=filled].reverse();
    }
    let sorted = s.tmp_path("sorted.xlsx");
    write_book(&sorted, &b, None);
    let r = import(&s, &sorted, false);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("已新建 0 份、修改 0 份"), "{}", r.stdout);
    assert_eq!(diff(&before, &records(&s.root)), "");

    let risks = sheet(&mut b, "风险");
    let id = col(risks, "编号");
    let r = risks
        .iter()
        .position(|r| {
            matches!(r.first(), Some(Data::String(x)) if x == "yingji-warehouse")
                && matches!(r.get(id), Some(Data::String(x)) if x == "R01")
        })
        .unwrap();
    set(risks, r, id, Data::String("R09".into()));
    let renamed = s.tmp_path("renamed.xlsx");
    write_book(&renamed, &b, None);
    let r = import(&s, &renamed, false);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let old = String::from_utf8(before["yingji-warehouse.toml"].clone()).unwrap();
    let new = read(&s.root, "data/enterprises/yingji-warehouse.toml");
    assert_eq!(new, old.replacen("id = \"R01\"", "id = \"R09\"", 1));
}
