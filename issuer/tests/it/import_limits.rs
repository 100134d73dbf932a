//! The import limits on hostile files, as the hardening issue found them: a workbook whose
//! one cell sits at `XFD1048576`, a sheet part that inflates to a gigabyte while declaring
//! four kilobytes, 200,000 tiny rows, a `<dimension>` of the whole sheet over a few cells,
//! thousands of ZIP entries, runaway cells; and a bounded property test of the CSV, XLSX
//! and JSON readers (random bytes and random edits of the templates: no panic, a bounded
//! result). The server's memory on the same files is measured in `import_serve.rs`.

#![allow(clippy::unwrap_used)]

use crate::xlsx;

use hocba_issuer::import::limits::{
    MAX_CELL_CHARS, MAX_COLUMNS, MAX_PART_BYTES, MAX_RATIO, MAX_REPORTED_PROBLEMS, MAX_ROWS,
    MAX_ZIP_ENTRIES,
};
use hocba_issuer::import::{
    Format, ImportError, ImportOptions, Layout, LayoutLevel, import, templates,
};
use proptest::prelude::*;

fn read(bytes: &[u8], format: Format) -> Result<hocba_issuer::import::ImportReport, ImportError> {
    import(bytes, format, &ImportOptions::default())
}

#[test]
fn one_cell_at_xfd1048576_is_refused_naming_the_column_limit() {
    let bytes = xlsx::xfd_workbook();
    assert!(bytes.len() < 4096, "{} bytes", bytes.len());
    let err = read(&bytes, Format::Xlsx).unwrap_err();
    match &err {
        ImportError::TooManyColumns {
            cell,
            column,
            limit,
        } => {
            assert_eq!(cell, "XFD1048576");
            assert_eq!(*column, 16_384);
            assert_eq!(*limit, MAX_COLUMNS);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.limit(), Some(("max-columns", MAX_COLUMNS as u64)));
    assert!(err.to_string().contains(&MAX_COLUMNS.to_string()), "{err}");
    // The same far cell without a value is skipped: the class around it imports.
    let records = vec![example("primary-grade5.json")];
    let mut rows = class(LayoutLevel::Primary, &records);
    rows.truncate(2);
    let sheet = xlsx::sheet_xml(&rows, Some("A1:XFD1048576")).replace(
        "</sheetData>",
        r#"<row r="1048576"><c r="XFD1048576"/></row></sheetData>"#,
    );
    let report = read(
        &xlsx::workbook_of_sheets(&[("Hoc ba", sheet)]),
        Format::Xlsx,
    )
    .unwrap();
    assert_eq!(report.drafts.len(), 1, "{:#?}", report.problems);
}

#[test]
fn a_dimension_of_the_whole_sheet_over_a_few_cells_imports() {
    let records = vec![
        example("primary-grade5.json"),
        example("primary-grade2.json"),
    ];
    let rows = class(LayoutLevel::Primary, &records);
    let sheet = xlsx::sheet_xml(&rows, Some("A1:XFD1048576"));
    let report = read(
        &xlsx::workbook_of_sheets(&[("Hoc ba", sheet)]),
        Format::Xlsx,
    )
    .unwrap();
    assert!(!report.has_errors(), "{:#?}", report.problems);
    assert_eq!(report.drafts.len(), 2);
}

#[test]
fn a_sheet_that_inflates_past_the_cap_is_refused_whatever_it_declares() {
    // Declaring its real size: refused before inflating.
    let bytes = xlsx::gigabyte_bomb(None);
    assert!(bytes.len() < 2 << 20, "{} bytes", bytes.len());
    let err = read(&bytes, Format::Xlsx).unwrap_err();
    assert!(
        matches!(&err, ImportError::PartTooLarge { part, limit }
            if part == "xl/worksheets/sheet1.xml" && *limit == MAX_PART_BYTES),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&MAX_PART_BYTES.to_string()),
        "{err}"
    );
    // Declaring 4 KiB (a lie): caught while inflating, past the 4 KiB.
    let err = read(&xlsx::gigabyte_bomb(Some(4096)), Format::Xlsx).unwrap_err();
    assert!(
        matches!(&err, ImportError::DeclaredSizeExceeded { declared, .. } if *declared == 4096),
        "{err:?}"
    );
    assert_eq!(err.limit(), Some(("declared-part-size", 4096)));
    // Declaring just under the cap: caught by the cap while inflating.
    let declared = u32::try_from(MAX_PART_BYTES).unwrap() - 1;
    let err = read(&xlsx::gigabyte_bomb(Some(declared)), Format::Xlsx).unwrap_err();
    assert!(err.limit().is_some(), "{err:?}");
}

#[test]
fn a_part_that_inflates_a_thousand_times_is_refused_by_the_ratio() {
    // 32 MiB (under the size cap, declared truthfully) from about 32 KB.
    let bytes = xlsx::bomb_workbook(
        xlsx::SHEET_START,
        &" ".repeat(1 << 20),
        32,
        xlsx::SHEET_END,
        None,
    );
    let err = read(&bytes, Format::Xlsx).unwrap_err();
    assert!(
        matches!(&err, ImportError::CompressionRatio { limit, .. } if *limit == MAX_RATIO),
        "{err:?}"
    );
    // The same bomb as the shared strings part.
    let mut entries: Vec<xlsx::RawEntry> = xlsx::package_parts(&["Hoc ba"])
        .iter()
        .map(|(n, b)| xlsx::RawEntry::stored(n, b.as_bytes()))
        .collect();
    let sheet = xlsx::sheet_xml(&[vec!["STT".into()], vec!["1".into()]], None);
    entries.push(xlsx::RawEntry::stored(
        "xl/worksheets/sheet1.xml",
        sheet.as_bytes(),
    ));
    entries.push(xlsx::RawEntry {
        name: "xl/sharedStrings.xml".into(),
        method: 8,
        data: xlsx::deflate_repeated(b"<sst><si><t>", &[b'a'; 1 << 20], 40, b"</t></si></sst>"),
        crc: 0,
        declared_size: 40 << 20,
    });
    let err = read(&xlsx::raw_zip(&entries), Format::Xlsx).unwrap_err();
    assert!(
        matches!(err, ImportError::CompressionRatio { .. }),
        "{err:?}"
    );
}

#[test]
fn two_hundred_thousand_tiny_rows_stop_at_the_row_limit() {
    let rows = r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#.repeat(1000);
    let bytes = xlsx::bomb_workbook(xlsx::SHEET_START, &rows, 200, xlsx::SHEET_END, None);
    assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
    let err = read(&bytes, Format::Xlsx).unwrap_err();
    assert!(
        matches!(err, ImportError::TooManyRows { limit } if limit == MAX_ROWS),
        "{err:?}"
    );
    assert!(err.to_string().contains("5000"), "{err}");
    let csv = "STT\n".to_owned() + &"1\n".repeat(200_000);
    let err = read(csv.as_bytes(), Format::Csv).unwrap_err();
    assert!(matches!(err, ImportError::TooManyRows { .. }), "{err:?}");
    let json = format!("[{}{{}}]", "{},".repeat(200_000));
    let err = read(json.as_bytes(), Format::Json).unwrap_err();
    assert!(matches!(err, ImportError::TooManyRows { .. }), "{err:?}");
    // At the limit, a file is read.
    let csv = "STT,Mã trường\n".to_owned() + &"1,x\n".repeat(MAX_ROWS);
    let report = read(csv.as_bytes(), Format::Csv);
    assert!(
        matches!(report, Err(ImportError::MissingColumns { .. })),
        "{report:?}"
    );
}

#[test]
fn the_report_keeps_the_first_problems_and_counts_them_all() {
    // 3,000 rows with only a row number: each misses every required field.
    let headers = templates::csv(LayoutLevel::Primary)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let mut csv = headers + "\n";
    for i in 0..3000 {
        csv.push_str(&format!("{i}\n"));
    }
    let report = read(csv.as_bytes(), Format::Csv).unwrap();
    assert_eq!(report.problems.len(), MAX_REPORTED_PROBLEMS);
    assert!(report.truncated);
    assert!(report.problem_count >= 3000, "{}", report.problem_count);
    assert_eq!(report.rows_with_errors().len(), 3000);
    assert!(report.drafts.is_empty());
    let json = serde_json::to_vec(&report).unwrap();
    assert!(json.len() < 2 << 20, "{} bytes", json.len());
}

#[test]
fn zip_entries_and_cells_are_bounded() {
    let entries: Vec<xlsx::RawEntry> = (0..MAX_ZIP_ENTRIES + 1)
        .map(|i| xlsx::RawEntry::stored(&format!("x/{i}"), b""))
        .collect();
    let err = read(&xlsx::raw_zip(&entries), Format::Xlsx).unwrap_err();
    assert!(matches!(err, ImportError::TooManyEntries { .. }), "{err:?}");

    let long = "a".repeat(MAX_CELL_CHARS + 1);
    let rows = vec![vec!["STT".to_owned()], vec![long.clone()]];
    for (format, bytes) in [
        (Format::Csv, xlsx::csv(&rows)),
        (Format::Xlsx, xlsx::workbook(&rows)),
    ] {
        let err = read(&bytes, format).unwrap_err();
        assert!(
            matches!(&err, ImportError::CellTooLong { cell, limit, .. } if cell == "A2" && *limit == MAX_CELL_CHARS),
            "{format:?} {err:?}"
        );
    }
    // A CSV value past the widest sheet; trailing empty fields are fine.
    let mut row = vec![String::new(); MAX_COLUMNS + 44];
    row[0] = "STT".into();
    let ok = xlsx::csv(&[row.clone(), row.clone()]);
    assert!(!matches!(
        read(&ok, Format::Csv),
        Err(ImportError::TooManyColumns { .. })
    ));
    row[MAX_COLUMNS + 10] = "x".into();
    let err = read(&xlsx::csv(&[row.clone(), row]), Format::Csv).unwrap_err();
    assert!(
        matches!(err, ImportError::TooManyColumns { column, .. } if column == MAX_COLUMNS + 11),
        "{err:?}"
    );
}

fn example(name: &str) -> hocba_schema::record::YearRecord {
    let path = format!("{}/../schema/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn class(level: LayoutLevel, records: &[hocba_schema::record::YearRecord]) -> Vec<Vec<String>> {
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

/// Whatever the bytes, the import returns (no panic) and its result is within the limits.
fn bounded(bytes: &[u8], format: Format) {
    if let Ok(report) = read(bytes, format) {
        assert!(report.drafts.len() <= MAX_ROWS);
        assert!(report.problems.len() <= MAX_REPORTED_PROBLEMS);
        assert!(report.problem_count >= report.problems.len());
    }
}

/// A few hundred cases in all, a few seconds in a debug build.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for format in [Format::Csv, Format::Xlsx, Format::Json] {
            bounded(&bytes, format);
        }
        // Behind a ZIP signature, so the XLSX reader goes further.
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend_from_slice(&bytes);
        bounded(&zipped, Format::Xlsx);
    }

    #[test]
    fn edited_templates_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        secondary in any::<bool>(),
    ) {
        // The workbook's bytes, the CSV's, and the XML of the sheet repacked (to reach the
        // XML reader behind the ZIP's checksums).
        let (book, csv, sheet) = &seeds()[usize::from(secondary)];
        let (mut book, mut csv, mut sheet) = (book.clone(), csv.clone(), sheet.clone());
        for (at, byte) in &edits {
            for target in [&mut sheet, &mut book, &mut csv] {
                let i = at.index(target.len());
                target[i] = *byte;
            }
        }
        bounded(&book, Format::Xlsx);
        bounded(&csv, Format::Csv);
        bounded(&book[..cut.index(book.len())], Format::Xlsx);
        let sheet = String::from_utf8_lossy(&sheet).into_owned();
        bounded(&xlsx::workbook_of_sheets(&[("Hoc ba", sheet)]), Format::Xlsx);
    }
}

/// The XLSX template, the CSV template, and a filled sheet's XML, of one level.
type Seed = (Vec<u8>, Vec<u8>, Vec<u8>);

/// The [`Seed`] of each level.
fn seeds() -> &'static [Seed; 2] {
    static SEEDS: std::sync::OnceLock<[Seed; 2]> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        LayoutLevel::ALL.map(|level| {
            let name = match level {
                LayoutLevel::Primary => "primary-grade5.json",
                LayoutLevel::Secondary => "secondary-grade9.json",
            };
            let rows = class(level, &[example(name)]);
            (
                templates::xlsx(level).to_vec(),
                templates::csv(level).as_bytes().to_vec(),
                xlsx::sheet_xml(&rows, None).into_bytes(),
            )
        })
    })
}
