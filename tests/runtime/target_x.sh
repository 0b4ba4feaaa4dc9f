#!/bin/sh
# -x PID: target() is PID in begin, kernel and end probes, and a
# tracepoint filtered on it counts that process's calls and stops the
# script at the 100th; the calls of a second process of the same
# program, made meanwhile, do not count.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cc -O2 -o "$tmp/ticker" runtime/ticker.c || exit 1
cat >"$tmp/x.stp" <<'STP'
global n, other
probe begin { printf("begin %d\n", target()) }
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (execname() != "ticker")
		next
	if (pid() != target()) {
		other++
		next
	}
	n++
	if (n == 100)
		exit()
}
probe end { printf("end %d %d %d\n", target(), n, other > 0) }
STP
compile "$tmp/x.stp"
"$tmp/ticker" 30 &
tpid=$!
"$tmp/ticker" 30 &
opid=$!
"$BIN/stap-bpfld" -x $tpid -T 30 "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
guard $pid 60
# it runs a second or more (100 calls, 10 ms apart): record its objects
i=0
while [ $i -lt 500 ] && ! grep -q '^prog_id:' /proc/$pid/fdinfo/* 2>/dev/null
do
	sleep 0.02
	i=$((i + 1))
done
ids $pid
wait $pid
rc=$?
unguard
kill $tpid $opid 2>/dev/null
wait $tpid $opid 2>/dev/null
[ $rc = 0 ] || fail "exit $rc, wanted 0: $(cat "$tmp/err")"
printf 'begin %d\nend %d 100 1\n' $tpid $tpid >"$tmp/want"
cmp -s "$tmp/want" "$tmp/out" ||
    fail "output: $(cat "$tmp/out"), wanted $(cat "$tmp/want")"
gone
[ $fails = 0 ]
