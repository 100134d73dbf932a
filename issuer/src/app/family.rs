//! The family's use cases (the web app's `/family` pages): a guardian, bound to one pupil of
//! one school, sees that pupil's credentials and each one's PDF, makes share codes for chosen
//! ones (the rules are `share_codes`'), sees every use of each code and withdraws a code.
//!
//! Decisions:
//!
//! * **Only the guardian's own pupil.** Every use case starts from the signed-in account
//!   ([`Issuer::guardian_of`]): another role is refused; another pupil's credential or share
//!   id is [`StoreError::NotFound`] exactly like an id that does not exist (the web shows its
//!   404 page), so a family learns nothing about other pupils.
//! * **The PDF** is rendered by [`Issuer::render_pdfs`] like every other PDF (QR signed by the
//!   credential's own key) and audited as a copy handed to the guardian (`pdf`, channel
//!   `web-family`). Its file name is [`family_pdf_name`]: the school year and a short id, never
//!   the pupil's name or personal identification number (the family's downloads folder, a
//!   shared home PC).
//! * **Every use of each code** ([`Issuer::family_shares`]) is read from the audit log, where
//!   redemption writes it in the same transaction (`Store::share_uses`): the portal's name,
//!   the time, and whether it received the records or was refused (used already, expired,
//!   withdrawn, or another portal than the one named). Refused attempts are shown too: a
//!   family should know that someone tried its code.
//! * **A double submission acts once.** The form's script disables the button after a click;
//!   without it, a second identical request (same records, purpose, expiry and portal) within
//!   [`DOUBLE_SUBMIT_WINDOW`] of a code made by the same guardian is refused with a message
//!   saying the code was just made. The first code cannot be shown again (only its hash is
//!   stored): the message says to withdraw it and make a new one if it was not copied.

use time::{Duration, OffsetDateTime};

use super::Issuer;
use super::share_codes::ShareRequest;
use crate::error::IssuerError;
use crate::store::{
    Account, CreatedShare, PortalName, PupilCredential, Role, School, Share, ShareState, ShareUse,
    StoreError,
};

/// A second identical share request within this long of the first is a double submission.
pub const DOUBLE_SUBMIT_WINDOW: Duration = Duration::seconds(30);

/// A share code of the family's pupil with what happened to it.
#[derive(Clone, Debug)]
pub struct FamilyShare {
    /// The share (never its code).
    pub share: Share,
    /// Its state now.
    pub state: ShareState,
    /// The name of the only portal that may redeem it, if one was named.
    pub recipient_name: Option<String>,
    /// Every redemption attempt, oldest first.
    pub uses: Vec<ShareUse>,
}

/// The file name of a credential's PDF for the family: `hoc-ba-<school year>-<short id>.pdf`,
/// with no personal data.
pub fn family_pdf_name(school_year: &str, credential_id: &str) -> String {
    format!(
        "hoc-ba-{}-{}.pdf",
        super::render::safe(school_year),
        super::names::short_id(credential_id)
    )
}

impl Issuer {
    /// The school and pupil id of guardian `account`; any other role is refused.
    pub async fn guardian_of(&self, account: &Account) -> Result<(School, String), IssuerError> {
        let forbidden = IssuerError::Forbidden {
            action: "family-pages",
        };
        if account.role != Role::Guardian {
            return Err(forbidden);
        }
        let (Some(school_id), Some(pupil_id)) = (&account.school_id, &account.pupil_id) else {
            return Err(forbidden);
        };
        let school = self.store().school(school_id).await?;
        Ok((school, pupil_id.clone()))
    }

    /// The credentials of guardian `account`'s pupil, by school year (revoked ones included,
    /// so the family sees them marked).
    pub async fn family_records(
        &self,
        account: &Account,
    ) -> Result<Vec<PupilCredential>, IssuerError> {
        let (school, pupil_id) = self.guardian_of(account).await?;
        Ok(self
            .store()
            .pupil_credentials(&school.id, &pupil_id)
            .await?)
    }

    /// The PDF of credential `id` of guardian `account`'s pupil, audited as handed to the
    /// guardian: `(file name, bytes)`. Another pupil's credential is not found.
    pub async fn family_pdf(
        &self,
        account: &Account,
        id: &str,
        now: OffsetDateTime,
    ) -> Result<(String, Vec<u8>), IssuerError> {
        let own = self
            .family_records(account)
            .await?
            .into_iter()
            .find(|c| c.credential.id == id)
            .ok_or_else(|| StoreError::NotFound {
                what: "credential",
                id: id.to_owned(),
            })?;
        let credential = own.credential;
        let (_, pdf) = self
            .render_pdfs(&credential.school_id, vec![credential.clone()])
            .await?
            .pop()
            .ok_or_else(|| IssuerError::Internal(format!("PDF of {id} not rendered")))?;
        self.audit_pdf(Some(&account.id), &credential, "web-family", now)
            .await?;
        Ok((family_pdf_name(&own.school_year, &credential.id), pdf))
    }

    /// The share codes of guardian `account`'s pupil, newest first, each with its uses.
    pub async fn family_shares(
        &self,
        account: &Account,
        now: OffsetDateTime,
    ) -> Result<Vec<FamilyShare>, IssuerError> {
        let (school, pupil_id) = self.guardian_of(account).await?;
        let store = self.store();
        let shares = store.pupil_shares(&school.id, &pupil_id).await?;
        let mut uses = store.share_uses(&school.id, &pupil_id).await?;
        let portals = store.portal_names().await?;
        Ok(shares
            .into_iter()
            .map(|share| {
                let (mine, rest) = uses.drain(..).partition(|u| u.share_id == share.id);
                uses = rest;
                FamilyShare {
                    state: share.state(now),
                    recipient_name: share.recipient.as_ref().map(|r| {
                        portals
                            .iter()
                            .find(|p| &p.id == r)
                            .map_or_else(|| r.clone(), |p| p.name.clone())
                    }),
                    uses: mine,
                    share,
                }
            })
            .collect())
    }

    /// The admissions portals a family may name as a code's only recipient.
    pub async fn family_portals(&self) -> Result<Vec<PortalName>, IssuerError> {
        Ok(self.store().portal_names().await?)
    }

    /// A share code made by guardian `account` for their pupil (the rules of
    /// [`Issuer::create_share`]); a double submission is refused (module documentation).
    pub async fn family_share(
        &self,
        account: &Account,
        request: ShareRequest,
        now: OffsetDateTime,
    ) -> Result<CreatedShare, IssuerError> {
        let (school, pupil_id) = self.guardian_of(account).await?;
        let days = request
            .expires_in_days
            .unwrap_or(super::share_codes::DEFAULT_SHARE_DAYS);
        let recent = self
            .store()
            .pupil_shares(&school.id, &pupil_id)
            .await?
            .into_iter()
            .find(|s| {
                s.created_by == account.id
                    && s.withdrawn_at.is_none()
                    && s.redeemed_at.is_none()
                    && now - s.created_at < DOUBLE_SUBMIT_WINDOW
                    && s.credential_ids == request.credentials
                    && s.purpose == request.purpose.trim()
                    && s.recipient == request.recipient
                    && (s.expires_at - s.created_at).whole_days() == days
            });
        if recent.is_some() {
            return Err(refusal(
                "/credentials",
                "share_just_made",
                "Mã chia sẻ này vừa được tạo (bấm nút hai lần?). Mã chỉ hiện một lần: nếu bạn \
                 chưa kịp chép mã, hãy rút lại mã đó trong danh sách bên dưới rồi tạo mã mới.",
                "This share code was just made (a double click?). A code is shown once: if you \
                 did not copy it, withdraw it in the list below and make a new one.",
            ));
        }
        self.create_share(&school, &pupil_id, &account.id, request, now)
            .await
    }

    /// Withdraws share `share_id` of guardian `account`'s pupil (audited; withdrawing twice is
    /// harmless; a redeemed share cannot be withdrawn).
    pub async fn family_withdraw(
        &self,
        account: &Account,
        share_id: &str,
        now: OffsetDateTime,
    ) -> Result<Share, IssuerError> {
        let (school, pupil_id) = self.guardian_of(account).await?;
        match self
            .store()
            .withdraw_share(&school.id, &pupil_id, share_id, &account.id, now)
            .await
        {
            Err(StoreError::Conflict { .. }) => Err(refusal(
                "/share",
                "share_redeemed",
                "Mã này đã được cổng tuyển sinh sử dụng nên không rút lại được: hồ sơ đã được \
                 gửi. Nếu cần, hãy liên hệ cổng tuyển sinh đó.",
                "This code has already been used by a portal, so it cannot be withdrawn: the \
                 records were sent. Contact that portal if needed.",
            )),
            other => Ok(other?),
        }
    }
}

/// A refusal of a family's request, in both languages.
fn refusal(pointer: &'static str, rule: &'static str, vi: &str, en: &str) -> IssuerError {
    IssuerError::Invalid(Box::new(super::import::Refusal {
        pointer: pointer.into(),
        rule,
        value: serde_json::Value::Null,
        message_vi: vi.to_owned(),
        message_en: en.to_owned(),
    }))
}
