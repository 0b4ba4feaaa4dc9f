/*
 * Unit tests of lib/printf.c against SystemTap's printf
 * semantics (the kernel runtime's, which the language reference
 * describes), and of the event stream renderer ("printftest render
 * FILE" renders a stream, for tests/bpfld/load.sh).  One line per check,
 * then "N passed, N failed"; exit 1 on any failure.  tests/bpfld/
 * printf.sh builds and runs it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stap.h"
#include "meta.h"

enum { MAXSTR = 16 };

static int pass, fail;

/* Packs the arguments a format's types say: longs as int64_t, strings
 * as const char * */
static size_t
pack(unsigned char *buf, const char *types, va_list ap)
{
	size_t n = 0;

	for (; *types; types++) {
		if (*types == 'l') {
			int64_t v = va_arg(ap, int64_t);

			memcpy(buf + n, &v, 8);
			n += 8;
		} else {
			const char *s = va_arg(ap, const char *);

			memset(buf + n, 0, MAXSTR);
			strncpy((char *)buf + n, s, MAXSTR);
			n += MAXSTR;
		}
	}
	return n;
}

static void
check(const char *want, size_t wantlen, const char *fmt, const char *types,
    ...)
{
	unsigned char args[1024];
	char *got = NULL;
	size_t len = 0, n;
	FILE *f = open_memstream(&got, &len);
	va_list ap;

	va_start(ap, types);
	n = pack(args, types, ap);
	va_end(ap);
	stapfmt_print(f, fmt, types, args, n, MAXSTR);
	fclose(f);
	if (!wantlen)
		wantlen = strlen(want);
	if (len == wantlen && !memcmp(got, want, len)) {
		pass++;
		printf("ok   %s\n", fmt);
	} else {
		fail++;
		printf("FAIL %s: got [%.*s], want [%.*s]\n", fmt, (int)len, got,
		    (int)wantlen, want);
	}
	free(got);
}

#define L(x) ((int64_t)(x))

static void
numbers(void)
{
	check("42", 0, "%d", "l", L(42));
	check("-9223372036854775808", 0, "%d", "l", INT64_MIN);
	check("9223372036854775807", 0, "%i", "l", INT64_MAX);
	check("4886718345", 0, "%d", "l", L(0x123456789));
	check("18446744073709551615", 0, "%u", "l", L(-1));
	check("ffffffffffffffff", 0, "%x", "l", L(-1));
	check("FFFFFFFFFFFFFFFE", 0, "%X", "l", L(-2));
	check("1777777777777777777777", 0, "%o", "l", L(-1));
	check("123456789", 0, "%lx", "l", L(0x123456789));
	check("123456789", 0, "%llx", "l", L(0x123456789));
	check("ffff", 0, "%hx", "l", L(0xffff));
	check("[   42]", 0, "[%5d]", "l", L(42));
	check("[42   ]", 0, "[%-5d]", "l", L(42));
	check("[00042]", 0, "[%05d]", "l", L(42));
	check("[-0042]", 0, "[%05d]", "l", L(-42));
	check("[+42]", 0, "[%+d]", "l", L(42));
	check("[ 42]", 0, "[% d]", "l", L(42));
	check("[-42]", 0, "[%+d]", "l", L(-42));
	check("[42]", 0, "[%+u]", "l", L(42));
	check("[  042]", 0, "[%5.3d]", "l", L(42));
	/* stap's 0 flag pads even with a precision (C would not) */
	check("[00042]", 0, "[%05.3d]", "l", L(42));
	check("[0]", 0, "[%.0d]", "l", L(0));
	check("[0xff]", 0, "[%#x]", "l", L(255));
	check("[0XFF]", 0, "[%#X]", "l", L(255));
	check("[0x0]", 0, "[%#x]", "l", L(0));
	check("[010]", 0, "[%#o]", "l", L(8));
	check("[00]", 0, "[%#o]", "l", L(0));
	check("[0x00ff]", 0, "[%#06x]", "l", L(255));
	check("[  0xff]", 0, "[%#6x]", "l", L(255));
	check("[0xff  ]", 0, "[%-#6x]", "l", L(255));
	check("[-1   ]", 0, "[%-05d]", "l", L(-1));
	check("[    7]", 0, "[%*d]", "ll", L(5), L(7));
	check("[7    ]", 0, "[%*d]", "ll", L(-5), L(7));
	check("[007]", 0, "[%.*d]", "ll", L(3), L(7));
}

static void
others(void)
{
	check("[abc]", 0, "[%s]", "s", "abc");
	check("[       abc]", 0, "[%10s]", "s", "abc");
	check("[abc       ]", 0, "[%-10s]", "s", "abc");
	check("[abc]", 0, "[%.3s]", "s", "abcdef");
	check("[  abc]", 0, "[%5.3s]", "s", "abcdef");
	check("[ab]", 0, "[%.*s]", "ls", L(2), "abz");
	check("[]", 0, "[%s]", "s", "");
	/* a string fills its MAXSTRINGLEN bytes: cut there */
	check("[0123456789abcdef]", 0, "[%s]", "s", "0123456789abcdefXYZ");
	check("[A]", 0, "[%c]", "l", L(65));
	check("[  A]", 0, "[%3c]", "l", L(65));
	check("[A  ]", 0, "[%-3c]", "l", L(65));
	check("[A]", 0, "[%c]", "l", L(0x141));
	check("[0x00000000000000ff]", 0, "[%p]", "l", L(255));
	check("[0x0000000000000000]", 0, "[%p]", "l", L(0));
	check("[0xffffffffffffffff]", 0, "[%p]", "l", L(-1));
	check("[  0x00000000000000ff]", 0, "[%20p]", "l", L(255));
	check("[%]", 0, "[%%]", "");
	check("[50%]", 0, "[%d%%]", "l", L(50));
	check("[%y]", 0, "[%y]", "");
	check("[%]", 0, "[%]", "");
	check("no conversions\n", 0, "no conversions\n", "");
	check("\x05\0\0\0\0\0\0\0", 8, "%b", "l", L(5));
	check("\x05\0", 2, "%.2b", "l", L(5));
	check("\x05", 1, "%1b", "l", L(5));
	check("\x01\x02\x03\x04", 4, "%4b", "l", L(0x04030201));
	check("ab", 0, "%.2m", "s", "abc");
	check("6162", 0, "%.2M", "s", "abc");
	check("a=1 b=two c=-3", 0, "a=%d b=%s c=%d", "lsl", L(1), "two",
	    L(-3));
}

static void
shortargs(void)
{
	char *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);
	int64_t v = 9;
	int rc1, rc2;

	rc1 = stapfmt_print(f, "%d %d", "l", &v, 8, MAXSTR);
	rc2 = stapfmt_print(f, "|%s", "s", &v, 8, MAXSTR);
	fclose(f);
	if (rc1 == -1 && rc2 == -1 && !strcmp(got, "9 0|")) {
		pass++;
		printf("ok   short arguments\n");
	} else {
		fail++;
		printf("FAIL short arguments: rc %d %d, [%s]\n", rc1, rc2, got);
	}
	free(got);
}

/* A stream as stap-bpfld --raw writes one, rendered */
static void
render(void)
{
	char *in = NULL, *out = NULL, *err = NULL;
	size_t inlen = 0, outlen = 0, errlen = 0;
	FILE *fi = open_memstream(&in, &inlen), *fo, *fe;
	unsigned char rec[8 + 8 + 128];
	uint32_t len, kind, id;
	int64_t v = -7;
	int rc;

	fputs("stap-events 1\n@script \"x.stp\"\n@maxstringlen 128\n"
	    "@byteorder little\n@future header\nfile 0 \"x.stp\" 0\n"
	    "format 0 \"v=%d s=%s\\n\" ls\nsite 0 0:3:9 \"division by 0\"\n"
	    "data\n", fi);
	kind = REC_PRINTF, id = 0, len = sizeof rec;
	memset(rec, 0, sizeof rec);
	memcpy(rec, &kind, 4);
	memcpy(rec + 4, &id, 4);
	memcpy(rec + 8, &v, 8);
	strcpy((char *)rec + 16, "hi");
	fwrite(&len, 4, 1, fi);
	fwrite(rec, 1, len, fi);
	kind = REC_ERROR, len = 8 + 128;
	memset(rec, 0, sizeof rec);
	memcpy(rec, &kind, 4);
	fwrite(&len, 4, 1, fi);
	fwrite(rec, 1, len, fi);
	len = 0;
	fwrite(&len, 4, 1, fi);
	fputs("lost 3\nerrors 1\nend\n", fi);
	fclose(fi);

	fi = fmemopen(in, inlen, "r");
	fo = open_memstream(&out, &outlen);
	fe = open_memstream(&err, &errlen);
	rc = stapfmt_render(fi, fo, fe, "x.ev");
	fclose(fi);
	fclose(fo);
	fclose(fe);
	if (rc == 1 && !strcmp(out, "v=-7 s=hi\n") &&
	    !strcmp(err, "ERROR: division by 0 near x.stp:3:9\n"
	    "WARNING: Number of lost records: 3\n"
	    "WARNING: Number of errors: 1\n")) {
		pass++;
		printf("ok   render\n");
	} else {
		fail++;
		printf("FAIL render: rc %d out [%s] err [%s]\n", rc, out, err);
	}
	free(out);
	free(err);

	/* the same stream cut short: what came is printed, then one
	 * line says the stream is truncated */
	fi = fmemopen(in, inlen - 10, "r");
	fo = open_memstream(&out, &outlen);
	fe = open_memstream(&err, &errlen);
	rc = stapfmt_render(fi, fo, fe, "x.ev");
	fclose(fi);
	fclose(fo);
	fclose(fe);
	if (rc == -1 && strstr(err, "truncated event stream")) {
		pass++;
		printf("ok   render truncated\n");
	} else {
		fail++;
		printf("FAIL render truncated: rc %d err [%s]\n", rc, err);
	}
	free(out);
	free(err);

	fi = fmemopen("stap-tree 1\n", 12, "r");
	fo = open_memstream(&out, &outlen);
	fe = open_memstream(&err, &errlen);
	rc = stapfmt_render(fi, fo, fe, "x.tree");
	fclose(fi);
	fclose(fo);
	fclose(fe);
	if (rc == -1 && strstr(err, "not a stap-events file")) {
		pass++;
		printf("ok   render foreign\n");
	} else {
		fail++;
		printf("FAIL render foreign: rc %d err [%s]\n", rc, err);
	}
	free(out);
	free(err);
	free(in);
}

int
main(int argc, char **argv)
{
	FILE *f;

	argv0 = "printftest";
	/* printftest render FILE: what stap-fmt does with a stream */
	if (argc == 3 && !strcmp(argv[1], "render")) {
		if (!(f = fopen(argv[2], "rb"))) {
			perror(argv[2]);
			return 1;
		}
		return stapfmt_render(f, stdout, stderr, argv[2]) != 0;
	}
	numbers();
	others();
	shortargs();
	render();
	printf("%d passed, %d failed\n", pass, fail);
	return fail != 0;
}
