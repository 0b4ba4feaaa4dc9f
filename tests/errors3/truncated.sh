#!/bin/sh
# A real .bo cut short anywhere (inside the ELF header, inside the
# body, one byte before its end) is refused in one line, exit 1, and
# nothing of it is left loaded.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
needbpf
cat >x.stp <<'STP'
global n
probe kernel.trace("syscalls:sys_enter_getppid") { n++ }
probe timer.ms(100) { printf("%d\n", n) }
STP
compile x.stp x.bo
size=$(wc -c <x.bo)
# the section table is the end of the file stap-bpfgen writes
end=$(od -An -tu8 -j40 -N8 x.bo | tr -d ' ')
shnum=$(od -An -tu2 -j60 -N2 x.bo | tr -d ' ')
shend=$((end + shnum * 64))
mark
expect "empty" 1 "stap-bpfld: 'cut.bo': not an ELF file\n" \
    sh -c ': >cut.bo; "$1" cut.bo' sh "$BIN/stap-bpfld"
expect "10 bytes" 1 "stap-bpfld: 'cut.bo': truncated ELF header \
(10 bytes)\n" sh -c 'head -c 10 x.bo >cut.bo; "$1" cut.bo' sh \
    "$BIN/stap-bpfld"
for n in 64 $((size / 2)) $((size - 1)); do
	expect "$n of $size bytes" 1 "stap-bpfld: 'cut.bo': truncated: \
section table ends at $shend, file has $n bytes\n" \
	    sh -c 'head -c "$2" x.bo >cut.bo; "$1" cut.bo' sh \
	    "$BIN/stap-bpfld" $n
done
nothing_new truncated
[ $fails = 0 ]
