"""Static pruning: drop, per route, the rules that cannot match events of that route.

Events that share a route key also share the exact values of a few identity fields
(``EventID``, ``Channel``, ``Provider_Name``). A rule whose condition is already false for those
values (e.g. ``EventID: 4624`` on a 4688 event) is removed from the route's bucket. The verdict
uses the rule's own matchers on the same values ``match`` would read, so it is exact; the
oracle never prunes, and the corpus tests compare the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huntpack.rules.predicates import And, FieldMatch, Not, Or, Predicate
from huntpack.rules.values import FieldValues

PINNED_FIELDS = ("EventID", "Channel", "Provider_Name")
_ABSENT = object()


def pinned_values(fields: Mapping[str, Any]) -> tuple[Any, ...]:
    """The exact values of the pinned fields (hashable), part of the route key."""
    return tuple(_hashable(fields.get(name, _ABSENT)) for name in PINNED_FIELDS)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def static_verdict(predicate: Predicate, pinned: Mapping[str, Any]) -> bool | None:
    """True/False when the pinned values decide ``predicate``; None when they do not."""
    if isinstance(predicate, FieldMatch):
        return _field_verdict(predicate, pinned)
    if isinstance(predicate, And):
        verdicts = [static_verdict(child, pinned) for child in predicate.children]
        if False in verdicts:
            return False
        return True if all(verdict is True for verdict in verdicts) else None
    if isinstance(predicate, Or):
        verdicts = [static_verdict(child, pinned) for child in predicate.children]
        if True in verdicts:
            return True
        return False if all(verdict is False for verdict in verdicts) else None
    if isinstance(predicate, Not):
        inner = static_verdict(predicate.child, pinned)
        return None if inner is None else not inner
    return None


def _field_verdict(predicate: FieldMatch, pinned: Mapping[str, Any]) -> bool | None:
    if predicate.field not in pinned:
        return None
    value = pinned[predicate.field]
    if value is _ABSENT:
        return None  # another spelling of the name may still resolve: leave it to match()
    if value is None:
        return False
    raw = [item for item in value if item is not None] if isinstance(value, tuple) else [value]
    return predicate.matcher.test(FieldValues(raw))


def pinned_mapping(values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(PINNED_FIELDS, values, strict=True))
