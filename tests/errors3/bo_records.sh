#!/bin/sh
# A .stap array record must describe its map: a crafted .bo whose
# record gives the keys other types than the map's key size holds (the
# foreach sort read past each key) is refused in one line before any
# probe runs, and nothing of it is left in the kernel.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
needbpf
command -v perl >/dev/null || { echo "needs perl"; exit 77; }
cat >x.stp <<'STP'
global a
probe begin {
	a[1, 2] = 3; a[2, 1] = 4
	foreach ([x, y-] in a)
		printf("%d %d %d\n", x, y, a[x, y])
	exit()
}
STP
compile x.stp x.bo
# same length, so the ELF around the record is unchanged
perl -pe 's/array a g_a long long,long/array a g_a long s,s,s,s,s/' \
    x.bo >bad.bo
cmp -s x.bo bad.bo && { echo "the record was not found"; exit 1; }
mark
expect "keys of other types" 1 "stap-bpfld: 'bad.bo': array 'a': its \
keys take 640 bytes, map 'g_a' has 16\n" timeout 30 "$BIN/stap-bpfld" bad.bo
perl -pe 's/array a g_a long long,long/array a g_a strg long,long/' \
    x.bo >bad2.bo
expect "a value of another type" 1 "stap-bpfld: 'bad2.bo': array 'a': its \
value takes 128 bytes, map 'g_a' has 8\n" timeout 30 "$BIN/stap-bpfld" bad2.bo
nothing_new bo_records
expect "the real one" 0 "" sh -c '"$1" x.bo >out.txt' sh "$BIN/stap-bpfld"
[ "$(cat out.txt)" = "$(printf '1 2 3\n2 1 4')" ] ||
    fail "output: $(cat out.txt)"
[ $fails = 0 ]
