"""The format registry: which bytes are which evidence format, and who reads them.

A format is a name, a sniff function over the first bytes of the content, and a reader named
as ``"module:function"`` so that it is imported only when a file of that format is read (and so
that archive readers can dispatch back into the registry without an import cycle). A new reader
(e-mail, pcap, Zeek, PE ...) is one more entry in ``FORMATS``; discovery does not change.

Sniffing is by content only. Binary magics come first; JSON is last and requires a plausible
start (``{"`` / ``{}`` / ``[{`` / ``[]``), so an INI file's ``[section]`` is not taken for JSON.
CSV comes just before it and needs a header row of field names and rows that fit it
(``csv_shape``), so prose, e-mail and Zeek TSV logs are not taken for CSV. Content no sniffer
takes is read as a plain file (``PLAIN_FILE``), never dropped.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from huntpack.errors import HuntpackError
from huntpack.model import Event, InputProblem
from huntpack.sources.content import Content, spooled
from huntpack.sources.executable import is_elf, is_macho, is_pe

#: How many leading bytes discovery reads to sniff a format.
SNIFF_BYTES = 4096

_BOM = b"\xef\xbb\xbf"
_JSON_SPACE = b" \t\r\n"


Reader = Callable[[Content], Iterator[Event | InputProblem]]


@dataclass(frozen=True, slots=True)
class Format:
    """An evidence format: how to recognise it, and where its reader lives.

    ``seekable`` readers get a real file (archive members are spooled to a temporary file).
    """

    name: str
    sniff: Callable[[bytes], bool]
    reader: str  # "module:function"
    seekable: bool = False

    def load_reader(self) -> Reader:
        module_name, _, function = self.reader.partition(":")
        reader: Reader = getattr(importlib.import_module(module_name), function)
        return reader


def is_evtx(head: bytes) -> bool:
    return head.startswith(b"ElfFile\x00")


def is_gzip(head: bytes) -> bool:
    return head.startswith(b"\x1f\x8b")


def is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def is_json(head: bytes) -> bool:
    text = head.removeprefix(_BOM).lstrip(_JSON_SPACE)
    if not text or text[:1] not in b"{[":
        return False
    rest = text[1:].lstrip(_JSON_SPACE)
    if not rest:  # only the opening bracket within the sniffed bytes
        return True
    follows = b'"}' if text[:1] == b"{" else b"{]"
    return rest[:1] in follows


_CAPTURE_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
                   b"\x0a\x0d\x0d\x0a")


def is_pcap(head: bytes) -> bool:
    """Classic pcap (either byte order, micro- or nanosecond times) or pcapng."""
    return head[:4] in _CAPTURE_MAGICS


def is_zeek_tsv(head: bytes) -> bool:
    """Zeek's ASCII writer starts every log with ``#separator``."""
    return head.removeprefix(_BOM).startswith(b"#separator")


#: Sniffed in this order; the first match wins.
FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("evtx", is_evtx, "huntpack.sources.evtx_log:read_evtx", seekable=True),
        Format("gzip", is_gzip, "huntpack.sources.archive:read_gzip"),
        Format("zip", is_zip, "huntpack.sources.archive:read_zip", seekable=True),
        Format("pcap", is_pcap, "huntpack.sources.packet_capture:read_pcap"),
        Format("zeek", is_zeek_tsv, "huntpack.sources.zeek_log:read_zeek_tsv"),
        Format("pe", is_pe, "huntpack.sources.executable:read_file"),
        Format("elf", is_elf, "huntpack.sources.executable:read_file"),
        Format("macho", is_macho, "huntpack.sources.executable:read_file"),
        # e-mail (issue 5): the sniffers live beside their reader, imported on first use
        Format("msg", lambda head: importlib.import_module("huntpack.sources.email_reader").is_outlook_msg(head) is True,
               "huntpack.sources.email_reader:read_msg", seekable=True),
        Format("mbox", lambda head: importlib.import_module("huntpack.sources.email_reader").is_mbox(head) is True,
               "huntpack.sources.email_reader:read_mbox"),
        Format("email", lambda head: importlib.import_module("huntpack.sources.email_reader").is_email(head) is True,
               "huntpack.sources.email_reader:read_eml"),
        # CSV with a header row (issue 5: browser history, proxy and DNS exports)
        Format("csv", lambda head: importlib.import_module("huntpack.sources.csv_shape").is_csv(head) is True,
               "huntpack.sources.csv_log:read_csv"),
        Format("json", is_json, "huntpack.sources.json_log:read_json"),
    )
}

#: What content no sniffer takes is read as: a plain file (hashes, YARA, indicators), which its
#: reader reports as ``input-unrecognised`` since no log was read from it.
PLAIN_FILE = Format("file", lambda head: bool(head), "huntpack.sources.executable:read_file")

#: Every format a reader exists for: the sniffed ones and the plain-file last resort.
READERS: dict[str, Format] = {**FORMATS, PLAIN_FILE.name: PLAIN_FILE}


def sniff_format(head: bytes) -> str | None:
    """The name of the first registered format whose sniff accepts ``head``, else None."""
    for fmt in FORMATS.values():
        if fmt.sniff(head):
            return fmt.name
    return None


def format_or_plain_file(head: bytes) -> str:
    """The sniffed format of ``head``, or the plain-file reader for anything else."""
    return sniff_format(head) or PLAIN_FILE.name


def read_content(content: Content, name: str) -> Iterator[Event | InputProblem]:
    """Read ``content`` with the reader registered for format ``name``.

    Bad records are the reader's business (it yields them as problems). What is left here is a
    stream that breaks off (truncated archive, byte cap, I/O error): that becomes one problem at
    the content's location, after the events read until then.
    """
    fmt = READERS[name]
    try:
        if fmt.seekable and content.fs_path is None:
            with spooled(content) as on_disk:
                yield from fmt.load_reader()(on_disk)
        else:
            yield from fmt.load_reader()(content)
    except HuntpackError as exc:
        yield InputProblem(exc.location or content.location, exc.message, exc.reference)
    except (OSError, EOFError, zlib.error) as exc:
        yield InputProblem(content.location, f"cannot read {name} content: {exc}")
