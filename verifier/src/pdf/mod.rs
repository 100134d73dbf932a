//! Reading the signed credential out of a printed record's PDF: the embedded file
//! `hocba-credential.json` in the catalog's `EmbeddedFiles` name tree.
//!
//! **Bounded on hostile files.** A PDF is at most [`MAX_PDF_BYTES`]. Its objects are read by the
//! private module `objects` rather than by `lopdf::Document::load_mem`, which hangs (a
//! cross-reference table naming one offset 60,000 times), goes quadratic (streams nested in
//! stream data) or overflows the stack (a chain of indirect `/Length`s) on crafted files: on
//! demand, each at most once, each parsed within its own region of the file, at most
//! [`MAX_OBJECTS_READ`] per PDF; lopdf is used only as the parser of one object. Compressed
//! object streams and encryption are refused (the issuer writes neither).
//! The name tree is walked with a visited set (a node met twice — `/Kids [5 0 R]` inside object
//! 5, a cycle across nodes — is an error naming the object), at most [`MAX_TREE_NODES`] nodes
//! and [`MAX_TREE_DEPTH`] levels. The embedded file is inflated to at most
//! [`MAX_CREDENTIAL_BYTES`](crate::MAX_CREDENTIAL_BYTES). No clock is read: the limits are on
//! the work, so the CLI, the upload page and the bulk API all finish; the HTTP service adds a
//! deadline of its own on top.
//!
//! **Exactly one credential.** The whole tree is read, not only up to the first match: a PDF
//! with `hocba-credential.json` twice (in one node or two), or with another embedded file that
//! is itself a credential (a JSON object with `credentialSubject`, `proof` or the type
//! `VerifiableCredential`), is refused with [`VerifyError::PdfManyCredentials`] — which one the
//! paper stands for is not clear, and judging "the first" would let a valid record vouch for a
//! revoked one. Other attachments are read only as far as that check needs (unfiltered or
//! FlateDecode, within the size limit) and otherwise ignored; at most [`MAX_EMBEDDED_FILES`].

mod objects;
pub mod signatures;

use std::collections::HashSet;
use std::io::Read;
use std::rc::Rc;

use lopdf::{Object, ObjectId, Stream};

use objects::Objects;
pub use objects::{MAX_ENTRIES, MAX_OBJECTS_READ, MAX_SECTIONS};

use crate::error::VerifyError;
use crate::input::{MAX_CREDENTIAL_BYTES, parse_object};

/// Largest PDF accepted, in bytes (16 MiB; a record is about 40 KB).
pub const MAX_PDF_BYTES: usize = 16 << 20;
/// The embedded file's name.
pub const EMBEDDED_NAME: &str = hocba_schema::publication::EMBEDDED_CREDENTIAL_NAME;
/// Most nodes of the `EmbeddedFiles` name tree visited (a record's tree has one).
pub const MAX_TREE_NODES: usize = 64;
/// Deepest level of the `EmbeddedFiles` name tree followed.
pub const MAX_TREE_DEPTH: usize = 16;
/// Most entries in the `EmbeddedFiles` name tree (a record has one).
pub const MAX_EMBEDDED_FILES: usize = 16;

/// Whether `bytes` look like a PDF (`%PDF-` header, possibly after a few bytes of junk as
/// readers allow).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes
        .get(..1024.min(bytes.len()))
        .is_some_and(|head| head.windows(5).any(|w| w == b"%PDF-"))
}

fn bad(problem: impl Into<String>) -> VerifyError {
    VerifyError::Pdf {
        problem: problem.into(),
    }
}

fn missing() -> VerifyError {
    bad(format!(
        "no embedded file {EMBEDDED_NAME:?}: not a printed học bạ"
    ))
}

/// The bytes of the embedded `hocba-credential.json`, the only credential the PDF carries.
pub fn extract_credential(pdf: &[u8]) -> Result<Vec<u8>, VerifyError> {
    if pdf.len() > MAX_PDF_BYTES {
        return Err(bad(format!(
            "{} bytes is larger than the {MAX_PDF_BYTES}-byte limit",
            pdf.len()
        )));
    }
    if pdf.windows(7).any(|w| w == b"/ObjStm") {
        return Err(bad(
            "the PDF uses compressed object streams, which this verifier does not read; \
             give the PDF as the school issued it",
        ));
    }
    let objects = Objects::open(pdf).map_err(|e| bad(format!("not a readable PDF: {e}")))?;
    let mut walk = Walk {
        objects,
        visited: HashSet::new(),
        nodes: 0,
        files: Vec::new(),
    };
    walk.embedded_files()?;
    let files = std::mem::take(&mut walk.files);
    let (ours, others): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(name, _)| name == EMBEDDED_NAME.as_bytes());
    let Some((_, spec)) = ours.first() else {
        return Err(missing());
    };
    let mut credentials = vec![EMBEDDED_NAME.to_owned(); ours.len()];
    if ours.len() == 1 {
        for (name, other) in &others {
            if walk
                .read_file(other)
                .is_ok_and(|bytes| is_credential(&bytes))
            {
                credentials.push(String::from_utf8_lossy(name).into_owned());
            }
        }
    }
    if credentials.len() > 1 {
        return Err(VerifyError::PdfManyCredentials {
            count: credentials.len(),
            names: credentials,
        });
    }
    walk.read_file(spec)
}

/// Whether `bytes` are a JSON object that is a credential.
fn is_credential(bytes: &[u8]) -> bool {
    let Ok(map) = parse_object(bytes, "credential", MAX_CREDENTIAL_BYTES) else {
        return false;
    };
    let typed = match map.get("type") {
        Some(serde_json::Value::String(t)) => t == "VerifiableCredential",
        Some(serde_json::Value::Array(a)) => a.iter().any(|t| t == "VerifiableCredential"),
        _ => false,
    };
    typed || map.contains_key("credentialSubject") || map.contains_key("proof")
}

/// The walk over the catalog and its `EmbeddedFiles` name tree.
struct Walk<'a> {
    objects: Objects<'a>,
    /// Indirect objects of the tree already visited (the catalog and `/Names` included).
    visited: HashSet<ObjectId>,
    /// Tree nodes visited, against [`MAX_TREE_NODES`].
    nodes: usize,
    /// Every `(name, file specification)` entry of the tree, in order.
    files: Vec<(Vec<u8>, Object)>,
}

impl Walk<'_> {
    /// `obj` itself, or the object it refers to (following at most four references in a
    /// row), kept alive in `slot`.
    fn load<'h>(
        &mut self,
        obj: &'h Object,
        slot: &'h mut Option<Rc<Object>>,
    ) -> Result<&'h Object, VerifyError> {
        let &Object::Reference(mut id) = obj else {
            return Ok(obj);
        };
        for _ in 0..4 {
            let loaded = self.objects.get(id).map_err(bad)?;
            if let Some(Object::Reference(next)) = loaded.as_deref() {
                id = *next;
                continue;
            }
            let loaded = loaded.unwrap_or_else(|| Rc::new(Object::Null));
            return Ok(&**slot.insert(loaded));
        }
        Err(bad(format!(
            "object {} {} is a chain of references to references",
            id.0, id.1
        )))
    }

    /// Enter the tree object `obj`: when it is a reference visited before, an error.
    fn enter(&mut self, obj: &Object) -> Result<(), VerifyError> {
        let Object::Reference(id) = obj else {
            return Ok(());
        };
        if self.visited.insert(*id) {
            return Ok(());
        }
        Err(bad(format!(
            "the embedded-files name tree comes back to object {} {} (a loop); \
             not a PDF as the school issued it",
            id.0, id.1
        )))
    }

    /// Collect every entry of the catalog's `/Names` → `/EmbeddedFiles` tree.
    fn embedded_files(&mut self) -> Result<(), VerifyError> {
        let Ok(root) = self.objects.trailer().get(b"Root").cloned() else {
            return Err(bad("the trailer names no catalog (/Root)"));
        };
        self.enter(&root)?;
        let mut slot = None;
        let Object::Dictionary(catalog) = self.load(&root, &mut slot)? else {
            return Err(bad("the catalog (/Root) is not a dictionary"));
        };
        let names = catalog.get(b"Names").map_err(|_| missing())?;
        self.enter(names)?;
        let mut slot = None;
        let Object::Dictionary(names) = self.load(names, &mut slot)? else {
            return Err(missing());
        };
        let tree = names.get(b"EmbeddedFiles").map_err(|_| missing())?;
        self.node(tree, 0)
    }

    /// One node of the name tree (a reference or a dictionary): its `/Names` pairs, then its
    /// `/Kids`.
    fn node(&mut self, node: &Object, depth: usize) -> Result<(), VerifyError> {
        self.nodes += 1;
        if self.nodes > MAX_TREE_NODES || depth > MAX_TREE_DEPTH {
            return Err(bad(format!(
                "the embedded-files name tree is larger than {MAX_TREE_NODES} nodes or deeper \
                 than {MAX_TREE_DEPTH} levels; a printed học bạ has one node"
            )));
        }
        self.enter(node)?;
        let mut slot = None;
        let Object::Dictionary(node) = self.load(node, &mut slot)? else {
            return Ok(());
        };
        if let Ok(names) = node.get(b"Names") {
            self.enter(names)?;
            let mut slot = None;
            if let Object::Array(names) = self.load(names, &mut slot)? {
                for pair in names.chunks(2) {
                    if let [Object::String(name, _), spec] = pair {
                        if self.files.len() >= MAX_EMBEDDED_FILES {
                            return Err(bad(format!(
                                "the PDF carries more than {MAX_EMBEDDED_FILES} embedded files; \
                                 a printed học bạ carries one"
                            )));
                        }
                        self.files.push((name.clone(), spec.clone()));
                    }
                }
            }
        }
        if let Ok(kids) = node.get(b"Kids") {
            self.enter(kids)?;
            let mut slot = None;
            if let Object::Array(kids) = self.load(kids, &mut slot)? {
                if kids.len() > MAX_TREE_NODES {
                    return Err(bad(format!(
                        "a name-tree node has {} kids; at most {MAX_TREE_NODES} are followed",
                        kids.len()
                    )));
                }
                for kid in kids {
                    self.node(kid, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    /// The decoded content of the file a specification (`/EF` → `/F` or `/UF`) names.
    fn read_file(&mut self, spec: &Object) -> Result<Vec<u8>, VerifyError> {
        let mut slot = None;
        let Object::Dictionary(spec) = self.load(spec, &mut slot)? else {
            return Err(missing());
        };
        let ef = spec.get(b"EF").map_err(|_| missing())?;
        let mut slot = None;
        let Object::Dictionary(ef) = self.load(ef, &mut slot)? else {
            return Err(missing());
        };
        let file = ef
            .get(b"F")
            .or_else(|_| ef.get(b"UF"))
            .map_err(|_| missing())?;
        let mut slot = None;
        let Object::Stream(stream) = self.load(file, &mut slot)? else {
            return Err(missing());
        };
        decode(stream)
    }
}

/// The stream's content, unfiltered or inflated (FlateDecode), at most
/// [`MAX_CREDENTIAL_BYTES`].
fn decode(stream: &Stream) -> Result<Vec<u8>, VerifyError> {
    match stream.dict.get(b"Filter").ok() {
        None => {
            if stream.content.len() > MAX_CREDENTIAL_BYTES {
                return Err(too_large());
            }
            Ok(stream.content.clone())
        }
        Some(Object::Name(n)) if n == b"FlateDecode" => inflate(&stream.content),
        Some(Object::Array(a))
            if a.len() == 1 && matches!(&a[0], Object::Name(n) if n == b"FlateDecode") =>
        {
            inflate(&stream.content)
        }
        Some(other) => Err(bad(format!(
            "the embedded file uses filter {other:?}; only FlateDecode is read"
        ))),
    }
}

fn too_large() -> VerifyError {
    bad(format!(
        "the embedded credential is larger than {MAX_CREDENTIAL_BYTES} bytes"
    ))
}

fn inflate(data: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let mut out = Vec::new();
    let limit = u64::try_from(MAX_CREDENTIAL_BYTES).unwrap_or(u64::MAX) + 1;
    flate2::read::ZlibDecoder::new(data)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| bad(format!("the embedded file does not inflate: {e}")))?;
    if out.len() > MAX_CREDENTIAL_BYTES {
        return Err(too_large());
    }
    Ok(out)
}
