#!/bin/sh
# What begin probes print reaches the output (a file here) while the
# script runs, before any kernel probe fires: the classic
# "Tracing... Hit Ctrl-C to end." line must not wait for an event.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
probe begin { println("Tracing... Hit Ctrl-C to end.") }
probe timer.s(3600) { println("an hour passed") }
probe end { println("end") }
STP
compile "$tmp/x.stp"
"$BIN/stap-bpfld" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
guard $pid 30
i=0
until grep -q Tracing "$tmp/out" || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q Tracing "$tmp/out" ||
    fail "nothing in the output after 5 s: begin's line is held back"
ids $pid
kill -INT $pid
wait $pid
rc=$?
unguard
[ $rc = 0 ] || fail "exit $rc after SIGINT, wanted 0"
printf 'Tracing... Hit Ctrl-C to end.\nend\n' >"$tmp/want"
cmp -s "$tmp/want" "$tmp/out" || fail "output: $(cat "$tmp/out")"
gone
[ $fails = 0 ]
