"""Capabilities read from a PE's imports, strings and code: keylogging and sandbox checks.

An API counts as *used* when it is imported, or when its name is stored as a string in a file
that imports ``GetProcAddress`` (resolved at run time, which hides it from the import table).
``GetKeyState`` alone never makes a keylogger: ordinary GUI programs read Shift and Ctrl with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pefile

from huntpack.analyzers.file.binary import find_texts
from huntpack.analyzers.file.callsite import constants_before_register_calls, first_arguments
from huntpack.analyzers.file.packing import imported_names

HOOK_APIS = ("SetWindowsHookExA", "SetWindowsHookExW")
KEYBOARD_HOOKS = {13: "WH_KEYBOARD_LL", 2: "WH_KEYBOARD"}
KEY_STATE_APIS = ("GetKeyState", "GetKeyboardState", "MapVirtualKeyA", "MapVirtualKeyW",
                  "ToAscii", "ToUnicode", "GetKeyNameTextA", "GetKeyNameTextW", "CallNextHookEx")
TRACKED_APIS = (*HOOK_APIS, *KEY_STATE_APIS, "GetAsyncKeyState", "GetRawInputData",
                "RegisterRawInputDevices")

#: Artefacts whose presence alone shows a sandbox/VM check.
STRONG_EVASION = ("C:\\Users\\vbccsb", "XXAcQbcXXfRSScR", "MSAcpi_ThermalZoneTemperature",
                  "SbieDll.dll", "VMXh", "cuckoomon", "\\\\.\\VBoxMiniRdrDN", "\\\\.\\HGFS")
#: VM vendor strings and service names: two different ones are needed.
WEAK_EVASION = ("VMware", "VirtualBox", "VBoxService", "VBoxGuest",
                "VBoxTray", "vmtoolsd", "vmmouse", "vmhgfs", "Virtual Machine", "QEMU",
                "Xen HVM", "Hyper-V", "SandBoxie", "vboxhook.dll", "wine_get_unix_file_name")
# cpuid, then within 32 bytes a test of ECX bit 31 (the hypervisor-present bit of leaf 1)
_CPUID_HYPERVISOR = re.compile(
    rb"\x0f\xa2.{0,32}?(?:\x0f\xba\xe1\x1f|\xf7\xc1\x00\x00\x00\x80|\x81\xe1\x00\x00\x00\x80)",
    re.DOTALL)


@dataclass(slots=True)
class ApiUse:
    """Which tracked APIs a file uses, and how."""

    imported: set[str] = field(default_factory=set)
    resolved: set[str] = field(default_factory=set)

    def uses(self, *names: str) -> list[str]:
        return [name for name in names if name in self.imported or name in self.resolved]

    def how(self, name: str) -> str:
        return "imported" if name in self.imported else "resolved at run time (GetProcAddress)"


def api_use(pe: pefile.PE, lowered: bytes) -> ApiUse:
    imports = set(imported_names(pe))
    use = ApiUse(imported={name for name in TRACKED_APIS if name in imports})
    if "GetProcAddress" in imports:
        strings = set(find_texts(lowered, TRACKED_APIS))
        use.resolved = {name for name in strings if name not in imports}
    return use


def keylogging_signs(pe: pefile.PE, use: ApiUse) -> list[tuple[str, str]]:
    """(sign, detail) pairs; empty when the file shows no keylogging capability."""
    signs = _hook_signs(pe, use)
    for name in use.uses("GetAsyncKeyState"):
        signs.append(("keyboard polling", f"GetAsyncKeyState {use.how(name)}"))
    raw = use.uses("GetRawInputData", "RegisterRawInputDevices")
    if len(raw) == 2:
        signs.append(("raw keyboard input", ", ".join(raw)))
    if signs:
        for name in use.uses(*KEY_STATE_APIS):
            signs.append(("key-state helper", f"{name} {use.how(name)}"))
    return signs


def _hook_signs(pe: pefile.PE, use: ApiUse) -> list[tuple[str, str]]:
    hooks = use.uses(*HOOK_APIS)
    if not hooks:
        return []
    calls = first_arguments(pe, set(hooks) & use.imported)
    seen = {value for values in calls.values() for value in values}
    if any(name in use.resolved for name in hooks):
        seen |= constants_before_register_calls(pe) & set(KEYBOARD_HOOKS)
    keyboard = sorted(KEYBOARD_HOOKS[v] + f" ({v})" for v in seen if v in KEYBOARD_HOOKS)
    api = hooks[0]
    if keyboard:
        return [("keyboard hook", f"{api} {use.how(api)}, called with {', '.join(keyboard)}")]
    if seen:
        return []  # hooks of other kinds only (mouse, CBT, messages ...)
    helpers = use.uses(*KEY_STATE_APIS)
    if api in use.resolved or helpers:
        why = "resolved at run time" if api in use.resolved else f"with {', '.join(helpers)}"
        return [("hook (type not seen)", f"{api} {why}")]
    return []


def evasion_signs(lowered: bytes, data: bytes) -> list[tuple[str, str]]:
    """(sign, detail) pairs for sandbox/VM checks; empty when there is not enough."""
    strong = find_texts(lowered, STRONG_EVASION)
    weak = find_texts(lowered, WEAK_EVASION)
    signs = [("sandbox/VM artefact", text) for text in strong]
    if _CPUID_HYPERVISOR.search(data):
        signs.append(("hypervisor CPUID check", "cpuid then a test of ECX bit 31"))
    if signs or len(weak) >= 2:
        signs += [("VM vendor or service string", text) for text in weak]
    return signs
