-- Staying signed in (a cookie) and password reset codes a director issues.

-- The single-use code a browser exchanges, within a minute, for the HttpOnly cookie of its new
-- session (analytics/auth.py: open_handoff, exchange_handoff). Only the code's SHA-256 is kept, and
-- the session's token only sealed with a key derived from the code, so this table alone opens no
-- session. A row is deleted when it is exchanged, and once expired.
CREATE TABLE sign_in_handoffs (
    code_hash    VARCHAR PRIMARY KEY,
    sealed_token VARCHAR NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);

-- Every reset code a director issued, kept as the record of who issued one for whom and when. Only
-- the code's SHA-256 is stored; a code is used once, expires, and issuing a new one voids the old.
CREATE TABLE password_reset_codes (
    code_hash  VARCHAR PRIMARY KEY,
    person_id  INTEGER NOT NULL,
    issued_by  INTEGER NOT NULL,
    issued_at  TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    voided_at  TIMESTAMP
);
