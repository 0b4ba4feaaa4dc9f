#!/bin/sh
# kernel.trace("syscalls:*") with -T 2: the run ends within 20 s (it
# took 55, detaching 721 perf events one RCU grace period each), and
# no probe counts an event after the stop (they went on counting while
# detaching): the last getppid of the -x load a probe saw is at most
# 1 s after the -T deadline, and detaching took no more than 15 s.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/all.stp" <<'STP'
global t0, last, n
probe begin { t0 = gettimeofday_ms() }
probe kernel.trace("syscalls:*") {
	if (pid() == target()) {
		n++
		last = gettimeofday_ms()
	}
}
probe end { printf("%d %d %d\n", n > 0, last - t0, gettimeofday_ms() - t0) }
STP
compile "$tmp/all.stp"
"$tmp/getppid" 2000000000 &
load=$!
start=$(date +%s)
"$BIN/stap-bpfld" -T 2 -x $load "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
ld=$!
guard $ld 120
wait $ld
rc=$?
unguard
end=$(date +%s)
kill $load 2>/dev/null
wait $load 2>/dev/null
cat "$tmp/err"
[ $rc = 0 ] || fail "stap-bpfld exit $rc"
read -r any last endt <"$tmp/out"
echo "seen $any, last event at $last ms, end probe at $endt ms," \
    "$((end - start)) s in all"
[ "$any" = 1 ] || fail "no getppid seen"
[ "${last:-99999}" -le 3000 ] || fail "an event counted after the stop"
[ "${endt:-99999}" -le 17000 ] || fail "detaching took too long"
[ $((end - start)) -le 20 ] || fail "the run took $((end - start)) s"
[ $fails = 0 ]
