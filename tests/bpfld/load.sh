#!/bin/sh
# stap-bpfld on hand-made .bo files (tests/bpfld/mkbo.c), apart from the
# code generator: begin/end in the interpreter, a tracepoint counting
# the -c command's getppid calls, -o, -x, -T, SIGINT, --raw and its
# rendering, a verifier rejection as a script error, refusal of foreign
# and truncated files, and nothing of ours left in the kernel after.
# Exit 0 pass, 77 skip (reason last), anything else fail.
cd "$(dirname "$0")/../.." || exit 2
case ${BIN:-} in
'') BIN=build/bin ;;
/*) ;;
*) BIN=tests/$BIN ;;
esac
if [ "$(id -u)" != 0 ]; then
	echo "needs root and BPF"
	exit 77
fi
if ! pkg-config --exists libbpf libelf; then
	echo "needs libbpf and libelf (pkg-config)"
	exit 77
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cc=${CC:-cc}
# CFLAGS from the environment win, so check-san adds the sanitizers
flags=${CFLAGS:-"-std=c11 -D_POSIX_C_SOURCE=200809L -g -O2 -Wall -Wextra -Werror"}
libs=$(pkg-config --cflags --libs libbpf libelf)
# shellcheck disable=SC2086
$cc $flags -o "$tmp/mkbo" tests/bpfld/mkbo.c stap-bpfgen/elf.c \
    stap-bpfgen/btf.c stap-bpfgen/core.c lib/arena.c lib/diag.c lib/hash.c || exit 1
# shellcheck disable=SC2086
$cc $flags -Ilib -o "$tmp/render" tests/bpfld/printftest.c \
    lib/printf.c lib/ksym.c lib/usym.c lib/meta.c lib/hist.c lib/hash.c lib/arena.c \
    lib/diag.c || exit 1
ld=$BIN/stap-bpfld
if [ ! -x "$ld" ]; then
	ld=$tmp/stap-bpfld
	# shellcheck disable=SC2086
	$cc $flags -Ilib -o "$ld" stap-bpfld/*.c lib/*.c $libs || exit 1
fi
cat >"$tmp/gp.c" <<'C'
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{ int n = argc > 1 ? atoi(argv[1]) : 1; while (n-- > 0) getppid(); return 0; }
C
$cc -O1 -o "$tmp/gp" "$tmp/gp.c" || exit 1
[ -d /sys/kernel/tracing/events ] ||
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
for k in hello count reject; do
	"$tmp/mkbo" $k "$tmp/$k.bo" || exit 1
done
if ! "$ld" "$tmp/hello.bo" >"$tmp/out" 2>"$tmp/err"; then
	if grep -q -e 'Operation not permitted' -e 'not supported' \
	    "$tmp/err"; then
		cat "$tmp/err"
		echo "needs root and BPF"
		exit 77
	fi
fi

fails=0
fail() {
	echo "FAIL: $*"
	[ -s "$tmp/err" ] && head -n 5 "$tmp/err"
	fails=$((fails + 1))
}
expect() {	# name, wanted output, wanted status, command...
	name=$1 want=$2 st=$3
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc != "$st" ]; then
		fail "$name: exit $rc, wanted $st"
	elif [ "$(cat "$tmp/out")" != "$want" ]; then
		fail "$name: output [$(cat "$tmp/out")], wanted [$want]"
	else
		echo "ok   $name"
	fi
}

expect hello hello 0 "$ld" "$tmp/hello.bo"
expect "hello on stdin" hello 0 "$ld" - <"$tmp/hello.bo"
expect "-o FILE" "" 0 "$ld" -o "$tmp/o.txt" "$tmp/hello.bo"
[ "$(cat "$tmp/o.txt")" = hello ] || fail "-o FILE: file has wrong text"
expect "-c CMD" "n=5" 0 "$ld" -c "$tmp/gp 5" "$tmp/count.bo"
expect "-c with quotes" "n=3" 0 "$ld" -c "'$tmp/gp' \"3\"" "$tmp/count.bo"
expect "-x PID -T" "n=0" 0 "$ld" -x 1 -T 0.3 "$tmp/count.bo"
expect "--raw" "" 0 sh -c "'$ld' --raw '$tmp/hello.bo' >'$tmp/ev'"
head -n 1 "$tmp/ev" | grep -qx "stap-events 1" || fail "--raw: magic line"
tail -n 1 "$tmp/ev" | grep -qx "end" || fail "--raw: trailer"
expect "render" hello 0 "$tmp/render" render "$tmp/ev"

# The verifier's verdict, as an error in the script
expect "verifier" "" 1 "$ld" "$tmp/reject.bo"
sed -n 1p "$tmp/err" | grep -qx "x.stp:2:67: error: the kernel's verifier \
rejected this: R2 !read_ok" || fail "verifier: first line: $(sed -n 1p "$tmp/err")"
sed -n 3p "$tmp/err" | grep -q '^ *^$' || fail "verifier: no caret"
"$ld" -v "$tmp/reject.bo" 2>&1 | grep -q '^1: (bf) r0 = r2' ||
    fail "verifier: -v shows no log"

# Foreign and truncated files: refused in one line
echo "not a bo" >"$tmp/foreign.bo"
expect "foreign" "" 1 "$ld" "$tmp/foreign.bo"
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "foreign: $(cat "$tmp/err")"
head -c 600 "$tmp/hello.bo" >"$tmp/short.bo"
expect "truncated" "" 1 "$ld" "$tmp/short.bo"
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "truncated: $(cat "$tmp/err")"
expect "usage" "" 2 "$ld" -Z "$tmp/hello.bo"

# SIGINT ends the run; end probes still run.  Then nothing of the
# run may remain: every program, map and link it held is gone.
"$ld" -x 1 "$tmp/count.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 0.5
ids=$(cat /proc/$pid/fdinfo/* 2>/dev/null |
    sed -n 's/^\(prog\|map\|link\)_id:[[:space:]]*\([0-9]*\)/\1 \2/p' |
    sort -u)
kill -INT $pid
wait $pid
rc=$?
if [ $rc != 0 ] || [ "$(cat "$tmp/out")" != "n=0" ]; then
	fail "SIGINT: exit $rc, output [$(cat "$tmp/out")]"
else
	echo "ok   SIGINT"
fi
[ -n "$ids" ] || fail "found no BPF objects in /proc/$pid/fdinfo"
if command -v bpftool >/dev/null; then
	left=
	for try in 1 2 3 4 5 6 7 8 9 10; do
		left=$(echo "$ids" | while read -r kind id; do
			bpftool "$kind" show id "$id" >/dev/null 2>&1 &&
			    echo "$kind $id"
		done)
		[ -z "$left" ] && break
		sleep 0.2
	done
	[ -z "$left" ] || fail "still loaded after exit: $left"
	[ -z "$left" ] && echo "ok   nothing left ($(echo "$ids" | wc -l) objects)"
fi
[ $fails = 0 ]
