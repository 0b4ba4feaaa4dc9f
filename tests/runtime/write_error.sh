#!/bin/sh
# A write error ends the run, reported with its cause and how much was
# not written, exit 1: a full device (-o /dev/full), and a reader that
# went away, whether SIGPIPE is ignored (EPIPE alone) or not (SIGPIPE,
# which alone would mean "stop" like SIGINT).  The script would print
# forever; -T 20 only bounds a failure.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
global n
probe timer.ms(1) { n++; printf("line %d\n", n) }
probe end { println("end") }
STP
compile "$tmp/x.stp"

# run NAME SH-PREFIX WANT-CAUSE CMD...: the loader stops in well under
# 20 s with one line on stderr naming the cause
run() {
	name=$1 cause=$2
	shift 2
	t0=$(date +%s)
	"$@" 2>"$tmp/all"
	t1=$(date +%s)
	# ticks the kernel dropped on a busy machine are said, and fine
	grep -v -e '^WARNING: Number of skipped probes: [0-9]*$' \
	    -e "^WARNING: probe 'timer.ms(1)': the kernel ran " "$tmp/all" \
	    >"$tmp/err"
	rc=$(cat "$tmp/rc")
	[ "$rc" = 1 ] || fail "$name: exit $rc, wanted 1"
	[ $((t1 - t0)) -le 10 ] || fail "$name: took $((t1 - t0)) s"
	[ "$(wc -l <"$tmp/err")" = 1 ] &&
	    grep -qx "stap-bpfld: write '[^']*': $cause ([0-9]* bytes not \
written)" "$tmp/err" || fail "$name: stderr: $(head -n 3 "$tmp/err")"
}

full() {
	timeout -s KILL 60 "$BIN/stap-bpfld" -T 20 -o /dev/full "$tmp/x.bo"
	echo $? >"$tmp/rc"
}
run "-o /dev/full" "No space left on device" full

# head reads a line and goes; sh -c sets SIGPIPE's disposition
pipe() {
	{
		timeout -s KILL 60 sh -c "$1"' exec "$@"' sh \
		    "$BIN/stap-bpfld" -T 20 "$tmp/x.bo"
		echo $? >"$tmp/rc"
	} | head -n 1 >"$tmp/out"
	[ "$(cat "$tmp/out")" = "line 1" ] ||
	    fail "head read: $(cat "$tmp/out")"
}
run "SIGPIPE ignored" "Broken pipe" pipe "trap '' PIPE;"
run "SIGPIPE" "Broken pipe" pipe ""
[ $fails = 0 ]
