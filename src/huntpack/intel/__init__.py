"""Campaign packs (load, validate, STIX in/out), the offline ATT&CK catalog, indicator sets.

Imports only ``huntpack.model`` (and ``huntpack.errors``); never ``sources``.
"""
