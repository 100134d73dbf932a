//! The principal's personal key on a token of its own, unlocked by the principal's PIN for
//! one batch (the remote-signing model of VNPT SmartCA or Viettel MySign: the person types the
//! PIN when signing; the service never keeps it).
//!
//! * [`PrincipalTokens`] is the deployment's setting (`serve --principal-token URI`): a PKCS#11
//!   URI without a PIN. Without `token=` each school's principal has a token of their own,
//!   labelled `principal-<code>`; the key on it is labelled `principal-<code>` (the URI's
//!   `object=` picks another).
//! * [`PrincipalPin`] is the PIN as a request carries it: held in a zeroised buffer, never shown
//!   by `Debug`, never serialised (a request's hash, stored for idempotency, cannot hold it).
//! * [`PrincipalTokens::unlock`] opens the token with that PIN (one session, one login) and
//!   holds it for the batch: [`UnlockedPrincipal`] is dropped when the batch ends, which closes
//!   the session (the token logs out) and zeroises the PIN. A token already unlocked by
//!   another batch is refused rather than shared: PKCS#11 keeps one login per token and process,
//!   so a second login would not check the second PIN.
//! * The commands `pdf` and `issue` take the same setting (`--principal-token`) and get the PIN
//!   without it ever being an argument (`ps` shows arguments to every user):
//!   [`PrincipalTokens::for_command`] reads it from the file the URI's `pin-source=file:` names
//!   (a command runs as the principal, who owns the file; `serve` refuses `pin-source`, since
//!   there the PIN is the person's to type), else from [`PRINCIPAL_PIN_ENV`]. There is no
//!   prompt: the commands run in scripts, and a prompt without echo needs a terminal library
//!   the issuer does not carry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cryptoki::types::AuthPin;
use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

use super::seal::TokenSealKey;
use super::uri::{PinSource, Pkcs11Uri};
use super::{Token, is_pkcs11_uri};
use crate::error::IssuerError;

/// Longest PIN accepted (tokens take 4 to 255 characters; the dev token's is 6).
const MAX_PIN_CHARS: usize = 255;

/// The environment variable the commands `pdf` and `issue` read the principal's PIN from when
/// `--principal-token` has no `pin-source` (see the module documentation).
pub const PRINCIPAL_PIN_ENV: &str = "HOCBA_PRINCIPAL_PIN";

/// The principal's PIN for one batch. `Debug` shows `[redacted]`; it is never serialised.
#[derive(Clone)]
pub struct PrincipalPin(Arc<Zeroizing<String>>);

impl PrincipalPin {
    /// A PIN as typed (surrounding blanks dropped); `None` when empty.
    pub fn new(text: &str) -> Option<Self> {
        let text = text.trim();
        (!text.is_empty()).then(|| Self(Arc::new(Zeroizing::new(text.to_owned()))))
    }

    fn auth_pin(&self) -> AuthPin {
        AuthPin::from(self.0.as_str().to_owned())
    }

    fn len(&self) -> usize {
        self.0.chars().count()
    }
}

impl std::fmt::Debug for PrincipalPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrincipalPin([redacted])")
    }
}

impl<'de> Deserialize<'de> for PrincipalPin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        Self::new(&text).ok_or_else(|| serde::de::Error::custom("principalPin is empty"))
    }
}

/// Where the principals' keys are: a PKCS#11 URI without a PIN (see the module documentation).
#[derive(Debug, Clone)]
pub struct PrincipalTokens {
    uri: Pkcs11Uri,
}

/// The tokens unlocked now, by URI: one batch at a time each.
static BUSY: Mutex<Option<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = Mutex::new(None);

impl PrincipalTokens {
    /// The setting's URI. A `pin-source` is refused: the principal gives the PIN when signing.
    pub fn parse(text: &str) -> Result<Self, IssuerError> {
        let bad = |problem: &str| IssuerError::TokenUri {
            uri: text.to_owned(),
            problem: problem.to_owned(),
        };
        if !is_pkcs11_uri(text) {
            return Err(bad(
                "the principals' token is a PKCS#11 URI (pkcs11:…?module-path=…)",
            ));
        }
        let uri = Pkcs11Uri::parse(text)?;
        if matches!(uri.pin_source, PinSource::File(_)) {
            return Err(bad(
                "the principal's PIN is given when signing (principalPin, or the PIN field of \
                 the sign form), never by pin-source: remove pin-source from this URI",
            ));
        }
        Ok(Self { uri })
    }

    /// A command's `--principal-token` (see the module documentation): the setting, and the
    /// principal's PIN from the file `pin-source=file:` names or from [`PRINCIPAL_PIN_ENV`].
    pub fn for_command(text: &str) -> Result<(Self, PrincipalPin), IssuerError> {
        let bad = |problem: String| IssuerError::TokenUri {
            uri: text.to_owned(),
            problem,
        };
        if !is_pkcs11_uri(text) {
            return Err(bad(
                "the principals' token is a PKCS#11 URI (pkcs11:…?module-path=…)".to_owned(),
            ));
        }
        let mut uri = Pkcs11Uri::parse(text)?;
        let pin = match &uri.pin_source {
            PinSource::File(path) => {
                let io = |source| IssuerError::Io {
                    path: path.clone(),
                    source,
                };
                let len = std::fs::metadata(path).map_err(io)?.len();
                if len > super::MAX_PIN_FILE_BYTES {
                    return Err(bad(format!(
                        "the pin-source file {} is {len} bytes: a PIN file holds one line",
                        path.display()
                    )));
                }
                let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io)?);
                PrincipalPin::new(text.lines().next().unwrap_or_default()).ok_or_else(|| {
                    bad(format!(
                        "the pin-source file {} holds no PIN on its first line",
                        path.display()
                    ))
                })?
            }
            PinSource::Env => std::env::var(PRINCIPAL_PIN_ENV)
                .ok()
                .map(Zeroizing::new)
                .and_then(|t| PrincipalPin::new(&t))
                .ok_or_else(|| IssuerError::PrincipalPin {
                    code: "principal-pin-required",
                    message_vi: format!(
                        "Cần mã PIN chữ ký số của Hiệu trưởng để ký tệp PDF: ghi mã PIN vào một \
                         tệp và thêm pin-source=file:<tệp> vào --principal-token, hoặc đặt biến \
                         môi trường {PRINCIPAL_PIN_ENV}. Không có hồ sơ nào được ký."
                    ),
                    message_en: format!(
                        "The principal's PIN is needed to sign the PDFs: put it in a file and add \
                         pin-source=file:<file> to --principal-token, or set \
                         {PRINCIPAL_PIN_ENV}. Nothing was signed."
                    ),
                })?,
        };
        // The PIN is held by the returned `PrincipalPin` only.
        uri.pin_source = PinSource::Env;
        Ok((Self { uri }, pin))
    }

    /// The URI of the token of school `code`'s principal.
    pub fn uri_for(&self, code: &str) -> Pkcs11Uri {
        let mut uri = self.uri.clone();
        if uri.token.is_none() {
            uri.token = Some(format!("principal-{code}"));
        }
        uri
    }

    /// The label of the principal's key of school `code`.
    pub fn key_label(&self, code: &str) -> String {
        self.uri
            .object
            .clone()
            .unwrap_or_else(|| format!("principal-{code}"))
    }

    /// Open the token of school `code`'s principal with `pin` for one batch (see the module
    /// documentation). A wrong PIN is [`IssuerError::PrincipalPin`], nothing signed.
    pub fn unlock(&self, code: &str, pin: &PrincipalPin) -> Result<UnlockedPrincipal, IssuerError> {
        if pin.len() > MAX_PIN_CHARS {
            return Err(IssuerError::PrincipalPin {
                code: "principal-pin-wrong",
                message_vi: "Mã PIN chữ ký số của Hiệu trưởng quá dài; không có hồ sơ nào được \
                             ký."
                .to_owned(),
                message_en: "The principal's PIN (principalPin) is too long; nothing was signed."
                    .to_owned(),
            });
        }
        let uri = self.uri_for(code);
        let lock = {
            let mut busy = BUSY.lock().unwrap_or_else(|e| e.into_inner());
            busy.get_or_insert_with(HashMap::new)
                .entry(format!(
                    "{}#{}",
                    uri.module_path.display(),
                    uri.token_name()
                ))
                .or_default()
                .clone()
        };
        let guard = lock.try_lock_owned().map_err(|_| IssuerError::PrincipalPin {
            code: "principal-token-busy",
            message_vi: format!(
                "Thiết bị ký số của Hiệu trưởng ({}) đang ký một lô khác. Hãy chờ lô đó xong \
                 rồi ký lại; chưa có hồ sơ nào của yêu cầu này được ký.",
                uri.token_name()
            ),
            message_en: format!(
                "The principal's token ({}) is signing another batch. Wait until it is done and \
                 sign again; nothing of this request was signed.",
                uri.token_name()
            ),
        })?;
        let token = Token::open_with_pin(&uri, pin.auth_pin()).map_err(|e| match e {
            IssuerError::TokenPin { token, problem } => {
                // `problem` names pin-source files: the school's PIN, not this one.
                let locked = problem.contains("locked");
                IssuerError::PrincipalPin {
                    code: if locked {
                        "principal-pin-locked"
                    } else {
                        "principal-pin-wrong"
                    },
                    message_vi: if locked {
                        format!(
                            "Mã PIN chữ ký số của Hiệu trưởng trên thiết bị {token} đã bị khoá \
                             do nhập sai nhiều lần; hãy mở khoá thiết bị. Không có hồ sơ nào \
                             được ký."
                        )
                    } else {
                        format!(
                            "Mã PIN chữ ký số của Hiệu trưởng không đúng (thiết bị {token}). \
                             Không có hồ sơ nào được ký; hãy nhập lại mã PIN (thiết bị bị khoá \
                             sau vài lần nhập sai)."
                        )
                    },
                    message_en: if locked {
                        format!(
                            "token {token}: the principal's PIN is locked after too many wrong \
                             tries; unlock the token. Nothing was signed."
                        )
                    } else {
                        format!(
                            "token {token}: the principal's PIN (principalPin) is wrong. Nothing \
                             was signed; give the PIN again (the token locks after a few wrong \
                             tries)."
                        )
                    },
                }
            }
            other => other,
        })?;
        let key = TokenSealKey::by_label(&token, &self.key_label(code))?;
        Ok(UnlockedPrincipal {
            key: Arc::new(key),
            _busy: guard,
        })
    }
}

/// The principal's key, unlocked for one batch. Dropping it (with every clone of its key)
/// closes the token's session and zeroises the PIN.
#[derive(Debug)]
pub struct UnlockedPrincipal {
    /// The key on the token.
    pub key: Arc<TokenSealKey>,
    _busy: tokio::sync::OwnedMutexGuard<()>,
}
