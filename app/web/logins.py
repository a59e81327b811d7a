"""Logins: credentials read from `user:password` lines, and failed attempts throttled per client.

`LoginThrottle` sits in front of Gradio's `/login`: a client's first few wrong passwords
are answered as usual; after that, its attempts are refused (HTTP 429, `Retry-After`)
until a delay has passed that doubles with each further failure. A correct password
after the delay logs in and clears the client's record.
"""

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGIN_PATHS = ("/login", "/login/")


class CredentialsError(ValueError):
    """Credentials text is not `user:password` lines."""


def parse_credentials(text: str, source: str) -> list[tuple[str, str]]:
    """(user, password) pairs, one per non-blank `user:password` line; the password may hold ':'.

    Example: "alice:s3:cret\\n" -> [("alice", "s3:cret")]. Errors name `source` and the line, never a password.
    """
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        user, sep, password = line.rstrip("\r").partition(":")
        if not sep or not user.strip() or not password:
            raise CredentialsError(f"{source}, line {number}: must be user:password (e.g. alice:s3cret)")
        pairs.append((user.strip(), password))
    if not pairs:
        raise CredentialsError(f"{source} holds no user:password line")
    return pairs


@dataclass
class _Record:
    attempts: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    """ASGI middleware: after `free_failures` wrong passwords from one client, refuse its logins for a while.

    Every attempt counts as a failure until it succeeds (so parallel guesses cannot slip past
    the count). From the `free_failures`-th on, the n-th failure locks the client out for
    `first_delay * 2**(n-1)` seconds, at most `max_delay`. At most `max_clients` clients are
    remembered (the least recent dropped).
    """

    def __init__(
        self,
        app: ASGIApp,
        free_failures: int = 5,
        first_delay: float = 1.0,
        max_delay: float = 300.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.clock = clock  # seconds, monotonic
        self.free_failures = free_failures
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.max_clients = max_clients
        self._clients: OrderedDict[str, _Record] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in LOGIN_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        wait = self._attempt(client)
        if wait > 0:
            body = {"detail": f"Too many failed logins; try again in {math.ceil(wait)} s."}
            await JSONResponse(body, status_code=429, headers={"Retry-After": str(math.ceil(wait))})(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 200:
            self._clients.pop(client, None)

    def _attempt(self, client: str) -> float:
        """Seconds `client` must still wait (nothing counted), or 0 after counting its attempt."""
        record = self._clients.pop(client, None) or _Record()
        self._clients[client] = record  # most recent last
        while len(self._clients) > self.max_clients:
            self._clients.popitem(last=False)
        now = self.clock()
        if record.locked_until > now:
            return record.locked_until - now
        record.attempts += 1
        over = record.attempts - self.free_failures
        if over >= 0:
            record.locked_until = now + min(self.first_delay * 2 ** min(over, 30), self.max_delay)
        return 0.0
