"""app/web/logins.py and `serve --auth-file` / CITEQA_AUTH: credentials from a file or the environment,
and failed logins throttled per client. Real `citeqa serve` processes, raw HTTP logins."""

import http.client
import time
import urllib.parse

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from citeqa.app.web.logins import CredentialsError, LoginThrottle, parse_credentials
from tests.conftest import serving

USER, PASSWORD = "alice", "s3:cret word"


def test_credentials_are_user_password_lines():
    assert parse_credentials(f"{USER}:{PASSWORD}\n\n bob:x\r\n", "f") == [(USER, PASSWORD), ("bob", "x")]
    for text, says in (("alice\n", "f, line 1: must be user:password"), (":pw", "line 1"), ("a:", "line 1"), ("\n", "no user")):
        with pytest.raises(CredentialsError, match=says) as err:
            parse_credentials(text, "f")
        assert "pw" not in str(err.value)  # a password is never echoed


def throttled_app(**settings) -> TestClient:
    async def login(request):
        form = await request.form()
        ok = form.get("password") == PASSWORD
        return JSONResponse({"success": ok}, status_code=200 if ok else 400)

    app = Starlette(routes=[Route("/login", login, methods=["POST"])])
    app.add_middleware(LoginThrottle, **settings)
    return TestClient(app)


class _Clock:
    """A monotonic clock the test moves by hand, so lockout timings never race a loaded machine."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_lockout_doubles_with_each_failure_and_a_success_clears_it():
    clock = _Clock()
    client = throttled_app(free_failures=2, first_delay=0.2, max_delay=0.8, clock=clock)
    wrong, right = {"username": USER, "password": "x"}, {"username": USER, "password": PASSWORD}
    assert [client.post("/login", data=wrong).status_code for _ in range(3)] == [400, 400, 429]
    for delay in (0.2, 0.4, 0.8, 0.8):  # doubling, capped
        refused = client.post("/login", data=right)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        clock.now += delay * 0.6
        assert client.post("/login", data=right).status_code == 429  # still locked
        clock.now += delay * 0.5
        assert client.post("/login", data=wrong).status_code == 400  # the lock has passed; this one fails
    clock.now += 0.85
    assert client.post("/login", data=right).status_code == 200
    assert client.post("/login", data=wrong).status_code == 400  # the record was cleared: free failures again


def login(port: int, password: str, host: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urllib.parse.urlencode({"username": USER, "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **({"Host": host} if host else {})}
    connection.request("POST", "/login", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response


def get(port: int, path: str, headers: dict) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def test_an_auth_file_logs_in_and_thirty_wrong_passwords_are_not_all_tried(ui_store, tmp_path):
    secrets = tmp_path / "auth.txt"
    secrets.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    secrets.chmod(0o600)
    log = tmp_path / "serve.log"
    with serving(ui_store, log, "--auth-file", str(secrets), "--allow-host", "citeqa.example") as server:
        assert get(server.port, "/config", {}) == 401  # a login is required
        started = time.perf_counter()
        statuses = [login(server.port, f"guess-{n}").status for n in range(30)]
        seconds = time.perf_counter() - started
        assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}, statuses
        locked = login(server.port, PASSWORD)  # even the right password waits out the lock
        assert locked.status == 429
        time.sleep(int(locked.getheader("Retry-After")) + 0.2)
        ok = login(server.port, PASSWORD, host="citeqa.example")  # an allowed name, on any port
        assert ok.status == 200
        cookie = ok.getheader("Set-Cookie").split(";")[0]
        assert get(server.port, "/config", {"Cookie": cookie}) == 200
    print(f"30 wrong logins: {statuses.count(400)} checked, {statuses.count(429)} refused, in {seconds:.2f} s")
    assert "readable by other users" not in log.read_text()


def test_credentials_from_the_environment_log_in(ui_store, tmp_path):
    env = {"CITEQA_AUTH": f"{USER}:{PASSWORD}", "CITEQA_ALLOWED_HOSTS": "one.example, two.example"}
    log = tmp_path / "serve.log"
    with serving(ui_store, log, env=env) as server:
        assert login(server.port, "wrong").status == 400
        ok = login(server.port, PASSWORD, host="two.example")
        assert ok.status == 200
        cookie = ok.getheader("Set-Cookie").split(";")[0]
        assert get(server.port, "/config", {"Cookie": cookie, "Host": f"one.example:{server.port}"}) == 200
        assert get(server.port, "/config", {"Cookie": cookie, "Host": f"evil.example:{server.port}"}) == 400
    assert "visible to other users" not in log.read_text()  # nothing on the command line
