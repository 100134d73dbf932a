//! `xl/sharedStrings.xml`: the texts that cells of type `s` point to by index, streamed and
//! kept compactly (one buffer, one end offset per string).

use std::io::BufReader;

use quick_xml::events::Event;

use super::super::ImportError;
use super::super::limits::{MAX_CELL_CHARS, MAX_SHARED_STRINGS};
use super::super::table::check_cell_length;
use super::part::{self, Archive};

/// The shared strings of a workbook.
#[derive(Debug, Default)]
pub(super) struct Strings {
    text: String,
    ends: Vec<usize>,
}

impl Strings {
    /// String number `i` (0-based), if there is one.
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        self.text.get(start..end)
    }
}

/// Read the shared strings part `name`.
pub(super) fn read(archive: &mut Archive<'_>, name: &str) -> Result<Strings, ImportError> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part::part(archive, name)?));
    let mut strings = Strings::default();
    let mut buf = Vec::new();
    let mut start = 0;
    // Inside `<si>`, inside a `<t>`, inside a phonetic run `<rPh>` (not part of the text).
    let (mut in_si, mut in_t, mut in_phonetic) = (false, false, false);
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                let part = reader.get_mut().get_mut();
                return Err(part.error(|| format!("{name}: {e}")));
            }
        };
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => {
                    in_si = true;
                    start = strings.text.len();
                }
                "t" => in_t = in_si,
                "rPh" => in_phonetic = true,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => {
                if strings.ends.len() >= MAX_SHARED_STRINGS {
                    return Err(ImportError::TooManyStrings {
                        limit: MAX_SHARED_STRINGS,
                    });
                }
                strings.ends.push(strings.text.len());
            }
            Event::End(e) => match e.local_name().as_ref() {
                "si" => {
                    in_si = false;
                    if strings.ends.len() >= MAX_SHARED_STRINGS {
                        return Err(ImportError::TooManyStrings {
                            limit: MAX_SHARED_STRINGS,
                        });
                    }
                    strings.ends.push(strings.text.len());
                }
                "t" => in_t = false,
                "rPh" => in_phonetic = false,
                _ => {}
            },
            Event::Text(t) if in_t && !in_phonetic => strings.text.push_str(&t.xml10_content()),
            Event::CData(t) if in_t && !in_phonetic => strings.text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t && !in_phonetic => {
                super::sheet::push_entity(&mut strings.text, &r)
                    .map_err(|e| super::xlsx_error(format!("{name}: {e}")))?;
            }
            Event::Eof => break,
            _ => {}
        }
        if in_si && strings.text.len() - start > 4 * MAX_CELL_CHARS {
            let index = strings.ends.len();
            check_cell_length(&strings.text[start..], || {
                format!("chuỗi dùng chung số {index} / shared string {index}")
            })?;
        }
        buf.clear();
    }
    Ok(strings)
}
