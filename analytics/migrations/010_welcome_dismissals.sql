-- The short first-visit welcome on Home, one per role: once a person dismisses it for a role, it stays
-- dismissed on every device. One row per person and role; dismissing again stores nothing new.
CREATE TABLE welcome_dismissals (
    person_id    INTEGER NOT NULL,
    role         VARCHAR NOT NULL CHECK (role IN ('fellow', 'mentor', 'director')),
    dismissed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, role)
);
