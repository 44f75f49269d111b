"""The ``huntpack`` command: a registry of sub-commands, each in its own module."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from huntpack import __version__
from huntpack.errors import HuntpackError
from huntpack.intel.attack import use_local_attack_in_pysigma

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

EXIT_CODES_HELP = """exit codes:
  0  the command ran and found nothing (or, for non-hunt commands, succeeded)
  1  the hunt produced findings
  2  usage or input error (bad arguments, unreadable pack or evidence, invalid rules given to 'rules check')
  3  internal error (a bug: please report it)
"""

# name -> module; each module has register(subparsers) and sets a 'handler' default.
COMMAND_MODULES: dict[str, str] = {
    "hunt": "huntpack.cli.hunt",
    "rules": "huntpack.cli.rules",
    "campaign": "huntpack.cli.campaign",
    "report": "huntpack.cli.report",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="huntpack",
        description="Turn a threat-intelligence campaign into a hunt and run it over evidence.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"huntpack {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES.values():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        use_local_attack_in_pysigma()  # pySigma must never download ATT&CK
        return int(args.handler(args))
    except HuntpackError as error:
        print(f"huntpack: error [{error.reference}]: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("huntpack: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug: say so, with the traceback, and never exit 1 ("findings")
        traceback.print_exc()
        print("huntpack: internal error (exit 3); please report it with the traceback above",
              file=sys.stderr)
        return EXIT_INTERNAL


def entry() -> None:
    sys.exit(main())
