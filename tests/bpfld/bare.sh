#!/bin/sh
# A .bo with no kernel program (begin and end probes only) is run with
# its maps alone: no program or BTF is loaded into the kernel (libbpf's
# feature probes included) and the ring buffer is one page, which
# nothing writes to; what the script does is unchanged: globals with
# initial values, arrays, statistics, output far beyond a page, the
# end probe, exit().  A script with a kernel probe still loads it.
# Run from tests/; needs root and strace.
BIN=${BIN:-../build/bin}
if [ "$(id -u)" != 0 ]; then
	echo "needs root and BPF"
	exit 77
fi
command -v strace >/dev/null || { echo "needs strace"; exit 77; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
# LeakSanitizer (make check-san) cannot run under ptrace
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS

cat >"$tmp/b.stp" <<'STP'
global base = 40, seen, st, name = "init"
probe begin {
	for (i = 0; i < 3000; i++) {
		seen[i % 7] += i
		st <<< i
		printf("line %d of a begin probe, padded to be long\n", i)
	}
	printf("base %d name %s\n", base + 2, name)
	foreach (k+ in seen)
		printf("seen[%d] = %d\n", k, seen[k])
	printf("count %d sum %d max %d\n", @count(st), @sum(st), @max(st))
	exit()
}
probe end { printf("end %d\n", base) }
STP
$BIN/stap-parse "$tmp/b.stp" | $BIN/stap-resolve | $BIN/stap-bpfgen \
    >"$tmp/b.bo" || fail "compile"
strace -f -e trace=bpf -o "$tmp/trace" $BIN/stap-bpfld "$tmp/b.bo" \
    >"$tmp/out" 2>"$tmp/err" || fail "run: $(cat "$tmp/err")"
grep -q 'BPF_PROG_LOAD' "$tmp/trace" &&
    fail "a program loaded for a .bo of none: $(grep -c PROG_LOAD "$tmp/trace")"
grep -q 'BPF_BTF_LOAD' "$tmp/trace" && fail "BTF loaded with no program"
grep 'BPF_MAP_TYPE_RINGBUF' "$tmp/trace" | grep -q 'max_entries=4096,' ||
    fail "the ring buffer is not one page"
[ "$(grep -c '^line [0-9]* of a begin probe' "$tmp/out")" = 3000 ] ||
    fail "begin's lines: $(grep -c '^line' "$tmp/out")"
{
	echo "base 42 name init"
	awk 'BEGIN { for (i = 0; i < 3000; i++) s[i % 7] += i
	    for (k = 0; k < 7; k++) printf "seen[%d] = %d\n", k, s[k] }'
	echo "count 3000 sum 4498500 max 2999"
	echo "end 40"
} >"$tmp/want"
grep -v '^line ' "$tmp/out" | diff -u "$tmp/want" - || fail "output"

# with a kernel program, the object is loaded as ever
cat >"$tmp/k.stp" <<'STP'
probe begin { printf("begin\n") }
probe timer.ms(10) { printf("tick\n"); exit() }
STP
$BIN/stap-parse "$tmp/k.stp" | $BIN/stap-resolve | $BIN/stap-bpfgen \
    >"$tmp/k.bo" || fail "compile k"
strace -f -e trace=bpf -o "$tmp/ktrace" timeout 30 $BIN/stap-bpfld \
    "$tmp/k.bo" >"$tmp/kout" 2>"$tmp/kerr" || fail "run k: $(cat "$tmp/kerr")"
grep -q 'BPF_PROG_LOAD' "$tmp/ktrace" || fail "no program loaded for a timer"
printf 'begin\ntick\n' | diff -u - "$tmp/kout" || fail "timer output"
exit 0
