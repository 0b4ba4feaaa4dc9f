#!/bin/sh
# ppid() in a begin probe (the interpreter, no task_struct to walk) is
# stap-bpfld's parent: timeout(1) here, whose pid $! is; pid() is
# stap-bpfld's own, another.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
printf 'probe begin { printf("%%d %%d\\n", pid(), ppid()); exit() }\n' \
    >"$tmp/x.stp"
compile "$tmp/x.stp"
timeout -s KILL 60 "$BIN/stap-bpfld" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
ld=$!
wait $ld || fail "exit $?: $(cat "$tmp/err")"
read -r me parent <"$tmp/out"
[ "$parent" = "$ld" ] && [ -n "$me" ] && [ "$me" != "$ld" ] ||
    fail "'$(cat "$tmp/out")', wanted 'PID $ld'"
[ $fails = 0 ]
