#!/bin/sh
# process("PATH").begin and .end on the scheduler's exec and exit
# tracepoints: twice each for a program a -c shell script runs twice
# (other pids than the target's), once for the -c command itself (the
# target); process.end without a path on the target's executable (the
# script's shell, the program)
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
cat >"$tmp/a.stp" <<'STP'
global b, e, any
probe process("@PROG@").begin { b[pid() == target()]++ }
probe process("@PROG@").end { e[pid() == target()]++ }
probe process.end { any++ }
probe end {
	printf("begin %d %d end %d %d any %d\n", b[1], b[0], e[1], e[0], any)
}
STP
printf '%s\n' "#!/bin/sh" "\"$tmp/prog\" 1" "\"$tmp/prog\" 2" >"$tmp/twice"
chmod +x "$tmp/twice"
sed "s|@PROG@|$tmp/prog|g" "$tmp/a.stp" >"$tmp/b.stp"
timeout 60 "$BIN/stap-bpf" --disable-cache -c "$tmp/twice" "$tmp/b.stp" \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] || fail "exit $rc"
printf '%s\n' '-292 0' '-583 0' 'begin 0 2 end 0 2 any 1' >"$tmp/want"
expect "$tmp/want"
sed "s|@PROG@|$tmp/prog|g" "$tmp/a.stp" >"$tmp/b.stp"
timeout 60 "$BIN/stap-bpf" --disable-cache -c "$tmp/prog 2" "$tmp/b.stp" \
    >"$tmp/out" 2>"$tmp/err"
printf '%s\n' '-583 0' 'begin 1 0 end 1 0 any 1' >"$tmp/want"
expect "$tmp/want"
[ $fails = 0 ]
