//! What the page shows of its PDF signatures, drawn into the page before it is signed (so both
//! signatures cover it): "Ký bởi: …, ngày …" in the signature block for the principal and for the
//! school seal, and — when development certificates sign — the band "BẢN THỬ NGHIỆM — không có
//! giá trị pháp lý" at the top of every page.
//!
//! The text is drawn with the page's own Noto Sans faces (a widget appearance stream would need
//! a font of its own for the Vietnamese letters); each signature's widget then covers its box
//! with a frame ([`super::increment`]). The signature block is found on the last page by the
//! principal's name, which the layout writes under the approver's title; the boxes then go in
//! the principal's column, the seal over the left third of the principal's signature
//! ([`in_principal_column`]); without it, the boxes go to the foot of the last page.

use printpdf::{
    Color, FontId, Op, PaintMode, PdfFontHandle, PdfPage, Point, Pt, Rect, Rgb, TextItem,
    WindingOrder,
};

use super::super::layout::{MARGIN_X, PAGE_H, PAGE_W, signature_block};

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

/// How a box's two lines sit: the principal's at its top and bottom edges, the seal's
/// together in its middle — between the principal's, where the boxes overlap.
#[derive(Clone, Copy)]
enum Lines {
    AtEdges,
    InMiddle,
}

/// "Ký bởi: `who`" and "ngày `date`" in `area`, in `ink` (the seal's red, the signature's blue).
fn signed_box(
    ops: &mut Vec<Op>,
    ids: &[FontId; 3],
    (area, lines): (Area, Lines),
    ink: (f32, f32, f32),
    who: &str,
    date: &str,
) {
    let [x1, y1, x2, y2] = area;
    let cx = (x1 + x2) / 2.0;
    let (top, bottom) = match lines {
        Lines::AtEdges => (y2 - 10.0, y1 + 5.0),
        Lines::InMiddle => ((y1 + y2) / 2.0, (y1 + y2) / 2.0 - 8.0),
    };
    let size = 6.5;
    ops.push(Op::SaveGraphicsState);
    ops.push(Op::SetFillColor { col: color(ink) });
    let first = format!("Ký bởi: {who}");
    let second = format!("ngày {date}");
    text(
        ops,
        ids[2].clone(),
        size,
        cx - approx_width(size, &first) / 2.0,
        top,
        &first,
    );
    text(
        ops,
        ids[2].clone(),
        size,
        cx - approx_width(size, &second) / 2.0,
        bottom,
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
    let found = pages
        .get(page)
        .and_then(|p| name_y(p, record_principal))
        .is_some();
    let placement = Placement {
        page,
        ..if found {
            in_principal_column()
        } else {
            at_foot()
        }
    };
    if let Some(p) = pages.get_mut(page) {
        if let Some(name) = marks.principal {
            signed_box(
                &mut p.ops,
                ids,
                (placement.principal, Lines::AtEdges),
                BLUE,
                name,
                marks.date,
            );
        }
        signed_box(
            &mut p.ops,
            ids,
            (placement.seal, Lines::InMiddle),
            RED,
            marks.seal,
            marks.date,
        );
    }
    placement
}

/// The boxes in the principal's column of the layout's signature block
/// ([`signature_block`]), in the blank between the principal's title and name, as a
/// Vietnamese office signs and seals a document: the principal's signature there, and the
/// school's seal stamped over the left third of it (Decree 30/2020/NĐ-CP, art. 33: the seal
/// covers about a third of the signature, on its left). The seal's lines sit in the middle of
/// its box, between the principal's, so that they do not run into each other; neither box
/// reaches the homeroom teacher's column on the left.
fn in_principal_column() -> Placement {
    let a = signature_block().principal;
    let (x1, y1, x2, y2) = (a.x, a.y, a.x + a.w, a.top());
    let principal_x1 = x1 + a.w * 0.25;
    let third = (x2 - principal_x1) / 3.0;
    let seal_w = a.w * 0.6;
    Placement {
        page: 0,
        principal: [principal_x1, y1, x2, y2],
        seal: [principal_x1 + third - seal_w, y1, principal_x1 + third, y2],
    }
}

/// Where the boxes go when the signature block is not found: above the page footer, the
/// seal over the left third of the principal's box as in the block.
fn at_foot() -> Placement {
    let cx = PAGE_W - MARGIN_X - 120.0;
    let (y1, y2) = (MARGIN_BOTTOM_BOXES, MARGIN_BOTTOM_BOXES + 28.0);
    let principal = [cx - 75.0, y1, cx + 75.0, y2];
    let right = principal[0] + 50.0;
    Placement {
        page: 0,
        principal,
        seal: [right - 130.0, y1, right, y2],
    }
}

/// Where the boxes go when the signature block is not found: above the page footer.
const MARGIN_BOTTOM_BOXES: f32 = 40.0;
