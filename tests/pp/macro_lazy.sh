#!/bin/sh
# A macro library file (*.stpm of a tapset directory) is read when a
# script first uses a macro it defines: a script that uses none reads
# none, so a broken file it does not use says nothing; one that uses
# its macro gets the file's error; a library macro may use another
# file's; a script's own @define of a library name is its own.
# Run from tests/.
BIN=${BIN:-../build/bin}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
P="$BIN/stap-parse -I $tmp/lib"

mkdir "$tmp/lib"
printf '@define twice(x) %%( (@x) * @one %%)\n' >"$tmp/lib/a.stpm"
printf '@define one %%( 1 %%)\n@define two %%( 2 %%)\n' >"$tmp/lib/b.stpm"
printf '@define broken %%( 3 %%)\nprobe begin { }\n' >"$tmp/lib/c.stpm"

$P -e 'probe begin { println(5) }' >/dev/null 2>"$tmp/err" ||
    fail "a script using no macro: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "a script using no macro: $(cat "$tmp/err")"

$P -e 'probe begin { println(@twice(21) + @two); exit() }' >"$tmp/tree" \
    2>"$tmp/err" || fail "macros across files: $(cat "$tmp/err")"
$BIN/stap-resolve <"$tmp/tree" | $BIN/stap-bpfgen >"$tmp/bo" ||
    fail "compile"
out=$($BIN/stap-bpfld "$tmp/bo") || fail "run"
[ "$out" = 23 ] || fail "@twice(21) + @two is '$out', not 23"

$P -e 'probe begin { println(@broken) }' >/dev/null 2>"$tmp/err" &&
    fail "the broken library file used: no error"
grep -q 'c.stpm:2:1: error: a macro library may hold only @define' \
    "$tmp/err" || fail "the broken file's error: $(cat "$tmp/err")"

$P -e '@define two %( 7 %) probe begin { println(@two) }' >/dev/null \
    2>"$tmp/err" || fail "the script's own @two: $(cat "$tmp/err")"
echo ok
