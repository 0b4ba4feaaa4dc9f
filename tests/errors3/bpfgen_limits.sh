#!/bin/sh
# What a kernel probe cannot do is refused by stap-bpfgen at the script
# line, not by the verifier at load time: loops nested deeper than the
# kernel's 8 call frames allow (here through recursion, with a hint),
# and a number's precision in sprintf, which bpf_snprintf lacks (begin
# probes, run by the interpreter, can).
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
printf '%s\n' \
    'function walk(n) { for (i = 0; i < 2; i++) if (n > 0) walk(n - 1) }' \
    'probe kernel.trace("syscalls:sys_enter_getppid") {' \
    '	walk(3)' \
    '	println(sprintf("%.3d", 7))' \
    '}' \
    'probe begin { println(sprintf("%.3d", 7)) }' >x.stp
"$BIN/stap-parse" x.stp | "$BIN/stap-resolve" >x.tree ||
    { echo "stap-resolve failed"; exit 1; }
expect "kernel limits" 1 "\
x.stp:1:20: error: loops nested more than 7 deep in a kernel probe: the kernel allows 8 call frames (recursive functions are inlined MAXNESTING deep; a smaller -D MAXNESTING=N nests them less)
    function walk(n) { for (i = 0; i < 2; i++) if (n > 0) walk(n - 1) }
                       ^
x.stp:4:10: error: sprintf: the kernel's bpf_snprintf has no '#' or precision for numbers; stap-bpf cannot format this in a kernel probe yet
    \tprintln(sprintf(\"%%.3d\", 7))
    \t        ^
stap-bpfgen: 2 errors
" "$BIN/stap-bpfgen" x.tree
[ $fails = 0 ]
