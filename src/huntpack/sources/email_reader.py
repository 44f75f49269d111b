"""E-mail evidence: single messages (.eml), mbox folders and Outlook .msg files.

Sniffed by content: a message starts with a header line and shows at least two well-known mail
headers (Received, From, Return-Path, MIME-Version ...) in its first bytes; an mbox starts with
a ``From `` separator line; an Outlook message is an OLE2 compound file (``D0 CF 11 E0``) whose
directory names MAPI property streams (``__substg1.0_``). Each message is one event located by
file (and ``record`` = message number in an mbox, ``line`` = where it starts).

Outlook files are read with ``extract-msg`` (which parses the MAPI properties and attachments;
measured at ~13 ms for the 165 kB corpus message). Its transport headers, when present, are
parsed as a message so that a .msg and an .eml of the same mail give the same header fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import getaddresses
from functools import partial
from typing import Any

from huntpack.model import Event, InputProblem
from huntpack.sources.content import Content
from huntpack.sources.email_attachments import attachment_fields, describe_attachment
from huntpack.sources.email_message import MAX_MESSAGE_BYTES, parse_message

_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?", re.MULTILINE)
_MAIL_HEADERS = re.compile(
    rb"^(received|from|to|subject|date|return-path|mime-version|message-id|delivered-to|"
    rb"reply-to|content-type|x-mailer|dkim-signature|authentication-results):",
    re.IGNORECASE | re.MULTILINE,
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MSG_STREAMS = ("__substg1.0_".encode("utf-16-le"), "__properties_version1.0".encode("utf-16-le"))
_MBOX_FROM = re.compile(rb"^From \S*")
_LINE_BYTES = 1 << 20  # longest piece of one line read at a time


def is_email(head: bytes) -> bool:
    """A single RFC 822 message: a header line first, and two known mail headers."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    if not _HEADER_LINE.match(text):
        return False
    header_block = re.split(rb"\r?\n\r?\n", text, maxsplit=1)[0]
    return len({found.lower() for found in _MAIL_HEADERS.findall(header_block)}) >= 2


def is_mbox(head: bytes) -> bool:
    """An mbox: a ``From `` separator line, then a message."""
    first, _, rest = head.partition(b"\n")
    return bool(_MBOX_FROM.match(first)) and is_email(rest)


def is_outlook_msg(head: bytes) -> bool:
    """An OLE2 compound file whose directory names Outlook MAPI property streams."""
    return head.startswith(_OLE_MAGIC) and any(name in head for name in _MSG_STREAMS)


def read_eml(content: Content) -> Iterator[Event | InputProblem]:
    """The one message of an .eml file."""
    with content.open() as stream:
        raw = stream.read(MAX_MESSAGE_BYTES + 1)
    yield _message(raw, content, None, 1)


def read_mbox(content: Content) -> Iterator[Event | InputProblem]:
    """Every message of an mbox file, numbered from 1 (``record``) with its first line."""
    number = 0
    with content.open() as stream:
        for start, raw in _mbox_messages(iter(partial(stream.readline, _LINE_BYTES), b"")):
            number += 1
            yield _message(raw, content, number, start)


def _mbox_messages(stream: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    lines: list[bytes] = []
    size, start, previous_blank = 0, 1, True
    for number, line in enumerate(stream, 1):
        if previous_blank and line.startswith(b"From "):
            if number > 1:
                yield start, b"".join(lines)
            lines, size, start = [], 0, number + 1
        elif size <= MAX_MESSAGE_BYTES:  # keep one byte more than the cap: reported later
            lines.append(line[1:] if line.startswith(b">From ") else line)
            size += len(line)
        previous_blank = not line.strip()
    yield start, b"".join(lines)


def _message(
    raw: bytes, content: Content, record: int | None, line: int
) -> Event | InputProblem:
    where = content.ref(record=record, line=line)
    if len(raw) > MAX_MESSAGE_BYTES:
        return InputProblem(str(where), f"message larger than {MAX_MESSAGE_BYTES} bytes",
                            "input-too-large")
    if not raw.strip():
        return InputProblem(str(where), "empty message", "input-malformed")
    try:
        return parse_message(raw, where)
    except Exception as exc:  # the stdlib parser on hostile input: report, never crash
        return InputProblem(str(where), f"unparseable message: {type(exc).__name__}: {exc}",
                            "input-malformed")


def read_msg(content: Content) -> Iterator[Event | InputProblem]:
    """The message of an Outlook .msg file (needs a real file: the registry spools it)."""
    try:
        import extract_msg
    except ImportError as exc:  # optional dependency missing: say so where it matters
        yield InputProblem(content.location, f"Outlook .msg needs extract-msg: {exc}",
                           "input-unreadable")
        return
    try:
        message = extract_msg.openMsg(content.fs_path or content.open(), strict=False)
    except Exception as exc:
        yield InputProblem(content.location, f"unreadable Outlook message: {exc}",
                           "input-malformed")
        return
    try:
        yield _msg_event(message, content)
    except Exception as exc:
        yield InputProblem(content.location, f"unreadable Outlook message: {exc}",
                           "input-malformed")
    finally:
        message.close()


def _msg_event(message: Any, content: Content) -> Event:
    header = str(message.header or "") if getattr(message, "header", None) else ""
    raw = header.encode("utf-8", errors="replace") + b"\n"
    event = parse_message(raw, content.ref(record=1))
    fields = event.fields
    fields.pop("email.raw", None)  # transport headers only: nothing DKIM could verify
    if not fields.get("email.from.address") and getattr(message, "sender", None):
        pairs = getaddresses([str(message.sender)])
        fields["email.from.address"] = [address for _, address in pairs if address]
        fields["email.from.display_name"] = [name for name, _ in pairs if name]
    _set_if_missing(fields, "email.subject", message.subject)
    _set_if_missing(fields, "email.body.text", _text(message.body))
    _set_if_missing(fields, "email.body.html", _text(message.htmlBody))
    attachments = [_msg_attachment(item) for item in list(message.attachments)[:500]]
    fields.update(attachment_fields(item for item in attachments if item is not None))
    fields["email.format"] = "outlook-msg"
    return event


def _set_if_missing(fields: dict[str, Any], name: str, value: Any) -> None:
    if value and not fields.get(name):
        fields[name] = str(value)


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return None if value is None else str(value)


def _msg_attachment(item: Any) -> Any:
    data = getattr(item, "data", None)
    if not isinstance(data, bytes):
        return None  # embedded message or OLE object: not listed one level deep
    name = getattr(item, "longFilename", None) or getattr(item, "shortFilename", None) or ""
    mime = getattr(item, "mimetype", None) or "application/octet-stream"
    return describe_attachment(str(name), str(mime), data)
