//! The admissions officer's page: `GET /admissions` (the form), `POST /admissions` (a ZIP of
//! PDFs and/or share codes, a scheme → the ranked table with each candidate's breakdown) and
//! `GET /admissions/results/{token}/xet-tuyen.xlsx` (that table as XLSX).
//!
//! Vietnamese first, `?lang=en` for English; the verifier's own shell and style sheet
//! ([`super::super::pages::page_with`]), no scripts, nothing external. A result is kept in
//! memory under a random 128-bit token (the last [`KEPT_RESULTS`] results) so the XLSX is the
//! very table on screen: share codes work once, so scoring again is not an option.
//!
//! Hooks for tests: `body[data-page=admissions]`, `#admissions-form`, `#ranking tbody tr`
//! with `data-candidate`, `data-combination`, `data-total`; `#refused li[data-candidate]
//! [data-code]`; `#download-xlsx`; `#admissions-error`; one `details.candidate` per candidate.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::super::AppState;
use super::super::api::multipart_problem;
use super::super::pages::{Lang, escape, page_with};
use super::super::web::PAGE_CSP;
use super::request::{Format, answer};
use super::{Scored, form, score_candidates};
use crate::admissions::{Assessment, check_extras};

/// How many results are kept for their XLSX download.
pub const KEPT_RESULTS: usize = 32;

/// Results kept for download, newest last.
#[derive(Debug, Default)]
pub struct Kept {
    results: Mutex<VecDeque<(String, Arc<Scored>)>>,
}

impl Kept {
    fn put(&self, scored: Scored) -> Option<String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).ok()?;
        let token: String = bytes.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        let mut results = self.results.lock().ok()?;
        if results.len() >= KEPT_RESULTS {
            results.pop_front();
        }
        results.push_back((token.clone(), Arc::new(scored)));
        Some(token)
    }

    fn get(&self, token: &str) -> Option<Arc<Scored>> {
        let results = self.results.lock().ok()?;
        results
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, s)| Arc::clone(s))
    }
}

fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

fn title(lang: Lang) -> &'static str {
    lang.pick(
        "Xét tuyển bằng học bạ số",
        "Admission by digital school records",
    )
}

/// The form, with an error above it and the candidate lines kept.
fn form_html(state: &AppState, lang: Lang, selected: &str, lines: &str) -> String {
    let config = state.admissions();
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<section class=\"card\">\n<form id=\"admissions-form\" method=\"post\" \
         enctype=\"multipart/form-data\" action=\"admissions?lang={}\">\n<label for=\"scheme\">{}</label>\n\
         <select id=\"scheme\" name=\"scheme\" style=\"width:100%;font:inherit;padding:.5rem;margin-bottom:.75rem\">",
        lang.code(),
        escape(lang.pick("Phương án xét tuyển", "Admission scheme")),
    );
    for s in &config.schemes {
        let _ = writeln!(
            b,
            "<option value=\"{}\"{}>{}</option>",
            escape(&s.name),
            if s.name == selected { " selected" } else { "" },
            escape(lang.pick(&s.title, &s.title_en)),
        );
    }
    let _ = writeln!(
        b,
        "</select>\n<label for=\"zip\">{}</label>\n<input type=\"file\" id=\"zip\" name=\"zip\" \
         accept=\".zip,application/zip\">\n<p class=\"hint\">{}</p>\n<label for=\"candidates\" \
         style=\"margin-top:.75rem\">{}</label>\n<textarea id=\"candidates\" name=\"candidates\" \
         spellcheck=\"false\" autocapitalize=\"off\" autocomplete=\"off\" \
         placeholder=\"TS-001; ABCD-EFGH-JKLM; KV1; UT1; 1,5\">{}</textarea>\n<p class=\"hint\">{}</p>\n\
         <button type=\"submit\">{}</button>\n</form>\n</section>",
        escape(lang.pick(
            "Tệp ZIP chứa PDF học bạ lớp 10, 11, 12",
            "ZIP of the grade 10, 11 and 12 record PDFs",
        )),
        escape(lang.pick(
            "Mỗi thí sinh một thư mục mang mã thí sinh (TS-001/lop12.pdf), hoặc tên tệp bắt đầu bằng mã thí sinh và dấu _ (TS-001_lop12.pdf).",
            "One folder per candidate named by the candidate id (TS-001/lop12.pdf), or file names starting with the id and _ (TS-001_lop12.pdf).",
        )),
        escape(lang.pick(
            "Mã chia sẻ và ưu tiên, mỗi thí sinh một dòng",
            "Share codes and priority, one candidate per line",
        )),
        escape(lines),
        escape(lang.pick(
            "Dạng: mã thí sinh; mã chia sẻ; khu vực; đối tượng; điểm cộng. Chỉ mã thí sinh là bắt buộc: \"TS-001; ; KV1\" đặt khu vực cho thí sinh có PDF trong tệp ZIP.",
            "Form: candidate id; share codes; area; policy group; bonus. Only the id is required: \"TS-001; ; KV1\" sets the area of a candidate whose PDFs are in the ZIP.",
        )),
        escape(lang.pick("Xét điểm", "Score")),
    );
    b
}

fn page(
    state: &AppState,
    lang: Lang,
    error: Option<&str>,
    selected: &str,
    lines: &str,
    result: &str,
) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", escape(title(lang)));
    if let Some(e) = error {
        let _ = writeln!(
            b,
            "<div class=\"alert\" role=\"alert\" id=\"admissions-error\">{}</div>",
            escape(e)
        );
    }
    b.push_str(result);
    b.push_str(&form_html(state, lang, selected, lines));
    page_with(lang, title(lang), "admissions", &b)
}

/// `GET /admissions`.
pub(super) async fn form_page(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let lang = Lang::from_query(q.as_deref());
    let first = state
        .admissions()
        .schemes
        .first()
        .map(|s| s.name.clone())
        .unwrap_or_default();
    html(StatusCode::OK, page(&state, lang, None, &first, "", ""))
}

/// `POST /admissions`.
pub(super) async fn submit(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    request: Request,
) -> Response {
    let lang = Lang::from_query(q.as_deref());
    let mut scheme_name = String::new();
    let mut lines = String::new();
    let refuse = |status: StatusCode, vi: &str, en: &str, scheme: &str, lines: &str| {
        html(
            status,
            page(&state, lang, Some(lang.pick(vi, en)), scheme, lines, ""),
        )
    };
    let permit = match state.heavy_permit().await {
        Ok(p) => p,
        Err(_) => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "Máy chủ đang bận kiểm tra hồ sơ khác: hãy thử lại sau ít phút.",
                "The server is busy checking other records: try again in a few minutes.",
                "",
                "",
            );
        }
    };
    let mut multipart = match Multipart::from_request(request, &()).await {
        Ok(m) => m,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Biểu mẫu gửi lên không đọc được: hãy tải lại trang rồi thử lại.",
                &format!(
                    "The form could not be read ({}): reload the page and try again.",
                    e.body_text()
                ),
                "",
                "",
            );
        }
    };
    let mut zip: Option<Vec<u8>> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let p = multipart_problem(&e);
                return refuse(
                    StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
                    "Tệp gửi lên quá lớn hoặc bị hỏng.",
                    "The upload is too large or damaged.",
                    &scheme_name,
                    &lines,
                );
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        let Ok(bytes) = field.bytes().await else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Tệp gửi lên quá lớn hoặc bị hỏng.",
                "The upload is too large or damaged.",
                &scheme_name,
                &lines,
            );
        };
        match name.as_str() {
            "scheme" => scheme_name = String::from_utf8_lossy(&bytes).trim().to_owned(),
            "candidates" => lines = String::from_utf8_lossy(&bytes).into_owned(),
            "zip" if !bytes.is_empty() => zip = Some(bytes.to_vec()),
            _ => {}
        }
    }
    let config = state.admissions();
    let Some(scheme) = config.scheme(&scheme_name) else {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Hãy chọn một phương án xét tuyển trong danh sách.",
            "Pick an admission scheme from the list.",
            &scheme_name,
            &lines,
        );
    };
    let work = {
        let lines = lines.clone();
        state
            .run_blocking(None, move || -> Result<_, form::FormError> {
                let items = match zip {
                    Some(z) => form::read_zip(&z)?,
                    None => Vec::new(),
                };
                form::candidates(items, &lines)
            })
            .await
    };
    let candidates = match work {
        Ok(Ok(c)) => c,
        Ok(Err((vi, en))) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                &vi,
                &en,
                &scheme_name,
                &lines,
            );
        }
        Err(p) => {
            return refuse(
                StatusCode::from_u16(p.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                "Không xử lý kịp tệp gửi lên: hãy chia thành nhiều tệp ZIP nhỏ hơn.",
                "The upload could not be processed in time: split it into smaller ZIP files.",
                &scheme_name,
                &lines,
            );
        }
    };
    for c in &candidates {
        if let Err((_, detail)) = check_extras(&scheme, &c.extras) {
            let vi = format!(
                "Thí sinh {}: khu vực, đối tượng hoặc điểm cộng không đúng với phương án ({detail}).",
                c.id
            );
            let en = format!("Candidate {}: {detail}", c.id);
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                &vi,
                &en,
                &scheme_name,
                &lines,
            );
        }
    }
    let scored = match score_candidates(&state, scheme, candidates, permit).await {
        Ok(s) => s,
        Err(p) => {
            return refuse(
                StatusCode::from_u16(p.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                "Chưa xét được: không có dữ liệu tin cậy hoặc máy chủ đang bận; hãy thử lại sau.",
                &format!("Could not score: {}", p.detail),
                &scheme_name,
                &lines,
            );
        }
    };
    let result = result_html(&scored, lang, config.kept.put(scored.clone()).as_deref());
    html(
        StatusCode::OK,
        page(&state, lang, None, &scheme_name, &lines, &result),
    )
}

/// `GET /admissions/results/{token}/xet-tuyen.xlsx`.
pub(super) async fn export(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.admissions().kept.get(&token) {
        Some(scored) => match answer(&scored, Format::Xlsx) {
            Ok(r) => r,
            Err(p) => p.into_response(),
        },
        None => html(
            StatusCode::NOT_FOUND,
            page_with(
                Lang::Vi,
                "404",
                "error",
                "<section class=\"card\" id=\"error\" data-status=\"404\"><p class=\"alert\">Kết quả này không còn được lưu: hãy xét điểm lại. (This result is no longer kept: score again.)</p></section>",
            ),
        ),
    }
}

fn number(x: f64) -> String {
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}

fn result_html(scored: &Scored, lang: Lang, token: Option<&str>) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<section class=\"card\" id=\"result\">\n<h2>{}</h2>\n<p class=\"lead\">{} · {} {} · {} {} · {} {}</p>",
        escape(lang.pick(&scored.scheme.title, &scored.scheme.title_en)),
        escape(&scored.checked_at),
        scored.count,
        escape(lang.pick("thí sinh", "candidates")),
        scored.scored,
        escape(lang.pick("được xét", "scored")),
        scored.refused,
        escape(lang.pick("không xét", "refused")),
    );
    let _ = writeln!(
        b,
        "<p class=\"legend\">{}</p>",
        escape(lang.pick(
            "Điểm xét tuyển = điểm tổ hợp + điểm cộng + điểm ưu tiên; chi tiết từng môn ở phần của mỗi thí sinh bên dưới.",
            "Admission score = combination score + bonus + priority; each subject's detail is in the candidate's part below.",
        ))
    );
    if let Some(t) = token {
        let _ = writeln!(
            b,
            "<p><a id=\"download-xlsx\" href=\"admissions/results/{t}/xet-tuyen.xlsx\" download>{}</a></p>",
            escape(lang.pick("Tải bảng xếp hạng (XLSX)", "Download the ranking (XLSX)")),
        );
    }
    let mut rows: Vec<(&Assessment, &crate::admissions::CombinationScore)> = scored
        .candidates
        .iter()
        .flat_map(|a| a.scores.iter().map(move |s| (a, s)))
        .collect();
    rows.sort_by(|a, b| b.1.total.total_cmp(&a.1.total));
    let _ = writeln!(
        b,
        "<div class=\"scroll\"><table id=\"ranking\"><thead><tr><th class=\"c\">{}</th><th>{}</th><th class=\"c\">{}</th><th class=\"c\">{}</th></tr></thead><tbody>",
        escape(lang.pick("Hạng", "Rank")),
        escape(lang.pick("Thí sinh", "Candidate")),
        escape(lang.pick("Tổ hợp", "Combination")),
        escape(lang.pick("Điểm xét tuyển", "Admission score")),
    );
    for (rank, (a, s)) in rows.iter().enumerate() {
        let _ = writeln!(
            b,
            "<tr data-candidate=\"{id}\" data-combination=\"{c}\" data-total=\"{t}\"><td class=\"c\">{r}</td><td><strong>{id}</strong><br>{name}</td><td class=\"c\" title=\"{cn}\">{c}</td><td class=\"c\"><strong>{total}</strong><br><small>{cs} + {bonus} + {prio}</small></td></tr>",
            id = escape(&a.id),
            c = escape(&s.combination),
            t = s.total,
            r = rank + 1,
            name = escape(a.pupil.full_name.as_deref().unwrap_or("")),
            cn = escape(&s.name),
            cs = number(s.combination_score),
            bonus = number(s.bonus),
            prio = number(s.priority.applied),
            total = number(s.total),
        );
    }
    b.push_str("</tbody></table></div>\n");
    let refused: Vec<&Assessment> = scored
        .candidates
        .iter()
        .filter(|a| a.scores.is_empty())
        .collect();
    if !refused.is_empty() {
        let _ = writeln!(
            b,
            "<h3>{}</h3>\n<ul id=\"refused\" class=\"checks\">",
            escape(lang.pick("Không xét điểm", "Not scored"))
        );
        for a in refused {
            let (code, text) = a
                .refusal
                .as_ref()
                .map_or(("", ""), |r| (r.code.as_str(), lang.pick(&r.vi, &r.en)));
            let _ = writeln!(
                b,
                "<li class=\"o-failed\" data-candidate=\"{}\" data-code=\"{}\"><span class=\"mark\">✗</span><span><strong>{}</strong> {}</span></li>",
                escape(&a.id),
                escape(code),
                escape(&a.id),
                escape(text),
            );
        }
        b.push_str("</ul>\n");
    }
    b.push_str("</section>\n");
    for a in scored.candidates.iter().filter(|a| !a.scores.is_empty()) {
        breakdown(&mut b, a, lang);
    }
    b
}

fn breakdown(b: &mut String, a: &Assessment, lang: Lang) {
    let _ = writeln!(
        b,
        "<details class=\"card candidate\" data-candidate=\"{}\"><summary><strong>{}</strong> · {} · {} {}</summary>",
        escape(&a.id),
        escape(&a.id),
        escape(a.pupil.full_name.as_deref().unwrap_or("")),
        escape(lang.pick("cao nhất", "best")),
        a.best.map(number).unwrap_or_default(),
    );
    for s in &a.scores {
        let _ = writeln!(
            b,
            "<h3>{} <small>{}</small></h3>\n<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th class=\"c\">{}</th><th class=\"c\">{}</th></tr></thead><tbody>",
            escape(&s.combination),
            escape(&s.name),
            escape(lang.pick("Môn", "Subject")),
            escape(lang.pick("Điểm dùng để tính", "Values used")),
            escape(lang.pick("Trung bình", "Average")),
            escape(lang.pick("Hệ số", "Weight")),
        );
        for p in &s.subjects {
            let used: Vec<String> = p
                .terms
                .iter()
                .map(|t| {
                    let period = match (lang, t.period) {
                        (Lang::Vi, p) => p.label_vi(),
                        (Lang::En, crate::admissions::scheme::Period::Semester1) => "semester 1",
                        (Lang::En, crate::admissions::scheme::Period::Semester2) => "semester 2",
                        (Lang::En, crate::admissions::scheme::Period::Year) => "year",
                    };
                    format!(
                        "{} {} {}: {}",
                        lang.pick("Lớp", "Grade"),
                        t.grade,
                        period,
                        number(t.value)
                    )
                })
                .collect();
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td class=\"c\">{}</td><td class=\"c\">{}</td></tr>",
                escape(&p.name),
                escape(&used.join("; ")),
                number(p.average),
                number(p.weight),
            );
        }
        let mut notes = Vec::new();
        if s.bonus_capped {
            notes.push(format!(
                "{} {} → {}",
                lang.pick("điểm cộng giới hạn", "bonus capped"),
                number(s.bonus_given),
                number(s.bonus)
            ));
        }
        if s.priority.reduced {
            notes.push(format!(
                "{} {} → {}",
                lang.pick(
                    "ưu tiên giảm do tổng điểm cao",
                    "priority reduced for a high total"
                ),
                number(s.priority.nominal),
                number(s.priority.applied)
            ));
        }
        if s.capped_at_max {
            notes.push(
                lang.pick(
                    "giới hạn ở điểm tối đa của thang",
                    "capped at the scale's maximum",
                )
                .to_owned(),
            );
        }
        let _ = writeln!(
            b,
            "</tbody></table></div>\n<p class=\"hint\">{} {} + {} {} + {} {} = <strong>{}</strong>{}</p>",
            escape(lang.pick("Điểm tổ hợp", "Combination")),
            number(s.combination_score),
            escape(lang.pick("cộng", "bonus")),
            number(s.bonus),
            escape(lang.pick("ưu tiên", "priority")),
            number(s.priority.applied),
            number(s.total),
            if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", escape(&notes.join("; ")))
            },
        );
    }
    b.push_str("</details>\n");
}
