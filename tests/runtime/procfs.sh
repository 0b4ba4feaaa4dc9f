#!/bin/sh
# procfs probes: a reader of the read file gets what the read probe set
# $value to, once a read (the probe runs again for the next reader);
# what a writer writes is the write probes' $value, a MAXSTRINGLEN - 1
# piece at a time, every write probe in script order; the files are
# FIFOs with stap's modes (0444 and 0222 less the umask: 044 and 022
# unless .umask says) in the --procfs-dir directory, made after the
# begin probes ran and removed at the stop (SIGINT, -T), with the
# directory if stap-bpfld made it.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
global n, began
probe begin { began = 1; println("begin") }
probe procfs("stats").read {
	n++
	$value = sprintf("read %d\n", n)
	$value .= "began "
	$value .= sprint(began) . "\n"
}
probe procfs.umask(0).write { printf("w1 [%s]\n", $value) }
probe procfs("command").write { printf("w2 %d\n", strlen($value)) }
probe end { println("end") }
STP
compile "$tmp/x.stp" -D MAXSTRINGLEN=16
d=$tmp/p
# file F: until the loader's FIFO F exists, at most 20 s
fifo() {
	i=0
	while [ ! -p "$d/$1" ]; do
		[ $i -ge 200 ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
"$BIN/stap-bpfld" --procfs-dir "$d" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
guard $pid 60
if ! fifo stats || ! fifo command; then
	fail "no FIFOs in 20 s: $(ls -l "$d" 2>&1) $(cat "$tmp/err")"
	kill -KILL $pid
	wait $pid
	exit 1
fi
# begin ran before the files were made
head -n 1 "$tmp/out" | grep -qx begin || fail "files before begin"
modes=$(stat -c '%A %n' "$d/stats" "$d/command" | sed "s|$d/||")
[ "$modes" = "pr-------- stats
p-w--w--w- command" ] || fail "modes: $modes"
r1=$(timeout 20 cat "$d/stats")
r2=$(timeout 20 cat "$d/stats")
[ "$r1" = "read 1
began 1" ] || fail "first read: '$r1'"
[ "$r2" = "read 2
began 1" ] || fail "second read: '$r2'"
# 20 bytes: a piece of 15 (MAXSTRINGLEN 16), then 5
printf 'abcdefghijklmnopqrs\n' | timeout 20 tee "$d/command" >/dev/null ||
    fail "write into command"
waitfor "$tmp/out" "w2 5" || fail "no write probe ran: $(cat "$tmp/out")"
kill -INT $pid
wait $pid
rc=$?
unguard
[ $rc = 0 ] || fail "exit $rc after SIGINT"
printf 'begin\nw1 [abcdefghijklmno]\nw2 15\nw1 [pqrs\n]\nw2 5\nend\n' \
    >"$tmp/want"
cmp -s "$tmp/want" "$tmp/out" || fail "output: $(cat "$tmp/out")"
[ -s "$tmp/err" ] && fail "stderr: $(cat "$tmp/err")"
[ -e "$d" ] && fail "$d left after SIGINT: $(ls -l "$d")"

# -T, a directory that was there: our files go, the directory stays
mkdir "$d"
"$BIN/stap-bpfld" -T 1 --procfs-dir "$d" "$tmp/x.bo" >"$tmp/out" \
    2>"$tmp/err"
rc=$?
[ $rc = 0 ] || fail "exit $rc after -T"
[ -d "$d" ] || fail "-T removed a directory it had not made"
[ -z "$(ls "$d")" ] || fail "left after -T: $(ls "$d")"
rmdir "$d"

# the default place: /var/tmp/systemtap-USER/MODULE, MODULE from -m
m=procfs_test_$$
u=$(id -un)
"$BIN/stap-bpfld" -m "$m" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
guard $pid 60
d=/var/tmp/systemtap-$u/$m
fifo stats || fail "no $d/stats in 20 s: $(cat "$tmp/err")"
r1=$(timeout 20 cat "$d/stats")
[ "$r1" = "read 1
began 1" ] || fail "read in $d: '$r1'"
kill -TERM $pid
wait $pid
unguard
[ -e "$d" ] && fail "$d left after SIGTERM"

# a read probe that sets nothing gives an empty file; a runtime error
# in one: the reader gets what was set, the script stops with the
# error (exit 1), the files go
cat >"$tmp/e.stp" <<'STP'
probe procfs("none").read { }
probe procfs("f").read { $value = "partial\n"; error("boom") }
STP
compile "$tmp/e.stp"
d=$tmp/p
"$BIN/stap-bpfld" --procfs-dir "$d" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
guard $pid 60
fifo f || fail "no $d/f in 20 s: $(cat "$tmp/err")"
timeout 20 cat "$d/none" >"$tmp/none" || fail "cat none: $?"
[ -s "$tmp/none" ] && fail "none: '$(cat "$tmp/none")'"
r1=$(timeout 20 cat "$d/f")
[ "$r1" = partial ] || fail "read before the error: '$r1'"
wait $pid
rc=$?
unguard
[ $rc = 1 ] || fail "exit $rc after error(), wanted 1"
grep -q '^ERROR: boom near ' "$tmp/err" || fail "stderr: $(cat "$tmp/err")"
[ -e "$d" ] && fail "$d left after an error"

# stap-bpf -m names the module, as stap's -m
m=procfs_drv_$$
d=/var/tmp/systemtap-$u/$m
"$BIN/stap-bpf" -m "$m" -e 'probe procfs.read { $value = "drv\n" }' \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
guard $pid 60
fifo command || fail "no $d/command in 20 s: $(cat "$tmp/err")"
r1=$(timeout 20 cat "$d/command")
[ "$r1" = drv ] || fail "read through stap-bpf -m: '$r1'"
kill -INT $pid
wait $pid
unguard
[ -e "$d" ] && fail "$d left after stap-bpf's SIGINT"
[ $fails = 0 ]
