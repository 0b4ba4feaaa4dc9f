#!/bin/sh
# One SIGINT stops a runaway begin probe at once: the interpreter polls
# for a signal, so it does not run out its 2^31 instructions (seconds)
# first.  A warning says where the probe was cut short, the end probe
# runs, as after any SIGINT, and the exit status is 0.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
# begin prints more than the output buffer holds, so the file shows
# the loop has started, then spins
cat >"$tmp/x.stp" <<'STP'
global n
probe begin {
	for (i = 0; i < 200; i++)
		printf("%03d %76s\n", i, "")
	while (1)
		n++
}
probe timer.s(3600) { println("an hour passed") }
probe end { printf("end: %s\n", n > 0 ? "looped" : "did not loop") }
STP
compile "$tmp/x.stp" -D MAXACTION_INTERRUPTIBLE=1000000000
"$BIN/stap-bpfld" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
guard $pid 30
i=0
until [ -s "$tmp/out" ] || [ $i -ge 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -s "$tmp/out" ] || fail "no output from begin in 5 s"
ids $pid
t0=$(date +%s%N)
kill -INT $pid
wait $pid
rc=$?
t1=$(date +%s%N)
unguard
ms=$(( (t1 - t0) / 1000000 ))
[ $rc = 0 ] || fail "exit $rc, wanted 0"
# the budget takes ~6 s here; a poll every 2^16 instructions, well
# under a millisecond: allow a busy machine 1.5 s
[ $ms -le 1500 ] || fail "took $ms ms to stop"
[ "$(grep -c '^[0-9][0-9][0-9] ' "$tmp/out")" = 200 ] ||
    fail "begin's lines: $(grep -c '^[0-9][0-9][0-9] ' "$tmp/out")"
[ "$(tail -n 1 "$tmp/out")" = "end: looped" ] ||
    fail "last line: $(tail -n 1 "$tmp/out")"
# near the loop's test or its body, wherever the signal found it
[ "$(wc -l <"$tmp/err")" = 1 ] &&
    grep -qx "WARNING: probe 'begin' interrupted near $tmp/x.stp:[56]:[23]" \
    "$tmp/err" || fail "stderr: $(cat "$tmp/err")"
gone
[ $fails = 0 ]
