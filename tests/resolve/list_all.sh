#!/bin/sh
# --list of a pattern whose aliases use a tapset file with begin probes
# of its own (syscall_any: the syscall name table's): those probes are
# not listed, nor taken for points of the listing (they were: an
# internal error, "probe from line 8 of a 6-line listing").  On this
# kernel's tracepoints: the tests' copy has no raw_syscalls.  Run from
# tests/.
BIN=${BIN:-../build/bin}
if [ ! -d /sys/kernel/tracing/events/raw_syscalls ]; then
	echo "needs tracefs at /sys/kernel/tracing, with raw_syscalls"
	exit 77
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
R=$BIN/stap-resolve
for opt in --list --list=vars; do
	$R $opt '*' >"$tmp/out" 2>"$tmp/err" || fail "$opt '*': $(cat "$tmp/err")"
	[ -s "$tmp/err" ] && fail "$opt '*' said: $(cat "$tmp/err")"
	grep -q '^begin$' "$tmp/out" || fail "$opt '*': no begin"
	grep -q '^syscall_any' "$tmp/out" || fail "$opt '*': no syscall_any"
	[ "$(sort "$tmp/out" | uniq -d)" = "" ] || fail "$opt '*': a point twice"
done
exit 0
