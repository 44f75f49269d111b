"""Indicators in evidence whose bytes are the point (packet captures, e-mail, executable files),
through the hunt seam; the findings' explanation; the settings seam; forked workers."""

from __future__ import annotations

import hashlib
import json
import pickle
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from huntpack.analyzers.indicators.analyzer import IndicatorAnalyzer, indicator_settings
from huntpack.analyzers.indicators.finding import KEY_FIELD
from huntpack.cli.packs import campaign_analyzer_settings
from huntpack.intel.library import load_builtin_pack
from huntpack.model import Severity
from huntpack.sources import MemorySource
from huntpack.sources.capture_writer import TcpSession
from tests.network.helpers import client_hello, write_sessions

from .helpers import hunt, indicators, matched, rule_ids

START = 1741226885.0
CLIENT = ("10.20.4.31", 50100)


def _http(host: str, path: str, server: str = "198.51.100.80") -> TcpSession:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: x\r\n\r\n".encode()
    return TcpSession(CLIENT, (server, 80), START, [("c", request), ("s", b"HTTP/1.1 200 OK\r\n"
                                                                      b"Content-Length: 0\r\n\r\n")])


def test_pcap_http_request_url_and_tls_server_name(tmp_path: Path) -> None:
    pcap = write_sessions(tmp_path / "web.pcap", [
        _http("fs-im-kefu.7moor-fs1.com", "/ly/4d2c3f00/3.txt"),
        _http("fs-im-kefu.7moor-fs1.com", "/ly/4d2c3f00/4.txt"),  # near miss: another file
        TcpSession(("10.20.4.31", 50101), ("198.51.100.5", 443), START + 5,
                   [("c", client_hello("www.electrumx.org"))]),
        TcpSession(("10.20.4.31", 50102), ("198.51.100.6", 443), START + 9,
                   [("c", client_hello("electrum.org"))]),  # near miss: the real site
    ])
    found = indicators([{"type": "url", "value": "fs-im-kefu.7moor-fs1.com/ly/4d2c3f00/3.txt"},
                        {"type": "domain", "value": "electrumx.org", "confidence": "medium"}])
    result = hunt([pcap], found)
    assert rule_ids(result.findings) == ["indicator.domain", "indicator.url"]
    by_rule = {f.rule_id: f for f in result.findings}
    assert matched(by_rule["indicator.url"])["http request"] == \
        "fs-im-kefu.7moor-fs1.com/ly/4d2c3f00/3.txt"
    assert matched(by_rule["indicator.domain"])["server_name"] == "www.electrumx.org"
    assert by_rule["indicator.domain"].host == "10.20.4.31"
    assert by_rule["indicator.domain"].level == Severity.MEDIUM


def test_pcap_flow_to_an_indicator_address(tmp_path: Path) -> None:
    pcap = write_sessions(tmp_path / "c2.pcap", [
        TcpSession(CLIENT, ("198.51.100.23", 8081), START, [("c", b"\xa9\xc4\xae" + bytes(40))]),
        TcpSession(("10.20.4.31", 50103), ("198.51.100.24", 8081), START + 1, [("c", bytes(8))]),
    ])
    found = indicators([{"type": "ipv4", "value": "198.51.100.23"},
                        {"type": "port", "value": "8081", "protocol": "tcp"}])
    result = hunt([pcap], found)
    assert rule_ids(result.findings) == ["indicator.ipv4"]
    assert matched(result.findings[0])["context"] == "port 8081/tcp in id.resp_p (protocol tcp)"


def _mail(body_link: str, attachment: bytes, sender: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = f"Support <{sender}>"
    message["To"] = "li.wei@corp.example"
    message["Subject"] = "New version"
    message["Date"] = "Thu, 06 Mar 2025 09:58:10 +0800"
    message.set_content(f"Download: {body_link}\n")
    message.add_alternative(f'<p><a href="{body_link}">download</a></p>', subtype="html")
    message.add_attachment(attachment, maintype="application", subtype="octet-stream",
                           filename="tsetup.exe")
    return bytes(message)


def test_email_links_attachment_hashes_and_sender_domain(tmp_path: Path) -> None:
    payload = b"MZ not really a program"
    (tmp_path / "lure.eml").write_bytes(
        _mail("https://dl.telegraem.org/tsetup.exe", payload, "support@telegraem.org"))
    (tmp_path / "clean.eml").write_bytes(
        _mail("https://telegram.org/dl", b"other bytes", "support@telegram.org"))
    found = indicators([{"type": "domain", "value": "telegraem.org"},
                        {"type": "sha256", "value": hashlib.sha256(payload).hexdigest()},
                        {"type": "file_name", "value": "tsetup.exe", "never_alone": True}])
    result = hunt([tmp_path], found)
    assert rule_ids(result.findings) == ["indicator.domain", "indicator.sha256"]
    by_rule = {f.rule_id: matched(f) for f in result.findings}
    assert by_rule["indicator.domain"]["email.from.address"] == "support@telegraem.org"
    assert by_rule["indicator.sha256"]["email.attachments.file.hash.sha256"] == \
        hashlib.sha256(payload).hexdigest()
    assert "file_name tsetup.exe" in by_rule["indicator.sha256"]["context"]


def test_email_link_alone_matches_a_url(tmp_path: Path) -> None:
    (tmp_path / "lure.eml").write_bytes(
        _mail("https://dl.example.net/a/tsetup.exe", b"x", "a@example.org"))
    found = indicators([{"type": "url", "value": "dl.example.net/a/tsetup.exe"}])
    (finding,) = hunt([tmp_path], found).findings
    assert matched(finding)["email link"] == "https://dl.example.net/a/tsetup.exe"


def test_executable_file_by_hash_and_name(tmp_path: Path) -> None:
    data = b"\x7fELF\x02\x01\x01" + bytes(57) + b"payload"
    (tmp_path / "Svwxya.exe").write_bytes(data)
    (tmp_path / "other.bin").write_bytes(data[:-1] + b"!")  # near miss: one byte differs
    found = indicators([{"type": "md5", "value": hashlib.md5(data).hexdigest()},
                        {"type": "file_name", "value": "svwxya.exe", "confidence": "low"}])
    result = hunt([tmp_path], found)
    assert rule_ids(result.findings) == ["indicator.file_name", "indicator.md5"]
    assert {f.level for f in result.findings} == {Severity.HIGH, Severity.LOW}
    assert all("payload" not in f.event for f in result.findings)


def test_finding_explains_itself() -> None:
    pack = load_builtin_pack("fatalrat")
    analyzer = IndicatorAnalyzer(indicator_settings(pack.indicators))
    (event,) = MemorySource([{"EventID": 11, "Channel": "Microsoft-Windows-Sysmon/Operational",
                              "Computer": "WS1", "Image": "C:\\x\\rat.exe",
                              "TargetFilename": "C:\\Users\\bob\\AppData\\Local\\Fatal.key"}]
                            ).events()
    (finding,) = analyzer.analyze(event)
    fields = matched(finding)
    assert fields["TargetFilename"] == "C:\\Users\\bob\\AppData\\Local\\Fatal.key"
    assert fields["indicator"] == "file_path %LOCALAPPDATA%\\Fatal.key"
    assert fields[KEY_FIELD] == "file_path|%LOCALAPPDATA%\\Fatal.key||"
    assert fields["indicator.source"] == "fudrat-builder (confidence high, verified)"
    assert finding.level == Severity.HIGH and finding.techniques == ("T1056.001", "T1056")
    assert finding.host == "WS1" and "Builder default" in finding.description


def test_default_techniques_when_the_indicator_names_none() -> None:
    found = indicators([{"type": "domain", "value": "svp7.net", "confidence": "low"}])
    (event,) = MemorySource([{"EventID": 22, "Channel": "Microsoft-Windows-Sysmon/Operational",
                              "QueryName": "svp7.net"}]).events()
    (finding,) = IndicatorAnalyzer(indicator_settings(found)).analyze(event)
    assert finding.techniques == ("T1071.001",) and finding.level == Severity.LOW


def test_campaign_settings_carry_the_pack_indicators_as_plain_data() -> None:
    pack = load_builtin_pack("fatalrat")
    settings = campaign_analyzer_settings("fatalrat")
    assert set(settings["indicators"]) == {"indicators"}
    copy = pickle.loads(pickle.dumps(settings))
    assert IndicatorAnalyzer(copy["indicators"]).indicators == pack.indicators
    assert campaign_analyzer_settings("none") == {}


def test_without_indicators_the_analyzer_reads_nothing_and_refuses_typos() -> None:
    assert IndicatorAnalyzer().kinds == frozenset()
    assert IndicatorAnalyzer(indicator_settings(indicators([{"type": "ipv4",
                                                             "value": "1.2.3.4"}]))).kinds
    with pytest.raises(ValueError, match="unknown indicators settings"):
        IndicatorAnalyzer({"indicator": []})


def test_forked_workers_find_the_same(tmp_path: Path) -> None:
    records = [{"EventID": 22, "Channel": "Microsoft-Windows-Sysmon/Operational",
                "Computer": "WS1", "QueryName": f"h{n}.telegraac.com"} for n in range(50)]
    for part in range(3):
        (tmp_path / f"part{part}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in records[part::3]), "utf-8")
    found = indicators([{"type": "domain", "value": "telegraac.com"}])
    one, two = hunt([tmp_path], found, jobs=1), hunt([tmp_path], found, jobs=2)
    assert len(one.findings) == len(two.findings) == 50
    assert [f.matched for f in one.findings] == [f.matched for f in two.findings]


def test_csv_exports_of_proxy_dns_and_browser_history(tmp_path: Path) -> None:
    (tmp_path / "proxy.csv").write_text(
        "date,c-ip,cs-host,c-uri\n"
        "2025-03-06 02:06:31,10.20.4.31,fs-im-kefu.7moor-fs1.com,/ly/4d2c3f00/3.txt\n"
        "2025-03-06 02:06:32,10.20.4.31,fs-im-kefu.7moor-fs1.com,/ly/4d2c3f00/9.txt\n", "utf-8")
    (tmp_path / "dns.csv").write_text("ts,QUERYNAME\n2025-03-06 02:00:00,a.youedao.com\n"
                                      "2025-03-06 02:00:01,youdao.com\n", "utf-8")
    (tmp_path / "history.csv").write_text(
        "URL,Title,Visit Time\nhttps://telegraac.com/dl,Telegram,2025-03-06 01:59:00\n", "utf-8")
    found = indicators([{"type": "url", "value": "fs-im-kefu.7moor-fs1.com/ly/4d2c3f00/3.txt"},
                        {"type": "domain", "value": "youedao.com"},
                        {"type": "domain", "value": "telegraac.com"}])
    result = hunt([tmp_path], found)
    assert rule_ids(result.findings) == ["indicator.domain", "indicator.domain", "indicator.url"]
    shown = sorted(next(iter(matched(f).items())) for f in result.findings)
    assert shown == [("QUERYNAME", "a.youedao.com"), ("URL", "https://telegraac.com/dl"),
                     ("c-uri", "fs-im-kefu.7moor-fs1.com/ly/4d2c3f00/3.txt")]


def test_host_longer_than_a_dns_name_has_no_suffixes() -> None:
    """Suffixes grow with the square of a host's length: an 800 kB ``a.a.a...`` URL in a CSV
    took 17 GB and did not finish. A DNS name is at most 253 characters."""
    from huntpack.analyzers.indicators.normalise import domain_suffixes

    assert domain_suffixes("a.b.example.com") == ["a.b.example.com", "b.example.com",
                                                  "example.com"]
    assert domain_suffixes("a." * 5_000 + "com") == []
