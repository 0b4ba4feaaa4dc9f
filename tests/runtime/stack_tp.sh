#!/bin/sh
# Kernel stacks in a tracepoint probe: print_backtrace() named in user
# space from kallsyms, in stap's format, through the system call entry
# path; backtrace(), stack(n), symname() and symdata() made in the
# kernel agree with it frame by frame, and print_syms() of backtrace()
# prints what print_backtrace() did; symname() in an end probe (the
# interpreter) names what the kernel named; stack() past the end is
# stap's error; and an event stream rendered by stap-fmt on its own
# (its KSYM records) reads the same as the direct output.  callers()
# and caller() of the tapset agree.
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
[ "$(head -c 16 /proc/kallsyms)" = "0000000000000000" ] &&
    { echo "kallsyms shows no addresses"; exit 77; }
cat >"$tmp/s.stp" <<'STP'
global a0, n0
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) {
		print_backtrace()
		printf("--\n")
		print_syms(backtrace())
		printf("--\nbt %s\n", backtrace())
		a0 = stack(0)
		n0 = symname(a0)
		printf("s0 0x%016x : %s\n", a0, symdata(a0))
		printf("s1 0x%016x : %s\n", stack(1), symdata(stack(1)))
		printf("name %s\n", n0)
		printf("addr %d pp [%s] pf [%s]\n", addr(), ppfunc(),
		    probefunc())
		printf("c1 %s\nca %s\ncaller %s\n", callers(1), callers(-1),
		    caller())
	}
}
probe end {
	printf("end %s\n", symname(a0) == n0 ? "same" : symname(a0))
}
STP
compile "$tmp/s.stp"
"$BIN/stap-bpfld" -T 30 -c "$tmp/getppid 1" "$tmp/x.bo" >"$tmp/out" ||
    fail "stap-bpfld failed"
cat "$tmp/out"
sed -n '1,/^--$/p' "$tmp/out" | sed '$d' >"$tmp/bt"
sed -n '/^--$/,/^--$/p' "$tmp/out" | sed '1d;$d' >"$tmp/syms"
n=$(wc -l <"$tmp/bt")
[ "$n" -ge 3 ] && [ "$n" -le 20 ] || fail "$n frames"
grep -vqE '^ 0x[0-9a-f]{16} : [A-Za-z0-9_.$]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[kernel\]$' \
    "$tmp/bt" && fail "a frame not in stap's form"
grep -q ' : do_syscall_64+' "$tmp/bt" || fail "no do_syscall_64 frame"
grep -q ' : entry_SYSCALL_64' "$tmp/bt" || fail "no entry_SYSCALL_64 frame"
# what the kernel's %pS made, as the loader's kallsyms reading made it
[ " $(sed -n 's/^s0 //p' "$tmp/out")" = "$(sed -n 1p "$tmp/bt")" ] ||
    fail "symdata(stack(0)) differs from the first frame"
[ " $(sed -n 's/^s1 //p' "$tmp/out")" = "$(sed -n 2p "$tmp/bt")" ] ||
    fail "symdata(stack(1)) differs from the second frame"
[ "$(sed -n 's/^name //p' "$tmp/out")" = \
    "$(sed -n '1s/^ 0x[0-9a-f]* : \([^+]*\)+.*/\1/p' "$tmp/bt")" ] ||
    fail "symname(stack(0)) is not the first frame's name"
# backtrace(): the frames' addresses, "0x%016x " each, what fits in 128
words=$(sed -n 's/^bt //p' "$tmp/out" | wc -w)
[ "$words" -ge 3 ] || fail "backtrace() has $words words"
[ "$(sed -n 's/^bt //p' "$tmp/out" | tr ' ' '\n' | sed '/^$/d')" = \
    "$(head -n "$words" "$tmp/bt" | cut -c2-19)" ] ||
    fail "backtrace() differs from print_backtrace()'s addresses"
[ "$(cat "$tmp/syms")" = "$(head -n "$words" "$tmp/bt")" ] ||
    fail "print_syms(backtrace()) differs from print_backtrace()"
grep -qx 'addr 0 pp \[\] pf \[\]' "$tmp/out" ||
    fail "a tracepoint has a function or an address"
# the tapset's callers() and caller() over stack(n)
[ "$(sed -n 's/^c1 //p' "$tmp/out")" = "$(head -n 2 "$tmp/bt" | cut -c2-19 |
    tr '\n' ' ' | sed 's/ $//')" ] || fail "callers(1) is not frames 0 and 1"
[ "$(sed -n 's/^ca //p' "$tmp/out" | wc -w)" -ge "$words" ] ||
    fail "callers(-1) has fewer frames than backtrace()"
[ "$(sed -n 's/^caller //p' "$tmp/out")" = "$(sed -n \
    '2s/^ \(0x[0-9a-f]*\) : \([^+]*\)+.*/\2 \1/p' "$tmp/bt")" ] ||
    fail "caller() is not the second frame's name and address"
grep -qx 'end same' "$tmp/out" || fail "the interpreter's symname differs"
# the same run to an event stream, rendered later
"$BIN/stap-bpfld" --raw -T 30 -c "$tmp/getppid 1" "$tmp/x.bo" \
    >"$tmp/raw" || fail "stap-bpfld --raw failed"
"$BIN/stap-fmt" "$tmp/raw" | sed -n '1,/^--$/p' | sed '$d' >"$tmp/fmt"
[ "$(wc -l <"$tmp/fmt")" = "$n" ] || fail "stap-fmt: other frame count"
grep -vqE '^ 0x[0-9a-f]{16} : [A-Za-z0-9_.$]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[kernel\]$' \
    "$tmp/fmt" && fail "stap-fmt: a frame not named"
# the symbols in the stream are the ones its frames need, not kallsyms
[ "$(wc -c <"$tmp/raw")" -lt 20000 ] || fail "stream of $(wc -c <"$tmp/raw") bytes"
# stack() past the end of the stack
printf '%s\n' 'probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) println(stack(19))
}' >"$tmp/e.stp"
compile "$tmp/e.stp"
"$BIN/stap-bpfld" -T 30 -c "$tmp/getppid 1" "$tmp/x.bo" >"$tmp/out" \
    2>"$tmp/err"
cat "$tmp/err"
grep -q '^ERROR: reached end of stack before unwinding to level 19 near ' \
    "$tmp/err" || fail "no unwind error for stack(19)"
[ $fails = 0 ]
