"""Links and domains: URLs in e-mail and web logs, their obfuscation, look-alike domains.

The ``url`` analyzer (T1566.002). Imports ``huntpack.model`` only (and its own data); never
``rules``, ``hunt`` or ``sources``.
"""
