#!/bin/sh
# Stacks as strings (tapset/context-symbols.stp), in a tracepoint probe:
# sprint_stack(backtrace()) is print_backtrace()'s lines as a string
# the script keeps; sprint_backtrace() has stap's simple lines of the
# same frames ("name+0xOFF [kernel]": no address, no size); both stop
# before a line that would not fit MAXSTRINGLEN (128 here); modname()
# is "kernel" for the kernel's text and stap's error where no symbol
# covers the address.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
[ "$(head -c 16 /proc/kallsyms)" = "0000000000000000" ] &&
    { echo "kallsyms shows no addresses"; exit 77; }
cat >"$tmp/s.stp" <<'STP'
global kept
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() != target())
		next
	print_backtrace()
	printf("--\n%s--\n", sprint_stack(backtrace()))
	kept = sprint_backtrace()
	printf("%s--\n", kept)
	printf("mod %s\n", modname(stack(0)))
	try {
		println(modname(0))
	} catch (e) {
		printf("err %s\n", e)
	}
}
probe end { printf("end %d\n", strlen(kept) > 0) }
STP
compile "$tmp/s.stp"
"$BIN/stap-bpfld" -T 30 -c "$tmp/getppid 1" "$tmp/x.bo" >"$tmp/out" ||
    fail "stap-bpfld failed"
cat "$tmp/out"
sed -n '1,/^--$/p' "$tmp/out" | sed '$d' >"$tmp/bt"
awk 'n == 1 && /^--$/ { exit } n == 1 { print } /^--$/ { n++ }' \
    "$tmp/out" >"$tmp/ss"
awk 'n == 2 && /^--$/ { exit } n == 2 { print } /^--$/ { n++ }' \
    "$tmp/out" >"$tmp/sb"
n=$(wc -l <"$tmp/bt")
[ "$n" -ge 3 ] || fail "$n frames"
k=$(wc -l <"$tmp/ss")
[ "$k" -ge 1 ] || fail "sprint_stack gave no line"
head -n "$k" "$tmp/bt" | cmp -s - "$tmp/ss" ||
    fail "sprint_stack is not print_backtrace's first lines"
# whole lines, and no room for the next one
[ "$(wc -c <"$tmp/ss")" -le 127 ] || fail "sprint_stack past MAXSTRINGLEN"
[ "$(head -n $((k + 1)) "$tmp/bt" | wc -c)" -gt 127 ] ||
    fail "sprint_stack stopped early"
sed 's/^ 0x[0-9a-f]* : //; s|/0x[0-9a-f]* | |' "$tmp/bt" >"$tmp/simple"
k=$(wc -l <"$tmp/sb")
[ "$k" -ge 2 ] || fail "sprint_backtrace gave $k lines"
head -n "$k" "$tmp/simple" | cmp -s - "$tmp/sb" ||
    fail "sprint_backtrace is not print_backtrace's frames, simple"
grep -qE '^[A-Za-z0-9_.]+\+0x[0-9a-f]+ \[kernel\]$' "$tmp/sb" ||
    fail "sprint_backtrace's lines not in stap's simple form"
grep -qx 'mod kernel' "$tmp/out" || fail "modname of the kernel's text"
grep -qx 'err No module found for address 0x0000000000000000' \
    "$tmp/out" || fail "modname(0) is not stap's error"
grep -qx 'end 1' "$tmp/out" || fail "the string did not reach the end probe"
[ $fails = 0 ]
