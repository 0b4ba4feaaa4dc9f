#!/bin/sh
# SIGHUP and SIGPIPE stop a script as SIGINT and SIGTERM do, as with
# stap: the end probe runs, the exit status is 0, nothing is left in
# the kernel.  Under nohup (SIGHUP ignored when it starts) SIGHUP stays
# ignored.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
global n
probe timer.ms(10) { n++; if (n == 1) println("ticking") }
probe end { printf("end: ticked %s\n", n > 0 ? "yes" : "no") }
STP
compile "$tmp/x.stp"
printf 'ticking\nend: ticked yes\n' >"$tmp/want"

# start [sh -c prefix]: the loader in the background, ticking; $pid
start() {
	# emptied here, not by the background's redirection, which may
	# come after waitfor has seen the last run's "ticking"
	: >"$tmp/out"
	sh -c "$1"' exec "$@"' sh "$BIN/stap-bpfld" "$tmp/x.bo" \
	    >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	guard $pid 30
	if ! waitfor "$tmp/out" ticking; then
		kill -KILL $pid
		fail "no tick in 20 s: $(cat "$tmp/out" "$tmp/err")"
		exit 1
	fi
	ids $pid
}

for sig in HUP PIPE TERM; do
	start ""
	kill -$sig $pid
	wait $pid
	rc=$?
	unguard
	[ $rc = 0 ] || fail "SIG$sig: exit $rc, wanted 0"
	cmp -s "$tmp/want" "$tmp/out" ||
	    fail "SIG$sig: output: $(cat "$tmp/out")"
	# ticks the kernel dropped on a busy machine are said, and fine
	grep -v -e '^WARNING: Number of skipped probes: [0-9]*$' \
	    -e "^WARNING: probe 'timer.ms(10)': the kernel ran " "$tmp/err" |
	    grep -q . && fail "SIG$sig: stderr: $(cat "$tmp/err")"
	gone
done

start "trap '' HUP;"
kill -HUP $pid
sleep 0.3
kill -0 $pid 2>/dev/null || fail "nohup: SIGHUP stopped it"
kill -INT $pid
wait $pid
rc=$?
unguard
[ $rc = 0 ] || fail "nohup: exit $rc after SIGINT, wanted 0"
cmp -s "$tmp/want" "$tmp/out" || fail "nohup: output: $(cat "$tmp/out")"
gone
[ $fails = 0 ]
