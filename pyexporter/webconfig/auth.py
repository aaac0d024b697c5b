"""Authentication and headers: what exporter-toolkit's handler.go, users.go and cache.go do per request.

The rate limit (a token bucket over all requests), basic auth checked with bcrypt (one check at a
time in a worker thread, never on the event loop; successes cached as exporter-toolkit caches them,
failures never), a dummy hash so an unknown user costs what a wrong password costs, and the response
headers a web config file may set. Nothing here logs or keeps a password.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
import secrets
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor

import bcrypt
from aiohttp import web

#: How long a successful basic-auth check is remembered, so a scrape does not cost a bcrypt round.
AUTH_CACHE_SECONDS = 300.0
#: exporter-toolkit keeps at most this many cached verifications.
AUTH_CACHE_ENTRIES = 100
#: bcrypt only ever uses the first 72 bytes of a password (Go's crypto/bcrypt ignores the rest too).
BCRYPT_MAX_PASSWORD = 72

#: The headers exporter-toolkit lets a file set, with the values allowed where it restricts them.
ALLOWED_HEADERS: dict[str, tuple[str, ...] | None] = {
    "Strict-Transport-Security": None,
    "X-Content-Type-Options": ("nosniff",),
    "X-Frame-Options": ("deny", "sameorigin"),
    "X-XSS-Protection": None,
    "Content-Security-Policy": None,
}

_BCRYPT_HASH = re.compile(rb"\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{53}\Z")
_BCRYPT_ALPHABET = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def bcrypt_hash_problem(hashed: bytes) -> str | None:
    """Why `hashed` is not a bcrypt hash pyexporter can check, or None. Never quotes the hash."""
    if len(hashed) < 59:
        return "hashedSecret too short to be a bcrypted password"
    if not hashed.startswith(b"$"):
        return "bcrypt hashes must start with '$'"
    if not hashed.startswith(b"$2"):
        return "not a bcrypt hash (bcrypt hashes start with $2a$, $2b$, $2x$ or $2y$)"
    match = _BCRYPT_HASH.match(hashed)
    if match is None:
        return ("malformed bcrypt hash (want 60 characters: $2y$, a two-digit cost, $, then 53 "
                "characters of ./A-Za-z0-9)")
    cost = int(match.group(1))
    if not 4 <= cost <= 31:
        return f"cost {cost} is outside allowed range (4,31)"
    return None


class TokenBucket:
    """golang.org/x/time/rate.Limiter's Allow(): one token per interval, at most burst, full at start."""

    def __init__(self, interval: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self.burst = burst
        self.clock = clock
        self.tokens = float(max(burst, 0))
        self.last = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(float(max(self.burst, 0)), self.tokens + (now - self.last) / self.interval)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def parse_basic_auth(header: str | None) -> tuple[bytes, bytes] | None:
    """Go's Request.BasicAuth(): `Basic base64(user:password)`, scheme case-insensitive."""
    if not header or len(header) < 6 or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    user, sep, password = decoded.partition(b":")
    if not sep:
        return None
    return user, password


def check_password(password: bytes, hashed: bytes) -> bool:
    """bcrypt comparison as Go's crypto/bcrypt makes it (bytes past the 72nd ignored)."""
    try:
        return bool(bcrypt.checkpw(password[:BCRYPT_MAX_PASSWORD], hashed))
    except ValueError:
        return False


def dummy_hash(users: Mapping[bytes, bytes]) -> bytes:
    """A hash no password matches, at the cost most users have: an unknown user's check then takes
    as long as a known user's. Made from a fresh salt and random characters, so it costs nothing."""
    costs = Counter(int(h[4:6]) for h in users.values())
    cost = max(costs, key=lambda c: (costs[c], c)) if costs else 10
    return bcrypt.gensalt(rounds=cost) + bytes(secrets.choice(_BCRYPT_ALPHABET) for _ in range(31))


class AuthCache:
    """Successful verifications for AUTH_CACHE_SECONDS. Keys are keyed digests of (user, hash,
    password), so the cache holds no password; at most AUTH_CACHE_ENTRIES, oldest evicted."""

    def __init__(self, ttl: float = AUTH_CACHE_SECONDS, entries: int = AUTH_CACHE_ENTRIES,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.entries = entries
        self.clock = clock
        self._secret = secrets.token_bytes(32)
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def key(self, user: bytes, hashed: bytes, password: bytes) -> bytes:
        message = b"\0".join((base64.b64encode(user), hashed, base64.b64encode(password)))
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def hit(self, key: bytes) -> bool:
        stamp = self._seen.get(key)
        if stamp is None:
            return False
        if self.clock() - stamp > self.ttl:
            del self._seen[key]
            return False
        return True

    def add(self, key: bytes) -> None:
        self._seen[key] = self.clock()
        self._seen.move_to_end(key)
        while len(self._seen) > self.entries:
            self._seen.popitem(last=False)

    def clear(self) -> None:
        self._seen.clear()


def plain_error(status: int, text: str) -> web.Response:
    # As Go's http.Error writes it.
    return web.Response(status=status, text=f"{text}\n", content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})


class BasicAuth:
    """Checks `Authorization: Basic` headers against the users of the configuration in force."""

    def __init__(self) -> None:
        self._cache = AuthCache()
        self._pool: ThreadPoolExecutor | None = None
        self._users: Mapping[bytes, bytes] = {}
        self._dummy = dummy_hash(self._users)

    def use(self, users: Mapping[bytes, bytes]) -> None:
        """Check against `users` from now on; cached successes of other users are forgotten."""
        if users != self._users:
            self._cache.clear()
            self._users = users
            self._dummy = dummy_hash(users)

    async def verify(self, header: str | None) -> bool:
        credentials = parse_basic_auth(header)
        if credentials is None:
            return False
        user, password = credentials
        hashed = self._users.get(user)
        known = hashed is not None
        if hashed is None:
            hashed = self._dummy
        key = self._cache.key(user, hashed, password)
        if known and self._cache.hit(key):
            return True
        if self._pool is None:
            # One thread: bcrypt is CPU-bound, and Go also runs one comparison at a time.
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bcrypt")
        loop = asyncio.get_running_loop()
        ok = await loop.run_in_executor(self._pool, check_password, password, hashed)
        if ok and known:
            self._cache.add(key)
            return True
        return False

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def add_headers(headers: MutableMapping[str, str], configured: tuple[tuple[str, str], ...]) -> None:
    """Set http_server_config.headers on a response's (or an HTTPException's) headers."""
    for name, value in configured:
        headers[name] = value
