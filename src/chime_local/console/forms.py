"""Reading what the console's HTML forms submit: URL-encoded fields, or multipart with a file."""

from __future__ import annotations

from email import message_from_bytes
from email.message import Message
from urllib.parse import parse_qsl

from chime_local.protocol.http import HttpRequest


class Form:
    def __init__(self, fields: dict[str, str], files: dict[str, bytes]) -> None:
        self.fields = fields
        self.files = files

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default).strip()


def read_form(request: HttpRequest) -> Form:
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        return _multipart(content_type, request.body)
    text = request.body.decode("utf-8", errors="replace")
    return Form(dict(parse_qsl(text, keep_blank_values=True)), {})


def _multipart(content_type: str, body: bytes) -> Form:
    """The fields and files of a multipart body, parsed by the standard library's email parser."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = message_from_bytes(head + body)
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    parts: list[Message] = message.get_payload() if message.is_multipart() else []  # type: ignore[assignment]
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_param("filename", header="content-disposition") is not None:
            files[name] = data
        else:
            fields[name] = data.decode("utf-8", errors="replace")
    return Form(fields, files)
