#!/bin/sh
# Deep nesting: trees nest at most 1000 levels (a declaration at depth
# 0), the depth every stage's recursion is sized for, with a clear error
# at the script line past it, and a tree's size stays linear in its
# script's.  The scripts are made here with awk.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc

# chain N: "probe begin { x = 1 + 1 + ... }", N terms.  The probe is
# depth 0, its block 1, the statement 2, the assignment 3, the
# outermost + 4: the first term is at depth N + 3.
chain() {
	awk -v n="$1" 'BEGIN { printf "probe begin { x = 1"
	    for (i = 1; i < n; i++) printf " + 1"
	    print "; println(x); exit() }" }'
}

# at_most N FILE: the file is at most N bytes
at_most() {
	sz=$(wc -c <"$2")
	[ "$sz" -le "$1" ] || fail "$2 is $sz bytes, more than $1"
}

# The deepest chain allowed: parsed, resolved, formatted and read back
chain 996 >ok.stp
if timeout 60 "$BIN/stap-parse" ok.stp >ok.tree 2>err; then
	echo "ok   996 terms parse"
	# blanks for 32 levels, then the depth as a number: linear size
	# (two blanks a level made this tree 2 MB from 4 KB of script)
	at_most 80000 ok.tree
	grep -q '^999 l: num 0:1:19 num=1$' ok.tree ||
	    fail "no node at depth 999 in its numbered form"
	timeout 60 "$BIN/stap-resolve" ok.tree >ok.res ||
	    fail "stap-resolve refused the deepest tree"
	timeout 60 "$BIN/stap-fmt" --tree ok.tree >ok2.tree &&
	    cmp -s ok.tree ok2.tree || fail "tree round trip differs"
	timeout 60 "$BIN/stap-fmt" ok.tree >ok.fmt &&
	    timeout 60 "$BIN/stap-parse" ok.fmt >ok3.tree ||
	    fail "parse | fmt | parse failed"
	# the old form, two blanks a level, is still read
	awk '/^[0-9]+ / { d = $1; sub(/^[0-9]+ /, "")
	    printf "%*s%s\n", 2 * d, "", $0; next } { print }' ok.tree \
	    >old.tree
	timeout 60 "$BIN/stap-fmt" --tree old.tree >old2.tree &&
	    cmp -s ok.tree old2.tree ||
	    fail "a tree indented the old way is not read back the same"
else
	fail "996 terms: $(head -c 200 err)"
fi

# One term more: refused at the first term, which is 1000 deep
chain 997 >x.stp
timeout 60 "$BIN/stap-parse" x.stp >out 2>err
rc=$?
[ $rc = 1 ] || fail "997 terms: exit $rc, wanted 1"
[ -s out ] && fail "997 terms: a tree was written"
[ "$(head -n 1 err)" = "x.stp:1:19: error: statements and expressions \
nested more than 1000 deep" ] || fail "997 terms: $(head -c 200 err)"
[ "$(sed -n 3p err)" = "                      ^" ] ||
    fail "997 terms: caret: $(sed -n 3p err)"
[ "$(tail -n 1 err)" = "stap-parse: 1 error" ] ||
    fail "997 terms: last line: $(tail -n 1 err)"
[ $fails = 0 ] && echo "ok   997 terms refused"

# 200000 terms once overflowed stap-parse's stack in the tree writer
chain 200000 >big.stp
timeout 60 "$BIN/stap-parse" big.stp >out 2>err
rc=$?
[ $rc = 1 ] || fail "200000 terms: exit $rc, wanted 1"
grep -q '^big.stp:1:796029: error: statements and expressions nested' err ||
    fail "200000 terms: $(head -c 200 err)"
rm -f big.stp

# Readers refuse a hand-made tree deeper than that, at its line
awk '{ print } /^999 l: num/ { print "1000 l: num 0:1:19 num=1" }' \
    ok.tree >deep.tree
line=$(grep -n '^1000 ' deep.tree | cut -d: -f1)
for t in stap-resolve stap-fmt; do
	expect "$t: a tree 1001 levels deep" 1 "$t: <stdin>:$line: \
malformed stap-tree: nodes nested more than 1000 deep\n" \
	    sh -c '"$1" <deep.tree' sh "$BIN/$t"
done
sed 's/^@stage parsed$/@stage resolved/' deep.tree >deepr.tree
expect "stap-bpfgen: a tree 1001 levels deep" 1 "stap-bpfgen: <stdin>:\
$line: malformed stap-tree: nodes nested more than 1000 deep\n" \
    sh -c '"$1" <deepr.tree' sh "$BIN/stap-bpfgen"

# Aliases wrap the probe's body in blocks: stap-resolve says when that
# goes past the limit, where the parsed tree was within it
{
	echo 'probe a0 = begin { }'
	for i in 1 2 3 4 5 6 7 8 9; do echo "probe a$i = a$((i - 1)) { }"; done
	chain 994 | sed 's/^probe begin/probe a9/'
} >alias.stp
"$BIN/stap-parse" alias.stp >alias.tree || fail "alias.stp: stap-parse"
timeout 60 "$BIN/stap-resolve" alias.tree >out 2>err
rc=$?
[ $rc = 1 ] || fail "aliases: exit $rc, wanted 1"
[ "$(head -n 1 err)" = "alias.stp:11:42: error: statements and \
expressions nested more than 1000 deep" ] || fail "aliases: $(head -c 200 err)"
[ $fails = 0 ] && echo "ok   aliases past the limit"

# Statements: 970 nested blocks and ifs compile; 1000 blocks are the
# parser's "nesting too deep", not a crash
awk 'BEGIN { printf "global h\nprobe begin { h <<< 5; x = 3\n"
    for (i = 0; i < 485; i++) printf "{ if (x) "
    printf "print(@hist_log(h))"
    for (i = 0; i < 485; i++) printf " }"
    print "\nexit() }" }' >blocks.stp
if "$BIN/stap-parse" blocks.stp >blocks.tree &&
    "$BIN/stap-resolve" blocks.tree >blocks.res &&
    "$BIN/stap-bpfgen" blocks.res >blocks.bo &&
    "$BIN/stap-fmt" blocks.tree >/dev/null; then
	echo "ok   970 nested statements compile"
else
	fail "970 nested statements"
fi
awk 'BEGIN { printf "probe begin {\n"
    for (i = 0; i < 1100; i++) printf "{"
    print "" }' >blocks2.stp
expect "1100 nested blocks" 1 "blocks2.stp:2:1001: error: nesting too \
deep\n    $(sed -n 2p blocks2.stp)\n$(printf '%1005s' '^')\n\
stap-parse: 1 error\n" "$BIN/stap-parse" blocks2.stp

# A write to the array a foreach walks, 300 levels down, is still seen
awk 'BEGIN { printf "global a\nprobe begin { a[1] = 1\n"
    printf "foreach (k in a) { "
    for (i = 0; i < 300; i++) printf "if (k) "
    print "a[k] = 2 }\nexit() }" }' >fe.stp
"$BIN/stap-parse" fe.stp >fe.tree || fail "fe.stp: stap-parse"
"$BIN/stap-resolve" fe.tree >out 2>err
[ "$(head -n 1 err)" = "fe.stp:3:2120: error: variable 'a' modified \
during 'foreach' iteration" ] && echo "ok   deep foreach write" ||
    fail "deep foreach write: $(head -c 200 err)"

# Inlined functions nest where they are called: three bodies 985 deep
# compile, four are refused at the call that goes past 3000 levels
inl() {
	awk -v k="$1" 'BEGIN { for (f = 0; f < k; f++) {
	    printf "function f%d(x) { return ", f
	    printf (f < k - 1 ? "f%d(x)" : "x"), f + 1
	    for (i = 0; i < 985; i++) printf " + 1"
	    print " }" }
	    print "probe begin { println(f0(1)); exit() }" }'
}
inl 3 >inl3.stp
inl 4 >inl4.stp
"$BIN/stap-parse" inl3.stp | "$BIN/stap-resolve" >inl3.res &&
    timeout 60 "$BIN/stap-bpfgen" inl3.res >inl3.bo ||
    fail "three inlined bodies 985 deep"
"$BIN/stap-parse" inl4.stp | "$BIN/stap-resolve" >inl4.res ||
    fail "inl4.stp: stap-resolve"
timeout 60 "$BIN/stap-bpfgen" inl4.res >out 2>err
[ "$(head -n 1 err)" = "inl4.stp:3:25: error: functions inlined here nest \
more than 3000 deep" ] && echo "ok   four inlined bodies refused" ||
    fail "four inlined bodies: $(head -c 200 err)"

# What compiled runs, where BPF can be loaded
if [ "$(id -u)" = 0 ] && [ $fails = 0 ]; then
	out=$(timeout 60 "$BIN/stap-bpfld" blocks.bo | grep -c '^    4 |@')
	[ "$out" = 1 ] || fail "970 nested statements: wrong output"
	out=$(timeout 60 "$BIN/stap-bpfld" inl3.bo)
	[ "$out" = 2956 ] || fail "three inlined bodies print '$out'"
	[ $fails = 0 ] && echo "ok   what compiled runs"
fi
[ $fails = 0 ]
