#!/bin/sh
# On a kernel without kprobes (this machine's), a kernel.function probe
# compiles (against this kernel's BTF and kallsyms) but cannot attach:
# stap-bpfld says so in one line naming the probe, each mechanism it
# tried and why that failed, and exits 1: one function tries fentry
# (refused here with EPERM) then a kprobe, a wildcard kprobe_multi
# then a kprobe each, a statement (an offset) a kprobe only.  The
# kernel lab runs these probes.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	echo "this kernel has kprobes: tests/lab runs these probes"
	exit 77
fi
printf '%s\n' 'probe kernel.function("vfs_read") { exit() }' >"$tmp/one.stp"
printf '%s\n' 'probe kernel.function("vfs_read*").return { exit() }' \
    >"$tmp/wild.stp"
compile "$tmp/one.stp"
"$BIN/stap-bpfld" -T 20 -c true "$tmp/x.bo" >"$tmp/out" \
    2>"$tmp/err"
rc=$?
cat "$tmp/err"
[ $rc = 1 ] || fail "exit $rc, wanted 1"
grep -qxF "stap-bpfld: probe 'kernel.function(\"vfs_read\")': cannot attach: fentry: the kernel refuses an fentry program on vfs_read: Operation not permitted; kprobe on vfs_read: No such file or directory (this kernel has no kprobes)" "$tmp/err" ||
    fail "no message naming the probe, fentry, kprobe and why"
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "more than the one line"
[ -s "$tmp/out" ] && fail "output: $(cat "$tmp/out")"
compile "$tmp/wild.stp"
"$BIN/stap-bpfld" -T 20 "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/err"
[ $rc = 1 ] || fail "wildcard: exit $rc, wanted 1"
grep -q "^stap-bpfld: probe 'kernel.function(\"vfs_read\").return': cannot attach: kprobe_multi: .*; kretprobe on vfs_read: " "$tmp/err" ||
    fail "wildcard: no message naming kprobe_multi and kretprobe"
printf '%s\n' 'probe kernel.statement("vfs_read+0x0") { exit() }' \
    >"$tmp/stmt.stp"
compile "$tmp/stmt.stp"
"$BIN/stap-bpfld" -T 20 "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/err"
[ $rc = 1 ] || fail "statement: exit $rc, wanted 1"
grep -qxF "stap-bpfld: probe 'kernel.statement(\"vfs_read+0x0\")': cannot attach: kprobe on vfs_read+0x0: No such file or directory (this kernel has no kprobes)" "$tmp/err" ||
    fail "statement: no message naming the kprobe at its offset"
[ $fails = 0 ]
