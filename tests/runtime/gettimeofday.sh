#!/bin/sh
# gettimeofday_s() in a begin probe and in a kernel probe lies between
# `date +%s` before and after the run; _ms, _us and _ns agree with it.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
global k, kns
function near(t, s) { return t - s >= 0 && t - s <= 1 }
probe begin {
	s = gettimeofday_s(); ns = gettimeofday_ns()
	ms = gettimeofday_ms(); us = gettimeofday_us()
	printf("%d\n", s)
	printf("%d\n", near(ns / 1000000000, s) && near(ms / 1000, s) &&
	    near(us / 1000000, s))
}
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target() && !k) {
		k = gettimeofday_s(); kns = gettimeofday_ns()
	}
}
probe end { printf("%d\n%d\n", k, near(kns / 1000000000, k)) }
STP
compile "$tmp/x.stp"
t0=$(date +%s)
timeout -s KILL 60 "$BIN/stap-bpfld" -c "$tmp/snap $tmp/getppid 1" "$tmp/x.bo" \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
t1=$(date +%s)
[ $rc = 0 ] || fail "exit $rc, wanted 0: $(cat "$tmp/err")"
b=$(sed -n 1p "$tmp/out")
k=$(sed -n 3p "$tmp/out")
[ "$(sed -n 2p "$tmp/out")$(sed -n 4p "$tmp/out")" = 11 ] ||
    fail "_ms, _us or _ns disagree: $(cat "$tmp/out")"
for v in "$b" "$k"; do
	case $v in
	'' | *[!0-9]*) fail "not a time: '$v'" ;;
	*) if [ "$v" -lt "$t0" ] || [ "$v" -gt "$t1" ]; then
		fail "$v is not in [$t0, $t1]"
	fi ;;
	esac
done
gone
[ $fails = 0 ]
