//! The printed page as the paper form has it (issue #12, item 7): a record whose paper form
//! is one page fits on one A4 page with its signature block; a record that runs longer names
//! the pupil and the page number on every page; a name with a combining mark that has no
//! precomposed form (the breve of Ê Đê, Jrai and Bahnar names) is drawn.
//!
//! Page counts come from `pdfinfo`, text from `pdftotext`, pixels from `pdftoppm` (Debian
//! `poppler-utils`); the tests skip those steps with a message when the tools are missing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, RenderedPdf, render_pdf};
use hocba_issuer::signing::Signer;
use hocba_schema::credential::{IssuerRef, StatusEntry};
use hocba_schema::trust_list::TrustList;
use serde_json::Value;
use time::macros::datetime;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example(name: &str) -> Value {
    let path = root().join(format!("schema/examples/{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Sign `record` with its school's dev key and render it.
fn render(record: &Value, index: u64) -> (Value, RenderedPdf) {
    let code = record["school"]["code"].as_str().unwrap().to_owned();
    let list: TrustList =
        serde_json::from_slice(&std::fs::read(root().join("keys/dev/trust-list.json")).unwrap())
            .unwrap();
    let school = list
        .credential_subject
        .schools
        .iter()
        .find(|s| s.code == code)
        .unwrap();
    let pem = root().join(format!("keys/dev/school-{code}.pem"));
    let signer = Signer::new(
        KeyPair::load(&pem).unwrap(),
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    );
    let status = StatusEntry::revocation(&format!("https://hocba.example/status/{code}/1"), index);
    let issued = issue_record(
        &serde_json::to_vec(record).unwrap(),
        &signer,
        &code,
        &IssueOptions {
            accept_warnings: true,
            status: Some(status),
            now: datetime!(2026-05-29 09:30 UTC),
            id: Some(format!("urn:uuid:7a2e4c10-3b5d-4e8f-9a01-{index:012}")),
        },
    )
    .unwrap();
    let credential = Value::Object(issued.credential);
    let pdf = render_pdf(
        &credential,
        &KeyPair::load(&pem).unwrap(),
        &PdfOptions {
            verifier_url: "https://verify.hocba.example".into(),
        },
    )
    .unwrap();
    (credential, pdf)
}

fn poppler() -> bool {
    let found = ["pdfinfo", "pdftotext", "pdftoppm"]
        .iter()
        .all(|t| Command::new(t).arg("-v").output().is_ok());
    if !found {
        eprintln!("SKIPPED: poppler-utils is not installed (apt-get install poppler-utils)");
    }
    found
}

/// Where test PDFs go: `HOCBA_KEEP_PDF=<dir>` keeps them for a look, else a temporary folder.
fn out_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("HOCBA_KEEP_PDF") {
        Some(dir) => {
            std::fs::create_dir_all(&dir).unwrap();
            (None, PathBuf::from(dir))
        }
        None => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_owned();
            (Some(t), p)
        }
    }
}

fn write(dir: &Path, name: &str, pdf: &RenderedPdf) -> PathBuf {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf.bytes).unwrap();
    path
}

/// `pdfinfo`'s page count.
fn pdfinfo_pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The text of page `page` (1-based), whitespace collapsed.
fn page_text(path: &Path, page: usize) -> String {
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-f", &p, "-l", &p])
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_one_page_form_prints_on_one_page_with_its_signatures() {
    let have = poppler();
    let (_keep, dir) = out_dir();
    for (i, name) in [
        "secondary-grade11",
        "secondary-grade12",
        "secondary-grade9",
        "secondary-grade7",
        "primary-grade5",
        "primary-grade2",
        // A full grade-11 record, every field of the form, a deputy signing (issue #12).
        "secondary-grade11-every-field-of-the-form",
    ]
    .into_iter()
    .enumerate()
    {
        let record = example(name);
        let (_, pdf) = render(&record, 4000 + i as u64);
        let path = write(&dir, name, &pdf);
        assert_eq!(pdf.pages, 1, "{name}: {} pages", pdf.pages);
        if !have {
            continue;
        }
        assert_eq!(pdfinfo_pages(&path), 1, "{name}: pdfinfo");
        let text = page_text(&path, 1);
        // The signature block is on the page: both roles, both names, the place and date.
        let principal = record["principal"]["name"].as_str().unwrap();
        let teacher = record["homeroomTeacher"].as_str().unwrap();
        for needle in [
            "GIÁO VIÊN CHỦ NHIỆM",
            principal,
            teacher,
            "Đã ký số bởi",
            record["student"]["fullName"].as_str().unwrap(),
        ] {
            assert!(text.contains(needle), "{name}: {needle:?} not on page 1");
        }
        let place = record["placeOfIssue"].as_str().unwrap();
        let place_date = match record.get("approvalDate") {
            Some(_) => format!("{place}, ngày"),
            None => place.to_owned(),
        };
        assert!(
            text.contains(&place_date),
            "{name}: {place_date:?} not on page 1"
        );
    }
}

#[test]
fn a_long_record_names_the_pupil_and_the_page_on_every_page() {
    let mut record = example("secondary-grade11");
    let long = "Em chăm chỉ, tích cực phát biểu xây dựng bài, hoàn thành đầy đủ bài tập về nhà và \
                biết giúp đỡ bạn cùng tiến bộ; cần rèn thêm kĩ năng trình bày và sự cẩn thận khi \
                làm bài kiểm tra, đọc thêm tài liệu tham khảo để mở rộng hiểu biết.";
    for subject in record["secondary"]["subjects"].as_array_mut().unwrap() {
        subject["comment"] = long.into();
    }
    let (_, pdf) = render(&record, 4100);
    assert!(pdf.pages >= 2, "{} page(s)", pdf.pages);
    if !poppler() {
        return;
    }
    let (_keep, dir) = out_dir();
    let path = write(&dir, "long-record", &pdf);
    let total = pdfinfo_pages(&path);
    assert_eq!(total, pdf.pages);
    let pupil = record["student"]["fullName"].as_str().unwrap();
    for page in 1..=total {
        let text = page_text(&path, page);
        assert!(text.contains(pupil), "page {page}: no pupil name");
        assert!(
            text.contains(&format!("Trang {page}/{total}")),
            "page {page}: no page number"
        );
        if page > 1 {
            assert!(
                text.contains(&format!("Học bạ · {pupil} (tiếp theo)")),
                "page {page}: no running header"
            );
            assert!(text.contains("Năm học 2025-2026 · Lớp 11A2"));
        }
    }
    // The signatures close the last page, after the teacher's comment.
    let last = page_text(&path, total);
    let first = page_text(&path, 1);
    assert!(last.contains("HIỆU TRƯỞNG") && last.contains("Đã ký số bởi"));
    assert!(!first.contains("Đã ký số bởi"));
}

/// A full primary record (every field of the form: comments and teachers on 12 subject rows,
/// the 10 competencies, a six-row Quá trình học tập) needs about 935 pt of flow at the smallest
/// type (76 %), where one A4 page holds about 670 pt above the signature block: it runs to two
/// pages (`schema/docs/record.md`, *The printed page*). Each page then names the pupil, the
/// class and the page number, page 2 is not the signature block alone, and every field of the
/// form is printed once.
#[test]
fn a_full_primary_record_runs_to_two_named_pages_with_its_signatures_on_the_last() {
    let have = poppler();
    let (_keep, dir) = out_dir();
    for (i, name) in [
        "primary-grade5-every-field-of-the-form",
        "primary-grade5-informatics-technology-parts",
    ]
    .into_iter()
    .enumerate()
    {
        let record = example(name);
        let (_, pdf) = render(&record, 4400 + i as u64);
        assert_eq!(pdf.pages, 2, "{name}: {} pages", pdf.pages);
        if !have {
            continue;
        }
        let path = write(&dir, name, &pdf);
        assert_eq!(pdfinfo_pages(&path), 2, "{name}: pdfinfo");
        let pupil = record["student"]["fullName"].as_str().unwrap();
        let (first, last) = (page_text(&path, 1), page_text(&path, 2));
        for (page, text) in [(1, &first), (2, &last)] {
            assert!(
                text.contains(&format!("{pupil} · Trang {page}/2")),
                "{name}: page {page} footer"
            );
        }
        assert!(
            last.contains(&format!("Học bạ · {pupil} (tiếp theo)"))
                && last.contains("Năm học 2025-2026 · Lớp 5A · Trang 2/2"),
            "{name}: page 2 header"
        );
        // Page 2 carries the rest of the record, not the signatures alone.
        assert!(last.contains("Nhận xét của giáo viên chủ nhiệm"), "{name}");
        assert!(last.contains("HIỆU TRƯỞNG") && last.contains("Đã ký số bởi"));
        assert!(!first.contains("Đã ký số bởi"), "{name}");
        // Every field the form adds, printed once across the two pages.
        let both = format!("{first} {last}");
        let s = &record["student"];
        for field in [
            "hometown",
            "fatherOccupation",
            "motherOccupation",
            "registrationNumber",
        ] {
            if let Some(v) = s[field].as_str() {
                assert!(both.contains(v), "{name}: {field} {v:?}");
            }
        }
        for row in record["studyHistory"].as_array().into_iter().flatten() {
            assert!(both.contains(row["schoolName"].as_str().unwrap()), "{name}");
        }
    }
}

/// The record `secondary-grade11` with the pupil named `name`, rendered and rasterised (page 1,
/// 150 dpi, left of the QR code; files named after `index`); returns the grey pixels and the width.
fn raster_with_name(name: &str, index: u64, dir: &Path) -> (Vec<u8>, u32) {
    let mut record = example("secondary-grade11");
    record["student"]["fullName"] = name.into();
    // The same credential id for every name, so that only the name differs on the page.
    let (_, pdf) = render(&record, 4200);
    let path = write(dir, &format!("name-{index}"), &pdf);
    let prefix = dir.join(format!("name-{index}"));
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            "150",
            "-gray",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
        ])
        .arg(&path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    let img = image::open(prefix.with_extension("png"))
        .unwrap()
        .to_luma8();
    // Left of the QR code (which changes with the record): 60 % of the width.
    let w = img.width() * 60 / 100;
    let h = img.height();
    let crop = image::imageops::crop_imm(&img, 0, 0, w, h).to_image();
    (crop.into_raw(), w)
}

/// The box (x0, y0, x1, y1) of the pixels that differ between two rasters.
fn diff_box(a: &(Vec<u8>, u32), b: &(Vec<u8>, u32)) -> Option<(u32, u32, u32, u32)> {
    assert_eq!(a.0.len(), b.0.len());
    let w = a.1;
    let mut out: Option<(u32, u32, u32, u32)> = None;
    for (i, (p, q)) in a.0.iter().zip(&b.0).enumerate() {
        if p.abs_diff(*q) > 64 {
            let (x, y) = (i as u32 % w, i as u32 / w);
            out = Some(match out {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
    }
    out
}

#[test]
fn a_breve_without_a_precomposed_letter_is_drawn_over_its_letter() {
    if !poppler() {
        return;
    }
    let (_keep, dir) = out_dir();
    // "ơ̆" is ơ + U+0306: NFC has no single letter for it.
    let with_breve = raster_with_name("Ksor H'Bơ\u{306}", 4200, &dir);
    let without = raster_with_name("Ksor H'Bơ", 4201, &dir);
    // The same place with a circumflex the font positions itself (ô), against plain o.
    let circumflex = raster_with_name("Ksor H'Bô", 4202, &dir);
    let plain = raster_with_name("Ksor H'Bo", 4203, &dir);
    let breve = diff_box(&with_breve, &without).expect("the breve is not drawn");
    let hat = diff_box(&circumflex, &plain).expect("the circumflex is not drawn");
    println!("breve at {breve:?}, circumflex at {hat:?}");
    // Only the mark differs: a small box, not a shifted line.
    assert!(
        breve.2 - breve.0 < 20 && breve.3 - breve.1 < 20,
        "{breve:?}"
    );
    // Centred over the o as the font centres its own circumflex, at the same height.
    let centre = |b: (u32, u32, u32, u32)| (b.0 + b.2) as i64;
    assert!(
        (centre(breve) - centre(hat)).abs() <= 6,
        "breve {breve:?} not over the letter (circumflex {hat:?})"
    );
    assert!(
        breve.3 >= hat.1 && breve.1 <= hat.3,
        "breve {breve:?} not at the height of a mark over o ({hat:?})"
    );
    // pdftotext gives the name back with its mark.
    let text = page_text(&dir.join("name-4200.pdf"), 1);
    assert!(text.contains("H'Bơ\u{306}"), "{text}");
}

#[test]
fn a_correction_names_the_record_it_replaces_on_the_page_and_in_the_qr() {
    let record = example("secondary-grade11");
    let (mut credential, _) = render(&record, 4300);
    let replaced = "urn:uuid:7a2e4c10-3b5d-4e8f-9a01-000000004299";
    credential["replaces"] = replaced.into();
    let code = record["school"]["code"].as_str().unwrap();
    let key = KeyPair::load(&root().join(format!("keys/dev/school-{code}.pem"))).unwrap();
    let pdf = render_pdf(
        &credential,
        &key,
        &PdfOptions {
            verifier_url: "https://verify.hocba.example".into(),
        },
    )
    .unwrap();
    // The QR summary (format version 2) carries it, with the awards and the record's date.
    let signed = hocba_schema::qr::parse_qr_text(&pdf.qr_text).unwrap();
    let summary = signed.summary();
    assert_eq!(summary.version, 2);
    assert_eq!(summary.replaces_urn().as_deref(), Some(replaced));
    assert_eq!(
        summary.other_awards,
        record["secondary"]["otherAwards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        summary.record_date.map(|d| d.to_string()).as_deref(),
        record["approvalDate"].as_str()
    );
    assert_eq!(pdf.pages, 1);
    if !poppler() {
        return;
    }
    let (_keep, dir) = out_dir();
    let path = write(&dir, "correction", &pdf);
    let text = page_text(&path, 1);
    assert!(
        text.contains(&format!("Bản đính chính — thay thế hồ sơ {replaced}")),
        "{text}"
    );
}
