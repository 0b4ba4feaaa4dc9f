/*
 * SystemTap's histograms, drawn as its kernel runtime draws them
 * (runtime/stat-common.c), so that output compares byte for byte.
 *
 * A drawing is a header, "value |", 50 dashes and " count", then a row
 * per bucket: its label right-aligned, " |", one '@' per scale
 * units of count, the count, then an empty line.  Rows run from two
 * buckets before the first used one to two after the last, but a log
 * histogram shows no negative buckets unless it has negative values,
 * and a linear one shows its underflow and overflow only when they are
 * used.  A run of empty rows more than two away from any used one
 * collapses into a single "~" row.
 *
 * stap keeps start, interval and the scale in C ints; we keep them in
 * 64 bits, which gives the same output wherever stap's did not
 * overflow.  Label arithmetic wraps, as it does in the kernel.
 */
#include <inttypes.h>

#include "hist.h"

enum {
	HIST_WIDTH = 50,	/* the longest bar */
	HIST_ELISION = 2,	/* empty rows kept beside a used one */
};

/* Characters "%lld" takes for v */
static int
space(int64_t v)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	int n = v < 0;

	if (v == 0)
		return 1;
	for (; u; u /= 10)
		n++;
	return n;
}

/* a + b * c, wrapping */
static int64_t
wrap(int64_t a, int64_t b, int64_t c)
{
	return (int64_t)((uint64_t)a + (uint64_t)b * (uint64_t)c);
}

/* A log bucket's label, its value nearest to zero */
static int64_t
logval(int i)
{
	if (i == HIST_LOG_BUCKET0)
		return 0;
	if (i == 0)
		return INT64_MIN;
	if (i < HIST_LOG_BUCKET0)
		return -((int64_t)1 << (HIST_LOG_BUCKET0 - 1 - i));
	return (int64_t)1 << (i - HIST_LOG_BUCKET0 - 1);
}

/* Row i's label, and its prefix in *pre */
static int64_t
label(const struct stap_hist *h, int i, const char **pre)
{
	*pre = "";
	if (h->type == HIST_LOG)
		return logval(i);
	if (i == 0) {
		*pre = "<";
		return h->start;
	}
	if (i == h->nbuckets - 1) {
		/* the last ordinary bucket's label: ">stop" when the
		 * interval divides stop - start */
		*pre = ">";
		return wrap(h->start, i - 2, h->interval);
	}
	return wrap(h->start, i - 1, h->interval);
}

int
stap_hist_nbuckets(int type, int64_t start, int64_t stop, int64_t interval)
{
	uint64_t q;

	if (type == HIST_LOG)
		return HIST_LOG_BUCKETS;
	if (type != HIST_LINEAR || interval <= 0)
		return -1;
	/* in unsigned, as stop - start may not fit in int64_t */
	if (stop >= start)
		q = ((uint64_t)stop - (uint64_t)start) / (uint64_t)interval;
	else if ((uint64_t)start - (uint64_t)stop < (uint64_t)interval)
		q = 0;		/* C's division truncates toward zero */
	else
		return -1;
	if (q > HIST_MAXBUCKETS - 3)
		return -1;
	return (int)q + 3;
}

int
stap_hist_bucket(const struct stap_hist *h, int64_t v)
{
	int64_t d;
	uint64_t u, q;
	int k = 0;

	if (h->type == HIST_LOG) {
		if (v == 0)
			return HIST_LOG_BUCKET0;
		u = v < 0 ? -(uint64_t)v : (uint64_t)v;
		while (u >>= 1)
			k++;
		/* only INT64_MIN has k = 63, so 0 <= bucket <= 127 */
		return v > 0 ? HIST_LOG_BUCKET0 + 1 + k :
		    HIST_LOG_BUCKET0 - 1 - k;
	}
	if (h->type != HIST_LINEAR || h->interval <= 0 || h->nbuckets < 3)
		return 0;
	d = (int64_t)((uint64_t)v - (uint64_t)h->start);
	if (d < 0)
		return 0;
	/* stap adds 1 first and then clamps; comparing first keeps
	 * INT64_MAX / 1 + 1 from overflowing */
	q = (uint64_t)d / (uint64_t)h->interval;
	if (q >= (uint64_t)h->nbuckets - 2)
		return h->nbuckets - 1;
	return (int)q + 1;
}

/* Add the margins of empty rows around used buckets lo..hi */
static void
margins(const struct stap_hist *h, int *lo, int *hi)
{
	int i;

	for (i = 0; i < HIST_ELISION; i++) {
		/* log: negative buckets only when there are negative
		 * values, but 0 before 1 */
		if (*lo > 0 && (h->type != HIST_LOG ||
		    *lo != HIST_LOG_BUCKET0))
			(*lo)--;
		if (*hi < h->nbuckets - 1)
			(*hi)++;
	}
	if (h->type != HIST_LINEAR)
		return;
	if (*lo == 0 && h->buckets[0] == 0)
		(*lo)++;
	if (*hi == h->nbuckets - 1 && h->buckets[*hi] == 0)
		(*hi)--;
}

/* Is row i empty and HIST_ELISION rows either side, within lo..hi? */
static int
elided(const struct stap_hist *h, int lo, int hi, int i)
{
	int k;

	if (i - HIST_ELISION > lo)
		lo = i - HIST_ELISION;
	if (i + HIST_ELISION < hi)
		hi = i + HIST_ELISION;
	for (k = lo; k <= hi; k++)
		if (h->buckets[k] != 0)
			return 0;
	return 1;
}

/*
 * Width of the value column.  stap sizes a linear one from start and
 * start + interval * hi, one interval past the last row's label, a
 * character more for the '<' and '>' of the underflow and overflow
 * rows; a log one from the first and last rows' labels; never under
 * the 5 of "value".
 */
static int
valspace(const struct stap_hist *h, int lo, int hi)
{
	int a, b;

	if (h->type == HIST_LINEAR) {
		a = space(h->start) + (lo == 0);
		b = space(wrap(h->start, hi, h->interval)) +
		    (hi == h->nbuckets - 1);
	} else {
		a = space(logval(lo));
		b = space(logval(hi));
	}
	if (a < b)
		a = b;
	return a < 5 ? 5 : a;
}

void
stap_hist_print(FILE *out, const struct stap_hist *h)
{
	const int64_t *b = h->buckets;
	int lo = -1, hi = 0, i, j, vw, cw, eliding = 0;
	int64_t max = 0, scale, bar;
	const char *pre;

	if ((h->type != HIST_LOG && h->type != HIST_LINEAR) ||
	    h->nbuckets < 3)
		return;
	for (i = 0; i < h->nbuckets; i++) {
		if (b[i] > 0 && lo == -1)
			lo = i;
		if (b[i] > 0)
			hi = i;
		if (b[i] > max)
			max = b[i];
	}
	if (lo == -1)
		return;
	margins(h, &lo, &hi);
	scale = max <= HIST_WIDTH ? 1 : max / HIST_WIDTH +
	    (max % HIST_WIDTH != 0);
	cw = space(max);
	vw = valspace(h, lo, hi);

	fprintf(out, "%*s |", vw, "value");
	for (j = 0; j < HIST_WIDTH; j++)
		putc('-', out);
	fputs(" count\n", out);
	for (i = lo; i <= hi; i++) {
		int64_t val;

		if (elided(h, lo, hi, i)) {
			eliding = 1;
			continue;
		}
		if (eliding)
			fprintf(out, "%*s ~\n", vw, "");
		eliding = 0;
		val = label(h, i, &pre);
		fprintf(out, "%*s%" PRId64 " |", vw - space(val), pre, val);
		bar = b[i] > 0 ? b[i] / scale : 0;
		for (j = 0; j < bar; j++)
			putc('@', out);
		fprintf(out, "%*" PRId64 "\n", (int)(HIST_WIDTH - bar + 1 + cw),
		    b[i]);
	}
	putc('\n', out);
}
