"""The ReportDocument (one versioned output contract of a hunt) and the pure views over it.

``document`` is the contract, ``assemble`` builds it from a ``HuntResult``, ``render`` holds the
views (terminal, json, jsonl, csv, html, navigator, stix). May import ``hunt``, ``intel`` and
``model``; never imports ``cli``.
"""
