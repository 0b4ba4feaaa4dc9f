#!/bin/sh
# process("PATH").mark("name") on the program's SDT notes: $argN from
# the operands the notes give (registers when optimised, stack slots
# at -O0), $$name, $$provider, $$parms; a mark behind a semaphore fires
# only because attaching sets the semaphore (the uprobe's reference
# counter): the program counts what it saw, "3" with the probe on
# "gated", "0" with a probe on "tick" only
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
cat >"$tmp/a.stp" <<'STP'
probe process("@PROG@").mark("tick") {
	if (pid() == target())
		printf("%s %s %d %d [%s]\n", $$provider, $$name, $arg1, $arg2,
		    $$parms)
}
probe process("@PROG@").provider("prog").mark("gated") {
	if (pid() == target()) printf("gated %d\n", $arg1)
}
STP
cat >"$tmp/want" <<'OUT'
prog tick 0 -292 [arg1=0x0 arg2=0xfffffffffffffedc]
gated 1
prog tick 1 -583 [arg1=0x1 arg2=0xfffffffffffffdb9]
gated 2
prog tick 2 -873 [arg1=0x2 arg2=0xfffffffffffffc97]
gated 3
OUT
for p in prog prog0; do
	sed "s|@PROG@|$tmp/$p|g" "$tmp/a.stp" >"$tmp/b.stp"
	run "$tmp/b.stp" -c "$tmp/$p 3"
	[ $rc = 0 ] || fail "$p: exit $rc"
	grep -qx -- '-873 3' "$tmp/out" || fail "$p: the semaphore was not set"
	grep -vx -- '-873 3' "$tmp/out" >"$tmp/o2"
	mv "$tmp/o2" "$tmp/out"
	expect "$tmp/want"
done
printf '%s\n' 'global n' \
    "probe process(\"$tmp/prog\").mark(\"tick\") { if (pid() == target()) n++ }" \
    'probe end { printf("n=%d\n", n) }' >"$tmp/c.stp"
run "$tmp/c.stp" -c "$tmp/prog 3"
printf '%s\n' '-873 0' 'n=3' >"$tmp/want"
expect "$tmp/want"
[ $fails = 0 ]
