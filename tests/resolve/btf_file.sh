#!/bin/sh
# --btf FILE: kernel types from FILE, not the running kernel.  A .bo's
# own .BTF holds the minimal task_struct its CO-RE relocations name
# (tgid, real_parent): resolving against it finds those members and
# not others, which the running kernel's BTF has.  Run from tests/.
BIN=${BIN:-../build/bin}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
[ -r /sys/kernel/btf/vmlinux ] || { echo "skip: no kernel BTF"; exit 77; }

parse() { $BIN/stap-parse -r 6.1.0-test -a x86_64 -e "$1"; }
# a begin probe runs in user space: an error (it used to abort)
parse 'probe begin { println(task_current()->real_parent->tgid) }' |
    $BIN/stap-resolve >"$tmp/t" || fail "resolve against the kernel"
$BIN/stap-bpfgen "$tmp/t" >"$tmp/x.bo" 2>/dev/null
[ $? = 1 ] || fail "bpfgen of a typed read in begin: not exit 1"
parse 'probe kernel.trace("syscalls:sys_enter_getppid") {
    println(task_current()->real_parent->tgid) }' |
    $BIN/stap-resolve --tracefs resolve/tracefs >"$tmp/t" ||
    fail "resolve against the kernel"
$BIN/stap-bpfgen "$tmp/t" >"$tmp/x.bo" || fail "bpfgen"
parse 'probe begin { println(@cast(0, "task_struct")->tgid) }' |
    $BIN/stap-resolve --btf "$tmp/x.bo" >"$tmp/t2" ||
    fail "resolve against the .bo's BTF"
grep -q 'member .* str="tgid" .*btf="struct:task_struct:' "$tmp/t2" ||
    fail "no tgid step"
parse 'probe begin { println(@cast(0, "task_struct")->prio) }' >"$tmp/p"
$BIN/stap-resolve "$tmp/p" >/dev/null || fail "prio is in the kernel's"
$BIN/stap-resolve --btf "$tmp/x.bo" "$tmp/p" 2>"$tmp/err" &&
    fail "prio found in the .bo's task_struct"
grep -q "unable to find member 'prio' for 'struct task_struct'" \
    "$tmp/err" || fail "wrong error: $(cat "$tmp/err")"
$BIN/stap-resolve --btf "$tmp/nonexistent" "$tmp/p" 2>"$tmp/err" &&
    fail "a missing --btf file accepted"
grep -q "error: typed access needs BTF: the --btf file" "$tmp/err" ||
    fail "wrong error: $(cat "$tmp/err")"
echo ok
