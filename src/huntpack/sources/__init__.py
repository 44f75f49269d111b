"""Evidence readers: a path in, ``Event``s out, with format sniffing by content.

Imports only ``huntpack.model`` (and ``huntpack.errors``); never ``intel``.
"""
