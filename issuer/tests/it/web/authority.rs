//! The web app: the Department's pages: the province at a glance, coverage and blocked records, schools and keys, trust-list versions, the audit log, coverage as CSV and XLSX.
