"""E-mail sources: .eml, mbox and Outlook .msg, sniffed by content (acceptance 1)."""

from __future__ import annotations

import io
from email.headerregistry import HeaderRegistry
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huntpack.model import Event, InputProblem
from huntpack.sources.content import Content
from huntpack.sources.email_message import MAX_HEADER_CHARS
from huntpack.sources.email_reader import is_email, is_mbox, is_outlook_msg, read_eml, read_mbox
from huntpack.sources.formats import sniff_format

from .messages import event_of, lure_message, message_bytes, read_path, zip_bytes

MAIL_PARSER = "email/mail-parser"


def test_every_corpus_message_is_an_event_or_a_located_problem(shared_data: Path) -> None:
    folder = shared_data / MAIL_PARSER
    messages = sorted(path for path in folder.iterdir() if path.name.startswith("mail_"))
    assert len(messages) >= 23
    for path in messages:
        events, problems = read_path(path)
        assert len(events) + len(problems) >= 1, path
        for problem in problems:
            assert str(path) in problem.location
        for event in events:
            assert event.logsource.kind == "email"
            assert event.origin.path == str(path)


def test_corpus_outlook_message(shared_data: Path) -> None:
    events, problems = read_path(shared_data / MAIL_PARSER / "mail_outlook_1")
    assert problems == []
    (event,) = events
    assert event.fields["email.format"] == "outlook-msg"
    assert event.fields["email.from.address"] == ["NueblingV@w-vwa.de"]
    assert "newsletter.png" in event.fields["email.attachments.file.name"]
    assert event.fields["email.body.text"]


def test_corpus_malspam_lists_the_archive(shared_data: Path) -> None:
    (event,), _ = read_path(shared_data / MAIL_PARSER / "mail_test_15")
    assert "REQUEST FOR QUOTE.zip!REQUEST FOR QUOTE.exe (600296 bytes)" in event.fields[
        "email.attachments.archive_members"]


def test_eml_fields(tmp_path: Path) -> None:
    raw = lure_message("notice.zip", {"a.exe": b"MZ" * 10, "b.txt": b"hi"}, "=?utf-8?q?tax?=")
    path = tmp_path / "lure.eml"
    path.write_bytes(raw)
    (event,), problems = read_path(path)
    fields = event.fields
    assert problems == [] and event.timestamp == 1741226290.0
    assert fields["email.from.address"] == ["notice@tax-office.example.net"]
    assert fields["email.from.display_name"] == ["Tax Office"]
    assert "https://bit.ly/3abcDEF" in fields["email.body.text"]
    assert "<a href" in fields["email.body.html"]
    assert fields["email.attachments.file.name"] == ["notice.zip"]
    assert fields["email.attachments.archive_members"] == [
        "notice.zip!a.exe (20 bytes)", "notice.zip!b.txt (2 bytes)"]
    assert len(fields["email.attachments.file.hash.sha256"][0]) == 64
    assert fields["email.raw"].encode("latin-1") == raw


def test_encoded_subject_is_decoded() -> None:
    raw = message_bytes("From: a@example.org\nTo: b@example.org\n"
                        "Subject: =?utf-8?b?56iF5YuZ56i95p+l?=\nDate: nonsense")
    event = event_of(raw)
    assert event.fields["email.subject"] == "稅務稽查"
    assert event.timestamp is None


def test_mbox_messages_are_numbered(tmp_path: Path) -> None:
    first = message_bytes("From: a@example.org\nTo: b@example.org\nSubject: one",
                          "line\r\n>From the start\r\n")
    second = message_bytes("From: c@example.org\nTo: b@example.org\nSubject: two")
    path = tmp_path / "inbox"
    path.write_bytes(b"From a@example.org Thu Mar  6 01:58:10 2025\n" + first + b"\n"
                     + b"From c@example.org Thu Mar  6 02:00:00 2025\n" + second)
    events, problems = read_path(path)
    assert problems == []
    assert [e.fields["email.subject"] for e in events] == ["one", "two"]
    assert [e.origin.record for e in events] == [1, 2]
    assert "From the start" in events[0].fields["email.body.text"]


def test_malformed_messages_never_raise(tmp_path: Path) -> None:
    nasty = [
        b"From: \xff\xfe<<@@>>\nTo: ,,,\nSubject: =?bad?q?x?=\nContent-Type: multipart/mixed; "
        b"boundary=\"zz\"\n\n--zz\nContent-Type: text/plain; charset=no-such-charset\n"
        b"Content-Transfer-Encoding: base64\n\n!!!notbase64\n",
        b"Received: x\nFrom: a@b\n\n" + b"--" * 10000,
        message_bytes("From: a@example.org\nTo: b@example.org\nContent-Type: application/zip;"
                      " name=x.zip\nContent-Disposition: attachment; filename=x.zip\n"
                      "Content-Transfer-Encoding: base64", "UEsDBBQAAAAIAA==\r\n"),
    ]
    for index, raw in enumerate(nasty):
        path = tmp_path / f"bad{index}.eml"
        path.write_bytes(raw)
        events, problems = read_path(path)
        assert len(events) + len(problems) == 1
    bad_zip = read_path(tmp_path / "bad2.eml")[0][0]
    assert "unreadable zip" in bad_zip.fields["email.attachments.problems"][0]


def test_sniffing() -> None:
    assert is_email(b"Return-Path: <a@b>\nReceived: from x\n")
    assert is_email(b"Subject: hi\nFrom: a@b\n\nbody")
    assert not is_email(b"format: 1\nanalyzers:\n  url: {}\n")
    assert not is_email(b"From: a@b\n\nSubject: in the body\n")
    assert is_mbox(b"From a@b Thu Mar  6 01:58:10 2025\nFrom: a@b\nTo: c@d\n")
    assert not is_mbox(b"From here on, plain text.\nNothing else.\n")
    assert is_outlook_msg(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "__substg1.0_0037001F"
                          .encode("utf-16-le"))
    assert not is_outlook_msg(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert sniff_format(b"Subject: hi\nFrom: a@b\n") == "email"
    assert sniff_format(b'{"Subject": "hi"}') == "json"


def test_zip_listing_is_bounded() -> None:
    from huntpack.sources.email_attachments import MAX_ARCHIVE_MEMBERS, list_zip

    many = zip_bytes({f"f{i}.txt": b"" for i in range(MAX_ARCHIVE_MEMBERS + 5)})
    members, problem = list_zip(many)
    assert len(members) == MAX_ARCHIVE_MEMBERS and problem and "only the first" in problem


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([b"", b"From: a@b\nTo: c@d\n",
                                                  b"Content-Type: multipart/mixed; boundary=b\n"]))
def test_any_bytes_give_an_event_or_a_problem(tail: bytes, head: bytes) -> None:
    content = Content("fuzz.eml", open=lambda: io.BytesIO(head + tail))
    for reader in (read_eml, read_mbox):
        for entry in reader(content):
            assert isinstance(entry, Event | InputProblem)


def test_date_past_year_9999_is_no_time() -> None:
    """``Fri, 31 Dec 9999 23:59:59 -2359`` is past what any report can write (exit 3 once)."""
    raw = message_bytes("From: a@example.com\r\nTo: b@example.com\r\n"
                        "Date: Fri, 31 Dec 9999 23:59:59 -2359\r\nSubject: x\r\n")
    assert event_of(raw).timestamp is None


def test_hostile_headers_are_parsed_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stdlib's header parser is quadratic (20,000 encoded words in a From took 6.8 GB) and
    the MIME parser fetches each Content-Type several times (600 parts with 4 kB Content-Types
    took 40 s): a header past MAX_HEADER_CHARS stays raw text, and none is parsed twice."""
    lengths: list[int] = []
    real = HeaderRegistry.__call__

    def counting(self: HeaderRegistry, name: str, value: str) -> Any:
        lengths.append(len(value))
        return real(self, name, value)

    monkeypatch.setattr(HeaderRegistry, "__call__", counting)
    bomb = "=?utf-8?b?QUFB?= " * 2_000
    parts = "".join(f'--B\r\nContent-Type: text/plain; name="p{n}"\r\n\r\nx\r\n' for n in range(300))
    raw = message_bytes(f"From: {bomb}<a@example.com>\nTo: b@example.com\nSubject: hi\n"
                        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B",
                        parts + "--B--\r\n")
    event = event_of(raw)
    assert event.fields["email.from.address"] == ["a@example.com"]
    assert event.fields["email.subject"] == "hi"
    assert max(lengths) <= MAX_HEADER_CHARS
    assert len(lengths) < 320, "each Content-Type parsed once"


def test_address_header_nested_too_deep_loses_only_its_addresses() -> None:
    """``To: ((((...a@b.c))))`` made the address parser recurse too deep and the whole message
    was unreadable; now only that header's addresses are missing."""
    raw = message_bytes("From: a@example.com\nSubject: deep\nTo: " + "(" * 5_000 + "b@example.com"
                        + ")" * 5_000)
    event = event_of(raw)
    assert event.fields["email.subject"] == "deep"
    assert event.fields["email.from.address"] == ["a@example.com"]
    assert "email.to.address" not in event.fields
