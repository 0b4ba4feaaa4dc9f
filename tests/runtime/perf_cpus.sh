#!/bin/sh
# timer.profile (the tapset's perf.sw.cpu_clock.sample(1000000)) and a
# perf probe sample every online CPU: a child busy on each of CPUs 0
# and 1 for 200 ms of its own CPU time is seen on both (at 1 ms a
# sample, at least 3 each: a loaded kernel lowers its sampling rate),
# and stap-bpfld -v says how many CPUs the event is on.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
n=$(getconf _NPROCESSORS_ONLN)
[ "$n" -ge 2 ] || { echo "needs 2 online CPUs, has $n"; exit 77; }
cc -O2 -o "$tmp/busy2" runtime/busy2.c || exit 1
for point in timer.profile 'perf.sw.cpu_clock.sample(500000)'; do
	cat >"$tmp/p.stp" <<STP
global c
probe $point {
	if (ppid() == target())
		c[cpu()]++
}
probe end {
	foreach (k+ in c)
		printf("%d %d\n", k, c[k])
}
STP
	compile "$tmp/p.stp"
	"$BIN/stap-bpfld" -v -T 60 -c "$tmp/busy2 200" "$tmp/x.bo" \
	    >"$tmp/out" 2>"$tmp/err" || fail "$point: exit $?"
	echo "$point:"
	cat "$tmp/out"
	grep -q "perf event on $n CPUs\$" "$tmp/err" ||
	    fail "$point: -v does not say $n CPUs"
	[ "$(awk '($1 == 0 || $1 == 1) && $2 >= 3' "$tmp/out" | wc -l)" = 2 ] ||
	    fail "$point: not seen on both CPUs"
done
[ $fails = 0 ]
