# kernel.statement("FUNCTION+OFFSET"): a kprobe at an offset into the
# function (0: its first instruction, a boundary on every build), and
# kprobe.statement(ADDR).absolute in guru mode at vfs_read's address
# from /proc/kallsyms; each counts the command's 4 reads, and
# probefunc() names the function (execname(): not the read that
# releases the child before its exec).
a=$(grep ' [tT] vfs_read$' /proc/kallsyms | cut -d' ' -f1)
[ -n "$a" ] || { echo "no vfs_read in kallsyms"; exit 1; }
cat >"$T/s.stp" <<STP
global n, a, f
probe kernel.statement("vfs_read+0") {
	if (pid() == target() && execname() == "reader") {
		n++
		f = probefunc()
	}
}
probe kprobe.statement(0x$a).absolute {
	if (pid() == target() && execname() == "reader")
		a++
}
probe end { printf("%d %d %s\n", n, a, f) }
STP
$BIN/stap-parse -g "$T/s.stp" | $BIN/stap-resolve | $BIN/stap-bpfgen >"$T/x.bo" ||
    exit 1
$BIN/stap-bpfld -v -T 60 -c "$H/reader 4 100" "$T/x.bo" >"$T/out" 2>"$T/err" || {
	cat "$T/err"; exit 1; }
cat "$T/err"
[ "$(cat "$T/out")" = "4 4 vfs_read" ] || { echo "got: $(cat "$T/out")"; exit 1; }
grep -q "kprobe on 1 function (fentry" "$T/err" && { echo "a statement tried fentry"; exit 1; }
exit 0
