//! The phone page agrees with the paper (issue #12, item 8): for every example record, every
//! value the QR landing page shows is on the printed page (`pdftotext`), the decision worded
//! as the paper words it (the final one after the summer), the
//! awards and the date as the paper prints them, and nothing the paper keeps off the public
//! page (the disability note) is on it. A correction names the record it replaces on both.
//!
//! Needs `pdftotext` (Debian `poppler-utils`); without it the test is skipped with a message.

use std::process::Command;

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_pdf};
use hocba_schema::credential::StatusEntry;
use hocba_tests::{dev_signer, dev_trust, examples, root, school_code};
use hocba_verifier::service::pages::{Lang, summary_page};
use hocba_verifier::verify_summary;
use serde_json::Value;
use time::macros::datetime;

/// The example `name` signed with its school's key, `edit`ed after signing (a `replaces`).
fn signed(name: &str, index: u64) -> (Value, String) {
    let (_, record) = examples()
        .into_iter()
        .find(|(n, _)| n == name)
        .expect("the example");
    let code = school_code(&record);
    let issued = issue_record(
        &record,
        &dev_signer(&dev_trust(), &code),
        &code,
        &IssueOptions {
            accept_warnings: true,
            status: Some(StatusEntry::revocation(
                &format!("https://hocba.example/status/{code}/1"),
                index,
            )),
            now: datetime!(2026-05-29 09:30 UTC),
            id: None,
        },
    )
    .expect("the example signs");
    (Value::Object(issued.credential), code)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every `<dd id="…">value</dd>` of the record card, in page order.
fn shown(html: &str) -> Vec<(String, String)> {
    let card = &html[html.find("id=\"record\"").expect("the record card")..];
    let card = &card[..card.find("</section>").expect("the card ends")];
    let mut out = Vec::new();
    let mut rest = card;
    while let Some(at) = rest.find("<dd id=\"") {
        rest = &rest[at + 8..];
        let id = &rest[..rest.find('"').expect("id")];
        let value = &rest[rest.find('>').expect(">") + 1..rest.find("</dd>").expect("</dd>")];
        out.push((id.to_owned(), unescape(value)));
    }
    out
}

/// The page for `credential`'s QR and its PDF's text, whitespace collapsed.
fn page_and_paper(credential: &Value, code: &str) -> (String, String) {
    let key = KeyPair::load(&root().join(format!("keys/dev/school-{code}.pem"))).expect("key");
    let pdf = render_pdf(credential, &key, &PdfOptions::default()).expect("renders");
    let verdict = verify_summary(&pdf.qr_text, &dev_trust(), datetime!(2026-06-15 00:00 UTC))
        .expect("the QR reads");
    let html = summary_page(&verdict, Lang::Vi);
    // `HOCBA_KEEP_HTML=<dir>` keeps the page for a look (screenshots).
    if let Some(dir) = std::env::var_os("HOCBA_KEEP_HTML") {
        let name = format!(
            "landing-{}.html",
            verdict.info().credential_id.replace(':', "-")
        );
        std::fs::write(std::path::Path::new(&dir).join(name), &html).expect("keep the page");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("record.pdf");
    std::fs::write(&path, &pdf.bytes).expect("write");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    (html, text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Each value the page shows, as the paper prints it.
fn check(name: &str, html: &str, paper: &str) {
    let fields = shown(html);
    assert!(fields.len() >= 10, "{name}: {fields:?}");
    for (id, value) in &fields {
        let printed = match id.as_str() {
            // dd/mm/yyyy on the page; "ngày dd tháng mm năm yyyy" above the signatures.
            "record-date" => {
                let d: Vec<&str> = value.split('/').collect();
                format!("ngày {} tháng {} năm {}", d[0], d[1], d[2])
            }
            "signed-at" => format!("ngày {value}"),
            // "11 · Trung học phổ thông": the grade and the level the header prints.
            "grade" => {
                let (grade, level) = value.split_once(" · ").expect("grade · level");
                assert!(
                    paper.contains(&level.to_uppercase()),
                    "{name}: level {level}"
                );
                format!("Khối {grade}")
            }
            "pupil-name" | "date-of-birth" | "school" | "school-year" | "class"
            | "learning-result" | "conduct-result" | "year-result" | "promotion" | "award"
            | "completion" | "credential-id" | "replaces" => value.clone(),
            // After the summer: the label and the value, as section 4 prints them.
            "learning-after-summer" => format!("Kết quả học tập sau đánh giá lại: {value}"),
            "conduct-after-summer" => {
                format!("Kết quả rèn luyện sau rèn luyện trong hè: {value}")
            }
            other => panic!("{name}: the page shows `{other}`, which this test does not compare"),
        };
        assert!(
            paper.contains(&printed),
            "{name}: the page shows {id} = {value:?}, the paper does not print {printed:?}"
        );
    }
}

#[test]
fn the_landing_page_shows_what_the_paper_prints_and_no_more() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("SKIPPED: `pdftotext` is not installed (apt-get install poppler-utils)");
        return;
    }
    let names: Vec<String> = examples().into_iter().map(|(name, _)| name).collect();
    assert!(names.len() >= 10, "{names:?}");
    for (i, name) in names.iter().map(String::as_str).enumerate() {
        let (credential, code) = signed(name, 5_000 + i as u64);
        let (html, paper) = page_and_paper(&credential, &code);
        check(name, &html, &paper);
        let fields = shown(&html);
        let award = &fields
            .iter()
            .find(|(id, _)| id == "award")
            .expect("award")
            .1;
        let subject = &credential["credentialSubject"];
        let block = if subject["primary"].is_object() {
            &subject["primary"]
        } else {
            &subject["secondary"]
        };
        for other in block["otherAwards"].as_array().into_iter().flatten() {
            assert!(award.contains(other.as_str().unwrap()), "{name}: {award}");
        }
        let has_awards = block.get("award").is_some_and(|a| !a.is_null())
            || block["otherAwards"]
                .as_array()
                .is_some_and(|a| !a.is_empty());
        // Before format version 2 the page read "Không" where the paper listed awards.
        assert_eq!(award == "Không", !has_awards, "{name}: {award}");
        if let Some(note) = subject["student"]["disabilityNote"].as_str() {
            assert!(paper.contains(note), "{name}: the paper prints the note");
            assert!(
                !html.contains(note),
                "{name}: health data on the public page"
            );
        }
    }
}

#[test]
fn a_correction_names_the_record_it_replaces_on_the_page_and_the_paper() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("SKIPPED: `pdftotext` is not installed (apt-get install poppler-utils)");
        return;
    }
    let (mut credential, code) = signed("secondary-grade11.json", 5_100);
    let replaced = "urn:uuid:0b8e2c55-1f3a-4d6e-8a9b-3c4d5e6f7a80";
    // Rendering does not check the proof; the summary's hash binds the credential as given.
    credential["replaces"] = replaced.into();
    let (html, paper) = page_and_paper(&credential, &code);
    check("correction", &html, &paper);
    assert!(html.contains(&format!(
        "<dd id=\"replaces\" class=\"mono\">{replaced}</dd>"
    )));
    assert!(html.contains("Thay thế hồ sơ đã thu hồi"));
    assert!(paper.contains(&format!("thay thế hồ sơ {replaced}")));
}

/// The year's results after the summer (issue #12, item 8): a record completed after the
/// summer shows on the landing page the learning and conduct results after it that the paper's
/// section 4 prints, beside the year's own results and the final decision; a record without a
/// summer shows none.
#[test]
fn the_results_after_the_summer_read_the_same_on_the_landing_page_and_the_paper() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("SKIPPED: `pdftotext` is not installed (apt-get install poppler-utils)");
        return;
    }
    let name = "secondary-grade7-reassessed-in-summer-promoted.json";
    let (credential, code) = signed(name, 5_150);
    let summer = &credential["credentialSubject"]["secondary"]["summer"];
    assert_eq!(summer["learningResult"], "K", "the example");
    let (html, paper) = page_and_paper(&credential, &code);
    check(name, &html, &paper);
    let fields = shown(&html);
    let value = |id: &str| fields.iter().find(|(i, _)| i == id).map(|(_, v)| v.clone());
    assert_eq!(value("learning-result").as_deref(), Some("CĐ (Chưa đạt)"));
    assert_eq!(
        value("learning-after-summer").as_deref(),
        Some("K (Khá)"),
        "{fields:?}"
    );
    assert!(
        paper.contains("Kết quả học tập sau đánh giá lại: K (Khá)"),
        "{paper}"
    );
    // The conduct was not retrained (the year's conduct passed): neither side shows one.
    assert_eq!(value("conduct-after-summer"), None);
    assert!(!paper.contains("Kết quả rèn luyện sau rèn luyện trong hè"));
    // In the page's order: the year's results, those after the summer, the final decision.
    let order: Vec<&str> = fields.iter().map(|(id, _)| id.as_str()).collect();
    let at = |id: &str| order.iter().position(|x| *x == id).unwrap();
    assert!(at("conduct-result") < at("learning-after-summer"));
    assert!(at("learning-after-summer") < at("promotion"));
    // The record awaiting the summer has no such line.
    let (credential, code) = signed("secondary-grade7-retest-interim.json", 5_151);
    let (html, _) = page_and_paper(&credential, &code);
    assert!(!html.contains("after-summer"));
}

/// The decision as each example's paper words it, on the PDF, the QR landing page and the
/// verifier's record page alike (issue #12, item 2): the interim code of a record completed
/// after the summer is not what the landing page states.
#[test]
fn the_decision_reads_the_same_on_the_paper_the_landing_page_and_the_record_page() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("SKIPPED: `pdftotext` is not installed (apt-get install poppler-utils)");
        return;
    }
    for (i, (name, want)) in [
        ("secondary-grade11.json", "Được lên lớp"),
        (
            "secondary-grade7-reassessed-in-summer-promoted.json",
            "Được lên lớp sau kiểm tra lại / rèn luyện trong hè",
        ),
        (
            "secondary-grade12.json",
            "Hoàn thành chương trình trung học phổ thông",
        ),
        ("primary-grade2.json", "Hoàn thành chương trình lớp học"),
        ("primary-grade5.json", "Được lên lớp"),
    ]
    .into_iter()
    .enumerate()
    {
        let (credential, code) = signed(name, 5_200 + i as u64);
        let (html, paper) = page_and_paper(&credential, &code);
        let decision = shown(&html)
            .into_iter()
            .find(|(id, _)| id == "promotion")
            .expect("the decision")
            .1;
        assert_eq!(decision, want, "{name}: the landing page");
        assert!(html.contains("Quyết định"), "{name}: the line's label");
        assert!(paper.contains(want), "{name}: the paper:\n{paper}");
        let verdict = hocba_verifier::verify_json(
            &serde_json::to_vec(&credential).expect("JSON"),
            &dev_trust(),
            datetime!(2026-06-15 00:00 UTC),
        )
        .expect("the credential reads");
        let page = hocba_verifier::service::pages::credential_page(&verdict, Lang::Vi);
        if let Some(dir) = std::env::var_os("HOCBA_KEEP_HTML") {
            let file = std::path::Path::new(&dir).join(format!("record-{name}.html"));
            std::fs::write(file, &page).expect("keep the page");
        }
        assert!(page.contains(want), "{name}: the verifier's record page");
    }
    // A "kiểm tra lại" record awaiting the summer says on every page that it is not final.
    let (credential, code) = signed("secondary-grade7-retest-interim.json", 5_300);
    let (html, paper) = page_and_paper(&credential, &code);
    let interim = "Kiểm tra lại (chưa phải quyết định cuối cùng: chờ kết quả sau hè)";
    assert!(html.contains(interim), "the landing page");
    assert!(paper.contains(interim), "the paper:\n{paper}");
}
