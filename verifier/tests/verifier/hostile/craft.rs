//! Hostile PDFs built by hand, byte by byte: a correct cross-reference table over whatever
//! objects a test gives, and the variants of the reference loops, budgets and parser traps the
//! reader must survive.

use std::collections::BTreeMap;

/// The catalog (object 1) with its pages (2, 3), its `/Names` → `/EmbeddedFiles` pointing at
/// object 5.
pub const CATALOG: &str = "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >> >>";
const PAGES: &str = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
const PAGE: &str = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>";

/// A PDF of `objects` (number, body), a correct classic cross-reference table, and a trailer
/// with `/Root 1 0 R` plus `trailer_extra`.
pub fn build(objects: &[(u32, Vec<u8>)], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = BTreeMap::new();
    for (n, body) in objects {
        offsets.insert(*n, out.len());
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = offsets.keys().max().copied().unwrap_or(0) + 1;
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for n in 1..size {
        match offsets.get(&n) {
            Some(o) => out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 00000 f \n"),
        }
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {size} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

fn obj(n: u32, body: impl AsRef<[u8]>) -> (u32, Vec<u8>) {
    (n, body.as_ref().to_vec())
}

/// Catalog, pages and page, then `rest`.
fn with_catalog(catalog: &str, rest: Vec<(u32, Vec<u8>)>) -> Vec<(u32, Vec<u8>)> {
    let mut objects = vec![obj(1, catalog), obj(2, PAGES), obj(3, PAGE)];
    objects.extend(rest);
    objects
}

/// An embedded file stream (object `n`) holding `content`, unfiltered.
pub fn file_stream(n: u32, content: &[u8]) -> (u32, Vec<u8>) {
    let mut body = format!(
        "<< /Type /EmbeddedFile /Subtype /application#2Fjson /Length {} >>\nstream\n",
        content.len()
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(b"\nendstream");
    (n, body)
}

/// A file specification (object `n`) named `name` for the stream object `file`.
pub fn file_spec(n: u32, name: &str, file: u32) -> (u32, Vec<u8>) {
    obj(
        n,
        format!("<< /Type /Filespec /F ({name}) /UF ({name}) /EF << /F {file} 0 R >> >>"),
    )
}

/// How the embedded files are laid out in the name tree.
#[derive(Debug, Clone, Copy)]
pub enum Tree {
    /// One leaf node holding every entry.
    OneNode,
    /// A root with one kid per entry (the same name may then sit in two nodes).
    NodePerFile,
}

/// A PDF whose `EmbeddedFiles` tree holds `files` (name, content) laid out as `tree`.
pub fn with_files(files: &[(&str, &[u8])], tree: Tree) -> Vec<u8> {
    let mut rest = Vec::new();
    let mut names = String::new();
    let mut kids = String::new();
    for (i, (name, content)) in files.iter().enumerate() {
        let i = u32::try_from(i).unwrap();
        let (spec, stream, node) = (10 + i, 40 + i, 70 + i);
        rest.push(file_spec(spec, name, stream));
        rest.push(file_stream(stream, content));
        names.push_str(&format!("({name}) {spec} 0 R "));
        rest.push(obj(node, format!("<< /Names [({name}) {spec} 0 R] >>")));
        kids.push_str(&format!("{node} 0 R "));
    }
    match tree {
        Tree::OneNode => rest.push(obj(5, format!("<< /Names [{names}] >>"))),
        Tree::NodePerFile => rest.push(obj(5, format!("<< /Kids [{kids}] >>"))),
    }
    build(&with_catalog(CATALOG, rest), "")
}

/// The hostile variants, each named for what it does.
pub fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    let plain = |rest: Vec<(u32, Vec<u8>)>| build(&with_catalog(CATALOG, rest), "");
    let mut all = vec![
        // The 706-byte file of the report: a name-tree node that is its own kid.
        ("kids-self", plain(vec![obj(5, "<< /Kids [5 0 R] >>")])),
        (
            "kids-self-64-times",
            plain(vec![obj(
                5,
                format!("<< /Kids [{}] >>", "5 0 R ".repeat(64)),
            )]),
        ),
        (
            "kids-cycle-of-two",
            plain(vec![
                obj(5, "<< /Kids [6 0 R] >>"),
                obj(6, "<< /Kids [5 0 R 5 0 R] >>"),
            ]),
        ),
        (
            "kids-cycle-through-the-catalog",
            plain(vec![obj(5, "<< /Kids [1 0 R] >>")]),
        ),
        (
            "names-embedded-files-loop",
            build(
                &with_catalog(
                    "<< /Type /Catalog /Pages 2 0 R /Names 4 0 R >>",
                    vec![obj(4, "<< /EmbeddedFiles 4 0 R >>")],
                ),
                "",
            ),
        ),
        (
            "embedded-files-is-the-catalog",
            build(
                &with_catalog(
                    "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 1 0 R >> >>",
                    vec![],
                ),
                "",
            ),
        ),
        (
            "kids-array-by-reference-loop",
            plain(vec![obj(5, "<< /Kids 6 0 R >>"), obj(6, "[5 0 R]")]),
        ),
        (
            "reference-to-reference-loop",
            plain(vec![obj(5, "6 0 R"), obj(6, "5 0 R")]),
        ),
        (
            "kids-diamond-2-pow-40",
            plain(
                (5..45)
                    .map(|n| obj(n, format!("<< /Kids [{0} 0 R {0} 0 R] >>", n + 1)))
                    .chain([obj(45, "<< /Names [] >>")])
                    .collect(),
            ),
        ),
        (
            "kids-20000-wide",
            plain(vec![
                obj(5, format!("<< /Kids [{}] >>", "6 0 R ".repeat(20_000))),
                obj(6, "<< /Names [] >>"),
            ]),
        ),
        (
            "spec-whose-ef-is-the-spec",
            plain(vec![
                obj(5, "<< /Names [(hocba-credential.json) 6 0 R] >>"),
                obj(6, "<< /Type /Filespec /EF 6 0 R >>"),
            ]),
        ),
        (
            "length-is-its-own-stream",
            plain(vec![
                obj(5, "<< /Names [(hocba-credential.json) 6 0 R] >>"),
                obj(6, "<< /Type /Filespec /EF << /F 7 0 R >> >>"),
                obj(7, "<< /Length 7 0 R >>\nstream\n{}\nendstream"),
            ]),
        ),
        (
            "length-chain-20000",
            plain(
                [
                    obj(5, "<< /Names [(hocba-credential.json) 6 0 R] >>"),
                    obj(6, "<< /Type /Filespec /EF << /F 10 0 R >> >>"),
                ]
                .into_iter()
                .chain((10..20_010).map(|n| {
                    obj(
                        n,
                        format!("<< /Length {} 0 R >>\nstream\n\nendstream", n + 1),
                    )
                }))
                .collect(),
            ),
        ),
        (
            "arrays-nested-100000-deep",
            plain(vec![obj(
                5,
                format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            )]),
        ),
        (
            "dictionaries-nested-50000-deep",
            plain(vec![obj(
                5,
                format!("{}{}", "<< /A ".repeat(50_000), ">>".repeat(50_000)),
            )]),
        ),
    ];
    // The table's /Prev names the table itself, then a chain of two that loops.
    let mut prev_self = plain(vec![obj(5, "<< /Kids [5 0 R] >>")]);
    let xref = xref_offset(&prev_self);
    prev_self = with_trailer_extra(&prev_self, &format!("/Prev {xref}"));
    all.push(("prev-names-its-own-table", prev_self));
    all.push(("one-offset-60000-entries", same_offset_entries(60_000)));
    all.push(("streams-inside-streams", nested_streams(4_000)));
    all
}

/// The offset `startxref` gives.
pub fn xref_offset(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let at = text.rfind("startxref").unwrap();
    text[at + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// `pdf` with `extra` added to its (last) trailer dictionary, offsets unchanged.
fn with_trailer_extra(pdf: &[u8], extra: &str) -> Vec<u8> {
    let text = pdf.to_vec();
    let at = text.windows(2).rposition(|w| w == b">>").unwrap();
    let mut out = text[..at].to_vec();
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&text[at..]);
    out
}

/// A 200 KB literal string (object 9) that `entries` cross-reference entries all name: a
/// reader parsing every entry parses it `entries` times.
fn same_offset_entries(entries: u32) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in with_catalog(CATALOG, vec![obj(5, "<< /Kids [9 0 R] >>")]) {
        offsets.push((n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let big = out.len();
    out.extend_from_slice(b"9 0 obj\n(");
    out.extend(std::iter::repeat_n(b'A', 200_000));
    out.extend_from_slice(b")\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 6\n0000000000 65535 f \n");
    let mut map: BTreeMap<u32, usize> = offsets.into_iter().collect();
    map.insert(4, big);
    for n in 1..6 {
        let o = map.get(&n).copied().unwrap_or(big);
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("9 {entries}\n").as_bytes());
    for _ in 0..entries {
        out.extend_from_slice(format!("{big:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            9 + entries
        )
        .as_bytes(),
    );
    out
}

/// `depth` streams, each one's data holding the next one's object (distinct numbers, all in
/// the table): a reader copying every listed stream copies the file `depth` times over.
fn nested_streams(depth: u32) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = BTreeMap::new();
    for (n, body) in with_catalog(CATALOG, vec![obj(5, "<< /Kids [100 0 R] >>")]) {
        offsets.insert(n, out.len());
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\nendobj\n");
    }
    // Headers first, then the shared tail: object k's data runs over the headers after it
    // and the filler. Each header has a fixed width, so the lengths are known beforehand.
    let filler = vec![b'x'; 400_000];
    let width = 64usize;
    let count = usize::try_from(depth).unwrap();
    let header_text: Vec<Vec<u8>> = (0..count)
        .map(|i| {
            let rest = (count - i - 1) * width + filler.len();
            let mut h = format!("{} 0 obj\n<< /Length {rest:>12} >>", 100 + i).into_bytes();
            h.resize(width - b"\nstream\n".len(), b' ');
            h.extend_from_slice(b"\nstream\n");
            assert_eq!(h.len(), width);
            h
        })
        .collect();
    let first = out.len();
    for (i, h) in header_text.iter().enumerate() {
        offsets.insert(100 + u32::try_from(i).unwrap(), first + i * width);
        out.extend_from_slice(h);
    }
    out.extend_from_slice(&filler);
    for _ in 0..depth {
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }
    let xref = out.len();
    let size = 100 + depth;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for n in 1..size {
        match offsets.get(&n) {
            Some(o) => out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 00000 f \n"),
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

/// `pdf` with an incremental update appended: `objects` (new objects, or new versions of old
/// ones), a cross-reference section for them whose `/Prev` is the old one, and a trailer with
/// `/Root root 0 R`.
pub fn append_update(pdf: &[u8], objects: &[(u32, Vec<u8>)], root: u32) -> Vec<u8> {
    let prev = xref_offset(pdf);
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::new();
    for (n, body) in objects {
        offsets.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    for (n, o) in &offsets {
        out.extend_from_slice(format!("{n} 1\n{o:010} 00000 n \n").as_bytes());
    }
    let size = objects.iter().map(|(n, _)| n + 1).max().unwrap_or(1);
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {size} /Root {root} 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}
