"""huntpack: turn a threat-intelligence campaign into a hunt and run it over evidence.

Layers (imports go one way, checked by import-linter):
``cli > report > hunt > {rules | analyzers} > {sources | intel} > model``.
"""

from __future__ import annotations

__version__ = "0.1.0"
