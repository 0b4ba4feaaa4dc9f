#!/bin/sh
# Timer ticks the kernel drops are reported at exit, as stap reports
# skipped probes: with a getppid load and a tracepoint probe on the
# timer's CPU, the timer program does not run when its hrtimer fires
# inside the tracepoint's program.  The periods its perf event counted,
# less the runs the program counted, are in the warning; the script
# saw no more runs than the warning says ran.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/tick.stp" <<'STP'
global n, m
probe timer.ms(1) { n++ }
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() == target()) m++ }
probe end { printf("%d %d\n", n, m > 0) }
STP
compile "$tmp/tick.stp"
cpu=$(cut -d, -f1 /sys/devices/system/cpu/online | cut -d- -f1)
taskset -c "$cpu" "$tmp/getppid" 2000000000 &
load=$!
"$BIN/stap-bpfld" -T 3 -x $load "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
ld=$!
guard $ld 60
wait $ld
rc=$?
unguard
kill $load 2>/dev/null
wait $load 2>/dev/null
cat "$tmp/out" "$tmp/err"
[ $rc = 0 ] || fail "stap-bpfld exit $rc"
read -r n m <"$tmp/out"
[ "$m" = 1 ] || fail "the load made no getppid"
k=$(sed -n 's/^WARNING: Number of skipped probes: //p' "$tmp/err")
set -- $(sed -n "s/^WARNING: probe 'timer.ms(1)': the kernel ran \([0-9]*\) of its \([0-9]*\) periods.*/\1 \2/p" "$tmp/err")
ran=${1:-0} periods=${2:-0}
echo "script $n, ran $ran of $periods, skipped ${k:-none}"
[ -n "$k" ] || fail "no skipped probes reported"
[ "$periods" -gt $((ran + 1)) ] || fail "no timer periods missed"
[ "${k:-0}" -ge $((periods - ran)) ] || fail "the total is short"
[ "${n:-0}" -le "$ran" ] || fail "the script saw more ticks than ran"
[ "$periods" -ge 2500 ] && [ "$periods" -le 5000 ] ||
    fail "$periods periods of 1 ms in 3 s"
[ $fails = 0 ]
