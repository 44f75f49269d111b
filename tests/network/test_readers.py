"""The network readers: Zeek TSV/JSON give the same records, JA3 from the corpus pcaps matches
Zeek's baseline, and broken evidence is read as far as it goes, with located problems."""

from __future__ import annotations

import io
from pathlib import Path

import dpkt
import pytest

from huntpack.model import Event, InputProblem
from huntpack.sources import discover, read_events
from huntpack.sources.capture_writer import TcpSession, session_frames, write_pcap
from tests.network.helpers import (
    CLIENT_HELLO_JA3_STRING,
    client_hello,
    conn,
    write_sessions,
    write_zeek_json,
    write_zeek_tsv,
)

JA3_CASES = [("Traces__ssl-chrome.pcap", "Baseline__ja3-tests.chrome_test1__ssl.log"),
             ("Traces__ssl-curl.pcap", "Baseline__ja3-tests.curl_test1__ssl.log")]


def read(path: Path) -> tuple[list[Event], list[InputProblem]]:
    items, problems = discover([path])
    assert not problems and len(items) == 1
    events: list[Event] = []
    found: list[InputProblem] = []
    for entry in read_events(items[0]):
        (events if isinstance(entry, Event) else found).append(entry)  # type: ignore[arg-type]
    return events, found


@pytest.mark.parametrize(("pcap", "baseline"), JA3_CASES)
def test_corpus_pcaps_give_the_ja3_of_their_ssl_log(shared_data: Path, pcap: str,
                                                    baseline: str) -> None:
    folder = shared_data / "network" / "ja3"
    flows, problems = read(folder / pcap)
    ssl, _ = read(folder / baseline)
    assert not problems
    assert ssl[0].logsource.kind == "zeek.ssl"
    expected = {e.fields["ja3"] for e in ssl}
    assert expected & {"2a26b1a62e40d25d4de3babc9d532f30", "14eff09463c9d6dc6e14e954eba239c2"}
    assert {e.fields["ja3"] for e in flows if "ja3" in e.fields} == expected
    assert all(e.fields.get("ja4", "").startswith("t") for e in flows if "ja3" in e.fields)


def test_own_client_hello_ja3_string(tmp_path: Path) -> None:
    session = TcpSession(("10.0.0.1", 40000), ("192.0.2.1", 443), 1.0e9, [("c", client_hello())])
    flows, _ = read(write_sessions(tmp_path / "hello.pcap", [session]))
    assert flows[0].fields["ja3_string"] == CLIENT_HELLO_JA3_STRING
    assert flows[0].fields["server_name"] == "example.com"
    assert flows[0].fields["service"] == "ssl"


def test_zeek_tsv_and_json_records_are_equal(tmp_path: Path) -> None:
    records = [conn(1741222800.5, "10.0.0.1", "192.0.2.1", 443, service="ssl", duration=1.25,
                    orig_bytes=10, resp_bytes=20),
               conn(1741222801.0, "10.0.0.1", "192.0.2.2", 80, tunnel_parents=["Cx", "Cy"])]
    tsv, _ = read(write_zeek_tsv(tmp_path / "conn.log", records))
    json_events, _ = read(write_zeek_json(tmp_path / "conn.json", records))
    assert [e.fields for e in tsv] == [e.fields for e in json_events]
    assert [e.timestamp for e in tsv] == [e.timestamp for e in json_events]
    assert {e.logsource.kind for e in tsv + json_events} == {"zeek.conn"}


def test_zeek_json_log_name_from_path_field_and_shape(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    path.write_text('{"_path":"dns","ts":1.7e9,"uid":"C1","id.orig_h":"10.0.0.1","query":"a"}\n'
                    '{"ts":1.7e9,"id":"F1","certificate.subject":"CN=x","certificate.issuer":'
                    '"CN=x"}\n{"ts":1.7e9,"uid":"C2","id.orig_h":"10.0.0.1","cipher":"TLS_X"}\n'
                    '{"ts":1.7e9,"user":"not zeek"}\n')
    events, _ = read(path)
    assert [e.logsource.kind for e in events] == ["zeek.dns", "zeek.x509", "zeek.ssl", "json"]


def test_zeek_rows_with_missing_or_extra_columns(tmp_path: Path) -> None:
    path = write_zeek_tsv(tmp_path / "conn.log", [
        conn(1741222800.0, "10.0.0.1", "192.0.2.1", 443, orig_bytes=1, resp_bytes=2)] * 3)
    lines = path.read_text().splitlines()
    lines[8] = "\t".join(lines[8].split("\t")[:5])  # cut short
    lines[9] += "\tsurplus"
    path.write_text("\n".join(lines) + "\n")
    events, problems = read(path)
    assert len(events) == 1
    assert [p.location.rsplit(":", 1)[1] for p in problems] == ["9", "10"]
    assert "has 5 columns" in problems[0].reason and "has 15 columns" in problems[1].reason


def test_zeek_header_with_fewer_fields_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "conn.log"
    path.write_text("#separator \\x09\n#path\tconn\n#fields\tts\tid.orig_h\tid.resp_h\n"
                    "#types\ttime\taddr\taddr\n1741222800.0\t10.0.0.1\t192.0.2.1\n"
                    "no header before me?\n")
    events, problems = read(path)
    assert events[0].fields == {"ts": 1741222800.0, "id.orig_h": "10.0.0.1",
                                "id.resp_h": "192.0.2.1"}
    assert len(problems) == 1


def _pcap_bytes() -> bytes:
    stream = io.BytesIO()
    sessions = [TcpSession(("10.0.0.1", 40000 + i), ("192.0.2.1", 8081), 1.0e9 + i,
                           [("c", bytes(range(200)))]) for i in range(3)]
    write_pcap(stream, [f for s in sessions for f in session_frames(s)])
    return stream.getvalue()


@pytest.mark.parametrize("cut", [30, 100, 2000, -7])
def test_truncated_pcap_reads_what_is_there(tmp_path: Path, cut: int) -> None:
    data = _pcap_bytes()
    path = tmp_path / "cut.pcap"
    path.write_bytes(data[:cut])
    events, problems = read(path)
    assert len(problems) == 1
    assert problems[0].reference == "input-truncated"
    assert "#record=" in problems[0].location and "@" in problems[0].location
    if cut == -7:
        assert len(events) == 3  # every flow up to the cut packet


def test_pcap_with_corrupt_record_length(tmp_path: Path) -> None:
    data = bytearray(_pcap_bytes())
    data[24 + 8 : 24 + 12] = (10**8).to_bytes(4, "little")  # first record's caplen
    path = tmp_path / "corrupt.pcap"
    path.write_bytes(bytes(data))
    events, problems = read(path)
    assert events == [] and "corrupt length" in problems[0].reason


def test_truncated_pcapng_is_reported(tmp_path: Path) -> None:
    stream = io.BytesIO()
    writer = dpkt.pcapng.Writer(stream)
    for moment, frame in session_frames(TcpSession(("10.0.0.1", 1), ("192.0.2.1", 443), 1e9,
                                                   [("c", client_hello())])):
        writer.writepkt(frame, ts=moment)
    path = tmp_path / "cut.pcapng"
    path.write_bytes(stream.getvalue()[:-20])
    events, problems = read(path)
    assert len(events) == 1 and events[0].fields.get("ja3")
    assert problems and problems[0].reference == "input-truncated"


def test_zeek_empty_separator_and_infinite_numbers(tmp_path: Path) -> None:
    """An empty ``#separator`` raised ValueError (exit 3); ``1e999`` bytes made three network
    analyzers fail with OverflowError. Now: one located problem, and the row is read."""
    from huntpack.analyzers.network.flow_view import connection_of

    path = tmp_path / "conn.log"
    path.write_text("#separator \\x09\n#separator \n#set_separator\t\n#path\tconn\n"
                    "#fields\tts\tid.orig_h\tid.resp_h\tid.resp_p\torig_bytes\n"
                    "#types\ttime\taddr\taddr\tport\tcount\n"
                    "1741222800.0\t10.0.0.1\t192.0.2.1\t443\t1e999\n")
    events, problems = read(path)
    assert [(p.location, p.reason) for p in problems] == [
        (f"{path}:2", "empty #separator ignored (kept '\\t')"),
        (f"{path}:3", "empty #set_separator ignored (kept ',')"),
    ]
    connection = connection_of(events[0])
    assert connection is not None and connection.orig_bytes == 0 and connection.resp_p == 443
