#!/bin/sh
# Registers and function arguments where a probe has no registers (a
# tracepoint): stap's runtime errors; where it has (a timer's perf
# event, the interrupted code's): register("rip") is addr(); an unknown
# register name is refused at compile time.  The kernel lab checks the
# values on kernel functions (lab/kfunc_regs).
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
for f in 'int_arg(1)' 'pointer_arg(2)' 'ulong_arg(7)'; do
	printf '%s\n' "probe kernel.trace(\"syscalls:sys_enter_getppid\") {
	if (pid() == target()) println($f)
}" >"$tmp/a.stp"
	compile "$tmp/a.stp"
	"$BIN/stap-bpfld" -T 30 -c "$tmp/getppid 1" "$tmp/x.bo" \
	    >"$tmp/out" 2>"$tmp/err"
	grep -q '^ERROR: cannot access function args in this context near ' \
	    "$tmp/err" || { cat "$tmp/err"; fail "$f: no error"; }
done
printf '%s\n' 'probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) println(register("rax"))
}' >"$tmp/r.stp"
compile "$tmp/r.stp"
"$BIN/stap-bpfld" -T 30 -c "$tmp/getppid 1" "$tmp/x.bo" >"$tmp/out" \
    2>"$tmp/err"
grep -q '^ERROR: cannot access CPU registers in this context near ' \
    "$tmp/err" || { cat "$tmp/err"; fail "register: no error"; }
printf '%s\n' 'global n, same, nz
probe timer.ms(5) {
	a = addr()
	same += register("rip") == a && u_register("eip") == (a & 0xffffffff)
	nz += a != 0
	if (++n == 5) exit()
}
probe end { printf("%d %d %d\n", n, same, nz) }' >"$tmp/t.stp"
compile "$tmp/t.stp"
"$BIN/stap-bpfld" -T 30 "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" ||
    fail "timer: exit $?"
cat "$tmp/out" "$tmp/err"
[ "$(cat "$tmp/out")" = "5 5 5" ] || fail "timer: rip is not addr()"
printf '%s\n' 'probe timer.s(1) { println(u_register("xmm0")) }' \
    >"$tmp/u.stp"
"$BIN/stap-parse" "$tmp/u.stp" | "$BIN/stap-resolve" |
    "$BIN/stap-bpfgen" >/dev/null 2>"$tmp/err" && fail "xmm0 compiled"
cat "$tmp/err"
grep -q "u.stp:1:39: error: unknown register 'xmm0'" "$tmp/err" ||
    fail "no error for an unknown register"
[ $fails = 0 ]
