//! Reading the QR code of a printed record from a photo or a scan (PNG or JPEG), bounded in
//! bytes and pixels.
//!
//! The decoder is `rqrr`. On its own it misses what schools and parents really produce: office
//! scans at 100–120 dpi (a module of the record's version-12 code is then about two pixels)
//! and phone photos taken at an angle, in poor light, with JPEG noise. So the image is tried
//! in a few prepared forms, cheapest first, until one decodes:
//!
//! 1. as it is;
//! 2. enlarged (×2 to ×4, to about 3,300 px on the short side) — small modules become
//!    readable;
//! 3. binarised with a local (adaptive) threshold, as it is and enlarged — uneven light and
//!    low contrast stop mattering;
//! 4. reduced (×½), then binarised — averages JPEG and sensor noise away on large photos.
//!
//! Every form is bounded by [`MAX_IMAGE_PIXELS`](crate::qr::MAX_IMAGE_PIXELS) (an enlargement
//! that would exceed it is skipped), so a hostile image costs at most a few decodes of 40
//! megapixels. The adaptive threshold is written here (a dozen lines over an integral image)
//! rather than taken from `imageproc`, whose dependency tree is larger than this crate's.

use image::GrayImage;
use image::imageops::{self, FilterType};

use crate::error::VerifyError;
use crate::qr::{MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS};

/// Find and decode the QR code in a PNG or JPEG image (bounded: at most
/// [`MAX_IMAGE_BYTES`] and [`MAX_IMAGE_PIXELS`]). Returns the text of the first code that
/// decodes, trying the prepared forms of the module documentation in order.
pub fn decode_qr_image(bytes: &[u8]) -> Result<String, VerifyError> {
    let gray = load_gray(bytes)?;
    let mut found_unreadable = None;
    for form in Form::ALL {
        let Some(prepared) = form.prepare(&gray) else {
            continue;
        };
        match decode(prepared) {
            Decoded::Text(text) => return Ok(text),
            Decoded::Unreadable(problem) => found_unreadable = Some(problem),
            Decoded::Nothing => {}
        }
    }
    Err(VerifyError::Image {
        problem: match found_unreadable {
            Some(problem) => format!("a QR code was found but could not be read: {problem}"),
            None => "no QR code found in the image; take the photo straight on, with the whole \
                     code in the frame, or scan at 150 dpi or more"
                .into(),
        },
    })
}

fn load_gray(bytes: &[u8]) -> Result<GrayImage, VerifyError> {
    let bad = |problem: String| VerifyError::Image { problem };
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(bad(format!(
            "{} bytes is larger than the {MAX_IMAGE_BYTES}-byte limit",
            bytes.len()
        )));
    }
    let open = || {
        image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| bad(e.to_string()))
    };
    let (w, h) = open()?
        .into_dimensions()
        .map_err(|e| bad(format!("not a readable PNG or JPEG: {e}")))?;
    if u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(bad(format!(
            "{w}×{h} pixels is more than the {MAX_IMAGE_PIXELS}-pixel limit"
        )));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + (16 << 20));
    let mut reader = open()?;
    reader.limits(limits);
    Ok(reader
        .decode()
        .map_err(|e| bad(format!("not a readable PNG or JPEG: {e}")))?
        .into_luma8())
}

/// One prepared form of the image.
#[derive(Debug, Clone, Copy)]
enum Form {
    AsIs,
    Enlarged,
    Binarised,
    EnlargedBinarised,
    ReducedBinarised,
}

impl Form {
    const ALL: [Form; 5] = [
        Form::AsIs,
        Form::Enlarged,
        Form::Binarised,
        Form::EnlargedBinarised,
        Form::ReducedBinarised,
    ];

    /// The form of `gray`, or `None` when it does not apply (too large to enlarge, too small
    /// to reduce).
    fn prepare(self, gray: &GrayImage) -> Option<GrayImage> {
        match self {
            Form::AsIs => Some(gray.clone()),
            Form::Enlarged => enlarge(gray),
            Form::Binarised => Some(binarise(gray)),
            Form::EnlargedBinarised => enlarge(gray).map(|g| binarise(&g)),
            Form::ReducedBinarised => {
                let (w, h) = gray.dimensions();
                (w.min(h) >= 800)
                    .then(|| imageops::resize(gray, w / 2, h / 2, FilterType::Triangle))
                    .map(|g| binarise(&g))
            }
        }
    }
}

/// Enlarged until the short side is about 3,300 px (a 100 dpi A4 scan ×4, 150 dpi ×3), at
/// least ×2 and at most ×4; `None` past the pixel limit.
fn enlarge(gray: &GrayImage) -> Option<GrayImage> {
    let (w, h) = gray.dimensions();
    let factor = 3300u32.div_ceil(w.min(h).max(1)).clamp(2, 4);
    let (nw, nh) = (w.checked_mul(factor)?, h.checked_mul(factor)?);
    (u64::from(nw) * u64::from(nh) <= MAX_IMAGE_PIXELS)
        .then(|| imageops::resize(gray, nw, nh, FilterType::CatmullRom))
}

/// Local-mean threshold (Bradley–Roth): a pixel is black when it is more than 15 % darker than
/// the mean of the square around it (side 1/8 of the image's short side, at least 15 px).
fn binarise(gray: &GrayImage) -> GrayImage {
    let (w, h) = gray.dimensions();
    let (wu, hu) = (w as usize, h as usize);
    let pixels = gray.as_raw();
    let stride = wu + 1;
    // Integral image, one row and column of zeros in front.
    let mut integral = vec![0u64; stride * (hu + 1)];
    for (y, row) in pixels.chunks_exact(wu.max(1)).enumerate().take(hu) {
        let mut sum = 0u64;
        let (above, below) = integral.split_at_mut((y + 1) * stride);
        let above = &above[y * stride..];
        for (x, &p) in row.iter().enumerate() {
            sum += u64::from(p);
            below[x + 1] = above[x + 1] + sum;
        }
    }
    let half = (w.min(h) / 16).max(7) as usize;
    let mut out = vec![255u8; wu * hu];
    for y in 0..hu {
        let (y0, y1) = (y.saturating_sub(half), (y + half + 1).min(hu));
        let (top, bottom) = (&integral[y0 * stride..], &integral[y1 * stride..]);
        for x in 0..wu {
            let (x0, x1) = (x.saturating_sub(half), (x + half + 1).min(wu));
            let sum = bottom[x1] + top[x0] - top[x1] - bottom[x0];
            let count = ((x1 - x0) * (y1 - y0)) as u64;
            let i = y * wu + x;
            // value < 0.85 × mean, in integers.
            if u64::from(pixels[i]) * count * 100 < sum * 85 {
                out[i] = 0;
            }
        }
    }
    GrayImage::from_raw(w, h, out).unwrap_or_else(|| gray.clone())
}

enum Decoded {
    Text(String),
    Unreadable(String),
    Nothing,
}

fn decode(gray: GrayImage) -> Decoded {
    let mut prepared = rqrr::PreparedImage::prepare(gray);
    let mut unreadable = None;
    for grid in prepared.detect_grids() {
        match grid.decode() {
            Ok((_, text)) => return Decoded::Text(text),
            Err(e) => unreadable = Some(e.to_string()),
        }
    }
    unreadable.map_or(Decoded::Nothing, Decoded::Unreadable)
}
