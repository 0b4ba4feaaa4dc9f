#!/bin/sh
# Seed a fuzzer's corpus from the test scripts: scripts for "parse",
# their trees for "tree".  Usage: seed.sh parse|tree DIR
cd "$(dirname "$0")/../.." || exit 1
kind=$1 dir=$2
n=0
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
