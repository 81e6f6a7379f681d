// SPDX-License-Identifier: GPL-2.0
/*
 * A small streaming JSON printer (RFC 8259) on stdout, indented by two
 * spaces. Strings are escaped; box and file names are arbitrary bytes, so a
 * byte that is not part of valid UTF-8 is written as \u00XX.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <inttypes.h>

#include "fdbox.h"

#define JSON_MAX_DEPTH	16

static int depth;
static bool has_members[JSON_MAX_DEPTH];

/* Length of the valid UTF-8 sequence at @p, or 0 if it is not one. */
int utf8_len(const unsigned char *p)
{
	uint32_t c;
	int len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return len;
}

static void json_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	while (*p) {
		int len;

		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\b':
			fputs("\\b", stdout);
			break;
		case '\f':
			fputs("\\f", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			len = utf8_len(p);
			if (*p < 0x20 || *p == 0x7f || !len) {
				printf("\\u%04x", *p);
				break;
			}
			fwrite(p, 1, len, stdout);
			p += len;
			continue;
		}
		p++;
	}
	putchar('"');
}

/* Separator, newline and indentation before a value, then its key if any. */
static void json_member(const char *key)
{
	int i;

	if (depth > 0) {
		if (has_members[depth])
			putchar(',');
		has_members[depth] = true;
		putchar('\n');
		for (i = 0; i < depth; i++)
			fputs("  ", stdout);
	}
	if (key) {
		json_quote(key);
		fputs(": ", stdout);
	}
}

static void json_open(const char *key, char c)
{
	json_member(key);
	putchar(c);
	if (depth < JSON_MAX_DEPTH - 1)
		depth++;
	has_members[depth] = false;
}

static void json_close(char c)
{
	int i;

	if (has_members[depth]) {
		putchar('\n');
		for (i = 1; i < depth; i++)
			fputs("  ", stdout);
	}
	if (depth > 0)
		depth--;
	putchar(c);
}

void json_begin_object(const char *key)
{
	json_open(key, '{');
}

void json_end_object(void)
{
	json_close('}');
}

void json_begin_array(const char *key)
{
	json_open(key, '[');
}

void json_end_array(void)
{
	json_close(']');
}

/* A string member, or null if @val is NULL. */
void json_string(const char *key, const char *val)
{
	json_member(key);
	if (val)
		json_quote(val);
	else
		fputs("null", stdout);
}

void json_u64(const char *key, uint64_t val)
{
	json_member(key);
	printf("%" PRIu64, val);
}

void json_int(const char *key, int64_t val)
{
	json_member(key);
	printf("%" PRId64, val);
}

void json_bool(const char *key, bool val)
{
	json_member(key);
	fputs(val ? "true" : "false", stdout);
}

void json_null(const char *key)
{
	json_member(key);
	fputs("null", stdout);
}

void json_seconds(const char *key, double val)
{
	json_member(key);
	printf("%.6f", val);
}

/* End of the document. */
void json_end(void)
{
	putchar('\n');
	fflush(stdout);
}
