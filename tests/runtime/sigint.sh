#!/bin/sh
# SIGINT while a timer probe runs: stap-bpfld stops, prints what the
# probes sent, runs the end probe, exits 0, and leaves no program or
# map of the run in the kernel.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
global n
probe timer.ms(10) { n++; if (n == 1) println("ticking") }
probe end { printf("end: ticked %s\n", n > 0 ? "yes" : "no") }
STP
compile "$tmp/x.stp"
"$BIN/stap-bpfld" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
if ! waitfor "$tmp/out" ticking; then
	kill -KILL $pid
	wait $pid
	fail "no tick in 20 s: $(cat "$tmp/out" "$tmp/err")"
	exit 1
fi
ids $pid
listed
guard $pid 30
kill -INT $pid
wait $pid
rc=$?
unguard
[ $rc = 0 ] || fail "exit $rc after SIGINT, wanted 0"
printf 'ticking\nend: ticked yes\n' >"$tmp/want"
cmp -s "$tmp/want" "$tmp/out" || fail "output: $(cat "$tmp/out")"
[ -s "$tmp/err" ] && fail "stderr: $(cat "$tmp/err")"
gone
[ $fails = 0 ]
