#!/bin/sh
# Compile-time errors on tracepoint C arguments (this kernel's BTF and
# tracefs): a name that is not an argument lists the alternatives, as
# stap does; with --compatible=4.1 the record's fields are what there
# is, and the C argument names are not among them.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
[ -r /sys/kernel/btf/vmlinux ] || { echo "needs kernel BTF"; exit 77; }
cat >"$tmp/x.stp" <<'STP'
probe kernel.trace("sched:sched_switch") { println($nosuch) }
STP
cat >"$tmp/want" <<'ERR'
x.stp:1:52: error: tracepoint 'sched:sched_switch' has no argument 'nosuch' (alternatives: $preempt $prev $next $prev_state $$parms $$vars)
    probe kernel.trace("sched:sched_switch") { println($nosuch) }
                                                       ^
stap-resolve: 1 error
ERR
cd "$tmp" || exit 2
"$BIN/stap-parse" x.stp | "$BIN/stap-resolve" >/dev/null 2>err
rc=$?
[ $rc = 1 ] || fail "exit $rc, wanted 1"
cmp -s want err || fail "stderr: $(cat err)"

cat >x.stp <<'STP'
probe kernel.trace("sched:sched_switch") { println($prev, $next_pid) }
STP
cat >want <<'ERR'
x.stp:1:52: error: tracepoint 'sched:sched_switch' has no field 'prev'
    probe kernel.trace("sched:sched_switch") { println($prev, $next_pid) }
                                                       ^
stap-resolve: 1 error
ERR
"$BIN/stap-parse" --compatible=4.1 x.stp | "$BIN/stap-resolve" \
    >/dev/null 2>err
rc=$?
[ $rc = 1 ] || fail "4.1: exit $rc, wanted 1"
cmp -s want err || fail "4.1: stderr: $(cat err)"
cd "$T" || exit 2
[ $fails = 0 ]
