"""Windows event records: the evtx JSON shape and the flattened Winlogbeat/NXLog/Mordor shape.

The evtx shape is what the Rust ``evtx`` parser renders (``{"Event": {"System": ...,
"EventData": ...}}``); JSON files in that shape and EVTX files go through the same function, so
both give the same fields. Field names are the ones Sigma rules use:

* ``System`` values are lifted (``EventID``, ``Channel``, ``Computer``, ``Level`` ...), XML
  attributes under ``<Element>_<Attribute>`` (``Provider_Name``, ``Security_UserID``,
  ``Execution_ProcessID``), ``TimeCreated`` is the SystemTime string (to microseconds);
* named ``EventData``/``ProcessingErrorData`` items go to the top level; unnamed ``Data``
  becomes the field ``Data`` (a string or a list of strings);
* ``UserData``'s single child element has its children lifted; deeper elements are joined
  with ``.`` and their XML attributes appear as ``Element.Attribute``;
* any other section (``RenderingInfo`` ...) is kept under its own name, joined with ``.``;
* ``System`` wins on a name clash. Values keep their JSON types.

Trailing spaces are cut from string values: older ``evtx`` builds pad some strings with spaces
the event never had (omerbenamram/evtx#249, fixed upstream), and SigmaHQ's JSON twins of its
regression EVTX files carry the trimmed values that its expected match counts are based on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: System elements whose XML attributes become fields (``Provider`` -> ``Provider_Name`` ...).
_SYSTEM_ATTRIBUTES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Provider", (("Name", "Provider_Name"), ("Guid", "Provider_Guid"))),
    ("TimeCreated", (("SystemTime", "TimeCreated"),)),
    ("Security", (("UserID", "Security_UserID"),)),
    ("Execution", (("ProcessID", "Execution_ProcessID"), ("ThreadID", "Execution_ThreadID"))),
    ("Correlation", ()),
)
_LIFTED = frozenset({"EventData", "ProcessingErrorData"})
_SKIPPED = frozenset({"System", "#attributes"})
_UNNAMED = ("#attributes", "Data", "#text")
_MAX_DEPTH = 32


def windows_fields(event: Mapping[str, Any], *, trim: bool = True) -> dict[str, Any]:
    """Flat Sigma-style fields of an evtx-JSON ``Event`` object (the value of ``"Event"``).

    ``trim=False`` skips cutting trailing spaces, for callers that know there are none.
    """
    fields: dict[str, Any] = {}
    for section, body in event.items():
        if body is None or section in _SKIPPED:
            continue
        if section in _LIFTED:
            _lift_event_data(body, fields, trim)
        elif section == "UserData":
            _lift_user_data(body, fields)
        else:
            _flatten_xml(body, section, fields, 0)
    system = event.get("System")
    if isinstance(system, dict):
        fields.update(system_fields(system))
    return fields


def system_fields(system: Mapping[str, Any]) -> dict[str, Any]:
    """The lifted ``System`` values of one event (written for speed: it runs per record).

    The schema fixes ``System``'s children; only the attribute holders and ``EventID`` (with
    its ``Qualifiers``) can be objects.
    """
    out = dict(system)
    for element, attributes in _SYSTEM_ATTRIBUTES:
        holder = out.pop(element, None)
        if holder and attributes:
            values = holder.get("#attributes") if type(holder) is dict else None
            if values:
                for attribute, name in attributes:
                    value = values.get(attribute)
                    if value is not None:
                        out[name] = value
    if None in out.values():
        out = {name: value for name, value in out.items() if value is not None}
    event_id = out.get("EventID")
    if event_id is not None and type(event_id) is not int:
        out["EventID"] = as_event_id(event_id)
    created = out.get("TimeCreated")
    if type(created) is str and len(created) > 27:
        out["TimeCreated"] = _to_microseconds(created)
    return out


def flat_windows_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Complete an already flat Winlogbeat/NXLog/Mordor record (changed in place, returned)."""
    event_id = fields.get("EventID")
    if event_id is not None and type(event_id) is not int:
        fields["EventID"] = as_event_id(event_id)
    for sigma_name, alias in (
        ("Computer", "Hostname"),
        ("Provider_Name", "SourceName"),
        ("Provider_Guid", "ProviderGuid"),
    ):
        if sigma_name not in fields and fields.get(alias) is not None:
            fields[sigma_name] = fields[alias]
    return fields


def as_event_id(value: Any) -> Any:
    """An event id as int when it is numeric (``"4688"`` -> 4688, ``{"#text": "1"}`` -> 1);
    other values unchanged."""
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
    elif isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _lift_event_data(data: Any, fields: dict[str, Any], trim: bool) -> None:
    if not isinstance(data, dict):
        fields["Data"] = _unnamed(data)
        return
    types = set(map(type, data.values()))
    if dict in types or list in types or any(name in data for name in _UNNAMED):
        _lift_items(data, fields)
    elif trim and str in types:
        fields.update({name: _clean(value) for name, value in data.items()})
    else:
        fields.update(data)


def _lift_items(data: Mapping[str, Any], fields: dict[str, Any]) -> None:
    for name, value in data.items():
        if name == "#attributes":
            continue
        if name == "Data" or name == "#text":
            fields["Data"] = _unnamed(value)
        elif isinstance(value, dict):
            _flatten_xml(value, name, fields, 0)
        else:
            fields[name] = _clean(value)


def _lift_user_data(data: Any, fields: dict[str, Any]) -> None:
    if not isinstance(data, dict):
        fields["UserData"] = _clean(data)
        return
    for tag, element in data.items():
        if tag == "#attributes" or not isinstance(element, dict):
            continue
        for name, value in element.items():
            if name != "#attributes":
                _flatten_xml(value, name, fields, 0)


def _unnamed(value: Any) -> Any:
    """Unnamed ``<Data>`` items: ``{"#text": [...]}``, a list, or one value."""
    if isinstance(value, dict):
        value = value.get("#text")
    return _clean(value)


def _flatten_xml(value: Any, name: str, out: dict[str, Any], depth: int) -> None:
    """XML-rendered JSON: ``#text`` is the element's value, ``#attributes`` its sub-fields."""
    if not isinstance(value, dict) or depth >= _MAX_DEPTH:
        out[name] = _clean(value)
        return
    for key, child in value.items():
        if key == "#text":
            out[name] = _unnamed(child)
        elif key == "#attributes" and isinstance(child, dict):
            for attribute, attribute_value in child.items():
                out[f"{name}.{attribute}"] = _clean(attribute_value)
        else:
            _flatten_xml(child, f"{name}.{key}", out, depth + 1)


def _clean(value: Any) -> Any:
    if type(value) is str:
        return value.rstrip(" ")
    if isinstance(value, list):
        return [_clean(item.get("#text") if isinstance(item, dict) else item) for item in value]
    if isinstance(value, dict):  # only past the depth limit: keep it, as text
        return str(value)
    return value


def _to_microseconds(created: str) -> str:
    """``...T08:31:26.751156500Z`` -> ``...T08:31:26.751156Z`` (what evtx renders)."""
    if created[19:20] == "." and created.endswith("Z"):
        return created[:26] + "Z"
    return created
