//! Signed grade 10, 11 and 12 records of two pupils (school A's key, the test trust list) and
//! an offline bundle whose status list revokes one of them: the material of the admissions
//! API, CLI and page tests.

use std::sync::Arc;

use hocba_schema::credential::{StatusEntry, UnsignedCredential};
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, StatusListCredential};
use hocba_verifier::TrustBundle;
use hocba_verifier::online::Material;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::*;

pub const LIST_URL: &str = "https://hocba.example/status/79000701/1";
pub const REVOKED: u64 = 900;

/// (id, name, born, [ (toan, vat_li, hoa_hoc, ngoai_ngu_1, ngu_van, sinh_hoc) year averages
/// for grades 10, 11, 12 ]); each semester average equals the year's (so six semesters
/// average to the mean of the three years).
pub struct Pupil {
    pub id: &'static str,
    pub name: &'static str,
    pub born: &'static str,
    pub marks: [[f64; 6]; 3],
}

pub const LAN: Pupil = Pupil {
    id: "079308000111",
    name: "Đỗ Ngọc Lan",
    born: "2008-02-11",
    marks: [
        [8.0, 7.0, 7.5, 9.0, 8.5, 7.0],
        [8.5, 7.5, 8.0, 9.0, 8.5, 7.0],
        [9.0, 8.0, 8.5, 9.5, 8.0, 7.5],
    ],
};

pub const MINH: Pupil = Pupil {
    id: "079208000222",
    name: "Vũ Đức Minh",
    born: "2008-06-30",
    marks: [
        [7.0, 7.0, 7.0, 6.0, 6.5, 8.0],
        [7.0, 7.0, 7.0, 6.0, 6.5, 8.0],
        [7.0, 7.0, 7.0, 6.0, 6.5, 8.0],
    ],
};

const CODES: [&str; 6] = [
    "toan",
    "vat_li",
    "hoa_hoc",
    "ngoai_ngu_1",
    "ngu_van",
    "sinh_hoc",
];

/// `p`'s grade-`grade` year record (unsigned).
pub fn record(p: &Pupil, grade: u8) -> Value {
    let path = format!(
        "{}/../schema/examples/secondary-grade12.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut r: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let start = 2025 - i32::from(12 - grade);
    r["student"]["fullName"] = json!(p.name);
    r["student"]["dateOfBirth"] = json!(p.born);
    r["student"]["personalIdNumber"] = json!(p.id);
    r["grade"] = json!(grade);
    r["schoolYear"] = json!(format!("{start}-{}", start + 1));
    r["className"] = json!(format!("{grade}A1"));
    if grade < 12 {
        r["secondary"]["promotion"] = json!("len_lop");
    }
    let marks = p.marks[usize::from(grade - 10)];
    for s in r["secondary"]["subjects"].as_array_mut().unwrap() {
        if let Some(i) = CODES.iter().position(|c| s["code"] == *c) {
            s["semester1Average"] = json!(marks[i]);
            s["semester2Average"] = json!(marks[i]);
            s["yearAverage"] = json!(marks[i]);
        }
    }
    r
}

/// `p`'s grade-`grade` record signed by school A, at `index` of the test list.
pub fn credential(p: &Pupil, grade: u8, index: u64) -> Value {
    sign_record(record(p, grade), index)
}

/// `record` signed by school A, at `index` of the test list.
pub fn sign_record(record: Value, index: u64) -> Value {
    let status = StatusEntry::revocation(LIST_URL, index);
    let id = format!("urn:uuid:00000000-0000-4000-8000-{:012}", index);
    let doc = UnsignedCredential::new(&id, &school_a(), SIGNED_AT, record, Some(&status))
        .unwrap()
        .into_document();
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    )
}

/// Lan's three records (indexes 10, 11, 12) and Minh's (20, 21, 22).
pub fn lan() -> [Value; 3] {
    [10, 11, 12].map(|g| credential(&LAN, g, u64::from(g)))
}

pub fn minh() -> [Value; 3] {
    [10, 11, 12].map(|g| credential(&MINH, g, 10 + u64::from(g)))
}

/// Lan's grade 12 at the revoked index.
pub fn lan_12_revoked() -> Value {
    credential(&LAN, 12, REVOKED)
}

fn status_list() -> Value {
    let mut bits = Bitstring::new(MIN_ENTRIES);
    assert!(bits.set(REVOKED as usize, true));
    let from = datetime!(2026-05-31 00:00 UTC);
    let list = StatusListCredential::revocation(
        LIST_URL,
        school_a(),
        from,
        datetime!(2026-06-14 00:00 UTC),
        &bits,
    );
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(from),
    )
}

/// The offline bundle (trust list + the status list), as a file's bytes.
pub fn bundle() -> Vec<u8> {
    bytes(&json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-05-31T12:00:00Z",
        "trustList": signed_trust_list(),
        "statusLists": [status_list()],
    }))
}

pub fn material() -> Arc<Material> {
    let opened = TrustBundle::open(&bundle(), &authority()).unwrap();
    let as_of = opened.created_at();
    let status_lists = opened.status_lists();
    Arc::new(Material {
        trust: Arc::new(opened.into_trust_list()),
        status_lists,
        as_of,
    })
}
