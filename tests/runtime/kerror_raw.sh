#!/bin/sh
# A runtime error of no message in a kernel probe sends no record: it
# leaves its site in stap_ctl (lib/abi.h), and stap-bpfld makes the
# ERROR record from that, after the output the probe printed before
# it.  Printed, and in a --raw stream rendered by stap-fmt, the same:
# the output, then the error naming the line, the error probe, exit 1.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/e.stp" <<'STP'
global z, n
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() != target())
		next
	printf("before %d\n", ++n)
	if (n == 2)
		printf("%d\n", 1 / z)
}
probe begin { z = 0 }
probe error { printf("error probe %d\n", n) }
STP
compile "$tmp/e.stp"
want="before 1
before 2
error probe 2"
"$BIN/stap-bpfld" -c "$tmp/getppid 5" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
ld=$!
guard $ld 60
wait $ld
rc=$?
unguard
[ $rc = 1 ] || fail "printed: exit $rc, not 1"
[ "$(cat "$tmp/out")" = "$want" ] || fail "printed: $(cat "$tmp/out")"
grep -q "^ERROR: division by 0 near .*e.stp:7:" "$tmp/err" ||
    fail "printed: no error naming line 7: $(cat "$tmp/err")"
"$BIN/stap-bpfld" --raw -c "$tmp/getppid 5" "$tmp/x.bo" >"$tmp/ev" \
    2>"$tmp/rerr" &
ld=$!
guard $ld 60
wait $ld
rc=$?
unguard
[ $rc = 1 ] || fail "--raw: exit $rc, not 1"
"$BIN/stap-fmt" "$tmp/ev" >"$tmp/rout" 2>"$tmp/rfmt"
[ "$(cat "$tmp/rout")" = "$want" ] || fail "rendered: $(cat "$tmp/rout")"
grep -q "^ERROR: division by 0 near .*e.stp:7:" "$tmp/rfmt" ||
    fail "rendered: no error naming line 7: $(cat "$tmp/rfmt")"
[ $fails = 0 ]
