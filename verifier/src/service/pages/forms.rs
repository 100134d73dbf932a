//! The upload page (a PDF, a credential JSON or a photo of the QR code, or the QR text pasted)
//! and the error page.
//!
//! **The file picker.** A browser labels a plain `<input type=file>` in its own language
//! ("Choose File / No file chosen" on an English browser, even on the Vietnamese page). So the
//! input is visually hidden (still focusable, still in the accessibility tree, still
//! `required`) and a `<label for="file">` styled as a button opens it, in the page's language
//! ("Chọn tệp…" / "Choose a file…"); beside it "Chưa chọn tệp nào" / "Đã chọn tệp" switch on
//! the input's `:invalid` / `:valid` with no script, and [`FILE_NAME_SCRIPT`] adds the
//! file's name.

use super::Lang;
use super::html::{self, Place, Shell};

/// The one script of the verifier's pages: it writes the chosen file's name after "File
/// chosen" (the words are the page's, in its language; the script has none). It is only a
/// convenience: without it (scripts off) the label still opens the picker, the style sheet
/// still says "No file chosen" / "File chosen" (from the input's `:invalid` / `:valid`), and
/// the form still submits the file. The Content-Security-Policy allows exactly this script,
/// by its SHA-256 (checked by a test below); any other script is refused.
pub(super) const FILE_NAME_SCRIPT: &str = "(function(){var i=document.getElementById(\"file\"),n=document.getElementById(\"file-chosen-name\");if(!i||!n)return;function s(){var f=i.files;n.textContent=f&&f.length?\": \"+f[0].name:\"\";}i.addEventListener(\"change\",s);s();})();";

/// The upload form. Both forms post `multipart/form-data` to `upload` (relative: the page is
/// served at `/` and `/upload`) with the page's language in the query, so the result comes
/// back in the same language: a `file` field, or a `qr` text field.
///
/// With `replacement` (the id a revoked record's page links with, `urn:uuid:…`), a note above
/// the forms says which record to ask for and to check.
pub(super) fn upload(lang: Lang, error: Option<&str>, replacement: Option<&str>) -> String {
    let title = lang.pick("Kiểm tra học bạ số", "Check a digital school record");
    let shell = Shell {
        lang,
        title,
        place: Place::Top,
        page: "upload",
    };
    let action = format!("upload?lang={}", lang.code());
    html::page(&shell, |h| {
        h.el("<h1>", title, "</h1>\n");
        if let Some(e) = error {
            h.el(
                "<div class=\"alert\" role=\"alert\" id=\"upload-error\">",
                e,
                "</div>\n",
            );
        }
        if let Some(id) = replacement {
            h.raw("<section class=\"card\" id=\"replacement\">\n")
                .el(
                    "<h2>",
                    lang.pick("Kiểm tra hồ sơ thay thế", "Check the replacement"),
                    "</h2>\n",
                )
                .raw("<p>")
                .text(lang.pick(
                    "Hồ sơ bạn vừa kiểm tra đã bị thu hồi; nhà trường đã cấp hồ sơ thay thế có mã ",
                    "The record you checked was revoked; the school has issued a replacement with the id ",
                ))
                .raw("<span class=\"mono\" id=\"replacement-id\">")
                .text(id)
                .raw("</span>.</p>\n")
                .el(
                    "<p class=\"hint\">",
                    lang.pick(
                        "Trình kiểm tra không lưu hồ sơ nào: hãy đề nghị học sinh hoặc gia đình gửi tệp PDF (hoặc ảnh mã QR) của hồ sơ thay thế và tải lên dưới đây. Kết quả phải ghi đúng mã hồ sơ này và \"Thay thế hồ sơ đã thu hồi\".",
                        "The verifier keeps no records: ask the pupil or the family for the replacement's PDF (or a photo of its QR code) and upload it below. The result must show this record id and \"Replaces the revoked record\".",
                    ),
                    "</p>\n</section>\n",
                );
        }
        h.raw("<section class=\"card\">\n")
            .el(
                "<h2>",
                lang.pick("Tải lên một tệp", "Upload a file"),
                "</h2>\n",
            )
            .raw("<form id=\"upload-file\" method=\"post\" enctype=\"multipart/form-data\" action=\"")
            .text(&action)
            .raw("\">\n<label for=\"file\">")
            .text(lang.pick(
                "Tệp PDF của học bạ, tệp hồ sơ (JSON) hoặc ảnh chụp mã QR (PNG, JPEG)",
                "The record's PDF, the credential file (JSON) or a photo of the QR code (PNG, JPEG)",
            ))
            .raw("</label>\n<div class=\"file-pick\">\n<input type=\"file\" id=\"file\" name=\"file\" class=\"file-input\" required accept=\".pdf,.json,.png,.jpg,.jpeg,application/pdf,application/json,image/png,image/jpeg\">\n<label for=\"file\" class=\"file-button\" id=\"file-button\">")
            .text(lang.pick("Chọn tệp…", "Choose a file…"))
            .raw("</label>\n<span class=\"file-name\" id=\"file-name\" aria-live=\"polite\"><span class=\"file-none\">")
            .text(lang.pick("Chưa chọn tệp nào", "No file chosen"))
            .raw("</span><span class=\"file-some\">")
            .text(lang.pick("Đã chọn tệp", "File chosen"))
            .raw("<span id=\"file-chosen-name\"></span></span></span>\n</div>\n")
            .el(
                "<p class=\"hint\">",
                lang.pick(
                    "Tệp PDF mang theo hồ sơ đã ký đầy đủ; ảnh mã QR chỉ kiểm tra được bản tóm tắt.",
                    "A PDF carries the whole signed record; a QR photo checks only the summary.",
                ),
                "</p>\n",
            )
            .el(
                "<button type=\"submit\">",
                lang.pick("Kiểm tra", "Check"),
                "</button>\n</form>\n</section>\n",
            )
            .raw("<script>")
            .raw(FILE_NAME_SCRIPT)
            .raw("</script>\n");
        h.raw("<section class=\"card\">\n")
            .el(
                "<h2>",
                lang.pick("Hoặc dán nội dung mã QR", "Or paste the QR code's text"),
                "</h2>\n",
            )
            .raw("<form id=\"upload-qr\" method=\"post\" enctype=\"multipart/form-data\" action=\"")
            .text(&action)
            .raw("\">\n<label for=\"qr\">")
            .text(lang.pick(
                "Nội dung mã QR (bắt đầu bằng HTTPS://…/V/ hoặc chỉ các chữ số)",
                "The QR code's text (starting HTTPS://…/V/, or the digits alone)",
            ))
            .raw("</label>\n<textarea id=\"qr\" name=\"qr\" required spellcheck=\"false\" autocapitalize=\"off\" autocomplete=\"off\"></textarea>\n")
            .el(
                "<button type=\"submit\">",
                lang.pick("Kiểm tra", "Check"),
                "</button>\n</form>\n</section>\n",
            );
    })
}

/// An error page: `status` and the message in the page's language.
pub(super) fn error(lang: Lang, status: u16, message_vi: &str, message_en: &str) -> String {
    let heading = match status {
        404 => lang.pick("Không tìm thấy", "Not found"),
        400..=499 => lang.pick("Không kiểm tra được", "Could not check"),
        _ => lang.pick("Có lỗi xảy ra", "Something went wrong"),
    };
    let title = format!("{status} — {heading}");
    let shell = Shell {
        lang,
        title: &title,
        place: Place::Anywhere,
        page: "error",
    };
    html::page(&shell, |h| {
        h.raw("<section class=\"card\" id=\"error\" data-status=\"")
            .text(&status.to_string())
            .raw("\">\n")
            .el("<h1>", heading, "</h1>\n")
            .el(
                "<p class=\"alert\" role=\"alert\" id=\"error-message\">",
                lang.pick(message_vi, message_en),
                "</p>\n",
            )
            .el(
                "<p class=\"hint\">",
                lang.pick(
                    "Nếu bạn quét mã QR trên học bạ, hãy quét lại cho rõ, hoặc tải tệp PDF của học bạ lên bằng liên kết bên dưới.",
                    "If you scanned the QR code on a record, scan it again more clearly, or upload the record's PDF with the link below.",
                ),
                "</p>\n</section>\n",
            );
    })
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};

    use super::*;

    #[test]
    fn both_content_security_policies_allow_exactly_the_file_name_script() {
        let digest = Sha256::digest(FILE_NAME_SCRIPT.as_bytes());
        let hash = format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        for csp in [super::super::html::CSP, crate::service::web::PAGE_CSP] {
            assert!(csp.contains(&format!("script-src {hash};")), "{csp}");
        }
        let page = upload(Lang::Vi, None, None);
        assert_eq!(page.matches("<script>").count(), 1);
        assert!(page.contains(&format!("<script>{FILE_NAME_SCRIPT}</script>")));
    }
}
