"""Header anomalies: signs that a message is not from whom it claims.

Each check takes the message's fields and returns ``Anomaly`` records (a stable kind, the
fields that show it, the explanation): Reply-To or Return-Path in another organisation than
From, a display name that embeds another address, a display name that names an internal domain
from outside, a From domain that imitates a protected one, and archive lures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from huntpack.analyzers.url.lookalike import Protected, judge_domain, registrable

_ADDRESS = re.compile(r"[\w.+'-]+@([\w-]+(?:\.[\w-]+)+)", re.UNICODE)
_EXECUTABLE = (".exe", ".scr", ".com", ".pif", ".bat", ".cmd", ".js", ".jse", ".vbs", ".vbe",
               ".wsf", ".hta", ".lnk", ".msi", ".dll", ".ps1", ".iso", ".img",
               ".zip", ".rar", ".7z")  # an archive inside an archive hides the program too


@dataclass(frozen=True, slots=True)
class Anomaly:
    """One anomaly: its kind, the field/value pairs that show it, and why it matters."""

    kind: str
    fields: tuple[tuple[str, str], ...]
    explanation: str


def first(fields: Mapping[str, Any], name: str) -> str:
    """The first value of a (list) field, as text; "" when absent."""
    value = fields.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().strip("<>").lower() if "@" in address else ""


def organisation(domain: str) -> str:
    return registrable(domain) or domain


def reply_path_anomalies(fields: Mapping[str, Any]) -> list[Anomaly]:
    """Reply-To / Return-Path addresses in another organisation than the From address."""
    sender = first(fields, "email.from.address")
    sender_org = organisation(domain_of(sender)) if domain_of(sender) else ""
    found: list[Anomaly] = []
    for kind, name in (("reply-to-mismatch", "email.reply_to.address"),
                       ("return-path-mismatch", "email.return_path.address")):
        other = first(fields, name)
        other_domain = domain_of(other)
        if not sender_org or not other_domain or organisation(other_domain) == sender_org:
            continue
        found.append(Anomaly(kind, (("email.from.address", sender), (name, other)),
                             f"{name.split('.')[1].replace('_', '-')} {other} is outside "
                             f"the sender's domain {sender_org}"))
    return found


def display_name_anomalies(fields: Mapping[str, Any], internal: Sequence[str]
                           ) -> list[Anomaly]:
    """A display name embedding another address, or naming an internal domain from outside."""
    sender = first(fields, "email.from.address").lower()
    display = first(fields, "email.from.display_name")
    if not display or not sender:
        return []
    pair = (("email.from.display_name", display), ("email.from.address", sender))
    found: list[Anomaly] = []
    for match in _ADDRESS.finditer(display):
        if match.group(0).lower() != sender:
            found.append(Anomaly("display-name-address", pair,
                                 f"display name shows {match.group(0)} but the mail is from "
                                 f"{sender}"))
            break
    sender_org = organisation(domain_of(sender))
    for domain in internal:
        label = domain.split(".")[0]
        named = domain in display.lower() or (len(label) >= 4 and label in display.lower())
        if named and sender_org != organisation(domain):
            found.append(Anomaly("display-name-internal", pair,
                                 f"display name names the internal domain {domain} but the "
                                 f"mail comes from {sender_org}"))
            break
    return found


def lookalike_sender(fields: Mapping[str, Any], protected: tuple[Protected, ...],
                     max_distance: int) -> list[Anomaly]:
    """A From domain that imitates a protected (brand or internal) domain."""
    sender = first(fields, "email.from.address")
    domain = domain_of(sender)
    if not domain:
        return []
    verdicts = judge_domain(domain, protected, max_distance)
    return [Anomaly("from-lookalike", (("email.from.address", sender),),
                    f"sender domain: {verdict.explanation}")
            for verdict in verdicts if verdict.imitates][:1]


def archive_lures(fields: Mapping[str, Any], keywords: Sequence[str],
                  extensions: Sequence[str]) -> list[Anomaly]:
    """An archive attachment with a lure word in its name or the subject, or a program
    inside it."""
    names = fields.get("email.attachments.file.name") or []
    members = fields.get("email.attachments.archive_members") or []
    subject = first(fields, "email.subject").lower()
    for name in names:
        lowered = str(name).lower()
        if not lowered.endswith(tuple(extensions)):
            continue
        words = [word for word in keywords if word.lower() in lowered or word.lower() in subject]
        programs = [m for m in members if str(m).lower().startswith(lowered + "!")
                    and _is_program(str(m))]
        if words or programs:
            why = f"lure words {words}" if words else f"a program inside: {programs[0]}"
            return [Anomaly("archive-lure", (("email.attachments.file.name", str(name)),),
                            f"archive attachment {name} with {why}")]
    return []


def _is_program(member: str) -> bool:
    name = member.rsplit(" (", 1)[0].lower()
    return name.endswith(_EXECUTABLE)
