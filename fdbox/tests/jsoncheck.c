// SPDX-License-Identifier: GPL-2.0
/*
 * fdbox-jsoncheck: check that standard input is one well-formed JSON text
 * (RFC 8259, UTF-8) and print values from it, for the VM tests, which have
 * no jq.
 *
 *   fdbox-jsoncheck [PATH...] < file.json
 *
 * A PATH is dot-separated steps from the top value:
 *   KEY        member KEY of an object
 *   N          element N (from 0) of an array
 *   KEY=VALUE  the first element of an array that is an object whose
 *              member KEY is the string (or literal) VALUE
 *   #          the number of elements or members (last step only)
 * Strings are printed unescaped, numbers and literals as written, objects and
 * arrays as "{object}" and "[array]", one line per PATH.
 *
 * Exit codes: 0 ok, 1 a PATH is not in the document, 2 invalid JSON or usage.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH	64

enum type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct node {
	enum type type;
	char *text;		/* string value, number or literal */
	char *key;		/* member name, in an object */
	struct node *child;	/* first element or member */
	struct node *next;
	size_t count;		/* elements or members */
};

static const char *src, *pos;

static void fail(const char *what)
{
	fprintf(stderr, "fdbox-jsoncheck: invalid JSON at offset %zu: %s\n",
		(size_t)(pos - src), what);
	exit(2);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "fdbox-jsoncheck: out of memory\n");
		exit(2);
	}
	return p;
}

static void skip_ws(void)
{
	while (*pos == ' ' || *pos == '\t' || *pos == '\n' || *pos == '\r')
		pos++;
}

static int hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static char *put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		*o++ = c;
	} else if (c < 0x800) {
		*o++ = 0xc0 | c >> 6;
		*o++ = 0x80 | (c & 0x3f);
	} else if (c < 0x10000) {
		*o++ = 0xe0 | c >> 12;
		*o++ = 0x80 | (c >> 6 & 0x3f);
		*o++ = 0x80 | (c & 0x3f);
	} else {
		*o++ = 0xf0 | c >> 18;
		*o++ = 0x80 | (c >> 12 & 0x3f);
		*o++ = 0x80 | (c >> 6 & 0x3f);
		*o++ = 0x80 | (c & 0x3f);
	}
	return o;
}

/* Length of the valid UTF-8 sequence at @p, or 0. */
static int utf8_len(const unsigned char *p)
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
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return len;
}

/* A \uXXXX escape (and its low surrogate) at pos, after the backslash. */
static uint32_t parse_u_escape(void)
{
	int hi = hex4(pos + 1), lo;

	if (hi < 0)
		fail("bad \\u escape");
	pos += 5;
	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	if (hi > 0xdbff || pos[0] != '\\' || pos[1] != 'u')
		fail("lone UTF-16 surrogate");
	lo = hex4(pos + 2);
	if (lo < 0xdc00 || lo > 0xdfff)
		fail("bad UTF-16 low surrogate");
	pos += 6;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

static char *parse_string(void)
{
	char *out = xcalloc(strlen(pos) + 1, 1), *o = out;
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";

	pos++;				/* opening quote */
	while (*pos != '"') {
		const char *e;
		int len;

		if (!*pos)
			fail("unterminated string");
		if ((unsigned char)*pos < 0x20)
			fail("control character in a string");
		if (*pos != '\\') {
			len = utf8_len((const unsigned char *)pos);
			if (!len)
				fail("invalid UTF-8");
			memcpy(o, pos, len);
			o += len;
			pos += len;
			continue;
		}
		pos++;
		if (*pos == 'u') {
			o = put_utf8(o, parse_u_escape());
			continue;
		}
		e = *pos ? strchr(esc_in, *pos) : NULL;
		if (!e)
			fail("bad escape");
		*o++ = esc_out[e - esc_in];
		pos++;
	}
	pos++;
	*o = '\0';
	return out;
}

static char *parse_number(void)
{
	const char *start = pos;
	char *text;

	if (*pos == '-')
		pos++;
	if (*pos == '0')
		pos++;
	else if (*pos >= '1' && *pos <= '9')
		while (*pos >= '0' && *pos <= '9')
			pos++;
	else
		fail("bad number");
	if (*pos == '.') {
		if (*++pos < '0' || *pos > '9')
			fail("bad fraction");
		while (*pos >= '0' && *pos <= '9')
			pos++;
	}
	if (*pos == 'e' || *pos == 'E') {
		if (*++pos == '+' || *pos == '-')
			pos++;
		if (*pos < '0' || *pos > '9')
			fail("bad exponent");
		while (*pos >= '0' && *pos <= '9')
			pos++;
	}
	text = xcalloc(pos - start + 1, 1);
	memcpy(text, start, pos - start);
	return text;
}

static struct node *parse_value(int depth);

/* The elements of an array or the members of an object. */
static void parse_container(struct node *n, char close, int depth)
{
	struct node **tail = &n->child;

	pos++;
	skip_ws();
	if (*pos == close) {
		pos++;
		return;
	}
	for (;;) {
		char *key = NULL;
		struct node *child;

		skip_ws();
		if (n->type == J_OBJ) {
			if (*pos != '"')
				fail("expected a member name");
			key = parse_string();
			skip_ws();
			if (*pos++ != ':')
				fail("expected ':'");
		}
		child = parse_value(depth + 1);
		child->key = key;
		*tail = child;
		tail = &child->next;
		n->count++;
		skip_ws();
		if (*pos == ',') {
			pos++;
			continue;
		}
		if (*pos++ != close)
			fail(close == ']' ? "expected ',' or ']'" :
					    "expected ',' or '}'");
		return;
	}
}

static struct node *parse_value(int depth)
{
	static const char *const literals[] = { "null", "true", "false" };
	struct node *n = xcalloc(1, sizeof(*n));
	int i;

	if (depth > MAX_DEPTH)
		fail("nested too deep");
	skip_ws();
	if (*pos == '{' || *pos == '[') {
		n->type = *pos == '{' ? J_OBJ : J_ARR;
		parse_container(n, *pos == '{' ? '}' : ']', depth);
		return n;
	}
	if (*pos == '"') {
		n->type = J_STR;
		n->text = parse_string();
		return n;
	}
	for (i = 0; i < 3; i++) {
		size_t len = strlen(literals[i]);

		if (!strncmp(pos, literals[i], len)) {
			n->type = i ? J_BOOL : J_NULL;
			n->text = (char *)literals[i];
			pos += len;
			return n;
		}
	}
	n->type = J_NUM;
	n->text = parse_number();
	return n;
}

/* One step of a PATH from @n, or NULL. */
static struct node *step(struct node *n, const char *s)
{
	const char *eq = strchr(s, '=');
	struct node *c;
	char *end;
	long idx;

	if (n->type == J_OBJ) {
		for (c = n->child; c; c = c->next)
			if (!strcmp(c->key, s))
				return c;
		return NULL;
	}
	if (n->type != J_ARR)
		return NULL;
	if (eq) {
		for (c = n->child; c; c = c->next) {
			struct node *m;

			if (c->type != J_OBJ)
				continue;
			for (m = c->child; m; m = m->next)
				if (!strncmp(m->key, s, eq - s) &&
				    !m->key[eq - s] && m->text &&
				    !strcmp(m->text, eq + 1))
					return c;
		}
		return NULL;
	}
	idx = strtol(s, &end, 10);
	if (!*s || *end || idx < 0)
		return NULL;
	for (c = n->child; c && idx; c = c->next)
		idx--;
	return c;
}

/* Print the value at @path; false if it is not there. */
static bool query(struct node *root, const char *path)
{
	char *copy = strdup(path), *save = NULL, *s;
	struct node *n = root;
	bool found = true;

	for (s = strtok_r(copy, ".", &save); s && n;
	     s = strtok_r(NULL, ".", &save)) {
		if (!strcmp(s, "#") && (n->type == J_ARR || n->type == J_OBJ)) {
			found = !strtok_r(NULL, ".", &save);
			if (found)
				printf("%zu\n", n->count);
			free(copy);
			return found;
		}
		n = step(n, s);
	}
	free(copy);
	if (!n)
		found = false;
	else if (n->type == J_OBJ)
		puts("{object}");
	else if (n->type == J_ARR)
		puts("[array]");
	else
		puts(n->text);
	return found;
}

static char *read_all(FILE *f)
{
	size_t len = 0, room = 65536;
	char *buf = xcalloc(room, 1);
	size_t n;

	while ((n = fread(buf + len, 1, room - len - 1, f)) > 0) {
		len += n;
		if (room - len - 1 == 0) {
			room *= 2;
			buf = realloc(buf, room);
			if (!buf)
				fail("out of memory");
		}
	}
	buf[len] = '\0';
	if (strlen(buf) != len)
		fail("NUL byte in the input");
	return buf;
}

int main(int argc, char **argv)
{
	struct node *root;
	int i, ret = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: fdbox-jsoncheck [PATH...] < file.json\n");
		return 0;
	}
	src = pos = read_all(stdin);
	root = parse_value(0);
	skip_ws();
	if (*pos)
		fail("trailing characters after the JSON value");
	for (i = 1; i < argc; i++) {
		if (!query(root, argv[i])) {
			fprintf(stderr, "fdbox-jsoncheck: no %s in the document\n",
				argv[i]);
			ret = 1;
		}
	}
	return ret;
}
