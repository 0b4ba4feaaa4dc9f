#!/bin/sh
# stap-bpf's .bo cache keys a process probe on the probed file's
# content: the same script on a rebuilt program (its functions at
# other offsets) compiles again instead of attaching at stale offsets
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
export XDG_CACHE_HOME="$tmp/cache"
s='probe process("'$tmp/p'").function("work_add") { if (pid() == target()) printf("a=%d\n", $a) }'
for opt in -O2 -O0; do
	gcc -g $opt -o "$tmp/p" "$T/uprobe/prog.c" || exit 1
	timeout 60 "$BIN/stap-bpf" -v -e "$s" -c "$tmp/p 2" >"$tmp/out" \
	    2>"$tmp/err"
	printf '%s\n' 'a=0' 'a=1' >"$tmp/want"
	grep -vx -- '-583 0' "$tmp/out" >"$tmp/o2"
	mv "$tmp/o2" "$tmp/out"
	expect "$tmp/want"
	grep -q 'using cached' "$tmp/err" && fail "$opt: a cached .bo"
done
# the same file again: from the cache
timeout 60 "$BIN/stap-bpf" -v -e "$s" -c "$tmp/p 2" >"$tmp/out" 2>"$tmp/err"
grep -q 'using cached' "$tmp/err" || fail "the unchanged file: not cached"
[ $fails = 0 ]
