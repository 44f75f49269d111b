"""Canonical forms: indicator values and event values meet in the same spelling.

Every comparison is case-insensitive. Both sides go through the same function, so a value
written either way (``C:\\Users\\li.wei\\AppData\\Local\\Fatal.key`` in an event,
``%LOCALAPPDATA%\\Fatal.key`` in a pack) ends up the same:

- paths: lower case, ``\\``, quotes and ``\\\\?\\``/``\\??\\`` prefixes dropped, environment
  variables expanded, then the well-known folders written as their variable again
  (``c:\\users\\<anyone>\\appdata\\local`` -> ``%localappdata%``), so a per-user folder matches
  whoever the user is; ``\\Device\\HarddiskVolumeN\\`` is read as ``c:\\``;
- registry keys: hives shortened (``HKEY_LOCAL_MACHINE``/``\\REGISTRY\\MACHINE`` -> ``hklm``), a
  user's hive (``HKU\\<SID>``, ``\\REGISTRY\\USER\\<SID>``) read as ``hkcu``, ``ControlSet00N`` as
  ``CurrentControlSet``; value data ``DWORD (0x00000001)`` and ``0x1`` read as ``1``;
- hosts: lower case, trailing dot and port dropped, IDN as punycode;
- URLs: parsed as a browser does (``ada-url``), then ``host[:port]/path[?query]`` without scheme,
  user name or fragment, so an indicator matches with or without ``http://``.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

_VARIABLES = {
    "%systemroot%": "c:\\windows", "%windir%": "c:\\windows", "%systemdrive%": "c:",
    "%programdata%": "c:\\programdata", "%allusersprofile%": "c:\\programdata",
    "%public%": "c:\\users\\public", "%userprofile%": "c:\\users\\user",
    "%homedrive%%homepath%": "c:\\users\\user", "%appdata%": "c:\\users\\user\\appdata\\roaming",
    "%localappdata%": "c:\\users\\user\\appdata\\local",
    "%temp%": "c:\\users\\user\\appdata\\local\\temp", "%tmp%": "c:\\users\\user\\appdata\\local\\temp",
    "%programfiles%": "c:\\program files", "%programfiles(x86)%": "c:\\program files (x86)",
    "\\systemroot": "c:\\windows",
}
_VARIABLE = re.compile("|".join(re.escape(name) for name in sorted(_VARIABLES, key=len,
                                                                     reverse=True)))
_DEVICE = re.compile(r"^\\device\\harddiskvolume\d+(?=\\)")
# most specific first; each alternative names the variable it stands for
_FOLDERS = (
    ("temp", r"[a-z]:\\users\\[^\\]+\\appdata\\local\\temp"),
    ("localappdata", r"[a-z]:\\users\\[^\\]+\\appdata\\local"),
    ("appdata", r"[a-z]:\\users\\[^\\]+\\appdata\\roaming"),
    ("public", r"[a-z]:\\users\\public"),
    ("userprofile", r"[a-z]:\\users\\[^\\]+"),
    ("programdata", r"[a-z]:\\programdata"),
    ("programfilesx86", r"[a-z]:\\program files \(x86\)"),
    ("programfiles", r"[a-z]:\\program files"),
    ("windir", r"[a-z]:\\windows"),
)
_FOLDER = re.compile("|".join(f"(?P<{name}>{pattern})(?=\\\\|$)" for name, pattern in _FOLDERS))
_EXECUTABLE = re.compile(r"^(.+?\.(?:exe|dll|sys|com|scr|bat|cmd|ps1))(?:\s|$)", re.IGNORECASE)


def path_key(raw: str) -> str:
    """The canonical form of a file path (see the module docstring)."""
    text = raw.strip().strip('"').lower().replace("/", "\\")
    if text.startswith(("\\\\?\\", "\\??\\")):
        text = text[4:]
    text = _DEVICE.sub("c:", text)
    if "%" in text or text.startswith("\\systemroot"):
        text = _VARIABLE.sub(lambda match: _VARIABLES[match.group(0)], text)
    match = _FOLDER.match(text)
    if match is not None and match.lastgroup is not None:
        text = f"%{match.lastgroup}%" + text[match.end():]
    return text


def file_name(raw: str) -> str:
    """The last part of a path, lower-cased, without an alternate data stream
    (``C:\\x\\a.exe:Zone.Identifier`` -> ``a.exe``)."""
    text = raw.strip().strip('"').replace("/", "\\")
    return text.rpartition("\\")[2].partition(":")[0].lower()


def executable_of(command: str) -> str:
    """The program of a service command (``"C:\\x y\\a.exe" -k`` -> ``C:\\x y\\a.exe``)."""
    text = command.strip()
    if text.startswith('"'):
        end = text.find('"', 1)
        return text[1:end] if end > 0 else text[1:]
    match = _EXECUTABLE.match(text)
    return match.group(1) if match else text


_HIVES = (
    ("\\registry\\machine", "hklm"), ("\\registry\\user", "hku"),
    ("hkey_local_machine", "hklm"), ("hkey_current_user", "hkcu"), ("hkey_users", "hku"),
    ("hkey_classes_root", "hkcr"), ("hkey_current_config", "hkcc"),
)
_USER_HIVE = re.compile(r"^hku\\s-1-[0-9-]+(?P<classes>_classes)?(?=\\|$)")
_CONTROL_SET = re.compile(r"^(hklm|hkcu)\\system\\controlset\d{3}(?=\\|$)")
_NUMBER = re.compile(r"^(?:dword|qword) \((0x[0-9a-f]+)(?:-(0x[0-9a-f]+))?\)$")


def registry_key(raw: str) -> str:
    """The canonical form of a registry key (see the module docstring)."""
    text = raw.strip().strip('"').lower().rstrip("\\")
    for long, short in _HIVES:
        if text.startswith(long) and text[len(long):len(long) + 1] in ("", "\\"):
            text = short + text[len(long):]
            break
    user = _USER_HIVE.match(text)
    if user is not None:
        hive = "hkcu\\software\\classes" if user.group("classes") else "hkcu"
        text = hive + text[user.end():]
    elif text.startswith("hkcr") and text[4:5] in ("", "\\"):
        text = "hklm\\software\\classes" + text[4:]
    return _CONTROL_SET.sub(r"\1\\system\\currentcontrolset", text)


def registry_data(raw: str) -> str:
    """Registry value data, lower-cased; numbers as decimal (``DWORD (0x00000001)`` -> ``1``)."""
    text = raw.strip().lower()
    match = _NUMBER.match(text)
    if match is not None:
        high, low = match.group(1), match.group(2)
        number = int(high, 16) if low is None else (int(high, 16) << 32) + int(low, 16)
        return str(number)
    if text.startswith("0x"):
        try:
            return str(int(text, 16))
        except ValueError:
            return text
    return text


def host_key(raw: str) -> str:
    """A host name or address as compared: lower case, no trailing dot, no port, punycode."""
    text = raw.strip().lower().rstrip(".")
    if text.count(":") == 1:
        head, _, port = text.partition(":")
        text = head if port.isdigit() else text
    if text.startswith("::ffff:") and text.count(".") == 3:
        text = text[7:]
    if not text.isascii():
        with contextlib.suppress(UnicodeError):
            text = text.encode("idna").decode("ascii")
    return text


#: Longest DNS name (RFC 1035); a longer "host" is no domain and has no suffixes to look up.
MAX_DOMAIN_CHARS = 253


def domain_suffixes(host: str) -> list[str]:
    """``a.b.example.com`` -> itself, ``b.example.com``, ``example.com`` (never the bare TLD).

    None for a host longer than a DNS name can be: its suffixes grow with the square of its
    length (an 800 kB ``a.a.a...`` URL took 17 GB and did not finish).
    """
    if len(host) > MAX_DOMAIN_CHARS:
        return []
    labels = host.split(".")
    return [".".join(labels[index:]) for index in range(len(labels) - 1)]


def is_ipv4(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(part.isdigit() and len(part) <= 3 for part in parts)


@dataclass(frozen=True, slots=True)
class UrlKey:
    """A URL as compared: ``keys`` (with and without the query), and its host."""

    keys: tuple[str, ...]
    host: str


def url_key(raw: str) -> UrlKey | None:
    """The canonical URL (see the module docstring), or None when it does not parse."""
    import ada_url

    text = raw.strip()
    if text.lower().startswith("hxxp"):
        text = "http" + text[4:]
    elif text.startswith("//"):
        text = "http:" + text
    elif "://" not in text[:16]:
        text = "http://" + text
    try:
        url = ada_url.URL(text)
    except ValueError:
        return None
    host = str(url.hostname).lower().rstrip(".")
    port = str(url.port)
    base = host + (f":{port}" if port else "")
    path = str(url.pathname) or "/"
    bare = (base if path == "/" else base + path).lower()
    query = str(url.search)
    keys = (bare + query.lower(), bare) if query else (bare,)
    return UrlKey(keys, host)
