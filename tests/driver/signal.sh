#!/bin/sh
# SIGINT or SIGTERM to stap-bpf's pid in pass 5 reaches the loader (the
# driver became it): the end probe runs, the status is 0, and the
# driver's scratch directory is gone, --disable-cache's .bo with it.
cd "$(dirname "$0")/.." || exit 2
. driver/driver.inc
needbpf
mkdir "$tmp/t"
TMPDIR=$tmp/t
export TMPDIR
S='global n
probe timer.ms(10) { n++; if (n == 1) println("ticking") }
probe end { printf("end: %s\n", n > 0 ? "ticked" : "no tick") }'
# waitfor FILE TEXT: until FILE has a line TEXT, at most 20 s
waitfor() {
	i=0
	while ! grep -qx -- "$2" "$1" 2>/dev/null; do
		[ $i -ge 200 ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
for sig in INT TERM; do
	for c in '' --disable-cache; do
		# a new file each time: waitfor must not find the last
		# run's line before this one has truncated it
		rm -f "$tmp/out"
		: >"$tmp/out"
		"$SB" $c -e "$S" >"$tmp/out" 2>"$tmp/err" &
		pid=$!
		if ! waitfor "$tmp/out" ticking; then
			kill -KILL $pid
			wait $pid
			fail "$sig $c: no tick in 20 s: $(cat "$tmp/err")"
			continue
		fi
		kill -$sig $pid
		# bounded: a driver that kept the signal would hang here
		i=0
		while kill -0 $pid 2>/dev/null && [ $i -lt 200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 $pid 2>/dev/null; then
			pkill -KILL -P $pid
			kill -KILL $pid
			wait $pid
			fail "$sig $c: still running 20 s after SIG$sig"
			continue
		fi
		wait $pid
		rc=$?
		[ $rc = 0 ] || fail "$sig $c: exit $rc, wanted 0: $(cat \
		    "$tmp/err")"
		printf 'ticking\nend: ticked\n' | cmp -s - "$tmp/out" ||
		    fail "$sig $c: output: $(cat "$tmp/out")"
		[ -z "$(ls "$tmp/t")" ] || fail "$sig $c: left $(ls "$tmp/t")"
	done
done
[ $fails = 0 ]
