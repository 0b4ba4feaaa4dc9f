/*
 * hist.h: SystemTap's histograms, @hist_log and @hist_linear: which
 * bucket a value goes into and how print() draws them, both as stap's
 * kernel runtime has them.  Implemented in hist.c with libc alone: the
 * resolver checks parameters with it, the generator's buckets follow
 * it, stap-bpfld and stap-fmt draw with it.
 *
 * Log histograms have 128 buckets.  Bucket 64 holds 0; a value v > 0
 * goes into 65 + k, where 2^k <= v < 2^(k+1), so 65 holds 1, 66 holds 2
 * and 3, 127 holds 2^62 up to INT64_MAX; v < 0 goes into 63 - k for
 * -v in the same range, so 63 holds -1, 62 -2 and -3, 1 holds -2^62
 * down to -(2^63 - 1) and 0 holds INT64_MIN alone.  A bucket is labelled
 * with its value nearest to zero: 0, 1, 2, 4, ... and -1, -2, -4, ...
 *
 * Linear histograms have (stop - start) / interval + 3 buckets (C
 * division), the underflow and the overflow included: bucket 0 is the
 * underflow, values below start; bucket i, 1 <= i <= nbuckets - 2, holds
 * start + (i - 1) * interval up to one interval more; the last bucket
 * is the overflow, everything from start + (nbuckets - 2) * interval
 * up.  So stop itself lands in the last ordinary bucket (stop >= start),
 * and so does all above it up to that bucket's end.  v - start wraps as
 * in the kernel: stap puts INT64_MAX into the underflow when start < 0.
 */
#include <stdint.h>
#include <stdio.h>

enum { HIST_LOG = 1, HIST_LINEAR = 2 };

enum {
	HIST_LOG_BUCKETS = 128,
	HIST_LOG_BUCKET0 = 64,	/* the bucket of 0 */
	HIST_MAXBUCKETS = 128,	/* of a linear histogram, as stap allows */
};

struct stap_hist {
	int type;			/* HIST_LOG or HIST_LINEAR */
	int64_t start, stop, interval;	/* linear only */
	int nbuckets;			/* stap_hist_nbuckets() of the above */
	const int64_t *buckets;		/* nbuckets counts */
};

/*
 * The buckets a histogram has: 128 for log, (stop - start) / interval
 * + 3 for linear; -1 where stap's runtime refuses the parameters (fewer
 * than 3 or more than 128 buckets) and where the interval is negative
 * (stap divides by it as unsigned and puts values into nonsense).  As
 * in stap, stop may equal start, or even lie less than an interval
 * below it: 3 buckets.
 */
int stap_hist_nbuckets(int type, int64_t start, int64_t stop,
    int64_t interval);
/* The bucket v goes into, from 0 to nbuckets - 1 */
int stap_hist_bucket(const struct stap_hist *h, int64_t v);
/*
 * Print h as stap's print(@hist_log(s)) or print(@hist_linear(s, ...))
 * does.  Prints nothing if every bucket is empty: stap never draws an
 * empty histogram but fails with the error "empty aggregate" (it tests
 * the count, which is 0 exactly when every bucket is), so the caller
 * raises that.
 */
void stap_hist_print(FILE *out, const struct stap_hist *h);
