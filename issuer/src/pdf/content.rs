//! The printed page drawn on A4: what it says comes from [`hocba_schema::paper`] (the one
//! description the verifier's record page renders too); this module places it as the paper
//! học bạ page of its level does: national header and title, the pupil and school block with
//! the QR beside it, the sections' tables and lines, the signatures, and what only paper has —
//! the national motto, the digital-signature line and the page footer.
//!
//! **One page when the form is one page.** Each year of the Ministry's học bạ forms is one
//! page, so the record is laid out to end above the signature block of page 1: at the normal
//! type size first, then a little smaller ([`SCALES`], down to 76 %: table text and legend
//! 6.1 pt, body 7.2 pt, nothing on the page under 6 pt), each size tried in the plain
//! arrangement and then in the compact one, where the closing lines sit beside the Quá trình
//! học tập table ([`band`]). Only a record too long for that (many long comments) runs over; it
//! is then laid out plainly at the normal size, each page names the pupil, the year and class
//! and says "Trang i/N", and the signature block closes the last page. The header, the QR code
//! (48 mm, for phones and 150 dpi scans; beside the title when the title leaves it room) and
//! the signature block keep their size. Why and what was measured: `schema/docs/record.md`,
//! *The printed page*.

use hocba_schema::paper::{self, Block, Field, Header, Paper, Section, Table};
use hocba_schema::record::YearRecord;

use printpdf::{FontId, PdfPage};

use super::fonts::{Face, Fonts};
use super::layout::{
    CONTENT_W, Column, Layout, MARGIN_TOP, MARGIN_X, PAGE_H, PAGE_W, signature_block,
};
use super::qr_image::QrMatrix;

/// What the page shows besides the record.
pub(crate) struct PageInfo<'a> {
    pub(crate) credential_id: &'a str,
    pub(crate) school_name: &'a str,
    /// `YYYY-MM-DD` of the proof's `created`.
    pub(crate) signed_date: &'a str,
    pub(crate) signed_at: &'a str,
    pub(crate) qr: &'a QrMatrix,
    /// On a correction, the id of the revoked record it replaces.
    pub(crate) replaces: Option<&'a str>,
}

const BODY: f32 = 9.5;
const SMALL: f32 = 8.0;
/// QR side in points (48 mm: a version-16 code, the largest summary, keeps 3 px a module
/// in a 150 dpi scan, which the verifier's photo reader needs).
const QR_SIZE: f32 = 136.0;

/// The type scales tried, largest first, to fit the record on one page.
const SCALES: [f32; 5] = [1.0, 0.94, 0.88, 0.82, 0.76];

/// Space kept between the end of the record and the signature block.
const ABOVE_SIGNATURES: f32 = 6.0;

/// Lay out the whole record, as [`paper::describe`] describes it, drawing with `fonts`
/// registered as `ids`: the pages of the PDF.
pub(crate) fn draw_record(
    fonts: &'static Fonts,
    ids: &[FontId; 3],
    r: &YearRecord,
    info: &PageInfo<'_>,
) -> Vec<PdfPage> {
    let page = paper::describe(r);
    let flow = |(scale, compact): (f32, bool)| {
        let mut l = Layout::new(fonts, ids.clone());
        l.scale = scale;
        let title = header(&mut l, &page.header);
        pupil_block(&mut l, &page, info, title);
        sections(&mut l, &page.sections, compact);
        l
    };
    let fits =
        |l: &Layout| l.page_count() == 1 && l.y >= signature_block().block.top() + ABOVE_SIGNATURES;
    let mut l = SCALES
        .iter()
        .flat_map(|&scale| [(scale, false), (scale, true)])
        .map(flow)
        .find(fits)
        // Too long for one page even in the smallest type: normal type over several pages.
        .unwrap_or_else(|| flow((1.0, false)));
    closing(&mut l, r, &page, info);
    l.finish(|l, n, total| decorate(l, n, total, r, info))
}

/// The national header and the title; returns the top of the title lines and the width of the
/// widest (the right of the page beside them is free when they are narrow: [`pupil_block`]).
fn header(l: &mut Layout, h: &Header) -> (f32, f32) {
    let top = l.y;
    let left_cx = MARGIN_X + 95.0;
    let right_cx = PAGE_W - MARGIN_X - 130.0;
    l.centered(
        left_cx,
        top - 10.0,
        Face::Regular,
        SMALL + 0.5,
        &h.department,
    );
    let lines = l.wrap(Face::Bold, SMALL + 0.5, 190.0, &h.school);
    let mut y = top - 21.0;
    for line in &lines {
        l.centered(left_cx, y, Face::Bold, SMALL + 0.5, line);
        y -= 10.5;
    }
    l.centered(
        right_cx,
        top - 10.0,
        Face::Bold,
        SMALL + 0.5,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    );
    l.centered(
        right_cx,
        top - 21.0,
        Face::Bold,
        SMALL + 1.0,
        "Độc lập - Tự do - Hạnh phúc",
    );
    let w = l.width(Face::Bold, SMALL + 1.0, "Độc lập - Tự do - Hạnh phúc");
    l.line(
        right_cx - w / 2.0,
        top - 24.0,
        right_cx + w / 2.0,
        top - 24.0,
    );
    l.y = y.min(top - 30.0) - 8.0;
    let title_top = l.y;
    let level = h
        .level
        .as_ref()
        .map(|lv| lv.vi.to_uppercase())
        .unwrap_or_default();
    let lines = [
        (Face::Bold, 15.0, h.title),
        (Face::Bold, 10.5, level.as_str()),
        (Face::Regular, 10.0, h.year_line.vi.as_str()),
    ];
    let mut widest = 0.0f32;
    for (face, size, text) in lines {
        l.centered_line(face, size, text);
        widest = widest.max(l.width(face, size * l.scale, text));
    }
    l.gap(6.0);
    (title_top, widest)
}

/// The pupil and school block with the QR code to its right. The code starts beside the title
/// when the title lines leave it room (they are centred and short), else under them; a
/// correction says first, left of the code, which record it replaces.
fn pupil_block(l: &mut Layout, page: &Paper, info: &PageInfo<'_>, title: (f32, f32)) {
    let (title_top, title_w) = title;
    let width = CONTENT_W - QR_SIZE - 14.0;
    let qx = PAGE_W - MARGIN_X - QR_SIZE;
    let beside_title = PAGE_W / 2.0 + title_w / 2.0 + 10.0 <= qx;
    let qtop = if beside_title { title_top } else { l.y } - 2.0;
    if let Some(replaced) = info.replaces {
        l.paragraph(
            MARGIN_X,
            width,
            Face::Bold,
            BODY,
            &format!("Bản đính chính — thay thế hồ sơ {replaced}"),
        );
        l.gap(3.0);
    }
    fields(l, MARGIN_X, width, &page.pupil);
    info.qr.draw(l, qx, qtop, QR_SIZE);
    l.centered(
        qx + QR_SIZE / 2.0,
        qtop - QR_SIZE - 9.0,
        Face::Italic,
        7.0,
        "Quét mã để xác minh · Scan to verify",
    );
    l.y = l.y.min(qtop - QR_SIZE - 14.0) - 6.0;
}

fn section(l: &mut Layout, title: &str) {
    l.ensure(40.0);
    l.gap(4.0);
    l.paragraph(l.x, l.w, Face::Bold, 10.5, title);
    l.gap(3.0);
}

/// `label:` value lines across `width` from `x`; a field marked inline continues the line of
/// the field before it.
fn fields(l: &mut Layout, x: f32, width: f32, fields: &[Field]) {
    let mut line: Option<(String, String)> = None;
    for f in fields {
        match &mut line {
            Some((_, value)) if f.inline => {
                value.push_str(&format!("   {}: {}", f.label.vi, f.value.vi));
            }
            _ => {
                if let Some((label, value)) = line.take() {
                    l.field(x, width, BODY, &label, &value);
                }
                line = Some((format!("{}:", f.label.vi), f.value.vi.clone()));
            }
        }
    }
    if let Some((label, value)) = line {
        l.field(x, width, BODY, &label, &value);
    }
}

/// The tables' columns across `width`: fixed widths as the description gives them (narrowed
/// with the type when the page is set smaller, so the text columns gain the room), the rest
/// shared by the others.
fn columns(described: &[&paper::Column], width: f32, scale: f32) -> Vec<Column> {
    let fixed: f32 = described
        .iter()
        .filter_map(|c| c.paper_width)
        .map(|w| w * scale)
        .sum();
    let shared = described.iter().filter(|c| c.paper_width.is_none()).count();
    let rest = (width - fixed).max(0.0) / shared.max(1) as f32;
    described
        .iter()
        .map(|c| Column {
            width: c.paper_width.map_or(rest, |w| w * scale),
            centered: c.centered,
        })
        .collect()
}

/// One table's columns and rows, comment last.
fn table_cells(t: &Table) -> (Vec<&paper::Column>, Vec<Vec<String>>) {
    let cols: Vec<&paper::Column> = t.columns.iter().chain(&t.comment).collect();
    let rows = t
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.head.vi.clone()];
            row.extend(r.cells.iter().map(|c| c.vi.clone()));
            if t.comment.is_some() {
                row.push(r.comment.clone().unwrap_or_default());
            }
            row
        })
        .collect();
    (cols, rows)
}

/// Tables side by side, as one ruled table: row `i` of each next to the others.
fn tables(l: &mut Layout, tables: &[Table]) {
    let share = l.w / tables.len().max(1) as f32;
    let mut cols = Vec::new();
    let mut heads = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for t in tables {
        let (described, cells) = table_cells(t);
        cols.extend(columns(&described, share, l.scale));
        heads.extend(described.iter().map(|c| c.label.vi));
        let before = heads.len() - described.len();
        for (i, cells) in cells.into_iter().enumerate() {
            if rows.len() <= i {
                rows.push(vec![String::new(); before]);
            }
            rows[i].resize(before, String::new());
            rows[i].extend(cells);
        }
    }
    for row in &mut rows {
        row.resize(heads.len(), String::new());
    }
    l.table(&cols, &heads, &rows, SMALL);
}

/// The sections in order, one below the other; `compact` sets the closing part beside the Quá
/// trình học tập table ([`band`]).
fn sections(l: &mut Layout, sections: &[Section], compact: bool) {
    let history = sections.iter().position(is_study_history);
    let mut i = 0;
    while i < sections.len() {
        match history {
            Some(h) if compact && h > 0 && i == h - 1 => {
                // The section before the table, and the untitled lines after it, on the left.
                let end = sections[h + 1..]
                    .iter()
                    .position(|s| s.title.is_some())
                    .map_or(sections.len(), |n| h + 1 + n);
                let left: Vec<&Section> = std::iter::once(&sections[i])
                    .chain(&sections[h + 1..end])
                    .collect();
                band(l, &left, &sections[h]);
                i = end;
            }
            _ => {
                one_section(l, &sections[i]);
                i += 1;
            }
        }
    }
}

/// Whether `s` is the Quá trình học tập section.
fn is_study_history(s: &Section) -> bool {
    matches!(s.blocks.as_slice(), [Block::Table(t)] if t.key == "study-history")
}

/// Share of the width the left part of a [`band`] takes.
const BAND_LEFT: f32 = 0.5;
/// Space between the two parts of a [`band`].
const BAND_GAP: f32 = 12.0;

/// `left` in the left part of the content width and `right` beside it, from the same height;
/// the flow goes on below the longer of the two. Used only in the one-page attempts: a band
/// that runs off the page makes that attempt fail ([`draw_record`] then tries the next one),
/// so the two halves never continue on another page.
fn band(l: &mut Layout, left: &[&Section], right: &Section) {
    let (x, w, top) = (l.x, l.w, l.y);
    let left_w = (w - BAND_GAP) * BAND_LEFT;
    l.w = left_w;
    for s in left {
        one_section(l, s);
    }
    let left_end = l.y;
    l.y = top;
    l.x = x + left_w + BAND_GAP;
    l.w = w - left_w - BAND_GAP;
    one_section(l, right);
    l.y = l.y.min(left_end);
    (l.x, l.w) = (x, w);
}

fn one_section(l: &mut Layout, s: &Section) {
    if let Some(title) = s.title {
        section(l, title.vi);
    }
    for block in &s.blocks {
        match block {
            Block::Table(t) => tables(l, std::slice::from_ref(t)),
            Block::Beside(ts) => tables(l, ts),
            Block::Legend(text) => {
                l.paragraph(l.x, l.w, Face::Italic, SMALL, text.vi);
            }
            Block::Fields { fields: f, .. } => fields(l, l.x, l.w, f),
            Block::Paragraph { text, .. } => {
                l.paragraph(l.x, l.w, Face::Regular, BODY, text);
            }
        }
    }
}

/// The signature block, at its fixed place at the foot of the page (a new page when the record
/// ends too low).
fn closing(l: &mut Layout, r: &YearRecord, page: &Paper, info: &PageInfo<'_>) {
    let area = signature_block();
    if l.y < area.block.top() + ABOVE_SIGNATURES {
        l.new_page();
    }
    let top = area.block.top();
    let left_cx = area.teacher.x + area.teacher.w / 2.0;
    let right_cx = area.principal.x + area.principal.w / 2.0;
    let signatures = &page.signatures;
    // A deputy signs under "KT. HIỆU TRƯỞNG": that line goes between the date, moved up a
    // little, and the titles, moved down to the top edge of the space kept for the seal (the
    // space itself does not move), each line 11 pt below the one above.
    let deputy = signatures.signers.iter().any(|s| s.on_behalf.is_some());
    let (date_y, role_y) = if deputy {
        (top - 4.0, area.principal.top())
    } else {
        (top - 8.0, area.principal.top() + 4.0)
    };
    l.centered(
        right_cx,
        date_y,
        Face::Italic,
        BODY,
        &signatures.place_date.vi,
    );
    for (cx, signer) in [left_cx, right_cx].into_iter().zip(&signatures.signers) {
        if let Some(on_behalf) = signer.on_behalf {
            let y = (date_y + role_y) / 2.0;
            l.centered(cx, y, Face::Bold, BODY, on_behalf.vi);
        }
        l.centered(cx, role_y, Face::Bold, BODY, &signer.role.vi.to_uppercase());
        l.centered(cx, area.principal.y - 10.0, Face::Bold, BODY, &signer.name);
    }
    l.y = area.principal.y - 14.0;
    // The lines below are at the fixed size too (the block is a fixed rectangle).
    l.scale = 1.0;
    let line = format!(
        "Đã ký số bởi {} (mã trường {}) ngày {}, phê duyệt bởi {} {} — mã hồ sơ {}",
        info.school_name,
        r.school.code,
        info.signed_date,
        r.principal.title.to_lowercase(),
        r.principal.name,
        info.credential_id
    );
    l.paragraph(
        MARGIN_X,
        CONTENT_W,
        Face::Italic,
        6.5,
        &format!(
            "{line}. Chữ ký số Ed25519 (eddsa-jcs-2022) lúc {}; tệp hồ sơ đã ký (hocba-credential.json) được đính kèm trong tệp PDF này; mã QR mang bản tóm tắt có chữ ký của nhà trường.",
            info.signed_at
        ),
    );
}

/// What every page gets once the number of pages is known: the footer, and on a record of more
/// than one page the pupil's name and "Trang i/N" at the top of each page after the first and
/// in each footer.
fn decorate(l: &mut Layout, n: usize, total: usize, r: &YearRecord, info: &PageInfo<'_>) {
    let footer = if total == 1 {
        format!("Trang 1 · {}", info.credential_id)
    } else {
        format!(
            "{} · Trang {n}/{total} · {}",
            r.student.full_name, info.credential_id
        )
    };
    l.centered(PAGE_W / 2.0, 18.0, Face::Regular, 6.5, &footer);
    if n == 1 {
        return;
    }
    let y = PAGE_H - MARGIN_TOP - 10.0;
    l.text(
        MARGIN_X,
        y,
        Face::Bold,
        SMALL,
        &format!("Học bạ · {} (tiếp theo)", r.student.full_name),
    );
    let right = format!(
        "Năm học {} · Lớp {} · Trang {n}/{total}",
        r.school_year, r.class_name
    );
    let w = l.width(Face::Regular, SMALL, &right);
    l.text(PAGE_W - MARGIN_X - w, y, Face::Regular, SMALL, &right);
    l.line(MARGIN_X, y - 5.0, PAGE_W - MARGIN_X, y - 5.0);
}
