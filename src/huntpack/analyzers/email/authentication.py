"""Sender authenticity: what the receiving servers said (SPF, DKIM, DMARC), DKIM verified again
offline, and whether the authenticated domains align with the From domain (DMARC).

``Authentication-Results`` (RFC 8601, parsed with ``authres``) and ``Received-SPF`` headers are
believed only when a trusted server wrote them: by default only the topmost one of each (added
by the last hop, the organisation's own gateway); with ``trusted_authserv_ids`` only those whose
authserv-id (for ``Received-SPF``: its ``receiver=`` key, or the host opening its comment) is
listed. Anything below can be forged by the sender.

DKIM signatures are verified with ``dkimpy`` against TXT records the user supplies in a file
(``DnsRecords``): no DNS query is ever made. Each signature gets pass, fail or none (no key).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from huntpack.analyzers.url.lookalike import registrable

_SPF_RESULTS = {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"}

#: Most DKIM signatures verified per message.
MAX_SIGNATURES = 10


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One method's result (``spf=fail``) with the domain it was about, and who said it."""

    method: str
    result: str
    domain: str | None
    reporter: str


@dataclass(slots=True)
class SenderAuth:
    """Everything known about a message's sender authenticity."""

    results: list[AuthResult] = field(default_factory=list)
    dkim: list[AuthResult] = field(default_factory=list)  # our own offline verification

    def passed_domains(self, method: str) -> set[str]:
        found = [r for r in [*self.results, *self.dkim] if r.method == method]
        return {r.domain for r in found if r.result == "pass" and r.domain}

    def failures(self) -> list[AuthResult]:
        bad = {"fail", "softfail", "permerror", "temperror"}
        return [r for r in [*self.results, *self.dkim] if r.result in bad]


def load_dns_records(path: str | Path) -> dict[str, bytes]:
    """TXT records from a file: one ``name value`` per line (``#`` comments); the value may be
    zone-file quoted chunks (``"v=DKIM1; k=rsa; " "p=MIIB..."``), which are joined."""
    records: dict[str, bytes] = {}
    for line in Path(path).read_text("utf-8").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, _, value = text.partition(" ")
        value = value.strip().removeprefix("IN ").removeprefix("TXT ").strip()
        if value.startswith('"'):
            value = "".join(part for part in value.split('"')[1::2])
        records[name.lower().rstrip(".") + "."] = value.encode("utf-8")
    return records


def header_values(headers: Sequence[str], name: str) -> list[str]:
    """Values of the ``Name: value`` lines called ``name`` (in message order, topmost first)."""
    prefix = name.lower() + ":"
    return [line[len(prefix):].strip() for line in headers if line.lower().startswith(prefix)]


def reported_results(headers: Sequence[str], trusted: Sequence[str]) -> list[AuthResult]:
    """Results from trusted ``Authentication-Results`` and ``Received-SPF`` headers."""
    import authres

    found: list[AuthResult] = []
    trusted_ids = {item.lower() for item in trusted}
    for value in header_values(headers, "Authentication-Results")[: None if trusted else 1]:
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(value)
        except Exception:  # authres.AuthResError and anything a hostile header triggers
            continue
        reporter = str(parsed.authserv_id or "")
        if trusted_ids and reporter.lower() not in trusted_ids:
            continue
        found.extend(AuthResult(str(r.method).lower(), str(r.result).lower(), _domain_of(r),
                                reporter) for r in parsed.results)
    for value in header_values(headers, "Received-SPF")[: None if trusted else 1]:
        verdict = value.split(None, 1)[0].lower() if value.split() else ""
        if verdict not in _SPF_RESULTS:
            continue
        receiver = _spf_receiver(value)
        if trusted_ids and receiver not in trusted_ids:
            continue
        found.append(AuthResult("spf", verdict, _spf_domain(value), receiver or "Received-SPF"))
    return found


def _spf_receiver(value: str) -> str:
    """Who checked SPF (RFC 7208 9.1): the ``receiver=`` key, else the host that opens the
    comment (``fail (mx.corp.example: domain of ...)``); lower-cased, "" when neither is there."""
    lowered = value.lower()
    if "receiver=" in lowered:
        return lowered.split("receiver=", 1)[1].split(";")[0].strip().strip('"')
    comment = lowered.partition("(")[2].partition(")")[0]
    host = comment.partition(":")[0].strip() if ":" in comment else ""
    return host if host and " " not in host else ""


def _domain_of(result: object) -> str | None:
    for prop in getattr(result, "properties", []):
        key = f"{prop.type}.{prop.name}".lower()
        if key in ("header.d", "smtp.mailfrom", "header.from", "smtp.helo", "header.i"):
            value = str(prop.value).rsplit("@", 1)[-1].strip().lower()
            return value or None
    return None


def _spf_domain(value: str) -> str | None:
    lowered = value.lower()
    for key in ("envelope-from=", "smtp.mailfrom="):
        if key in lowered:
            rest = lowered.split(key, 1)[1].split(";")[0].strip().strip('"<>')
            return rest.rsplit("@", 1)[-1] or None
    return None


def verify_dkim(raw: bytes, records: Mapping[str, bytes]) -> list[AuthResult]:
    """Each DKIM signature of ``raw`` verified against ``records``: pass, fail or none."""
    count = sum(1 for line in raw.split(b"\n") if line.lower().startswith(b"dkim-signature:"))
    return [_verify_signature(raw, index, records) for index in range(min(count, MAX_SIGNATURES))]


def _verify_signature(raw: bytes, index: int, records: Mapping[str, bytes]) -> AuthResult:
    import dkim

    checker = dkim.DKIM(raw)
    looked_up: list[bool] = []

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        found = records.get(name.decode("ascii", "replace").lower())
        looked_up.append(found is not None)
        return found

    try:
        ok = bool(checker.verify(idx=index, dnsfunc=lookup))
    except Exception:  # dkim.DKIMException, and any crash on a hostile signature
        ok = False
    domain = checker.domain.decode("ascii", "replace").lower() if checker.domain else None
    result = "pass" if ok else ("fail" if any(looked_up) else "none")
    return AuthResult("dkim", result, domain, "huntpack (offline)")


def dmarc_aligned(from_domain: str, auth: SenderAuth) -> bool | None:
    """Relaxed DMARC alignment: a passing SPF or DKIM domain with the From organisational
    domain. None when nothing passed or was reported (alignment cannot be judged)."""
    passed = auth.passed_domains("dkim") | auth.passed_domains("spf")
    if not passed and not auth.results and not auth.dkim:
        return None
    organisation = registrable(from_domain) or from_domain
    return any((registrable(domain) or domain) == organisation for domain in passed)
