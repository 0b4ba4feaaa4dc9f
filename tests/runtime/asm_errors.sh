#!/bin/sh
# Errors in embedded BPF assembly come from stap-bpfgen, at the
# statement or field in the function's body, once however many calls;
# a string's escapes are refused as in a script's strings.
# Run from tests/ by tests/run.
BIN=${BIN:-../build/bin}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/e.stp" <<'STP'
function unknown:long () %{ /* bpf */
	mov $$, 1
	florb $$, 2
%}
function nolabel:long (x:long) %{ /* bpf */
	jeq $x, 0, nowhere
	mov $$, 1
%}
function badop:long () %{ /* bpf */
	0xbf, $$, rc, -, -
	mov, $$, -, -, 100
	mov r9, 1
%}
function misc:string (x:long) %{ /* bpf */
	call, -, printf, "%d %s\n", $x
	call, $r, no_such_helper, $x
	add $$, 1
	0x5d, $x, -, 3, -
	mov $$, "A\xqB"
%}
probe begin {
	printf("%d %d %d %s\n", unknown(), nolabel(1), badop(), misc(1))
	printf("%d\n", unknown())
}
STP
cat >"$tmp/want" <<'ERR'
e.stp:3:2: error: unknown instruction 'florb'
    	florb $$, 2
    	^
e.stp:6:13: error: undefined label 'nowhere'
    	jeq $x, 0, nowhere
    	           ^
e.stp:10:12: error: 'rc' is not a register, a variable or a string
    	0xbf, $$, rc, -, -
    	          ^
e.stp:11:2: error: '-' is not a register
    	mov, $$, -, -, 100
    	^
e.stp:12:2: error: register 'r9' is reserved by stap-bpf
    	mov r9, 1
    	^
e.stp:15:19: error: format string wants more arguments than the ones given
    	call, -, printf, "%d %s\n", $x
    	                 ^
e.stp:16:12: error: unknown BPF helper 'no_such_helper'
    	call, $r, no_such_helper, $x
    	          ^
e.stp:17:2: error: a string can only be the destination of 'mov' or 'call'
    	add $$, 1
    	^
e.stp:18:15: error: a jump target is a label, not '3'
    	0x5d, $x, -, 3, -
    	             ^
e.stp:19:12: error: \x used with no following hex digits
    	mov $$, "A\xqB"
    	          ^
stap-bpfgen: 10 errors
ERR
cd "$tmp" || exit 2
case $BIN in /*) ;; *) BIN=$OLDPWD/$BIN ;; esac
$BIN/stap-parse -g e.stp | $BIN/stap-resolve >tree || exit 1
$BIN/stap-bpfgen <tree >x.bo 2>err
rc=$?
[ $rc = 1 ] || { echo "stap-bpfgen exit $rc, wanted 1"; exit 1; }
diff -u want err || exit 1
# other embedded code is still refused, by stap-resolve
printf '%s\n' 'function c:long () %{ STAP_RETURN(1); %}' \
    'probe begin { println(c()) }' >c.stp
$BIN/stap-parse -g c.stp | $BIN/stap-resolve >/dev/null 2>err
[ $? = 1 ] && grep -q 'embedded C code is not supported' err
