"""``signin``: Entra ID sign-ins made by scripting clients (see the package docstring).

Per sign-in whose user agent contains a scripting substring (``settings.BUILTIN_USER_AGENTS``
plus the pack's ``scripting_user_agents``) and whose address is not in ``expected_ips``:

| sign-in | ``expected_ips`` set (address outside it) | ``expected_ips`` empty |
|---|---|---|
| success (``ResultType`` 0) | high | medium |
| failure | medium | low |

A sign-in from an expected address gives no finding. Bursts: ``burst.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from huntpack.analyzers.base import AnalyzerBase
from huntpack.analyzers.signin.burst import conclude_signins
from huntpack.analyzers.signin.settings import SigninSettings
from huntpack.analyzers.signin.view import KnownAddress, Scripted, SignIn, signin_of
from huntpack.model import AttackRef, Event, Finding, MatchedField, Severity

#: Fields copied from the event into a finding.
_SHOWN = ("TimeGenerated", "UserPrincipalName", "AppDisplayName", "ResourceDisplayName",
          "IPAddress", "UserAgent", "ClientAppUsed", "ResultType", "ResultDescription", "Status",
          "DeviceDetail.deviceId", "DeviceDetail.displayName", "DeviceDetail.operatingSystem",
          "Location", "ConditionalAccessStatus", "AuthenticationRequirement", "RiskState",
          "user.name", "host.name")
_MAX_KNOWN = 100_000  # (user, address) pairs remembered per worker to send each once


class SigninAnalyzer(AnalyzerBase):
    """See the module docstring."""

    name = "signin"
    kinds = frozenset({"signin"})

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self.config = SigninSettings.parse(self.name, self.settings)
        self._last: tuple[int, SignIn, str | None] | None = None
        self._known: set[tuple[str, str]] = set()

    def prepare(self, evidence_formats: frozenset[str], beside: Collection[str] = ()) -> None:
        """A new hunt: forget the addresses already sent (``observe`` sends each pair once)."""
        self._known.clear()
        self._last = None

    def analyze(self, event: Event) -> list[Finding]:
        signin, agent = self._view(event)
        if agent is None or self.config.is_expected(signin.address):
            return []
        return [self._finding(event, signin, agent)]

    def observe(self, event: Event) -> Any | None:
        signin, agent = self._view(event)
        if signin.user is None:
            return None
        if agent is not None and signin.timestamp is not None:
            return Scripted(signin.user, signin.address, signin.timestamp, signin.success, agent,
                            event.origin)
        pair = (signin.user, signin.address or "")
        if agent is None and signin.address and pair not in self._known:
            if len(self._known) < _MAX_KNOWN:
                self._known.add(pair)
            return KnownAddress(*pair)
        return None

    def conclude(self, records: Sequence[Any]) -> list[Finding]:
        return conclude_signins(self.name, self.config, records)

    def _view(self, event: Event) -> tuple[SignIn, str | None]:
        """The sign-in and the matched scripting substring (``analyze`` then ``observe`` read
        the same event: it is computed once)."""
        if self._last is not None and self._last[0] == id(event):
            return self._last[1], self._last[2]
        signin = signin_of(event)
        agent = self.config.scripting_agent(signin.user_agent) if signin.user_agent else None
        self._last = (id(event), signin, agent)
        return signin, agent

    def _finding(self, event: Event, signin: SignIn, agent: str) -> Finding:
        listed = bool(self.config.expected)
        level = (Severity.HIGH if listed else Severity.MEDIUM) if signin.success else (
            Severity.MEDIUM if listed else Severity.LOW)
        where = (f"from {signin.address}, outside expected_ips" if listed
                 else f"from {signin.address or 'an unknown address'} (no expected_ips set)")
        outcome = "succeeded" if signin.success else f"failed (ResultType {signin.result})"
        device = "an unregistered device" if not signin.device_id else f"device {signin.device_id}"
        attack = (AttackRef("T1119"),) + ((AttackRef("T1078.004"),) if signin.success else ())
        return Finding(
            rule_id="signin-scripting-client",
            title="Entra ID sign-in by a scripting client",
            level=level, source=self.name, origin=event.origin, timestamp=event.timestamp,
            host=event.host, user=event.user, attack=attack,
            matched=(MatchedField("UserAgent", signin.user_agent),
                     MatchedField("user_agent_match", agent),
                     MatchedField("IPAddress", signin.address or ""),
                     MatchedField("ResultType", "" if signin.result is None else str(signin.result))),
            event={name: event.fields[name] for name in _SHOWN if name in event.fields},
            description=(f"{signin.user or 'A user'} signed in {where} with a user agent that "
                         f"contains {agent!r} ({signin.user_agent}); the sign-in {outcome}, on "
                         f"{device}. Scripts that collect mail and files through Graph sign in "
                         "like this; automation accounts belong in expected_ips."),
        )
