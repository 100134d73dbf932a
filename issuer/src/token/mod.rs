//! Keys on a PKCS#11 token (a school's USB token, a remote-signing service, SoftHSM2 in the
//! tests), through the `cryptoki` crate. The private keys never leave the token: only
//! signatures come out.
//!
//! * [`Token::open`] loads the module named by the URI ([`uri`]), finds the token, opens
//!   **one session and logs in once**; every signature of the batches that follow goes through
//!   that session (serialised by a lock: a token signs one thing at a time anyway), never a
//!   login per record.
//! * Keys are found by label (and `id`, when the URI gives one): a school's credential key is
//!   the Ed25519 (`CKK_EC_EDWARDS`) private key labelled `school-<code>` (after a rotation,
//!   `school-<code>-<suffix>`: the names of the PEM files), its public half the public-key
//!   object with the same label ([`ed25519`]); a PDF seal or principal key is any RSA or P-256
//!   key by its label ([`seal`]).
//! * A wrong or locked PIN is [`IssuerError::TokenPin`] and nothing is signed. A token that
//!   goes away (module finalized, slot emptied) fails each signature after it with
//!   [`IssuerError::Token`]; the batch engine then stores nothing for those records (a record
//!   is signed exactly when its credential is stored). The next signature tries once to open a
//!   new session and log in again, so a long-running service recovers when the token is back.
//! * One module context per module file per process ([`module`]): PKCS#11 modules are
//!   initialised once per process, and several tokens of one module share it.
//!
//! The PIN is read from the file the URI names or from `HOCBA_PKCS11_PIN`, kept in a zeroised
//! secret for re-login only, and never logged, shown or stored.

pub mod ed25519;
mod module;
pub mod principal;
pub mod seal;
pub mod uri;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

pub use ed25519::TokenEd25519Key;
pub use seal::TokenSealKey;
pub use uri::{PIN_ENV, PinSource, Pkcs11Uri, is_pkcs11_uri};

use crate::error::IssuerError;

/// Largest PIN file read.
pub(crate) const MAX_PIN_FILE_BYTES: u64 = 4096;

/// A key object on the token: its label and id (the handle is looked up per session).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct KeyRef {
    pub(crate) label: String,
    pub(crate) id: Vec<u8>,
}

/// How a private key object is protected (the attributes the token reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyProtection {
    /// `CKA_SENSITIVE`: the key's value cannot be read in the clear.
    pub sensitive: bool,
    /// `CKA_EXTRACTABLE`: the key can be wrapped out of the token.
    pub extractable: bool,
}

/// The session and what was looked up in it.
struct State {
    session: Option<Session>,
    /// Handles of key objects (private or public half) in the current session's life.
    handles: HashMap<(KeyRef, bool), ObjectHandle>,
}

/// An open token: one logged-in session, shared by every key on it.
pub struct Token {
    uri: Pkcs11Uri,
    name: String,
    ctx: Pkcs11,
    pin: Option<AuthPin>,
    state: Mutex<State>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("token", &self.name)
            .field("module", &self.uri.module_path)
            .finish_non_exhaustive()
    }
}

impl Token {
    /// Open the token `uri` names and log in with its PIN (see the module documentation).
    pub fn open(uri: &Pkcs11Uri) -> Result<Arc<Self>, IssuerError> {
        Self::open_with(uri, read_pin(uri)?)
    }

    /// Open the token `uri` names and log in with `pin`, given by a person for this use only
    /// (the principal's PIN of one batch, [`principal`]); the URI's `pin-source` is not read.
    /// The PIN lives in the returned token (zeroised when it is dropped).
    pub fn open_with_pin(uri: &Pkcs11Uri, pin: AuthPin) -> Result<Arc<Self>, IssuerError> {
        Self::open_with(uri, Some(pin))
    }

    fn open_with(uri: &Pkcs11Uri, pin: Option<AuthPin>) -> Result<Arc<Self>, IssuerError> {
        let name = uri.token_name();
        let ctx = module::context(&uri.module_path).map_err(|e| IssuerError::Token {
            token: name.clone(),
            problem: format!(
                "the PKCS#11 module {} could not be loaded or started ({}); check \
                 module-path, and that the token is there",
                uri.module_path.display(),
                short(&e)
            ),
        })?;
        let token = Self {
            uri: uri.clone(),
            name,
            ctx,
            pin,
            state: Mutex::new(State {
                session: None,
                handles: HashMap::new(),
            }),
        };
        {
            let mut state = token.lock();
            token.connect(&mut state)?;
        }
        Ok(Arc::new(token))
    }

    /// [`Token::open`] of a URI in text.
    pub fn open_uri(text: &str) -> Result<Arc<Self>, IssuerError> {
        Self::open(&Pkcs11Uri::parse(text)?)
    }

    /// The token's label (or its URI when the URI names no label).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URI it was opened with (safe to show: it holds no PIN).
    pub fn uri(&self) -> &Pkcs11Uri {
        &self.uri
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn error(&self, problem: String) -> IssuerError {
        IssuerError::Token {
            token: self.name.clone(),
            problem,
        }
    }

    /// Find the slot, open a session, log in. Called once at open, and again only after the
    /// session was lost.
    fn connect(&self, state: &mut State) -> Result<(), IssuerError> {
        state.session = None;
        state.handles.clear();
        let slot = match self.find_slot() {
            // The module was finalized under us (another part of the process, or the test
            // that simulates a removed token): initialise it again once.
            Err(CkError::Pkcs11(RvError::CryptokiNotInitialized, _)) => {
                module::reinitialize(&self.ctx).map_err(|e| {
                    self.error(format!(
                        "the token is gone: its module could not start again ({}); plug the \
                         token in and sign again (nothing was signed with it meanwhile)",
                        short(&e)
                    ))
                })?;
                self.find_slot().map_err(|e| self.gone(&e))?
            }
            other => other.map_err(|e| self.gone(&e))?,
        };
        let slot = slot.ok_or_else(|| {
            self.error(format!(
                "no token matching {} is present in module {}: plug the token in, or check the \
                 URI's token= label",
                self.uri,
                self.uri.module_path.display()
            ))
        })?;
        let session = self.ctx.open_ro_session(slot).map_err(|e| self.gone(&e))?;
        if let Some(pin) = &self.pin {
            match session.login(UserType::User, Some(pin)) {
                Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
                Err(CkError::Pkcs11(
                    rv @ (RvError::PinIncorrect
                    | RvError::PinInvalid
                    | RvError::PinLenRange
                    | RvError::PinLocked
                    | RvError::PinExpired),
                    _,
                )) => {
                    let what = match rv {
                        RvError::PinLocked => {
                            "the token's PIN is locked after too many wrong tries: unlock it \
                             with the security officer's PIN"
                        }
                        RvError::PinExpired => "the token's PIN has expired: change it first",
                        _ => {
                            "the PIN is wrong: check the file pin-source names (or \
                             HOCBA_PKCS11_PIN); the token locks after a few wrong tries"
                        }
                    };
                    return Err(IssuerError::TokenPin {
                        token: self.name.clone(),
                        problem: format!("{what}; nothing was signed"),
                    });
                }
                Err(e) => return Err(self.gone(&e)),
            }
        }
        state.session = Some(session);
        Ok(())
    }

    fn find_slot(&self) -> Result<Option<Slot>, CkError> {
        for slot in self.ctx.get_slots_with_token()? {
            if self.uri.slot_id.is_some_and(|id| id != slot.id()) {
                continue;
            }
            let info = self.ctx.get_token_info(slot)?;
            let same = |want: &Option<String>, have: &str| {
                want.as_deref().is_none_or(|w| w.trim() == have.trim())
            };
            if same(&self.uri.token, info.label())
                && same(&self.uri.manufacturer, info.manufacturer_id())
                && same(&self.uri.serial, info.serial_number())
                && same(&self.uri.model, info.model())
            {
                return Ok(Some(slot));
            }
        }
        Ok(None)
    }

    /// A PKCS#11 failure as the error people read: the token by name, the module's code.
    fn gone(&self, e: &CkError) -> IssuerError {
        let problem = match e {
            CkError::Pkcs11(rv, function) => {
                let hint = match rv {
                    RvError::CryptokiNotInitialized
                    | RvError::DeviceRemoved
                    | RvError::TokenNotPresent
                    | RvError::SessionHandleInvalid
                    | RvError::SessionClosed
                    | RvError::DeviceError => {
                        "the token stopped answering (removed, or its module unloaded): what \
                         was not signed yet stays unsigned; plug it back in and sign again"
                    }
                    RvError::UserNotLoggedIn => {
                        "the token asks for a PIN: give pin-source=file:… in the URI or set \
                         HOCBA_PKCS11_PIN"
                    }
                    _ => "the token refused",
                };
                format!("{hint} ({function}: CKR {rv:?})")
            }
            other => format!("PKCS#11: {other}"),
        };
        self.error(problem)
    }

    /// Run `op` with the session and the handle of `key`, reconnecting once when the session
    /// was lost before. A failure that loses the session marks it so.
    pub(crate) fn with_key<T>(
        &self,
        key: &KeyRef,
        class: ObjectClass,
        op: impl FnOnce(&Session, ObjectHandle) -> Result<T, CkError>,
    ) -> Result<T, IssuerError> {
        let mut state = self.lock();
        if state.session.is_none() {
            self.connect(&mut state)?;
        }
        let State { session, handles } = &mut *state;
        let Some(session) = session.as_ref() else {
            return Err(self.error("no session".into()));
        };
        let cache_key = (key.clone(), class == ObjectClass::PRIVATE_KEY);
        let handle = match handles.get(&cache_key) {
            Some(h) => *h,
            None => {
                let mut template = vec![
                    Attribute::Class(class),
                    Attribute::Label(key.label.clone().into_bytes()),
                ];
                if !key.id.is_empty() {
                    template.push(Attribute::Id(key.id.clone()));
                }
                let found = session.find_objects(&template);
                match found {
                    Ok(found) if found.len() == 1 => {
                        handles.insert(cache_key, found[0]);
                        found[0]
                    }
                    Ok(found) => {
                        return Err(self.error(format!(
                            "{} objects labelled {:?} (class {class}): expected exactly one",
                            found.len(),
                            key.label
                        )));
                    }
                    Err(e) => {
                        let err = self.gone(&e);
                        state.session = None;
                        return Err(err);
                    }
                }
            }
        };
        match op(session, handle) {
            Ok(v) => Ok(v),
            Err(e) => {
                let err = self.gone(&e);
                if matches!(
                    e,
                    CkError::Pkcs11(
                        RvError::CryptokiNotInitialized
                            | RvError::DeviceRemoved
                            | RvError::TokenNotPresent
                            | RvError::SessionHandleInvalid
                            | RvError::SessionClosed
                            | RvError::UserNotLoggedIn
                            | RvError::ObjectHandleInvalid
                            | RvError::KeyHandleInvalid,
                        _
                    )
                ) {
                    state.session = None;
                    state.handles.clear();
                }
                Err(err)
            }
        }
    }

    /// Sign `data` with `key` by `mechanism`.
    pub(crate) fn sign(
        &self,
        key: &KeyRef,
        mechanism: &Mechanism<'_>,
        data: &[u8],
    ) -> Result<Vec<u8>, IssuerError> {
        self.with_key(key, ObjectClass::PRIVATE_KEY, |s, h| {
            s.sign(mechanism, h, data)
        })
    }

    /// The private keys on the token with their labels and ids, optionally of one key type
    /// (narrowed by the URI's `object` and `id`).
    pub(crate) fn private_keys(
        &self,
        key_type: Option<cryptoki::object::KeyType>,
    ) -> Result<Vec<KeyRef>, IssuerError> {
        let mut state = self.lock();
        if state.session.is_none() {
            self.connect(&mut state)?;
        }
        let Some(session) = state.session.as_ref() else {
            return Err(self.error("no session".into()));
        };
        let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
        if let Some(t) = key_type {
            template.push(Attribute::KeyType(t));
        }
        if let Some(label) = &self.uri.object {
            template.push(Attribute::Label(label.clone().into_bytes()));
        }
        if let Some(id) = &self.uri.id {
            template.push(Attribute::Id(id.clone()));
        }
        let handles = session.find_objects(&template).map_err(|e| self.gone(&e))?;
        let mut keys = Vec::with_capacity(handles.len());
        for h in handles {
            let attrs = session
                .get_attributes(h, &[AttributeType::Label, AttributeType::Id])
                .map_err(|e| self.gone(&e))?;
            let mut key = KeyRef {
                label: String::new(),
                id: Vec::new(),
            };
            for a in attrs {
                match a {
                    Attribute::Label(l) => key.label = String::from_utf8_lossy(&l).into_owned(),
                    Attribute::Id(id) => key.id = id,
                    _ => {}
                }
            }
            keys.push(key);
        }
        keys.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(keys)
    }

    /// The attributes of `key`'s public half (the public-key object with its label and id).
    pub(crate) fn public_attributes(
        &self,
        key: &KeyRef,
        wanted: &[AttributeType],
    ) -> Result<Vec<Attribute>, IssuerError> {
        self.with_key(key, ObjectClass::PUBLIC_KEY, |s, h| {
            s.get_attributes(h, wanted)
        })
        .map_err(|e| match e {
            IssuerError::Token { token, problem } => IssuerError::Token {
                token,
                problem: format!(
                    "the public key object of {:?} (labelled like its private key): {problem}",
                    key.label
                ),
            },
            other => other,
        })
    }

    /// How the private key labelled `label` is protected (sensitive, extractable).
    pub fn protection(&self, label: &str) -> Result<KeyProtection, IssuerError> {
        let key = self
            .private_keys(None)?
            .into_iter()
            .find(|k| k.label == label)
            .ok_or_else(|| self.error(format!("no private key labelled {label:?}")))?;
        let attrs = self.with_key(&key, ObjectClass::PRIVATE_KEY, |s, h| {
            s.get_attributes(h, &[AttributeType::Sensitive, AttributeType::Extractable])
        })?;
        let mut p = KeyProtection {
            sensitive: false,
            extractable: true,
        };
        for a in attrs {
            match a {
                Attribute::Sensitive(v) => p.sensitive = v,
                Attribute::Extractable(v) => p.extractable = v,
                _ => {}
            }
        }
        Ok(p)
    }
}

/// A PKCS#11 error in a line: the function and the return value's name.
fn short(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, function) => format!("{function}: CKR {rv:?}"),
        other => other.to_string(),
    }
}

/// The PIN the URI points at (see [`uri`]); `None` when neither a file nor the variable gives
/// one.
fn read_pin(uri: &Pkcs11Uri) -> Result<Option<AuthPin>, IssuerError> {
    let text = match &uri.pin_source {
        PinSource::File(path) => {
            let io = |source| IssuerError::Io {
                path: path.clone(),
                source,
            };
            let len = std::fs::metadata(path).map_err(io)?.len();
            if len > MAX_PIN_FILE_BYTES {
                return Err(IssuerError::TokenUri {
                    uri: uri.to_string(),
                    problem: format!(
                        "the pin-source file {} is {len} bytes: a PIN file holds one line",
                        path.display()
                    ),
                });
            }
            let text = std::fs::read_to_string(path).map_err(io)?;
            text.lines().next().unwrap_or_default().trim().to_owned()
        }
        PinSource::Env => match std::env::var(PIN_ENV) {
            Ok(pin) => pin,
            Err(_) => return Ok(None),
        },
    };
    Ok(Some(AuthPin::from(text)))
}
