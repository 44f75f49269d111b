"""``python -m huntpack`` runs the command-line interface."""

from __future__ import annotations

from huntpack.cli.main import entry

if __name__ == "__main__":
    entry()
