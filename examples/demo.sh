#!/bin/sh
# make demo: examples/topsys.stp run by stap-bpf on this machine's
# kernel: the processes making the most system calls, a top ten every
# second for five seconds.  A dd in the background makes sure there is
# something to see.
set -e
cd "$(dirname "$0")/.."
B=build/bin
echo "== stap-bpf -p3 examples/topsys.stp   (passes 1-3: the .bo's listing)"
$B/stap-bpf -p3 examples/topsys.stp | head -n 20
if [ "$(id -u)" != 0 ]; then
	echo "stap-bpf needs root to load BPF: run 'make demo' as root"
	exit 0
fi
mountpoint -q /sys/kernel/tracing 2>/dev/null ||
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
echo "== stap-bpf -v examples/topsys.stp   (with a dd making system calls)"
dd if=/dev/zero of=/dev/null bs=16 count=2000000 2>/dev/null &
dd=$!
$B/stap-bpf -v examples/topsys.stp
kill $dd 2>/dev/null || true
wait 2>/dev/null || true
