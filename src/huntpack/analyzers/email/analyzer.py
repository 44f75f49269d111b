"""The ``email`` analyzer: spoofed senders and lure messages (T1566.002).

Settings (pack or user):

- ``dns_records``: a file of TXT records (``name value`` per line) for offline DKIM checks;
  without it DKIM is judged from the trusted Authentication-Results only;
- ``trusted_authserv_ids``: authserv-ids of the organisation's own mail servers (default: trust
  the topmost Authentication-Results / Received-SPF header only);
- ``internal_domains``: the organisation's own domains (display-name impersonation, look-alikes);
- ``protected_domains`` and ``brands``: more domains a From domain must not imitate (brands
  default to ``DEFAULT_BRANDS``); ``max_edit_distance`` as for the ``url`` analyzer;
- ``lure_keywords`` and ``archive_extensions``: what makes an archive attachment a lure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.email.authentication import (
    SenderAuth,
    dmarc_aligned,
    load_dns_records,
    reported_results,
    verify_dkim,
)
from huntpack.analyzers.email.header_anomalies import (
    Anomaly,
    archive_lures,
    display_name_anomalies,
    domain_of,
    first,
    lookalike_sender,
    reply_path_anomalies,
)
from huntpack.analyzers.evidence_finding import event_finding
from huntpack.analyzers.url.lookalike import DEFAULT_BRANDS, protected_entries
from huntpack.model import Event, Finding, MatchedField, Severity

_KNOWN = {"dns_records", "trusted_authserv_ids", "internal_domains", "protected_domains",
          "brands", "max_edit_distance", "lure_keywords", "archive_extensions"}
_RULES: dict[str, tuple[str, Severity]] = {
    "auth-fail": ("sender failed SPF, DKIM or DMARC", Severity.MEDIUM),
    "dmarc-unaligned": ("no authenticated domain aligns with the From domain", Severity.MEDIUM),
    "reply-to-mismatch": ("Reply-To goes to another organisation than From", Severity.MEDIUM),
    "return-path-mismatch": ("Return-Path in another organisation than From", Severity.LOW),
    "display-name-address": ("display name shows another address", Severity.HIGH),
    "display-name-internal": ("outside sender poses as an internal one", Severity.HIGH),
    "from-lookalike": ("sender domain imitates a protected domain", Severity.HIGH),
    "archive-lure": ("archive attachment lure", Severity.MEDIUM),
}


class EmailAnalyzer(AnalyzerBase):
    """See the module docstring."""

    name = "email"
    kinds = frozenset({"email"})

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        unknown = set(self.settings) - _KNOWN
        if unknown:
            raise ValueError(f"unknown email settings: {', '.join(sorted(unknown))}")
        get = self.settings.get
        self.records = load_dns_records(str(get("dns_records"))) if get("dns_records") else None
        self.trusted = [str(item) for item in get("trusted_authserv_ids", ())]
        self.internal = [str(item).lower() for item in get("internal_domains", ())]
        self.protected = protected_entries([*get("brands", DEFAULT_BRANDS),
                                            *get("protected_domains", ()), *self.internal])
        self.max_distance = int(get("max_edit_distance", 2))
        self.keywords = [str(word) for word in get("lure_keywords", ())]
        self.extensions = [str(ext).lower() for ext in
                           get("archive_extensions", (".zip", ".rar", ".7z"))]

    def analyze(self, event: Event) -> list[Finding]:
        fields = event.fields
        anomalies = [*self.authenticity(event), *reply_path_anomalies(fields),
                     *display_name_anomalies(fields, self.internal),
                     *lookalike_sender(fields, self.protected, self.max_distance),
                     *archive_lures(fields, self.keywords, self.extensions)]
        return [self._finding(event, anomaly) for anomaly in anomalies]

    def authenticity(self, event: Event) -> list[Anomaly]:
        """SPF/DKIM/DMARC failures and a From domain that no authenticated domain aligns with."""
        headers = event.get("email.headers") or []
        auth = SenderAuth(reported_results(headers, self.trusted))
        raw = event.get("email.raw")
        if self.records is not None and isinstance(raw, str):
            auth.dkim = verify_dkim(raw.encode("latin-1"), self.records)
        found: list[Anomaly] = []
        failures = auth.failures()
        if failures:
            said = "; ".join(f"{r.method}={r.result}"
                             + (f" ({r.domain})" if r.domain else "") + f" by {r.reporter}"
                             for r in failures)
            found.append(Anomaly("auth-fail", (("authentication", said),), said))
        sender_domain = domain_of(first(event.fields, "email.from.address"))
        reported_dmarc = any(r.method == "dmarc" for r in auth.results)
        if sender_domain and not reported_dmarc and dmarc_aligned(sender_domain, auth) is False:
            passed = sorted(auth.passed_domains("dkim") | auth.passed_domains("spf"))
            found.append(Anomaly("dmarc-unaligned", (("email.from.address", sender_domain),),
                                 f"From domain {sender_domain} is not aligned with the "
                                 f"authenticated domains {passed or 'none'}"))
        return found

    def _finding(self, event: Event, anomaly: Anomaly) -> Finding:
        title, level = _RULES[anomaly.kind]
        matched = [MatchedField(name, value[:500]) for name, value in anomaly.fields]
        matched.append(MatchedField("why", anomaly.explanation))
        return event_finding(event, self.name, f"email.{anomaly.kind}", title, level, matched,
                             anomaly.explanation)
