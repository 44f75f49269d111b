"""``conclude`` of the ``signin`` analyzer: what only the whole evidence shows.

* **burst**: one user's scripted sign-ins, at least ``burst_count`` of them within
  ``burst_window_seconds`` (a collection script logging in again and again);
* **new addresses**: one user's scripted sign-ins from at least ``new_ips`` distinct addresses
  within ``new_ips_window_seconds``, each address neither expected nor ever used by that user
  for an ordinary (non-scripted) sign-in in the evidence.

One finding per user and check: the window with the most sign-ins (or addresses).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from huntpack.analyzers.signin.settings import SigninSettings
from huntpack.analyzers.signin.view import KnownAddress, Scripted
from huntpack.model import AttackRef, Finding, MatchedField, Severity

_MAX_RELATED = 50


def conclude_signins(name: str, settings: SigninSettings, records: Sequence[Any]) -> list[Finding]:
    known = {(r.user, r.address) for r in records if isinstance(r, KnownAddress)}
    by_user: dict[str, list[Scripted]] = defaultdict(list)
    for record in records:
        if isinstance(record, Scripted):
            by_user[record.user].append(record)
    findings: list[Finding] = []
    for user in sorted(by_user):
        signins = sorted(by_user[user], key=lambda r: (r.timestamp, str(r.origin)))
        burst = _densest(signins, settings.burst_window)
        if len(burst) >= settings.burst_count:
            findings.append(_burst_finding(name, user, burst, settings))
        new = [r for r in signins if r.address and (user, r.address) not in known
               and not settings.is_expected(r.address)]
        spread = _densest(new, settings.new_ips_window, distinct=True)
        if _addresses(spread) >= settings.new_ips:
            findings.append(_new_ips_finding(name, user, spread, settings))
    return findings


def _addresses(window: Sequence[Scripted]) -> int:
    return len({r.address for r in window})


def _densest(signins: Sequence[Scripted], span: float, distinct: bool = False) -> list[Scripted]:
    """The window of at most ``span`` seconds (input sorted by time) with the most sign-ins,
    or with the most distinct addresses when ``distinct``."""
    best, best_score, start = (0, 0), 0, 0
    seen: Counter[str | None] = Counter()
    for end, record in enumerate(signins):
        seen[record.address] += 1
        while record.timestamp - signins[start].timestamp > span:
            seen[signins[start].address] -= 1
            if not seen[signins[start].address]:
                del seen[signins[start].address]
            start += 1
        score = len(seen) if distinct else end + 1 - start
        if score > best_score:
            best, best_score = (start, end + 1), score
    return list(signins[best[0] : best[1]])


def _burst_finding(name: str, user: str, burst: list[Scripted],
                   settings: SigninSettings) -> Finding:
    minutes = (burst[-1].timestamp - burst[0].timestamp) / 60
    agents = Counter(r.agent for r in burst)
    return _finding(
        name, "signin-scripting-burst", f"Burst of {len(burst)} scripted sign-ins by one user",
        Severity.HIGH, user, burst,
        (MatchedField("count", str(len(burst))), MatchedField("minutes", f"{minutes:.1f}"),
         MatchedField("user_agent_matches", ", ".join(sorted(agents)))),
        f"{user} signed in {len(burst)} times in {minutes:.1f} minutes with scripting clients "
        f"({', '.join(f'{a} x{n}' for a, n in agents.most_common())}); the threshold is "
        f"{settings.burst_count} within {settings.burst_window / 60:g} minutes. Repeated "
        "token requests by a script are how bulk collection through Graph usually looks.")


def _new_ips_finding(name: str, user: str, spread: list[Scripted],
                     settings: SigninSettings) -> Finding:
    addresses = sorted({r.address or "" for r in spread})
    hours = (spread[-1].timestamp - spread[0].timestamp) / 3600
    return _finding(
        name, "signin-scripting-new-ips",
        f"Scripted sign-ins by one user from {len(addresses)} new addresses", Severity.HIGH,
        user, spread,
        (MatchedField("addresses", ", ".join(addresses)), MatchedField("hours", f"{hours:.1f}")),
        f"{user} signed in with scripting clients from {len(addresses)} addresses within "
        f"{hours:.1f} hours that are not expected and that the user never used for an ordinary "
        f"sign-in in this evidence: {', '.join(addresses)}. The threshold is {settings.new_ips} "
        f"within {settings.new_ips_window / 3600:g} hours.")


def _finding(name: str, rule_id: str, title: str, level: Severity, user: str,
             window: list[Scripted], matched: tuple[MatchedField, ...], description: str) -> Finding:
    first = window[0]
    attack = (AttackRef("T1119"),) + ((AttackRef("T1078.004"),) if any(
        r.success for r in window) else ())
    return Finding(
        rule_id=rule_id, title=title, level=level, source=name, origin=first.origin,
        timestamp=first.timestamp, host=first.address, user=user, attack=attack,
        matched=(MatchedField("UserPrincipalName", user), *matched),
        related=tuple(r.origin for r in window[1 : _MAX_RELATED + 1]),
        description=description)
