"""Write the network evidence of the FatalRAT example: a packet capture and a Zeek conn log.

Run from the repository root (huntpack installed) to regenerate them:

    python examples/tools/make_fatalrat_network.py [FOLDER]

FOLDER defaults to ``examples/fatalrat-incident/network``. (The script lives outside the
evidence folder so that a hunt of the example does not report it as unrecognised input.)

Everything is synthetic and deterministic (fixed seed). Hosts: WS-TPE-014 = 10.20.4.31 (the
victim), the controller 198.51.100.23:8081, an ordinary web/Teams front end 198.51.100.40:443,
the office resolver 10.20.0.2. The C2 packets use FatalRAT's published wire format (15-byte
header, zlib, XOR table, RC4 key EwinhProtocolHosty, byte obfuscation), built by
``huntpack.analyzers.network.fatalrat_wire.encode_packet``.
"""

from __future__ import annotations

import random
import sys
import zlib
from pathlib import Path

from huntpack.analyzers.network.fatalrat_wire import encode_packet
from huntpack.sources.capture_writer import TcpSession, session_frames, write_pcap

HERE = Path(__file__).resolve().parents[1] / "fatalrat-incident" / "network"
VICTIM = "10.20.4.31"
C2 = ("198.51.100.23", 8081)
WEB = ("198.51.100.40", 443)
T0 = 1741226885.0  # 2025-03-06 02:08:05 UTC: FatalRAT starts and connects

CONN_FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration", "orig_bytes", "resp_bytes", "conn_state", "history"]
CONN_TYPES = "time string addr port addr port enum string interval count count string string"


def client_hello(server_name: str, rng: random.Random) -> bytes:
    """A TLS 1.2 ClientHello with SNI, as a browser would open the session."""
    name = server_name.encode()
    sni = len(name).to_bytes(2, "big")
    sni = (len(name) + 3).to_bytes(2, "big") + b"\x00" + sni + name
    exts = b"".join(kind.to_bytes(2, "big") + len(data).to_bytes(2, "big") + data for kind, data in (
        (0x0000, sni), (0x000A, b"\x00\x04\x00\x1d\x00\x17"), (0x000B, b"\x01\x00"),
        (0x000D, b"\x00\x04\x04\x03\x08\x04"), (0x0010, b"\x00\x03\x02h2")))
    ciphers = b"\xc0\x2b\xc0\x2f\xc0\x2c\xc0\x30\x00\x9c"
    body = (b"\x03\x03" + rng.randbytes(32) + b"\x00" + len(ciphers).to_bytes(2, "big") + ciphers
            + b"\x01\x00" + len(exts).to_bytes(2, "big") + exts)
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + len(handshake).to_bytes(2, "big") + handshake


def capture(rng: random.Random) -> list[tuple[float, bytes]]:
    login = (b"WS-TPE-014|Windows 10 Pro 19045|4*2400MHz|8191MB|360tray.exe|Fatal|"
             b"2025-03-06 10:08")
    sessions = [
        TcpSession((VICTIM, 51744), WEB, T0 - 40.0, [
            ("c", client_hello("teams.corp-cdn.example", rng)),
            ("s", b"\x16\x03\x03" + rng.randbytes(1200))]),
        TcpSession((VICTIM, 51790), C2, T0, [
            ("c", encode_packet(login)), ("s", encode_packet(b"\x66\x01")),
            ("c", encode_packet(b"\x67" + zlib.compress(b"[Title:]Excel - Q1 payroll.xlsx")))],
            gap=0.2, close=False),
    ]
    return [frame for session in sessions for frame in session_frames(session)]


def conn_rows(rng: random.Random) -> list[list[str]]:
    rows = []
    for index in range(12):  # ordinary web use around the intrusion
        moment = T0 - 1500 + index * 233 + rng.uniform(0, 90)
        rows.append([f"{moment:.6f}", f"CwEb{index:02d}", VICTIM, str(51000 + index), *map(str, WEB),
                     "tcp", "ssl", f"{rng.uniform(1, 40):.6f}", str(rng.randint(900, 9000)),
                     str(rng.randint(20000, 900000)), "SF", "ShADadFf"])
    rows.append([f"{T0 + 0.01:.6f}", "CfRatC2", VICTIM, "51790", *map(str, C2), "tcp", "-",
                 "1725.400000", "8412", "3960", "S1", "ShADad"])
    # 02:28: the file-manager plugin pushes the accounting share out over the controller
    rows.append([f"{T0 + 1215.5:.6f}", "CfRatUp", VICTIM, "51902", *map(str, C2), "tcp", "-",
                 "512.750000", "1348270112", "1902224", "SF", "ShADadFf"])
    return sorted(rows, key=lambda row: float(row[0]))


def write_conn_log(path: Path, rows: list[list[str]]) -> None:
    lines = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)",
             "#unset_field\t-", "#path\tconn", "#open\t2025-03-06-01-40-00",
             "#fields\t" + "\t".join(CONN_FIELDS), "#types\t" + CONN_TYPES.replace(" ", "\t")]
    lines += ["\t".join(row) for row in rows]
    lines.append("#close\t2025-03-06-02-40-00")
    path.write_text("\n".join(lines) + "\n", "utf-8")


def main(folder: Path = HERE) -> int:
    rng = random.Random(20250306)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "c2-session.pcap").open("wb") as stream:
        write_pcap(stream, capture(rng))
    write_conn_log(folder / "conn.log", conn_rows(rng))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
