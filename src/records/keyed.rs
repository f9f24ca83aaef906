//! The keyed tables of a record: `[milestones]` (name → date), `[private]` (role → person) and
//! each evaluation's `[evaluations.scores]` (item → score). Rows match entries by key; an entry
//! with no row in a sheet that is present goes.

use std::collections::{BTreeMap, BTreeSet};

use toml_edit::{InlineTable, Item, Table, TableLike, Value};

use super::doc;
use super::export::role_name;
use super::import::{Change, Edit, apply_row};
use super::read::{Place, Row, at};
use super::schema::{Kind, ROLES, Sheet};
use super::value::{Val, display, from_toml, to_toml};
use super::verify::{Mark, Seg};
use crate::diag::{Diagnostic, Severity};

/// `[milestones]` or the scores of one evaluation: key → value rows, matched by key.
pub(super) fn keyed_rows(
    e: &mut Edit,
    prefix: Vec<Seg>,
    rows: Vec<(String, &Val, &Place, &Place)>,
    kind: Kind,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen = BTreeSet::new();
    for (key, _, kplace, _) in &rows {
        if !seen.insert(key.clone()) {
            diags.push(at(
                Severity::Error,
                &kplace.name(),
                format!("“{key}”在本档案中出现了两次"),
            ));
        }
    }
    let Some(t) = table_at(&mut e.rec.doc, &prefix) else {
        return;
    };
    let old_keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    let mut notes = Vec::new();
    for (key, new, _, vplace) in &rows {
        let old = t
            .get(key)
            .and_then(Item::as_value)
            .map_or(Val::Empty, |v| from_toml(v, kind));
        if old != **new {
            doc::set_key(t, key, to_toml(new, kind));
            let mut p = prefix.clone();
            p.push(Seg::Key(key.clone()));
            notes.push(Change {
                place: (*vplace).clone(),
                path: p,
                field: key.clone(),
                before: old,
                after: (*new).clone(),
                kind,
            });
        }
    }
    for k in old_keys.iter().filter(|k| !seen.contains(*k)) {
        t.remove(k);
        e.edits.push(format!("删除 {k}"));
    }
    e.record(notes);
}

/// The table at `path` (keys and list indexes), created as `[a.b]` when missing.
pub(super) fn table_at<'d>(
    d: &'d mut toml_edit::DocumentMut,
    path: &[Seg],
) -> Option<&'d mut dyn TableLike> {
    let mut t: &mut dyn TableLike = d.as_table_mut();
    let mut i = 0;
    while i < path.len() {
        match (&path[i], path.get(i + 1)) {
            (Seg::Key(k), Some(Seg::Index(n))) => {
                let n = *n;
                t = t.get_mut(k)?.as_array_of_tables_mut()?.get_mut(n)?;
                i += 2;
            }
            (Seg::Key(k), _) => {
                if t.get(k).and_then(Item::as_table_like).is_none() {
                    let mut new = Table::new();
                    new.set_implicit(false);
                    t.insert(k, Item::Table(new));
                }
                t = t.get_mut(k)?.as_table_like_mut()?;
                i += 1;
            }
            (Seg::Index(_), _) => return None,
        }
    }
    Some(t)
}

pub(super) fn private_rows(
    e: &mut Edit,
    sheet: &Sheet,
    rows: &[&Row],
    diags: &mut Vec<Diagnostic>,
) {
    let role_key = |name: &str| {
        ROLES
            .iter()
            .find(|(_, n)| *n == name)
            .map_or(name.to_string(), |(k, _)| k.to_string())
    };
    let mut seen = BTreeSet::new();
    let prefix = vec![Seg::Key("private".into())];
    let Some(t) = table_at(&mut e.rec.doc, &prefix) else {
        return;
    };
    let old_roles: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    let mut pending = Vec::new();
    for row in rows {
        let role = match row.get(0) {
            Some((Val::Text(r), _)) => role_key(r),
            _ => {
                diags.push(at(
                    Severity::Error,
                    &row.record_cell.name(),
                    "这一行缺少“角色”",
                ));
                continue;
            }
        };
        if !seen.insert(role.clone()) {
            diags.push(at(
                Severity::Error,
                &row.record_cell.name(),
                format!("角色“{}”在本档案中出现了两次", role_name(&role)),
            ));
            continue;
        }
        if t.get(&role).is_none() {
            let mut it = InlineTable::new();
            for (col, v, _) in row.cells.iter().filter(|(c, ..)| *c > 0) {
                if let Some(val) = to_toml(v, sheet.columns[*col].kind) {
                    it.insert(sheet.columns[*col].key, val);
                }
            }
            t.insert(&role, Item::Value(Value::InlineTable(it)));
            pending.push((row, role, true));
        } else {
            pending.push((row, role, false));
        }
    }
    for k in old_roles.iter().filter(|k| !seen.contains(*k)) {
        t.remove(k);
        e.edits.push(format!("人员 删除 {}", role_name(k)));
    }
    for (row, role, new) in pending {
        let mut p = prefix.clone();
        p.push(Seg::Key(role.clone()));
        if new {
            e.edits.push(format!(
                "{} 新增人员 {}",
                row.record_cell.name(),
                role_name(&role)
            ));
            e.marks.push(Mark {
                path: p,
                place: row.record_cell.clone(),
                field: format!("private.{role}"),
            });
            continue;
        }
        let cells = Row {
            slug: row.slug.clone(),
            record_cell: row.record_cell.clone(),
            cells: row.cells.iter().filter(|(c, ..)| *c > 0).cloned().collect(),
        };
        if let Some(person) = table_at(&mut e.rec.doc, &p) {
            let changes = apply_row(sheet, &cells, &p, person);
            e.record(changes);
        }
    }
}

pub(super) fn scores(e: &mut Edit, rows: &[&Row], diags: &mut Vec<Diagnostic>) {
    let dates: Vec<Val> = doc::items(&e.rec.doc, "evaluations")
        .iter()
        .map(|ev| doc::get(*ev, "date").map_or(Val::Empty, |v| from_toml(v, Kind::Date)))
        .collect();
    let mut by_eval: BTreeMap<usize, Vec<(String, &Val, &Place, &Place)>> = BTreeMap::new();
    for row in rows {
        let (Some((date, dp)), Some((Val::Text(item), ip)), Some((score, sp))) =
            (row.get(0), row.get(1), row.get(2))
        else {
            diags.push(at(
                Severity::Error,
                &row.record_cell.name(),
                "这一行缺少评估日期、条款或得分",
            ));
            continue;
        };
        match dates.iter().position(|d| d == date) {
            Some(i) => by_eval
                .entry(i)
                .or_default()
                .push((item.clone(), score, ip, sp)),
            None => diags.push(
                at(
                    Severity::Error,
                    &dp.name(),
                    format!(
                        "档案 {} 没有日期为 {} 的评估",
                        row.slug,
                        display(date, Kind::Date)
                    ),
                )
                .with_hint("先在“评估”表中填写这次评估，得分行的评估日期与之相同"),
            ),
        }
    }
    for i in 0..dates.len() {
        let rows = by_eval.remove(&i).unwrap_or_default();
        let prefix = vec![
            Seg::Key("evaluations".into()),
            Seg::Index(i),
            Seg::Key("scores".into()),
        ];
        keyed_rows(e, prefix, rows, Kind::Count, diags);
    }
}
