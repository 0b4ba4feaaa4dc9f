#!/bin/sh
# Warnings do not fail the resolve: an unused variable is elided, a
# variable read but never assigned is flagged; both on stderr, exit 0.
# Run from tests/ by tests/run.
BIN=${BIN:-../build/bin}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/w.stp" <<'STP'
global unused, never, init = 3, arr
probe begin {
	println(never + init, arr[1] + 1, y . "")
}
STP
cat >"$tmp/want" <<'ERR'
w.stp:1:8: warning: eliding unused variable 'unused'
    global unused, never, init = 3, arr
           ^
w.stp:1:16: warning: never-assigned global variable 'never'
    global unused, never, init = 3, arr
                   ^
w.stp:1:33: warning: never-assigned global variable 'arr'
    global unused, never, init = 3, arr
                                    ^
w.stp:3:36: warning: never-assigned local variable 'y'
    	println(never + init, arr[1] + 1, y . "")
    	                                  ^
ERR
cd "$tmp" || exit 2
case $BIN in /*) ;; *) BIN=$OLDPWD/$BIN ;; esac
$BIN/stap-parse -r 6.1.0-test -a x86_64 w.stp |
    $BIN/stap-resolve >out 2>err || { cat err; exit 1; }
diff -u want err || exit 1
# the unused global is still declared, as a long
grep -q 'var 0:1:8 str="unused" type=long$' out || exit 1
