"""The limits on guessing passwords: per email and connection, per connection, per email, and overall."""

import logging
from datetime import timedelta

import pytest

from analytics import auth
from analytics.auth import SignInRefused
from tests.conftest import NOW

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
