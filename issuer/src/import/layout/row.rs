//! One row of cells as the record's JSON, remembering the column of each field so that a
//! validation problem's pointer is mapped back to its column.

use std::collections::{BTreeMap, HashMap};

use hocba_schema::record::Subject;
use serde_json::{Map, Value};

use super::super::cells::{Conv, convert, fold};
use super::{Layout, SubjectField, Target};

/// Set `value` at `path` below `map`, creating objects on the way.
fn set(map: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut here = map;
    for key in parents {
        let entry = here
            .entry((*key).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(next) = entry else {
            return;
        };
        here = next;
    }
    here.insert((*last).to_owned(), value);
}

fn pointer(prefix: &str, path: &[&str]) -> String {
    let mut p = prefix.to_owned();
    for key in path {
        p.push('/');
        p.push_str(key);
    }
    p
}

/// One subject cell of a row: what it holds, its layout column, its text.
type SubjectCell<'a> = (SubjectField, usize, Option<&'a str>);

/// Which column a problem's pointer came from.
pub(super) struct ColumnMap {
    by_pointer: HashMap<String, usize>,
}

impl ColumnMap {
    pub(super) fn column_of(&self, pointer: &str) -> Option<usize> {
        if let Some(&i) = self.by_pointer.get(pointer) {
            return Some(i);
        }
        // The nearest field above the pointer, then the first field below it.
        let mut p = pointer;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if let Some(&i) = self.by_pointer.get(parent) {
                return Some(i);
            }
            p = parent;
        }
        let below = format!("{pointer}/");
        self.by_pointer
            .iter()
            .filter(|(k, _)| k.starts_with(&below))
            .map(|(_, &i)| i)
            .min()
    }
}

impl Layout {
    /// A row's cells (by layout column; `None` for empty) as the record's JSON, with the
    /// column of each field.
    pub(super) fn row_to_json(&self, cells: &[Option<String>]) -> (Value, ColumnMap) {
        let block_name = self.level.block();
        let block_prefix = format!("/{block_name}");
        let mut doc = Map::new();
        let mut block = Map::new();
        let mut by_pointer = HashMap::new();
        let mut subjects: BTreeMap<usize, Vec<SubjectCell<'_>>> = BTreeMap::new();
        for (i, (column, cell)) in self.columns.iter().zip(cells).enumerate() {
            let cell = cell.as_deref();
            match column.target {
                Target::Ignored => {}
                Target::Path(path, conv) => {
                    by_pointer.insert(pointer("", path), i);
                    if let Some(text) = cell {
                        set(&mut doc, path, convert(conv, text));
                    }
                }
                Target::Block(path, conv) => {
                    by_pointer.insert(pointer(&block_prefix, path), i);
                    if let Some(text) = cell {
                        set(&mut block, path, convert(conv, text));
                    }
                }
                Target::Subject(subject, field) => {
                    let order = Subject::ALL.iter().position(|s| *s == subject).unwrap_or(0);
                    subjects.entry(order).or_default().push((field, i, cell));
                }
            }
        }
        let mut list = Vec::new();
        for (order, fields) in subjects {
            if fields.iter().all(|(_, _, cell)| cell.is_none()) {
                continue;
            }
            let Some(subject) = Subject::ALL.get(order).copied() else {
                continue;
            };
            let at = format!("{block_prefix}/subjects/{}", list.len());
            let mut s = Map::new();
            s.insert("code".into(), subject.code().into());
            s.insert(
                "name".into(),
                super::subject_label(self.level, subject).into(),
            );
            let exempt = fields.iter().any(|(f, _, cell)| {
                !matches!(f, SubjectField::Comment | SubjectField::Teacher)
                    && cell.is_some_and(|c| fold(c) == "miễn")
            });
            if exempt {
                s.insert("exempt".into(), Value::Bool(true));
            }
            let mut tests = Map::new();
            for (field, i, cell) in fields {
                by_pointer.entry(at.clone()).or_insert(i);
                let cell = cell.filter(|c| !(exempt && fold(c) == "miễn"));
                match field {
                    SubjectField::Name => {
                        by_pointer.insert(format!("{at}/name"), i);
                        if let Some(c) = cell {
                            s.insert("name".into(), c.into());
                        }
                    }
                    SubjectField::Comment => {
                        by_pointer.insert(format!("{at}/comment"), i);
                        if let Some(c) = cell {
                            s.insert("comment".into(), c.into());
                        }
                    }
                    SubjectField::Teacher => {
                        by_pointer.insert(format!("{at}/teacher"), i);
                        if let Some(c) = cell {
                            s.insert("teacher".into(), c.into());
                        }
                    }
                    SubjectField::Rating => {
                        by_pointer.insert(format!("{at}/rating"), i);
                        if let Some(c) = cell {
                            s.insert("rating".into(), convert(Conv::Rating, c));
                        }
                    }
                    SubjectField::Test(test) => {
                        by_pointer.entry(format!("{at}/testScores")).or_insert(i);
                        by_pointer.insert(format!("{at}/testScores/{}", test.key()), i);
                        if let Some(c) = cell {
                            tests.insert(test.key().into(), convert(Conv::Number, c));
                        }
                    }
                    SubjectField::Term(term) => {
                        by_pointer.insert(format!("{at}/{}", term.average_key()), i);
                        by_pointer.insert(format!("{at}/{}", term.rating_key()), i);
                        if let Some(c) = cell {
                            match convert(Conv::Number, c) {
                                Value::Number(n) => {
                                    s.insert(term.average_key().into(), Value::Number(n));
                                }
                                _ => {
                                    s.insert(term.rating_key().into(), convert(Conv::Rating, c));
                                }
                            }
                        }
                    }
                }
            }
            if !tests.is_empty() {
                s.insert("testScores".into(), Value::Object(tests));
            }
            list.push(Value::Object(s));
        }
        block.insert("subjects".into(), Value::Array(list));
        doc.insert(block_name.into(), Value::Object(block));
        (Value::Object(doc), ColumnMap { by_pointer })
    }
}
