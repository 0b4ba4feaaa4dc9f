#!/bin/sh
# A tapset script (*.stp under -I DIR) may use the macros of the macro
# libraries (*.stpm), its own directory's and the tapset's, as stap's
# tapsets do (two files here, the library read once for both).
# Run from tests/.
BIN=${BIN:-../build/bin}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

mkdir "$tmp/lib"
cat >"$tmp/lib/twice.stpm" <<'X'
@define twice(x) %( (2 * (@x)) %)
X
cat >"$tmp/lib/a.stp" <<'X'
function quad(x) { return @twice(@twice(x)) }
X
cat >"$tmp/lib/b.stp" <<'X'
function sz() { return @cast_sizeof("struct list_head") + @twice(1) }
X
$BIN/stap-parse -e 'probe begin { println(quad(3), " ", sz()); exit() }' |
    $BIN/stap-resolve -I "$tmp/lib" >"$tmp/t" 2>"$tmp/err" ||
    fail "resolve: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "resolve said: $(cat "$tmp/err")"
if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
	$BIN/stap-bpfgen "$tmp/t" >"$tmp/x.bo" || fail "bpfgen"
	out=$(timeout 20 $BIN/stap-bpfld "$tmp/x.bo") || fail "run"
	[ "$out" = "12 18" ] || fail "printed '$out', wanted '12 18'"
fi
echo ok
