"""Where indicator values show in events: each field name has a role (a path, a host, a URL ...).

The roles are data (``ROLES``): Sysmon/Windows names (``Image``, ``TargetFilename``,
``ImageLoaded``, ``Hashes``, ``TargetObject`` + ``Details``, ``QueryName``, ``QueryResults``,
``DestinationHostname``, ``DestinationIp``, ``ServiceName``, ``ImagePath``, ``CommandLine`` ...),
the ECS names the JSON reader keeps, W3C proxy names (``c-uri``, ``cs-host``), Zeek names
(``query``, ``answers``, ``host`` + ``uri``, ``server_name``, ``id.resp_h``, ``san.dns``), pcap
flows (the same names, and the request line and ``Host`` of a plain-HTTP flow's first bytes),
e-mail (sender domains, links in the bodies, attachment names, hashes and archive members) and
file events (``path``, ``FileName``, ``md5``/``sha1``/``sha256``). Any field whose name ends in
``md5``, ``sha1`` or ``sha256`` is read as a hash; names are matched in any case when their
exact spelling is not known (CSV exports write ``queryname``, ``Url`` ...).

``FieldRoles`` remembers the role of every field name, and for every event shape (the tuple of
its field names: events of one log share a few shapes) the fields that have a role, so an event
costs one probe for its shape plus the look-ups of those fields (themselves remembered per value
for paths, hosts and URLs, see ``index``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from huntpack.analyzers.indicators.index import Found, Hit, IndicatorIndex
from huntpack.analyzers.indicators.normalise import executable_of, registry_key
from huntpack.analyzers.url.links import html_links, text_links

ROLES: dict[str, str] = {
    **dict.fromkeys(("Image", "TargetFilename", "ImageLoaded", "TargetImage", "SourceImage",
                     "NewProcessName", "ProcessName", "Application", "file.path", "dll.path",
                     "process.executable"), "path"),
    "path": "evidence_path",
    **dict.fromkeys(("ImagePath", "ServiceFileName"), "command"),
    **dict.fromkeys(("FileName", "file.name", "filename", "OriginalFileName",
                     "RelativeTargetName", "email.attachments.file.name"), "name"),
    "email.attachments.archive_members": "member",
    **dict.fromkeys(("Hashes", "hashes"), "hash"),
    **dict.fromkeys(("QueryName", "DestinationHostname", "dns.question.name", "url.domain",
                     "destination.domain", "cs-host", "host", "query", "server_name", "san.dns",
                     "r-dns", "DestinationIp", "SourceIp", "id.resp_h", "id.orig_h",
                     "destination.ip", "source.ip", "dst_ip", "r-ip", "IpAddress"), "host"),
    **dict.fromkeys(("QueryResults", "answers", "dns.answers.data"), "answers"),
    **dict.fromkeys(("c-uri", "url", "url.full", "url.original", "URL", "cs-uri",
                     "request.url", "uri", "cs-uri-stem"), "url"),
    **dict.fromkeys(("ServiceName", "service.name"), "service"),
    **dict.fromkeys(("CommandLine", "ScriptBlockText", "Details"), "text"),
    "TargetObject": "registry",
    "ObjectName": "object",
    **dict.fromkeys(("email.from.address", "email.reply_to.address", "email.sender.address",
                     "email.return_path.address"), "address"),
    "email.body.text": "body_text",
    "email.body.html": "body_html",
    "orig_payload": "http_request",
}
_LOWER_ROLES = {name.lower(): role for name, role in ROLES.items()}  # CSV headers, any case
_URI_HOSTS = ("host", "cs-host", "url.domain", "destination.domain")
_HASH = re.compile(r"(?<![0-9a-f])(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})(?![0-9a-f])")
# a service's own key: its creation, or its program (``ImagePath``), names the service
_SERVICE_KEY = re.compile(r"hk(?:lm|cu)\\system\\currentcontrolset\\services\\([^\\]+)")
_REQUEST = re.compile(rb"^[A-Z]{3,7} (\S{1,4000}) HTTP/1\.[01]\r?\n")
_HOST_HEADER = re.compile(rb"\r?\nhost:[ \t]*([^\r\n]{1,300})", re.IGNORECASE)

# which look-up tables (or scanners) a role needs; a role whose tables are all empty is skipped
_NEEDS: dict[str, tuple[str, ...]] = {
    "path": ("path", "name"), "evidence_path": ("path", "name"), "command": ("path", "name", "text"),
    "name": ("name",), "member": ("name",), "hash": ("hash",),
    "host": ("domain", "ip"), "answers": ("domain", "ip"), "address": ("domain",),
    "url": ("url", "domain", "ip"), "body_text": ("url", "domain", "ip"),
    "body_html": ("url", "domain", "ip"), "http_request": ("url", "domain", "ip"),
    "service": ("service",), "text": ("text",), "registry": ("registry", "service"),
    "object": ("registry", "path", "name"),
}
_MAX_NAMES = 65_536


class FieldRoles:
    """Field name -> role, for the tables one index has; and, per event shape (its tuple of
    field names, which repeats from event to event), the fields worth reading."""

    def __init__(self, index: IndicatorIndex) -> None:
        have = set(index.tables)
        if index.text:
            have.add("text")
        if index.registry:
            have.add("registry")
        self.enabled = frozenset(role for role, needs in _NEEDS.items() if have.intersection(needs))
        self.known: dict[str, str | None] = {}
        self.shapes: dict[tuple[str, ...], tuple[tuple[str, Handler], ...]] = {}

    def get(self, name: str) -> str | None:
        role = self.known.get(name, _UNSEEN)
        if role is _UNSEEN:
            role = ROLES.get(name) or _LOWER_ROLES.get(name.lower())
            if role is None and name.lower().endswith(("md5", "sha1", "sha256")):
                role = "hash"
            role = role if role in self.enabled else None
            if len(self.known) < _MAX_NAMES:
                self.known[name] = role
        return role

    def handlers(self, fields: Mapping[str, Any]) -> tuple[tuple[str, Handler], ...]:
        shape = tuple(fields)
        found = self.shapes.get(shape)
        if found is None:
            found = tuple((name, _HANDLERS[role]) for name in shape
                          if (role := self.get(name)) is not None)
            if len(self.shapes) >= _MAX_NAMES:
                self.shapes.clear()
            self.shapes[shape] = found
        return found


_UNSEEN = "\0unseen"  # a role not worked out yet
Hits = dict[str, Hit]
Handler = Callable[[IndicatorIndex, Mapping[str, Any], str, str, Hits], None]


def collect_hits(fields: Mapping[str, Any], index: IndicatorIndex, roles: FieldRoles
                 ) -> Hits:
    """Every indicator some field of the event matches, by indicator key (first hit kept)."""
    hits: Hits = {}
    for name, handler in roles.handlers(fields):
        value = fields[name]
        if value.__class__ is str:
            if value:
                handler(index, fields, name, value, hits)
        elif isinstance(value, list):
            for item in value[:1000]:
                if isinstance(item, str) and item:
                    handler(index, fields, name, item, hits)
    return hits


def _add(hits: Hits, found: Found, name: str, value: str, prefix: str = "") -> None:
    for indicator, how in found:
        if prefix:
            how = f"{prefix}, {how}" if how else prefix
        hits.setdefault(indicator.key, Hit(indicator, name, value, how))


def _path(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
          hits: Hits) -> None:
    _add(hits, index.path(value), name, value)


def _evidence_path(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
                   hits: Hits) -> None:
    """A file given as evidence: ``archive.zip!member`` names the member."""
    _path(index, fields, name, value.rpartition("!")[2] or value, hits)


def _command(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
             hits: Hits) -> None:
    _path(index, fields, name, executable_of(value), hits)
    _text(index, fields, name, value, hits)


def _name(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
          hits: Hits) -> None:
    _add(hits, index.name(value), name, value)


def _member(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
            hits: Hits) -> None:
    """``archive.zip!dir/member.exe (123 bytes)`` -> ``member.exe``."""
    member = re.sub(r" \(\d+ bytes[^)]*\)$", "", value).rpartition("!")[2]
    _add(hits, index.name(member), name, value)


def _hash(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
          hits: Hits) -> None:
    for part in value.split(","):
        label, _, digest = part.rpartition("=")
        if label.strip().lower() == "imphash":
            continue
        for found in _HASH.findall(digest.lower()):
            for indicator in index.hashes(found):
                hits.setdefault(indicator.key, Hit(indicator, name, part.strip()))


def _host(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
          hits: Hits) -> None:
    _add(hits, index.host(value), name, value)


def _answers(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
             hits: Hits) -> None:
    """DNS answers: Sysmon writes ``type: 5 name;::ffff:198.51.100.7;``, Zeek a list."""
    for answer in re.split(r"[;,\s]+", value):
        if answer and not answer.startswith("type:") and not answer.isdigit():
            _add(hits, index.host(answer), name, value, f"DNS answer {answer}")


def _address(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
             hits: Hits) -> None:
    _add(hits, index.host(value.rpartition("@")[2]), name, value, "domain of the address")


def _url(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
         hits: Hits) -> None:
    url = value
    if value.startswith("/"):
        host = next((h for h in map(fields.get, _URI_HOSTS) if isinstance(h, str) and h), None)
        if host is None:
            return
        url = host + value
        query = fields.get("cs-uri-query")
        if name == "cs-uri-stem" and isinstance(query, str) and query not in ("", "-"):
            url += "?" + query.lstrip("?")
    _add(hits, index.url(url), name, url)


def _links(index: IndicatorIndex, hrefs: list[str], hits: Hits) -> None:
    for href in dict.fromkeys(hrefs):
        _add(hits, index.url(href), "email link", href)


def _body_text(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
               hits: Hits) -> None:
    _links(index, [link.href for link in text_links(value)], hits)


def _body_html(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
               hits: Hits) -> None:
    _links(index, [link.href for link in html_links(value)], hits)


def _http_request(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
                  hits: Hits) -> None:
    """The request line and ``Host`` header of a plain-HTTP flow's first bytes (pcap)."""
    if fields.get("service") != "http":
        return
    try:
        head = bytes.fromhex(value[:8192])
    except ValueError:
        return
    request, host = _REQUEST.match(head), _HOST_HEADER.search(head)
    if request is None or host is None:
        return
    target = request.group(1).decode("latin-1")
    url = target if "://" in target else host.group(1).decode("latin-1").strip() + target
    _add(hits, index.url(url), "http request", url)


def _service(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
             hits: Hits) -> None:
    for indicator in index.service(value):
        hits.setdefault(indicator.key, Hit(indicator, name, value))


def _text(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
          hits: Hits) -> None:
    if index.text:
        for indicator in index.text.scan(value):
            hits.setdefault(indicator.key, Hit(indicator, name, value, "written in the text"))


def _registry(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
              hits: Hits) -> None:
    """Sysmon 12/13/14: ``TargetObject`` is a key, or (``SetValue``, ``DeleteValue``, EID 13)
    a key and its value name, with the data in ``Details``."""
    kind = fields.get("EventType")
    is_value = kind in ("SetValue", "DeleteValue") or (kind is None and fields.get("EventID") == 13)
    data = fields.get("Details")
    key, value_name = registry_key(value), None
    if is_value:
        key, _, value_name = key.rpartition("\\")
    _registry_hits(index, name, value, key, value_name,
                   data if isinstance(data, str) else None, hits)


def _object(index: IndicatorIndex, fields: Mapping[str, Any], name: str, value: str,
            hits: Hits) -> None:
    """Security 4657/4663 ``ObjectName``: a registry key (with ``ObjectValueName`` and
    ``NewValue``) or a file."""
    if not value.lower().startswith("\\registry\\"):
        _path(index, fields, name, value, hits)
        return
    value_name, data = fields.get("ObjectValueName"), fields.get("NewValue")
    _registry_hits(index, name, value, registry_key(value),
                   value_name if isinstance(value_name, str) and value_name != "-" else None,
                   data if isinstance(data, str) else None, hits)


def _registry_hits(index: IndicatorIndex, name: str, shown: str, key: str,
                   value_name: str | None, data: str | None, hits: Hits) -> None:
    text = shown if data is None else f"{shown} = {data}"
    for indicator in index.registry.match(key, value_name, data):
        hits.setdefault(indicator.key, Hit(indicator, name, text))
    service = _SERVICE_KEY.fullmatch(key)
    if service is not None and (value_name or "").lower() in ("", "imagepath"):
        for indicator in index.service(service.group(1)):
            hits.setdefault(indicator.key, Hit(indicator, name, text, "service key"))


_HANDLERS: dict[str, Handler] = {
    "path": _path, "evidence_path": _evidence_path, "command": _command, "name": _name,
    "member": _member, "hash": _hash, "host": _host, "answers": _answers,
    "address": _address, "url": _url, "body_text": _body_text, "body_html": _body_html,
    "http_request": _http_request, "service": _service, "text": _text,
    "registry": _registry, "object": _object,
}
