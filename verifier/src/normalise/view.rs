//! What [`super::normalise`] reads of a year record, as a lenient typed view: deserialised
//! straight from the verified bytes (no `Value` tree, no key strings allocated) or from a
//! `Value`, with the same answers either way. Lenient as `Value::get` is: a member of the
//! wrong type reads as absent (text that is not a string, a count that is not a
//! non-negative integer, an object that is an array), never as an error; unknown members are
//! skipped. Values skipped are read without recursion (`serde_json` ignores values
//! iteratively).

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A JSON value reduced to what the view keeps of a scalar (containers are skipped).
enum Scalar {
    Text(String),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Other,
}

/// The `visit_*` methods of values a visitor does not want: each reads as `$none`.
macro_rules! others_are {
    ($none:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Signed(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Unsigned(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// Text, when the value is a string (`Value::as_str`).
#[derive(Debug, Default)]
pub(super) struct Text(pub(super) Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Text(match Scalar::deserialize(d)? {
            Scalar::Text(t) => Some(t),
            _ => None,
        }))
    }
}

/// A number (`Value::as_f64`).
#[derive(Debug, Default)]
pub(super) struct Num(pub(super) Option<f64>);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Num(match Scalar::deserialize(d)? {
            Scalar::Unsigned(n) => Some(n as f64),
            Scalar::Signed(n) => Some(n as f64),
            Scalar::Float(n) => Some(n),
            _ => None,
        }))
    }
}

/// A non-negative integer (`Value::as_u64`).
#[derive(Debug, Default)]
pub(super) struct Count(pub(super) Option<u64>);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Count(match Scalar::deserialize(d)? {
            Scalar::Unsigned(n) => Some(n),
            Scalar::Signed(n) => u64::try_from(n).ok(),
            _ => None,
        }))
    }
}

/// A boolean (`Value::as_bool`).
#[derive(Debug, Default)]
pub(super) struct Flag(pub(super) Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Flag(match Scalar::deserialize(d)? {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }))
    }
}

/// An object read as `T`; anything else is `None` (as `Value::get` finds nothing in it).
#[derive(Debug)]
pub(super) struct Obj<T>(pub(super) Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    others_are!(Obj(None));
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Obj(None))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjVisitor(PhantomData))
    }
}

/// An array of `T`; anything else is empty (as `Value::as_array` finds nothing).
#[derive(Debug)]
pub(super) struct List<T>(pub(super) Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    others_are!(List(Vec::new()));
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List(Vec::new()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(List(items))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

/// A member that counts when present, whatever its value (`"primary": null` still makes a
/// primary record, as `Value::get` finds it).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Obj<T>>, D::Error> {
    Obj::deserialize(d).map(Some)
}

/// `credentialSubject`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct RecordView {
    pub(super) student: Obj<StudentView>,
    pub(super) school: Obj<SchoolView>,
    #[serde(deserialize_with = "present")]
    pub(super) primary: Option<Obj<BlockView>>,
    #[serde(deserialize_with = "present")]
    pub(super) secondary: Option<Obj<BlockView>>,
    pub(super) school_year: Text,
    pub(super) grade: Count,
    pub(super) class_name: Text,
    pub(super) days_absent: Count,
    pub(super) approval_date: Text,
}

/// `student`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct StudentView {
    pub(super) full_name: Text,
    pub(super) date_of_birth: Text,
    pub(super) gender: Text,
    pub(super) student_code: Text,
    pub(super) personal_id_number: Text,
}

/// `school`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SchoolView {
    pub(super) code: Text,
    pub(super) name: Text,
    pub(super) province: Text,
}

/// `primary` or `secondary`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct BlockView {
    pub(super) subjects: List<Obj<SubjectView>>,
    pub(super) learning_result: Obj<TermView>,
    pub(super) conduct_result: Obj<TermView>,
    pub(super) year_result: Text,
    pub(super) promotion: Text,
    pub(super) award: Text,
    pub(super) other_awards: List<Text>,
    pub(super) completed_primary_programme: Flag,
    pub(super) completed_lower_secondary_programme: Flag,
}

/// One subject.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct SubjectView {
    pub(super) code: Text,
    pub(super) name: Text,
    pub(super) year_average: Num,
    pub(super) semester1_average: Num,
    pub(super) semester2_average: Num,
    pub(super) rating: Text,
    pub(super) year_rating: Text,
    pub(super) test_scores: Obj<TestScoresView>,
    pub(super) exempt: Flag,
}

/// `testScores`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct TestScoresView {
    pub(super) end_year: Num,
}

/// A result by term.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TermView {
    pub(super) semester1: Text,
    pub(super) semester2: Text,
    pub(super) year: Text,
}
