-- The PAdES-signed PDF of a credential whose principal signed with a key on a token
-- (issue #13): made once by the batch that had the principal's PIN, handed out as stored
-- afterwards (it cannot be made again without the PIN). Never holds a PIN.
CREATE TABLE signed_pdfs (
    credential_id TEXT PRIMARY KEY REFERENCES credentials(id),
    school_id     TEXT NOT NULL REFERENCES schools(id),
    pdf           BYTEA NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
