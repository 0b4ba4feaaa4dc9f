#!/bin/sh
# -T 1 ends a script that never calls exit() after about a second, as
# exit() would: the end probe runs, the status is 0, nothing is left.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
global n
probe begin { println("begin") }
probe timer.ms(50) { n++ }
probe end { printf("end: %s\n", n >= 2 ? "ticked" : sprintf("%d ticks", n)) }
STP
compile "$tmp/x.stp"
t0=$(date +%s%N)
"$BIN/stap-bpfld" -T 1 "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
# record what it holds while it runs; bounded, it stops by itself
i=0
while [ $i -lt 250 ] && ! grep -q '^prog_id:' /proc/$pid/fdinfo/* 2>/dev/null
do
	sleep 0.02
	i=$((i + 1))
done
ids $pid
guard $pid 30
wait $pid
rc=$?
t1=$(date +%s%N)
unguard
ms=$(( (t1 - t0) / 1000000 ))
[ $rc = 0 ] || fail "exit $rc, wanted 0: $(cat "$tmp/err")"
[ $ms -ge 950 ] || fail "stopped after $ms ms, before -T 1"
[ $ms -le 15000 ] || fail "stopped after $ms ms"
printf 'begin\nend: ticked\n' >"$tmp/want"
cmp -s "$tmp/want" "$tmp/out" || fail "output: $(cat "$tmp/out")"
gone
[ $fails = 0 ]
