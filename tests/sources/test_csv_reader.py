"""CSV evidence: sniffing by content, the header's names and declared kind, quoted fields,
bad rows located by line, archives."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from huntpack.sources import csv_log, discover
from huntpack.sources.csv_shape import CsvLayout, csv_layout, is_csv
from huntpack.sources.formats import FORMATS, SNIFF_BYTES, sniff_format

from .helpers import read_path

ZEEK_TSV = (b"#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
            b"#path\tdns\n#fields\tts\tuid\tquery\n#types\ttime\tstring\tstring\n"
            b"1700000000.0\tC1\ttelegraac.com\n")
EMAIL = (b"From: Alice <alice@example.org>\r\nTo: bob@example.org, carol@example.org\r\n"
         b"Subject: invoice, urgent\r\nDate: Thu, 2 May 2024 09:00:00 +0000\r\n\r\n"
         b"Hello, see https://telegraac.com/x, thanks\r\n")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"url,title,visit_count\nhttps://a.example/,A,1\n", "csv"),
        (b"\xef\xbb\xbfURL,Title\r\nhttps://a.example/,A\r\n", "csv"),  # BOM, CRLF
        (b"query\tanswer\nexample.org\t192.0.2.1\n", "csv"),  # tab
        (b"cs-host;c-uri\nexample.org;http://example.org/\n", "csv"),  # semicolon
        (b'sep=;\r\nurl;title\r\nhttps://a.example/;"A; B"\r\n', "csv"),  # Excel sep= line
        (b'"url","title"\n"https://a.example/","a, b\nc"\nhttps://b.example/,b\n', "csv"),
        (b"alpha,beta\n", None),  # a header alone, naming no known export
        (b"url,title,visit_time\n", "csv"),  # a header alone of a known export
        (ZEEK_TSV, "zeek"),
        (b'{"url": "https://a.example/", "title": "a, b"}\n', "json"),
        (b'[{"a": 1}, {"a": 2}]', "json"),
        (EMAIL, "email"),
        (b"Dear team, the report is attached.\nThanks, Bob\n", None),  # prose
        (b"from _contextvars import Context, ContextVar, Token\n\n"
         b"__all__ = ('Context', 'ContextVar', 'Token')\n", None),  # code
        (b"time=1, host=a\ntime=2, host=b\n", None),  # key=value log
        (b"1,2,3\n4,5,6\n", None),  # no header
        (b"https://a.example/x,1\nhttps://b.example/y,2\n", None),  # URLs, no header
        (b"#Software: Microsoft IIS\n#Fields: date time cs-uri\n2024-05-02 09:00:00 /x\n", None),
        (b"url\nhttps://a.example/\n", None),  # one column
        (b"name,value\na,1,2\nb,2,3\nc\n", None),  # rows do not fit the header
        (b"| a | b |\n|---|---|\n| 1 | 2 |\n", None),  # markdown table
        ("url,title\nhttps://a.example/,A\n".encode("utf-16"), None),  # UTF-16: not read
    ],
)
def test_sniff_tells_csv_from_zeek_json_mail_and_text(head: bytes, expected: str | None) -> None:
    assert sniff_format(head) == expected
    assert is_csv(head) is (expected == "csv")


def test_csv_is_sniffed_after_mail_and_before_json() -> None:
    names = list(FORMATS)
    assert names.index("email") < names.index("csv") == len(names) - 2
    layout = csv_layout(b"url;title\nhttps://a.example/?x=1,2;A, B\n")
    assert layout is not None and layout.delimiter == ";"
    assert csv_layout(b"a\tb\n1\t2,3\n") == CsvLayout("\t")


def test_a_long_first_row_or_quoted_field_past_the_sniffed_bytes(tmp_path: Path) -> None:
    long_row = tmp_path / "long.csv"
    long_row.write_bytes(b"url,title\nhttps://a.example/?" + b"x" * SNIFF_BYTES + b",A\n")
    quoted = tmp_path / "quoted.csv"
    quoted.write_bytes(b"note,url\n" + b"n,https://b.example/\n" * 3
                       + b'"' + b"line\n" * SNIFF_BYTES + b'",https://c.example/\n')
    items, problems = discover([long_row, quoted])
    assert problems == [] and [i.format for i in items] == ["csv", "csv"]
    events, problems = read_path(quoted)
    assert problems == []
    assert [e.origin.line for e in events] == [2, 3, 4, 5]
    assert events[-1].fields["url"] == "https://c.example/"


def test_rows_are_events_named_by_the_header(tmp_path: Path) -> None:
    path = tmp_path / "assets.txt"  # the name does not matter, the content does
    path.write_bytes(b"name, owner ,,name,@timestamp\n"
                     b"pc-1,alice,x,dup,2024-05-02T09:00:00Z\n\n"
                     b"pc-2,,,,\n")
    events, problems = read_path(path)
    assert problems == []
    assert [(e.origin.line, e.fields) for e in events] == [
        (2, {"name": "pc-1", "owner": "alice", "column3": "x", "name_2": "dup",
             "@timestamp": "2024-05-02T09:00:00Z"}),
        (4, {"name": "pc-2"}),  # empty cells are left out, the blank line skipped
    ]
    assert events[0].timestamp == 1714640400.0
    assert events[0].logsource.kind == "csv" and events[0].logsource.category is None
    assert str(events[0].origin) == f"{path}:2"


def test_quoted_fields_with_delimiters_quotes_and_newlines_keep_their_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.csv"
    path.write_bytes(b'url,title,visit_count\n'
                     b'https://a.example/,"Hello, world",1\n'
                     b'https://b.example/,"two\nlines, and ""quotes""",2\n'
                     b'https://c.example/,   "spaced",3\n')
    events, problems = read_path(path)
    assert problems == []
    assert [(e.origin.line, e.fields["title"]) for e in events] == [
        (2, "Hello, world"), (3, 'two\nlines, and "quotes"'), (5, "spaced")]


def test_bom_crlf_tab_semicolon_and_sep_line(tmp_path: Path) -> None:
    files = {
        "bom.csv": b"\xef\xbb\xbfURL,Title\r\nhttps://a.example/,A\r\n",
        "tab.tsv": b"URL\tTitle\nhttps://a.example/\tA\n",
        "semi.csv": b"\xef\xbb\xbfsep=;\r\nURL;Title\r\nhttps://a.example/;A\r\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        events, problems = read_path(tmp_path / name)
        assert problems == [], name
        assert [e.fields for e in events] == [{"URL": "https://a.example/", "Title": "A"}], name
    events, _ = read_path(tmp_path / "semi.csv")
    assert events[0].origin.line == 3


@pytest.fixture()
def small_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    before = csv.field_size_limit()
    monkeypatch.setattr(csv_log, "MAX_FIELD_CHARS", 100)
    monkeypatch.setattr(csv_log, "MAX_LINE_BYTES", 300)
    yield
    csv.field_size_limit(before)


def test_malformed_rows_are_located_and_the_rest_is_read(
    tmp_path: Path, small_limits: None
) -> None:
    path = tmp_path / "proxy.csv"
    good = b"GET,telegraac.com,https://telegraac.com/x\n"
    path.write_bytes(
        b"cs-method,cs-host,c-uri\n" + good * 6
        + b"GET,only-two-columns\n"                         # line 8
        + b"GET,caf\xe9.example,https://caf\xe9.example/\n"  # line 9: Latin-1, not UTF-8
        + b"GET,nul\x00.example,https://nul.example/\n"      # line 10
        + b"GET,big.example,https://big.example/" + b"a" * 150 + b"\n"  # 11: field too long
        + b"GET,long.example,https://long.example/" + b"b" * 400 + b"\n"  # 12: line too long
        + b'GET,"open quote\nstill open",https://c.example/,extra\n'  # lines 13-14
        + good)                                               # line 15
    events, problems = read_path(path)
    assert [e.origin.line for e in events] == [2, 3, 4, 5, 6, 7, 15]
    assert all(e.fields["cs-host"] == "telegraac.com" for e in events)
    assert [(p.location.rsplit(":", 1)[1], p.reference) for p in problems] == [
        (str(line), "input-malformed") for line in (8, 9, 10, 11, 12, 13)]
    reasons = [p.reason for p in problems]
    assert reasons[0] == "row has 2 columns, the header names 3"
    assert "not UTF-8 on line 9" in reasons[1] and r"b'\xe9'" in reasons[1]
    assert reasons[2] == "NUL byte on line 10"
    assert "field larger than field limit (100)" in reasons[3]
    assert reasons[4] == "line 12 is longer than 300 bytes"
    assert reasons[5] == "row has 4 columns, the header names 3 (lines 13-14)"


@pytest.mark.parametrize(
    ("header", "kind", "category"),
    [
        (b"URL,Title,Visit Time,Visit Count,Web Browser", "browser", None),  # BrowsingHistoryView
        (b"url,title,visit_count,typed_count,last_visit_time", "browser", None),  # Chrome dump
        (b"date,time,c-ip,cs-method,cs-host,c-uri,sc-status", "proxy", "proxy"),  # W3C names
        (b"datetime,user,url,action,hostname", "proxy", "proxy"),  # a gateway export
        (b"ts,uid,query,qtype_name,answers", "dns", "dns"),  # Zeek dns.log as CSV
        (b"UtcTime,Image,QueryName,QueryResults", "dns", "dns"),
        (b"name,owner,host", "csv", None),  # generic
    ],
)
def test_the_header_declares_the_kind(
    tmp_path: Path, header: bytes, kind: str, category: str | None
) -> None:
    path = tmp_path / "export.csv"
    columns = header.count(b",") + 1
    path.write_bytes(header + b"\n" + b",".join([b"v"] * columns) + b"\n")
    (event,), problems = read_path(path)
    assert problems == []
    assert (event.logsource.kind, event.logsource.category) == (kind, category)


def test_windows_rows_stay_windows_events(tmp_path: Path) -> None:
    path = tmp_path / "sysmon.csv"
    path.write_bytes(b"EventID,Channel,Provider_Name,QueryName\n"
                     b"22,Microsoft-Windows-Sysmon/Operational,Microsoft-Windows-Sysmon,"
                     b"telegraac.com\n")
    (event,), problems = read_path(path)
    assert problems == []
    assert event.fields["EventID"] == 22
    assert (event.logsource.kind, event.logsource.event_id) == ("windows", 22)
    assert event.logsource.channel == "Microsoft-Windows-Sysmon/Operational"


def test_csv_in_gzip_and_zip_is_read_and_located(tmp_path: Path) -> None:
    data = b"query,answer\ntelegraac.com,192.0.2.1\nbad\x00row,192.0.2.2\nexample.org,192.0.2.3\n"
    (tmp_path / "dns.csv.gz").write_bytes(gzip.compress(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("logs/dns.csv", data)
    (tmp_path / "logs.zip").write_bytes(buffer.getvalue())
    for name, member in (("dns.csv.gz", None), ("logs.zip", "logs/dns.csv")):
        path = tmp_path / name
        events, problems = read_path(path)
        assert [(e.origin.member, e.origin.line, e.fields["query"]) for e in events] == [
            (member, 2, "telegraac.com"), (member, 4, "example.org")], name
        assert all(e.logsource.kind == "dns" for e in events)
        prefix = f"{path}!{member}" if member else str(path)
        assert [(p.location, p.reason) for p in problems] == [
            (f"{prefix}:3", "NUL byte on line 3")], name
