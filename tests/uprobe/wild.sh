#!/bin/sh
# Wildcards and the other function points: "work_*" with the same body
# for each function is one program on every offset (one uprobe record
# in the .bo: stap-bpfld -v says so) and counts each call; "*" a probe
# per function, counted by probefunc(); a libc function by the library's name (found as
# ld.so would); the PLT entry of the same call; a statement by its
# absolute address, named by the function holding it
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
cat >"$tmp/a.stp" <<'STP'
global n, f, lib, plt, st
probe process("@PROG@").function("work_*") { if (pid() == target()) n++ }
probe process("@PROG@").function("*") { if (pid() == target()) f[probefunc()]++ }
probe process("@PROG@").library("libc.so.6").function("strtol") {
	if (pid() == target()) lib++
}
probe process("@PROG@").plt("strtol") { if (pid() == target()) plt++ }
probe process("@PROG@").statement(@ADDR@).absolute {
	if (pid() == target()) st[probefunc()]++
}
probe end {
	printf("n=%d lib=%d plt=%d st=%d\n", n, lib, plt, st["work_neg"])
	printf("main=%d add=%d str=%d neg=%d void=%d\n", f["main"],
	    f["work_add"], f["work_str"], f["work_neg"], f["work_void"])
}
STP
addr=$(nm "$tmp/prog" | sed -n 's/^0*\([0-9a-f]*\) T work_neg$/0x\1/p')
[ -n "$addr" ] || { fail "no work_neg in nm's list"; exit 1; }
sed -i "s/@ADDR@/$addr/" "$tmp/a.stp"
run "$tmp/a.stp" -v -c "$tmp/prog 4"
[ $rc = 0 ] || fail "exit $rc"
printf '%s\n' '-1162 0' 'n=16 lib=1 plt=1 st=4' \
    'main=1 add=4 str=4 neg=4 void=4' >"$tmp/want"
expect "$tmp/want"
# as uprobe_multi where the kernel has it (6.6 on)
if ! grep -q ' bpf_uprobe_multi_link_attach$' /proc/kallsyms; then
	m='uprobe on 4 offsets'
else
	m='uprobe_multi on 4 offsets'
fi
grep -qF "probe 'process(\"$tmp/prog\").function(\"work_add\")': $m of $tmp/prog" "$tmp/err" ||
    fail "work_* is not one program on 4 offsets"
[ $fails = 0 ]
