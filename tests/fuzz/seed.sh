#!/bin/sh
# Seed a fuzzer's corpus from the test scripts: scripts for "parse",
# their trees for "tree".  Usage: seed.sh parse|tree DIR
cd "$(dirname "$0")/../.." || exit 1
kind=$1 dir=$2
n=0
case $kind in
interp)
	# a few real programs: the instructions of begin probes
	printf '\267\000\000\000\001\000\000\000\225\000\000\000\000\000\000\000' \
	    >"$dir/seed-exit"
	exit 0 ;;
events)
	for stp in tests/runtime/arith.stp tests/runtime/strings.stp; do
		n=$((n + 1))
		build/bin/stap-parse "$stp" 2>/dev/null |
		    build/bin/stap-resolve 2>/dev/null |
		    build/bin/stap-bpfgen >"$dir/x.bo" 2>/dev/null &&
		    timeout 20 build/bin/stap-bpfld --raw "$dir/x.bo" \
		    >"$dir/seed$n.ev" 2>/dev/null || rm -f "$dir/seed$n.ev"
	done
	rm -f "$dir/x.bo"
	exit 0 ;;
gen)
	for stp in tests/runtime/*.stp examples/*.stp; do
		n=$((n + 1))
		build/bin/stap-parse "$stp" 2>/dev/null |
		    build/bin/stap-resolve >"$dir/seed$n.tree" 2>/dev/null ||
		    rm -f "$dir/seed$n.tree"
	done
	exit 0 ;;
bo)
	for stp in tests/runtime/*.stp examples/*.stp; do
		n=$((n + 1))
		build/bin/stap-parse "$stp" 2>/dev/null |
		    build/bin/stap-resolve 2>/dev/null |
		    build/bin/stap-bpfgen >"$dir/seed$n.bo" 2>/dev/null ||
		    rm -f "$dir/seed$n.bo"
	done
	exit 0 ;;
esac
for stp in tests/*/*.stp examples/*.stp; do
	[ -f "$stp" ] || continue
	n=$((n + 1))
	if [ "$kind" = parse ]; then
		cp "$stp" "$dir/seed$n.stp"
	else
		build/bin/stap-parse "$stp" >"$dir/seed$n.tree" 2>/dev/null ||
		    rm -f "$dir/seed$n.tree"
	fi
done
