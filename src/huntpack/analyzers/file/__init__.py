"""File analyzers: PE structure (packing, keylogging, sandbox checks, FatalRAT traits) and YARA.

``file.pe`` (``pe.PeAnalyzer``) and ``file.yara`` (``yara_scan.YaraAnalyzer``) read the ``file``
events of ``huntpack.sources.executable``: the bytes come from the event's ``payload`` (archive
members) or from its ``path`` on disk, read-only and size-limited. Files are parsed, never run.

Imports ``huntpack.model`` and ``huntpack.intel`` (to find the built-in packs' YARA folders) only;
never ``rules``, ``hunt``, ``report`` or ``cli``.
"""
