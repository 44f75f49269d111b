#!/bin/sh
# Rebuild the test PE files from their C sources (the built files are committed, so the tests
# need no compiler). Needs Debian's gcc-mingw-w64-x86-64 and the Python package pefile:
#   apt-get install -y gcc-mingw-w64-x86-64 && bash tests/data/file/build.sh
# Flags: -O2 -s (stripped: no debug sections), -Wl,--no-insert-timestamp (same source ->
# same bytes), -mwindows for the GUI programs. Nothing built here is ever run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cc=${CC:-x86_64-w64-mingw32-gcc}
flags="-O2 -s -Wl,--no-insert-timestamp"
out="$here/bin"
mkdir -p "$out"
$cc $flags -mwindows -o "$out/keylog_hook.exe" "$here/src/keylog_hook.c"
$cc $flags -o "$out/keylog_poll.exe" "$here/src/keylog_poll.c"
$cc $flags -o "$out/keylog_resolved.exe" "$here/src/keylog_resolved.c"
$cc $flags -mwindows -o "$out/clean_gui.exe" "$here/src/clean_gui.c"
# the bundled example: FatalRAT-like strings, then made to look UPX-packed
$cc $flags -mwindows -o "$out/fatalrat_like.exe" "$here/src/fatalrat_like.c"
python "$here/upx_lookalike.py" "$out/fatalrat_like.exe" \
    "$root/examples/fatalrat-incident/files/Svwxya.exe"
rm "$out/fatalrat_like.exe"
