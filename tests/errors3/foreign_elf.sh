#!/bin/sh
# stap-bpfld given an ELF file that is not ours refuses it in one line
# saying what it is, exit 1, nothing loaded: an executable, a host
# object from cc -c, a BPF object from clang (when there is one).
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
needbpf
cp /bin/true true
echo 'int f(void) { return 1; }' >f.c
cc -c -o f.o f.c || { echo "cc failed"; exit 1; }
mach=$(od -An -tu2 -j18 -N2 true | tr -d ' ')
mark
expect "executable" 1 "stap-bpfld: 'true': not a BPF object \
(ELF machine $mach)\n" "$BIN/stap-bpfld" true
expect "cc -c object" 1 "stap-bpfld: 'f.o': not a BPF object \
(ELF machine $mach)\n" "$BIN/stap-bpfld" f.o
if command -v clang >/dev/null &&
    echo 'int p(void *c) { return 0; }' >p.c &&
    clang -target bpf -O2 -c -o p.o p.c 2>/dev/null; then
	expect "clang BPF object" 1 "stap-bpfld: 'p.o': not a stap-bpfgen \
object (no '.stap' section)\n" "$BIN/stap-bpfld" p.o
fi
nothing_new foreign
[ $fails = 0 ]
