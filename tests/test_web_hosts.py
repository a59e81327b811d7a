"""app/web/hosts.py: requests for another host name than the bound one are refused (DNS rebinding).

The policy's rules on their own, then a real `citeqa serve` (the session's, no login)
asked over raw HTTP with forged `Host` and `Origin` headers.
"""

import http.client
import json

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from citeqa.app.web.hosts import HostCheck, HostPolicy


@pytest.mark.parametrize(
    "policy, host, ok",
    [
        (HostPolicy("127.0.0.1", 7860), "127.0.0.1:7860", True),
        (HostPolicy("127.0.0.1", 7860), "LOCALHOST:7860", True),
        (HostPolicy("127.0.0.1", 7860), "[::1]:7860", True),
        (HostPolicy("127.0.0.1", 7860), "evil.example:7860", False),
        (HostPolicy("127.0.0.1", 7860), "127.0.0.1:7861", False),  # another port: another service's origin
        (HostPolicy("127.0.0.1", 7860), "127.0.0.1", False),  # port 80 implied
        (HostPolicy("127.0.0.1", 7860), None, False),
        (HostPolicy("127.0.0.1", 7860), "a b:7860", False),
        (HostPolicy("127.0.0.1", 7860), "localhost:x", False),
        (HostPolicy("10.0.0.5", 7860), "10.0.0.5:7860", True),
        (HostPolicy("0.0.0.0", 7860), "192.168.1.5:7860", True),  # every interface: any IP literal
        (HostPolicy("0.0.0.0", 7860), "box.lan:7860", False),  # but a name only when allowed
        (HostPolicy("0.0.0.0", 7860, ("Box.lan",)), "box.lan", True),  # a bare name: any port (a proxy)
        (HostPolicy("0.0.0.0", 7860, ("box.lan:443",)), "box.lan:443", True),
        (HostPolicy("0.0.0.0", 7860, ("box.lan:443",)), "box.lan:7860", False),
    ],
)
def test_host_policy(policy, host, ok):
    assert policy.host_ok(host) is ok


@pytest.mark.parametrize(
    "origin, ok",
    [
        (None, True),  # not a browser's cross-origin request
        ("http://127.0.0.1:7860", True),
        ("http://localhost:7860", True),
        ("http://[::1]:7860", True),
        ("http://evil.example:7860", False),
        ("null", False),  # sandboxed frames, file:// pages
        ("https://localhost", False),
    ],
)
def test_origin_policy(origin, ok):
    assert HostPolicy("127.0.0.1", 7860).origin_ok(origin) is ok


def test_websockets_to_another_host_are_closed():
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    policy = HostPolicy("127.0.0.1", 7860)
    app = Starlette(routes=[WebSocketRoute("/ws", echo)], middleware=[Middleware(HostCheck, policy=policy)])
    client = TestClient(app)
    with client.websocket_connect("/ws", headers={"Host": "127.0.0.1:7860"}) as websocket:
        assert websocket.receive_text() == "hello"
    with pytest.raises(WebSocketDisconnect) as closed:
        with client.websocket_connect("/ws", headers={"Host": "evil.example:7860"}):
            pass
    assert closed.value.code == 1008


def fetch(port: int, path: str, headers: dict, body: dict | None = None) -> tuple[int, str]:
    """(status, body) of one raw request to 127.0.0.1:`port` with exactly these headers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    sent = {**headers, **({"Content-Type": "application/json"} if data else {})}
    connection.request("POST" if data else "GET", path, body=data, headers=sent)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


CHAT = {"data": ["How much grant money did Xi promise?", [], 8, "extractive", False]}


def test_a_rebound_host_name_gets_neither_answers_nor_the_article_list(ui_server):
    port = ui_server.port
    evil = {"Host": f"evil.example:{port}"}
    for path, body in (("/config", None), ("/gradio_api/call/chat", CHAT), ("/gradio_api/info", None), ("/", None)):
        status, text = fetch(port, path, evil, body)
        assert status == 400, (path, status)
        assert "Host 'evil.example:" in text and "China" not in text and "event_id" not in text
    status, text = fetch(port, "/config", {"Host": f"127.0.0.1:{port}", "Origin": f"http://evil.example:{port}"})
    assert status == 403 and "China" not in text
    status, _ = fetch(port, "/gradio_api/call/chat", {"Host": f"127.0.0.1:{port}", "Origin": "null"}, CHAT)
    assert status == 403


def test_the_bound_address_and_loopback_names_are_served(ui_server):
    port = ui_server.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        status, text = fetch(port, "/config", {"Host": host, "Origin": f"http://{host}"})
        assert status == 200 and "China" in text  # the article list is in the page's config
    status, text = fetch(port, "/gradio_api/call/chat", {"Host": f"localhost:{port}"}, CHAT)
    assert status == 200 and "event_id" in json.loads(text)
