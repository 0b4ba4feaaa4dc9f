#!/bin/sh
# A 20,000-probe script through every stage: each probe through an
# alias of its own, calling a function of its own with two parameters,
# writing one of 2,000 globals, with locals.  Linear stages take a few
# seconds on a busy machine; the quadratic ones this guards against
# (a scan of every probe, function, global, alias, program or section
# per name) took minutes.  The generous limit keeps it from flaking;
# make bench prints the times.  Run from tests/ by tests/run.
BIN=${BIN:-../build/bin}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
N=20000
LIMIT=60
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

awk -v n=$N 'BEGIN {
	for (i = 0; i < n; i++) {
		if (i < 2000)   # offsets past 32 KB do not fit an insn
			printf "global g%d\n", i
		printf "function f%d(a, b) { t = a + b; return t * %d }\n", i, i
		printf "probe a%d = begin { y = 1 }\n", i
		printf "probe a%d { u = y; g%d = f%d(u, 1); s += g%d }\n", \
		    i, i % 2000, i, i % 2000
	}
	print "global s"
	print "probe begin(1) { printf(\"%d\\n\", s); exit() }"
}' >"$tmp/s.stp"

stage() {	# name, input, output, command...
	name=$1 in=$2 out=$3
	shift 3
	timeout $LIMIT "$@" <"$in" >"$out" 2>"$tmp/err"
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

stage stap-parse "$tmp/s.stp" "$tmp/p" $BIN/stap-parse -
stage stap-resolve "$tmp/p" "$tmp/r" $BIN/stap-resolve
stage stap-bpfgen "$tmp/r" "$tmp/x.bo" $BIN/stap-bpfgen
stage "stap-fmt (tree)" "$tmp/p" "$tmp/f" $BIN/stap-fmt
stage "stap-fmt (.bo)" /dev/null "$tmp/l" $BIN/stap-fmt "$tmp/x.bo"
n=$(grep -c '^probe begin_' "$tmp/l")
if [ "$n" != $((N + 1)) ]; then
	echo "stap-fmt lists $n begin probes, wanted $((N + 1))"
	exit 1
fi
[ "$(id -u)" = 0 ] || exit 0
# sum of i * 2 for i < N
stage stap-bpfld /dev/null "$tmp/out" $BIN/stap-bpfld "$tmp/x.bo"
want=$(awk -v n=$N 'BEGIN { printf "%d\n", n * (n - 1) }')
if [ "$(cat "$tmp/out")" != "$want" ]; then
	echo "stap-bpfld printed '$(head -c 100 "$tmp/out")', wanted $want"
	exit 1
fi
