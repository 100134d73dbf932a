//! [`VerifyOptions`]: the choices a caller makes about how strict verification is.

use std::sync::Arc;

use time::Duration;

use crate::status::StatusLists;

/// Choices a caller may make about how strict to be, and the status lists to check revocation
/// against. The default is what `hocba-verify` does without `--bundle`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// When set, a trust list older than this (from its `validFrom`) fails the `trust_list`
    /// check.
    pub max_trust_list_age: Option<Duration>,
    /// Accept a trust list past its `validUntil` with a warning instead of "could not check"
    /// (the user's explicit choice, `--accept-stale-trust-list`; ignored with
    /// `max_trust_list_age`). See [`VerifiedTrustList::freshness`].
    ///
    /// [`VerifiedTrustList::freshness`]: crate::trust_list::VerifiedTrustList::freshness
    pub accept_stale_trust_list: bool,
    /// The status source: already-fetched status list credentials by URL. Without it the
    /// `status` check is `not_checked` (`status_not_checked`).
    pub status_lists: Option<Arc<StatusLists>>,
    /// When set, a status list made (its signed `validFrom`) longer ago than this gives an
    /// unknown status (`status_list_stale`), as a list past its `validUntil` always does.
    pub max_status_list_age: Option<Duration>,
}

impl VerifyOptions {
    /// Check revocation against `lists` (see [`crate::status`]).
    pub fn with_status_lists(mut self, lists: Arc<StatusLists>) -> Self {
        self.status_lists = Some(lists);
        self
    }

    /// Treat status lists made longer ago than `age` as unknown status.
    pub fn with_max_status_list_age(mut self, age: Duration) -> Self {
        self.max_status_list_age = Some(age);
        self
    }

    /// Fail on trust lists older than `age`.
    pub fn with_max_trust_list_age(mut self, age: Duration) -> Self {
        self.max_trust_list_age = Some(age);
        self
    }

    /// Warn, rather than answer "could not check", when the trust list is past its next
    /// update (the user knowingly works from old material).
    pub fn accepting_stale_trust_list(mut self) -> Self {
        self.accept_stale_trust_list = true;
        self
    }
}
