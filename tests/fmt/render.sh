#!/bin/sh
# An event stream rendered by stap-fmt is what stap-bpfld prints: the
# same script run twice, once with --raw, gives the same stdout, stderr
# and exit status.  Begin prints strings and numbers in many formats, a
# tracepoint counts the -c command's getppid calls and calls exit(), end
# draws two histograms and reports an error() (so both exit 1).
# Exit 0 pass, 77 skip (reason last), anything else fail.
cd "$(dirname "$0")/.." || exit 2
case ${BIN:-} in
'') BIN=$PWD/../build/bin ;;
/*) ;;
*) BIN=$PWD/$BIN ;;
esac
if [ "$(id -u)" != 0 ]; then
	echo "needs root and BPF"
	exit 77
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 2
cat >gp.c <<'C'
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{ int n = argc > 1 ? atoi(argv[1]) : 1; while (n-- > 0) getppid(); return 0; }
C
${CC:-cc} -O1 -o gp gp.c || exit 1
[ -d /sys/kernel/tracing/events ] ||
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
cat >s.stp <<'STP'
global hits, lat, lin
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() != target())
		next
	hits++
	lat <<< hits * 100
	lin <<< hits * 100
	printf("getppid %d by %s\n", hits, execname())
	if (hits >= 3)
		exit()
}
probe begin {
	printf("%s|%-6s|%6s|%.2s|\n", "str", "left", "right", "cut")
	printf("%d %5d %-5d| %x %X %#x %o %u %+d\n", 42, -7, 3, 255, 255,
	    255, 8, 12, 5)
	printf("%c%c %% %05d %p\n", 104, 105, 42, 4096)
	print("plain\n")
	println("line ", 1, " ", "two")
	printf("%s\n", sprintf("%03d", 7))
}
probe end {
	printf("end hits=%d\n", hits)
	print(@hist_log(lat))
	print(@hist_linear(lin, 0, 400, 100))
	error("done badly")
}
STP
"$BIN/stap-parse" s.stp | "$BIN/stap-resolve" | "$BIN/stap-bpfgen" >s.bo ||
    { echo "compile failed"; exit 1; }
timeout 60 "$BIN/stap-bpfld" -c "./gp 3" s.bo >s.txt 2>s.err
rc=$?
if [ $rc -ne 1 ]; then
	cat s.err
	if grep -q -e 'Operation not permitted' -e 'not supported' \
	    -e 'tracing' s.err; then
		echo "needs root and BPF"
		exit 77
	fi
	echo "stap-bpfld exit $rc, wanted 1"
	exit 1
fi
timeout 60 "$BIN/stap-bpfld" --raw -c "./gp 3" s.bo >s.ev 2>ev.err
rc=$?
[ $rc -eq 1 ] ||
    { cat ev.err; echo "stap-bpfld --raw exit $rc, wanted 1"; exit 1; }
fails=0
[ -s ev.err ] && { cat ev.err; echo "--raw wrote to stderr"; fails=1; }
for how in file stdin pipe; do
	case $how in
	file) "$BIN/stap-fmt" s.ev >r.txt 2>r.err ;;
	stdin) "$BIN/stap-fmt" <s.ev >r.txt 2>r.err ;;
	pipe) cat s.ev | "$BIN/stap-fmt" >r.txt 2>r.err ;;
	esac
	rc=$?
	[ $rc -eq 1 ] || { echo "$how: stap-fmt exit $rc, wanted 1"; fails=1; }
	cmp s.txt r.txt || { diff s.txt r.txt; fails=1; }
	cmp s.err r.err || { diff s.err r.err; fails=1; }
done
grep -q '^getppid 3 by gp$' s.txt || { echo "no tracepoint output"; fails=1; }
grep -qx 'ERROR: done badly near s.stp:[0-9]*:[0-9]*' s.err ||
    { echo "no error() message"; fails=1; }
[ $fails -eq 0 ] || { cat s.txt s.err; exit 1; }
