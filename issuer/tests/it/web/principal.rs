//! The web app: the principal's pages: the school year at a glance, signing with progress, the class ZIP, revocation and re-issue, the re-issue list, the audit log.
