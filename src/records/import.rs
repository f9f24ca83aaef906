//! `records import`: a workbook's rows back into the record files. A cell whose value equals what
//! export would write is left alone, so an unedited workbook changes no byte; a changed cell sets
//! that one value in place. Every sheet present holds all of its records' rows of that kind.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use toml_edit::{Item, Table, TableLike, Value};

use super::doc;
use super::files::{self, RecordFile};
use super::keyed;
use super::read::{self, Grid, Place, Row, at};
use super::schema::{Kind, SHEETS, Shape, Sheet};
use super::site::{self, SiteLists};
use super::value::{Val, display, from_toml, to_toml};
use super::verify::{self, Mark, Seg};
use crate::diag::{Diagnostic, Severity};
use crate::pipeline::BuildOptions;

/// One file the import writes.
pub struct FileChange {
    pub rel: String,
    pub created: bool,
    /// One line per change, in Chinese, for `--dry-run` and the summary.
    pub edits: Vec<String>,
}

pub struct Imported {
    pub changes: Vec<FileChange>,
    /// Warnings (extra columns, hidden sheets…).
    pub diags: Vec<Diagnostic>,
}

/// One record being edited, with what changed and where each change came from.
pub(super) struct Edit {
    pub(super) rec: RecordFile,
    pub(super) created: bool,
    pub(super) marks: Vec<Mark>,
    pub(super) edits: Vec<String>,
}

/// A value the workbook changed: where it came from and what it was.
pub(super) struct Change {
    pub(super) place: Place,
    pub(super) path: Vec<Seg>,
    pub(super) field: String,
    pub(super) before: Val,
    pub(super) after: Val,
    pub(super) kind: Kind,
}

impl Edit {
    pub(super) fn record(&mut self, changes: Vec<Change>) {
        for c in changes {
            let show = |v: &Val| match v {
                Val::Empty => "（空）".to_string(),
                v => display(v, c.kind).replace('\n', "⏎"),
            };
            self.edits.push(format!(
                "{} {}：{} → {}",
                c.place.name(),
                c.field,
                show(&c.before),
                show(&c.after)
            ));
            self.marks.push(Mark {
                path: c.path,
                place: c.place,
                field: c.field,
            });
        }
    }
}

fn key_path(prefix: &[Seg], key: &str) -> Vec<Seg> {
    let mut p = prefix.to_vec();
    p.extend(key.split('.').map(|k| Seg::Key(k.to_string())));
    p
}

/// The value written for a cell; an emptied text or list keeps its key as "" or [].
fn written(new: &Val, kind: Kind, had_key: bool) -> Option<Value> {
    match (new, kind) {
        (Val::Empty, Kind::Text | Kind::Code) if had_key => Some(Value::from("")),
        (Val::Empty, Kind::Choice(c)) if had_key && c != super::schema::Choices::Bool => {
            Some(Value::from(""))
        }
        (Val::Empty, Kind::Tags(_) | Kind::Lines) if had_key => {
            Some(Value::Array(toml_edit::Array::new()))
        }
        _ => to_toml(new, kind),
    }
}

/// Sets the row's cells into `t` where they differ.
pub(super) fn apply_row(
    sheet: &Sheet,
    row: &Row,
    prefix: &[Seg],
    t: &mut dyn TableLike,
) -> Vec<Change> {
    let mut out = Vec::new();
    for (col, new, place) in &row.cells {
        let c = &sheet.columns[*col];
        let old_v = doc::get(t, c.key);
        let had_key = old_v.is_some();
        let old = old_v.map_or(Val::Empty, |v| from_toml(v, c.kind));
        if old == *new {
            continue;
        }
        doc::set(t, c.key, written(new, c.kind, had_key));
        out.push(Change {
            place: place.clone(),
            path: key_path(prefix, c.key),
            field: c.key.to_string(),
            before: old,
            after: new.clone(),
            kind: c.kind,
        });
    }
    out
}

/// The columns that name an item, tried in this order: a row finds its item by them, so a
/// sorted or filtered sheet changes nothing.
const ITEM_KEYS: &[&str] = &["id", "name", "date", "period", "text"];

/// For each row, the existing item it edits: first the one with the same id (or name, date…),
/// then, in order, the items left over (a renamed id still edits its own item). `None`: a new item.
fn pair_rows(sheet: &Sheet, rows: &[&Row], aot: &toml_edit::ArrayOfTables) -> Vec<Option<usize>> {
    let existing = aot.len();
    let mut taken = vec![false; existing];
    let mut pairs = vec![None; rows.len()];
    let key_col = ITEM_KEYS
        .iter()
        .find_map(|k| sheet.columns.iter().position(|c| c.key == *k));
    if let Some(k) = key_col {
        let kind = sheet.columns[k].kind;
        let keys: Vec<Val> = aot
            .iter()
            .map(|t| doc::get(t, sheet.columns[k].key).map_or(Val::Empty, |v| from_toml(v, kind)))
            .collect();
        for (r, row) in rows.iter().enumerate() {
            let Some((v, _)) = row.get(k).filter(|(v, _)| **v != Val::Empty) else {
                continue;
            };
            if let Some(i) = (0..existing).find(|i| !taken[*i] && keys[*i] == *v) {
                taken[i] = true;
                pairs[r] = Some(i);
            }
        }
    }
    let mut free = (0..existing)
        .filter(|i| !taken[*i])
        .collect::<Vec<_>>()
        .into_iter();
    for p in pairs.iter_mut().filter(|p| p.is_none()) {
        *p = free.next();
    }
    pairs
}

fn items_sheet(e: &mut Edit, sheet: &Sheet, key: &str, rows: &[&Row], diags: &mut Vec<Diagnostic>) {
    let Some(aot) = doc::items_mut(&mut e.rec.doc, key) else {
        let place = rows
            .first()
            .map_or(sheet.name.to_string(), |r| r.record_cell.name());
        diags.push(at(
            Severity::Error,
            &place,
            format!(
                "档案 {} 的 {key} 写成了内联数组，无法从工作簿导入；请改用 [[{key}]] 表",
                e.rec.rel
            ),
        ));
        return;
    };
    let existing = aot.len();
    let pairs = pair_rows(sheet, rows, aot);
    let taken: Vec<bool> = (0..existing).map(|i| pairs.contains(&Some(i))).collect();
    let removed_before = |i: usize| taken[..i].iter().filter(|t| !**t).count();
    let kept = existing - removed_before(existing);
    let mut changes = Vec::new();
    let mut added = Vec::new();
    for (row, pair) in rows.iter().zip(&pairs) {
        match pair.and_then(|i| aot.get_mut(i).map(|t| (i, t))) {
            Some((i, t)) => {
                // Where the item will be once the unmatched ones are gone.
                let prefix = vec![Seg::Key(key.to_string()), Seg::Index(i - removed_before(i))];
                changes.extend(apply_row(sheet, row, &prefix, t));
            }
            None => {
                let mut t = Table::new();
                for (col, v, _) in &row.cells {
                    let c = &sheet.columns[*col];
                    if let Some(val) = to_toml(v, c.kind) {
                        doc::set(&mut t, c.key, Some(val));
                    }
                }
                aot.push(t);
                let prefix = vec![Seg::Key(key.to_string()), Seg::Index(kept + added.len())];
                added.push((row, prefix));
            }
        }
    }
    // Items no row matched go.
    let removed: Vec<String> = (0..existing)
        .rev()
        .filter(|i| !taken[*i])
        .map(|i| {
            let t = aot.remove(i);
            let id = t
                .get("id")
                .or_else(|| t.get("name"))
                .or_else(|| t.get("date"));
            let id = id
                .and_then(Item::as_value)
                .map(|v| display(&from_toml(v, Kind::Text), Kind::Text));
            format!(
                "{} 删除第 {} 项{}",
                sheet.name,
                i + 1,
                id.map_or(String::new(), |s| format!("（{s}）"))
            )
        })
        .collect();
    e.record(changes);
    for (row, prefix) in added {
        e.edits
            .push(format!("{} 新增 [[{key}]]", row.record_cell.name()));
        // Each filled cell is marked, so a problem in the new table points at its own cell.
        for (col, v, place) in &row.cells {
            if *v != Val::Empty {
                e.marks.push(Mark {
                    path: key_path(&prefix, sheet.columns[*col].key),
                    place: place.clone(),
                    field: sheet.columns[*col].key.to_string(),
                });
            }
        }
        e.marks.push(Mark {
            path: prefix,
            place: row.record_cell.clone(),
            field: format!("[[{key}]]"),
        });
    }
    e.edits.extend(removed);
}

fn apply_sheet(
    e: &mut Edit,
    grid: &Grid,
    rows: &[&Row],
    lists: &SiteLists,
    diags: &mut Vec<Diagnostic>,
) {
    let sheet = grid.sheet;
    match sheet.shape {
        Shape::Root => {
            if let Some(row) = rows.first() {
                let changes = apply_row(sheet, row, &[], e.rec.doc.as_table_mut());
                e.record(changes);
            }
        }
        Shape::Items(key) => items_sheet(e, sheet, key, rows, diags),
        Shape::Milestones => {
            let mut kv = Vec::new();
            for row in rows {
                let (Some((Val::Text(name), kp)), Some((date, vp))) = (row.get(0), row.get(1))
                else {
                    diags.push(at(
                        Severity::Error,
                        &row.record_cell.name(),
                        "这一行缺少里程碑或完成日期",
                    ));
                    continue;
                };
                kv.push((lists.milestone_key(name), date, kp, vp));
            }
            keyed::keyed_rows(
                e,
                vec![Seg::Key("milestones".into())],
                kv,
                sheet.columns[1].kind,
                diags,
            );
        }
        Shape::Private => keyed::private_rows(e, sheet, rows, diags),
        Shape::Scores => keyed::scores(e, rows, diags),
    }
}

/// Reads the workbook at `path` and works out every file it changes; checks them as the build
/// would; writes them unless `dry_run` or anything is wrong.
pub fn import(
    opts: &BuildOptions,
    path: &Path,
    dry_run: bool,
) -> Result<Imported, Vec<Diagnostic>> {
    let root = &opts.root;
    let mut diags = Vec::new();
    let lists = site::read(root, &mut diags);
    let Some(grids) = read::read(path, &mut diags) else {
        return Err(diags);
    };
    let existing: BTreeSet<String> = files::slugs(root).into_iter().collect();
    let enterprise = grids.iter().find(|g| g.sheet.shape == Shape::Root);
    let mut in_book: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    if let Some(g) = enterprise {
        let mut first: BTreeMap<&str, &Place> = BTreeMap::new();
        for r in &g.rows {
            if let Some(p) = first.get(r.slug.as_str()) {
                diags.push(at(
                    Severity::Error,
                    &r.record_cell.name(),
                    format!(
                        "档案“{}”在“企业”表中出现了两次（另见 {}）",
                        r.slug,
                        p.name()
                    ),
                ));
            } else {
                first.insert(&r.slug, &r.record_cell);
                seen.insert(r.slug.clone());
                in_book.push(r.slug.clone());
            }
        }
    }
    for g in grids.iter().filter(|g| g.sheet.shape != Shape::Root) {
        for r in &g.rows {
            if seen.contains(&r.slug) {
                continue;
            }
            if enterprise.is_some() {
                diags.push(
                    at(
                        Severity::Error,
                        &r.record_cell.name(),
                        format!("档案“{}”不在“企业”表中", r.slug),
                    )
                    .with_hint("每个档案在“企业”表中有一行；新企业先在“企业”表中填写"),
                );
            } else if !existing.contains(&r.slug) {
                diags.push(
                    at(
                        Severity::Error,
                        &r.record_cell.name(),
                        format!("没有档案“{}”", r.slug),
                    )
                    .with_hint(format!(
                        "data/enterprises/{}.toml 不存在；新企业须在“企业”表中填写",
                        r.slug
                    )),
                );
            } else {
                seen.insert(r.slug.clone());
                in_book.push(r.slug.clone());
            }
        }
    }
    // Each sheet's rows by record, in sheet order.
    let mut by_slug: HashMap<(&str, &str), Vec<&Row>> = HashMap::new();
    for g in &grids {
        for r in &g.rows {
            by_slug.entry((g.sheet.name, &r.slug)).or_default().push(r);
        }
    }
    let mut edits = Vec::new();
    for slug in &in_book {
        let created = !existing.contains(slug);
        let rec = if created {
            Some(RecordFile::new(slug))
        } else {
            files::read_one(root, slug, &mut diags)
        };
        let Some(rec) = rec else { continue };
        let mut e = Edit {
            rec,
            created,
            marks: Vec::new(),
            edits: Vec::new(),
        };
        for sheet in SHEETS {
            let Some(g) = grids.iter().find(|g| g.sheet.name == sheet.name) else {
                continue;
            };
            let rows = by_slug
                .get(&(g.sheet.name, slug.as_str()))
                .map_or(&[][..], Vec::as_slice);
            apply_sheet(&mut e, g, rows, &lists, &mut diags);
        }
        if !e.edits.is_empty() || created {
            edits.push(e);
        }
    }
    // The records are checked even when some cells were refused, so one run reports everything.
    let checked = verify::check(
        opts,
        edits
            .iter()
            .map(|e| {
                (
                    e.rec.rel.clone(),
                    e.rec.text(),
                    e.created,
                    &e.marks[..],
                    root_place(&grids, &e.rec.slug),
                )
            })
            .collect(),
    );
    diags.extend(checked);
    if diags.iter().any(Diagnostic::is_error) {
        crate::diag::sort(&mut diags);
        return Err(diags);
    }
    if !dry_run {
        for e in &edits {
            write_file(&root.join(&e.rec.rel), &e.rec.text()).map_err(|err| {
                vec![Diagnostic::file(
                    Severity::Error,
                    &e.rec.rel,
                    crate::diag::failure_text(&err),
                )]
            })?;
        }
    }
    Ok(Imported {
        changes: edits
            .into_iter()
            .map(|e| FileChange {
                rel: e.rec.rel,
                created: e.created,
                edits: e.edits,
            })
            .collect(),
        diags,
    })
}

fn root_place(grids: &[Grid], slug: &str) -> Option<Place> {
    grids
        .iter()
        .find(|g| g.sheet.shape == Shape::Root)?
        .rows
        .iter()
        .find(|r| r.slug == slug)
        .map(|r| r.record_cell.clone())
}

/// Writes beside the file and renames over it, so a reader never sees half a record.
fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
    }
    let tmp = path.with_extension("toml.dualprev-tmp");
    std::fs::write(&tmp, text).with_context(|| format!("无法写入 {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("无法写入 {}", path.display()))?;
    Ok(())
}
