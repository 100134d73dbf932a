//! A ZIP of a class's PDFs (deflate), for download from the issuer API.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::PdfError;

/// Pack `(file name, PDF bytes)` pairs into one ZIP archive. Names are used as given; the
/// caller makes them unique (e.g. `<class>-<student code>.pdf`).
pub fn zip_class<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<u8>, PdfError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name, options)
            .map_err(|e| PdfError::Zip(format!("{name}: {e}")))?;
        zip.write_all(bytes)
            .map_err(|e| PdfError::Zip(format!("{name}: {e}")))?;
    }
    let cursor = zip.finish().map_err(|e| PdfError::Zip(e.to_string()))?;
    Ok(cursor.into_inner())
}
