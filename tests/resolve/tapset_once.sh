#!/bin/sh
# stap-resolve parses the tapset library once a run, although a script
# whose globals it may display is resolved twice (a silent trial pass,
# then the real one): each tapset file is opened once, and the two
# passes still pull in what each needs.  Run from tests/.
BIN=${BIN:-../build/bin}
command -v strace >/dev/null || { echo "skip: no strace"; exit 77; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

# w is written and never read: the trial pass runs, and finds it
$BIN/stap-parse -r 6.1.0-test -a x86_64 \
    -e 'global w; probe begin { w = local_clock_ms(); exit() }' \
    >"$tmp/tree" || fail "parse"
# LeakSanitizer (make check-san) cannot run under ptrace
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -e trace=open,openat -o "$tmp/trace" $BIN/stap-resolve \
    <"$tmp/tree" >"$tmp/out" || fail "resolve"
n=$(grep -c 'tapset/timestamp\.stp"' "$tmp/trace")
[ "$n" = 1 ] || fail "timestamp.stp opened $n times, not once"
grep -q 'str="local_clock_ms"' "$tmp/out" || fail "local_clock_ms not pulled in"
grep -q 'w=%d' "$tmp/out" || fail "no display of w"
exit 0
