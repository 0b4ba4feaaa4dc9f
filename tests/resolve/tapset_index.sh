#!/bin/sh
# stap-resolve parses only the tapset files that define what a script
# uses, found through an index of what each file defines, kept in
# $XDG_CACHE_HOME/stap-resolve/tapset-index: a script calling one function
# opens that file and not the syscall aliases; a syscall.* script
# resolves the same with and without an index; -I directories, files
# that change, come, go, a corrupt index, no cache to write to, and
# what the scan must not miss (conditionals, a file it cannot follow,
# functions calling another file's).  Run from tests/.
BIN=${BIN:-../build/bin}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
P="$BIN/stap-parse -r 6.1.0-test -a x86_64"
R="$BIN/stap-resolve --tracefs resolve/tracefs"

# ---- the default tapset: one function, one file ----
$P -e 'probe begin { println(local_clock_ms()) }' >"$tmp/one" ||
    fail "parse"
$R <"$tmp/one" >"$tmp/out.cold" || fail "resolve, no index yet"
ls "$tmp"/cache/stap-resolve/tapset-index/*.idx >/dev/null 2>&1 ||
    fail "no index written for the default tapset"
if command -v strace >/dev/null; then
	# LeakSanitizer (make check-san) cannot run under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -e trace=open,openat -o "$tmp/trace" $R <"$tmp/one" \
	    >"$tmp/out" || fail "resolve under strace"
	grep -q 'tapset/timestamp\.stp"' "$tmp/trace" ||
	    fail "timestamp.stp not read"
	grep 'tapset/syscalls[a-z_]*\.stp"' "$tmp/trace" &&
	    fail "a script of one function read the syscall aliases"
	n=$(grep -c 'tapset/[^"]*\.stp"' "$tmp/trace")
	[ "$n" -le 3 ] || fail "$n tapset files read for one function"
else
	$R <"$tmp/one" >"$tmp/out" || fail "resolve"
fi
cmp -s "$tmp/out.cold" "$tmp/out" || fail "warm index resolves otherwise"
grep -q 'str="local_clock_ms"' "$tmp/out" || fail "local_clock_ms missing"

# ---- syscall.*: every alias, with the index and without one ----
# this kernel's syscall events if tracefs is mounted, else the few of
# the tests' copy
: >"$tmp/file"
RS=$R min=1
if [ -d /sys/kernel/tracing/events/syscalls ]; then
	RS=$BIN/stap-resolve min=300
fi
$P -e 'probe syscall.* { n++ } global n' >"$tmp/all" || fail "parse all"
$RS <"$tmp/all" >"$tmp/all.warm" || fail "syscall.*"
XDG_CACHE_HOME=$tmp/file $RS <"$tmp/all" >"$tmp/all.cold" ||
    fail "syscall.* without a cache"
cmp -s "$tmp/all.warm" "$tmp/all.cold" || fail "syscall.* differs"
n=$(grep -c '^probe ' "$tmp/all.warm")
[ "$n" -ge $min ] || fail "syscall.* gave only $n probes"
$R --list 'syscall.open*' >"$tmp/list" || fail "--list"
grep -qx 'syscall.openat' "$tmp/list" || fail "--list misses syscall.openat"

# ---- -I: a big directory (indexed) and what the scan must find ----
lib=$tmp/lib
mkdir "$lib"
pad() {		# 40 kB of comment: big enough for an index of its own
	awk 'BEGIN { for (i = 0; i < 500; i++) printf "# %078d\n", i }'
}
{ pad; cat <<'STP'
global base = 40
function a_one() { return base + b_two() }
%( arch == "nosucharch" %?
function cond_then() { return 1 }
%:
function cond_else() { return 2 }
%)
function in_body() { return %( arch == "x" %? 1 %: %( arch == "y" %? 2 %: 3 %) %) }
probe mylib.tick = timer.s(1) { tick = 1 }
probe begin { base = 41 }
STP
} >"$lib/a.stp"
cat >"$lib/b.stp" <<'STP'
function b_two() { return 2 }
STP
# braces that do not balance: the scan gives up, the file is always read
cat >"$lib/c.stp" <<'STP'
%( arch == "x86_64" %? function c_three() { %: function c_four() { { %)
	return 3 }
STP
run() {		# SCRIPT: resolved with -I lib into $tmp/r
	$P -e "$1" >"$tmp/t" && $R -I "$lib" <"$tmp/t" >"$tmp/r" 2>"$tmp/e"
}
run 'probe begin { println(a_one()) }' || fail "-I: $(cat "$tmp/e")"
grep -q 'str="b_two"' "$tmp/r" || fail "a file's call to another not followed"
grep -q 'str="base"' "$tmp/r" || fail "the tapset global not pulled in"
grep -q 'num=41' "$tmp/r" || fail "a used file's begin probe left out"
[ "$(ls "$tmp"/cache/stap-resolve/tapset-index/*.idx | wc -l)" = 2 ] ||
    fail "no index for the big -I directory"
# conditionals, in a function's body too, are followed: %?'s condition
# defines nothing
grep -q '^file "a.stp".* always$' "$tmp"/cache/stap-resolve/tapset-index/*.idx &&
    fail "a file of conditionals not indexed (always read)"
run 'probe begin { println(cond_else()) }' ||
    fail "a function in a %: branch: $(cat "$tmp/e")"
run 'probe begin { println(c_three()) }' ||
    fail "a file the scan cannot follow: $(cat "$tmp/e")"
run 'probe mylib.* { println(tick) }' || fail "alias by a glob: $(cat "$tmp/e")"
grep -q 'str="timer"' "$tmp/r" || fail "mylib.tick not expanded"

# a file that changes, keeping its size and (maybe) its mtime second
sed -i 's/function b_two()/function b_2ne()/' "$lib/b.stp"
run 'probe begin { println(b_2ne()) }' ||
    fail "a changed file not read again: $(cat "$tmp/e")"
sed -i 's/function b_2ne()/function b_two()/' "$lib/b.stp"
run 'probe begin { println(b_2ne()) }' && fail "a changed file not read again"
# a new file, and one that goes
echo 'function d_new() { return 4 }' >"$lib/d.stp"
run 'probe begin { println(d_new()) }' || fail "a new file: $(cat "$tmp/e")"
rm "$lib/d.stp"
run 'probe begin { println(d_new()) }' && fail "a removed file still used"
grep -q "unresolved function 'd_new'" "$tmp/e" ||
    fail "a removed file: $(cat "$tmp/e")"

# a corrupt index is not believed, and is written anew
for f in "$tmp"/cache/stap-resolve/tapset-index/*.idx; do
	sed -i 's/^f /g /' "$f"
done
run 'probe begin { println(local_clock_ms()) }' ||
    fail "a corrupt index: $(cat "$tmp/e")"
for f in "$tmp"/cache/stap-resolve/tapset-index/*.idx; do
	printf 'garbage\n\0\n' >"$f"
done
run 'probe begin { println(a_one()) }' || fail "garbage: $(cat "$tmp/e")"
grep -q '^stap-tapset-index ' "$tmp"/cache/stap-resolve/tapset-index/*.idx ||
    fail "a corrupt index not written anew"

# no cache to write to: the same, scanned each run
XDG_CACHE_HOME=$tmp/file $R -I "$lib" <"$tmp/t" >"$tmp/r2" ||
    fail "an unwritable cache"
run 'probe begin { println(a_one()) }' || fail "again"
XDG_CACHE_HOME=$tmp/file $R -I "$lib" <"$tmp/t" >"$tmp/r2" ||
    fail "an unwritable cache"
cmp -s "$tmp/r" "$tmp/r2" || fail "without a cache, another result"
exit 0
