/*
 * A .bo with no kernel program (begin, end and error probes only)
 * needs its maps and nothing else: the userspace programs read and
 * write them as ever (user.c), but no kernel program will.  So they are
 * made here, each as libbpf would make it, and handed to libbpf with
 * bpf_map__reuse_fd, instead of by bpf_object__load, which would also
 * load the object's BTF and first probe the kernel's features (a
 * program load or a BTF load each, a dozen in all, a good part of a
 * begin-only run).  The ring buffer gets one page: only kernel
 * programs write into it (the userspace programs' records go straight
 * to events_record), and its pages, mapped, were most of the run's
 * resident memory.
 *
 * Maps are created through the bpf system call itself: libbpf's
 * bpf_map_create names a map only after a program load that asks the
 * kernel whether names are allowed, which every kernel with ring
 * buffers allows.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "bpfld.h"

/* A map named name (as much of it as the kernel takes), or -1 */
int
bare_mapcreate(enum bpf_map_type type, const char *name, unsigned ksize,
    unsigned vsize, unsigned max, unsigned flags)
{
	union bpf_attr attr;
	size_t i;
	int fd;

	memset(&attr, 0, sizeof attr);
	attr.map_type = type;
	attr.key_size = ksize;
	attr.value_size = vsize;
	attr.max_entries = max;
	attr.map_flags = flags;
	/* the kernel refuses a name of other bytes; libbpf's internal
	 * maps' are ".data" and the like, which it takes */
	for (i = 0; name && name[i] && i < sizeof attr.map_name - 1; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.'))
			break;
		attr.map_name[i] = c;
	}
	fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
	return fd < 0 ? -1 : fd;
}

/* The maps of the object, made and filled; 0, or -1 (said why) */
int
load_bare(struct ld *ld)
{
	struct bpf_map *map;
	uint32_t key = 0;
	char what[300];

	bpf_object__for_each_map(map, ld->obj) {
		enum bpf_map_type type = bpf_map__type(map);
		unsigned max = bpf_map__max_entries(map);
		unsigned flags = bpf_map__map_flags(map);
		const void *init;
		size_t n = 0;
		int fd;

		if (bpf_map__fd(map) >= 0)
			continue;       /* stap_fmt, made already */
		if (type == BPF_MAP_TYPE_RINGBUF)
			max = (unsigned)sysconf(_SC_PAGESIZE);
		fd = bare_mapcreate(type, bpf_map__name(map),
		    bpf_map__key_size(map), bpf_map__value_size(map), max,
		    flags);
		/* .data and .rodata: the section's bytes, as libbpf puts
		 * them in (and freezes .rodata, which it creates read-only
		 * to programs) */
		init = bpf_map__initial_value(map, &n);
		if (fd < 0 || (init && n && (bpf_map_update_elem(fd, &key,
		    init, BPF_ANY) < 0 || ((flags & BPF_F_RDONLY_PROG) &&
		    bpf_map_freeze(fd) < 0))) || bpf_map__reuse_fd(map,
		    fd) < 0) {
			snprintf(what, sizeof what, "create map '%s'",
			    bpf_map__name(map));
			load_bpferr(what, errno);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);      /* reuse_fd keeps a dup */
	}
	return 0;
}
