#!/bin/bash
# make bench: compile speed of the stages we have, against stock
# SystemTap's parser (stap -p1) when Debian's systemtap is installed.
# Prints CPU times and callgrind instruction counts; never a test.
cd "$(dirname "$0")/../.." || exit 1
B=build/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh tests/bench/gen.sh 5000 >"$tmp/big.stp"
sh tests/bench/gen.sh 1000 >"$tmp/k.stp"
lines=$(wc -l <"$tmp/big.stp")

# CPU seconds (user+sys) of running "$@" R times, divided by R
cpu() {
	local r=$1 t0 t1
	shift
	t0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
	for ((i = 0; i < r; i++)); do "$@" >/dev/null 2>&1; done
	t1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
	awk -v a="$t0" -v b="$t1" -v r="$r" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { printf "%.3f", (b - a) / hz / r * 1000 }'
}

instr() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
	    2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}

echo "stap-parse on a generated $lines-line script"
ms=$(cpu 50 $B/stap-parse "$tmp/big.stp")
echo "  CPU: $ms ms per run"
if command -v valgrind >/dev/null; then
	n=$(instr $B/stap-parse "$tmp/big.stp")
	echo "  instructions: $n ($((n / lines)) per line)"
fi
kms=$(cpu 100 $B/stap-parse "$tmp/k.stp")
echo "  1,000 lines: $kms ms CPU (aim: under 2 ms)"
echo "stap-parse | stap-fmt round trip: $(cpu 20 sh -c \
    "$B/stap-parse $tmp/big.stp | $B/stap-fmt") ms CPU"

if command -v stap >/dev/null && timeout 60 stap -p1 "$tmp/k.stp" \
    >/dev/null 2>&1; then
	sms=$(cpu 5 timeout 120 stap -p1 "$tmp/big.stp")
	echo "stap -p1 (systemtap $(stap -V 2>&1 | sed -n \
	    's/.*version \([0-9.]*\).*/\1/p;q')) on the same script"
	echo "  CPU: $sms ms per run"
	awk -v a="$sms" -v b="$ms" 'BEGIN { if (b > 0)
	    printf "  ratio: stap-parse is %.0fx less CPU\n", a / b }'
	if command -v valgrind >/dev/null; then
		sn=$(instr timeout 600 stap -p1 "$tmp/big.stp")
		[ -n "$sn" ] && echo "  instructions: $sn" &&
		    awk -v a="$sn" -v b="$n" 'BEGIN { if (b > 0)
		    printf "  ratio: %.0fx fewer instructions\n", a / b }'
	fi
else
	echo "stap -p1: not installed or not usable here; no comparison"
fi
