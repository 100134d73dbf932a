//! What the page shows of its PDF signatures, drawn into the page before it is signed (so both
//! signatures cover it): "Ký bởi: …, ngày …" in the signature block for the principal and for the
//! school seal, and — when development certificates sign — the band "BẢN THỬ NGHIỆM — không có
//! giá trị pháp lý" at the top of every page.
//!
//! The text is drawn with the page's own Noto Sans faces (a widget appearance stream would need
//! a font of its own for the Vietnamese letters); each signature's widget then covers its box
//! with a frame ([`super::increment`]). The signature block is found on the last page by the
//! principal's name, which the layout writes under the approver's title; without it, the boxes
//! go to the foot of the last page.

use printpdf::{
    Color, FontId, Op, PaintMode, PdfFontHandle, PdfPage, Point, Pt, Rect, Rgb, TextItem,
    WindingOrder,
};

use super::super::layout::{MARGIN_X, PAGE_H, PAGE_W};

/// The band of a PDF signed with development certificates.
pub const DEVELOPMENT_BAND: &str = "BẢN THỬ NGHIỆM — không có giá trị pháp lý";

/// A box on a page, PDF points: `[x1, y1, x2, y2]`.
pub type Area = [f32; 4];

/// Where the signatures' widgets go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Index of the page (the last one).
    pub page: usize,
    /// The principal's box.
    pub principal: Area,
    /// The seal's box.
    pub seal: Area,
}

/// What the boxes say.
#[derive(Debug, Clone)]
pub struct Marks<'a> {
    /// The principal's name (from the certificate), if a principal signs.
    pub principal: Option<&'a str>,
    /// The school's name (from the seal certificate).
    pub seal: &'a str,
    /// The signing date, `dd/mm/yyyy`.
    pub date: &'a str,
    /// Whether development certificates sign (the band on every page).
    pub development: bool,
}

const RED: (f32, f32, f32) = (0.75, 0.05, 0.05);
const BLUE: (f32, f32, f32) = (0.05, 0.2, 0.6);

fn color((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

fn text(ops: &mut Vec<Op>, font: FontId, size: f32, x: f32, y: f32, s: &str) {
    ops.extend([
        Op::StartTextSection,
        Op::SetFont {
            font: PdfFontHandle::External(font),
            size: Pt(size),
        },
        Op::SetTextCursor {
            pos: Point { x: Pt(x), y: Pt(y) },
        },
        Op::ShowText {
            items: vec![TextItem::Text(s.to_owned())],
        },
        Op::EndTextSection,
    ]);
}

/// A rough width (Noto Sans averages about half an em per letter): enough to centre a line.
fn approx_width(size: f32, s: &str) -> f32 {
    s.chars().count() as f32 * size * 0.5
}

fn rect(x: f32, y: f32, w: f32, h: f32, mode: PaintMode) -> Op {
    Op::DrawRectangle {
        rectangle: Rect {
            x: Pt(x),
            y: Pt(y),
            width: Pt(w),
            height: Pt(h),
            mode: Some(mode),
            winding_order: Some(WindingOrder::NonZero),
        },
    }
}

/// The y of the principal's name on `page`, if it is written there.
fn name_y(page: &PdfPage, name: &str) -> Option<f32> {
    let mut cursor = None;
    for op in &page.ops {
        match op {
            Op::SetTextCursor { pos } => cursor = Some(pos.y.0),
            Op::ShowText { items } => {
                let shown = items
                    .iter()
                    .any(|i| matches!(i, TextItem::Text(t) if t == name));
                if shown {
                    return cursor;
                }
            }
            _ => {}
        }
    }
    None
}

fn signed_box(ops: &mut Vec<Op>, ids: &[FontId; 3], area: Area, who: &str, date: &str) {
    let [x1, y1, x2, y2] = area;
    let cx = (x1 + x2) / 2.0;
    let size = 6.5;
    ops.push(Op::SaveGraphicsState);
    ops.push(Op::SetFillColor { col: color(BLUE) });
    let first = format!("Ký bởi: {who}");
    let second = format!("ngày {date}");
    text(
        ops,
        ids[2].clone(),
        size,
        cx - approx_width(size, &first) / 2.0,
        y2 - 10.0,
        &first,
    );
    text(
        ops,
        ids[2].clone(),
        size,
        cx - approx_width(size, &second) / 2.0,
        y1 + 5.0,
        &second,
    );
    ops.push(Op::RestoreGraphicsState);
}

/// Draw the marks of `marks` into `pages`, with the page faces `ids` (regular, bold, italic);
/// `record_principal` is the principal's name as the record page writes it.
pub fn draw(
    pages: &mut [PdfPage],
    ids: &[FontId; 3],
    record_principal: &str,
    marks: &Marks<'_>,
) -> Placement {
    if marks.development {
        for page in pages.iter_mut() {
            let ops = &mut page.ops;
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetFillColor {
                col: color((1.0, 0.9, 0.9)),
            });
            ops.push(rect(
                MARGIN_X,
                PAGE_H - 30.0,
                PAGE_W - 2.0 * MARGIN_X,
                18.0,
                PaintMode::Fill,
            ));
            ops.push(Op::SetFillColor { col: color(RED) });
            let size = 10.0;
            let x = PAGE_W / 2.0 - approx_width(size, DEVELOPMENT_BAND) / 2.0;
            text(
                ops,
                ids[1].clone(),
                size,
                x,
                PAGE_H - 24.5,
                DEVELOPMENT_BAND,
            );
            ops.push(Op::RestoreGraphicsState);
        }
    }
    let page = pages.len().saturating_sub(1);
    // The layout's signature block: the approver's name 64 pt under the block's top, centred
    // on the right column; the signature goes in the blank between title and name.
    let right_cx = PAGE_W - MARGIN_X - 120.0;
    let (bottom, top) = match pages.get(page).and_then(|p| name_y(p, record_principal)) {
        Some(y) => (y + 10.0, y + 38.0),
        None => (MARGIN_BOTTOM_BOXES, MARGIN_BOTTOM_BOXES + 28.0),
    };
    let placement = Placement {
        page,
        principal: [right_cx - 75.0, bottom, right_cx + 75.0, top],
        seal: [right_cx - 235.0, bottom, right_cx - 85.0, top],
    };
    if let Some(p) = pages.get_mut(page) {
        if let Some(name) = marks.principal {
            signed_box(&mut p.ops, ids, placement.principal, name, marks.date);
        }
        signed_box(&mut p.ops, ids, placement.seal, marks.seal, marks.date);
    }
    placement
}

/// Where the boxes go when the signature block is not found: above the page footer.
const MARGIN_BOTTOM_BOXES: f32 = 40.0;
