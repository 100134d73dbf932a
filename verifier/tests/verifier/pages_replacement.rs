//! A revoked record's page links to its replacement when the school's signed list names it
//! (issue #12, item 8): the credential page and the QR landing page show the replacement's id
//! linked to the upload page primed with it, in Vietnamese and English; the upload page names
//! the record to ask for; nothing is linked when the list names none, and an id in another form
//! from the query is not shown.

use crate::pages_support::*;
use hocba_verifier::service::pages::{
    Lang, credential_page, summary_page, upload_page_for_replacement,
};
use hocba_verifier::{VerifyOptions, verify_credential_with, verify_summary};
use time::macros::datetime;

const REPLACEMENT: &str = "urn:uuid:5d1c0a3e-7b42-4c19-9e60-000000000002";
const REASON: &str = "Cập nhật kết quả sau kiểm tra lại";

fn world() -> World {
    World::at(datetime!(2026-08-25 00:00 UTC))
}

/// `HOCBA_KEEP_HTML=<dir>` keeps a page for a look (screenshots).
fn keep(name: &str, html: &str) {
    if let Some(dir) = std::env::var_os("HOCBA_KEEP_HTML") {
        std::fs::write(std::path::Path::new(&dir).join(name), html).unwrap();
    }
}

fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id} in {html}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find("</p>").unwrap();
    &html[start..end]
}

/// The verdict on `c` with `list` as school A's status list.
fn verdict_with(
    w: &World,
    c: &serde_json::Value,
    list: &serde_json::Value,
) -> hocba_verifier::Verdict {
    verify_credential_with(
        &bytes(c),
        &w.trust(),
        w.now,
        &VerifyOptions::default().with_status_lists(w.status_lists(&[(SCHOOL_A, list)])),
    )
    .unwrap()
}

#[test]
fn the_revoked_credential_page_links_to_its_replacement() {
    let w = world();
    let c = w.credential(SECONDARY_GRADE11, SCHOOL_A, 1, 4242, |_| {});
    let list = w.status_list_replaced(SCHOOL_A, &[(4242, REASON, Some(REPLACEMENT))]);
    let v = verdict_with(&w, &c, &list);
    // Per language: the sentence, and the link to the upload page primed with the id.
    for (lang, sentence, href) in [
        (
            Lang::Vi,
            "Nhà trường đã cấp hồ sơ thay thế: ",
            format!("upload?replacement={REPLACEMENT}"),
        ),
        (
            Lang::En,
            "The school has issued a replacement: ",
            format!("upload?lang=en&amp;replacement={REPLACEMENT}"),
        ),
    ] {
        let html = credential_page(&v, lang);
        keep(&format!("revoked-credential-{}.html", lang.code()), &html);
        assert!(html.contains("data-verdict=\"revoked\""));
        let line = element(&html, "replaced-by");
        assert!(line.contains(sentence), "{line}");
        assert!(
            line.contains(&format!(
                "<a id=\"replacement-link\" class=\"mono\" href=\"{href}\">{REPLACEMENT}</a>"
            )),
            "{line}"
        );
    }
    // The same record revoked without a replacement named: no link.
    let list = w.status_list(SCHOOL_A, &[(4242, REASON)]);
    let html = credential_page(&verdict_with(&w, &c, &list), Lang::Vi);
    assert!(html.contains("data-verdict=\"revoked\""));
    // (The page's style sheet names the class `replaced-by`; the element is what must be absent.)
    assert!(!html.contains("id=\"replaced-by\"") && !html.contains("replacement="));
}

#[test]
fn the_revoked_qr_landing_page_links_to_its_replacement() {
    let w = world();
    let c = w.credential(SECONDARY_GRADE11, SCHOOL_A, 1, 4242, |_| {});
    let text = w.qr_text(&c, &SCHOOL_A.key());
    let list = w.status_list_replaced(SCHOOL_A, &[(4242, REASON, Some(REPLACEMENT))]);
    let lists = w.status_lists(&[(SCHOOL_A, &list)]);
    let trust = w.trust();
    let v = verify_summary(&text, &trust, w.now).unwrap();
    let school = v.verified().unwrap().school().id.clone();
    let check = lists
        .summary_status(&school, 4242, &trust, w.now, None)
        .unwrap();
    let v = v.with_status(check);
    assert_eq!(
        v.revocation().unwrap().replaced_by.as_deref(),
        Some(REPLACEMENT)
    );
    let html = summary_page(&v, Lang::Vi);
    keep("revoked-landing-vi.html", &html);
    assert!(html.contains("data-verdict=\"revoked\""));
    let line = element(&html, "replaced-by");
    // The landing page is served at /v/{digits}: the upload page is one level up.
    assert!(
        line.contains(&format!("href=\"../upload?replacement={REPLACEMENT}\"")),
        "{line}"
    );
}

#[test]
fn the_upload_page_names_the_replacement_to_ask_for() {
    for (lang, words) in [
        (Lang::Vi, "nhà trường đã cấp hồ sơ thay thế có mã"),
        (Lang::En, "the school has issued a replacement with the id"),
    ] {
        let html = upload_page_for_replacement(lang, Some(REPLACEMENT));
        keep(&format!("upload-replacement-{}.html", lang.code()), &html);
        assert!(html.contains(words), "{html}");
        assert!(html.contains(&format!(
            "<span class=\"mono\" id=\"replacement-id\">{REPLACEMENT}</span>"
        )));
        assert!(html.contains("data-page=\"upload\""));
        assert!(html.contains("id=\"replacement\""));
    }
    // Anything but a credential id is not shown (the query is the visitor's, not the school's).
    for bad in [
        "<script>alert(1)</script>",
        "Nguyễn Văn An",
        "urn:uuid:5D1C0A3E-7B42-4C19-9E60-000000000002",
    ] {
        let html = upload_page_for_replacement(Lang::Vi, Some(bad));
        assert!(!html.contains("id=\"replacement\""), "{bad}");
        assert!(!html.contains("alert(1)"));
    }
    assert!(!upload_page_for_replacement(Lang::Vi, None).contains("id=\"replacement\""));
}
