#!/bin/sh
# system(cmd) runs sh -c cmd from stap-bpfld, in the background as stap
# does (from a begin probe and from a tracepoint: the command sees the
# string the probe built); warn(msg) prints "WARNING: msg" on stderr
# with no place, as stap's; log(msg) is msg and a newline on stdout.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<STP
probe begin {
	log("begin")
	warn("careful")
	system("echo from begin >$tmp/a")
}
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) {
		warn(sprintf("pid %d", pid()))
		system(sprintf("echo %d >$tmp/b; exit 3", pid()))
	}
}
probe end { log("end") }
STP
compile "$tmp/x.stp"
timeout -s KILL 60 "$BIN/stap-bpfld" -c "$tmp/getppid 1" "$tmp/x.bo" \
    >"$tmp/out" 2>"$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
[ "$(cat "$tmp/out")" = "begin
end" ] || fail "stdout: $(cat "$tmp/out")"
waitfor "$tmp/a" "from begin" || fail "begin's command did not run"
i=0
while [ ! -s "$tmp/b" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
b=$(cat "$tmp/b" 2>/dev/null)
case $b in
'' | *[!0-9]*) fail "the tracepoint's command wrote '$b'" ;;
esac
[ "$(cat "$tmp/err")" = "WARNING: careful
WARNING: pid $b" ] || fail "stderr: $(cat "$tmp/err")"
[ $fails = 0 ]
