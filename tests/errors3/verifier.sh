#!/bin/sh
# A script that stap-bpfgen compiles but the kernel's verifier refuses:
# guru-mode embedded BPF that dereferences a number, called in a loop of
# a kernel probe, so the bad load sits in a callback that libbpf appends
# to the probe's program.  The rejection is an error at the script line
# of the refused code, with a caret and the verifier's reason, exit 1,
# nothing left loaded; -v shows the log.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
needbpf
[ -d /sys/kernel/tracing/events ] ||
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
printf '%s\n' 'global n' \
    'function peek:long (p:long) %{ /* bpf */' \
    '	ldxdw $$, $p, 0' \
    '%}' \
    'probe kernel.trace("syscalls:sys_enter_getppid") {' \
    '	for (i = 0; i < 10; i++)' \
    '		n += peek(i)' \
    '}' >x.stp
compile x.stp x.bo -g
mark
timeout 60 "$BIN/stap-bpfld" -T 5 x.bo >out 2>err
rc=$?
[ $rc = 1 ] || fail "exit $rc, wanted 1"
[ -s out ] && fail "stdout: $(head -n 3 out)"
[ "$(wc -l <err)" = 4 ] || fail "stderr is not 4 lines"
first=$(sed -n 1p err)
case $first in
"x.stp:3:2: error: the kernel's verifier rejected this: R0 invalid mem"*) ;;
*) fail "first line: $first" ;;
esac
printf '    \tldxdw $$, $p, 0\n    \t^\n%s\n' \
    "(the verifier's whole log: stap-bpfld -v)" >want
sed -n '2,4p' err | cmp -s want - || { fail "stderr:"; cat err; }
nothing_new verifier
timeout 60 "$BIN/stap-bpfld" -v -T 5 x.bo >out 2>err
grep -q '^processed [0-9]* insns' err || grep -q '^[0-9]*: (' err ||
    fail "-v shows no verifier log"
nothing_new "verifier -v"
[ $fails = 0 ]
