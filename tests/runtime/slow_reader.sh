#!/bin/sh
# A reader slower than the script: the writes to stdout block, and the
# -c command's exit (SIGCHLD) arrives during one.  Nothing printed may
# be lost: the interrupted write is resumed, so every line the probes
# sent arrives, in order, and the ones the ring buffer could not take
# while the loader waited are counted.  Text, and --raw rendered by
# stap-fmt.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
pad=$(printf '%80s' '' | tr ' ' .)
sed "s/PAD/$pad/" >"$tmp/x.stp" <<'STP'
global n
probe timer.ms(1) {
	for (i = 0; i < 20; i++) {
		n++
		printf("line %d PAD\n", n)
	}
}
probe end { printf("sent %d\n", n) }
STP
compile "$tmp/x.stp"

# check NAME: $tmp/out holds lines 1..k in order, then "sent N", and
# k + the lost records on $tmp/err is N
check() {
	sent=$(sed -n 's/^sent \([0-9]*\)$/\1/p' "$tmp/out")
	lost=$(sed -n 's/^WARNING: Number of lost records: \([0-9]*\)$/\1/p' \
	    "$tmp/err")
	grep '^line ' "$tmp/out" | cut -d' ' -f2 >"$tmp/got"
	k=$(wc -l <"$tmp/got")
	seq 1 "$k" >"$tmp/want"
	if ! cmp -s "$tmp/want" "$tmp/got"; then
		fail "$1: lines missing: $(diff "$tmp/want" "$tmp/got" |
		    head -n 3 | tr '\n' ' ')"
	elif [ -z "$sent" ]; then
		fail "$1: no end line: $(tail -n 2 "$tmp/out")"
	elif [ $((k + ${lost:-0})) != "$sent" ]; then
		fail "$1: $k delivered + ${lost:-0} lost is not $sent sent"
	fi
	[ "$k" -gt 0 ] || fail "$1: nothing delivered"
	# ticks the kernel dropped on a busy machine are said, and fine
	grep -v -e '^WARNING: Number of lost records: [0-9]*$' \
	    -e '^WARNING: Number of skipped probes: [0-9]*$' \
	    -e "^WARNING: probe 'timer.ms(1)': the kernel ran " "$tmp/err" |
	    grep . && fail "$1: stderr: $(head -n 3 "$tmp/err")"
}

# the pipe (64 KiB) fills in tens of ms; the reader starts after 1.5 s
{
	timeout -s KILL 30 "$BIN/stap-bpfld" -c 'sleep 0.5' "$tmp/x.bo" \
	    2>"$tmp/err"
	echo $? >"$tmp/rc"
} | { sleep 1.5; cat; } >"$tmp/out"
[ "$(cat "$tmp/rc")" = 0 ] || fail "text: exit $(cat "$tmp/rc")"
check text
{
	timeout -s KILL 30 "$BIN/stap-bpfld" --raw -c 'sleep 0.5' \
	    "$tmp/x.bo" 2>"$tmp/err"
	echo $? >"$tmp/rc"
} | { sleep 1.5; "$BIN/stap-fmt"; } >"$tmp/out" 2>>"$tmp/err"
[ "$(cat "$tmp/rc")" = 0 ] || fail "raw: exit $(cat "$tmp/rc")"
check raw
[ $fails = 0 ]
