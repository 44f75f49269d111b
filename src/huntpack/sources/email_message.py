"""One RFC 822 / MIME message (bytes) -> one ``Event`` of kind "email".

Fields follow ECS ``email.*`` where ECS has a name (``email.from.address``, ``email.subject``,
``email.attachments.file.name`` ...); ``email.headers`` keeps every header as ``Name: value``
(decoded), ``email.raw`` the exact message bytes (latin-1 text, so that DKIM can verify them
byte for byte). Malformed headers never raise: a header the parser cannot decode is kept as the
raw text, and the parser's own complaints go to ``email.defects``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from huntpack.model import Event, LogSource, SourceRef
from huntpack.sources.email_attachments import Attachment, attachment_fields, describe_attachment
from huntpack.sources.timestamp import valid_time

#: Largest message parsed (bytes); bigger ones are a located problem.
MAX_MESSAGE_BYTES = 64 * 1024**2

#: Most MIME parts walked per message.
MAX_PARTS = 500

#: Longest body text kept in the fields (characters, each of text and html).
MAX_BODY_CHARS = 1024**2

#: Longest header value given to the stdlib's structured header parser; a longer one is kept as
#: its raw text. That parser's time and memory grow with the square of a header's length
#: (20,000 encoded words in one From took 6.8 GB; 300,000 addresses in a To did not finish), and
#: so does ``decode_header``'s.
MAX_HEADER_CHARS = 4096

#: Most header text parsed per message (characters): the parser is slow (~2 us a character)
#: and MIME parts are not counted while it runs, so 600 parts with 4 kB Content-Types took 40 s.
MAX_PARSED_CHARS = 1024**2

_ANGLE_MAILBOX = re.compile(r"^\s*(?P<display>[^<>]*?)\s*<(?P<address>[^<>@\s]+@[^<>\s]+)>\s*$")

EMAIL_SOURCE = LogSource(kind="email", category="email")

_ADDRESS_HEADERS = {"from": "from", "to": "to", "cc": "cc", "reply-to": "reply_to",
                    "sender": "sender", "return-path": "return_path"}


class _HeaderCache:
    """The headers one message has had parsed, and how many characters that took."""

    def __init__(self) -> None:
        self.parsed: dict[tuple[str, str], Any] = {}
        self.chars = 0


class _BoundedPolicy(EmailPolicy):
    """``email.policy.default`` for hostile mail: a header longer than ``MAX_HEADER_CHARS``, and
    every header not parsed before once ``MAX_PARSED_CHARS`` of a message's header text were,
    comes back as its raw text (a ``str``, as under compat32); a header fetched again (the
    parser fetches each Content-Type several times) is not parsed again."""

    cache: _HeaderCache | None = None

    def header_fetch_parse(self, name: str, value: str) -> Any:
        cache = self.cache
        if cache is None:
            return super().header_fetch_parse(name, value)
        found = cache.parsed.get((name, value))
        if found is None:
            if len(value) > MAX_HEADER_CHARS or cache.chars > MAX_PARSED_CHARS:
                return value
            found = cache.parsed[(name, value)] = super().header_fetch_parse(name, value)
            cache.chars += len(value)
        return found


_POLICY = _BoundedPolicy()  # each message parses with a clone of its own (``cache=``)


def parse_message(raw: bytes, origin: SourceRef) -> Event:
    """The event for one message (never raises on malformed input)."""
    own: dict[str, Any] = {"cache": _HeaderCache()}  # not a keyword typeshed's clone knows
    message = BytesParser(policy=_POLICY.clone(**own)).parsebytes(raw)
    fields: dict[str, Any] = {"email.headers": list(_header_lines(message))}
    fields.update(_address_fields(message))
    fields["email.subject"] = header_text(message, "Subject")
    fields["email.message_id"] = header_text(message, "Message-ID")
    fields["email.x_mailer"] = header_text(message, "X-Mailer")
    fields["email.content_type"] = message.get_content_type()
    fields.update(_body_fields(message))
    fields["email.raw"] = raw.decode("latin-1")
    defects = [type(defect).__name__ for part in _parts(message) for defect in part.defects]
    if defects:
        fields["email.defects"] = sorted(set(defects))
    fields = {name: value for name, value in fields.items() if value not in (None, "", [])}
    return Event(fields, origin, EMAIL_SOURCE, _timestamp(message))


def header_text(message: Message, name: str) -> str | None:
    """The decoded value of the first ``name`` header, or its raw text if it cannot decode."""
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse: fall back to the raw text
        return _first_raw(message, name)
    return None if value is None else " ".join(str(value).split())


def _first_raw(message: Message, name: str) -> str | None:
    for key, value in _raw_items(message):
        if key.lower() == name.lower():
            return " ".join(value.split())
    return None


def _header_lines(message: Message) -> Iterator[str]:
    for key, value in _raw_items(message)[:1000]:
        try:
            text = str(message.policy.header_fetch_parse(key, value))
        except Exception:  # undecodable: keep the raw text
            text = value
        yield f"{key}: {' '.join(text.split())}"


def _address_fields(message: Message) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for header, name in _ADDRESS_HEADERS.items():
        pairs = addresses(message, header)
        if not pairs:
            continue
        fields[f"email.{name}.address"] = [address for _, address in pairs]
        display = [display for display, _ in pairs if display]
        if display:
            fields[f"email.{name}.display_name"] = display
    return fields


def addresses(message: Message, header: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header, decoded; [] when absent.

    ``alice@example.com <bob@example.com>`` is one mailbox from bob@example.com whose display
    name is an address (as mail clients show it), not two addresses.
    """
    pairs = _parsed_addresses(message, header)
    text = _decoded_raw(message, header)
    single = _ANGLE_MAILBOX.match(text) if text else None
    if single and (len(pairs) != 1 or pairs[0][1].lower() != single["address"].lower()):
        return [(single["display"].strip().strip('"').strip(), single["address"])]
    return pairs


def _decoded_raw(message: Message, name: str) -> str | None:
    raw = _first_raw(message, name)
    if raw is None or len(raw) > MAX_HEADER_CHARS:  # decode_header is quadratic in words
        return raw
    try:
        return str(make_header(decode_header(raw)))
    except Exception:  # a broken encoded word: the raw text is what the user sees
        return raw


def _parsed_addresses(message: Message, header: str) -> list[tuple[str, str]]:
    try:
        value = message.get(header)
        groups = getattr(value, "addresses", None)
    except Exception:
        value, groups = None, None
    if groups is not None:
        return [(item.display_name, _address_text(item)) for item in groups]
    raws = [text for key, text in _raw_items(message) if key.lower() == header]
    try:
        pairs = getaddresses(raws)
    except RecursionError:  # 50,000 nested comments or groups: no addresses, the rest is kept
        return []
    return [(name, address) for name, address in pairs if name or address]


def _raw_items(message: Message) -> list[tuple[str, str]]:
    return [(key, str(value)) for key, value in message.raw_items()]


def _address_text(item: Address) -> str:
    try:
        return str(item.addr_spec)
    except Exception:
        return f"{item.username}@{item.domain}"


def _parts(message: Message) -> Iterator[Message]:
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            return
        yield part


def _body_fields(message: Message) -> dict[str, Any]:
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    for part in _parts(message):
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if part.get_filename() or part.get_content_disposition() == "attachment":
            attachments.append(_attachment(part))
        elif kind == "text/plain":
            texts.append(_text(part))
        elif kind == "text/html":
            htmls.append(_text(part))
    fields: dict[str, Any] = {
        "email.body.text": "\n".join(texts)[:MAX_BODY_CHARS],
        "email.body.html": "\n".join(htmls)[:MAX_BODY_CHARS],
    }
    fields.update(attachment_fields(attachments))
    return fields


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    return data if isinstance(data, bytes) else b""


def _text(part: Message) -> str:
    charset = part.get_content_charset() or "utf-8"
    data = _payload(part)
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # unknown charset name
        return data.decode("utf-8", errors="replace")


def _attachment(part: Message) -> Attachment:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return describe_attachment(" ".join(name.split()), part.get_content_type(), _payload(part))


def _timestamp(message: Message) -> float | None:
    date = header_text(message, "Date")
    if not date:
        return None
    try:
        moment = parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return valid_time(moment.timestamp())
