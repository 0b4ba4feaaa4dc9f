#!/bin/sh
# On a kernel without kprobes (this machine's), a kernel.function probe
# compiles (against this kernel's BTF and kallsyms) but cannot attach:
# stap-bpfld says so in one line naming the probe, each mechanism it
# tried and why that failed, and exits 1.  A
# wildcard tries kprobe_multi first.  The kernel lab runs these probes.
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
grep -qxF "stap-bpfld: probe 'kernel.function(\"vfs_read\")': cannot attach: kprobe on vfs_read: No such file or directory (this kernel has no kprobes)" "$tmp/err" ||
    fail "no message naming the probe, kprobe and why"
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "more than the one line"
[ -s "$tmp/out" ] && fail "output: $(cat "$tmp/out")"
compile "$tmp/wild.stp"
"$BIN/stap-bpfld" -T 20 "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/err"
[ $rc = 1 ] || fail "wildcard: exit $rc, wanted 1"
grep -q "^stap-bpfld: probe 'kernel.function(\"vfs_read\").return': cannot attach: kprobe_multi: .*; kretprobe on vfs_read: " "$tmp/err" ||
    fail "wildcard: no message naming kprobe_multi and kretprobe"
[ $fails = 0 ]
