"""Sign-in: the limits on guessing passwords (per email and connection, per connection, per email, and overall),
signing out everywhere, the cookie's handoff codes, and password reset codes."""

import logging
import re
from datetime import timedelta

import pytest

from analytics import auth, roster
from analytics.auth import SignInRefused
from analytics.errors import AccessDenied, InputError
from tests.conftest import NOW

pytestmark = pytest.mark.both_backends  # store, access and write tests run on DuckDB and PostgreSQL

A, B, C = "203.0.113.7", "198.51.100.20", "192.0.2.33"  # documentation addresses: three connections
# The README's promises, not the code's constants: failures within 15 minutes ...
PER_EMAIL_AND_CONNECTION = 5  # ... for one email from one connection lock that pair
PER_CONNECTION = 20  # ... from one connection, over any emails, lock that connection
PER_EMAIL = 10  # ... for one email, from any connections, hold up every connection that failed on it
OVERALL = 100  # ... over every email and connection, hold up every connection that failed


def fails(store, email: str, times: int = 1, client: str | None = None, password: str = "not the password") -> None:
    by = {} if client is None else {"client": client}  # the default is a connection without an address
    for _ in range(times):
        with pytest.raises(SignInRefused):
            auth.sign_in(store, email, password, NOW, **by)


def failures(store) -> int:
    return store.query_one("SELECT count(*) FROM sign_in_failures")[0]


def test_failures_from_one_connection_do_not_lock_the_owner_out_from_another(demo_store):
    fails(demo_store, "fellow@demo.org", PER_EMAIL_AND_CONNECTION + 1, client=A)
    with pytest.raises(SignInRefused, match="Too many failed attempts"):
        auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW, client=A)  # the guesser's connection is held up
    assert auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW, client=B)  # the fellow's is not


def test_one_password_sprayed_over_many_accounts_is_refused_after_the_limit(demo_store):
    # The spray: the demo password against 30 addresses from one connection, then against a real account.
    for number in range(30):
        with pytest.raises(SignInRefused):
            auth.sign_in(demo_store, f"guess{number}@demo.org", "demo", NOW)
    with pytest.raises(SignInRefused) as refused:
        auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW)
    assert "Too many failed" in str(refused.value)
    # Once the limit is reached, nothing more is recorded or checked: the connection is simply refused.
    assert failures(demo_store) == PER_CONNECTION
    # Another connection is not held up.
    assert auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW, client=B)


def test_a_spray_from_many_connections_meets_the_overall_limit(demo_store):
    """Failures stored before this change (email only) count toward the overall limit too: the test runs on both."""
    recent = NOW - timedelta(minutes=1)
    demo_store.write(
        lambda cur: cur.executemany(
            "INSERT INTO sign_in_failures VALUES (?, ?)", [[f"spray{n}@demo.org", recent] for n in range(OVERALL)]
        )
    )
    fails(demo_store, "mentor@demo.org")  # one wrong password from this connection ...
    with pytest.raises(SignInRefused, match="Too many failed"):
        auth.sign_in(demo_store, "mentor@demo.org", "demo", NOW)  # ... and while the site is sprayed, it waits
    # A connection that has not failed is not locked out by the spray.
    assert auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW, client=B)


def test_the_overall_limit_counts_failures_from_every_connection(demo_store):
    for number in range(OVERALL):
        client = f"10.{number // 250}.{number % 250}.1"
        fails(demo_store, f"spray{number % 7}@demo.org", client=client, password="Winter2026!")
    fails(demo_store, "mentor@demo.org", client=A)
    with pytest.raises(SignInRefused, match="Too many failed"):
        auth.sign_in(demo_store, "mentor@demo.org", "demo", NOW, client=A)
    assert auth.sign_in(demo_store, "mentor@demo.org", "demo", NOW, client=C)
    # After the window, the limit lets go.
    assert auth.sign_in(demo_store, "mentor@demo.org", "demo", NOW + timedelta(minutes=15), client=A)


def test_many_connections_against_one_email_meet_its_ceiling_but_a_fresh_connection_signs_in(demo_store):
    for number in range(PER_EMAIL):
        fails(demo_store, "director@demo.org", client=f"10.0.{number}.1")
    # Every connection that has failed on this email is refused now, even with fewer than five failures of its own ...
    with pytest.raises(SignInRefused, match="Too many failed attempts"):
        auth.sign_in(demo_store, "director@demo.org", "demo", NOW, client="10.0.0.1")
    # ... while the director, from a connection that has not failed, signs in.
    assert auth.sign_in(demo_store, "director@demo.org", "demo", NOW, client=A)


def test_the_messages_do_not_say_whether_the_email_exists(demo_store):
    messages = {}
    for email in ("fellow@demo.org", "nobody@demo.org"):
        fails(demo_store, email, PER_EMAIL_AND_CONNECTION, client=A)
        with pytest.raises(SignInRefused) as refused:
            auth.sign_in(demo_store, email, "demo", NOW, client=A)
        messages[email] = str(refused.value)
    assert messages["fellow@demo.org"] == messages["nobody@demo.org"]


@pytest.mark.parametrize(
    ("address", "same_as"),
    [
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb::9"),  # one IPv6 /64 is one connection
        ("::ffff:203.0.113.7", "203.0.113.7"),  # an IPv4 address written as IPv6
        (None, ""),  # no address (a local connection)
        ("not an address", None),
    ],
)
def test_client_keys(address, same_as):
    assert auth.client_key(address) == auth.client_key(same_as)


def test_different_addresses_are_different_connections():
    assert auth.client_key(A) != auth.client_key(B)
    assert auth.client_key("2001:db8:1:2::1") != auth.client_key("2001:db8:1:3::1")


@pytest.mark.parametrize("character", ["\u200b", "\u200d", "\u202e", "\ufeff", "\u00ad", "\u2028"])
def test_an_email_with_an_invisible_character_is_refused_and_not_stored(demo_store, character):
    with pytest.raises(SignInRefused) as refused:
        auth.sign_in(demo_store, f"fellow{character}@demo.org", "demo", NOW)
    assert str(refused.value) == auth.WRONG
    assert failures(demo_store) == 0


def test_refused_sign_ins_are_logged_without_the_email_the_password_or_the_address(demo_store, caplog):
    password = "Tr0ub4dor&3-guess"
    with caplog.at_level(logging.INFO, logger="analytics.auth"):
        fails(demo_store, "fellow@demo.org", PER_EMAIL_AND_CONNECTION + 1, client=A, password=password)
    records = [record for record in caplog.records if record.name == "analytics.auth"]
    assert len(records) == PER_EMAIL_AND_CONNECTION + 1  # each refusal once: five wrong passwords, then the brake
    assert "do not match" in records[0].getMessage() and "Too many" in records[-1].getMessage()
    for record in records:
        assert not {"fellow@demo.org", "fellow", password, A} & set(record.getMessage().replace("(", " ").split())
        assert A not in record.getMessage() and password not in record.getMessage() and "demo.org" not in record.getMessage()


# -- sign out everywhere -------------------------------------------------------------------------------


def viewer_of(store, email: str):
    return auth.viewer_for_token(store, auth.sign_in(store, email, "demo", NOW), NOW)


def test_signing_out_everywhere_ends_every_session_of_the_person_and_no_one_else_s(demo_store):
    mine = [auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW) for _ in range(3)]
    other = auth.sign_in(demo_store, "mentor@demo.org", "demo", NOW)
    assert auth.sign_out_everywhere(demo_store, auth.viewer_for_token(demo_store, mine[0], NOW), NOW) == 3
    assert [auth.viewer_for_token(demo_store, token, NOW) for token in mine] == [None] * 3
    assert auth.viewer_for_token(demo_store, other, NOW) is not None


# -- the cookie's handoff -------------------------------------------------------------------------------


def test_a_handoff_code_gives_its_session_token_once(demo_store):
    token = auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW)
    code = auth.open_handoff(demo_store, token, NOW)
    assert auth.handoff_pending(demo_store, code, NOW)
    assert auth.exchange_handoff(demo_store, code, NOW + timedelta(seconds=5)) == (token, NOW + auth.SESSION_LIFETIME)
    assert not auth.handoff_pending(demo_store, code, NOW)
    assert auth.exchange_handoff(demo_store, code, NOW + timedelta(seconds=6)) is None  # single use


def test_the_database_keeps_neither_the_handoff_code_nor_the_token_in_clear(demo_store):
    token = auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW)
    code = auth.open_handoff(demo_store, token, NOW)
    (row,) = demo_store.query_all("SELECT code_hash, sealed_token FROM sign_in_handoffs")
    assert code not in "".join(row) and token not in "".join(row) and token.encode().hex() not in row[1]
    assert auth._unseal(row[1], "another code of the same length, quite long") != token


def test_an_expired_or_wrong_handoff_code_gives_nothing(demo_store):
    token = auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW)
    code = auth.open_handoff(demo_store, token, NOW)
    assert auth.exchange_handoff(demo_store, code[:-1] + ("A" if code[-1] != "A" else "B"), NOW) is None
    assert auth.exchange_handoff(demo_store, None, NOW) is None
    assert auth.exchange_handoff(demo_store, "short", NOW) is None
    late = NOW + auth.HANDOFF_LIFETIME
    assert not auth.handoff_pending(demo_store, code, late)
    assert auth.exchange_handoff(demo_store, code, late) is None
    assert auth.exchange_handoff(demo_store, code, NOW) is None  # an expired code was spent by the try


def test_a_handoff_for_a_session_ended_meanwhile_gives_nothing(demo_store):
    token = auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW)
    code = auth.open_handoff(demo_store, token, NOW)
    auth.sign_out(demo_store, token, NOW)
    assert auth.exchange_handoff(demo_store, code, NOW) is None


def test_expired_handoffs_are_cleared_when_a_new_one_is_made(demo_store):
    token = auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW)
    auth.open_handoff(demo_store, token, NOW)
    auth.open_handoff(demo_store, token, NOW + auth.HANDOFF_LIFETIME + timedelta(seconds=1))
    assert demo_store.query_one("SELECT count(*) FROM sign_in_handoffs")[0] == 1


# -- password reset codes -----------------------------------------------------------------------------


def person_id(store, email: str) -> int:
    return store.query_one("SELECT person_id FROM people WHERE email = $email", {"email": email})[0]


def issue(store, email: str = "fellow@demo.org", at=NOW) -> str:
    return roster.issue_reset_code(store, viewer_of(store, "director@demo.org"), person_id(store, email), at)


def test_a_reset_code_sets_a_new_password_once_and_ends_every_session(demo_store):
    sessions = [auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW) for _ in range(2)]
    code = issue(demo_store)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    auth.reset_password(demo_store, "Fellow@Demo.org ", code.lower(), "a new password", NOW, client=A)
    assert [auth.viewer_for_token(demo_store, token, NOW) for token in sessions] == [None, None]
    assert auth.sign_in(demo_store, "fellow@demo.org", "a new password", NOW)
    with pytest.raises(SignInRefused):
        auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW, client=B)
    with pytest.raises(SignInRefused) as refused:  # used once
        auth.reset_password(demo_store, "fellow@demo.org", code, "yet another password", NOW, client=A)
    assert str(refused.value) == auth.RESET_REFUSED
    assert auth.sign_in(demo_store, "fellow@demo.org", "a new password", NOW)


def test_a_reset_code_is_stored_only_hashed_with_who_issued_it_and_when(demo_store):
    code = issue(demo_store)
    row = demo_store.query_one("SELECT * FROM password_reset_codes")
    assert code not in str(row) and code.replace("-", "") not in str(row)
    director, fellow = person_id(demo_store, "director@demo.org"), person_id(demo_store, "fellow@demo.org")
    assert row[1:5] == (fellow, director, NOW, NOW + auth.RESET_CODE_LIFETIME)


@pytest.mark.parametrize(
    "spoil",
    [
        "wrong code",
        "expired",
        "replaced by a newer code",
        "another person's email",
        "deactivated meanwhile",
    ],
)
def test_a_code_that_does_not_work_is_refused_with_one_sentence_and_counts_as_a_failure(demo_store, spoil):
    code = issue(demo_store)
    email, when = "fellow@demo.org", NOW
    if spoil == "wrong code":
        code = ("0000" if not code.startswith("0000") else "1111") + code[4:]
    elif spoil == "expired":
        when = NOW + auth.RESET_CODE_LIFETIME
    elif spoil == "replaced by a newer code":
        issue(demo_store)
    elif spoil == "another person's email":
        email = "mentor@demo.org"
    else:
        roster.deactivate_person(demo_store, viewer_of(demo_store, "director@demo.org"), person_id(demo_store, email), NOW)
    with pytest.raises(SignInRefused) as refused:
        auth.reset_password(demo_store, email, code, "a new password", when, client=A)
    assert str(refused.value) == auth.RESET_REFUSED
    assert failures(demo_store) == 1
    assert auth.sign_in(demo_store, "mentor@demo.org", "demo", NOW)  # nothing changed
    if spoil != "deactivated meanwhile":
        assert auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW)


def test_guessing_reset_codes_meets_the_sign_in_limits(demo_store):
    code = issue(demo_store)
    for guess in range(PER_EMAIL_AND_CONNECTION):
        with pytest.raises(SignInRefused, match="does not work"):
            auth.reset_password(demo_store, "fellow@demo.org", f"{guess:04d}-0000-0000-0000", "a new password", NOW, client=A)
    with pytest.raises(SignInRefused, match="Too many failed attempts"):  # the right code, too late from there
        auth.reset_password(demo_store, "fellow@demo.org", code, "a new password", NOW, client=A)
    with pytest.raises(SignInRefused, match="Too many failed attempts"):  # and sign-in from there is held up too
        auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW, client=A)
    auth.reset_password(demo_store, "fellow@demo.org", code, "a new password", NOW, client=B)  # the owner, elsewhere


def test_a_too_short_new_password_is_refused_before_the_code_is_spent(demo_store):
    code = issue(demo_store)
    with pytest.raises(InputError, match="at least 8"):
        auth.reset_password(demo_store, "fellow@demo.org", code, "short", NOW, client=A)
    assert failures(demo_store) == 0
    auth.reset_password(demo_store, "fellow@demo.org", code, "long enough now", NOW, client=A)


def test_only_a_director_issues_codes_and_only_for_active_people_of_their_program(demo_store):
    fellow, director = person_id(demo_store, "fellow@demo.org"), viewer_of(demo_store, "director@demo.org")
    with pytest.raises(AccessDenied):
        roster.issue_reset_code(demo_store, viewer_of(demo_store, "mentor@demo.org"), fellow, NOW)
    with pytest.raises(InputError, match="My account"):
        roster.issue_reset_code(demo_store, director, director.person_id, NOW)
    elsewhere = demo_store.query_one("SELECT min(person_id) FROM people WHERE program_id <> $p", {"p": director.program_id})[0]
    if elsewhere is not None:
        with pytest.raises(AccessDenied):
            roster.issue_reset_code(demo_store, director, elsewhere, NOW)
    roster.deactivate_person(demo_store, director, fellow, NOW)
    with pytest.raises(InputError, match="deactivated"):
        roster.issue_reset_code(demo_store, director, fellow, NOW)
    assert demo_store.query_one("SELECT count(*) FROM password_reset_codes")[0] == 0


def test_the_director_s_list_of_codes_shows_each_state(demo_store):
    director = viewer_of(demo_store, "director@demo.org")
    first = issue(demo_store)
    issue(demo_store)  # replaces the first
    used = issue(demo_store, "mentor@demo.org")
    auth.reset_password(demo_store, "mentor@demo.org", used, "a new password", NOW, client=A)
    someone = demo_store.query_one(
        "SELECT min(email) FROM people WHERE program_id = $p AND active AND NOT list_contains($demo, email)",
        {"p": director.program_id, "demo": ["fellow@demo.org", "mentor@demo.org", "director@demo.org"]},
    )[0]
    issue(demo_store, someone, NOW - auth.RESET_CODE_LIFETIME - timedelta(hours=1))  # issued long ago, never used
    states = roster.reset_code_states(roster.reset_codes_issued(demo_store, director), NOW)
    assert sorted(states["state"]) == sorted(["replaced by a newer code", "open", "used 2026-11-26 10:30", "expired"])
    assert set(states["issued_by"]) == {director.full_name}
    assert first not in states.to_string()


def test_no_reset_code_for_another_director_whose_account_the_issuer_could_take_over(demo_store):
    fellow = person_id(demo_store, "fellow@demo.org")
    demo_store.write(lambda cur: cur.execute("INSERT INTO person_roles VALUES ($p, 'director')", {"p": fellow}))
    with pytest.raises(InputError, match="is a director"):
        issue(demo_store)
    assert demo_store.query_one("SELECT count(*) FROM password_reset_codes")[0] == 0


def test_a_refused_reset_or_a_made_up_handoff_code_empties_no_cached_read(demo_store):
    """Anyone signed out can try these: they may record a failed attempt, never move the version every
    cached read of every session is keyed by (nor, for a handoff code nobody opened, write at all)."""
    version = demo_store.data_version
    with pytest.raises(SignInRefused):
        auth.reset_password(demo_store, "nobody@nowhere.org", "ABCD-EFGH-JKLM-NPQR", "a new password", NOW, client=A)
    with pytest.raises(SignInRefused):
        auth.reset_password(demo_store, "fellow@demo.org", "ABCD-EFGH-JKLM-NPQR", "a new password", NOW, client=A)
    assert demo_store.data_version == version
    commits = demo_store.commits
    assert auth.exchange_handoff(demo_store, "x" * 43, NOW) is None
    assert demo_store.commits == commits


# -- bookkeeping that would otherwise grow for ever ---------------------------------------------------------


def test_signing_in_forgets_the_person_s_long_ended_sessions_and_old_failures_only(demo_store):
    month = auth.SESSIONS_KEPT
    old = auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW)
    auth.sign_out(demo_store, old, NOW)
    recent = auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW + month - timedelta(days=2))
    auth.sign_out(demo_store, recent, NOW + month - timedelta(days=1))
    auth.sign_in(demo_store, "fellow@demo.org", "demo", NOW + timedelta(hours=1))  # expires unended
    someone_else = auth.sign_in(demo_store, "mentor@demo.org", "demo", NOW)
    auth.sign_out(demo_store, someone_else, NOW)
    fails(demo_store, "fellow@demo.org", client=A)

    def kept(email: str) -> int:
        return demo_store.query_one(
            "SELECT count(*) FROM sign_in_sessions s JOIN people p USING (person_id) WHERE p.email = $email", {"email": email}
        )[0]

    def failures() -> int:
        return demo_store.query_one("SELECT count(*) FROM sign_in_failures")[0]

    assert (kept("fellow@demo.org"), kept("mentor@demo.org"), failures()) == (3, 1, 1)
    later = NOW + month + timedelta(days=1)
    current = auth.sign_in(demo_store, "fellow@demo.org", "demo", later)
    # Gone: the session ended a month and a day ago, the one that expired unended then, and the failure.
    assert (kept("fellow@demo.org"), kept("mentor@demo.org"), failures()) == (2, 1, 0)
    assert auth.viewer_for_token(demo_store, current, later) is not None
    # A fresh failure (within the limits' window) stays, and still counts.
    with pytest.raises(SignInRefused):
        auth.sign_in(demo_store, "fellow@demo.org", "not the password", later, client=A)
    auth.sign_in(demo_store, "fellow@demo.org", "demo", later + timedelta(minutes=1))
    assert failures() == 1
