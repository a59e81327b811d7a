"""Refuse requests addressed to another host name: the page's defence against DNS rebinding.

A web page on evil.example can re-point its own name at 127.0.0.1 and then read the
page's answers and article list as if it were same-origin; such requests carry
`Host: evil.example:PORT` (and that `Origin`). `HostPolicy` accepts only the address the
server was bound to (loopback names always, the `--host` given, any IP literal when
bound to every interface) on the bound port, plus the names a user allows; a request
whose Host or Origin is anything else gets 400 / 403 before Gradio sees it.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

LOOPBACK = ("127.0.0.1", "localhost", "::1")
EVERY_INTERFACE = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class HostPolicy:
    """Which `Host` / `Origin` names a server bound to `host`:`port` answers to."""

    host: str
    port: int
    allowed: tuple[str, ...] = ()  # extra names ("name" = any port, "name:port" = that port only)

    def host_ok(self, value: str | None) -> bool:
        """True for an acceptable Host header. Example: "localhost:7860" on port 7860 -> True."""
        name, port = _split(value or "")
        if name is None:
            return False
        allowed = {n.lower() for n in self.allowed}
        if name in allowed or f"{name}:{port}" in allowed:
            return True
        if port != self.port:
            return False
        return name in LOOPBACK or name == self.host.lower() or (self.host in EVERY_INTERFACE and _is_ip(name))

    def origin_ok(self, value: str | None) -> bool:
        """True when there is no Origin, or its host part is acceptable. "null" (sandboxed, file://) is not."""
        if value is None:
            return True
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        netloc = parts.netloc if ":" in parts.netloc.rsplit("]", 1)[-1] else f"{parts.netloc}:{_default_port(parts.scheme)}"
        return self.host_ok(netloc)

    def refusal(self, host: str | None, origin: str | None) -> tuple[int, str] | None:
        """(status, one-line reason) for a request to refuse, else None."""
        if not self.host_ok(host):
            return 400, f"Host {_shown(host)} is not served here; start citeqa serve with --allow-host NAME to allow it."
        if not self.origin_ok(origin):
            return 403, f"Origin {_shown(origin)} may not use this page; start citeqa serve with --allow-host NAME to allow it."
        return None


class HostCheck:
    """ASGI middleware: refuse HTTP and WebSocket requests that `policy` does not accept."""

    def __init__(self, app: ASGIApp, policy: HostPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = Headers(scope=scope)
            refused = self.policy.refusal(headers.get("host"), headers.get("origin"))
            if refused is not None:
                status, reason = refused
                if scope["type"] == "websocket":
                    await WebSocketClose(code=1008, reason=reason)(scope, receive, send)
                else:
                    await PlainTextResponse(reason, status_code=status)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _split(value: str) -> tuple[str | None, int | None]:
    """(lower-case name, port) of a Host header. Example: "[::1]:80" -> ("::1", 80); "a b" -> (None, None)."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ("" if not rest else "x")
    else:
        name, _, port_text = value.partition(":")
    if not name or any(ch in name for ch in " /\\@?#[]") or (port_text and not port_text.isdigit()):
        return None, None
    return name, int(port_text) if port_text else 80


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _shown(value: str | None) -> str:
    """A header value safe to echo in one line. Example: None -> "(none)"."""
    if value is None:
        return "(none)"
    return repr("".join(ch if ch.isprintable() else "?" for ch in value[:100]))
