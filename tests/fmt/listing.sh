#!/bin/sh
# stap-fmt's listing of a .bo compiled from a small script: the script,
# every map, the arrays' globals, every probe, each line record's script
# line quoted in its own probe's code, the formats; the same bytes from
# a file and from stdin.  Key lines only: instruction text is left to
# change with the code generator.  Needs no root (tracefs from tests/).
# Exit 0 pass, 77 skip (reason last), anything else fail.
cd "$(dirname "$0")/.." || exit 2
case ${BIN:-} in
'') BIN=$PWD/../build/bin ;;
/*) ;;
*) BIN=$PWD/$BIN ;;
esac
tracefs=$PWD/resolve/tracefs
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cat >x.stp <<'STP'
global hits, names
probe kernel.trace("syscalls:sys_enter_getppid") {
	hits[pid()]++
	if (hits[pid()] > 3)
		exit()
}
probe begin {
	names["a"] = 1
	printf("start %s %d\n", "s", 42)
}
probe end {
	foreach (p in hits)
		printf("%d: %d\n", p, hits[p] + names["a"])
}
probe perf.sw.cpu_clock.sample(1000000) {
	hits[0]++
}
STP
"$BIN/stap-parse" x.stp | "$BIN/stap-resolve" --tracefs "$tracefs" |
    "$BIN/stap-bpfgen" >x.bo || { echo "compile failed"; exit 1; }
"$BIN/stap-fmt" x.bo >list 2>err || { cat err; echo "stap-fmt failed"; exit 1; }
[ -s err ] && fail "stderr: $(cat err)"
"$BIN/stap-fmt" <x.bo >list2 2>/dev/null && cmp -s list list2 ||
    fail "stdin listing differs from the file's"

[ "$(head -n 1 list)" = "script  x.stp" ] || fail "no script line"

# Maps: every map symbol (readelf, when there), and a script array's
# map line names its global
if command -v readelf >/dev/null 2>&1; then
	readelf -sW x.bo | awk '$4 == "OBJECT" { print $8 }' >maps
else
	echo stap_events >maps
fi
[ -s maps ] || fail "no map symbols found"
while read -r m; do
	# a global-data map has its section's name (man/stap-bo.5)
	grep -q "^  $m \|^  \.data\.$m " list ||
	    fail "map '$m' not listed"
done <maps
grep -a '^array ' x.bo | while read -r _ name map _; do
	grep -q "^  $map .* global $name\[" list ||
	    echo "array '$name' (map '$map') not listed"
done >missing
[ -s missing ] && fail "$(cat missing)"

# Probes, and the tracepoint's attach point
grep -a '^probe ' x.bo | while read -r _ prog _; do
	grep -q "^probe $prog (" list || echo "probe '$prog' not listed"
done >missing
[ -s missing ] && fail "$(cat missing)"
grep -q '^  attach  tracepoint syscalls:sys_enter_getppid$' list ||
    fail "no tracepoint attach point"
grep -q '^probe probe_[0-9]* (perf, in the kernel)$' list ||
    fail "the perf probe not listed as one"

# Every line record's script line, quoted within its probe's code
grep -a -o '^line [^ ]* [0-9]* 0:[0-9]*:' x.bo | tr ':' ' ' >lines
[ "$(wc -l <lines)" -ge 6 ] || fail "too few line records"
[ "$(wc -l <lines)" -eq "$(grep -a -c '^line ' x.bo)" ] ||
    fail "line records not in the form 'line PROG INSN 0:LINE:COL'"
while read -r _ prog _ _ n; do
	want="; x.stp:$n: $(sed -n "${n}p" x.stp | sed 's/^[[:blank:]]*//')"
	awk -v p="probe $prog (" 'index($0, p) == 1 { on = 1; next }
	    /^probe / { on = 0 } on' list | grep -qxF -- "$want" ||
	    echo "'$want' not in probe $prog"
done <lines >missing
[ -s missing ] && fail "$(cat missing)"

# Instructions: numbered with their opcode, none undecoded, maps named
# by their relocations, helpers by name
grep -E '^ *[0-9]+: \([0-9a-f]{2}\) ' list >insns
[ "$(wc -l <insns)" -ge 20 ] || fail "too few instructions"
grep -q invalid insns && fail "undecoded: $(grep invalid insns | head -n 1)"
grep -q ' = map\[stap_events\]$' insns || fail "no map load by name"
grep -q 'call bpf_map_lookup_elem#1$' insns || fail "no helper by name"
grep -q ') exit$' insns || fail "no exit"

grep -qxF '    0 "start %s %d\n" sl' list || fail "format 0 not listed"
grep -qxF '    1 "%d: %d\n" ll' list || fail "format 1 not listed"

[ $fails -eq 0 ] || { sed -n 1,40p list; exit 1; }
