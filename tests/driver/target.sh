#!/bin/sh
# -c, -x and -T reach stap-bpfld: -c's command is target() and ends
# the run when it exits; -x sets target(); -T ends a script that never
# exits after about that many seconds, its end probe run.
cd "$(dirname "$0")/.." || exit 2
. driver/driver.inc
needbpf
cc -O2 -o "$tmp/getppid" "$T/runtime/getppid.c" || exit 1
# the command's own getppid calls, counted by its pid
S='global n
probe kernel.trace("syscalls:sys_enter_getppid") {
	if (pid() == target()) n++
}
probe end { printf("%d\n", n) }'
sb c -T 60 -c "$tmp/getppid 5" -e "$S"
expect c 0 '5'
# and with -v, where the driver waits for the run itself
sb cv -v -T 60 -c "$tmp/getppid 3" -e "$S"
expect cv 0 '3'
errhas cv "Pass 5: run completed"

sb x -x 4242 -e 'probe begin { println(target()); exit() }'
expect x 0 '4242'

S='global n
probe begin { println("begin") }
probe timer.ms(50) { n++ }
probe end { printf("end: %s\n", n >= 2 ? "ticked" : sprintf("%d", n)) }'
t0=$(date +%s%N)
sb t -T 1 -e "$S"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
expect t 0 'begin
end: ticked'
[ $ms -ge 950 ] || fail "-T 1 stopped after $ms ms"
[ $ms -le 30000 ] || fail "-T 1 stopped after $ms ms"
[ $fails = 0 ]
