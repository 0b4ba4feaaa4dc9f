#!/bin/sh
# stap-bpfgen checks what it trusts in a resolved tree: a tree edited by
# hand (here with sed) into nonsense gets an error, exit 1, never a crash.
cd "$(dirname "$0")/.." || exit 2
BIN=${BIN:-../build/bin}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
$BIN/stap-parse -e 'global a
probe timer.s(1) { a[1] = substr("abc", 1, 1) . "x"; println(a[1]) }' |
    $BIN/stap-resolve >"$tmp/good" || exit 1
$BIN/stap-bpfgen "$tmp/good" >/dev/null || { echo "good tree refused"; exit 1; }
try() {	# name, sed expression, expected message
	sed "$2" "$tmp/good" >"$tmp/bad"
	$BIN/stap-bpfgen "$tmp/bad" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc != 1 ] || ! grep -q "malformed resolved tree: $3" "$tmp/err"
	then
		echo "FAIL $1: exit $rc: $(head -n 3 "$tmp/err")"
		fails=$((fails + 1))
	fi
}
try timer-unit 's/str="s"$/str="fortnight"/' "a malformed timer point"
try timer-arg '/l: num .* num=1$/s/num=1/num=0/' "a malformed timer point"
try builtin-arity '/str="abc"/{n;d}' \
    "an unknown intrinsic, or one with the wrong number of arguments"
try global-index '0,/flags=global/s/flags=global/flags=global num=7/' \
    "global index out of range"
try unbound '0,/flags=global/s/ flags=global//' \
    "an array must be a global"
[ $fails = 0 ]
