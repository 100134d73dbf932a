//! HTML text building: escaping, and the page shell every page shares (head with the inline
//! style sheet and the Content-Security-Policy, top bar with the language switch, footer).

use super::Lang;

/// `text` with the five HTML-significant characters replaced by entities (`&`, `<`, `>`, `"`,
/// `'`), safe both as element text and inside a quoted attribute value. NUL becomes U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// A growing HTML document. [`Html::raw`] takes markup written in this module's source;
/// [`Html::text`] takes anything else (record content, request input) and escapes it.
pub(super) struct Html {
    out: String,
}

impl Html {
    fn new() -> Self {
        Self {
            out: String::with_capacity(16 * 1024),
        }
    }

    /// Markup from this module's own source (never data).
    pub(super) fn raw(&mut self, markup: &str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Text, escaped.
    pub(super) fn text(&mut self, text: &str) -> &mut Self {
        push_escaped(&mut self.out, text);
        self
    }

    /// `open` + escaped `text` + `close`, e.g. `h.el("<h2>", title, "</h2>")`.
    pub(super) fn el(&mut self, open: &str, text: &str, close: &str) -> &mut Self {
        self.raw(open).text(text).raw(close)
    }

    /// One label/value pair of a `<dl class="fields">`: `<dt>label</dt><dd>value</dd>`, with an
    /// optional `id` on the value for tests. An empty value is shown as a dash.
    pub(super) fn field(&mut self, id: Option<&str>, label: &str, value: &str) -> &mut Self {
        self.el("<dt>", label, "</dt>");
        match id {
            Some(id) => self.raw("<dd id=\"").text(id).raw("\">"),
            None => self.raw("<dd>"),
        };
        self.text(if value.trim().is_empty() {
            "—"
        } else {
            value
        })
        .raw("</dd>")
    }
}

/// Where a page sits, so that its links work behind any path prefix: links are relative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// `/V/<digits>` (the QR landing page): the upload page is `../upload`.
    QrLanding,
    /// `/`, `/upload`: the upload page is `upload`.
    Top,
    /// Anywhere (error pages): the upload page is `/upload`.
    Anywhere,
}

impl Place {
    fn upload_href(self, lang: Lang) -> String {
        let path = match self {
            Place::QrLanding => "../upload",
            Place::Top => "upload",
            Place::Anywhere => "/upload",
        };
        match lang {
            Lang::Vi => path.to_owned(),
            Lang::En => format!("{path}?lang=en"),
        }
    }
}

/// The link to the upload page from `place`, in `lang`.
pub(super) fn upload_href(place: Place, lang: Lang) -> String {
    place.upload_href(lang)
}

/// What the shell needs to know about a page.
pub(super) struct Shell<'a> {
    /// Language of the page.
    pub(super) lang: Lang,
    /// `<title>` (escaped here).
    pub(super) title: &'a str,
    /// Where the page is served.
    pub(super) place: Place,
    /// `data-page` on `<body>`, for tests (`qr`, `credential`, `upload`, `error`).
    pub(super) page: &'static str,
}

/// No frames, nothing from anywhere: only the inline style sheet, `data:` images, forms
/// posting back to this service, and one script pinned by its hash (the upload page's file
/// name, [`super::forms::FILE_NAME_SCRIPT`]); any other script is refused.
pub(super) const CSP: &str = "default-src 'none'; script-src 'sha256-OJSS/Lcuvmlosyz36HINRZgfyu7YzEnZvXRb7xbRLlQ='; \
                   style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'";

/// A complete HTML document: the shell around what `body` writes.
pub(super) fn page(shell: &Shell<'_>, body: impl FnOnce(&mut Html)) -> String {
    let lang = shell.lang;
    let mut h = Html::new();
    h.raw("<!DOCTYPE html>\n<html lang=\"")
        .raw(lang.code())
        .raw("\">\n<head>\n<meta charset=\"utf-8\">\n")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .raw(CSP)
        .raw("\">\n<meta name=\"referrer\" content=\"no-referrer\">\n")
        .raw("<meta name=\"robots\" content=\"noindex, nofollow\">\n")
        .raw("<meta name=\"color-scheme\" content=\"light\">\n")
        .el("<title>", shell.title, "</title>\n")
        .raw("<style>")
        .raw(STYLE)
        .raw("</style>\n</head>\n<body data-page=\"")
        .raw(shell.page)
        .raw("\">\n<header class=\"top\">\n<span class=\"brand\">")
        .text(lang.pick("Học bạ số · Kiểm tra", "Digital học bạ · Verify"))
        .raw("</span>\n");
    let (href, hreflang, label) = match lang {
        Lang::Vi => ("?lang=en", "en", "English"),
        Lang::En => ("?lang=vi", "vi", "Tiếng Việt"),
    };
    h.raw("<a id=\"lang-switch\" href=\"")
        .raw(href)
        .raw("\" hreflang=\"")
        .raw(hreflang)
        .raw("\" lang=\"")
        .raw(hreflang)
        .raw("\">")
        .text(label)
        .raw("</a>\n</header>\n<main>\n");
    body(&mut h);
    h.raw("</main>\n<footer class=\"bottom\">\n<p><a id=\"upload-link\" href=\"")
        .text(&upload_href(shell.place, lang))
        .raw("\">")
        .text(lang.pick(
            "Kiểm tra một tệp PDF, tệp hồ sơ (JSON) hoặc ảnh chụp mã QR",
            "Check a PDF, a credential file (JSON) or a photo of a QR code",
        ))
        .raw("</a></p>\n<p>")
        .text(lang.pick(
            "Trang này được tạo bởi trình kiểm tra học bạ số; nó không tải gì từ nơi khác.",
            "This page was made by the học bạ số verifier; it loads nothing from elsewhere.",
        ))
        .raw("</p>\n</footer>\n</body>\n</html>\n");
    h.out
}

/// The whole style sheet: mobile first (one column, large verdict), two-column fields from
/// 36 rem up, wide tables scroll sideways inside their card, print in black on white.
const STYLE: &str = r#"
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#f3f4f6;color:#1b1b1b;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
a{color:#0b57d0}
header.top{display:flex;justify-content:space-between;align-items:center;gap:.5rem;max-width:48rem;margin:0 auto;padding:.6rem .75rem}
.brand{font-weight:700;color:#333}
#lang-switch{border:1px solid #0b57d0;border-radius:999px;padding:.2rem .8rem;text-decoration:none;font-size:.9rem;white-space:nowrap}
main{max-width:48rem;margin:0 auto;padding:0 .75rem 1rem}
h1{font-size:1.35rem;line-height:1.3;margin:.25rem 0 .75rem}
h2{font-size:1.1rem;margin:0 0 .6rem}
h3{font-size:1rem;margin:1rem 0 .5rem}
.verdict{border-radius:14px;padding:1.1rem 1rem 1rem;margin:.25rem 0 1rem;color:#fff}
.verdict p{margin:.35rem 0 0}
.verdict .verdict-label{margin:0;font-size:2.1rem;font-weight:800;line-height:1.15;display:flex;align-items:center;gap:.6rem}
.verdict .icon{display:inline-flex;align-items:center;justify-content:center;flex:none;width:2.6rem;height:2.6rem;border-radius:50%;background:rgba(255,255,255,.22);font-size:1.7rem}
.verdict .verdict-reason{font-size:1.1rem;font-weight:600}
.verdict .note{font-size:.95rem;background:rgba(0,0,0,.18);border-radius:8px;padding:.4rem .6rem;margin-top:.6rem}
.verdict .as-of{font-size:.9rem;margin-top:.4rem;opacity:.95}
.verdict .replaced-by a{color:inherit;font-weight:700;text-decoration:underline;text-underline-offset:2px}
.v-valid{background:#1e7b34}
.v-invalid{background:#b3261e}
.v-revoked{background:#5c1a1a}
.v-status_unknown{background:#8a5300}
.card{background:#fff;border-radius:12px;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 3px rgba(0,0,0,.1)}
.card.unverified{border:2px dashed #b3261e}
.card .lead{margin:0 0 .75rem;color:#444;font-size:.95rem}
.doc-head{text-align:center;margin-bottom:.75rem}
.doc-head .issuer-line{font-size:.85rem;text-transform:uppercase;margin:0}
.doc-head .title{font-size:1.5rem;font-weight:800;letter-spacing:.08em;margin:.25rem 0 0}
.doc-head .sub{margin:0;font-weight:600}
dl.fields{display:grid;grid-template-columns:1fr;margin:0}
dl.fields dt{color:#555;font-size:.85rem}
dl.fields dd{margin:0 0 .55rem;font-weight:600;overflow-wrap:anywhere}
@media (min-width:36rem){dl.fields{grid-template-columns:minmax(9rem,max-content) 1fr;column-gap:1rem}dl.fields dt,dl.fields dd{padding:.2rem 0;margin:0;border-bottom:1px solid #eee}}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:0 -.25rem;padding:0 .25rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.25rem 0 .5rem}
th,td{border:1px solid #c9ccd1;padding:.3rem .4rem;vertical-align:top;text-align:left}
th{background:#eef0f3;font-weight:700}
thead th{font-size:.8rem}
th.c{text-align:center}
td.c{text-align:center;white-space:nowrap}
tbody th{background:#fff;font-weight:600}
tr.note-row td{font-size:.85rem;color:#333;background:#fafafa;border-top:0}
.note-label{color:#666;font-style:italic}
.legend{font-size:.8rem;color:#555;font-style:italic;margin:.25rem 0 .75rem}
.para{white-space:pre-wrap;margin:.25rem 0 .75rem}
.signatures{display:grid;grid-template-columns:1fr 1fr;gap:.5rem;text-align:center;margin-top:1rem}
.signatures .role{font-weight:700;font-size:.85rem;text-transform:uppercase;margin:0}
.signatures .who{font-weight:700;margin:.25rem 0 0}
.place-date{text-align:right;font-style:italic;margin:.75rem 0 0}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;overflow-wrap:anywhere}
ul.checks{list-style:none;padding:0;margin:0}
ul.checks li{display:flex;gap:.5rem;padding:.4rem 0;border-bottom:1px solid #eee}
ul.checks .mark{flex:none;width:1.5rem;height:1.5rem;border-radius:50%;display:inline-flex;align-items:center;justify-content:center;font-weight:700;color:#fff;background:#777;font-size:.9rem}
ul.checks .o-passed .mark{background:#1e7b34}
ul.checks .o-failed .mark{background:#b3261e}
ul.checks .o-warning .mark{background:#8a5300}
ul.checks small{display:block;color:#666;overflow-wrap:anywhere}
.trust{font-size:.9rem;color:#444;margin:.75rem 0 0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
form{margin:0}
label{display:block;font-weight:600;margin:0 0 .35rem}
input[type=file]{display:block;width:100%;font-size:1rem;padding:.6rem;border:2px dashed #9aa0a6;border-radius:10px;background:#fafafa}
.file-pick{position:relative;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem .75rem;padding:.75rem;border:2px dashed #9aa0a6;border-radius:10px;background:#fafafa}
.file-pick .file-input{position:absolute;left:.75rem;bottom:.75rem;width:1px;height:1px;padding:0;margin:0;border:0;opacity:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.file-pick .file-button{display:inline-block;margin:0;padding:.6rem 1rem;font-weight:700;color:#0b57d0;background:#fff;border:2px solid #0b57d0;border-radius:10px;cursor:pointer;white-space:nowrap}
.file-pick .file-button:hover{background:#e8f0fe}
.file-pick .file-input:focus-visible+.file-button{outline:3px solid #0b57d0;outline-offset:2px}
.file-pick .file-name{flex:1 1 10rem;min-width:0;color:#444;overflow-wrap:anywhere}
.file-pick .file-input:valid~.file-name .file-none,.file-pick .file-input:invalid~.file-name .file-some{display:none}
.file-pick .file-input:valid~.file-name{color:#1b1b1b;font-weight:600}
textarea{display:block;width:100%;min-height:6rem;font:inherit;font-size:.9rem;padding:.5rem;border:1px solid #9aa0a6;border-radius:10px}
button{display:block;width:100%;margin-top:.75rem;padding:.8rem 1rem;font:inherit;font-weight:700;color:#fff;background:#0b57d0;border:0;border-radius:10px;cursor:pointer}
.hint{font-size:.85rem;color:#555;margin:.4rem 0 0}
.alert{border-radius:10px;padding:.75rem 1rem;margin:0 0 1rem;background:#fdecea;color:#8c1d18;border:1px solid #f5c2bf;font-weight:600}
footer.bottom{max-width:48rem;margin:0 auto;padding:0 .75rem 2rem;font-size:.85rem;color:#555}
@media print{body{background:#fff}header.top,footer.bottom,#lang-switch{display:none}.card{box-shadow:none;border:1px solid #999}.verdict{color:#000;border:3px solid #000;background:#fff}}
"#;
