#!/bin/sh
# Every signature of lib/intrinsic.c's table, which stap-resolve binds
# calls by and stap-bpfgen checks them against, is lowered by gen.c in
# a userspace and a kernel probe: a call for each row, read from the
# table itself, compiles.  Needs no root.
# Exit 0 pass, 77 skip (reason last), anything else fail.
cd "$(dirname "$0")/.." || exit 2
case ${BIN:-} in
'') BIN=$PWD/../build/bin ;;
/*) ;;
*) BIN=$PWD/$BIN ;;
esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# { "name", nargs, RET, { ARGS } }: an argument of each type
# (but $value's: stap-resolve makes them in procfs probes alone, see
# runtime/procfs.sh)
sed -n 's/^	{ "\([a-z0-9_]*\)", [0-9], T_[A-Z]*, { \(.*\) } },$/\1 \2/p' \
    ../lib/intrinsic.c | grep -v '^__procfs_value_' >"$tmp/rows"
[ "$(wc -l <"$tmp/rows")" -ge 20 ] || { echo "table not found"; exit 1; }
while read -r name args; do
	call="$name($(echo "$args" | sed -e 's/^0$//' -e 's/T_LONG/0/g' \
	    -e 's/T_STRING/"x"/g'))"
	case $name in
	exit|error) echo "	if (pid() < 0) $call" ;;
	print_*) echo "	$call" ;;
	*register) echo "	println($name(\"rax\"))" ;;
	*) echo "	println($call)" ;;
	esac
done <"$tmp/rows" >"$tmp/calls"
{
	echo 'probe begin {'
	cat "$tmp/calls"
	echo '}'
	echo 'probe kernel.trace("syscalls:sys_enter_getppid") {'
	cat "$tmp/calls"
	echo '}'
} >"$tmp/x.stp"
"$BIN/stap-parse" "$tmp/x.stp" |
    "$BIN/stap-resolve" --tracefs "$PWD/resolve/tracefs" |
    "$BIN/stap-bpfgen" >"$tmp/x.bo" || { cat "$tmp/x.stp"; exit 1; }
n=$(grep -c '(' "$tmp/calls")
[ "$n" -eq "$(wc -l <"$tmp/rows")" ] || { echo "$n calls"; exit 1; }
