#!/bin/sh
# process(...).statement("FUNC@FILE:LINE"): a probe at the line's first
# address in the function (DWARF's line table), its variables read there;
# a line with no code, and a spec without a line, are errors
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
# the line of work_str's return statement in the test program
L=$(grep -n 'return p->x + p->y' "$T/uprobe/prog.c" | cut -d: -f1)
[ -n "$L" ] || { echo "FAIL: no line in prog.c"; exit 1; }
cat >"$tmp/a.stp" <<STP
probe process("@PROG@0").statement("work_*@prog.c:$L") {
	if (pid() == target())
		printf("%s %s %d %s\n", pp(), probefunc(), \$p->x, user_string(\$s))
}
STP
run "$tmp/a.stp" -c "$tmp/prog0 2"
[ $rc = 0 ] || fail "exit $rc: $(cat "$tmp/err")"
grep -vx -- '-583 0' "$tmp/out" >"$tmp/o2"
mv "$tmp/o2" "$tmp/out"
w="process(\"$tmp/prog0\").statement(\"work_*@prog.c:$L\") work_str 7 hello"
printf '%s\n' "$w" "$w" >"$tmp/want"
expect "$tmp/want"
cd "$tmp" || exit 2
printf '%s\n' 'probe process("./prog0").statement("work_str@prog.c:1") {}' \
    'probe process("./prog0").statement("work_str") {}' >b.stp
"$BIN/stap-parse" b.stp | "$BIN/stap-resolve" >/dev/null 2>err
cat >want <<'ERR'
b.stp:1:7: error: no match for probe point 'process("./prog0").statement("work_str@prog.c:1")'
    probe process("./prog0").statement("work_str@prog.c:1") {}
          ^
b.stp:2:36: error: statement 'work_str': wants FUNCTION@FILE:LINE
    probe process("./prog0").statement("work_str") {}
                                       ^
stap-resolve: 2 errors
ERR
cmp -s want err || { fail "errors"; diff -u want err; }
[ $fails = 0 ]
