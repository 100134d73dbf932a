//! The ZIP container of a workbook, read with every part capped: the number of entries
//! ([`MAX_ZIP_ENTRIES`]), the bytes each part inflates to ([`MAX_PART_BYTES`], counted while
//! inflating, whatever the entry declares) and the compression ratio ([`MAX_RATIO`]).

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::super::ImportError;
use super::super::limits::{MAX_PART_BYTES, MAX_RATIO, MAX_ZIP_ENTRIES, RATIO_CHECK_FROM_BYTES};
use super::xlsx_error;

/// The archive of a workbook in memory.
pub(super) type Archive<'b> = ZipArchive<Cursor<&'b [u8]>>;

/// Open the ZIP, refusing more than [`MAX_ZIP_ENTRIES`] entries before the central directory
/// is read (from the end record's count) and after (from what was read).
pub(super) fn open(bytes: &[u8]) -> Result<Archive<'_>, ImportError> {
    if let Some(entries) = declared_entries(bytes)
        && entries > MAX_ZIP_ENTRIES as u64
    {
        return Err(ImportError::TooManyEntries {
            entries,
            limit: MAX_ZIP_ENTRIES,
        });
    }
    let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| xlsx_error(e.to_string()))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(ImportError::TooManyEntries {
            entries: archive.len() as u64,
            limit: MAX_ZIP_ENTRIES,
        });
    }
    Ok(archive)
}

/// The entry count of the ZIP's end-of-central-directory record, when there is one and it
/// is not a ZIP64 placeholder (`0xFFFF`).
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    // The record is 22 bytes plus a comment of at most 65,535.
    let tail_start = bytes.len().saturating_sub(22 + 65_535);
    let tail = &bytes[tail_start..];
    let at = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let count = tail.get(at + 10..at + 12)?;
    let count = u16::from_le_bytes([count[0], count[1]]);
    (count != 0xFFFF).then_some(u64::from(count))
}

/// The name of the entry that matches `path` (ASCII case aside), if any.
pub(super) fn find(archive: &Archive<'_>, path: &str) -> Option<String> {
    archive
        .file_names()
        .filter_map(Result::ok)
        .find(|name| name.trim_start_matches('/').eq_ignore_ascii_case(path))
        .map(|name| name.into_owned())
}

/// A reader of one part that stops with an error past [`MAX_PART_BYTES`] or once the part
/// inflates more than [`MAX_RATIO`] times its compressed size. Counting here rather than
/// trusting the entry's declared size: a ZIP can declare anything.
pub(super) struct Capped<R> {
    inner: R,
    part: String,
    compressed: u64,
    declared: u64,
    read: u64,
    /// Why reading stopped, when a cap did it.
    tripped: Option<ImportError>,
}

impl<R: Read> Capped<R> {
    /// The error a failed read means: the cap that tripped, else `other`.
    pub(super) fn error(&mut self, other: impl FnOnce() -> String) -> ImportError {
        self.tripped.take().unwrap_or_else(|| xlsx_error(other()))
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Never ask for more than one byte past the cap, nor past the declared size but to
        // probe, once it is reached, whether the entry has more.
        let room = (MAX_PART_BYTES + 1).saturating_sub(self.read);
        let declared_room = self.declared.saturating_sub(self.read).max(1);
        let want = buf
            .len()
            .min(usize::try_from(room.min(declared_room)).unwrap_or(usize::MAX));
        let n = match self.inner.read(&mut buf[..want]) {
            Ok(n) => n,
            // The entry gives more than it declares (the zip crate stops there): a bomb that
            // lies about its size.
            Err(e) if self.read >= self.declared => {
                self.tripped = Some(ImportError::DeclaredSizeExceeded {
                    part: self.part.clone(),
                    declared: self.declared,
                });
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        self.read += n as u64;
        if self.read > MAX_PART_BYTES {
            self.tripped = Some(ImportError::PartTooLarge {
                part: self.part.clone(),
                limit: MAX_PART_BYTES,
            });
        } else if self.read > RATIO_CHECK_FROM_BYTES
            && self.read > self.compressed.saturating_mul(MAX_RATIO)
        {
            self.tripped = Some(ImportError::CompressionRatio {
                part: self.part.clone(),
                compressed: self.compressed,
                limit: MAX_RATIO,
            });
        }
        if self.tripped.is_some() {
            return Err(std::io::Error::other("import limit"));
        }
        Ok(n)
    }
}

/// Open the part named `name` (as [`find`] gave it) for capped reading.
pub(super) fn part<'a, 'b>(
    archive: &'a mut Archive<'b>,
    name: &str,
) -> Result<Capped<zip::read::ZipFile<'a, Cursor<&'b [u8]>>>, ImportError> {
    let file = archive
        .by_name(name)
        .map_err(|e| xlsx_error(format!("{name}: {e}")))?;
    // An honest declaration over the cap is refused before inflating anything.
    if file.size() > MAX_PART_BYTES {
        return Err(ImportError::PartTooLarge {
            part: name.to_owned(),
            limit: MAX_PART_BYTES,
        });
    }
    Ok(Capped {
        compressed: file.compressed_size(),
        declared: file.size(),
        inner: file,
        part: name.to_owned(),
        read: 0,
        tripped: None,
    })
}

/// The whole of a small part (`workbook.xml`, its relationships), capped like any other.
pub(super) fn read_all(archive: &mut Archive<'_>, name: &str) -> Result<Vec<u8>, ImportError> {
    let mut reader = part(archive, name)?;
    let mut bytes = Vec::new();
    match reader.read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(e) => Err(reader.error(|| format!("{name}: {e}"))),
    }
}
