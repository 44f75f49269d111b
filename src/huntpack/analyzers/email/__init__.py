"""E-mail: sender authenticity (SPF, DKIM offline, DMARC alignment) and header anomalies.

The ``email`` analyzer (T1566.002). Imports ``huntpack.model`` and the domain helpers of
``huntpack.analyzers.url``; never ``rules``, ``hunt`` or ``sources``.
"""
