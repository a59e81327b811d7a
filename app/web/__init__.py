"""The Gradio chat page, the only part of citeqa that imports gradio.

layout (components and wiring) · handlers (what each event does) · messages (the
chat-message wire format) · chat_request (the `/chat` inputs, checked) · render (HTML,
every untrusted string escaped) · uploads · hosts (Host/Origin check) · logins
(credentials, throttled attempts) · server (starting it) · page.css.
"""
