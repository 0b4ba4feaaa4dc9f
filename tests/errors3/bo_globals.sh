#!/bin/sh
# The .stap's @globals and a timer probe's ticks counter must fit
# stap_globals: stap-bpfld reads the map's whole value into a buffer of
# @globals bytes at the end of the run (the kernel wrote past a smaller
# one) and the counter at the ticks offset.  A crafted .bo where they
# disagree is refused in one line before any probe runs, and nothing of
# it is left in the kernel.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
needbpf
command -v perl >/dev/null || { echo "needs perl"; exit 77; }
cat >x.stp <<'STP'
global n, a, b, c, d
probe timer.ms(10) { n++; a++; b++; c++; d++; if (n >= 3) exit() }
STP
compile x.stp x.bo
grep -q '@globals 48' x.bo && grep -q 'ticks 40' x.bo ||
    { echo "the records were not found"; exit 1; }
# same lengths, so the ELF around the records is unchanged
perl -pe 's/\@globals 48/\@globals 8 /; s/ticks 40/ticks 0 /' x.bo >bad.bo
mark
expect "@globals smaller than the map" 1 "stap-bpfld: 'bad.bo': @globals \
says 8 bytes, map 'stap_globals' has 48\n" timeout 30 "$BIN/stap-bpfld" bad.bo
perl -pe 's/ticks 40/ticks 41/' x.bo >bad2.bo
expect "ticks counter past the map" 1 "stap-bpfld: 'bad2.bo': probe \
'probe_0': its ticks counter at 41 is past map 'stap_globals' (48 bytes)\n" \
    timeout 30 "$BIN/stap-bpfld" bad2.bo
nothing_new bo_globals
expect "the real one" 0 "" timeout 30 "$BIN/stap-bpfld" x.bo
[ $fails = 0 ]
