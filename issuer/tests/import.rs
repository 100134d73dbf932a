//! Import: the schema examples as JSON, CSV and XLSX round trips of the templates filled
//! with pupils, bad files and bad rows, and the committed templates being up to date
//! (`HOCBA_REGENERATE_TEMPLATES=1 cargo test -p hocba-issuer --test import` rewrites them).

#![allow(clippy::unwrap_used)]

#[path = "support/xlsx.rs"]
mod xlsx;

use hocba_issuer::import::{
    Format, ImportError, ImportOptions, Layout, LayoutLevel, import, templates,
};
use hocba_schema::record::YearRecord;

const EXAMPLES: [&str; 5] = [
    "primary-grade2.json",
    "primary-grade5.json",
    "secondary-grade7.json",
    "secondary-grade9.json",
    "secondary-grade11.json",
];

fn example(name: &str) -> (Vec<u8>, YearRecord) {
    let path = format!("{}/../schema/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).unwrap();
    let record = serde_json::from_slice(&bytes).unwrap();
    (bytes, record)
}

/// Subjects in layout order, so records compare whatever order the example lists them in.
fn normalised(mut r: YearRecord) -> YearRecord {
    use hocba_schema::record::Subject;
    let pos = |code: &str| Subject::ALL.iter().position(|s| s.code() == code);
    if let Some(p) = r.primary.as_mut() {
        p.subjects.sort_by_key(|s| pos(&s.code));
    }
    if let Some(s) = r.secondary.as_mut() {
        s.subjects.sort_by_key(|x| pos(&x.code));
    }
    r
}

#[test]
fn every_schema_example_imports_as_json_alone_and_in_an_array() {
    let mut all = Vec::new();
    for name in EXAMPLES {
        let (bytes, record) = example(name);
        let report = import(&bytes, Format::Json, &ImportOptions::default()).unwrap();
        assert!(!report.has_errors(), "{name}: {:?}", report.problems);
        assert_eq!(report.drafts.len(), 1);
        assert_eq!(report.drafts[0].1, record);
        all.push(record);
    }
    let array = serde_json::to_vec(&all).unwrap();
    let report = import(&array, Format::Json, &ImportOptions::default()).unwrap();
    assert_eq!(report.drafts.len(), EXAMPLES.len());
    assert_eq!(
        report.drafts.iter().map(|d| d.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
}

fn filled(level: LayoutLevel, records: &[YearRecord]) -> Vec<Vec<String>> {
    let layout = Layout::new(level);
    let mut rows = vec![
        layout
            .headers()
            .iter()
            .map(|h| (*h).to_owned())
            .collect::<Vec<_>>(),
    ];
    rows.extend(records.iter().map(|r| layout.to_row(r)));
    rows
}

fn two_pupils(name: &str) -> Vec<YearRecord> {
    let (_, first) = example(name);
    let mut second = first.clone();
    second.student.full_name = "Nguyễn Văn Bình".into();
    second.student.student_code = "9999999999".into();
    vec![first, second]
}

#[test]
fn csv_and_xlsx_templates_filled_with_two_pupils_round_trip() {
    for (level, name) in [
        (LayoutLevel::Primary, "primary-grade5.json"),
        (LayoutLevel::Primary, "primary-grade2.json"),
        (LayoutLevel::Secondary, "secondary-grade11.json"),
        (LayoutLevel::Secondary, "secondary-grade9.json"),
    ] {
        let records = two_pupils(name);
        let rows = filled(level, &records);
        for (format, bytes) in [
            (Format::Csv, xlsx::csv(&rows)),
            (Format::Xlsx, xlsx::workbook(&rows)),
        ] {
            let report = import(&bytes, format, &ImportOptions::default()).unwrap();
            assert!(
                !report.has_errors(),
                "{name} {format:?}: {:#?}",
                report.problems
            );
            assert_eq!(report.drafts.len(), 2, "{name} {format:?}");
            assert_eq!(report.drafts[0].0, 2);
            for ((_, got), want) in report.drafts.iter().zip(&records) {
                assert_eq!(
                    normalised(got.clone()),
                    normalised(want.clone()),
                    "{name} {format:?}"
                );
            }
        }
    }
}

#[test]
fn class_columns_can_be_given_for_the_whole_file() {
    let records = two_pupils("primary-grade5.json");
    let mut rows = filled(LayoutLevel::Primary, &records);
    let drop = ["Năm học", "Khối", "Lớp"];
    let keep: Vec<bool> = rows[0]
        .iter()
        .map(|h| !drop.contains(&h.as_str()))
        .collect();
    for row in &mut rows {
        let mut i = 0;
        row.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    let bytes = xlsx::csv(&rows);
    let err = import(&bytes, Format::Csv, &ImportOptions::default()).unwrap_err();
    assert!(
        matches!(&err, ImportError::MissingColumns { columns } if columns.len() == 3),
        "{err}"
    );
    let options = ImportOptions {
        level: None,
        fixed: vec![
            ("Năm học".into(), "2025-2026".into()),
            ("Khối".into(), "5".into()),
            ("Lớp".into(), "5A".into()),
        ],
    };
    let report = import(&bytes, Format::Csv, &options).unwrap();
    assert_eq!(report.drafts.len(), 2, "{:#?}", report.problems);
}

#[test]
fn empty_files_are_refused() {
    for bytes in [&b""[..], b"   \n", b"\xEF\xBB\xBF"] {
        assert!(matches!(
            import(bytes, Format::Csv, &ImportOptions::default()),
            Err(ImportError::Empty)
        ));
    }
    let header_only = templates::csv(LayoutLevel::Primary).as_bytes();
    assert!(matches!(
        import(header_only, Format::Csv, &ImportOptions::default()),
        Err(ImportError::Empty)
    ));
    assert!(matches!(
        import(b"[]", Format::Json, &ImportOptions::default()),
        Err(ImportError::Empty)
    ));
}

#[test]
fn unknown_and_missing_columns_are_named() {
    let records = two_pupils("primary-grade5.json");
    let mut rows = filled(LayoutLevel::Primary, &records);
    rows[0][16] = "Ngày sinh nhật".into(); // instead of "Ngày sinh"
    let err = import(&xlsx::csv(&rows), Format::Csv, &ImportOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("Ngày sinh nhật"), "{text}");
}

#[test]
fn legacy_encodings_are_refused_with_a_hint() {
    // "Họ và tên" in Windows-1258 bytes (not UTF-8) on the second line.
    let bytes = b"STT,Ho\nx,H\xd2 v\xe0 t\xean\n";
    let err = import(bytes, Format::Csv, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::NotUtf8 { line: 2 }), "{err}");
    assert!(err.to_string().contains("UTF-8"));
}

#[test]
fn a_bad_score_names_row_column_field_rule_and_value() {
    let records = two_pupils("primary-grade5.json");
    let mut rows = filled(LayoutLevel::Primary, &records);
    let col = rows[0]
        .iter()
        .position(|h| h == "Toán - KTĐK cuối năm")
        .unwrap();
    rows[2][col] = "11".into();
    let report = import(&xlsx::csv(&rows), Format::Csv, &ImportOptions::default()).unwrap();
    assert_eq!(report.drafts.len(), 1);
    assert_eq!(report.drafts[0].0, 2);
    let p = report
        .problems
        .iter()
        .find(|p| p.rule == "score-range")
        .unwrap();
    assert_eq!(p.row, 3);
    assert_eq!(p.column.as_deref(), Some("Toán - KTĐK cuối năm"));
    assert_eq!(p.field, "/primary/subjects/1/testScores/endYear");
    assert_eq!(p.value, serde_json::json!(11));
    assert!(p.message_vi.contains("Dòng 3") && p.message_vi.contains("Toán - KTĐK cuối năm"));
    // Text where a number belongs.
    rows[2][col] = "chín".into();
    let report = import(&xlsx::csv(&rows), Format::Csv, &ImportOptions::default()).unwrap();
    let p = report.problems.iter().find(|p| p.row == 3).unwrap();
    assert_eq!(p.column.as_deref(), Some("Toán - KTĐK cuối năm"), "{p:?}");
}

#[test]
fn broken_xlsx_and_csv_are_errors_not_panics() {
    assert!(matches!(
        import(
            b"PK\x03\x04garbage",
            Format::Xlsx,
            &ImportOptions::default()
        ),
        Err(ImportError::Xlsx { .. })
    ));
    let err = import(b"{\"student\": ", Format::Json, &ImportOptions::default()).unwrap();
    assert!(err.has_errors());
}

#[test]
fn committed_templates_are_up_to_date() {
    let dir = format!("{}/templates", env!("CARGO_MANIFEST_DIR"));
    for level in LayoutLevel::ALL {
        let headers: Vec<String> = Layout::new(level)
            .headers()
            .iter()
            .map(|h| (*h).to_owned())
            .collect();
        let csv = String::from_utf8(xlsx::csv(std::slice::from_ref(&headers))).unwrap();
        let name = match level {
            LayoutLevel::Primary => "tieu-hoc",
            LayoutLevel::Secondary => "trung-hoc",
        };
        if std::env::var_os("HOCBA_REGENERATE_TEMPLATES").is_some() {
            std::fs::write(format!("{dir}/{name}.csv"), &csv).unwrap();
            std::fs::write(
                format!("{dir}/{name}.xlsx"),
                xlsx::workbook(std::slice::from_ref(&headers)),
            )
            .unwrap();
            continue;
        }
        assert_eq!(
            templates::csv(level),
            csv,
            "run with HOCBA_REGENERATE_TEMPLATES=1"
        );
        // The XLSX template reads back as the same header row.
        let mut rows = vec![headers.clone()];
        let (_, record) = example(if level == LayoutLevel::Primary {
            "primary-grade5.json"
        } else {
            "secondary-grade7.json"
        });
        rows.push(Layout::new(level).to_row(&record));
        let read = import(
            &xlsx::workbook(&rows),
            Format::Xlsx,
            &ImportOptions::default(),
        )
        .unwrap();
        assert_eq!(read.drafts.len(), 1);
        let from_template = calamine_headers(templates::xlsx(level));
        assert_eq!(
            from_template, headers,
            "run with HOCBA_REGENERATE_TEMPLATES=1"
        );
    }
}

fn calamine_headers(bytes: &[u8]) -> Vec<String> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}
