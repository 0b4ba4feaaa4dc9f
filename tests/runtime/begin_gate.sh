#!/bin/sh
# Kernel probes wait for the initialisers of globals and for the begin
# probes, as stap's do: none of the -x process's getppid calls sees
# x before it is 5, or a begin probe that has not finished.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/gate.stp" <<'STP'
global x = 5, done, a[20000], early, during, hits
probe begin {
	for (i = 0; i < 20000; i++)
		a[i] = i
	done = 1
}
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) {
		hits++
		if (x != 5)
			early++
		if (!done)
			during++
	}
}
probe end { printf("%d %d %d %d\n", early, during, hits > 0, a[19999]) }
STP
compile "$tmp/gate.stp" -D MAXACTION_INTERRUPTIBLE=100000
# a getppid load that runs before the probes are attached, bounded
"$tmp/getppid" 200000000 &
load=$!
"$BIN/stap-bpfld" -T 1 -x $load "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
ld=$!
guard $ld 60
wait $ld
rc=$?
unguard
kill $load 2>/dev/null
wait $load 2>/dev/null
cat "$tmp/err"
[ $rc = 0 ] || fail "stap-bpfld exit $rc"
echo "early, during begin, any: $(cat "$tmp/out")"
[ "$(cat "$tmp/out")" = "0 0 1 19999" ] || fail "probes ran before begin ended"
[ $fails = 0 ]
