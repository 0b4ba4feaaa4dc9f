#!/bin/sh
# User stacks and symbols: print_ubacktrace(), ubacktrace(),
# sprint_ubacktrace(), ucallers(), print_usyms(), usymname(),
# usymdata() on a known call chain (main -> outer -> inner), in stap's
# formats; the expected offsets and sizes come from nm and objdump, the
# addresses from the run itself.  Rendered again from --raw by stap-fmt,
# after the process is gone: the stream carries its symbols.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
command -v gcc >/dev/null || { echo "needs gcc"; exit 77; }
command -v objdump >/dev/null || { echo "needs objdump"; exit 77; }
p=$tmp/ustk
gcc -g -O2 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
    -o "$p" "$T/uprobe/ustk.c" || exit 1
# SYM: its size in hex, as nm -S gives it
size() { nm -S "$p" | awk -v s="$1" '$4 == s { sub(/^0*/, "", $2); print $2 }'; }
# the offset in FROM of the instruction after its call to TO
retoff() {
	set -- $(objdump -d --no-show-raw-insn "$p" | awk -v f="<$1>:" \
	    -v t="<$2>" '
	    $2 == f { start = $1; on = 1; next }
	    on && /^$/ { on = 0 }
	    on && call { sub(/:$/, "", $1); print start, $1; exit }
	    on && $2 == "call" && $4 == t { call = 1 }')
	[ $# = 2 ] && printf '%x\n' $((0x$2 - 0x$1))
}
si=$(size inner) so=$(size outer) sm=$(size main) sk=$(size sink)
ro=$(retoff outer inner) rm=$(retoff main outer)
[ -n "$si" ] && [ -n "$so" ] && [ -n "$sm" ] && [ -n "$ro" ] &&
    [ -n "$rm" ] && [ -n "$sk" ] || { echo "FAIL: nm/objdump"; exit 1; }
cat >"$tmp/s.stp" <<STP
probe process("$p").function("inner") {
	if (pid() != target())
		next
	print_ubacktrace()
	printf("bt %s\n", ubacktrace())
	printf("callers %s\n", ucallers(1))
	printf("name %s %s %s\n", usymname(uaddr()), usymname(ustack(1)),
	    usymname(ustack(2)))
	printf("data %s\n", usymdata(\$p))
	printf("sprint %s--\n", sprint_ubacktrace())
	print_usyms(ucallers(2))
}
probe process("$p").function("inner").return {
	if (pid() == target())
		print_ubacktrace()
}
STP
compile "$tmp/s.stp"
timeout 60 "$BIN/stap-bpfld" -c "$p" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] || fail "exit $rc: $(cat "$tmp/err")"
# the addresses, from ubacktrace(): inner, outer, main
set -- $(sed -n 's/^bt //p' "$tmp/out")
[ $# -ge 3 ] || fail "ubacktrace: $*"
ai=$1 ao=$2 am=$3
h16() { printf '0x%016x' "$1"; }
{
	echo " $(h16 "$ai") : inner+0x0/0x$si [$p]"
	echo " $(h16 "$ao") : outer+0x$ro/0x$so [$p]"
	echo " $(h16 "$am") : main+0x$rm/0x$sm [$p]"
} >"$tmp/want"
sed -n 1,3p "$tmp/out" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || { fail "print_ubacktrace"; diff -u "$tmp/want" "$tmp/got"; }
# a fourth frame, in the C library, names its file
sed -n 4p "$tmp/out" | grep -q '^ 0x[0-9a-f]\{16\} .*libc\.so\.6' ||
    fail "print_ubacktrace: no libc frame: $(sed -n 4p "$tmp/out")"
want="callers $ai $ao"
grep -qxF "$want" "$tmp/out" || fail "ucallers: wanted '$want'"
grep -qxF "name inner outer main" "$tmp/out" || fail "usymname"
grep -qxF "data sink+0x0/0x$sk [$p]" "$tmp/out" || fail "usymdata"
n=$(sed -n 's/^sprint //p' "$tmp/out")
[ "$n" = "inner+0x0 [ustk]" ] || fail "sprint_ubacktrace: first '$n'"
grep -qxF "outer+0x$ro [ustk]" "$tmp/out" || fail "sprint_ubacktrace: outer"
grep -qxF " $ao : outer+0x$ro/0x$so [$p]" "$tmp/out" || fail "print_usyms"
grep -qxF " $am : main+0x$rm/0x$sm [$p]" "$tmp/out" || fail "print_usyms main"
# at the return: the function returned from, then the stack from the
# caller, as stap prints a .return's
{
	echo "Returning from:  $(h16 "$ai") : inner+0x0/0x$si [$p]"
	echo "Returning to  :  $(h16 "$ao") : outer+0x$ro/0x$so [$p]"
	echo " $(h16 "$am") : main+0x$rm/0x$sm [$p]"
} >"$tmp/want"
grep -A2 '^Returning from' "$tmp/out" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || { fail ".return"; diff -u "$tmp/want" "$tmp/got"; }
# the same run to an event stream, rendered after the process is gone
timeout 60 "$BIN/stap-bpfld" --raw -o "$tmp/raw" -c "$p" "$tmp/x.bo" \
    >/dev/null 2>"$tmp/err" || fail "--raw: $(cat "$tmp/err")"
"$BIN/stap-fmt" "$tmp/raw" >"$tmp/fmt" 2>"$tmp/err" ||
    fail "stap-fmt: $(cat "$tmp/err")"
set -- $(sed -n 's/^bt //p' "$tmp/fmt")
ai=$1 ao=$2 am=$3
{
	echo " $(h16 "$ai") : inner+0x0/0x$si [$p]"
	echo " $(h16 "$ao") : outer+0x$ro/0x$so [$p]"
	echo " $(h16 "$am") : main+0x$rm/0x$sm [$p]"
} >"$tmp/want"
sed -n 1,3p "$tmp/fmt" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || { fail "stap-fmt: print_ubacktrace"; diff -u "$tmp/want" "$tmp/got"; }
grep -qxF "name inner outer main" "$tmp/fmt" || fail "stap-fmt: usymname"
grep -qxF "data sink+0x0/0x$sk [$p]" "$tmp/fmt" || fail "stap-fmt: usymdata"
grep -qxF "outer+0x$ro [ustk]" "$tmp/fmt" || fail "stap-fmt: sprint_ubacktrace"
[ $fails = 0 ]
