#!/bin/sh
# $name from DWARF, in the program built optimised (parameters in
# registers, location lists) and without optimisation (on the stack at
# the frame base, the probe after the prologue): integers as wide and
# signed as their type, a string through user_string, struct members
# through a pointer, $$parms as stap prints it, $return; user memory
# through the user_* functions, a faulting read caught, or stopping the
# script with stap's runtime error
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
cat >"$tmp/a.stp" <<'STP'
probe process("@PROG@").function("work_add") {
	if (pid() == target()) printf("add a=%d b=%d %s\n", $a, $b, $$parms)
}
probe process("@PROG@").function("work_str") {
	if (pid() != target()) next
	printf("str s=%s x=%d y=%d name=%s\n", user_string($s), $p->x, $p->y,
	    user_string($p->name))
	printf("str user_int=%d user_long=%d user_char=%d\n", user_int($p),
	    user_long($p + 8), user_char($s))
	try {
		println(user_long_error(0))
	} catch (e) {
		printf("caught: %s\n", e)
	}
	printf("user_long(0)=%d\n", user_long(0))
}
probe process("@PROG@").function("work_neg") {
	if (pid() == target()) printf("neg c=%d u=%d %s\n", $c, $u, $$parms)
}
probe process("@PROG@").function("work_str").return,
    process("@PROG@").function("work_neg").return {
	if (pid() == target()) printf("%s returns %d\n", ppfunc(), $return)
}
probe process("@PROG@").function("work_void") {
	if (pid() == target()) printf("void [%s]\n", $$parms)
}
STP
cat >"$tmp/want" <<'OUT'
add a=0 b=10 a=0x0 b=0xa
str s=hello x=7 y=-9 name=pt
str user_int=7 user_long=-9 user_char=104
caught: user memory read fault
user_long(0)=0
work_str returns 3
neg c=-5 u=300 c=0xfffffffffffffffb u=0x12c
work_neg returns -305
void []
add a=1 b=10 a=0x1 b=0xa
str s=hello x=7 y=-9 name=pt
str user_int=7 user_long=-9 user_char=104
caught: user memory read fault
user_long(0)=0
work_str returns 3
neg c=-5 u=300 c=0xfffffffffffffffb u=0x12c
work_neg returns -305
void []
OUT
for p in prog prog0; do
	sed "s|@PROG@|$tmp/$p|g" "$tmp/a.stp" >"$tmp/b.stp"
	run "$tmp/b.stp" -c "$tmp/$p 2"
	[ $rc = 0 ] || fail "$p: exit $rc"
	grep -vx -- '-583 0' "$tmp/out" >"$tmp/o2"
	mv "$tmp/o2" "$tmp/out"
	expect "$tmp/want"
done
# a fault not caught: the script stops with the error, naming the line
printf '%s\n' "probe process(\"$tmp/prog\").function(\"work_add\") {" \
    '	if (pid() == target()) println(user_int_error($a))' '}' \
    >"$tmp/c.stp"
run "$tmp/c.stp" -c "$tmp/prog 2"
[ $rc = 1 ] || fail "uncaught fault: exit $rc, wanted 1"
grep -q "^ERROR: user memory read fault near $tmp/s.stp:2:" "$tmp/err" ||
    fail "no runtime error: $(cat "$tmp/err")"
[ $fails = 0 ]
