"""``network.tls``: TLS client fingerprints on a watch list, and untrustworthy certificates.

* JA3 / JA4 of a client (Zeek ``ssl.log`` ``ja3``/``ja4`` fields from the JA3/JA4 packages, or
  computed from the ClientHello of a pcap flow) found in the ``ja3`` / ``ja4`` settings (a
  mapping fingerprint -> label, or a list). JA4 is preferred: browsers randomise extension order,
  which changes JA3 but not JA4.
* Self-signed certificates: Zeek ``validation_status`` saying so, ``subject == issuer`` in
  ``ssl.log`` or ``x509.log``.
* Name mismatch: Zeek's ``sni_matches_cert`` false (a CN-only guess would misfire: ``ssl.log``
  does not list the SANs).

ATT&CK: T1573 (encrypted channel); T1573.002 for certificates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.network.flow_view import Verdict, check_settings, finding_for
from huntpack.model import Event, Finding, Severity


class TlsAnalyzer(AnalyzerBase):
    """See the module docstring."""

    name = "network.tls"
    kinds = frozenset({"zeek.ssl", "zeek.x509", "pcap.flow"})

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        check_settings(self.name, self.settings, ("ja3", "ja4", "self_signed"))
        self.lists = {name: _fingerprints(self.settings.get(name), name) for name in ("ja3", "ja4")}
        self.self_signed = bool(self.settings.get("self_signed", True))

    def analyze(self, event: Event) -> list[Finding]:
        fields = event.fields
        host = fields.get("id.orig_h")
        host = host if isinstance(host, str) else None
        verdicts = [self.fingerprint(fields, name) for name in ("ja4", "ja3")]
        if self.self_signed:
            verdicts += [self_signed(fields), name_mismatch(fields)]
        return [finding_for(self.name, event, v, host) for v in verdicts if v is not None]

    def fingerprint(self, fields: Mapping[str, Any], name: str) -> Verdict | None:
        value = fields.get(name)
        if not isinstance(value, str):
            return None
        label = self.lists[name].get(value.lower())
        if label is None:
            return None
        return Verdict(
            f"network-{name}-listed", f"TLS client fingerprint {name.upper()} on watch list",
            Severity.HIGH, ("T1573",), ((name, value), ("label", label)),
            f"The TLS client {fields.get('id.orig_h', '?')} used has the {name.upper()} "
            f"fingerprint {value}, listed as {label!r}.")


def _fingerprints(value: Any, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k).lower(): str(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return {str(item).lower(): "listed" for item in value}
    raise ValueError(f"network.tls: setting {name} must be a mapping or a list")


def self_signed(fields: Mapping[str, Any]) -> Verdict | None:
    status = str(fields.get("validation_status") or "")
    subject = fields.get("subject", fields.get("certificate.subject"))
    issuer = fields.get("issuer", fields.get("certificate.issuer"))
    if "self signed" in status.lower():
        evidence = ("validation_status", status)
    elif isinstance(subject, str) and subject and subject == issuer:
        evidence = ("subject", subject)
    else:
        return None
    return Verdict(
        "network-tls-self-signed", "Self-signed TLS certificate", Severity.MEDIUM,
        ("T1573.002",), (evidence,),
        "The server presented a certificate that no authority signed (subject and issuer are "
        "the same): common for C2 servers and for test set-ups.")


def name_mismatch(fields: Mapping[str, Any]) -> Verdict | None:
    """Zeek's ``sni_matches_cert`` (it checks the SANs, which ``ssl.log`` does not list)."""
    sni = fields.get("server_name")
    if not isinstance(sni, str) or not sni or fields.get("sni_matches_cert") is not False:
        return None
    return Verdict(
        "network-tls-name-mismatch", "TLS certificate does not match the server name",
        Severity.MEDIUM, ("T1573.002",), (("server_name", sni),
                                           ("subject", str(fields.get("subject", "-")))),
        f"The client asked for {sni} but the certificate names another host.")
