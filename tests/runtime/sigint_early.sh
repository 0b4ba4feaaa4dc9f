#!/bin/sh
# A SIGINT that comes before the begin probes have run stops a script
# that never started, as staprun's "exit before starting": no begin,
# no end probe, exit 0, nothing left in the kernel.  The signal is made
# pending before stap-bpfld starts (blocked, raised, then exec: both the
# mask and the pending signal survive exec), so it arrives the moment
# stap-bpfld unblocks it, between load and attach, on any machine.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/pending.c" <<'C'
#include <signal.h>
#include <unistd.h>
int
main(int argc, char **argv)
{
	sigset_t s;

	(void)argc;
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigprocmask(SIG_BLOCK, &s, 0);
	raise(SIGINT);
	execv(argv[1], argv + 1);
	return 127;
}
C
cc -o "$tmp/pending" "$tmp/pending.c" || exit 1
cat >"$tmp/x.stp" <<'STP'
probe begin { println("begin") }
probe timer.s(3600) { println("an hour passed") }
probe end { println("end") }
STP
compile "$tmp/x.stp"
"$tmp/pending" "$BIN/stap-bpfld" -T 10 -c "$tmp/snap true" "$tmp/x.bo" \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
guard $pid 30
wait $pid
rc=$?
unguard
[ $rc = 0 ] || fail "exit $rc, wanted 0: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "probes ran: $(cat "$tmp/out")"
[ -s "$tmp/err" ] && fail "stderr: $(cat "$tmp/err")"
# the -c command was never released, so it never recorded the ids
[ -s "$tmp/ids" ] && fail "the -c command ran"
[ $fails = 0 ]
