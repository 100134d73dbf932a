//! The fonts of the printed record: Noto Sans regular, bold and italic from the `notosans`
//! crate (OFL, every Vietnamese letter), parsed once per process and reused by every PDF, with
//! an advance-width table for line wrapping.
//!
//! Each face is also subset once per process to the characters Vietnamese text uses
//! ([`COVERED`]: ASCII, Latin-1, the Vietnamese letters and a few marks and dashes), with its
//! zlib-compressed program kept beside it. A record whose text stays inside that set is drawn
//! with these prebuilt faces, embedded whole without per-document subsetting (which was most of
//! the rendering time); any other record falls back to the full face, subset per document.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::OnceLock;

use printpdf::ParsedFont;

/// Which face to draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    /// Noto Sans Regular.
    Regular,
    /// Noto Sans Bold.
    Bold,
    /// Noto Sans Italic.
    Italic,
}

/// A parsed face and its advance widths (in ems) for the characters a record uses.
pub(crate) struct LoadedFace {
    pub(crate) font: ParsedFont,
    /// The face subset once to [`COVERED`], if that worked.
    pub(crate) prebuilt: Option<Prebuilt>,
    /// Advance in ems by code point below [`TABLE_END`]; 0 = not in the font.
    widths: Vec<f32>,
    fallback: f32,
}

impl LoadedFace {
    fn load(bytes: &[u8]) -> Option<Self> {
        let font = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())?;
        let azul = font.as_azul();
        let upem = f32::from(azul.font_metrics.units_per_em.max(1));
        let mut widths = vec![0.0f32; TABLE_END as usize];
        let ranges = [0x20u32..0x250, 0x300..0x370, 0x1E00..0x1F00, 0x2000..0x2070];
        for cp in ranges.into_iter().flatten() {
            if let Some(gid) = azul.lookup_glyph_index(cp) {
                widths[cp as usize] = f32::from(azul.get_horizontal_advance(gid)) / upem;
            }
        }
        let prebuilt = Prebuilt::new(&font);
        Some(Self {
            font,
            prebuilt,
            widths,
            fallback: 0.6,
        })
    }

    /// Width of `text` at `size` points (combining marks take none).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| match self.widths.get(c as usize) {
                _ if is_combining(c) => 0.0,
                Some(w) if *w > 0.0 => *w,
                _ => self.fallback,
            })
            .sum::<f32>()
            * size
    }

    /// The ink box of `c`'s glyph in ems, when the face has it.
    pub(crate) fn ink(&self, c: char) -> Option<Ink> {
        let azul = self.font.as_azul();
        let upem = f32::from(azul.font_metrics.units_per_em.max(1));
        let glyph = azul.get_or_decode_glyph(azul.lookup_glyph_index(u32::from(c))?)?;
        let b = &glyph.bounding_box;
        Some(Ink {
            min_x: f32::from(b.min_x) / upem,
            min_y: f32::from(b.min_y) / upem,
            max_x: f32::from(b.max_x) / upem,
            max_y: f32::from(b.max_y) / upem,
        })
    }
}

/// A glyph's ink box, in ems from its origin on the baseline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ink {
    pub(crate) min_x: f32,
    pub(crate) min_y: f32,
    pub(crate) max_x: f32,
    pub(crate) max_y: f32,
}

impl Ink {
    /// Horizontal centre of the ink.
    pub(crate) fn center(&self) -> f32 {
        (self.min_x + self.max_x) / 2.0
    }
}

/// Whether `c` is a combining diacritical mark (U+0300–U+036F), drawn over or under the
/// letter before it.
pub(crate) fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// A face subset once to the characters in [`COVERED`], and its font program deflated.
pub(crate) struct Prebuilt {
    /// The subset face (embedded whole: `subset_fonts: false`).
    pub(crate) font: ParsedFont,
    /// The subset's font program, as printpdf embeds it.
    pub(crate) program: Vec<u8>,
    /// `program`, zlib-compressed at the best level (done once).
    pub(crate) compressed: Vec<u8>,
}

impl Prebuilt {
    fn new(full: &ParsedFont) -> Option<Self> {
        let azul = full.as_azul();
        let mut glyphs = BTreeMap::new();
        for cp in covered() {
            if let (Some(gid), Some(c)) = (azul.lookup_glyph_index(cp), char::from_u32(cp)) {
                glyphs.entry(gid).or_insert_with(|| c.to_string());
            }
        }
        let subset = printpdf::subset_font(full, &glyphs).ok()?;
        let font = ParsedFont::from_bytes(&subset.bytes, 0, &mut Vec::new())?;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&subset.bytes).ok()?;
        let compressed = encoder.finish().ok()?;
        Some(Self {
            font,
            program: subset.bytes,
            compressed,
        })
    }
}

/// Code point ranges (inclusive) of the prebuilt faces: printable ASCII; from Latin-1 the
/// no-break space, °, ·, × and the Vietnamese letters (À Á Â Ã È É Ê Ì Í Ò Ó Ô Õ Ù Ú Ý and
/// their lower case); Ă ă Đ đ Ĩ ĩ Ũ ũ Ơ ơ Ư ư and U+1EA0–U+1EF9; the combining tone marks;
/// dashes, quotes, bullet and ellipsis. Other Latin-1 letters are left out to keep each PDF
/// under 60 KB (a record using one is drawn with the full faces).
pub(crate) const COVERED: [(u32, u32); 30] = [
    (0x20, 0x7E),
    (0xA0, 0xA0),
    (0xB0, 0xB0),
    (0xB7, 0xB7),
    (0xD7, 0xD7),
    (0xC0, 0xC3),
    (0xC8, 0xCA),
    (0xCC, 0xCD),
    (0xD2, 0xD5),
    (0xD9, 0xDA),
    (0xDD, 0xDD),
    (0xE0, 0xE3),
    (0xE8, 0xEA),
    (0xEC, 0xED),
    (0xF2, 0xF5),
    (0xF9, 0xFA),
    (0xFD, 0xFD),
    (0x102, 0x103),
    (0x110, 0x111),
    (0x128, 0x129),
    (0x168, 0x169),
    (0x1A0, 0x1A1),
    (0x1AF, 0x1B0),
    (0x300, 0x303),
    (0x309, 0x309),
    (0x323, 0x323),
    (0x1EA0, 0x1EF9),
    (0x2013, 0x2014),
    (0x2018, 0x201D),
    (0x2022, 0x2026),
];

fn covered() -> impl Iterator<Item = u32> {
    COVERED.iter().flat_map(|&(a, b)| a..=b)
}

/// Whether `c` is drawn by the prebuilt faces.
pub(crate) fn is_covered(c: char) -> bool {
    let c = c as u32;
    COVERED.iter().any(|&(a, b)| (a..=b).contains(&c))
}

/// The three faces.
pub(crate) struct Fonts {
    pub(crate) regular: LoadedFace,
    pub(crate) bold: LoadedFace,
    pub(crate) italic: LoadedFace,
}

impl Fonts {
    /// The three prebuilt faces, if each was built.
    pub(crate) fn prebuilt(&self) -> Option<[&Prebuilt; 3]> {
        Some([
            self.regular.prebuilt.as_ref()?,
            self.bold.prebuilt.as_ref()?,
            self.italic.prebuilt.as_ref()?,
        ])
    }

    /// The face for `face`.
    pub(crate) fn face(&self, face: Face) -> &LoadedFace {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Italic => &self.italic,
        }
    }
}

/// End (exclusive) of the code points with a width table entry.
const TABLE_END: u32 = 0x2070;

static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();

/// The fonts, parsed on first use; `None` if the embedded font bytes do not parse (a build
/// problem, reported as an error by the renderer).
pub(crate) fn fonts() -> Option<&'static Fonts> {
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                regular: LoadedFace::load(notosans::REGULAR_TTF)?,
                bold: LoadedFace::load(notosans::BOLD_TTF)?,
                italic: LoadedFace::load(notosans::ITALIC_TTF)?,
            })
        })
        .as_ref()
}
