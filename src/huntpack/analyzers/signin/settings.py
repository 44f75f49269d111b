"""Settings of the ``signin`` analyzer, checked once when the analyzer is built.

| setting | default | meaning |
|---|---|---|
| ``scripting_user_agents`` | ``[]`` | more user-agent substrings (case-insensitive) that mark a scripting client |
| ``builtin_user_agents`` | ``true`` | also use ``BUILTIN_USER_AGENTS``; ``false``: only your list |
| ``expected_ips`` | ``[]`` | addresses or CIDR networks scripted sign-ins may come from (automation egress) |
| ``burst_count`` | 10 | scripted sign-ins of one user within ``burst_window_seconds`` that make a burst |
| ``burst_window_seconds`` | 900 | the burst window |
| ``new_ips`` | 3 | distinct new addresses from which one user's scripted sign-ins make a finding; new: not expected, and never used by the user for an ordinary sign-in in the evidence |
| ``new_ips_window_seconds`` | 86400 | the window those addresses must fall in |
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: User-agent substrings of scripting clients and HTTP libraries (compared case-insensitively).
BUILTIN_USER_AGENTS = (
    "python-requests", "python-urllib", "python-httpx", "python/", "aiohttp",
    "powershell",  # WindowsPowerShell/5.1, PowerShell/7.x, Microsoft Graph PowerShell
    "curl/", "wget/", "go-http-client", "okhttp", "axios/", "node-fetch", "undici",
    "libwww-perl", "apache-httpclient", "java/", "azurehound",
)

KNOWN = ("scripting_user_agents", "builtin_user_agents", "expected_ips", "burst_count",
         "burst_window_seconds", "new_ips", "new_ips_window_seconds")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class SigninSettings:
    """The analyzer's settings, validated (see the module docstring)."""

    user_agents: tuple[str, ...] = BUILTIN_USER_AGENTS
    expected: tuple[Network, ...] = ()
    burst_count: int = 10
    burst_window: float = 900.0
    new_ips: int = 3
    new_ips_window: float = 86400.0

    @classmethod
    def parse(cls, name: str, settings: Mapping[str, Any]) -> SigninSettings:
        unknown = sorted(set(settings) - set(KNOWN))
        if unknown:
            raise ValueError(f"{name}: unknown settings {', '.join(unknown)} "
                             f"(known: {', '.join(KNOWN)})")
        builtin = settings.get("builtin_user_agents", True)
        if not isinstance(builtin, bool):
            raise ValueError(f"{name}: setting builtin_user_agents: expected true or false")
        extra = _strings(name, settings, "scripting_user_agents")
        agents = (BUILTIN_USER_AGENTS if builtin else ()) + tuple(a.lower() for a in extra)
        if not agents:
            raise ValueError(f"{name}: no scripting user agents (builtin_user_agents is false "
                             "and scripting_user_agents is empty)")
        return cls(
            user_agents=tuple(dict.fromkeys(agents)),
            expected=tuple(_network(name, text) for text in _strings(name, settings, "expected_ips")),
            burst_count=int(_number(name, settings, "burst_count", 10, minimum=2)),
            burst_window=_number(name, settings, "burst_window_seconds", 900, minimum=1),
            new_ips=int(_number(name, settings, "new_ips", 3, minimum=2)),
            new_ips_window=_number(name, settings, "new_ips_window_seconds", 86400, minimum=1),
        )

    def scripting_agent(self, user_agent: str) -> str | None:
        """The longest configured substring in ``user_agent`` (case-insensitive), or None."""
        lowered = user_agent.lower()
        found = [agent for agent in self.user_agents if agent in lowered]
        return max(found, key=len) if found else None

    def is_expected(self, address: str | None) -> bool:
        if not address or not self.expected:
            return False
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip.version == net.version and ip in net for net in self.expected)


def _strings(name: str, settings: Mapping[str, Any], key: str) -> list[str]:
    value = settings.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{name}: setting {key}: expected a list of non-empty strings")
    return [v.strip() for v in value]


def _network(name: str, text: str) -> Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as error:
        raise ValueError(f"{name}: setting expected_ips: {text!r} is not an address or a CIDR "
                         f"network ({error})") from error


def _number(name: str, settings: Mapping[str, Any], key: str, default: float,
            minimum: float) -> float:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ValueError(f"{name}: setting {key}: expected a number of at least {minimum:g}")
    return float(value)
