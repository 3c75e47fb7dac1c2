-- Local sign-in: argon2 password hashes, sign-in sessions and failed attempts (the brake).
CREATE TABLE accounts (
    person_id           INTEGER PRIMARY KEY,
    password_hash       VARCHAR NOT NULL,
    password_changed_at TIMESTAMP NOT NULL
);

-- The session holds an opaque token; only its SHA-256 is stored, so a copy of the database
-- cannot be used to act as someone.
CREATE TABLE sign_in_sessions (
    token_hash VARCHAR PRIMARY KEY,
    person_id  INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP
);

CREATE TABLE sign_in_failures (
    email        VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
