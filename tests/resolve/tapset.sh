#!/bin/sh
# The tapset library: a function the script calls is pulled in (with
# the tapset file it comes from, so the tree stays self-contained);
# one it does not call is left out.  -I adds a directory whose
# functions and globals are pulled in the same way.  Run from tests/.
BIN=${BIN:-../build/bin}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

# the default library, found next to the build's binary
$BIN/stap-parse -r 6.1.0-test -a x86_64 \
    -e 'probe begin { println(local_clock_ms()) }' |
    $BIN/stap-resolve >"$tmp/out" || fail "default tapset"
grep -q '^file 0 ".*/tapset/timestamp.stp"' "$tmp/out" ||
    fail "no file record for the tapset"
grep -q '^function 0:[0-9]*:1 str="local_clock_ms" type=long$' \
    "$tmp/out" || fail "local_clock_ms not pulled in"
grep -q 'call 1:1:23 str="local_clock_ms" type=long$' "$tmp/out" ||
    fail "call not bound to function 0"
grep -q 'str="local_clock_s"' "$tmp/out" && fail "unused function pulled in"

# -I DIR: a function using a global of its own
mkdir "$tmp/lib"
cat >"$tmp/lib/mine.stp" <<'STP'
global calls
function bump:long (by) { calls += by; return calls }
function unused() { }
STP
$BIN/stap-parse -r 6.1.0-test -a x86_64 \
    -e 'probe begin { println(bump(2)) }' |
    $BIN/stap-resolve -I "$tmp/lib" >"$tmp/out" || fail "-I"
grep -q 'var 0:1:8 str="calls" type=long$' "$tmp/out" ||
    fail "tapset global not pulled in"
grep -q 'args: param 0:2:[0-9]* str="by" type=long$' "$tmp/out" ||
    fail "tapset parameter not typed"
grep -q 'str="unused"' "$tmp/out" && fail "unused function pulled in"
exit 0
