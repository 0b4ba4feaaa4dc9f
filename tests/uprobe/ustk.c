/*
 * The process the user-stack test probes: main calls outer, outer calls
 * inner, built by the test with frame pointers in every function (the
 * leaf too), so the kernel's frame-pointer walk sees each frame.
 * inner gets the address of a global, for usymdata().
 */
volatile long sink;

__attribute__((noinline)) long
inner(long x, volatile long *p)
{
	*p += x;
	return x * 2;
}

__attribute__((noinline)) long
outer(long x)
{
	long r = inner(x + 1, &sink);

	sink += r;
	return r + 1;
}

int
main(void)
{
	return outer(1) == 5 ? 0 : 1;
}
