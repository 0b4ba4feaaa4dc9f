#!/bin/sh
# Process probe points that cannot be: a file that is not there, one
# that is no ELF file, a function or mark not in the binary (stap's
# "no match" with its "similar" hint), a library not found, $name that
# is not there, at a return, in a file without DWARF, a member the
# struct lacks; each the script line with a caret, exit 1, no tree
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
. uprobe/uprobe.inc
printf '%s\n' 'not an ELF file' >"$tmp/text"
gcc -O2 -o "$tmp/nodw" "$T/uprobe/prog.c" || exit 1
cat >"$tmp/a.stp" <<STP
probe process("./nosuch").function("f") { }
probe process("./text").function("f") { }
probe process("./prog").function("work_ad") { }
probe process("./prog").mark("tock") { }
probe process("./prog").library("libnosuch.so.1").function("f") { }
probe process("./prog").function("nothing_like_it_*")? { }
probe process("./prog").function("work_add") { println(\$nosuch) }
probe process("./prog").function("work_add").return { println(\$a) }
probe process("./nodw").function("work_add") { println(\$a) }
probe process("./prog").function("work_str") { println(\$p->nosuch) }
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
a.stp:7:56: error: '\$nosuch' in 'work_add': is no parameter or variable here
    probe process("./prog").function("work_add") { println(\$nosuch) }
                                                           ^
a.stp:8:63: error: '\$a' at the return of 'work_add': only \$return is available (@entry(\$a) is the value at entry)
    probe process("./prog").function("work_add").return { println(\$a) }
                                                                  ^
a.stp:9:56: error: '\$a' in 'work_add': needs DWARF, and the file has none (build it with -g)
    probe process("./nodw").function("work_add") { println(\$a) }
                                                           ^
a.stp:10:56: error: '\$p' in 'work_str': it has no member 'nosuch'
    probe process("./prog").function("work_str") { println(\$p->nosuch) }
                                                           ^
stap-resolve: 9 errors
ERR
if ! cmp -s "$tmp/want" "$tmp/err"; then
	fail "stderr differs"
	diff -u "$tmp/want" "$tmp/err"
fi
[ $fails = 0 ]
