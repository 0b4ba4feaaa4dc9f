#!/bin/sh
# stap-resolve -v names each optional probe point it dropped, in the
# script or inside an alias (with the point that named the alias), and
# each probe left with no point; without -v it says nothing, as stap.
# Run from tests/.
BIN=${BIN:-../build/bin}
BIN=$(cd "$BIN" && pwd) || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

cd "$tmp" || exit 2
T=$OLDPWD/resolve/tracefs
printf '%s\n' \
    'probe a = kernel.trace("sched:nosuch") ?, kernel.trace("sched:sched_switch") { }' \
    'probe a { next }' \
    'probe kernel.trace("nosuch:x") ?, timer.xyz ? { next }' \
    'probe begin { exit() }' >v.stp
"$BIN/stap-parse" v.stp >v.tree || fail "parse"
"$BIN/stap-resolve" --tracefs "$T" v.tree >/dev/null 2>err ||
    fail "resolve: $(cat err)"
[ -s err ] && fail "without -v: $(cat err)"
"$BIN/stap-resolve" -v --tracefs "$T" v.tree >out 2>err ||
    fail "resolve -v: $(cat err)"
cat >want <<'X'
v.stp:1:11: note: optional probe point 'kernel.trace("sched:nosuch")' dropped: it matches nothing here
    probe a = kernel.trace("sched:nosuch") ?, kernel.trace("sched:sched_switch") { }
              ^
v.stp:2:7: note: in the alias that 'a' names
    probe a { next }
          ^
v.stp:3:7: note: optional probe point 'kernel.trace("nosuch:x")' dropped: it matches nothing here
    probe kernel.trace("nosuch:x") ?, timer.xyz ? { next }
          ^
v.stp:3:35: note: optional probe point 'timer.xyz' dropped: it matches nothing here
    probe kernel.trace("nosuch:x") ?, timer.xyz ? { next }
                                      ^
v.stp:3:1: note: probe dropped: none of its points matched
    probe kernel.trace("nosuch:x") ?, timer.xyz ? { next }
    ^
X
diff want err >/dev/null || fail "notes differ: $(diff want err)"
grep -q 'sched:sched_switch' out || fail "the real point went too"
echo ok
