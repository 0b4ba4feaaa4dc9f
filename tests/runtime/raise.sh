#!/bin/sh
# raise(sig) signals the thread the probe runs in: in a tracepoint the
# command's (SIGUSR1 kills it, as stap-bpfld reports), in a begin probe
# stap-bpfld's own (signal 0 only checks); a bad signal number is an
# error.  user_mode() is 0 in begin probes and tracepoints; in a perf
# event it reads the interrupted registers, which the verifier allows.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
global ticks, user
probe begin {
	printf("%d\n", user_mode())
	raise(0)
	try {
		raise(99)
	} catch (e) {
		println(e)
	}
}
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) {
		printf("%d\n", user_mode())
		raise(10)
	}
}
probe timer.ms(1) {
	ticks++
	user += user_mode()
}
probe end { printf("%d\n", user >= 0 && user <= ticks) }
STP
compile "$tmp/x.stp"
timeout -s KILL 60 "$BIN/stap-bpfld" -c "$tmp/getppid 1" "$tmp/x.bo" \
    >"$tmp/out" 2>"$tmp/err"
want='0
raise/send_sig error
0
1'
[ "$(cat "$tmp/out")" = "$want" ] || fail "output: $(cat "$tmp/out")"
grep -q "^WARNING: Child process exited with signal 10 " "$tmp/err" ||
    fail "the command did not die of SIGUSR1: $(cat "$tmp/err")"
[ $fails = 0 ]
