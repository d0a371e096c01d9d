"""Accounts: passwords, login sessions, user administration."""

import functools
import hashlib
import re
import secrets
from collections.abc import Iterable

import phonenumbers
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from grants.database import end_read_transaction, rows_changed, utcnow
from grants.extensions import db
from grants.models import (
    REGION_SCOPED_ROLES,
    SEGREGATED_ROLES,
    Outcome,
    Region,
    Role,
    User,
    UserRole,
    UserSession,
)
from grants.services import audit
from grants.services.errors import ConflictError, ForbiddenError, ValidationError

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
PHONE_LIKE_RE = re.compile(r"^\+?[\d\s.\-()]{6,}$")
# No 0/O, 1/I/L: temporary passwords are read aloud or copied by hand.
TEMPORARY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# --- passwords ---------------------------------------------------------------------------

def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"],
                          parallelism=cfg["ARGON2_PARALLELISM"])  # argon2id by default


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password_policy(password: str, username: str = "") -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ValidationError(
            _l("The password must have at least %(n)d characters.", n=minimum), "new_password")
    if username and password.lower() == username.lower():
        raise ValidationError(_l("The password must not be the username."), "new_password")


def temporary_password() -> str:
    chars = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


# --- identifiers -------------------------------------------------------------------------

def normalise_phone(raw: str) -> str:
    """Return the E.164 form of a phone number (Mali by default) or raise ValidationError."""
    message = _l("Invalid phone number (e.g. +223 76 12 34 56).")
    try:
        number = phonenumbers.parse(raw, current_app.config["PHONE_DEFAULT_REGION"])
    except phonenumbers.NumberParseException:
        raise ValidationError(message, "phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message, "phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _canonical_login(identifier: str) -> tuple[str, str | None]:
    """("phone", E.164 number) or ("username", lower-case text) for what was typed at login;
    None as the value when it is phone-like but no valid number."""
    identifier = identifier.strip()
    if PHONE_LIKE_RE.match(identifier):
        try:
            return "phone", normalise_phone(identifier)
        except ValidationError:
            return "phone", None
    return "username", identifier.lower()


def find_user_by_login(identifier: str) -> User | None:
    kind, value = _canonical_login(identifier)
    if value is None:
        return None
    column = User.phone if kind == "phone" else User.username
    return db.session.scalar(db.select(User).where(column == value))


def login_throttle_key(identifier: str) -> str:
    """What the per-account login throttle counts: the account the login resolves to, so that
    every spelling of its phone number and its username count together; for an unknown login,
    its normalised text."""
    user = find_user_by_login(identifier)
    if user is not None:
        return f"account:{user.id}"
    kind, value = _canonical_login(identifier)
    return f"unknown:{kind}:{(value or identifier.strip())[:64]}"


# --- login sessions ----------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@functools.cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    """A hash to verify when the login is unknown, computed once per cost setting: an unknown
    login then costs one verification, like a known one with a wrong password."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                          parallelism=parallelism).hash("not-a-password")


def authenticate(identifier: str, password: str) -> User | None:
    """The user whose login and password match, if active; None otherwise (the caller says the same
    thing either way). The time spent does not reveal whether the account exists: the same one
    verification is done for both. It runs outside any transaction, so that simultaneous logins
    do not queue behind each other's hashing for the database's write lock."""
    user = find_user_by_login(identifier)
    hasher = _hasher()
    stored = user.password_hash if user else _dummy_hash(
        hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    end_read_transaction(db.session)
    matches = _verify(hasher, stored, password)
    rehashed = hasher.hash(password) if matches and hasher.check_needs_rehash(stored) else None
    # From here on the request writes (the audit row, the session): the user is read again.
    if user is None:
        audit.record("auth.login", None, None, Outcome.FAILED, {"reason": "unknown_login"})
        return None
    if not matches or user.password_hash != stored:
        audit.record("auth.login", None, user, Outcome.FAILED, {"reason": "wrong_password"})
        return None
    if not user.active:
        audit.record("auth.login", None, user, Outcome.FAILED, {"reason": "inactive"})
        return None
    if rehashed:
        user.password_hash = rehashed
    return user


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(user: User) -> str:
    """Open a new server-side session for `user` and return its token (kept in the cookie)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_token_hash(token)))
    user.session_token = token
    user.last_login_at = utcnow()
    audit.record("auth.session_started", user, user)
    db.session.flush()
    return token


@functools.cache
def _session_user_statement():
    """Every logged-in request runs this: one statement, roles and regions joined in, instead of
    the model's two selectin loads after it (5 ms -> 1.3 ms on PostgreSQL,
    benchmarks/throughput.py); built once, the token bound at each run."""
    return (db.select(User, UserSession.created_at)
            .join(UserSession, UserSession.user_id == User.id)
            .options(orm.joinedload(User.role_rows), orm.joinedload(User.regions))
            .where(UserSession.token_hash == sa.bindparam("token_hash"),
                   UserSession.revoked_at.is_(None), User.active.is_(True)))


def load_session_user(token: str) -> User | None:
    """The active user of a live session token, or None if revoked, expired or unknown."""
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    row = db.session.execute(_session_user_statement(),
                             {"token_hash": _token_hash(token)}).unique().first()
    if row is None or row.created_at < utcnow() - lifetime:
        return None
    user = row.User
    user.session_token = token
    return user


def revoke_session(token: str, reason: str) -> None:
    db.session.execute(
        db.update(UserSession)
        .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


def revoke_all_sessions(user: User, reason: str) -> int:
    return rows_changed(
        db.session,
        db.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason),
    )


def logout(user: User) -> None:
    if user.session_token:
        revoke_session(user.session_token, "logout")
    audit.record("auth.logout", user, user)


def change_password(user: User, current: str, new: str) -> str:
    """Change the user's own password; every session is revoked and a new one returned."""
    if not _verify(_hasher(), user.password_hash, current):
        raise ValidationError(_l("The current password is wrong."), "current_password")
    check_password_policy(new, user.username)
    if _verify(_hasher(), user.password_hash, new):
        raise ValidationError(_l("The new password must differ from the current one."),
                              "new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    revoke_all_sessions(user, "password_changed")
    audit.record("auth.password_changed", user, user)
    return start_session(user)


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError(_l("Unknown language."), "locale")
    user.locale = locale
    audit.record("user.locale_changed", user, user, details={"locale": locale})


# --- administration ----------------------------------------------------------------------

def _check_roles_and_regions(roles: set[Role], regions: list[Region]) -> None:
    if not roles:
        raise ValidationError(_l("Choose at least one role."), "roles")
    if roles & REGION_SCOPED_ROLES and not regions:
        raise ValidationError(
            _l("Intake agents and field officers need at least one region."), "regions")


def _combined_duties_reason(roles: set[Role], reason: str | None) -> str | None:
    """Segregation of duties: one account both orders and pays only with a written reason (kept
    on the account and in the audit log). None when the account does not hold both roles."""
    if not SEGREGATED_ROLES.issubset(roles):
        return None
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_l(
            "This account would be both finance officer and accountant. Give the reason (for "
            "example, a small office with one person for finance), or choose only one of the two "
            "roles."),
            "combined_duties_reason")
    return reason


def _record_combined_duties(actor: User | None, user: User, before: str | None) -> None:
    if user.combined_duties_reason == before:
        return
    if user.combined_duties_reason:
        audit.record("user.duties_combined", actor, user,
                     details={"reason": user.combined_duties_reason})
    else:
        audit.record("user.duties_separated", actor, user)


def _check_unique(field: str, value: str | None, user_id: int | None) -> None:
    if value is None:
        return
    column = getattr(User, field)
    other = db.session.scalar(db.select(User.id).where(column == value))
    if other is not None and other != user_id:
        messages = {"username": _l("This username is already taken."),
                    "phone": _l("This phone number is already used by another account.")}
        raise ConflictError(messages[field], field)


def _clean_identity(username: str | None, phone: str | None, email: str | None):
    if username is not None:
        username = username.strip().lower()
        if not USERNAME_RE.match(username):
            raise ValidationError(_l("3 to 64 characters: lower-case letters, digits, dot, dash "
                                     "or underscore."), "username")
    phone = normalise_phone(phone) if phone and phone.strip() else None
    email = email.strip().lower() if email and email.strip() else None
    return username, phone, email


def create_user(actor: User | None, *, username: str, full_name: str, roles: Iterable[Role],
                regions: Iterable[Region] = (), phone: str | None = None,
                email: str | None = None, locale: str | None = None,
                password: str | None = None,
                combined_duties_reason: str | None = None) -> tuple[User, str | None]:
    """Create an account. Without a password, a temporary one is generated and returned: the
    user must change it at first login."""
    roles, regions = set(roles), list(regions)
    username, phone, email = _clean_identity(username, phone, email)
    _check_roles_and_regions(roles, regions)
    combined_duties_reason = _combined_duties_reason(roles, combined_duties_reason)
    _check_unique("username", username, None)
    _check_unique("phone", phone, None)
    temporary = None
    if password is None:
        temporary = password = temporary_password()
    else:
        check_password_policy(password, username)
    user = User(username=username, full_name=full_name.strip(), phone=phone, email=email,
                locale=locale, password_hash=hash_password(password),
                must_change_password=temporary is not None,
                combined_duties_reason=combined_duties_reason)
    user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    user.regions = regions
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor, user, details=_access_details(user))
    _record_combined_duties(actor, user, None)
    return user, temporary


def _access_details(user: User) -> dict:
    return {"roles": sorted(user.roles), "regions": [r.code for r in user.regions]}


def update_user(actor: User, user: User, *, full_name: str, roles: Iterable[Role],
                regions: Iterable[Region], phone: str | None, email: str | None,
                locale: str | None = None, combined_duties_reason: str | None = None) -> None:
    roles, regions = set(roles), list(regions)
    _, phone, email = _clean_identity(None, phone, email)
    _check_roles_and_regions(roles, regions)
    combined_duties_reason = _combined_duties_reason(roles, combined_duties_reason)
    _check_unique("phone", phone, user.id)
    if actor.id == user.id and Role.ADMIN in user.roles and Role.ADMIN not in roles:
        raise ForbiddenError(_l("You cannot remove your own administrator role."), "roles")
    before, reason_before = _access_details(user), user.combined_duties_reason
    user.full_name, user.phone, user.email = full_name.strip(), phone, email
    user.combined_duties_reason = combined_duties_reason
    if locale in current_app.config["LANGUAGES"]:
        user.locale = locale
    kept = [row for row in user.role_rows if row.role in roles]
    added = [UserRole(role=role) for role in sorted(roles - user.roles)]
    user.role_rows = kept + added
    user.regions = regions
    db.session.flush()
    after = _access_details(user)
    audit.record("user.updated", actor, user,
                 details={"before": before, "after": after} if before != after else None)
    _record_combined_duties(actor, user, reason_before)


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id and not active:
        raise ForbiddenError(_l("You cannot deactivate your own account."))
    if user.active == active:
        raise ConflictError(_l("Nothing to change: the account is already in that state."))
    user.active = active
    if not active:
        revoke_all_sessions(user, "deactivated")
    audit.record("user.activated" if active else "user.deactivated", actor, user)
    db.session.flush()


def reset_password(actor: User, user: User) -> str:
    """Give the user a temporary password (to change at next login); their sessions end."""
    temporary = temporary_password()
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    revoke_all_sessions(user, "password_reset")
    audit.record("user.password_reset", actor, user)
    db.session.flush()
    return temporary



def search_users(*, q: str | None = None, role: str | None = None, status: str | None = None):
    """Users matching the filters, by name (a select to paginate)."""
    query = db.select(User)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(db.or_(db.func.lower(User.full_name).like(pattern),
                                   User.username.like(pattern), User.phone.like(pattern)))
    if role:
        query = query.where(User.role_rows.any(UserRole.role == role))
    if status == "active":
        query = query.where(User.active.is_(True))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    return query.order_by(User.full_name, User.id)
