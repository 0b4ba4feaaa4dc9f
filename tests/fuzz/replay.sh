#!/bin/sh
# The crashes the fuzzers found, kept: each input in
# tests/fuzz/crashes/TARGET/ is run once through that target's entry
# function, built without libFuzzer by make check ($O/replay/fuzz-TARGET,
# with the sanitizers under check-san).  An input must neither crash nor
# hang.  Inputs listed in tests/fuzz/open are known crashes, not fixed
# yet: skipped, with the reason; the test is then a skip, not a pass.
# Exit 0 pass, 77 skip (reason last), anything else fail.
cd "$(dirname "$0")/.." || exit 2
R=${BIN:-../build/bin}/../replay
# The targets keep what they allocate for the process's life (as the
# tools do); leaks are not what they look for
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT
fails=0 ran=0 open=0

# every line of the list names an input that is there
while read -r name reason; do
	case $name in ''|'#'*) continue ;; esac
	if [ ! -f "fuzz/crashes/$name" ]; then
		echo "FAIL fuzz/open names $name: no fuzz/crashes/$name"
		fails=$((fails + 1))
	elif [ -z "$reason" ]; then
		echo "FAIL fuzz/open: $name has no reason"
		fails=$((fails + 1))
	fi
done <fuzz/open

for f in fuzz/crashes/*/*; do
	[ -f "$f" ] || continue
	name=${f#fuzz/crashes/}
	t=${name%%/*}
	reason=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ +/, ""); print }' \
	    fuzz/open)
	if [ -n "$reason" ]; then
		echo "skip $name: known, open: $reason"
		open=$((open + 1))
		continue
	fi
	if [ ! -x "$R/fuzz-$t" ]; then
		echo "FAIL $name: no $R/fuzz-$t (make check builds it)"
		fails=$((fails + 1))
		continue
	fi
	timeout 60 "$R/fuzz-$t" "$f" >"$tmp" 2>&1
	rc=$?
	ran=$((ran + 1))
	if [ $rc -ne 0 ]; then
		echo "FAIL $name: exit $rc"
		tail -n 30 "$tmp"
		fails=$((fails + 1))
	fi
done
echo "$ran inputs replayed, $fails failed, $open known open"
[ $fails -eq 0 ] || exit 1
if [ $open -gt 0 ]; then
	echo "$open known crashes skipped (tests/fuzz/open), $ran replayed fine"
	exit 77
fi
[ $ran -gt 0 ] || { echo "no inputs in tests/fuzz/crashes"; exit 1; }
exit 0
