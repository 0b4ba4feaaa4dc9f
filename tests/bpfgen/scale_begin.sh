#!/bin/sh
# 70,000 begin probes: more than the 65,279 sections an ELF file holds
# without extended numbering, which a section per userspace program
# ran out of.  They share .stap.progs now, each found by its symbol;
# the .bo must list and run every one of them, each adding its number.
# Run from tests/ by tests/run.
BIN=${BIN:-../build/bin}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
N=70000
LIMIT=120
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

awk -v n=$N 'BEGIN {
	print "global s"
	for (i = 0; i < n; i++)
		printf "probe begin { s += %d }\n", i
	print "probe begin(1) { printf(\"%d\\n\", s); exit() }"
}' >"$tmp/s.stp"

run() {		# name, command...
	name=$1
	shift
	timeout $LIMIT "$@" 2>"$tmp/err"
	rc=$?
	if [ $rc = 124 ]; then
		echo "$name: more than $LIMIT s for $N probes"
		exit 1
	elif [ $rc != 0 ]; then
		echo "$name: exit $rc"
		head -n 5 "$tmp/err"
		exit 1
	fi
}

run stap-parse $BIN/stap-parse -o "$tmp/p" "$tmp/s.stp"
run stap-resolve sh -c '"$1"/stap-resolve <"$2" >"$3"' - $BIN "$tmp/p" \
    "$tmp/r"
run stap-bpfgen sh -c '"$1"/stap-bpfgen <"$2" >"$3"' - $BIN "$tmp/r" \
    "$tmp/x.bo"
# a section each would be 70,000 sections and as many .rel ones
n=$(od -An -tu2 -j60 -N2 "$tmp/x.bo" | tr -d ' ')
if [ "$n" -gt 20 ]; then
	echo "the .bo has $n sections"
	exit 1
fi
run "stap-fmt (.bo)" sh -c '"$1"/stap-fmt "$2" >"$3"' - $BIN "$tmp/x.bo" \
    "$tmp/l"
n=$(grep -c '^probe begin_' "$tmp/l")
if [ "$n" != $((N + 1)) ]; then
	echo "stap-fmt lists $n begin probes, wanted $((N + 1))"
	exit 1
fi
n=$(grep -c 'instructions in section \.stap\.progs$' "$tmp/l")
if [ "$n" != $((N + 1)) ]; then
	echo "stap-fmt puts $n programs in .stap.progs, wanted $((N + 1))"
	exit 1
fi
[ "$(id -u)" = 0 ] || exit 0
run stap-bpfld sh -c '"$1"/stap-bpfld "$2" >"$3"' - $BIN "$tmp/x.bo" \
    "$tmp/out"
want=$(awk -v n=$N 'BEGIN { printf "%.0f\n", n * (n - 1) / 2 }')
if [ "$(cat "$tmp/out")" != "$want" ]; then
	echo "stap-bpfld printed '$(head -c 100 "$tmp/out")', wanted $want"
	exit 1
fi
