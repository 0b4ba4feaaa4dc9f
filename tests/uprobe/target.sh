#!/bin/sh
# Process probes on the target: process.function(...) without a path
# is on the executable of -c's command or of -x's process, and
# process(PID) on that process's only; without a target it is an error
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
sb() { timeout 60 "$BIN/stap-bpf" --disable-cache "$@" >"$tmp/out" \
    2>"$tmp/err"; rc=$?; }
s='probe process.function("work_add") { if (pid() == target()) printf("a=%d %s\n", $a, pp()) }'
sb -c "$tmp/prog 2" -e "$s"
[ $rc = 0 ] || fail "-c: exit $rc"
grep -vx -- '-583 0' "$tmp/out" >"$tmp/o2"
mv "$tmp/o2" "$tmp/out"
printf '%s\n' "a=0 process(\"$tmp/prog\").function(\"work_add\")" \
    "a=1 process(\"$tmp/prog\").function(\"work_add\")" >"$tmp/want"
expect "$tmp/want"
sb -e "$s"
[ $rc = 1 ] || fail "no target: exit $rc, wanted 1"
grep -qF "<input>:1:7: error: probe point 'process.function(\"work_add\")' needs a path, or a target (-c or -x) whose executable it is" "$tmp/err" ||
    fail "no target: $(cat "$tmp/err")"
# a long-running process: -x, and process(PID)
"$tmp/prog" 1000000000 >/dev/null &
p=$!
guard $p 60
sb -x $p -e 'global n
probe process.function("work_void") { if (pid() == target()) n++; if (n == 2) exit() }
probe end { println(n) }'
[ $rc = 0 ] || fail "-x: exit $rc"
echo 2 >"$tmp/want"
expect "$tmp/want"
sb -e 'global n
probe process('$p').function("work_neg") { n++; if (n == 3) exit() }
probe end { printf("%d %d\n", n, pid() > 0) }'
[ $rc = 0 ] || fail "process(PID): exit $rc"
echo '3 1' >"$tmp/want"
expect "$tmp/want"
kill $p
wait $p 2>/dev/null
unguard
[ $fails = 0 ]
