#!/bin/sh
# A ring buffer far too small for what a kernel probe sends: 5000
# getppid calls, each a ~1 KiB record into 4 KiB.  Some lines arrive,
# stderr counts the lost records, and arrived + lost is every call.
# (The -c wrapper that records the loader's maps is a shell, which
# calls getppid itself before it execs the helper: execname skips it.)
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
dots=$(printf '%1000s' '' | tr ' ' .)
sed "s/DOTS/$dots/" >"$tmp/x.stp" <<'STP'
global n
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() != target() || execname() != "getppid")
		next
	n++
	printf("%05d %s\n", n, "DOTS")
}
STP
compile "$tmp/x.stp" -D STP_BUFSIZE=4096 -D MAXSTRINGLEN=1024
timeout -s KILL 60 "$BIN/stap-bpfld" -c "$tmp/snap $tmp/getppid 5000" \
    "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] || fail "exit $rc, wanted 0"
got=$(grep -c '^[0-9]\{5\} \.\{1000\}$' "$tmp/out")
all=$(wc -l <"$tmp/out")
[ "$got" = "$all" ] || fail "$((all - got)) lines of $all malformed"
lost=$(sed -n 's/^WARNING: Number of lost records: \([0-9]*\)$/\1/p' \
    "$tmp/err")
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "stderr: $(head -n 5 "$tmp/err")"
if [ -z "$lost" ]; then
	fail "no count of lost records"
else
	[ "$lost" -gt 0 ] || fail "nothing lost"
	[ "$got" -gt 0 ] || fail "nothing delivered"
	[ $((got + lost)) = 5000 ] ||
	    fail "$got delivered + $lost lost is not 5000"
fi
# each delivered line is a different call, in order
sort -c -u "$tmp/out" 2>/dev/null || fail "lines repeated or out of order"
gone
[ $fails = 0 ]
