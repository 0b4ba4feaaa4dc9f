# print_backtrace() on a kernel function: stap's lines, from the
# function through its callers to the system call entry; on .return
# the "Returning from:" line names the function.
cat >"$T/s.stp" <<'STP'
global n, r
probe kernel.function("vfs_read") {
	if (pid() == target() && !n++)
		print_backtrace()
}
probe kernel.function("vfs_read").return {
	if (pid() == target() && !r++) {
		printf("--\n")
		print_backtrace()
	}
}
STP
$BIN/stap-parse "$T/s.stp" | $BIN/stap-resolve | $BIN/stap-bpfgen >"$T/x.bo" ||
    exit 1
$BIN/stap-bpfld -T 60 -c "$H/reader 2 3000" "$T/x.bo" >"$T/out" || exit 1
cat "$T/out"
frame=' 0x[0-9a-f]{16} : [A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[kernel\]$'
sed -n '1,/^--$/p' "$T/out" | sed '$d' >"$T/entry"
sed -n '/^--$/,$p' "$T/out" | sed '1d' >"$T/ret"
grep -vqE "^$frame" "$T/entry" && { echo "a frame not in stap's form"; exit 1; }
head -n 1 "$T/entry" | grep -q ' : vfs_read+' || { echo "not from vfs_read"; exit 1; }
sed -n 2p "$T/entry" | grep -q ' : ksys_read+' || { echo "no ksys_read caller"; exit 1; }
grep -q ' : do_syscall_64+' "$T/entry" || { echo "no do_syscall_64"; exit 1; }
head -n 1 "$T/ret" | grep -qE "^Returning from:  0x[0-9a-f]{16} : vfs_read\+" ||
    { echo "no Returning from: vfs_read"; exit 1; }
sed -n 2p "$T/ret" | grep -qE "^Returning to  :  0x" || { echo "no Returning to"; exit 1; }
grep -q ' : ksys_read+' "$T/ret" || { echo "return: no ksys_read"; exit 1; }
exit 0
