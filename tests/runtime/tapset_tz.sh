#!/bin/sh
# tz_gmtoff, tz_name and tz_ctime give the standard time of the zone
# stap-bpfld runs in, as staprun passes it (POSIX TZ strings, so no
# tzdata is needed): EST5EDT is 18000 s west, "EST" even in summer;
# IST-5:30 is 19800 s east.  ctime() is now: one of the seconds the run
# spanned.  Each in a begin probe and in a tracepoint.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
function run()
{
	printf("%d %s|%s|%s\n", tz_gmtoff(), tz_name(), tz_ctime(0),
	    tz_ctime(1720000000))
	println(ctime())
}
probe begin { run() }
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) {
		run()
		exit()
	}
}
STP
compile "$tmp/x.stp"
for tz in EST5EDT IST-5:30 UTC0; do
	case $tz in
	EST5EDT) want='18000 EST|Wed Dec 31 19:00:00 1969 EST|Wed Jul  3 04:46:40 2024 EST' ;;
	IST*) want='-19800 IST|Thu Jan  1 05:30:00 1970 IST|Wed Jul  3 15:16:40 2024 IST' ;;
	*) want='0 UTC|Thu Jan  1 00:00:00 1970 UTC|Wed Jul  3 09:46:40 2024 UTC' ;;
	esac
	t0=$(date +%s)
	TZ=$tz timeout -s KILL 60 "$BIN/stap-bpfld" -c "$tmp/getppid 1" \
	    "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" ||
	    fail "$tz: exit $?: $(cat "$tmp/err")"
	t1=$(date +%s)
	for l in 1 3; do
		got=$(sed -n ${l}p "$tmp/out")
		[ "$got" = "$want" ] || fail "$tz: '$got', wanted '$want'"
	done
	for l in 2 4; do
		got=$(sed -n ${l}p "$tmp/out")
		t=$t0 ok=
		while [ "$t" -le "$t1" ]; do
			[ "$got" = "$(TZ=UTC0 date -d @"$t" \
			    '+%a %b %e %H:%M:%S %Y')" ] && ok=1
			t=$((t + 1))
		done
		[ -n "$ok" ] || fail "$tz: ctime() '$got' not in [$t0, $t1]"
	done
done
[ $fails = 0 ]
