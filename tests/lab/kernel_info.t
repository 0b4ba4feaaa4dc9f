# The guest has what the lab is for: kprobes, BTF and tracefs.
test -r /sys/kernel/btf/vmlinux || { echo "no /sys/kernel/btf/vmlinux"; exit 1; }
test -e /sys/kernel/tracing/kprobe_events || { echo "no kprobe_events"; exit 1; }
grep -qw vfs_read /proc/kallsyms || { echo "no vfs_read in kallsyms"; exit 1; }
