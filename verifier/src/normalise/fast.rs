//! The fast path of [`super::normalise_json`] for plain JSON — every member name in strictly
//! increasing byte order in each object the view reads (so none twice; canonical JCS always is),
//! no escape in a string it keeps: the view ([`super::view`]) filled by one walk over the text
//! with [`crate::json_scan::Cursor`], which checks the grammar of everything, skipped values too.
//!
//! It fills exactly what `serde_json` fills through the view's `Deserialize` impls: objects are
//! read member by member here, plain strings are taken as they are, and every other value a
//! field keeps (a number, a flag, a string with an escape, a value of the wrong type) is handed to
//! that field's own `Deserialize` impl through `serde_json`, so the lenient rules are the view's
//! and nowhere else. Anything it is not sure of (`None`) goes to `serde_json` as before; the
//! tests compare the two on every example and on odd records.

use serde::de::DeserializeOwned;

use super::view::{
    BlockView, Count, Flag, List, Num, Obj, RecordView, SchoolView, StudentView, SubjectView,
    TermView, TestScoresView, Text,
};
use crate::json_scan::Cursor;

/// The view of `subject`, or `None` when the fast path is not sure (the caller then reads it
/// with `serde_json`).
pub(super) fn record(subject: &str) -> Option<Obj<RecordView>> {
    let mut c = Cursor::new(subject);
    c.space();
    let view = object(&mut c, record_member)?;
    c.space();
    c.at_end().then_some(view)
}

/// A member that is not an object the view reads: read by the field's own `Deserialize` from its
/// text (the grammar is checked first, by the cursor).
fn by_serde<T: DeserializeOwned>(c: &mut Cursor<'_>) -> Option<T> {
    let start = c.at();
    c.value()?;
    serde_json::from_str(c.since(start)?).ok()
}

/// A text field: a plain string borrowed and copied once, anything else as the view reads it.
fn text(c: &mut Cursor<'_>) -> Option<Text> {
    if c.peek()? == b'"'
        && let Some(s) = c.plain_string()
    {
        return Some(Text(Some(s.to_owned())));
    }
    by_serde(c)
}

/// An object read member by member into `T` (`member` fills one); any other value as the view
/// reads it (`Obj(None)`).
fn object<'a, T: Default + DeserializeOwned>(
    c: &mut Cursor<'a>,
    member: fn(&mut T, &'a str, &mut Cursor<'a>) -> Option<()>,
) -> Option<Obj<T>> {
    if c.peek()? != b'{' {
        // `Obj(None)`, unless serde_json refuses the value (a number out of range).
        return by_serde(c);
    }
    c.eat(b'{')?;
    let mut view = T::default();
    c.space();
    if c.eat(b'}').is_some() {
        return Some(Obj(Some(view)));
    }
    let mut last: Option<&str> = None;
    loop {
        c.space();
        let key = c.plain_string()?;
        if last.is_some_and(|l| key <= l) {
            return None; // out of order, perhaps twice: serde_json decides
        }
        last = Some(key);
        c.space();
        c.eat(b':')?;
        c.space();
        member(&mut view, key, c)?;
        c.space();
        match c.peek()? {
            b',' => {
                c.eat(b',')?;
            }
            b'}' => {
                c.eat(b'}')?;
                return Some(Obj(Some(view)));
            }
            _ => return None,
        }
    }
}

/// An array of `T`, each element read with `element`; any other value as the view reads it
/// (empty).
fn list<'a, T: DeserializeOwned>(
    c: &mut Cursor<'a>,
    element: impl Fn(&mut Cursor<'a>) -> Option<T>,
) -> Option<List<T>> {
    if c.peek()? != b'[' {
        // Empty, unless serde_json refuses the value (a number out of range).
        return by_serde(c);
    }
    c.eat(b'[')?;
    let mut items = Vec::new();
    c.space();
    if c.eat(b']').is_some() {
        return Some(List(items));
    }
    loop {
        c.space();
        items.push(element(c)?);
        c.space();
        match c.peek()? {
            b',' => {
                c.eat(b',')?;
            }
            b']' => {
                c.eat(b']')?;
                return Some(List(items));
            }
            _ => return None,
        }
    }
}

fn record_member<'a>(r: &mut RecordView, key: &'a str, c: &mut Cursor<'a>) -> Option<()> {
    match key {
        "student" => r.student = object(c, student_member)?,
        "school" => r.school = object(c, school_member)?,
        "primary" => r.primary = Some(object(c, block_member)?),
        "secondary" => r.secondary = Some(object(c, block_member)?),
        "schoolYear" => r.school_year = text(c)?,
        "grade" => r.grade = by_serde::<Count>(c)?,
        "className" => r.class_name = text(c)?,
        "daysAbsent" => r.days_absent = by_serde::<Count>(c)?,
        "approvalDate" => r.approval_date = text(c)?,
        _ => c.value()?,
    }
    Some(())
}

fn student_member<'a>(s: &mut StudentView, key: &'a str, c: &mut Cursor<'a>) -> Option<()> {
    match key {
        "fullName" => s.full_name = text(c)?,
        "dateOfBirth" => s.date_of_birth = text(c)?,
        "gender" => s.gender = text(c)?,
        "studentCode" => s.student_code = text(c)?,
        "personalIdNumber" => s.personal_id_number = text(c)?,
        _ => c.value()?,
    }
    Some(())
}

fn school_member<'a>(s: &mut SchoolView, key: &'a str, c: &mut Cursor<'a>) -> Option<()> {
    match key {
        "code" => s.code = text(c)?,
        "name" => s.name = text(c)?,
        "province" => s.province = text(c)?,
        _ => c.value()?,
    }
    Some(())
}

fn block_member<'a>(b: &mut BlockView, key: &'a str, c: &mut Cursor<'a>) -> Option<()> {
    match key {
        "subjects" => b.subjects = list(c, |c| object(c, subject_member))?,
        "learningResult" => b.learning_result = object(c, term_member)?,
        "conductResult" => b.conduct_result = object(c, term_member)?,
        "yearResult" => b.year_result = text(c)?,
        "promotion" => b.promotion = text(c)?,
        "award" => b.award = text(c)?,
        "otherAwards" => b.other_awards = list(c, text)?,
        "completedPrimaryProgramme" => b.completed_primary_programme = by_serde::<Flag>(c)?,
        "completedLowerSecondaryProgramme" => {
            b.completed_lower_secondary_programme = by_serde::<Flag>(c)?;
        }
        _ => c.value()?,
    }
    Some(())
}

fn subject_member<'a>(s: &mut SubjectView, key: &'a str, c: &mut Cursor<'a>) -> Option<()> {
    match key {
        "code" => s.code = text(c)?,
        "name" => s.name = text(c)?,
        "yearAverage" => s.year_average = by_serde::<Num>(c)?,
        "semester1Average" => s.semester1_average = by_serde::<Num>(c)?,
        "semester2Average" => s.semester2_average = by_serde::<Num>(c)?,
        "rating" => s.rating = text(c)?,
        "yearRating" => s.year_rating = text(c)?,
        "testScores" => s.test_scores = object(c, test_scores_member)?,
        "exempt" => s.exempt = by_serde::<Flag>(c)?,
        _ => c.value()?,
    }
    Some(())
}

fn test_scores_member<'a>(t: &mut TestScoresView, key: &'a str, c: &mut Cursor<'a>) -> Option<()> {
    match key {
        "endYear" => t.end_year = by_serde::<Num>(c)?,
        _ => c.value()?,
    }
    Some(())
}

fn term_member<'a>(t: &mut TermView, key: &'a str, c: &mut Cursor<'a>) -> Option<()> {
    match key {
        "semester1" => t.semester1 = text(c)?,
        "semester2" => t.semester2 = text(c)?,
        "year" => t.year = text(c)?,
        _ => c.value()?,
    }
    Some(())
}
