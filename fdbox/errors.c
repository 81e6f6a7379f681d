// SPDX-License-Identifier: GPL-2.0
/*
 * Error messages: "fdbox: OP BOX/NAME: strerror (hint)", where the hint
 * explains the errno as include/uapi/linux/fdbox.h documents it for that
 * operation.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "fdbox.h"

const char *progname = "fdbox";

static const char *const op_names[OP_NR] = {
	[OP_CONTROL]	= "open",
	[OP_OPEN]	= "open",
	[OP_CREATE]	= "create",
	[OP_DELETE]	= "delete",
	[OP_LIST]	= "list",
	[OP_PUT]	= "put",
	[OP_GET]	= "get",
	[OP_SEAL]	= "seal",
	[OP_UNSEAL]	= "unseal",
	[OP_DISCARD]	= "discard",
	[OP_STATUS]	= "status",
	[OP_SAVE]	= "save",
	[OP_RESTORE]	= "restore",
	[OP_EXEC]	= "exec",
};

#define NAME_RULES "names are 1 to 255 bytes, without '/', not '.' or '..'"

/* An errno of an operation and what it means; OP_NR matches every op. */
struct hint {
	enum fdbox_op op;
	int err;
	const char *text;
};

static const struct hint hints[] = {
	{ OP_CONTROL, ENOENT,
	  "kernel without FDBox (CONFIG_FDBOX) or devtmpfs not mounted" },
	{ OP_CONTROL, ENOTDIR,
	  "kernel without FDBox (CONFIG_FDBOX) or devtmpfs not mounted" },
	{ OP_CONTROL, EACCES, "the control node is root's, mode 0600" },
	{ OP_OPEN, ENOENT, "no such box; 'fdbox list' shows the boxes" },
	{ OP_OPEN, EACCES,
	  "the box node belongs to the user who created the box" },
	{ OP_CREATE, EPERM,
	  "creating a box needs CAP_SYS_ADMIN in the initial user namespace" },
	{ OP_CREATE, EINVAL, "bad box name: " NAME_RULES ", not 'fdbox'" },
	{ OP_CREATE, ENAMETOOLONG, "box names are at most 255 bytes" },
	{ OP_CREATE, EEXIST,
	  "a box of that name exists, maybe one from the previous kernel" },
	{ OP_CREATE, ENOSPC, "the maximum number of boxes exists" },
	{ OP_DELETE, EPERM,
	  "deleting a box needs CAP_SYS_ADMIN in the initial user namespace" },
	{ OP_DELETE, ENOENT, "no such box" },
	{ OP_PUT, EBADF, "not an open file descriptor" },
	{ OP_PUT, EOPNOTSUPP,
	  "no FDBox handler accepts this file: only memfds go in a box" },
	{ OP_PUT, EINVAL, "bad file name: " NAME_RULES },
	{ OP_PUT, ENAMETOOLONG, "file names are at most 255 bytes" },
	{ OP_PUT, EEXIST, "the box already has a file of that name" },
	{ OP_PUT, EBUSY,
	  "the box is sealed, or the file is already in a box or preserved by the Live Update Orchestrator" },
	{ OP_PUT, ENOMEM,
	  "the file's pages in the KHO scratch areas can not move out: the memory outside them is full ('fdbox status'); nothing was put" },
	{ OP_PUT, EACCES,
	  "the descriptor is not open for reading and writing; in a shell: N<>FILE" },
	{ OP_GET, EINVAL, "bad file name: " NAME_RULES },
	{ OP_GET, ENAMETOOLONG, "file names are at most 255 bytes" },
	{ OP_GET, ENOENT, "no file of that name in the box" },
	{ OP_GET, EBUSY, "the box is sealed; 'fdbox unseal' it first" },
	{ OP_GET, EAGAIN,
	  "the file's handler is not registered yet; try again later" },
	{ OP_GET, EMFILE, "too many open files" },
	{ OP_SEAL, EBUSY,
	  "the box is already sealed, a file can not be frozen now (pinned?), a file from the previous kernel was not restored, or a kexec has started" },
	{ OP_SEAL, EOPNOTSUPP,
	  "Kexec HandOver is disabled (boot with kho=on), or a file can not be preserved" },
	{ OP_SEAL, ENOMEM,
	  "out of memory, or over the locked memory limit (ulimit -l); the box stays open, nothing is lost" },
	{ OP_UNSEAL, EBUSY, "the box is not sealed, or a kexec has started" },
	{ OP_DISCARD, ENOENT, "no file of that name in the box" },
	{ OP_DISCARD, EINVAL,
	  "only a file from the previous kernel whose restore failed can be discarded; take a live file out with 'fdbox get'" },
	{ OP_DISCARD, EBUSY, "the box is sealed; 'fdbox unseal' it first" },
	/* Errors common to every ioctl. */
	{ OP_NR, ENOTTY, "not an FDBox node, or a kernel with another FDBox uAPI" },
	{ OP_NR, E2BIG, "this fdbox is newer than the kernel's FDBox uAPI" },
	{ OP_NR, EINVAL, "the kernel does not know a flag this fdbox set" },
	{ OP_NR, ENODEV, "the box was deleted meanwhile" },
	{ OP_NR, EACCES, "permission denied" },
};

/*
 * EBUSY means that something is not in the state the operation needs; when
 * the box's state explains it, say so. The state is read after the fact
 * through the control node (root's): NULL if it can not be read or does not
 * explain the error.
 */
static const char *busy_hint(enum fdbox_op op, const char *box)
{
	uint32_t state;
	bool sealed;

	if (!box || fdbox_box_state(box, &state))
		return NULL;
	sealed = state == FDBOX_BOX_SEALED;
	switch (op) {
	case OP_PUT:
		return sealed ? "the box is sealed; unseal it first" :
		       "the file is already in a box, or preserved by the Live Update Orchestrator";
	case OP_SEAL:
		return sealed ? "the box is already sealed" :
		       "a file can not be frozen now (pinned?), a file from the previous kernel was not restored, or a kexec has started";
	case OP_UNSEAL:
		return sealed ? "a kexec or reboot has started; the box stays sealed and travels" :
		       "the box is not sealed";
	default:
		return NULL;
	}
}

const char *errno_hint(enum fdbox_op op, int err)
{
	size_t i;

	/* exec takes files out of the box with GET. */
	if (op == OP_EXEC)
		op = OP_GET;
	for (i = 0; i < ARRAY_SIZE(hints); i++)
		if (hints[i].op == op && hints[i].err == err)
			return hints[i].text;
	/*
	 * GET returns the errno of a failed restore for a file from the
	 * previous kernel: the file stays in the box and GET retries.
	 */
	if (op == OP_GET)
		return "restoring the file from the previous kernel failed; it stays in the box, nothing is freed, and 'fdbox get' tries again";
	for (i = 0; i < ARRAY_SIZE(hints); i++)
		if (hints[i].op == OP_NR && hints[i].err == err)
			return hints[i].text;
	return NULL;
}

/*
 * How one byte sequence of a name is shown: 0 if as is (@len bytes of valid
 * UTF-8 that are not a control character), else escaped as "\\" or "\xNN"
 * (one byte).
 */
static int name_escape(const unsigned char *p, int *len)
{
	*len = utf8_len(p);
	if (*p == '\\' || *p < 0x20 || *p == 0x7f || !*len ||
	    (p[0] == 0xc2 && p[1] < 0xa0)) {	/* C1 controls */
		*len = 1;
		return *p == '\\' ? 2 : 4;
	}
	return 0;
}

/*
 * Print a box or file name (arbitrary bytes) so that it can not play tricks
 * on a terminal: control characters and bytes that are not UTF-8 as \xNN,
 * the backslash as \\.
 */
void fput_name(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int len;

	while (*p) {
		switch (name_escape(p, &len)) {
		case 0:
			fwrite(p, 1, len, f);
			break;
		case 2:
			fputs("\\\\", f);
			break;
		default:
			fprintf(f, "\\x%02x", *p);
		}
		p += len;
	}
}

/* "OP BOX/NAME", escaped; @name may be NULL. */
void fput_where(FILE *f, const char *op, const char *box, const char *name)
{
	fprintf(f, "%s ", op);
	fput_name(f, box);
	if (name) {
		fputc('/', f);
		fput_name(f, name);
	}
}

/* Columns that fput_name() takes for @s (a UTF-8 character counts one). */
int name_shown_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int width = 0, len, esc;

	while (*p) {
		esc = name_escape(p, &len);
		width += esc ? esc : 1;
		p += len;
	}
	return width;
}

/* Why @name can not be a box (or file) name, or NULL if it can. */
const char *bad_name(const char *name, bool box)
{
	if (!*name)
		return "empty name";
	if (strlen(name) >= FDBOX_NAME_MAX)
		return "longer than 255 bytes";
	if (strchr(name, '/'))
		return "contains '/'";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "'.' and '..' are not names";
	if (box && !strcmp(name, "fdbox"))
		return "'fdbox' is the control node";
	return NULL;
}

/*
 * Check a name given on the command line with the kernel's rules: a box name
 * is also a node name under /dev/fdbox/. Returns 0 or EXIT_USAGE.
 */
int check_name(const char *verb, const char *name, bool box)
{
	const char *why = bad_name(name, box);

	if (!why)
		return 0;
	fprintf(stderr, "%s: %s: invalid %s name '", progname, verb,
		box ? "box" : "file");
	fput_name(stderr, name);
	fprintf(stderr, "': %s\n", why);
	return EXIT_USAGE;
}

/*
 * "fdbox: OP BOX/NAME: strerror (hint)"; @box and @name may be NULL. Returns
 * the exit code.
 */
static int report_hint(enum fdbox_op op, const char *box, const char *name,
		       int err, const char *hint)
{
	fprintf(stderr, "%s: %s", progname, op_names[op]);
	if (box) {
		fputc(' ', stderr);
		fput_name(stderr, box);
	}
	if (name) {
		fputc('/', stderr);
		fput_name(stderr, name);
	}
	fprintf(stderr, ": %s", strerror(err));
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

/* Report a failed operation on a box (and a file in it, if @name). */
int report(enum fdbox_op op, const char *box, const char *name, int err)
{
	const char *hint = err == EBUSY ? busy_hint(op, box) : NULL;

	return report_hint(op, box, name, err,
			   hint ? hint : errno_hint(op, err));
}

/* Report that the node of @box could not be opened for @op. */
int report_open(enum fdbox_op op, const char *box, int err)
{
	return report_hint(op, box, NULL, err, errno_hint(OP_OPEN, err));
}

/*
 * Report a failed read, write or open of a file that is copied to or from a
 * box: "fdbox: put vm0/vda: reading /dev/vda: Input/output error".
 */
int report_io(enum fdbox_op op, const char *box, const char *name,
	      const char *what, const char *path, int err)
{
	fprintf(stderr, "%s: %s ", progname, op_names[op]);
	fput_name(stderr, box);
	fputc('/', stderr);
	fput_name(stderr, name);
	fprintf(stderr, ": %s %s: %s\n", what, path, strerror(err));
	return EXIT_FAIL;
}

/*
 * The control node could not be opened for @op (on @box, if not NULL):
 * exit code 3 if it is not there.
 */
int report_ctl(enum fdbox_op op, const char *box, int err)
{
	const char *hint = errno_hint(OP_CONTROL, err);

	fprintf(stderr, "%s: %s", progname, op_names[op]);
	if (box) {
		fputc(' ', stderr);
		fput_name(stderr, box);
	}
	fprintf(stderr, ": %s: %s", fdbox_ctl_path(), strerror(err));
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
	return err == ENOENT || err == ENOTDIR ? EXIT_NODEV : EXIT_FAIL;
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
