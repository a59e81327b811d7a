"""Starting the page: Gradio's server with the page's CSS, limits, host check and login throttle."""

from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from citeqa.app.web.hosts import HostCheck, HostPolicy
from citeqa.app.web.logins import LoginThrottle
from citeqa.app.web.uploads import MAX_UPLOAD_BYTES

CSS = Path(__file__).with_name("page.css")


def launch(
    demo: gr.Blocks,
    host: str,
    port: int,
    credentials: list[tuple[str, str]] | None = None,
    allowed_hosts: tuple[str, ...] = (),
    **kwargs,
) -> None:
    """Start the server (blocking unless prevent_thread_lock=True is passed).

    Requests for another host name than `host` (or loopback), on `port`, are refused unless
    that name is in `allowed_hosts`; logins are throttled per client.
    """
    policy = HostPolicy(host, port, allowed_hosts)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=credentials or None,
        css_paths=[CSS],
        max_file_size=MAX_UPLOAD_BYTES,
        show_error=False,  # the page's own errors are gr.Error lines; anything else must not leak internals
        ssr_mode=False,  # no Node server: nothing to gain for this page
        quiet=True,
        footer_links=["api"],
        app_kwargs={"middleware": [Middleware(HostCheck, policy=policy), Middleware(LoginThrottle)]},
        **kwargs,
    )
