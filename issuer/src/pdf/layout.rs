//! A small page builder over printpdf operations: text at a position, wrapped paragraphs,
//! ruled tables and filled rectangles on A4 pages, with a new page when the next block does not
//! fit. Coordinates are PDF points from the bottom-left corner; text is NFC-normalised here,
//! because printpdf does not shape decomposed text (combining marks that have no precomposed
//! form are positioned here too: see `marks`).
//!
//! The flowing blocks (lines, paragraphs, tables) take their type size times [`Layout::scale`],
//! so the page can be laid out again a little tighter when it would otherwise run over
//! (`content` picks the scale); text placed at a fixed position (the national header, the
//! signature block) keeps its size.
//!
//! The signature block is a fixed rectangle at the foot of the last page
//! ([`signature_block`]): the flow ends above it, and the PAdES appearance of the PDF
//! signature is placed inside it without reading the page.

use printpdf::{
    CurTransMat, FontId, Line, LinePoint, Mm, Op, PaintMode, PdfFontHandle, PdfPage, Point, Pt,
    Rect, TextItem, WindingOrder,
};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::fonts::{Face, Fonts, LoadedFace, is_combining};

/// Where to draw combining `mark` after `letter` (whose origin is at 0), in ems: the pen
/// offset (x, y) and the height the mark adds for a mark after it (`stacked` so far). Centred
/// over the letter's own shape (the `o` of `ơ`, ignoring the horn), and above its ink (or, for a
/// mark below, under it) with a small gap.
fn mark_offset(face: &LoadedFace, letter: char, mark: char, stacked: f32) -> (f32, f32, f32) {
    const GAP: f32 = 0.04;
    let core = letter.to_string().nfd().next().unwrap_or(letter);
    let (Some(core_ink), Some(mark_ink)) = (face.ink(core), face.ink(mark)) else {
        return (0.0, 0.0, 0.0);
    };
    // The letter's own marks above (ê, ấ) count; the horn (U+031B) sits beside, not above.
    let has_mark_above = letter
        .to_string()
        .nfd()
        .any(|c| is_combining(c) && c != '\u{31b}' && !('\u{323}'..='\u{333}').contains(&c));
    let top = if has_mark_above {
        face.ink(letter).map_or(core_ink.max_y, |i| i.max_y)
    } else {
        core_ink.max_y
    } + stacked;
    let dx = core_ink.center() - mark_ink.center();
    let height = mark_ink.max_y - mark_ink.min_y + GAP;
    if mark_ink.max_y <= 0.1 {
        // A mark below the baseline: under the letter's ink.
        let dy = (core_ink.min_y - GAP - mark_ink.max_y).min(0.0);
        return (dx, dy, 0.0);
    }
    let dy = (top + GAP - mark_ink.min_y).max(0.0);
    (dx, dy, height)
}

/// A4 width in points.
pub(crate) const PAGE_W: f32 = 595.28;
/// A4 height in points.
pub(crate) const PAGE_H: f32 = 841.89;
/// Left and right margin.
pub(crate) const MARGIN_X: f32 = 30.0;
/// Top margin.
pub(crate) const MARGIN_TOP: f32 = 30.0;
/// Bottom margin.
pub(crate) const MARGIN_BOTTOM: f32 = 32.0;
/// Width between the margins.
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

/// A rectangle on the page, in points from the bottom-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Area {
    /// Left edge.
    pub(crate) x: f32,
    /// Bottom edge.
    pub(crate) y: f32,
    /// Width.
    pub(crate) w: f32,
    /// Height.
    pub(crate) h: f32,
}

impl Area {
    /// The top edge.
    pub(crate) fn top(&self) -> f32 {
        self.y + self.h
    }
}

/// Height of the signature block.
pub(crate) const SIGNATURE_H: f32 = 104.0;

/// Where the signatures go, on the last page of every printed record: the whole block
/// (`block`: place and date, the homeroom teacher on the left and the principal on the right,
/// and the lines saying how the record is signed digitally) and, inside it, the blank space
/// between the principal's title and name where a seal or a visible signature sits
/// (`principal`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SignatureBlock {
    /// The whole block, across the content width, just above the bottom margin.
    pub(crate) block: Area,
    /// The space for the principal's signature (right half, between title and name).
    pub(crate) principal: Area,
    /// The space for the homeroom teacher's signature (left half).
    pub(crate) teacher: Area,
}

/// The signature block's rectangles (the same on every record: on its last page).
pub(crate) const fn signature_block() -> SignatureBlock {
    let y = MARGIN_BOTTOM;
    let top = y + SIGNATURE_H;
    let half = CONTENT_W / 2.0;
    SignatureBlock {
        block: Area {
            x: MARGIN_X,
            y,
            w: CONTENT_W,
            h: SIGNATURE_H,
        },
        principal: Area {
            x: MARGIN_X + half + 20.0,
            y: top - 60.0,
            w: half - 40.0,
            h: 34.0,
        },
        teacher: Area {
            x: MARGIN_X + 20.0,
            y: top - 60.0,
            w: half - 40.0,
            h: 34.0,
        },
    }
}

/// Height kept at the top of a continuation page for its running header.
pub(crate) const RUNNING_HEADER_H: f32 = 22.0;

/// One column of a table: its width and the face of its cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub(crate) width: f32,
    pub(crate) centered: bool,
}

/// The pages being built and the cursor (top of the next block).
pub(crate) struct Layout {
    fonts: &'static Fonts,
    ids: [FontId; 3],
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Baseline cursor: y of the top of the next block.
    pub(crate) y: f32,
    /// Left edge of the column the flowing blocks fill (the content area, or one half of it
    /// when two parts of the record are set side by side).
    pub(crate) x: f32,
    /// Width of that column.
    pub(crate) w: f32,
    /// Factor applied to the type size (and so the leading) of the flowing blocks.
    pub(crate) scale: f32,
}

impl Layout {
    /// A layout with one empty page, drawing with `fonts` registered as `ids` (regular, bold,
    /// italic).
    pub(crate) fn new(fonts: &'static Fonts, ids: [FontId; 3]) -> Self {
        Self {
            fonts,
            ids,
            pages: Vec::new(),
            // A first page holds over 2,048 operations (the QR code's modules are
            // rectangles), and the record is laid out again at each type scale tried: growing
            // the vector on each try copied it every time.
            ops: Vec::with_capacity(4096),
            y: PAGE_H - MARGIN_TOP,
            x: MARGIN_X,
            w: CONTENT_W,
            scale: 1.0,
        }
    }

    fn id(&self, face: Face) -> FontId {
        match face {
            Face::Regular => self.ids[0].clone(),
            Face::Bold => self.ids[1].clone(),
            Face::Italic => self.ids[2].clone(),
        }
    }

    /// Width of `text` in `face` at `size`.
    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        self.fonts.face(face).width(text, size)
    }

    /// Start a new page when less than `height` points are left.
    pub(crate) fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN_BOTTOM {
            self.new_page();
        }
    }

    /// Close the page and start the next one.
    pub(crate) fn new_page(&mut self) {
        let ops = std::mem::replace(&mut self.ops, Vec::with_capacity(1024));
        self.pages.push(ops);
        self.y = PAGE_H - MARGIN_TOP - RUNNING_HEADER_H;
    }

    /// Draw `text` with its baseline at (`x`, `y`).
    pub(crate) fn text(&mut self, x: f32, y: f32, face: Face, size: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let text: String = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
            text.to_owned()
        } else {
            text.nfc().collect()
        };
        if !text.chars().any(is_combining) {
            self.show(x, y, face, size, text);
            return;
        }
        // A mark left after NFC has no precomposed letter (the breve of Ê Đê, Jrai and Bahnar
        // names over ơ, "ơ̆"). printpdf does not shape, so the mark would sit where the font's
        // default anchor puts it; it is drawn on its own, centred over its letter and raised
        // clear of it.
        let face_metrics = self.fonts.face(face);
        let mut run = String::new();
        let mut run_x = x;
        let mut run_w = 0.0f32;
        let mut base: Option<(char, f32)> = None;
        let mut stacked = 0.0f32;
        for c in text.chars() {
            if !is_combining(c) {
                base = Some((c, run_x + run_w));
                stacked = 0.0;
                run.push(c);
                run_w += face_metrics.width(&c.to_string(), size);
                continue;
            }
            let Some((letter, letter_x)) = base else {
                run.push(c);
                continue;
            };
            if !run.is_empty() {
                self.show(run_x, y, face, size, std::mem::take(&mut run));
                run_x += run_w;
                run_w = 0.0;
            }
            let (dx, dy, height) = mark_offset(face_metrics, letter, c, stacked);
            self.show(
                letter_x + dx * size,
                y + dy * size,
                face,
                size,
                c.to_string(),
            );
            stacked += height;
        }
        if !run.is_empty() {
            self.show(run_x, y, face, size, run);
        }
    }

    fn show(&mut self, x: f32, y: f32, face: Face, size: f32, text: String) {
        let font = self.id(face);
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text)],
            },
            Op::EndTextSection,
        ]);
    }

    /// Draw `text` centred on `cx`.
    pub(crate) fn centered(&mut self, cx: f32, y: f32, face: Face, size: f32, text: &str) {
        let w = self.width(face, size, text);
        self.text(cx - w / 2.0, y, face, size, text);
    }

    /// A centred line across the content width; advances the cursor.
    pub(crate) fn centered_line(&mut self, face: Face, size: f32, text: &str) {
        let size = size * self.scale;
        self.ensure(size * 1.4);
        self.y -= size * 1.25;
        self.centered(PAGE_W / 2.0, self.y, face, size, text);
        self.y -= size * 0.2;
    }

    /// Split `text` into lines no wider than `width`.
    pub(crate) fn wrap(&self, face: Face, size: f32, width: f32, text: &str) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            // Widths add up per character, so the line's width is kept as words are added.
            let space = self.width(face, size, " ");
            let mut line_w = 0.0f32;
            for word in para.split_whitespace() {
                let word_w = self.width(face, size, word);
                if !line.is_empty() && line_w + space + word_w > width {
                    lines.push(std::mem::take(&mut line));
                    line.push_str(word);
                    line_w = word_w;
                } else {
                    if !line.is_empty() {
                        line.push(' ');
                        line_w += space;
                    }
                    line.push_str(word);
                    line_w += word_w;
                }
                if line_w <= width {
                    continue;
                }
                // A single word wider than the column is cut by characters.
                while self.width(face, size, &line) > width && line.chars().count() > 1 {
                    let mut cut = String::new();
                    let mut rest = String::new();
                    for c in line.chars() {
                        if rest.is_empty() && self.width(face, size, &format!("{cut}{c}")) <= width
                        {
                            cut.push(c);
                        } else {
                            rest.push(c);
                        }
                    }
                    if cut.is_empty() {
                        break;
                    }
                    lines.push(cut);
                    line = rest;
                }
                line_w = self.width(face, size, &line);
            }
            lines.push(line);
        }
        lines
    }

    /// A wrapped paragraph at `x`, `width` wide; continues on the next page when needed.
    pub(crate) fn paragraph(&mut self, x: f32, width: f32, face: Face, size: f32, text: &str) {
        let size = size * self.scale;
        let leading = size * 1.35;
        for line in self.wrap(face, size, width, text) {
            self.ensure(leading);
            self.y -= leading;
            self.text(x, self.y + size * 0.3, face, size, &line);
        }
    }

    /// "Label: value" on one or more lines: label in regular, value in bold.
    pub(crate) fn field(&mut self, x: f32, width: f32, size: f32, label: &str, value: &str) {
        let size = size * self.scale;
        let label_w = self.width(Face::Regular, size, label) + size * 0.3;
        let leading = size * 1.35;
        let lines = self.wrap(Face::Bold, size, (width - label_w).max(40.0), value);
        for (i, line) in lines.iter().enumerate() {
            self.ensure(leading);
            self.y -= leading;
            if i == 0 {
                self.text(x, self.y + size * 0.3, Face::Regular, size, label);
            }
            self.text(x + label_w, self.y + size * 0.3, Face::Bold, size, line);
        }
    }

    /// Move the cursor down by `dy` (times the scale).
    pub(crate) fn gap(&mut self, dy: f32) {
        self.y -= dy * self.scale;
    }

    /// A stroked line.
    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let p = |x: f32, y: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![p(x1, y1), p(x2, y2)],
                is_closed: false,
            },
        });
    }

    /// Draw in a coordinate system scaled by `scale` with its origin at (`x`, `y`), until
    /// [`Layout::end_scaled`].
    pub(crate) fn begin_scaled(&mut self, scale: f32, x: f32, y: f32) {
        self.ops.push(Op::SaveGraphicsState);
        self.ops.push(Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw([scale, 0.0, 0.0, scale, x, y]),
        });
    }

    /// Back to page coordinates.
    pub(crate) fn end_scaled(&mut self) {
        self.ops.push(Op::RestoreGraphicsState);
    }

    /// A filled rectangle (current fill colour, black by default).
    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    /// A ruled table: `header` in bold, then `rows`; each cell wraps in its column. Rows that do
    /// not fit continue on the next page with the header repeated.
    pub(crate) fn table(
        &mut self,
        columns: &[Column],
        header: &[&str],
        rows: &[Vec<String>],
        size: f32,
    ) {
        let size = size * self.scale;
        let pad = 2.2 * self.scale;
        let leading = size * 1.3;
        let x0 = self.x;
        let total: f32 = columns.iter().map(|c| c.width).sum();
        let header_cells: Vec<String> = header.iter().map(|s| (*s).to_owned()).collect();
        self.table_row(
            columns,
            &header_cells,
            Face::Bold,
            size,
            x0,
            total,
            pad,
            leading,
        );
        for row in rows {
            let height = self.row_height(columns, row, Face::Regular, size, pad, leading);
            if self.y - height < MARGIN_BOTTOM {
                self.new_page();
                self.table_row(
                    columns,
                    &header_cells,
                    Face::Bold,
                    size,
                    x0,
                    total,
                    pad,
                    leading,
                );
            }
            self.table_row(columns, row, Face::Regular, size, x0, total, pad, leading);
        }
    }

    fn row_height(
        &self,
        columns: &[Column],
        cells: &[String],
        face: Face,
        size: f32,
        pad: f32,
        leading: f32,
    ) -> f32 {
        let lines = columns
            .iter()
            .zip(cells)
            .map(|(c, text)| self.wrap(face, size, c.width - 2.0 * pad, text).len())
            .max()
            .unwrap_or(1)
            .max(1);
        lines as f32 * leading + 2.0 * pad
    }

    #[allow(clippy::too_many_arguments)]
    fn table_row(
        &mut self,
        columns: &[Column],
        cells: &[String],
        face: Face,
        size: f32,
        x0: f32,
        total: f32,
        pad: f32,
        leading: f32,
    ) {
        let height = self.row_height(columns, cells, face, size, pad, leading);
        let top = self.y;
        let bottom = top - height;
        let mut x = x0;
        for (column, text) in columns.iter().zip(cells) {
            let lines = self.wrap(face, size, column.width - 2.0 * pad, text);
            let mut y = top - pad;
            for line in lines {
                y -= leading;
                let tx = if column.centered {
                    x + (column.width - self.width(face, size, &line)) / 2.0
                } else {
                    x + pad
                };
                self.text(tx, y + size * 0.3, face, size, &line);
            }
            self.line(x, top, x, bottom);
            x += column.width;
        }
        self.line(x0 + total, top, x0 + total, bottom);
        self.line(x0, top, x0 + total, top);
        self.line(x0, bottom, x0 + total, bottom);
        self.y = bottom;
    }

    /// Pages closed so far plus the one being drawn.
    pub(crate) fn page_count(&self) -> usize {
        self.pages.len() + 1
    }

    /// The finished pages; `decorate(layout, page, pages)` draws on each page (1-based) last,
    /// once the number of pages is known (running header, footer).
    pub(crate) fn finish(mut self, decorate: impl Fn(&mut Self, usize, usize)) -> Vec<PdfPage> {
        self.new_page();
        let pages = std::mem::take(&mut self.pages);
        let total = pages.len();
        pages
            .into_iter()
            .enumerate()
            .map(|(i, ops)| {
                self.ops = ops;
                decorate(&mut self, i + 1, total);
                let ops = std::mem::take(&mut self.ops);
                PdfPage::new(Mm(210.0), Mm(297.0), ops)
            })
            .collect()
    }
}
