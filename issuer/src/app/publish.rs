//! After the authority publishes a trust-list version, the running service follows it: the
//! signers are chosen again from the new version ([`super::school_keys::SchoolKeys::select`],
//! which checks its authority signature), and the cached status lists of the schools whose
//! signer changed are dropped, to be signed again with the new key. The publication itself
//! (numbering, signing, audit) is [`crate::authority::publish`], shared with the command line.

use super::Issuer;
use crate::error::IssuerError;
use crate::store::TrustVersion;

impl Issuer {
    /// Switches this service to `version` (see the module documentation).
    pub async fn switch_keys(&self, version: &TrustVersion) -> Result<(), IssuerError> {
        let list: hocba_schema::trust_list::TrustList = serde_json::from_str(&version.list_json)
            .map_err(|e| IssuerError::Internal(format!("published list unreadable: {e}")))?;
        let keys = self.keys();
        let at = self.now();
        let signer_of = |code: &str| {
            keys.signer(code, at)
                .map(|x| x.verification_method().to_owned())
        };
        let before: Vec<(String, Option<String>)> = list
            .credential_subject
            .schools
            .iter()
            .map(|s| (s.code.clone(), signer_of(&s.code)))
            .collect();
        keys.select(version.list_json.as_bytes())?;
        for (code, vm) in before {
            if signer_of(&code) == vm {
                continue;
            }
            let school = self.store().school_by_code(&code).await?;
            for info in self.store().status_lists(&school.id).await? {
                self.publication().invalidate(&code, &info.id);
            }
        }
        Ok(())
    }
}
