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

/// Every example record (schema/examples), the full primary and grade-11 records with every
/// field of the form included.
fn every_example() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("schema/examples"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// The sizes of every piece of text drawn on the PDF's pages (the operands of `Tf`).
fn type_sizes(pdf: &[u8]) -> Vec<f32> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut sizes = Vec::new();
    for (_, page) in doc.get_pages() {
        let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
        for op in content.operations.iter().filter(|o| o.operator == "Tf") {
            sizes.push(op.operands[1].as_float().unwrap());
        }
    }
    sizes
}

/// The smallest type the printed page uses anywhere (table text at the smallest scale, the
/// footer, the signing line): `schema/docs/record.md`, *The printed page*.
const SMALLEST_TYPE_PT: f32 = 6.0;

#[test]
fn a_one_page_form_prints_on_one_page_with_its_signatures() {
    let have = poppler();
    let (_keep, dir) = out_dir();
    let names = every_example();
    // The full records of issue #12 are among them.
    for full in [
        "primary-grade5-every-field-of-the-form",
        "primary-grade5-informatics-technology-parts",
        "secondary-grade11-every-field-of-the-form",
    ] {
        assert!(names.iter().any(|n| n == full), "{full}");
    }
    for (i, name) in names.iter().map(String::as_str).enumerate() {
        let record = example(name);
        let (_, pdf) = render(&record, 4000 + i as u64);
        let path = write(&dir, name, &pdf);
        assert_eq!(pdf.pages, 1, "{name}: {} pages", pdf.pages);
        let sizes = type_sizes(&pdf.bytes);
        let smallest = sizes.iter().copied().fold(f32::MAX, f32::min);
        assert!(sizes.len() > 100, "{name}: {} pieces of text", sizes.len());
        assert!(
            smallest >= SMALLEST_TYPE_PT,
            "{name}: text at {smallest} pt"
        );
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

/// A primary record that truly cannot fit one page: the full primary record (every field of
/// the form) with a long comment on each of its 12 subjects, as a school may write them. It
/// runs over (`schema/docs/record.md`, *The printed page*): each page then names the pupil,
/// the class and the page number, the last page is not the signature block alone, and every
/// field of the form is printed once.
#[test]
fn an_over_long_primary_record_runs_to_named_pages_with_its_signatures_on_the_last() {
    let have = poppler();
    let (_keep, dir) = out_dir();
    let name = "primary-grade5-every-field-of-the-form";
    let mut record = example(name);
    let long = "Em đọc to, rõ ràng, diễn cảm và hiểu nội dung bài; viết đúng chính tả, trình bày \
                sạch đẹp; tích cực phát biểu, biết hợp tác trong nhóm và giúp đỡ bạn; cần luyện \
                thêm kĩ năng giải thích cách làm và tự kiểm tra lại bài trước khi nộp.";
    for subject in record["primary"]["subjects"].as_array_mut().unwrap() {
        let short = subject["comment"].as_str().unwrap().to_owned();
        subject["comment"] = format!("{short} {long}").into();
    }
    let (_, pdf) = render(&record, 4400);
    assert!(pdf.pages >= 2, "{name}: {} page(s)", pdf.pages);
    if !have {
        return;
    }
    let path = write(&dir, "over-long-primary", &pdf);
    let total = pdfinfo_pages(&path);
    assert_eq!(total, pdf.pages, "pdfinfo");
    let pupil = record["student"]["fullName"].as_str().unwrap();
    let pages: Vec<String> = (1..=total).map(|p| page_text(&path, p)).collect();
    for (i, text) in pages.iter().enumerate() {
        let page = i + 1;
        assert!(
            text.contains(&format!("{pupil} · Trang {page}/{total}")),
            "page {page} footer"
        );
        if page > 1 {
            assert!(
                text.contains(&format!("Học bạ · {pupil} (tiếp theo)"))
                    && text.contains(&format!(
                        "Năm học 2025-2026 · Lớp 5A · Trang {page}/{total}"
                    )),
                "page {page} header"
            );
        }
    }
    let (first, last) = (&pages[0], &pages[total - 1]);
    // The last page carries the end of the record, not the signatures alone.
    assert!(last.contains("Nhận xét của giáo viên chủ nhiệm"));
    assert!(last.contains("HIỆU TRƯỞNG") && last.contains("Đã ký số bởi"));
    assert!(!first.contains("Đã ký số bởi"));
    // Every field the form adds across the pages, and each subject's comment once.
    let all = pages.join(" ");
    let s = &record["student"];
    for field in [
        "hometown",
        "fatherOccupation",
        "motherOccupation",
        "registrationNumber",
    ] {
        let v = s[field].as_str().unwrap();
        assert!(all.contains(v), "{field} {v:?}");
    }
    for row in record["studyHistory"].as_array().unwrap() {
        assert!(all.contains(row["schoolName"].as_str().unwrap()));
    }
    assert_eq!(all.matches("kĩ năng giải thích cách làm").count(), 12);
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

/// The words of page 1 with their boxes (points from the top-left corner), from
/// `pdftotext -bbox`.
fn word_boxes(path: &Path) -> Vec<(String, [f32; 4])> {
    let out = Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8", "-f", "1", "-l", "1"])
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |tag: &str, name: &str| -> f32 {
        let from = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[from..from + tag[from..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let (tag, rest) = w.split_once('>').unwrap();
            let text = rest.split_once("</word>").unwrap().0.to_owned();
            let b = ["xMin", "yMin", "xMax", "yMax"].map(|n| attr(tag, n));
            (text, b)
        })
        .collect()
}

/// The QR code sits at the right of the page beside the title lines when they leave it room,
/// else under them; either way no text is drawn over it, and it still scans.
#[test]
fn the_qr_code_is_beside_the_title_when_it_leaves_room_and_no_text_overlaps_it() {
    if !poppler() {
        return;
    }
    let (_keep, dir) = out_dir();
    let short = example("secondary-grade11");
    let mut long = short.clone();
    // A class name that makes the centred year line reach the QR's column.
    long["className"] = "11A2 chuyên Hóa học, chương trình song ngữ tiếng Pháp".into();
    for (i, (name, record, beside)) in [("qr-short", &short, true), ("qr-long", &long, false)]
        .into_iter()
        .enumerate()
    {
        let (_, pdf) = render(record, 4500 + i as u64);
        assert_eq!(pdf.pages, 1, "{name}");
        let path = write(&dir, name, &pdf);
        let words = word_boxes(&path);
        // The caption is 9 pt under the code, which is 136 pt square, 30 pt from the right edge.
        let caption = words
            .iter()
            .find(|(w, _)| w == "Quét")
            .map(|(_, b)| *b)
            .expect("the QR caption");
        let (qx0, qx1) = (595.28 - 30.0 - 136.0, 595.28 - 30.0);
        let qy1 = caption[1] - 1.0;
        let qy0 = qy1 - 136.0 - 2.0;
        for (w, b) in &words {
            let inside = b[2] > qx0 + 0.5 && b[0] < qx1 && b[3] > qy0 + 1.0 && b[1] < qy1;
            assert!(
                !inside,
                "{name}: {w:?} at {b:?} is over the QR code ({qx0}, {qy0})"
            );
        }
        // Beside the title: the code starts above the year line's baseline.
        let year_line = words
            .iter()
            .find(|(w, _)| w == "Khối")
            .map(|(_, b)| *b)
            .expect("the year line");
        assert_eq!(
            qy0 < year_line[1],
            beside,
            "{name}: QR top {qy0}, year line {year_line:?}"
        );
        if Command::new("zbarimg").arg("--version").output().is_ok() {
            let png = dir.join(name);
            let ok = Command::new("pdftoppm")
                .args(["-r", "150", "-png", "-singlefile"])
                .arg(&path)
                .arg(&png)
                .status()
                .unwrap();
            assert!(ok.success());
            let scan = Command::new("zbarimg")
                .args(["--quiet", "--raw"])
                .arg(png.with_extension("png"))
                .output()
                .unwrap();
            let text = String::from_utf8(scan.stdout).unwrap();
            assert_eq!(
                text.trim(),
                pdf.qr_text,
                "{name}: the QR code does not scan"
            );
        }
    }
}
