//! The QR code drawn as vector rectangles (one per horizontal run of dark modules), at error
//! correction level Q, with the quiet zone left blank around it.
//!
//! The mask is chosen by the ISO/IEC 18004 §7.8.3 penalty rules, as `qrcode` does, but scored
//! here on packed rows: the crate's own scoring took about a third of the rendering time.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, Version};

use super::PdfError;
use super::layout::Layout;

/// A QR code ready to draw.
pub struct QrMatrix {
    version: Version,
    width: usize,
    dark: Vec<bool>,
}

impl std::fmt::Debug for QrMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "QrMatrix(version {}, {} modules)",
            self.version(),
            self.width()
        )
    }
}

impl QrMatrix {
    /// Encode `text` at level Q (the encoder picks numeric / alphanumeric / byte segments).
    pub fn new(text: &str) -> Result<Self, PdfError> {
        let qr = |e: qrcode::types::QrError| PdfError::Qr(e.to_string());
        let bits = qrcode::bits::encode_auto(text.as_bytes(), EcLevel::Q).map_err(qr)?;
        let version = bits.version();
        let data = bits.into_bytes();
        let (encoded, ec) =
            qrcode::ec::construct_codewords(&data, version, EcLevel::Q).map_err(qr)?;
        let mut canvas = Canvas::new(version, EcLevel::Q);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&encoded, &ec);
        let width =
            usize::try_from(version.width()).map_err(|_| PdfError::Qr("bad width".into()))?;
        let mut best: Option<(u32, Vec<bool>)> = None;
        for pattern in MASKS {
            let mut c = canvas.clone();
            c.apply_mask(pattern);
            let dark: Vec<bool> = c
                .into_colors()
                .into_iter()
                .map(|m| m == Color::Dark)
                .collect();
            let score = penalty(&dark, width);
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, dark));
            }
        }
        let (_, dark) = best.ok_or_else(|| PdfError::Qr("no mask".into()))?;
        Ok(Self {
            version,
            width,
            dark,
        })
    }

    /// The QR version (1–40).
    pub fn version(&self) -> i16 {
        match self.version {
            Version::Normal(v) | Version::Micro(v) => v,
        }
    }

    /// Modules per side.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// Draw the code with its top-left corner at (`x`, `top`), `size` points wide. The
    /// modules are covered greedily by rectangles (a run of dark modules in a row, extended
    /// down while the rows below are dark across it), drawn in module units under one
    /// transformation matrix, so the page holds short integers instead of ~1,000 real
    /// coordinates.
    pub(crate) fn draw(&self, layout: &mut Layout, x: f32, top: f32, size: f32) {
        let n = self.width;
        let module = size / n as f32;
        layout.begin_scaled(module, x, top - size);
        let mut covered = vec![false; n * n];
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if !self.dark[row * n + col] || covered[row * n + col] {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && self.dark[row * n + col] {
                    col += 1;
                }
                let mut rows = 1;
                while row + rows < n && (start..col).all(|c| self.dark[(row + rows) * n + c]) {
                    rows += 1;
                }
                for r in row..row + rows {
                    for c in start..col {
                        covered[r * n + c] = true;
                    }
                }
                // Module units, y up from the bottom edge of the code.
                let bottom = (n - row - rows) as f32;
                layout.fill_rect(start as f32, bottom, (col - start) as f32, rows as f32);
            }
        }
        layout.end_scaled();
    }
}

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The ISO/IEC 18004 mask penalty N1 + N2 + N3 + N4 of a square matrix, on rows and
/// columns packed into `u128` (sides up to 120 modules, version 26; larger codes all score 0
/// and take the first mask).
fn penalty(dark: &[bool], n: usize) -> u32 {
    if n > 120 {
        return 0;
    }
    let mut rows = vec![0u128; n];
    let mut cols = vec![0u128; n];
    // Branch-free: the module colours are the unpredictable part of this function.
    for (y, row) in dark.chunks_exact(n).enumerate() {
        let mut packed = 0u128;
        for (x, &d) in row.iter().enumerate() {
            let bit = u128::from(d);
            packed |= bit << x;
            cols[x] |= bit << y;
        }
        rows[y] = packed;
    }
    let full: u128 = (1u128 << n) - 1;
    let mut score = 0u32;
    for lines in [&rows, &cols] {
        for &line in lines.iter() {
            // N1: runs of 5 or more modules of one colour score run − 2. A set bit k of
            // `changes` means modules k and k + 1 differ: a run ends after module k.
            let mut changes = (line ^ (line >> 1)) & (full >> 1);
            let mut start = 0u32;
            let side = n as u32;
            while changes != 0 {
                let end = changes.trailing_zeros() + 1;
                if end - start >= 5 {
                    score += end - start - 2;
                }
                start = end;
                changes &= changes - 1;
            }
            if side - start >= 5 {
                score += side - start - 2;
            }
            // N3: 1011101 with four light modules before or after (outside counts as light).
            score += 40 * finder_like(line, n);
        }
    }
    // N2: 2×2 blocks of one colour score 3 each.
    let inner = full >> 1;
    for pair in rows.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let same_vertical = !(a ^ b);
        let same_horizontal = !(a ^ (a >> 1));
        let blocks = same_vertical & (same_vertical >> 1) & same_horizontal & inner;
        score += 3 * blocks.count_ones();
    }
    // N4: 10 per 5 % of imbalance between dark and light.
    let dark_count: usize = rows.iter().map(|r| r.count_ones() as usize).sum();
    let deviation = (dark_count * 100 / (n * n)).abs_diff(50) / 5;
    score + 10 * deviation as u32
}

/// N3 count of one line of `n` (≤ 120) modules: 1011101 with four light modules before or
/// after, outside the code counting as light. Bit-parallel: bit p of `matches` says the 11
/// modules from p match.
fn finder_like(line: u128, n: usize) -> u32 {
    let padded = line << 4;
    let starts: u128 = (1u128 << (n + 8 - 11 + 1)) - 1;
    let mut count = 0;
    for pattern in [0b000_0101_1101u32, 0b101_1101_0000] {
        let mut matches = starts;
        for i in 0..11 {
            let shifted = padded >> i;
            matches &= if pattern >> i & 1 == 1 {
                shifted
            } else {
                !shifted
            };
        }
        count += matches.count_ones();
    }
    count
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn finder_like_matches_a_window_by_window_count() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for n in [21usize, 65, 97, 120] {
            for _ in 0..500 {
                // xorshift; sparse lines too, so the patterns do occur.
                let mut next = || {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state
                };
                let raw = (u128::from(next()) << 64 | u128::from(next()))
                    & (u128::from(next()) << 64 | u128::from(next()));
                let line = raw & ((1u128 << n) - 1);
                let padded = line << 4;
                let slow = (0..=(n + 8 - 11))
                    .filter(|p| {
                        let w = (padded >> p) & 0x7FF;
                        w == 0b000_0101_1101 || w == 0b101_1101_0000
                    })
                    .count() as u32;
                assert_eq!(finder_like(line, n), slow, "{line:b}");
            }
        }
        let exact = 0b1011101u128 << 4; // light 0..4 before, 11.. after
        assert_eq!(finder_like(exact, 21), 2);
    }

    #[test]
    fn penalty_rules() {
        // All light 7×7: N1 14 runs of 7 (5 each) = 70, N2 36 blocks × 3 = 108, N4 10 × 10.
        let n = 7;
        assert_eq!(penalty(&vec![false; n * n], n), 70 + 108 + 100);
        let m = QrMatrix::new("HTTPS://VERIFY.EXAMPLE/V/0123456789").unwrap();
        assert_eq!(m.width(), 17 + 4 * m.version() as usize);
    }
}
