//! Admissions (issue #14) end to end: grade 10, 11 and 12 records made by the issuer (the
//! development key of Trường THPT Bình Tây, a signed revocation list), verified together by
//! the verifier and scored with both shipped schemes. The expected score of every combination
//! is worked out by hand below. Refused: a grade-11 record of another pupil, two grade-12
//! records, a revoked record, a record whose status cannot be checked, and a missing grade 10
//! under the six-semester scheme.
//!
//! Year averages follow Circular 22: year = (HK I + 2 × HK II) / 3, one decimal, so the
//! records validate; the six-semester scheme averages HK I and HK II of each grade instead.

// Fixture helpers: a fixture that cannot be built stops the test, as `unwrap` in a test does.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::status_lists::sign_status_list;
use hocba_schema::credential::StatusEntry;
use hocba_tests::{dev_signer, dev_trust, root};
use hocba_verifier::admissions::{
    Assessment, CredentialCandidate, Extras, RefusalCode, Scheme, assess_credentials, export,
};
use hocba_verifier::{StatusLists, VerifyOptions};
use serde_json::{Value, json};
use time::macros::datetime;

const SCHOOL: &str = "79000701";
const LIST: &str = "https://hocba.example/status/79000701/1";
/// A list the verifier is not given: status cannot be checked.
const MISSING_LIST: &str = "https://hocba.example/status/79000701/9";
const REVOKED_INDEX: u64 = 70_099;
const CHECKED_AT: time::OffsetDateTime = datetime!(2026-07-10 08:00 UTC);

pub(crate) struct Pupil {
    pub(crate) name: &'static str,
    born: &'static str,
    gender: &'static str,
    pub(crate) id: &'static str,
    /// (subject, HK I, HK II) for grades 10, 11, 12.
    marks: [&'static [(&'static str, f64, f64)]; 3],
}

pub(crate) const AN: Pupil = Pupil {
    name: "Trần Minh An",
    born: "2008-04-02",
    gender: "nam",
    id: "079208000101",
    marks: [
        &[
            ("toan", 8.0, 8.6),
            ("vat_li", 7.0, 7.6),
            ("hoa_hoc", 8.0, 8.0),
            ("ngoai_ngu_1", 6.5, 7.1),
            ("ngu_van", 7.0, 7.3),
            ("sinh_hoc", 6.8, 7.1),
        ],
        &[
            ("toan", 8.6, 9.2),
            ("vat_li", 7.6, 8.2),
            ("hoa_hoc", 8.0, 8.0),
            ("ngoai_ngu_1", 7.1, 7.7),
            ("ngu_van", 7.0, 7.3),
            ("sinh_hoc", 6.8, 7.1),
        ],
        &[
            ("toan", 9.0, 9.3),
            ("vat_li", 8.0, 8.6),
            ("hoa_hoc", 8.0, 8.0),
            ("ngoai_ngu_1", 7.7, 8.0),
            ("ngu_van", 7.0, 7.3),
            ("sinh_hoc", 6.8, 7.1),
        ],
    ],
};

const BINH_MARKS: &[(&str, f64, f64)] = &[
    ("toan", 6.0, 6.3),
    ("vat_li", 6.5, 6.5),
    ("hoa_hoc", 6.0, 6.6),
    ("ngoai_ngu_1", 8.0, 8.6),
    ("ngu_van", 8.5, 8.8),
    ("sinh_hoc", 7.0, 7.0),
];

const BINH: Pupil = Pupil {
    name: "Lê Thị Bình",
    born: "2008-09-20",
    gender: "nu",
    id: "079308000202",
    marks: [BINH_MARKS, BINH_MARKS, BINH_MARKS],
};

const HUY_MARKS: &[(&str, f64, f64)] = &[
    ("toan", 9.8, 10.0),
    ("vat_li", 9.6, 9.9),
    ("hoa_hoc", 10.0, 10.0),
    ("ngoai_ngu_1", 9.0, 9.0),
    ("ngu_van", 8.0, 8.0),
    ("sinh_hoc", 9.0, 9.3),
];

const HUY: Pupil = Pupil {
    name: "Phạm Gia Huy",
    born: "2008-12-01",
    gender: "nam",
    id: "079208000303",
    marks: [HUY_MARKS, HUY_MARKS, HUY_MARKS],
};

fn round1(x: f64) -> f64 {
    (x * 10.0 + 1e-9).round() / 10.0
}

/// The grade-`grade` record of `pupil`, from the grade-12 example of the same school.
pub(crate) fn record(pupil: &Pupil, grade: u8) -> Vec<u8> {
    let bytes = std::fs::read(root().join("schema/examples/secondary-grade12.json"))
        .expect("the grade-12 example");
    let mut r: Value = serde_json::from_slice(&bytes).expect("the example is JSON");
    let start = 2025 - i32::from(12 - grade);
    r["student"]["fullName"] = json!(pupil.name);
    r["student"]["dateOfBirth"] = json!(pupil.born);
    r["student"]["gender"] = json!(pupil.gender);
    r["student"]["personalIdNumber"] = json!(pupil.id);
    r["student"]["studentCode"] = json!(format!("79081{}", &pupil.id[7..]));
    r["grade"] = json!(grade);
    r["schoolYear"] = json!(format!("{start}-{}", start + 1));
    r["className"] = json!(format!("{grade}A2"));
    r["approvalDate"] = json!(format!("{}-05-28", start + 1));
    let secondary = r["secondary"].as_object_mut().expect("a secondary record");
    secondary.remove("award");
    secondary.insert(
        "promotion".into(),
        json!(if grade == 12 {
            "hoan_thanh_chuong_trinh_thpt"
        } else {
            "len_lop"
        }),
    );
    let marks = pupil.marks[usize::from(grade - 10)];
    for s in secondary["subjects"].as_array_mut().unwrap() {
        if let Some((_, s1, s2)) = marks.iter().find(|(c, _, _)| s["code"] == *c) {
            s["semester1Average"] = json!(s1);
            s["semester2Average"] = json!(s2);
            s["yearAverage"] = json!(round1((s1 + 2.0 * s2) / 3.0));
        }
    }
    if grade < 12 {
        r["teacherComment"] = json!("Em chăm chỉ, có ý thức tự học tốt.");
    }
    serde_json::to_vec(&r).unwrap()
}

/// Issue `pupil`'s grade-`grade` record at status `index` of `list`.
fn issue(pupil: &Pupil, grade: u8, list: &str, index: u64) -> Vec<u8> {
    let trust = dev_trust();
    let signer = dev_signer(&trust, SCHOOL);
    // The school's development key is valid from 2025-08-01: the records of earlier years
    // are issued digitally at the end of the grade-12 year.
    let signed_at = datetime!(2026-05-29 08:00 UTC) + time::Duration::minutes(i64::from(grade));
    let issued = issue_record(
        &record(pupil, grade),
        &signer,
        SCHOOL,
        &IssueOptions {
            accept_warnings: true,
            status: Some(StatusEntry::revocation(list, index)),
            now: signed_at,
            id: None,
        },
    )
    .unwrap_or_else(|e| panic!("{} grade {grade}: {e:?}", pupil.name));
    serde_json::to_vec(&Value::Object(issued.credential)).unwrap()
}

/// Every credential of the test, issued once.
struct World {
    an: [Vec<u8>; 3],
    binh: [Vec<u8>; 3],
    huy: [Vec<u8>; 3],
    an_12_again: Vec<u8>,
    an_12_revoked: Vec<u8>,
    an_11_unknown: Vec<u8>,
    options: VerifyOptions,
}

fn world() -> World {
    let mut index = 70_000;
    let mut next = || {
        index += 1;
        index
    };
    let three =
        |p: &Pupil, next: &mut dyn FnMut() -> u64| [10, 11, 12].map(|g| issue(p, g, LIST, next()));
    let an = three(&AN, &mut next);
    let binh = three(&BINH, &mut next);
    let huy = three(&HUY, &mut next);
    let trust = dev_trust();
    let signer = dev_signer(&trust, SCHOOL);
    let list = sign_status_list(
        &signer,
        LIST,
        131_072,
        &[(
            REVOKED_INDEX as i64,
            datetime!(2026-06-15 09:00 UTC),
            Some("Sửa điểm Toán".into()),
        )],
        CHECKED_AT - time::Duration::hours(2),
    )
    .unwrap();
    let mut lists = StatusLists::new();
    lists.insert(LIST, list);
    World {
        an_12_again: issue(&AN, 12, LIST, next()),
        an_12_revoked: issue(&AN, 12, LIST, REVOKED_INDEX),
        an_11_unknown: issue(&AN, 11, MISSING_LIST, next()),
        an,
        binh,
        huy,
        options: VerifyOptions::default().with_status_lists(Arc::new(lists)),
    }
}

fn scheme(name: &str) -> Scheme {
    let text =
        std::fs::read_to_string(root().join(format!("verifier/schemes/{name}.toml"))).unwrap();
    Scheme::from_toml(&text).unwrap()
}

fn candidate<'a>(id: &str, extras: Extras, items: &[&'a Vec<u8>]) -> CredentialCandidate<'a> {
    CredentialCandidate {
        id: id.into(),
        extras,
        credentials: items.iter().map(|c| c.as_slice()).collect(),
    }
}

fn extras(area: &str, group: Option<&str>, bonus: f64) -> Extras {
    Extras {
        area: Some(area.into()),
        group: group.map(str::to_owned),
        bonus,
    }
}

/// The three good candidates and the refused ones, in this order.
fn candidates(w: &World) -> Vec<CredentialCandidate<'_>> {
    let [an10, an11, an12] = &w.an;
    let [_, binh11, binh12] = &w.binh;
    vec![
        candidate("TS-001", extras("KV3", None, 0.0), &[an10, an11, an12]),
        candidate(
            "TS-002",
            extras("KV1", Some("UT1"), 1.0),
            &w.binh.iter().collect::<Vec<_>>(),
        ),
        // Order of items does not matter.
        candidate(
            "TS-003",
            extras("KV2-NT", None, 4.5),
            &[&w.huy[2], &w.huy[0], &w.huy[1]],
        ),
        candidate(
            "R-OTHER-PUPIL",
            extras("KV3", None, 0.0),
            &[an10, binh11, an12],
        ),
        candidate(
            "R-TWO-12",
            extras("KV3", None, 0.0),
            &[an10, an11, an12, &w.an_12_again],
        ),
        candidate(
            "R-REVOKED",
            extras("KV3", None, 0.0),
            &[an10, an11, &w.an_12_revoked],
        ),
        candidate(
            "R-UNKNOWN",
            extras("KV3", None, 0.0),
            &[an10, &w.an_11_unknown, an12],
        ),
        candidate(
            "R-NO-10",
            extras("KV1", Some("UT1"), 1.0),
            &[binh11, binh12],
        ),
    ]
}

/// (combination, total) of each scored combination, best first.
fn totals(a: &Assessment) -> Vec<(&str, f64)> {
    a.scores
        .iter()
        .map(|s| (s.combination.as_str(), s.total))
        .collect()
}

fn refusal(a: &Assessment) -> RefusalCode {
    assert_eq!(a.result, "refused", "{}: {:?}", a.id, totals(a));
    assert!(a.scores.is_empty() && a.best.is_none());
    a.refusal.as_ref().unwrap().code
}

#[test]
fn whole_grade_12_year_under_circular_06_2025() {
    let w = world();
    let trust = dev_trust();
    let s = scheme("thong-tu-06-2025-ca-nam-lop-12");
    let out = assess_credentials(&s, &candidates(&w), &trust, &w.options, CHECKED_AT);

    // An (KV3: no priority, no bonus), grade-12 year averages:
    // Toán (9.0 + 2×9.3)/3 = 9.2, Vật lí (8.0 + 2×8.6)/3 = 8.4, Hóa 8.0,
    // Tiếng Anh (7.7 + 2×8.0)/3 = 7.9, Ngữ văn (7.0 + 2×7.3)/3 = 7.2, Sinh (6.8 + 2×7.1)/3 = 7.0.
    // A00 = 9.2 + 8.4 + 8.0 = 25.6; A01 = 9.2 + 8.4 + 7.9 = 25.5;
    // D01 = 7.2 + 9.2 + 7.9 = 24.3; B00 = 9.2 + 8.0 + 7.0 = 24.2.
    // C00 cannot be scored: the records have no Địa lí.
    let an = &out[0];
    assert_eq!(an.result, "scored", "{:?}", an.refusal);
    assert_eq!(
        totals(an),
        [("A00", 25.6), ("A01", 25.5), ("D01", 24.3), ("B00", 24.2)]
    );
    assert_eq!(an.unscorable.len(), 1);
    assert_eq!(an.unscorable[0].combination, "C00");
    assert_eq!(an.unscorable[0].subject, "dia_li");
    assert_eq!(an.pupil.full_name.as_deref(), Some("Trần Minh An"));
    // Only the grade-12 record is used; the other two verified and agree on the pupil.
    let used: Vec<bool> = an.items.iter().map(|i| i.used).collect();
    assert_eq!(used, [false, false, true]);
    assert!(an.items.iter().all(|i| i.verdict == "valid"));

    // Bình (KV1 0.75 + UT1 2.0 = 2.75, bonus 1.0): Toán (6.0 + 2×6.3)/3 = 6.2, Vật lí 6.5,
    // Hóa (6.0 + 2×6.6)/3 = 6.4, Tiếng Anh (8.0 + 2×8.6)/3 = 8.4, Ngữ văn (8.5 + 2×8.8)/3 = 8.7,
    // Sinh 7.0.
    // D01 = 8.7 + 6.2 + 8.4 = 23.3; + 1 = 24.3 ≥ 22.5, so priority = (30 − 24.3)/7.5 × 2.75
    //       = 0.76 × 2.75 = 2.09; total 26.39.
    // A01 = 6.2 + 6.5 + 8.4 = 21.1; + 1 = 22.1 < 22.5: full 2.75; total 24.85.
    // B00 = 6.2 + 6.4 + 7.0 = 19.6; + 1 + 2.75 = 23.35.
    // A00 = 6.2 + 6.5 + 6.4 = 19.1; + 1 + 2.75 = 22.85.
    let binh = &out[1];
    assert_eq!(
        totals(binh),
        [
            ("D01", 26.39),
            ("A01", 24.85),
            ("B00", 23.35),
            ("A00", 22.85)
        ]
    );
    let d01 = &binh.scores[0];
    assert_eq!(d01.combination_score, 23.3);
    assert_eq!(d01.bonus, 1.0);
    assert!(d01.priority.reduced);
    assert_eq!(d01.priority.nominal, 2.75);
    assert_eq!(d01.priority.applied, 2.09);
    assert!(!binh.scores[1].priority.reduced);

    // Huy (KV2-NT 0.5, bonus 4.5 capped at 3): Toán (9.8 + 2×10)/3 = 9.9, Vật lí (9.6 + 2×9.9)/3
    // = 9.8, Hóa 10, Tiếng Anh 9.0, Ngữ văn 8.0, Sinh (9.0 + 2×9.3)/3 = 9.2.
    // A00 = 29.7 + 3 = 32.7: priority (30 − 32.7)/7.5 × 0.5 < 0 → 0; capped at 30.
    // A01 = 28.7 + 3 = 31.7 → 30. B00 = 29.1 + 3 = 32.1 → 30.
    // D01 = 8.0 + 9.9 + 9.0 = 26.9 + 3 = 29.9; priority (30 − 29.9)/7.5 × 0.5 = 0.0067 → 0.01;
    //       total 29.91.
    let huy = &out[2];
    assert_eq!(
        totals(huy),
        [("A00", 30.0), ("A01", 30.0), ("B00", 30.0), ("D01", 29.91)]
    );
    let a00 = &huy.scores[0];
    assert!(a00.bonus_capped && a00.capped_at_max);
    assert_eq!((a00.bonus_given, a00.bonus), (4.5, 3.0));
    assert_eq!(a00.combination_score, 29.7);
    assert_eq!(a00.priority.applied, 0.0);
    assert_eq!(huy.scores[3].priority.applied, 0.01);
    assert!(!huy.scores[3].capped_at_max);

    // Refused, whatever the scheme.
    assert_eq!(refusal(&out[3]), RefusalCode::PupilMismatch);
    let why = out[3].refusal.as_ref().unwrap();
    assert_eq!(why.item, Some(1));
    assert!(
        why.vi.contains("Trần Minh An") && why.vi.contains("079308000202"),
        "{}",
        why.vi
    );
    assert!(why.en.contains("another pupil"), "{}", why.en);
    assert_eq!(refusal(&out[4]), RefusalCode::GradeTwice);
    assert_eq!(out[4].refusal.as_ref().unwrap().item, Some(3));
    assert_eq!(refusal(&out[5]), RefusalCode::ItemRevoked);
    assert_eq!(out[5].items[2].verdict, "revoked");
    assert_eq!(refusal(&out[6]), RefusalCode::ItemStatusUnknown);
    assert_eq!(out[6].items[1].verdict, "status_unknown");
    // The grade-12-year scheme needs no grade 10: Bình's two records score as above.
    assert_eq!(out[7].result, "scored");
    assert_eq!(totals(&out[7]), totals(binh));

    // The committee's table: one row per candidate and combination, best first, refused last.
    let csv = String::from_utf8(export::to_csv(&out)).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("\u{feff}Hạng,Mã thí sinh,Họ và tên"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("1,TS-003,Phạm Gia Huy"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",30,Hợp lệ"), "{}", lines[1]);
    // An, Bình, Huy and Bình again (R-NO-10) × 4 combinations; 4 refused candidates.
    let scored_rows = 4 + 4 + 4 + 4;
    assert_eq!(lines.len(), 1 + scored_rows + 4);
    assert!(lines[scored_rows + 1].contains("R-OTHER-PUPIL"));
    assert!(lines[scored_rows + 1].contains("Không xét: pupil_mismatch"));
}

#[test]
fn six_semesters_under_the_2026_draft() {
    let w = world();
    let trust = dev_trust();
    let s = scheme("du-thao-2026-sau-hoc-ki");
    let out = assess_credentials(&s, &candidates(&w), &trust, &w.options, CHECKED_AT);

    // An, mean of HK I and HK II of grades 10, 11, 12, rounded to 2 decimals:
    // Toán (8.0 + 8.6 + 8.6 + 9.2 + 9.0 + 9.3)/6 = 52.7/6 = 8.7833 → 8.78
    // Vật lí (7.0 + 7.6 + 7.6 + 8.2 + 8.0 + 8.6)/6 = 47.0/6 = 7.8333 → 7.83
    // Hóa 8.0; Tiếng Anh (6.5 + 7.1 + 7.1 + 7.7 + 7.7 + 8.0)/6 = 44.1/6 = 7.35
    // Ngữ văn 3 × (7.0 + 7.3)/6 = 7.15; Sinh 3 × (6.8 + 7.1)/6 = 6.95.
    // A00 = 8.78 + 7.83 + 8.0 = 24.61; A01 = 8.78 + 7.83 + 7.35 = 23.96;
    // B00 = 8.78 + 8.0 + 6.95 = 23.73; D01 = 7.15 + 8.78 + 7.35 = 23.28.
    let an = &out[0];
    assert_eq!(
        totals(an),
        [
            ("A00", 24.61),
            ("A01", 23.96),
            ("B00", 23.73),
            ("D01", 23.28)
        ]
    );
    let toan = &an.scores[0].subjects[0];
    assert_eq!(toan.code, "toan");
    assert_eq!(toan.terms.len(), 6);
    assert_eq!(toan.average, 8.78);
    assert_eq!(toan.terms[0].value, 8.0);
    assert_eq!(toan.terms[5].value, 9.3);
    assert!(an.items.iter().all(|i| i.used));

    // Bình: Toán 6.15, Vật lí 6.5, Hóa 6.3, Tiếng Anh 8.3, Ngữ văn 8.65, Sinh 7.0.
    // D01 = 8.65 + 6.15 + 8.3 = 23.1; + 1 = 24.1 ≥ 22.5: priority (30 − 24.1)/7.5 × 2.75
    //       = 0.78667 × 2.75 = 2.1633 → 2.16; total 26.26.
    // A01 = 6.15 + 6.5 + 8.3 = 20.95; + 1 + 2.75 = 24.7.
    // B00 = 6.15 + 6.3 + 7.0 = 19.45; + 1 + 2.75 = 23.2.
    // A00 = 6.15 + 6.5 + 6.3 = 18.95; + 1 + 2.75 = 22.7.
    assert_eq!(
        totals(&out[1]),
        [("D01", 26.26), ("A01", 24.7), ("B00", 23.2), ("A00", 22.7)]
    );

    // Huy: Toán 9.9, Vật lí 9.75, Hóa 10, Tiếng Anh 9.0, Ngữ văn 8.0, Sinh 9.15; bonus 3.
    // A00 = 29.65 + 3 → 30; A01 = 28.65 + 3 → 30; B00 = 29.05 + 3 → 30;
    // D01 = 8.0 + 9.9 + 9.0 = 26.9 + 3 = 29.9 + 0.01 = 29.91.
    assert_eq!(
        totals(&out[2]),
        [("A00", 30.0), ("A01", 30.0), ("B00", 30.0), ("D01", 29.91)]
    );
    assert_eq!(out[2].scores[0].combination_score, 29.65);

    assert_eq!(refusal(&out[3]), RefusalCode::PupilMismatch);
    assert_eq!(refusal(&out[4]), RefusalCode::GradeTwice);
    assert_eq!(refusal(&out[5]), RefusalCode::ItemRevoked);
    assert_eq!(refusal(&out[6]), RefusalCode::ItemStatusUnknown);
    // Six semesters need grade 10.
    assert_eq!(refusal(&out[7]), RefusalCode::GradeMissing);
    let why = out[7].refusal.as_ref().unwrap();
    assert!(
        why.vi.contains("lớp 10") && why.vi.contains("Lê Thị Bình"),
        "{}",
        why.vi
    );
    // The pupil is still named on a refusal.
    assert_eq!(out[7].pupil.full_name.as_deref(), Some("Lê Thị Bình"));
}

#[test]
fn a_tampered_record_is_refused_not_scored() {
    let w = world();
    let trust = dev_trust();
    let s = scheme("thong-tu-06-2025-ca-nam-lop-12");
    let mut tampered: Value = serde_json::from_slice(&w.binh[2]).unwrap();
    tampered["credentialSubject"]["secondary"]["subjects"][1]["yearAverage"] = json!(9.9);
    let tampered = serde_json::to_vec(&tampered).unwrap();
    let c = candidate(
        "TS-TAMPERED",
        extras("KV3", None, 0.0),
        &[&w.binh[0], &w.binh[1], &tampered],
    );
    let out = assess_credentials(&s, &[c], &trust, &w.options, CHECKED_AT);
    assert_eq!(refusal(&out[0]), RefusalCode::ItemInvalid);
    assert_eq!(out[0].items[2].verdict, "invalid");
    assert_eq!(
        out[0].items[2].reason.as_deref(),
        Some("signature_mismatch")
    );
}
