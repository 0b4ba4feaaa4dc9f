#!/bin/sh
# Process probe points that cannot be: a file that is not there, one
# that is no ELF file, a function or mark not in the binary (stap's
# "no match" with its "similar" hint), a library not found; each the
# script line with a caret, exit 1, no tree
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
printf '%s\n' 'not an ELF file' >"$tmp/text"
cat >"$tmp/a.stp" <<STP
probe process("./nosuch").function("f") { }
probe process("./text").function("f") { }
probe process("./prog").function("work_ad") { }
probe process("./prog").mark("tock") { }
probe process("./prog").library("libnosuch.so.1").function("f") { }
probe process("./prog").function("nothing_like_it_*")? { }
STP
# relative paths, so the columns do not depend on $tmp
(cd "$tmp" && "$BIN/stap-parse" a.stp | "$BIN/stap-resolve") >"$tmp/out" \
    2>"$tmp/err"
rc=$?
[ $rc = 1 ] || fail "exit $rc, wanted 1"
[ -s "$tmp/out" ] && fail "a tree on stdout"
cat >"$tmp/want" <<ERR
a.stp:1:15: error: cannot find executable './nosuch'
    probe process("./nosuch").function("f") { }
                  ^
a.stp:2:15: error: cannot probe '$tmp/text': not an ELF executable or shared library
    probe process("./text").function("f") { }
                  ^
a.stp:3:7: error: no match for probe point 'process("./prog").function("work_ad")' (similar functions: work_add, work_neg, work_str, work_void, _fini)
    probe process("./prog").function("work_ad") { }
          ^
a.stp:4:7: error: no match for probe point 'process("./prog").mark("tock")' (similar marks: tick, gated)
    probe process("./prog").mark("tock") { }
          ^
a.stp:5:33: error: cannot find library 'libnosuch.so.1' for '$tmp/prog'
    probe process("./prog").library("libnosuch.so.1").function("f") { }
                                    ^
stap-resolve: 5 errors
ERR
if ! cmp -s "$tmp/want" "$tmp/err"; then
	fail "stderr differs"
	diff -u "$tmp/want" "$tmp/err"
fi
[ $fails = 0 ]
