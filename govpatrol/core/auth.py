"""Accounts: argon2 password hashes, per-user API tokens, and the three roles.

Passwords are hashed with argon2id (argon2-cffi's defaults, which track OWASP's advice).
API tokens are 32 random bytes: guessing one is hopeless, so a fast SHA-256 of the token is
enough to store and lets a request find its user with one indexed lookup; argon2 would cost
tens of milliseconds on every API call for no gain.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from govpatrol.core.models import FindingState, Org, Site, User, UserSite

ROLES = ("admin", "supervisor", "webmaster")
TOKEN_PREFIX = "gp_"  # lets secret scanners and people recognise a leaked token

_hasher = PasswordHasher()
# One address, as a relay takes it in RCPT TO: a local part and a domain, no display name,
# no spaces, no list. Intranet relays deliver to dotless domains too (``webmaster@mail``).
_EMAIL = re.compile(
    r"[^@\s,;<>()\[\]\"]{1,64}@[A-Za-z0-9\u00a1-\uffff](?:[A-Za-z0-9\u00a1-\uffff.-]{0,252})"
)


@functools.cache
def _dummy_hash() -> str:
    """Verified when the username does not exist, so a failed login takes as long either way
    and response times do not tell which usernames are real. Made on first use: hashing costs
    as much as a login, and importing this module must stay cheap."""
    return _hasher.hash("govpatrol-no-such-user")


class AccountError(ValueError):
    """A user-facing problem with account data (unknown role, duplicate name …)."""


def normalise_email(value: str | None) -> str | None:
    """A user's e-mail address as stored (stripped, domain in lower case), or None when empty;
    AccountError when it is not one address."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > 254 or not _EMAIL.fullmatch(text) or ".." in text or text.endswith("."):
        raise AccountError(f"电子邮件地址无效：{text!r} (invalid e-mail address)")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise AccountError("密码至少 8 位 (password needs at least 8 characters)")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user whose password this is, or None; rehashes when argon2's parameters changed."""
    user = session.exec(select(User).where(User.username == username.strip())).first()
    if user is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
        session.commit()
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_api_token(session: Session, user: User) -> str:
    """A new API token for the user, replacing the old one; only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = token_hash(token)
    session.add(user)
    session.commit()
    return token


def user_by_token(session: Session, token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    return session.exec(select(User).where(User.api_token_hash == token_hash(token))).first()


def session_version(user: User) -> str:
    """What a session cookie must carry to be valid: it changes with the password and with
    the user's session epoch, so raising the epoch ends every signed-cookie session of that
    user, copies included (the cookie itself cannot be revoked server-side). API tokens are
    separate credentials, replaced only by issuing a new one."""
    seed = f"{user.password_hash}\x1f{user.session_epoch}"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16]


def end_sessions(user: User) -> None:
    """Make every session cookie issued to the user so far invalid (the caller commits)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def set_password(user: User, password: str) -> None:
    """A new password, checked and hashed; every session of the user ends with the old one."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    org_id: int | None = None,
    site_ids: Iterable[int] = (),
    email: str | None = None,
) -> User:
    """Validate and store a user; a supervisor needs an org, a webmaster at least one site."""
    username = username.strip()
    site_ids = sorted(set(site_ids))
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("用户名不能为空、不能含空格，最长 64 个字符 (invalid username)")
    if role not in ROLES:
        raise AccountError(f"角色必须是 {'/'.join(ROLES)} 之一 (unknown role {role!r})")
    if role == "supervisor" and org_id is None:
        raise AccountError("上级主管单位用户必须指定组织 (a supervisor needs --org)")
    if role == "webmaster" and not site_ids:
        raise AccountError("网站管理员必须指定至少一个网站 (a webmaster needs --site)")
    if session.exec(select(User).where(User.username == username)).first():
        raise AccountError(f"用户 {username!r} 已存在 (user exists)")
    if org_id is not None and session.get(Org, org_id) is None:
        raise AccountError(f"组织 #{org_id} 不存在 (no such org)")
    for site_id in site_ids:
        if session.get(Site, site_id) is None:
            raise AccountError(f"网站 #{site_id} 不存在 (no such site)")
    address = normalise_email(email)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        org_id=org_id,
        email=address,
    )
    session.add(user)
    session.flush()
    for site_id in site_ids:
        session.add(UserSite(user_id=user.id, site_id=site_id))
    session.commit()
    session.refresh(user)
    return user


def set_user_sites(session: Session, user: User, site_ids: Iterable[int]) -> None:
    """Replace the sites a webmaster looks after."""
    wanted = set(site_ids)
    current = {
        link.site_id: link
        for link in session.exec(select(UserSite).where(UserSite.user_id == user.id))
    }
    for site_id, link in current.items():
        if site_id not in wanted:
            session.delete(link)
    for site_id in wanted - set(current):
        if session.get(Site, site_id) is None:
            raise AccountError(f"网站 #{site_id} 不存在 (no such site)")
        session.add(UserSite(user_id=user.id, site_id=site_id))
    session.commit()


def delete_user(session: Session, user: User) -> None:
    """Remove a user; the triage they did stays, no longer attributed (the FK would refuse)."""
    for state in session.exec(select(FindingState).where(FindingState.user_id == user.id)):
        state.user_id = None
        session.add(state)
    for link in session.exec(select(UserSite).where(UserSite.user_id == user.id)):
        session.delete(link)
    session.delete(user)
    session.commit()
