#!/bin/sh
# process("PATH").function(...): .call, .return with $return (as wide
# and signed as DWARF says), wildcards, one event per call the program
# makes (filtered by its pid), in call order
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
cat >"$tmp/a.stp" <<'STP'
probe process("@PROG@").function("work_*").call {
	if (pid() == target()) printf("call %s\n", probefunc())
}
probe process("@PROG@").function("work_add").return,
    process("@PROG@").function("work_neg").return {
	if (pid() == target()) printf("return %s %d\n", ppfunc(), $return)
}
STP
cat >"$tmp/want" <<'OUT'
call work_add
return work_add 10
call work_str
call work_neg
return work_neg -305
call work_void
call work_add
return work_add 11
call work_str
call work_neg
return work_neg -305
call work_void
OUT
run "$tmp/a.stp" -c "$tmp/prog 2"
[ $rc = 0 ] || fail "exit $rc"
grep -vx -- '-583 0' "$tmp/out" >"$tmp/o2"
mv "$tmp/o2" "$tmp/out"
expect "$tmp/want"
[ $fails = 0 ]
