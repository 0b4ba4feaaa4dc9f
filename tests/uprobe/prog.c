/*
 * The process the uprobe tests probe, built by them with gcc -g: a few
 * functions with scalar, string and struct-pointer parameters, called
 * N times (argv[1], default 3) with values the tests expect exactly,
 * and SDT marks, one behind a semaphore.  Every function has a side
 * effect, so the compiler can neither hoist nor drop a call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

/* what a tracer attached to a mark sets: see sdt.h */
__extension__ unsigned short prog_tick_semaphore
    __attribute__((unused)) __attribute__((section(".probes")));
__extension__ unsigned short prog_gated_semaphore
    __attribute__((unused)) __attribute__((section(".probes")));

struct point {
	int x;
	long y;
	const char *name;
};

volatile long sink;

__attribute__((noinline)) int
work_add(int a, long b)
{
	sink += a;
	return a + (int)b;
}

__attribute__((noinline)) long
work_str(const char *s, struct point *p)
{
	sink += s[0];
	return p->x + p->y + (long)strlen(s);
}

__attribute__((noinline)) short
work_neg(signed char c, unsigned short u)
{
	sink += c;
	return (short)(c - u);
}

__attribute__((noinline)) void
work_void(void)
{
	sink++;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 3, i, gated = 0;
	/* strings on the stack: a BPF program cannot fault in a page of
	 * .rodata the process has not touched yet */
	char hello[] = "hello", name[] = "pt";
	struct point p = { 7, -9, name };
	long t = 0;

	for (i = 0; i < n; i++) {
		t += work_add(i, 10);
		t += work_str(hello, &p);
		t += work_neg(-5, 300);
		work_void();
		STAP_PROBE2(prog, tick, i, t);
		if (prog_gated_semaphore) {
			gated++;
			STAP_PROBE1(prog, gated, gated);
		}
	}
	printf("%ld %d\n", t, gated);
	return 0;
}
