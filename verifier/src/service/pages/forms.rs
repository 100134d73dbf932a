//! The upload page (a PDF, a credential JSON or a photo of the QR code, or the QR text pasted)
//! and the error page.

use super::Lang;
use super::html::{self, Place, Shell};

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
            .raw("</label>\n<input type=\"file\" id=\"file\" name=\"file\" required accept=\".pdf,.json,.png,.jpg,.jpeg,application/pdf,application/json,image/png,image/jpeg\">\n")
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
            );
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
