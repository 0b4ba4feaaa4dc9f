#!/bin/sh
# A second SIGINT while the end probe is still running ends stap-bpfld
# at once, saying so, with a failure status; the kernel still frees
# every program and map of the run.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
# the end probe's loop takes seconds in the interpreter
cat >"$tmp/x.stp" <<'STP'
global n
probe timer.ms(10) { n++; if (n == 1) println("ticking") }
probe end { for (i = 0; i < 100000000; i++) n++; println("end done") }
STP
compile "$tmp/x.stp" -D MAXACTION_INTERRUPTIBLE=1000000000
"$BIN/stap-bpfld" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
if ! waitfor "$tmp/out" ticking; then
	kill -KILL $pid
	wait $pid
	fail "no tick in 20 s: $(cat "$tmp/out" "$tmp/err")"
	exit 1
fi
ids $pid
guard $pid 30
kill -INT $pid
sleep 0.3
t0=$(date +%s)
kill -INT $pid
wait $pid
rc=$?
unguard
t1=$(date +%s)
[ $rc != 0 ] || fail "exit 0 after a second SIGINT"
[ $((t1 - t0)) -le 3 ] || fail "took $((t1 - t0)) s to stop"
grep -q 'end done' "$tmp/out" && fail "the end probe ran to its end"
grep -qx 'stap-bpfld: interrupted again, exiting now' "$tmp/err" ||
    fail "stderr: $(cat "$tmp/err")"
gone
[ $fails = 0 ]
