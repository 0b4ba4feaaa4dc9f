#!/bin/sh
# ppid() in a kernel probe: the -c command's parent is stap-bpfld itself.
cd "$(dirname "$0")/.." || exit 2
BIN=${BIN:-../build/bin}
if [ "$(id -u)" != 0 ]; then
	echo "needs root and BPF"
	exit 77
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cc -O2 -o "$tmp/getppid" runtime/getppid.c || exit 1
$BIN/stap-parse -e 'global pp, me
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) { pp = ppid(); me = pid() }
}
probe end { printf("%d %d\n", me, pp) }' | $BIN/stap-resolve |
    $BIN/stap-bpfgen >"$tmp/x.bo" || exit 1
$BIN/stap-bpfld -T 60 -c "$tmp/getppid 1" "$tmp/x.bo" >"$tmp/out" &
ld=$!
wait $ld || { echo "stap-bpfld failed"; exit 1; }
read -r me pp <"$tmp/out"
echo "child $me, its parent $pp, stap-bpfld $ld"
[ "$pp" = "$ld" ] && [ "$me" -gt 0 ]
