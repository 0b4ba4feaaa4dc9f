#!/bin/sh
# Typed kernel data in probes that run in user space (begin, end):
# stap-bpfgen's error at the script's line, not a helper stap-bpfld's
# interpreter lacks at run time.  (task_current() itself compiles
# there, as every intrinsic does, and fails when run.)
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
printf 'probe begin {\n\tx = task_current()\n%s\n\tprintln(y)\n}\n' \
    '	y = @cast(x, "task_struct")->pid' >x.stp
"$BIN/stap-parse" x.stp | "$BIN/stap-resolve" >x.tree ||
    { echo "stap-resolve failed"; exit 1; }
expect "typed data in begin" 1 "\
x.stp:3:6: error: typed kernel data cannot be read in a begin, end or error probe: they run in user space
    \ty = @cast(x, \"task_struct\")->pid
    \t    ^
stap-bpfgen: 1 error
" "$BIN/stap-bpfgen" x.tree
[ $fails = 0 ]
