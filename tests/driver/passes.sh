#!/bin/sh
# -p N stops after pass N, printing what that pass made: 1 the parsed
# stap-tree, 2 the resolved one, 3 the .bo's listing, 4 the .bo's path
# (in the cache; with --disable-cache, stap_*.bo in the current
# directory, as stap keeps its module).  Each is what the tools make
# when composed by hand.
cd "$(dirname "$0")/.." || exit 2
. driver/driver.inc
S='global n = 3
probe begin { printf("n=%d\n", n + $1); exit() }'
"$BIN/stap-parse" -e "$S" 4 >"$tmp/tree" || fail "stap-parse"
"$BIN/stap-resolve" "$tmp/tree" >"$tmp/res" || fail "stap-resolve"
"$BIN/stap-bpfgen" "$tmp/res" >"$tmp/x.bo" || fail "stap-bpfgen"
"$BIN/stap-fmt" "$tmp/x.bo" >"$tmp/list" || fail "stap-fmt"
sb p1 -p1 -e "$S" 4
sb p2 -p 2 -e "$S" 4
sb p3 -p3 -e "$S" 4
for p in 1 2 3; do
	[ "$(cat "$tmp/p$p.rc")" = 0 ] || fail "-p$p: exit $(cat "$tmp/p$p.rc")"
done
cmp -s "$tmp/tree" "$tmp/p1.out" || fail "-p1 is not the parsed tree"
sed -n 2p "$tmp/p1.out" | grep -qx '@stage parsed' || fail "-p1: stage"
cmp -s "$tmp/res" "$tmp/p2.out" || fail "-p2 is not the resolved tree"
sed -n 2p "$tmp/p2.out" | grep -qx '@stage resolved' || fail "-p2: stage"
cmp -s "$tmp/list" "$tmp/p3.out" || fail "-p3 is not the listing"
grep -q '^maps:' "$tmp/p3.out" || fail "-p3: no maps in the listing"
# nothing cached before pass 4
[ -e "$C" ] && fail "-p1..-p3 filled the cache: $(ls "$C")"

sb p4 -p4 -e "$S" 4
[ "$(cat "$tmp/p4.rc")" = 0 ] || fail "-p4: exit $(cat "$tmp/p4.rc")"
bo=$(cat "$tmp/p4.out")
case $bo in "$C"/*.bo) ;; *) fail "-p4 printed '$bo', not a cache entry" ;; esac
[ -f "$bo" ] && "$BIN/stap-fmt" "$bo" | cmp -s "$tmp/list" - ||
    fail "-p4's .bo is not the one the tools make"

mkdir "$tmp/cwd"
(cd "$tmp/cwd" && timeout 60 "$SB" -p4 --disable-cache -e "$S" 5) \
    >"$tmp/p4n.out" 2>"$tmp/p4n.err" || fail "-p4 --disable-cache failed"
bo=$(cat "$tmp/p4n.out")
case $bo in stap_*.bo) ;; *) fail "--disable-cache -p4 printed '$bo'" ;; esac
[ -f "$tmp/cwd/$bo" ] || fail "--disable-cache -p4: no $bo in the directory"
[ "$(ls "$C" | grep -c -e '\.bo$' -e '\.sum$')" = 2 ] ||
    fail "--disable-cache wrote the cache: \
$(ls "$C")"
if [ "$(id -u)" = 0 ]; then
	timeout 60 "$BIN/stap-bpfld" "$tmp/cwd/$bo" >"$tmp/run" 2>&1
	printf 'n=8\n' | cmp -s - "$tmp/run" || fail "the -p4 .bo: $(cat \
	    "$tmp/run")"
fi
[ $fails = 0 ]
