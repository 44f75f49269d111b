"""Helpers that write small test messages (the tests' own fixtures, made in code)."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from huntpack.model import Event, InputProblem, SourceRef
from huntpack.sources import discover, read_events
from huntpack.sources.email_message import parse_message


def message_bytes(headers: str, body: str = "Hello,\r\nsee you.\r\n") -> bytes:
    """A message from header lines (LF or CRLF) and a plain-text body, with CRLF endings."""
    lines = [line for line in headers.replace("\r\n", "\n").split("\n") if line]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


def event_of(raw: bytes, name: str = "case.eml") -> Event:
    return parse_message(raw, SourceRef(name))


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def lure_message(attachment: str, members: dict[str, bytes], subject: str) -> bytes:
    """A multipart message with a text and an HTML body and one zip attachment."""
    message = EmailMessage(policy=SMTP)
    message["From"] = "Tax Office <notice@tax-office.example.net>"
    message["To"] = "li.wei@corp.example"
    message["Subject"] = subject
    message["Date"] = "Thu, 06 Mar 2025 09:58:10 +0800"
    message.set_content("Please see the attached notice: https://bit.ly/3abcDEF\n")
    message.add_alternative('<p><a href="https://bit.ly/3abcDEF">the notice</a></p>',
                            subtype="html")
    message.add_attachment(zip_bytes(members), maintype="application", subtype="zip",
                           filename=attachment)
    return bytes(message)


def read_path(path: Path) -> tuple[list[Event], list[InputProblem]]:
    """Discover and read one file: its events, and every problem (discovery's included)."""
    items, problems = discover([path])
    events: list[Event] = []
    for item in items:
        for entry in read_events(item):
            if isinstance(entry, Event):
                events.append(entry)
            else:
                problems.append(entry)
    return events, problems
