//! Import: the schema examples as JSON, CSV and XLSX round trips of the templates filled
//! with pupils, bad files and bad rows, and the committed templates being up to date
//! (`HOCBA_REGENERATE_TEMPLATES=1 cargo test -p hocba-issuer --test it import::` rewrites them).

#![allow(clippy::unwrap_used)]

use crate::xlsx;

use hocba_issuer::import::{
    Format, ImportError, ImportOptions, Layout, LayoutLevel, import, templates,
};
use hocba_schema::record::YearRecord;

const EXAMPLES: [&str; 9] = [
    "primary-grade2.json",
    "primary-grade5.json",
    "primary-grade5-informatics-technology-parts.json",
    "primary-grade5-every-field-of-the-form.json",
    "secondary-grade11-every-field-of-the-form.json",
    "secondary-grade7.json",
    "secondary-grade9.json",
    "secondary-grade9-second-language-minority-language.json",
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
        (1..=EXAMPLES.len()).collect::<Vec<_>>()
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
    let header_only = templates::csv(LayoutLevel::Primary).lines().next().unwrap();
    assert!(matches!(
        import(
            header_only.as_bytes(),
            Format::Csv,
            &ImportOptions::default()
        ),
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
    assert!(
        matches!(&err, ImportError::MisspeltColumns { missing, unknown }
            if missing == &["Ngày sinh"] && unknown == &["Ngày sinh nhật"]),
        "{err:?}"
    );
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

/// The example record of each level's template.
fn template_example(level: LayoutLevel) -> YearRecord {
    example(match level {
        LayoutLevel::Primary => "primary-grade5.json",
        LayoutLevel::Secondary => "secondary-grade7.json",
    })
    .1
}

/// The rows of the "Hướng dẫn" sheet: a header, then each column with what it accepts.
fn guide_rows(level: LayoutLevel) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "Cột / column".to_owned(),
        "Bắt buộc / required".to_owned(),
        "Giá trị được nhận / accepted values".to_owned(),
    ]];
    for g in Layout::new(level).guide() {
        let required = if g.required { "x" } else { "" };
        rows.push(vec![g.header, required.to_owned(), g.values]);
    }
    rows
}

#[test]
fn committed_templates_are_up_to_date() {
    let dir = format!("{}/templates", env!("CARGO_MANIFEST_DIR"));
    for level in LayoutLevel::ALL {
        let layout = Layout::new(level);
        let headers: Vec<String> = layout.headers().iter().map(|h| (*h).to_owned()).collect();
        let rows = vec![headers.clone(), layout.to_row(&template_example(level))];
        let csv = String::from_utf8(xlsx::csv(&rows)).unwrap();
        let workbook = xlsx::workbook_of_sheets(&[
            ("Học bạ", xlsx::sheet_xml(&rows, None)),
            ("Hướng dẫn", xlsx::sheet_xml(&guide_rows(level), None)),
        ]);
        let name = match level {
            LayoutLevel::Primary => "tieu-hoc",
            LayoutLevel::Secondary => "trung-hoc",
        };
        if std::env::var_os("HOCBA_REGENERATE_TEMPLATES").is_some() {
            std::fs::write(format!("{dir}/{name}.csv"), &csv).unwrap();
            std::fs::write(format!("{dir}/{name}.xlsx"), &workbook).unwrap();
            continue;
        }
        assert_eq!(
            templates::csv(level),
            csv,
            "run with HOCBA_REGENERATE_TEMPLATES=1"
        );
        assert_eq!(
            templates::xlsx(level),
            workbook.as_slice(),
            "run with HOCBA_REGENERATE_TEMPLATES=1"
        );
    }
}

/// Each template as published: the example row imports without a problem, from the CSV and
/// from the XLSX, and the XLSX read by another reader (calamine) has the header row, the
/// example, and a "Hướng dẫn" sheet explaining every column.
#[test]
fn templates_carry_an_example_row_that_imports_and_a_guide_sheet() {
    for level in LayoutLevel::ALL {
        let want = normalised(template_example(level));
        for (format, bytes) in [
            (Format::Csv, templates::csv(level).as_bytes()),
            (Format::Xlsx, templates::xlsx(level)),
        ] {
            let report = import(bytes, format, &ImportOptions::default()).unwrap();
            assert!(
                report.problems.iter().all(|p| !p.is_error()),
                "{level:?} {format:?}: {:#?}",
                report.problems
            );
            assert_eq!(report.drafts.len(), 1, "{level:?} {format:?}");
            assert_eq!(report.drafts[0].0, 2);
            assert_eq!(normalised(report.drafts[0].1.clone()), want);
        }
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(templates::xlsx(level))).unwrap();
        assert_eq!(wb.sheet_names(), vec!["Học bạ", "Hướng dẫn"]);
        let first = wb.worksheet_range("Học bạ").unwrap();
        let layout = Layout::new(level);
        let header: Vec<String> = first
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header, layout.headers());
        assert_eq!(first.rows().count(), 2, "the header and one example row");
        let guide = wb.worksheet_range("Hướng dẫn").unwrap();
        let guided: Vec<String> = guide.rows().skip(1).map(|r| r[0].to_string()).collect();
        assert_eq!(guided, layout.headers());
        for row in guide.rows().skip(1) {
            assert!(!row[2].to_string().is_empty(), "{row:?}");
        }
        // Required columns are marked, and a rating column lists its words.
        let qualities = guide
            .rows()
            .find(|r| r[0] == "Học tập - Cả năm" || r[0] == "Yêu nước")
            .unwrap();
        assert_eq!(qualities[1].to_string(), "x");
        assert!(qualities[2].to_string().contains("Tốt"), "{qualities:?}");
    }
}

/// The template's headers, folded the way a careless export folds them.
fn headers_as(level: LayoutLevel, change: impl Fn(&str) -> String) -> Vec<Vec<String>> {
    let records = vec![template_example(level)];
    let mut rows = filled(level, &records);
    rows[0] = rows[0].iter().map(|h| change(h)).collect();
    rows
}

#[test]
fn headers_in_nfd_with_odd_case_and_spaces_import() {
    use unicode_normalization::UnicodeNormalization;
    for level in LayoutLevel::ALL {
        let rows = headers_as(level, |h| {
            let nfd: String = h.nfd().collect();
            format!("  {}\u{a0}", nfd.to_uppercase().replace(' ', "  "))
        });
        assert_ne!(rows[0][1], "Mã trường", "the header really is changed");
        for (format, bytes) in [
            (Format::Csv, xlsx::csv(&rows)),
            (Format::Xlsx, xlsx::workbook(&rows)),
        ] {
            let report = import(&bytes, format, &ImportOptions::default())
                .unwrap_or_else(|e| panic!("{level:?} {format:?}: {e}"));
            assert!(
                !report.has_errors(),
                "{level:?} {format:?}: {:#?}",
                report.problems
            );
            assert_eq!(report.drafts.len(), 1);
            assert_eq!(
                normalised(report.drafts[0].1.clone()),
                normalised(template_example(level))
            );
        }
    }
}

#[test]
fn an_unknown_extra_column_is_ignored_with_a_warning_naming_it() {
    let records = two_pupils("primary-grade5.json");
    let mut rows = filled(LayoutLevel::Primary, &records);
    rows[0].insert(3, "Ghi chú".into());
    rows[1].insert(3, "chuyển trường tháng 9".into());
    rows[2].insert(3, String::new());
    for (format, bytes) in [
        (Format::Csv, xlsx::csv(&rows)),
        (Format::Xlsx, xlsx::workbook(&rows)),
    ] {
        let report = import(&bytes, format, &ImportOptions::default()).unwrap();
        assert_eq!(report.drafts.len(), 2, "{format:?}: {:#?}", report.problems);
        assert!(!report.has_errors());
        let warning = report
            .problems
            .iter()
            .find(|p| p.rule == "ignored-column")
            .unwrap();
        assert!(!warning.is_error());
        assert_eq!(warning.row, 1);
        assert_eq!(warning.column.as_deref(), Some("Ghi chú"));
        assert!(warning.message_vi.contains("Ghi chú") && warning.message_en.contains("ignored"));
        // The pupils are as if the column were not there.
        for ((_, got), want) in report.drafts.iter().zip(&records) {
            assert_eq!(normalised(got.clone()), normalised(want.clone()));
        }
    }
}

#[test]
fn ratings_written_as_words_are_read_as_codes() {
    use unicode_normalization::UnicodeNormalization;
    // Primary: subject ratings and qualities / competencies.
    let (_, record) = example("primary-grade5.json");
    let layout = Layout::new(LayoutLevel::Primary);
    let mut rows = filled(LayoutLevel::Primary, std::slice::from_ref(&record));
    let primary_words = |code: &str, subject: bool| match (code, subject) {
        ("T", true) => "Hoàn thành tốt",
        ("H", true) => "hoàn thành",
        ("C", true) => "CHƯA HOÀN THÀNH",
        ("T", false) => "tốt",
        ("Đ", false) => "Đạt",
        ("C", false) => "Cần cố gắng",
        (other, _) => panic!("unexpected code {other}"),
    };
    let mut changed = 0;
    for (i, header) in layout.headers().iter().enumerate() {
        let cell = rows[1][i].clone();
        let subject = header.ends_with(" - Mức đạt");
        let quality = layout.guide()[i].values.starts_with("T (Tốt); Đ (Đạt)");
        if (subject || quality) && !cell.is_empty() && cell != "Miễn" {
            // Half of them in NFD.
            let word = primary_words(&cell, subject);
            rows[1][i] = if changed % 2 == 0 {
                word.to_owned()
            } else {
                word.nfd().collect()
            };
            changed += 1;
        }
    }
    assert!(changed >= 20, "{changed}");
    let report = import(&xlsx::csv(&rows), Format::Csv, &ImportOptions::default()).unwrap();
    assert!(!report.has_errors(), "{:#?}", report.problems);
    assert_eq!(normalised(report.drafts[0].1.clone()), normalised(record));

    // Secondary: learning and conduct results, comment subjects (Đ / CĐ).
    let (_, record) = example("secondary-grade9.json");
    let layout = Layout::new(LayoutLevel::Secondary);
    let mut rows = filled(LayoutLevel::Secondary, std::slice::from_ref(&record));
    let mut changed = 0;
    for (i, _) in layout.headers().iter().enumerate() {
        let word = match rows[1][i].as_str() {
            "T" => "Tốt",
            "K" => "khá",
            "Đ" => "đạt",
            "CĐ" => "Chưa Đạt",
            _ => continue,
        };
        rows[1][i] = word.nfd().collect();
        changed += 1;
    }
    assert!(changed >= 6, "{changed}");
    let report = import(
        &xlsx::workbook(&rows),
        Format::Xlsx,
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(!report.has_errors(), "{:#?}", report.problems);
    assert_eq!(normalised(report.drafts[0].1.clone()), normalised(record));
}

#[test]
fn utf16_csv_with_a_byte_order_mark_imports() {
    let records = two_pupils("secondary-grade11.json");
    let rows = filled(LayoutLevel::Secondary, &records);
    let utf8 = xlsx::csv(&rows);
    let text = std::str::from_utf8(&utf8[3..]).unwrap();
    // Excel's "Unicode Text" is UTF-16 LE and tab-separated.
    let tabbed: String = {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b'\t')
            .from_writer(Vec::new());
        for row in &rows {
            w.write_record(row).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    };
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(tabbed.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    for bytes in [le, be] {
        let report = import(&bytes, Format::Csv, &ImportOptions::default()).unwrap();
        assert!(!report.has_errors(), "{:#?}", report.problems);
        assert_eq!(report.drafts.len(), 2);
        for ((_, got), want) in report.drafts.iter().zip(&records) {
            assert_eq!(normalised(got.clone()), normalised(want.clone()));
        }
    }
    // UTF-16 without its mark is not guessed: refused with the how-to.
    let bare: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let err = import(&bare, Format::Csv, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::NotUtf8 { line: 1 }), "{err}");
}

#[test]
fn windows_1258_is_refused_saying_how_to_save_as_utf8() {
    // The class in Windows-1258 bytes: "Mã trường" starts M, 0xE3 (ã); letters this table
    // does not know become another byte of the upper half, which is just as little UTF-8.
    let records = two_pupils("primary-grade5.json");
    let rows = filled(LayoutLevel::Primary, &records);
    let utf8 = String::from_utf8(xlsx::csv(&rows)[3..].to_vec()).unwrap();
    let cp1258: Vec<u8> = utf8
        .chars()
        .map(|c| match c {
            'ã' => 0xE3,
            'ư' => 0xFD,
            'Đ' => 0xD0,
            'đ' => 0xF0,
            'ơ' => 0xF5,
            c if c.is_ascii() => c as u8,
            _ => 0xD2,
        })
        .collect();
    let err = import(&cp1258, Format::Csv, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::NotUtf8 { line: 1 }), "{err}");
    let text = err.to_string();
    assert!(text.contains("Windows-1258"), "{text}");
    assert!(text.contains("CSV UTF-8"), "{text}");
    assert!(text.contains("Save As"), "{text}");
}

#[test]
fn an_excel_date_cell_in_a_date_column_is_read_as_the_date() {
    let (_, record) = example("primary-grade5.json");
    let rows = filled(LayoutLevel::Primary, std::slice::from_ref(&record));
    let col = rows[0].iter().position(|h| h == "Ngày sinh").unwrap();
    let birth = time::Date::parse(
        &record.student.date_of_birth,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    let epoch = time::macros::date!(1899 - 12 - 30);
    let serial = (birth - epoch).whole_days();
    let cell = format!("{}2", xlsx::column_name(col));
    let inline = format!(
        r#"<c r="{cell}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
        rows[1][col]
    );
    let sheet = xlsx::sheet_xml(&rows, None);
    assert!(sheet.contains(&inline));
    let sheet = sheet.replace(
        &inline,
        &format!(r#"<c r="{cell}" s="1"><v>{serial}</v></c>"#),
    );
    let report = import(
        &xlsx::workbook_of_sheets(&[("Hoc ba", sheet)]),
        Format::Xlsx,
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(!report.has_errors(), "{:#?}", report.problems);
    assert_eq!(
        report.drafts[0].1.student.date_of_birth,
        record.student.date_of_birth
    );
}

/// Headers as Excel writes them: shared strings in rich-text runs with a phonetic run (not
/// part of the text) and entities; numbers as numeric cells with float noise, a formula's
/// cached string.
#[test]
fn shared_strings_rich_text_and_numeric_cells_read_as_excel_shows_them() {
    fn escape(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;")
    }
    let (_, record) = example("primary-grade5.json");
    let rows = filled(LayoutLevel::Primary, std::slice::from_ref(&record));
    let mut sst = String::from(
        r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    let mut sheet = xlsx::SHEET_START.to_owned() + r#"<row r="1">"#;
    for (i, header) in rows[0].iter().enumerate() {
        let (a, b) = header.split_at(
            header
                .char_indices()
                .nth(2)
                .map_or(header.len(), |(i, _)| i),
        );
        sst.push_str(&format!(
            r#"<si><r><t>{}</t></r><r><rPr><b/></rPr><t xml:space="preserve">{}</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>"#,
            escape(a),
            escape(b)
        ));
        sheet.push_str(&format!(
            r#"<c r="{}1" t="s"><v>{i}</v></c>"#,
            xlsx::column_name(i)
        ));
    }
    sst.push_str("</sst>");
    sheet.push_str(r#"</row><row r="2">"#);
    for (i, cell) in rows[1].iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        let r = format!("{}2", xlsx::column_name(i));
        let leading_zero = cell.len() > 1 && cell.starts_with('0');
        if let (Ok(n), false) = (cell.parse::<f64>(), leading_zero) {
            // 8.3 as a formula leaves it: 8.299999999999999.
            let noisy = if n.fract() != 0.0 { n - 1e-15 } else { n };
            sheet.push_str(&format!(r#"<c r="{r}"><f>A1</f><v>{noisy:?}</v></c>"#));
        } else {
            sheet.push_str(&format!(
                r#"<c r="{r}" t="str"><f>A1</f><v>{}</v></c>"#,
                escape(cell)
            ));
        }
    }
    sheet.push_str("</row>");
    sheet.push_str(xlsx::SHEET_END);
    let mut entries: Vec<xlsx::RawEntry> = xlsx::package_parts(&["Hoc ba"])
        .iter()
        .map(|(n, b)| xlsx::RawEntry::stored(n, b.as_bytes()))
        .collect();
    entries.push(xlsx::RawEntry::stored(
        "xl/worksheets/sheet1.xml",
        sheet.as_bytes(),
    ));
    entries.push(xlsx::RawEntry::stored(
        "xl/sharedStrings.xml",
        sst.as_bytes(),
    ));
    let report = import(
        &xlsx::raw_zip(&entries),
        Format::Xlsx,
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(normalised(report.drafts[0].1.clone()), normalised(record));
}
