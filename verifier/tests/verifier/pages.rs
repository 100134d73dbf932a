//! The verifier's HTML pages (`hocba_verifier::service::pages`), rendered from real verdicts:
//! every verdict kind shows its own label in Vietnamese and English, the signed content is laid
//! out like the paper record, everything from a record or a request is escaped, and no page
//! refers to anything outside itself.

use crate::pages_support::*;
use hocba_verifier::service::pages::{
    Lang, VerdictKind, credential_page, error_page, escape, summary_page, upload_page,
};
use hocba_verifier::{
    SummaryVerdict, Verdict, VerdictResult, VerifyOptions, verify_credential_with, verify_summary,
};
use serde_json::Value;
use time::macros::datetime;

fn world() -> World {
    World::at(datetime!(2026-06-01 00:00 UTC))
}

fn primary() -> Value {
    world().credential(PRIMARY_GRADE5, SCHOOL_A, 1, 4242, |_| {})
}

fn qr_verdict(text: &str) -> SummaryVerdict {
    let w = world();
    verify_summary(text, &w.trust(), w.now).unwrap()
}

/// `credential` checked against school A's status list with `revoked` set (`None`: a status
/// list of another school only, so school A's is missing).
fn credential_verdict(credential: &Value, revoked: Option<&[(usize, &str)]>) -> Verdict {
    let w = world();
    let lists = match revoked {
        Some(r) => w.status_lists(&[(SCHOOL_A, &w.status_list(SCHOOL_A, r))]),
        None => w.status_lists(&[(SCHOOL_B, &w.status_list(SCHOOL_B, &[]))]),
    };
    verify_credential_with(
        &bytes(credential),
        &w.trust(),
        w.now,
        &VerifyOptions::default().with_status_lists(lists),
    )
    .unwrap()
}

/// The text between `<tag … id="id" …>` and the next `</`, for a quick look at one element.
fn element_text<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let start = at + html[at..].find('>').unwrap() + 1;
    let end = start + html[start..].find("</").unwrap();
    &html[start..end]
}

fn banner(html: &str) -> &str {
    let start = html.find("<section id=\"verdict\"").unwrap();
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

/// Every `src=`, `href=`, `action=` and CSS `url(` value of a page that leaves it: a scheme
/// (`https:`, `javascript:`, `data:`) or a protocol-relative `//host`.
fn external_references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=", "href=", "action=", "url("] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let value: String = rest
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | ')' | ' ' | '>'))
                .collect();
            let scheme = value
                .split(['/', '?', '#'])
                .next()
                .is_some_and(|first| first.contains(':'));
            if scheme || value.starts_with("//") || value.starts_with("\\\\") {
                out.push(format!("{attr}{value}"));
            }
        }
    }
    out
}

/// The `'sha256-…'` of each inline `<script>` of `html`, and the page without them.
fn inline_scripts(html: &str) -> (Vec<String>, String) {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let mut hashes = Vec::new();
    let mut rest = html.to_owned();
    while let Some(start) = rest.find("<script>") {
        let body = start + "<script>".len();
        let end = body
            + rest[body..]
                .find("</script>")
                .expect("an unclosed <script>");
        let digest = Sha256::digest(&rest.as_bytes()[body..end]);
        hashes.push(format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
        rest.replace_range(start..end + "</script>".len(), "");
    }
    (hashes, rest)
}

/// The checks every page must pass: one document, self-contained, no script but inline ones
/// the page's Content-Security-Policy pins by their hash (and no `'unsafe-inline'` scripts).
#[track_caller]
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(external_references(html), Vec::<String>::new());
    let csp_at = html
        .find("http-equiv=\"Content-Security-Policy\" content=\"")
        .expect("a CSP <meta>");
    let csp = html[csp_at..].split('"').nth(3).unwrap();
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("script-src "))
        .unwrap_or("");
    assert!(!script_src.contains("unsafe"), "{csp}");
    let (hashes, html) = inline_scripts(html);
    for hash in &hashes {
        assert!(
            script_src.split(' ').any(|h| h == hash),
            "a script not pinned by the CSP ({hash}): {csp}"
        );
    }
    let html = html.as_str();
    for banned in [
        "<script",
        "<link",
        "<iframe",
        "<img",
        "@import",
        "@font-face",
        "url(",
    ] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
    assert!(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
}

#[test]
fn the_reference_scan_finds_what_it_must() {
    // The scan used by every test below catches each way a page could reach out.
    for bad in [
        "<img src=\"https://cdn.example/x.png\">",
        "<a href='http://x.example'>",
        "<link href=\"//fonts.example/css\">",
        "<style>body{background:url(https://x.example/a.png)}</style>",
        "<form action=\"https://evil.example/\">",
        "<a href=\"javascript:alert(1)\">",
    ] {
        assert_eq!(external_references(bad).len(), 1, "{bad}");
    }
    for fine in [
        "<a href=\"?lang=en\">",
        "<a href=\"../upload\">",
        "<form action=\"upload?lang=vi\">",
    ] {
        assert!(external_references(fine).is_empty(), "{fine}");
    }
}

#[test]
fn a_valid_qr_code_page_in_vietnamese() {
    let w = world();
    let c = primary();
    let v = qr_verdict(&w.qr_text(&c, &SCHOOL_A.key()));
    assert!(v.is_valid());
    let html = summary_page(&v, Lang::Vi);
    assert_self_contained(&html);
    assert!(html.contains("<html lang=\"vi\">"));
    assert!(html.contains("data-page=\"qr\""));
    let b = banner(&html);
    assert!(b.contains("data-verdict=\"valid\""), "{b}");
    assert_eq!(element_text(&html, "verdict-label"), "Hợp lệ");
    assert_eq!(
        element_text(&html, "verdict-reason"),
        "Mã QR hợp lệ: bản tóm tắt do nhà trường ký."
    );
    // Issuer and date in the banner: the school as the trust list names it.
    assert_eq!(
        element_text(&html, "verdict-issuer"),
        "Cấp bởi: Trường Tiểu học Lê Văn Tám · ký ngày 30/05/2026"
    );
    // The QR alone does not tell revocation: a valid page says it was not checked.
    assert!(b.contains("Chưa kiểm tra việc thu hồi"), "{b}");
    // The summary, as on paper.
    assert!(html.contains("id=\"record\" data-signed=\"true\""));
    assert_eq!(element_text(&html, "pupil-name"), "Đinh Thị Ngọc Ánh");
    assert_eq!(element_text(&html, "date-of-birth"), "12/04/2015");
    assert_eq!(
        element_text(&html, "school"),
        "Trường Tiểu học Lê Văn Tám (mã trường 79000701)"
    );
    assert_eq!(element_text(&html, "school-year"), "2025-2026");
    assert_eq!(element_text(&html, "grade"), "5 · Tiểu học");
    assert_eq!(element_text(&html, "class"), "5A");
    assert_eq!(element_text(&html, "year-result"), "Hoàn thành tốt");
    assert_eq!(element_text(&html, "promotion"), "Được lên lớp");
    assert_eq!(
        element_text(&html, "award"),
        // The title and the other awards, as the paper prints them (QR summary format 2).
        "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện; Giải Ba Hội thi Viết chữ đẹp cấp tỉnh năm học 2025-2026"
    );
    assert_eq!(element_text(&html, "completion"), "Có");
    assert_eq!(
        element_text(&html, "credential-id"),
        "urn:uuid:5d1c0a3e-7b42-4c19-9e60-000000000001"
    );
    // What was checked, and against which trust list.
    assert_eq!(html.matches("<li class=\"o-").count(), 7);
    for check in [
        "integrity",
        "issuer",
        "key_validity",
        "validity_period",
        "status",
    ] {
        assert!(html.contains(&format!("data-check=\"{check}\"")), "{check}");
    }
    assert!(html.contains("data-check=\"integrity\" data-outcome=\"passed\""));
    assert!(html.contains("data-check=\"status\" data-outcome=\"not_checked\""));
    assert_eq!(
        element_text(&html, "trust-list"),
        "Đối chiếu với danh sách tin cậy phiên bản 7 của Sở GD&amp;ĐT thử nghiệm, lập ngày 31/05/2026, cập nhật tiếp theo trước ngày 01/07/2026."
    );
    // The switch to English is the same URL with ?lang=en.
    assert!(html.contains(
        "<a id=\"lang-switch\" href=\"?lang=en\" hreflang=\"en\" lang=\"en\">English</a>"
    ));
    assert!(html.contains("href=\"../upload\""));
}

#[test]
fn the_same_page_in_english() {
    let w = world();
    let v = qr_verdict(&w.qr_text(&primary(), &SCHOOL_A.key()));
    let html = summary_page(&v, Lang::En);
    assert_self_contained(&html);
    assert!(html.contains("<html lang=\"en\">"));
    assert_eq!(element_text(&html, "verdict-label"), "Valid");
    assert_eq!(
        element_text(&html, "verdict-reason"),
        "The QR code is valid: the summary was signed by the school."
    );
    assert_eq!(
        element_text(&html, "verdict-issuer"),
        "Issued by: Trường Tiểu học Lê Văn Tám · signed on 2026-05-30"
    );
    assert!(html.contains("Pupil&#39;s full name"));
    assert_eq!(element_text(&html, "date-of-birth"), "2015-04-12");
    // The school's wording stays, with an English gloss, so it still matches the paper.
    assert_eq!(
        element_text(&html, "promotion"),
        "Được lên lớp (promoted to the next grade)"
    );
    assert_eq!(
        element_text(&html, "year-result"),
        "Hoàn thành tốt (completed well)"
    );
    assert!(html.contains("Checked against trust list version 7"));
    assert!(html.contains("href=\"?lang=vi\" hreflang=\"vi\" lang=\"vi\">Tiếng Việt</a>"));
    assert!(html.contains("href=\"../upload?lang=en\""));
    assert!(!html.contains("Hợp lệ"));
}

#[test]
fn every_verdict_kind_renders_its_own_label() {
    let valid = primary();
    let mut tampered = valid.clone();
    tampered["credentialSubject"]["daysAbsent"] = 0.into();
    let note = "Sai điểm môn Toán, đã cấp lại";
    let cases = [
        (credential_verdict(&valid, Some(&[])), VerdictKind::Valid),
        (
            credential_verdict(&tampered, Some(&[])),
            VerdictKind::Invalid,
        ),
        (
            credential_verdict(&valid, Some(&[(4242, note)])),
            VerdictKind::Revoked,
        ),
        (credential_verdict(&valid, None), VerdictKind::StatusUnknown),
    ];
    let labels = [
        ("valid", "Hợp lệ", "Valid"),
        ("invalid", "Không hợp lệ", "Not valid"),
        ("revoked", "Đã thu hồi", "Revoked"),
        (
            "status_unknown",
            "Chưa xác định được trạng thái",
            "Status cannot be determined",
        ),
    ];
    for (verdict, kind) in &cases {
        let (code, vi, en) = labels
            .iter()
            .find(|(code, _, _)| *code == kind.as_str())
            .unwrap();
        assert_eq!(
            VerdictKind::of(verdict.result(), verdict.checks()),
            *kind,
            "{verdict:#?}"
        );
        for (lang, label) in [(Lang::Vi, vi), (Lang::En, en)] {
            let html = credential_page(verdict, lang);
            assert_self_contained(&html);
            assert!(
                banner(&html).contains(&format!("data-verdict=\"{code}\"")),
                "{code}"
            );
            assert_eq!(element_text(&html, "verdict-label"), *label);
            assert_eq!(kind.label(lang), *label);
            // No other label anywhere in the banner.
            for (_, other_vi, other_en) in labels.iter().filter(|(c, _, _)| c != code) {
                let other = if lang == Lang::Vi { other_vi } else { other_en };
                assert!(
                    !element_text(&html, "verdict-label").contains(other),
                    "{code} shows {other}"
                );
            }
            assert_eq!(
                element_text(&html, "verdict-reason"),
                escape(lang.message(verdict.message()))
            );
        }
    }
    // The revoked page says when and why, from the school's signed list.
    let revoked = credential_page(&cases[2].0, Lang::Vi);
    assert_eq!(
        element_text(&revoked, "revocation"),
        format!("Thu hồi ngày 31/05/2026 — lý do: {note}")
    );
    let revoked_en = credential_page(&cases[2].0, Lang::En);
    assert_eq!(
        element_text(&revoked_en, "revocation"),
        format!("Revoked on 2026-05-31 — reason: {note}")
    );
    // A revoked record is still the school's: what it says is shown as signed, without the
    // full record; a tampered one is marked as not verified.
    assert!(revoked.contains("id=\"record\" data-signed=\"true\""));
    let invalid = credential_page(&cases[1].0, Lang::Vi);
    assert!(invalid.contains("class=\"card unverified\" id=\"record\" data-signed=\"false\""));
    assert!(
        !invalid.contains("id=\"verdict-issuer\""),
        "no issuer claim when invalid"
    );
    assert!(invalid.contains("data-check=\"integrity\" data-outcome=\"failed\""));
    // The valid page has no revocation line and no note.
    let valid_page = credential_page(&cases[0].0, Lang::Vi);
    assert!(!valid_page.contains("id=\"revocation\""));
    assert!(!banner(&valid_page).contains("class=\"note\""));
    assert_eq!(cases[0].0.result(), VerdictResult::Valid);
}

#[test]
fn a_qr_code_that_fails_is_not_valid_and_its_content_is_marked_unverified() {
    let w = world();
    let c = primary();
    // Signed by a key nobody registered, claiming school A's key.
    let a_hint: [u8; 4] = SCHOOL_A.key().verifying_key().as_bytes()[..4]
        .try_into()
        .unwrap();
    let forged = w.qr_text_with(&c, &key(6), |s| s.key_hint = a_hint);
    let v = qr_verdict(&forged);
    assert_eq!(v.result(), VerdictResult::Invalid);
    for (lang, label) in [(Lang::Vi, "Không hợp lệ"), (Lang::En, "Not valid")] {
        let html = summary_page(&v, lang);
        assert_self_contained(&html);
        assert!(banner(&html).contains("data-verdict=\"invalid\""));
        assert_eq!(element_text(&html, "verdict-label"), label);
        assert_eq!(
            element_text(&html, "verdict-reason"),
            escape(lang.message(v.message()))
        );
        assert!(html.contains("class=\"card unverified\" id=\"record\" data-signed=\"false\""));
        assert!(!html.contains("id=\"verdict-issuer\""));
        assert!(!banner(&html).contains("class=\"note\""));
    }
}

#[test]
fn a_full_primary_record_is_laid_out_like_the_paper_page() {
    let v = credential_verdict(&primary(), Some(&[]));
    assert!(v.is_valid());
    let html = credential_page(&v, Lang::Vi);
    assert_self_contained(&html);
    assert!(html.contains("data-page=\"credential\""));
    assert!(html.contains("<p class=\"title\">HỌC BẠ</p>"));
    assert!(html.contains("SỞ GD&amp;ĐT PHÚ THỌ"));
    assert!(html.contains("<p>Năm học 2025-2026 · Lớp 5A · Khối 5</p>"));
    assert_eq!(element_text(&html, "pupil-name"), "Đinh Thị Ngọc Ánh");
    assert_eq!(element_text(&html, "date-of-birth"), "12/04/2015");
    assert_eq!(
        element_text(&html, "school"),
        "Trường Tiểu học Hoa Ban (mã trường 79000701)"
    );
    assert!(html.contains("<dt>Mã định danh cá nhân</dt><dd>017315004827</dd>"));
    assert!(html.contains("<dt>Họ tên mẹ</dt><dd>Bùi Thị Lan</dd>"));
    // Subjects: rating, the four periodic tests, comment.
    assert!(html.contains(
        "<tr><th scope=\"row\">Tiếng Việt</th><td class=\"c\">T</td><td class=\"c\">8</td><td class=\"c\">9</td><td class=\"c\">9</td><td class=\"c\">9</td></tr>\n<tr class=\"note-row\"><td colspan=\"6\"><span class=\"note-label\">Nhận xét:</span> Đọc diễn cảm"
    ));
    assert!(html.contains("<th scope=\"row\">Yêu nước</th><td class=\"c\">T (Tốt)</td>"));
    assert!(html.contains("<th scope=\"row\">Tự chủ và tự học</th><td class=\"c\">T (Tốt)</td>"));
    assert_eq!(element_text(&html, "year-result"), "Hoàn thành tốt");
    assert_eq!(
        element_text(&html, "award"),
        "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện; Giải Ba Hội thi Viết chữ đẹp cấp tỉnh năm học 2025-2026"
    );
    assert_eq!(element_text(&html, "completion"), "Có");
    assert_eq!(element_text(&html, "promotion"), "Được lên lớp");
    assert_eq!(element_text(&html, "days-absent"), "2");
    assert!(element_text(&html, "teacher-comment").starts_with("Em ngoan, lễ phép"));
    assert!(html.contains("Hòa Bình, ngày 29 tháng 05 năm 2026"));
    assert_eq!(element_text(&html, "principal"), "Bùi Văn Thắng");
    assert_eq!(
        element_text(&html, "credential-id"),
        "urn:uuid:5d1c0a3e-7b42-4c19-9e60-000000000001"
    );
    // Every check passed, status included (the list was given).
    assert_eq!(html.matches("data-outcome=\"passed\"").count(), 7);

    let en = credential_page(&v, Lang::En);
    assert_self_contained(&en);
    assert!(en.contains("<p>School year 2025-2026 · Class 5A · Grade 5</p>"));
    assert!(
        en.contains("<th scope=\"row\">Yêu nước (patriotism)</th><td class=\"c\">T (good)</td>")
    );
    assert!(en.contains("<th scope=\"col\">Subject / activity</th>"));
    assert!(en.contains("Hòa Bình, 2026-05-29"));
}

#[test]
fn a_full_secondary_record_shows_averages_and_learning_and_conduct() {
    let w = world();
    let c = w.credential(SECONDARY_GRADE11, SCHOOL_B, 2, 17, |_| {});
    let lists = w.status_lists(&[(SCHOOL_B, &w.status_list(SCHOOL_B, &[]))]);
    let v = verify_credential_with(
        &bytes(&c),
        &w.trust(),
        w.now,
        &VerifyOptions::default().with_status_lists(lists),
    )
    .unwrap();
    assert!(v.is_valid(), "{v:#?}");
    let html = credential_page(&v, Lang::Vi);
    assert_self_contained(&html);
    assert!(html.contains("TRUNG HỌC PHỔ THÔNG"));
    assert_eq!(element_text(&html, "pupil-name"), "Võ Ngọc Bảo Trân");
    assert!(html.contains(
        "<tr><th scope=\"row\">Toán</th><td class=\"c\">9.2</td><td class=\"c\">9.5</td><td class=\"c\">9.4</td>"
    ));
    assert!(html.contains(
        "<tr><th scope=\"row\">Giáo dục thể chất</th><td class=\"c\">Đ</td><td class=\"c\">Đ</td><td class=\"c\">Đ</td>"
    ));
    assert!(html.contains("<th scope=\"row\">Tiếng Anh</th><td class=\"c\">9.0</td>"));
    assert!(html.contains("<table id=\"learning-conduct\">"));
    assert!(
        html.contains("<tr><th scope=\"row\">Kết quả học tập</th><td class=\"c\">T (Tốt)</td>")
    );
    assert!(
        html.contains("<tr><th scope=\"row\">Kết quả rèn luyện</th><td class=\"c\">T (Tốt)</td>")
    );
    assert_eq!(element_text(&html, "principal"), "Huỳnh Thị Mỹ Dung");
    assert_eq!(
        element_text(&html, "verdict-issuer"),
        "Cấp bởi: Trường THPT Ba Đình · ký ngày 30/05/2026"
    );
}

#[test]
fn everything_from_a_record_or_a_request_is_escaped() {
    let w = world();
    let evil = "<script>alert(\"x\")</script>";
    let attr = "\"><img src=x onerror=alert(1)>";
    let c = w.credential(PRIMARY_GRADE5, SCHOOL_A, 3, 7, |r| {
        r["student"]["fullName"] = evil.into();
        r["teacherComment"] = attr.into();
        r["school"]["name"] = "A & B <i>".into();
    });
    let v = credential_verdict(&c, Some(&[]));
    assert!(v.is_valid(), "{v:#?}");
    let q = qr_verdict(&w.qr_text_with(&c, &SCHOOL_A.key(), |s| s.class_name = "<b>5A".into()));
    assert!(q.is_valid());
    for html in [
        credential_page(&v, Lang::Vi),
        credential_page(&v, Lang::En),
        summary_page(&q, Lang::Vi),
        summary_page(&q, Lang::En),
    ] {
        assert_self_contained(&html);
        assert!(!html.contains("<script"), "unescaped script");
        assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
        assert!(!html.contains("<b>5A") && !html.contains("<i>"));
    }
    let page = credential_page(&v, Lang::Vi);
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("A &amp; B &lt;i&gt;"));
    assert!(summary_page(&q, Lang::Vi).contains("&lt;b&gt;5A"));

    let upload = upload_page(Lang::Vi, Some("Tệp <b>x.pdf</b> & 'y'"));
    assert_self_contained(&upload);
    assert_eq!(
        element_text(&upload, "upload-error"),
        "Tệp &lt;b&gt;x.pdf&lt;/b&gt; &amp; &#39;y&#39;"
    );
    let error = error_page(Lang::En, 400, "Sai <vi>", "Bad <en> \"q\"");
    assert_self_contained(&error);
    assert_eq!(
        element_text(&error, "error-message"),
        "Bad &lt;en&gt; &quot;q&quot;"
    );
    assert_eq!(escape("a<b>&\"c'\0"), "a&lt;b&gt;&amp;&quot;c&#39;\u{FFFD}");
}

#[test]
fn the_upload_page_posts_files_and_qr_text_back_in_its_language() {
    for lang in [Lang::Vi, Lang::En] {
        let html = upload_page(lang, None);
        assert_self_contained(&html);
        assert!(html.contains("data-page=\"upload\""));
        assert!(!html.contains("id=\"upload-error\""));
        let action = format!(
            "method=\"post\" enctype=\"multipart/form-data\" action=\"upload?lang={}\"",
            lang.code()
        );
        assert_eq!(html.matches(&action).count(), 2, "{html}");
        assert!(html.contains(
            "<input type=\"file\" id=\"file\" name=\"file\" class=\"file-input\" required"
        ));
        assert!(html.contains("<textarea id=\"qr\" name=\"qr\" required"));
    }
    assert!(upload_page(Lang::Vi, None).contains("Kiểm tra học bạ số"));
    assert!(upload_page(Lang::En, None).contains("Check a digital school record"));
}

#[test]
fn the_file_picker_speaks_the_pages_language_not_the_browsers() {
    for (lang, button, none, some) in [
        (Lang::Vi, "Chọn tệp…", "Chưa chọn tệp nào", "Đã chọn tệp"),
        (Lang::En, "Choose a file…", "No file chosen", "File chosen"),
    ] {
        let html = upload_page(lang, None);
        assert_self_contained(&html);
        // A label for the input, styled as a button, in the page's language.
        assert_eq!(element_text(&html, "file-button"), button);
        assert!(html.contains("<label for=\"file\" class=\"file-button\" id=\"file-button\">"));
        // The state beside it, in the page's language, switched by the style sheet from the
        // input's :invalid / :valid (no script needed); the script only adds the name.
        let state = &html[html.find("id=\"file-name\"").unwrap()..];
        assert!(state.contains(&format!("<span class=\"file-none\">{none}</span>")));
        assert!(state.contains(&format!(
            "<span class=\"file-some\">{some}<span id=\"file-chosen-name\"></span>"
        )));
        assert!(html.contains(".file-input:valid~.file-name .file-none"));
        assert!(html.contains(".file-input:invalid~.file-name .file-some"));
        // The input is hidden from sight only: not display:none / visibility:hidden (it stays
        // focusable and in the accessibility tree), with a focus ring shown on its button.
        let rule_at = html.find(".file-pick .file-input{").unwrap();
        let rule = &html[rule_at..rule_at + html[rule_at..].find('}').unwrap()];
        assert!(rule.contains("opacity:0"), "{rule}");
        assert!(
            !rule.contains("display:none") && !rule.contains("visibility"),
            "{rule}"
        );
        assert!(html.contains(".file-input:focus-visible+.file-button{outline"));
        // No words of either language in the script: the page gives them.
        let (hashes, _) = inline_scripts(&html);
        assert_eq!(hashes.len(), 1);
        let script = &html[html.find("<script>").unwrap()..html.find("</script>").unwrap()];
        for word in ["chọn", "Choose", "No file", "File chosen"] {
            assert!(!script.contains(word), "{script}");
        }
    }
    // The other pages carry no script at all.
    assert!(!error_page(Lang::Vi, 404, "x", "y").contains("<script"));
}

#[test]
fn the_error_page_speaks_the_asked_language() {
    let vi = error_page(Lang::Vi, 404, "Không có trang này.", "No such page.");
    let en = error_page(Lang::En, 404, "Không có trang này.", "No such page.");
    for (html, heading, message) in [
        (&vi, "Không tìm thấy", "Không có trang này."),
        (&en, "Not found", "No such page."),
    ] {
        assert_self_contained(html);
        assert!(html.contains("id=\"error\" data-status=\"404\""));
        assert!(html.contains(&format!("<h1>{heading}</h1>")));
        assert_eq!(element_text(html, "error-message"), message);
    }
    assert!(error_page(Lang::Vi, 400, "x", "y").contains("<h1>Không kiểm tra được</h1>"));
    assert!(vi.contains("href=\"/upload\""));
}

#[test]
fn the_language_comes_from_the_query() {
    for (query, lang) in [
        (None, Lang::Vi),
        (Some(""), Lang::Vi),
        (Some("en"), Lang::En),
        (Some("EN"), Lang::En),
        (Some("en-US"), Lang::En),
        (Some("vi"), Lang::Vi),
        (Some("fr"), Lang::Vi),
        (Some("lang=en"), Lang::En),
        (Some("x=1&lang=en"), Lang::En),
        (Some("lang=vi&x=en"), Lang::Vi),
        (Some("english=1"), Lang::Vi),
    ] {
        assert_eq!(Lang::from_query(query), lang, "{query:?}");
    }
    assert_eq!(Lang::Vi.code(), "vi");
    assert_eq!(Lang::En.code(), "en");
}

#[test]
fn a_valid_verdict_notes_an_unchecked_revocation_or_a_warning() {
    let w = world();
    let c = primary();
    // No status lists at all: valid, but the banner says revocation was not checked.
    let unchecked =
        verify_credential_with(&bytes(&c), &w.trust(), w.now, &VerifyOptions::default()).unwrap();
    assert!(unchecked.is_valid());
    let html = credential_page(&unchecked, Lang::Vi);
    assert!(banner(&html).contains(
        "<p class=\"note\">Chưa kiểm tra việc thu hồi: không có danh sách trạng thái để đối chiếu.</p>"
    ));
    // A month later the trust list is past its next update: "could not check" (a key may have
    // been marked compromised since), the banner saying why ...
    let later = World::at(w.now + time::Duration::days(31));
    let lists = later.status_lists(&[(SCHOOL_A, &later.status_list(SCHOOL_A, &[]))]);
    let refused = verify_credential_with(
        &bytes(&c),
        &w.trust(),
        later.now,
        &VerifyOptions::default().with_status_lists(std::sync::Arc::clone(&lists)),
    )
    .unwrap();
    assert_eq!(
        refused.result(),
        VerdictResult::StatusUnknown,
        "{refused:#?}"
    );
    let html = credential_page(&refused, Lang::Vi);
    assert!(html.contains("data-verdict=\"status_unknown\""), "{html}");
    assert!(html.contains("Danh sách tin cậy đã quá hạn cập nhật; hãy tải bản mới."));
    assert!(html.contains("data-check=\"trust_list\" data-outcome=\"failed\""));
    // ... and only when the user accepts stale material, valid with a warning in the banner.
    let stale = verify_credential_with(
        &bytes(&c),
        &w.trust(),
        later.now,
        &VerifyOptions::default()
            .with_status_lists(lists)
            .accepting_stale_trust_list(),
    )
    .unwrap();
    assert!(stale.is_valid(), "{stale:#?}");
    let html = credential_page(&stale, Lang::En);
    assert!(banner(&html).contains(
        "<p class=\"note\">The trust list is out of date (its next update was due); get a newer one.</p>"
    ));
    assert!(html.contains("data-check=\"trust_list\" data-outcome=\"warning\""));
}

#[test]
fn the_banner_says_the_time_the_revocation_status_is_known_as_of() {
    let w = world();
    let c = primary();
    // The list was signed a day before the check (2026-05-31 00:00 UTC = 07:00 in Vietnam).
    let lists = w.status_lists(&[(SCHOOL_A, &w.status_list(SCHOOL_A, &[]))]);
    let v = verify_credential_with(
        &bytes(&c),
        &w.trust(),
        w.now,
        &VerifyOptions::default().with_status_lists(lists),
    )
    .unwrap();
    assert!(v.is_valid(), "{v:#?}");
    assert_eq!(v.status_as_of(), Some(datetime!(2026-05-31 00:00 UTC)));
    let vi = credential_page(&v, Lang::Vi);
    assert!(
        banner(&vi).contains(
            "Trạng thái thu hồi tính đến 07:00 ngày 31/05/2026 (giờ Việt Nam), theo danh sách do nhà trường ký."
        ),
        "{}",
        banner(&vi)
    );
    assert!(banner(&vi).contains("data-at=\"2026-05-31T00:00:00Z\""));
    let en = credential_page(&v, Lang::En);
    assert!(banner(&en).contains("Revocation status as of 07:00 on 2026-05-31 (Vietnam time)"));
    // The JSON verdict carries it on the status check.
    let json = serde_json::to_value(&v).unwrap();
    let status = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "status")
        .unwrap();
    assert_eq!(status["statusAsOf"], "2026-05-31T00:00:00Z");
    // Without a status list there is no such line (and the note says it was not checked).
    let unchecked =
        verify_credential_with(&bytes(&c), &w.trust(), w.now, &VerifyOptions::default()).unwrap();
    assert_eq!(unchecked.status_as_of(), None);
    assert!(!credential_page(&unchecked, Lang::Vi).contains("status-as-of"));
}
