"""Sign-in with local accounts: argon2 hashes, opaque session tokens, limits on guessing.

The limits on guessing count failed attempts in the last 15 minutes (BRAKE_WINDOW), kept in
sign_in_failures. A failure is recorded for any well-formed email, whether or not an account has
it, so no limit and no message tells whether an email exists. A connection is the address the
server saw (st.context.ip_address, passed in as `client`; see `client_key`). An attempt is refused
before its password is checked when:

1. its email has failed 5 times from this connection (BRAKE_AFTER_FAILURES): the guesser's own
   connection is locked for that email; the owner, signing in from anywhere else, is not;
2. this connection has failed 20 times over any emails (CLIENT_LIMIT): one password tried against
   every account from one place stops there;
3. its email has failed 10 times from any connections (EMAIL_CEILING) and this connection is one
   of them: guessing one account from many places gets one try per new place, while a connection
   that has not failed on the email (the owner's, usually) still signs in;
4. 100 attempts have failed over every email and connection (OVERALL_LIMIT) and this connection
   has failed at least once: a spray from many places gets one try per place while it lasts, and
   nobody who has not failed is held up.

A refused attempt is not recorded (so a locked guesser cannot extend the lock) and costs no argon2
check. What a failure stores in sign_in_failures.email is "<email> <connection tag>": the email
(already stored there before, and never containing a space), then a pseudonymous tag of the
connection (a truncated SHA-256, not the address itself), so the table keeps its two columns.
"""

import hashlib
import ipaddress
import logging
import secrets
from datetime import datetime, timedelta
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from analytics.changes import EVERYTHING, Touched, touched
from analytics.checks import MAX_NAME, clean_text, unusable_email
from analytics.errors import InputError
from analytics.people import Viewer, has_no_people, load_viewer
from analytics.store import Store

log = logging.getLogger(__name__)  # never an email, a password or an address: the connection's tag at most

SESSION_LIFETIME = timedelta(hours=12)  # fixed from sign-in, not sliding: see the README's "Signing in"
HANDOFF_LIFETIME = timedelta(seconds=60)
RESET_CODE_LIFETIME = timedelta(hours=24)
RESET_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U to misread
RESET_CODE_LENGTH = 16  # 80 bits, typed as four groups of four
BRAKE_WINDOW = timedelta(minutes=15)
SESSIONS_KEPT = timedelta(days=30)  # a person's ended sessions, kept this long for a look at recent sign-ins
FAILURES_KEPT = timedelta(days=1)  # failed attempts, far longer than BRAKE_WINDOW
BRAKE_AFTER_FAILURES = 5  # one email from one connection
CLIENT_LIMIT = 20  # one connection, over any emails
EMAIL_CEILING = 10  # one email, from any connections
OVERALL_LIMIT = 100  # every email and every connection
MIN_PASSWORD = 8
MAX_PASSWORD = 200
WRONG = "That email and password do not match an account."
_MINUTES = int(BRAKE_WINDOW.total_seconds() // 60)
TOO_MANY_FOR_EMAIL = f"Too many failed attempts for this email. Wait {_MINUTES} minutes, then try again."
TOO_MANY_FROM_HERE = f"Too many failed sign-in attempts from this connection. Wait {_MINUTES} minutes, then try again."
TOO_MANY_OVERALL = f"Too many failed sign-in attempts on this site just now. Wait {_MINUTES} minutes, then try again."
RESET_REFUSED = "That reset code does not work with this email. Ask your program director for a new one."
_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps the time the same either way.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


class SignInRefused(InputError):
    """The sign-in did not succeed; the message never says which part was wrong."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_new_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"Choose a password of at most {MAX_PASSWORD} characters.")
    return password


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def set_password_hash(cur, person_id: int, password_hash: str, now: datetime) -> None:
    """Inside a write: give the person a (new) password."""
    cur.execute("DELETE FROM accounts WHERE person_id = $person", {"person": person_id})
    cur.execute("INSERT INTO accounts VALUES ($person, $hash, $now)", {"person": person_id, "hash": password_hash, "now": now})


def client_key(address: str | None) -> str:
    """The connection an attempt counts against: an IPv4 address, or an IPv6 /64 (one household or server
    holds a whole /64, so single IPv6 addresses would be free to change); "" when there is no address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _client_tag(address: str | None) -> str:
    """A pseudonymous tag of the connection, as stored (never the address itself)."""
    return hashlib.sha256(f"sign-in connection {client_key(address)}".encode()).hexdigest()[:16]


def _limit_reached(store: Store, email: str, tag: str, now: datetime) -> str | None:
    """The sentence that refuses this attempt before its password is checked, or None (see the module)."""
    this_pair, this_email, this_client, everyone = store.query_one(
        """
        SELECT count(*) FILTER (WHERE email = $failure), count(*) FILTER (WHERE split_part(email, ' ', 1) = $email),
               count(*) FILTER (WHERE split_part(email, ' ', 2) = $tag), count(*)
        FROM sign_in_failures WHERE attempted_at > $since
        """,
        {"failure": f"{email} {tag}", "email": email, "tag": tag, "since": now - BRAKE_WINDOW},
    )
    if this_pair >= BRAKE_AFTER_FAILURES:
        return TOO_MANY_FOR_EMAIL
    if this_client >= CLIENT_LIMIT:
        return TOO_MANY_FROM_HERE
    if this_email >= EMAIL_CEILING and this_pair > 0:
        return TOO_MANY_FOR_EMAIL
    if everyone >= OVERALL_LIMIT and this_client > 0:
        return TOO_MANY_OVERALL
    return None


def sign_in(store: Store, email: str, password: str, now: datetime, client: str | None = None) -> str:
    """Check the password and open a session; returns the opaque token the browser session keeps.

    `client` is the connection's address as the server saw it (None when it has none, as locally);
    the limits on guessing count failures per email and connection, per connection, per email and
    overall (see the module).
    """
    email, tag = _attempt(store, email, client, now, WRONG, "sign-in refused before checking the password")
    row = store.query_one(
        """
        SELECT p.person_id, a.password_hash FROM people p JOIN accounts a USING (person_id)
        WHERE lower(p.email) = $email AND p.active
        """,
        {"email": email},
    )
    if not _verify(row[1] if row else _DUMMY_HASH, password or "") or row is None:
        _record_failure(store, email, tag, now)
        log.info("sign-in refused: the email and password do not match an account (connection %s)", tag)
        raise SignInRefused(WRONG)
    return open_session(store, row[0], now)


def _attempt(store: Store, email: object, client: str | None, now: datetime, refusal: str, why: str) -> tuple[str, str]:
    """The normalised email and the connection's tag of a sign-in or reset attempt, or SignInRefused when the
    email cannot be anyone's (`refusal`, nothing stored: nothing to brake) or a limit on guessing is reached."""
    email = normalise_email(email if isinstance(email, str) else "")
    if unusable_email(email):
        raise SignInRefused(refusal)
    tag = _client_tag(client)
    refused = _limit_reached(store, email, tag, now)
    if refused is not None:
        log.warning("%s: %s (connection %s)", why, refused, tag)
        raise SignInRefused(refused)
    return email, tag


def _record_failure(store: Store, email: str, tag: str, now: datetime) -> None:
    """A failed attempt, counted by the limits; sign-in bookkeeping only, so no cached read goes cold."""
    failure = {"failure": f"{email} {tag}", "now": now}
    store.write(lambda cur: cur.execute("INSERT INTO sign_in_failures VALUES ($failure, $now)", failure), sign_in_only=True)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def open_session(store: Store, person_id: int, now: datetime) -> str:
    """A new session; in the same transaction, the sign-in bookkeeping nothing reads any more is forgotten (below)."""
    token = secrets.token_urlsafe(32)

    def work(cur) -> None:
        cur.execute(
            "INSERT INTO sign_in_sessions VALUES ($token, $person, $now, $expires, NULL)",
            {"token": _digest(token), "person": person_id, "now": now, "expires": now + SESSION_LIFETIME},
        )
        forget_stale_sign_ins(cur, person_id, now)

    store.write(work, sign_in_only=True)
    return token


def forget_stale_sign_ins(cur, person_id: int, now: datetime) -> None:
    """Without this the bookkeeping grows with every sign-in for ever. Forgets the person's sessions over
    SESSIONS_KEPT (ended or expired) and everyone's failures older than FAILURES_KEPT (the limits count 15
    minutes); open_handoff forgets expired handoff codes. The session just opened stays, so "has signed in"
    (roster.py) still holds."""
    cur.execute(
        "DELETE FROM sign_in_sessions WHERE person_id = $person AND coalesce(ended_at, expires_at) < $before",
        {"person": person_id, "before": now - SESSIONS_KEPT},
    )
    cur.execute("DELETE FROM sign_in_failures WHERE attempted_at < $before", {"before": now - FAILURES_KEPT})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def viewer_for_token(store: Store, token: object, now: datetime) -> Viewer | None:
    """The viewer behind a session token, with roles read now; None for a forged, ended or stale token."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    row = store.query_one(
        "SELECT person_id FROM sign_in_sessions WHERE token_hash = $token AND ended_at IS NULL AND expires_at > $now",
        {"token": _digest(token), "now": now},
    )
    return load_viewer(store, row[0]) if row else None


def sign_out(store: Store, token: str, now: datetime) -> None:
    store.write(
        lambda cur: cur.execute(
            "UPDATE sign_in_sessions SET ended_at = $now WHERE token_hash = $token AND ended_at IS NULL",
            {"now": now, "token": _digest(token)},
        ),
        sign_in_only=True,
    )


def sign_out_everywhere(store: Store, viewer: Viewer, now: datetime) -> int:
    """End every session of the person, in every browser; returns how many were open."""

    def work(cur) -> int:
        return len(
            cur.execute(
                "UPDATE sign_in_sessions SET ended_at = $now WHERE person_id = $person AND ended_at IS NULL RETURNING 1",
                {"now": now, "person": viewer.person_id},
            ).fetchall()
        )

    return store.write(work, sign_in_only=True)


# -- the cookie's handoff ----------------------------------------------------------------------------
# A script run cannot set a cookie: only an HTTP response can. So after a sign-in the script stores a
# handoff code for the session's token, and the browser exchanges the code at the app's own route
# (ui/session_cookie.py), whose answer sets the HttpOnly cookie. The database keeps the code's SHA-256
# and the token sealed with a key only the code gives, so neither a copy of the table nor a code
# already exchanged opens a session.


def _handoff_key(code: str, length: int) -> bytes:
    return hashlib.shake_256(f"sign-in handoff seal {code}".encode()).digest(length)


def _seal(token: str, code: str) -> str:
    data = token.encode("ascii")
    return bytes(a ^ b for a, b in zip(data, _handoff_key(code, len(data)), strict=True)).hex()


def _unseal(sealed: str, code: str) -> str | None:
    try:
        data = bytes.fromhex(sealed)
        return bytes(a ^ b for a, b in zip(data, _handoff_key(code, len(data)), strict=True)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None


def _well_formed_code(code: object) -> bool:
    return isinstance(code, str) and 20 <= len(code) <= 100 and code.isascii()


def open_handoff(store: Store, token: str, now: datetime) -> str:
    """A single-use code, good for HANDOFF_LIFETIME, that `exchange_handoff` turns into `token` once."""
    code = secrets.token_urlsafe(32)

    def work(cur) -> None:
        cur.execute("DELETE FROM sign_in_handoffs WHERE expires_at <= $now", {"now": now})
        cur.execute(
            "INSERT INTO sign_in_handoffs VALUES ($code, $sealed, $expires)",
            {"code": _digest(code), "sealed": _seal(token, code), "expires": now + HANDOFF_LIFETIME},
        )

    store.write(work, sign_in_only=True)
    return code


def handoff_pending(store: Store, code: object, now: datetime) -> bool:
    """True while the code can still be exchanged (not yet used, not expired)."""
    if not _well_formed_code(code):
        return False
    row = store.query_one(
        "SELECT count(*) FROM sign_in_handoffs WHERE code_hash = $code AND expires_at > $now",
        {"code": _digest(str(code)), "now": now},
    )
    return bool(row and row[0])


def exchange_handoff(store: Store, code: object, now: datetime) -> tuple[str, datetime] | None:
    """The session token behind a handoff code and when its session expires; the code is spent either way.

    None for a wrong, used or expired code, and for a session that ended or expired meanwhile.
    """
    if not _well_formed_code(code):
        return None
    code = str(code)
    # A read first: a made-up code (anyone can post one) takes no write lock and writes nothing.
    if store.query_one("SELECT 1 FROM sign_in_handoffs WHERE code_hash = $code", {"code": _digest(code)}) is None:
        return None
    row = store.write(
        lambda cur: cur.execute(
            "DELETE FROM sign_in_handoffs WHERE code_hash = $code RETURNING sealed_token, expires_at", {"code": _digest(code)}
        ).fetchone(),
        sign_in_only=True,
    )
    if row is None or row[1] <= now:
        return None
    token = _unseal(row[0], code)
    if token is None:
        return None
    expires = store.query_one(
        "SELECT expires_at FROM sign_in_sessions WHERE token_hash = $token AND ended_at IS NULL AND expires_at > $now",
        {"token": _digest(token), "now": now},
    )
    return (token, expires[0]) if expires else None


def change_password(store: Store, viewer: Viewer, current: str, new: str, now: datetime, keep_token: str) -> None:
    """Needs the current password; ends the person's other sessions."""
    row = store.query_one("SELECT password_hash FROM accounts WHERE person_id = $person", {"person": viewer.person_id})
    if row is None or not _verify(row[0], current or ""):
        raise InputError("The current password is not right.")
    new_hash = hash_password(check_new_password(new))

    def work(cur):
        set_password_hash(cur, viewer.person_id, new_hash, now)
        cur.execute(
            "UPDATE sign_in_sessions SET ended_at = $now WHERE person_id = $person AND ended_at IS NULL AND token_hash <> $keep",
            {"now": now, "person": viewer.person_id, "keep": _digest(keep_token)},
        )

    store.write(work, sign_in_only=True)  # the account already existed: no cached read changes


# -- password reset codes ----------------------------------------------------------------------------
# A director issues one for a person of their program (analytics/roster.py: issue_reset_code); the
# person sets a new password with it on the sign-in page. A wrong, used, voided or expired code is
# refused with one sentence and counts as a failed sign-in, under the same limits on guessing.


def new_reset_code() -> tuple[str, str]:
    """A new reset code as shown to the director (four groups of four), and the SHA-256 the database keeps."""
    code = "".join(secrets.choice(RESET_CODE_ALPHABET) for _ in range(RESET_CODE_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, RESET_CODE_LENGTH, 4)), _reset_digest(code)


def reset_code_digest(code: object) -> str | None:
    """The stored form of a typed code (spaces, dashes and case ignored; O read as 0, I and L as 1), or None
    when it cannot be one."""
    if not isinstance(code, str):
        return None
    typed = "".join(code.split()).replace("-", "").upper().translate(str.maketrans("OIL", "011"))
    if len(typed) != RESET_CODE_LENGTH or any(c not in RESET_CODE_ALPHABET for c in typed):
        return None
    return _reset_digest(typed)


def _reset_digest(code: str) -> str:
    return hashlib.sha256(f"password reset {code}".encode()).hexdigest()


def reset_password(store: Store, email: str, code: str, new_password: str, now: datetime, client: str | None = None) -> None:
    """Set a new password with a reset code; ends every session of the person.

    A wrong, used, voided or expired code, or an email without an active account, is refused with
    RESET_REFUSED alone and recorded as a failed attempt (see the module for the limits).
    """
    email, tag = _attempt(store, email, client, now, RESET_REFUSED, "password reset refused before checking the code")
    new_hash = hash_password(check_new_password(new_password))  # before the code, so every path takes this time
    code_works = {"code": reset_code_digest(code) or "", "now": now, "email": email}
    usable = """
        code_hash = $code AND used_at IS NULL AND voided_at IS NULL AND expires_at > $now
        AND person_id IN (SELECT person_id FROM people WHERE lower(email) = $email AND active)
    """

    def refuse() -> NoReturn:
        _record_failure(store, email, tag, now)  # anyone can try a code: it must not empty every page's cached reads
        log.info("password reset refused: the code does not work with that email (connection %s)", tag)
        raise SignInRefused(RESET_REFUSED)

    if store.query_one("SELECT 1 FROM password_reset_codes WHERE " + usable, code_works) is None:
        refuse()

    def work(cur) -> bool:
        used = cur.execute(
            "UPDATE password_reset_codes SET used_at = $now WHERE " + usable + " RETURNING person_id", code_works
        ).fetchone()
        if used is None:  # spent by another request since the read
            return False
        set_password_hash(cur, used[0], new_hash, now)
        cur.execute(
            "UPDATE sign_in_sessions SET ended_at = $now WHERE person_id = $person AND ended_at IS NULL",
            {"now": now, "person": used[0]},
        )
        return True

    if not store.write(
        work, touches=lambda cur, used: _reset_touched(cur, email)
    ):  # not sign-in bookkeeping only: the director's list of codes shows it used
        refuse()


def _reset_touched(cur, email: str) -> Touched:
    """A used reset code shows in the director's list of codes: the people group of the person's program."""
    row = cur.execute("SELECT program_id FROM people WHERE lower(email) = $email", {"email": email}).fetchone()
    return touched(row[0], "people") if row else Touched()


def viewer_for_email(store: Store, email: str) -> Viewer | None:
    """For OpenID Connect sign-in: the active person with this email, if any."""
    row = store.query_one(
        "SELECT person_id FROM people WHERE lower(email) = $email AND active", {"email": normalise_email(email)}
    )
    return load_viewer(store, row[0]) if row else None


def needs_first_director(store: Store) -> bool:
    return has_no_people(store)


def create_first_director(store: Store, full_name: str, email: str, password: str, program_name: str, now: datetime) -> int:
    """Outside demo mode, the first start makes one program and its first director, and nothing else."""
    name = clean_text(full_name, "The name", MAX_NAME, name=True)
    program = clean_text(program_name, "The program name", MAX_NAME, name=True)
    email = normalise_email(email)
    if not name or not program:
        raise InputError("Enter your name and the program's name.")
    if "@" not in email or unusable_email(email):
        raise InputError("Enter a valid email address (with no spaces or invisible characters).")
    password_hash = hash_password(check_new_password(password))

    def work(cur):
        if cur.execute("SELECT count(*) FROM people").fetchone()[0]:
            raise InputError("The program already has people; sign in instead.")
        program_id = cur.execute(
            "INSERT INTO programs (name, created_at) VALUES ($name, $now) RETURNING program_id", {"name": program, "now": now}
        ).fetchone()[0]
        person_id = cur.execute(
            """
            INSERT INTO people (program_id, full_name, email, created_at) VALUES ($program, $name, $email, $now)
            RETURNING person_id
            """,
            {"program": program_id, "name": name, "email": email, "now": now},
        ).fetchone()[0]
        cur.execute("INSERT INTO person_roles VALUES ($person, 'director')", {"person": person_id})
        set_password_hash(cur, person_id, password_hash, now)
        return person_id

    return store.write(work, touches=EVERYTHING)  # a new program
