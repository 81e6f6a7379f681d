/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fdbox: command line interface to FDBox, which keeps named file
 * descriptors across kexec with Kexec HandOver.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#ifndef FDBOX_CLI_H
#define FDBOX_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/fdbox.h>

#ifndef FDBOX_VERSION
#define FDBOX_VERSION "0.1"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit codes */
#define EXIT_OK		0	/* success */
#define EXIT_FAIL	1	/* the operation failed */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_NODEV	3	/* FDBox is not available */

/* Default control node; $FDBOX_DEV overrides it (box nodes live beside it). */
#define FDBOX_CTL_DEFAULT	"/dev/fdbox/fdbox"

/* Options shared by every verb. */
struct fdbox_opts {
	bool json;	/* --json: machine-readable output */
	bool quiet;	/* -q: no progress, no informational output */
	bool keep;	/* --keep (restore): keep the empty box */
	const char *pfns; /* --pfns FILE (save, restore, put, exec): frame numbers */
	int fd;		/* put --fd N, or -1 */
	pid_t pid;	/* put --pid PID, or 0 */
};
extern struct fdbox_opts opts;

/*
 * The operation that failed, to print a message and to choose the hint that
 * explains an errno (errors.c).
 */
enum fdbox_op {
	OP_CONTROL,	/* opening the control node */
	OP_OPEN,	/* opening a box node */
	OP_CREATE,
	OP_DELETE,
	OP_LIST,
	OP_PUT,
	OP_GET,
	OP_SEAL,
	OP_UNSEAL,
	OP_DISCARD,
	OP_STATUS,
	OP_SAVE,
	OP_RESTORE,
	OP_EXEC,
	OP_NR,
};

/* box.c: thin wrappers of the uAPI; each returns 0 or a positive errno. */
const char *fdbox_ctl_path(void);
int fdbox_box_path(char *buf, size_t len, const char *box);
int fdbox_open_ctl(int flags, int *fd);
int fdbox_open_box(const char *box, int flags, int *fd);
int fdbox_create(int ctl, const char *box);
int fdbox_delete(int ctl, const char *box);
int fdbox_list_boxes(int ctl, struct fdbox_box_info **boxes, unsigned int *nr);
int fdbox_find_box(int ctl, const char *box, struct fdbox_box_info *info);
int fdbox_box_state(const char *box, uint32_t *state);
int fdbox_list_files(int boxfd, struct fdbox_file_info **files,
		     unsigned int *nr);
int fdbox_put(int boxfd, int fd, const char *name);
int fdbox_get(int boxfd, const char *name, int *fd);
int fdbox_discard(int boxfd, const char *name);
int fdbox_seal(int boxfd);
int fdbox_unseal(int boxfd, unsigned int *restored, unsigned int *failed);
const char *fdbox_box_state_name(uint32_t state);
const char *fdbox_file_state_name(uint32_t state);

/* errors.c: messages */
extern const char *progname;
void fput_name(FILE *f, const char *s);
int name_shown_width(const char *s);
void fput_where(FILE *f, const char *op, const char *box, const char *name);
int utf8_len(const unsigned char *p);
int check_name(const char *verb, const char *name, bool box);
const char *bad_name(const char *name, bool box);
int report(enum fdbox_op op, const char *box, const char *name, int err);
int report_open(enum fdbox_op op, const char *box, int err);
int report_io(enum fdbox_op op, const char *box, const char *name,
	      const char *what, const char *path, int err);
int report_ctl(enum fdbox_op op, const char *box, int err);
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *errno_hint(enum fdbox_op op, int err);

/* copy.c: streaming transfers with progress */
struct xfer {
	const char *label;	/* "put vm0/vda", for the progress line */
	int in;			/* source */
	int out;		/* destination, written at its file position */
	bool quiet;		/* no progress line for this copy */
	bool in_seekable;	/* read @in at explicit offsets... */
	off_t in_start;		/* ...from this one */
	int64_t total;		/* bytes to copy, or -1 for "until EOF" */
	uint64_t done;		/* out: bytes copied */
	bool write_failed;	/* out: the error was on @out's side */
};
int xfer_run(struct xfer *x);
int input_size(int fd, int64_t *size, bool *seekable);
double now(void);
void format_size(char *buf, size_t len, double bytes);

/* json.c: a small streaming JSON printer on stdout */
void json_begin_object(const char *key);
void json_end_object(void);
void json_begin_array(const char *key);
void json_end_array(void);
void json_string(const char *key, const char *val);
void json_u64(const char *key, uint64_t val);
void json_int(const char *key, int64_t val);
void json_bool(const char *key, bool val);
void json_null(const char *key);
void json_seconds(const char *key, double val);
void json_end(void);

/* pfns.c: --pfns, the frame numbers of memfd pages (zero-copy proof) */
struct pfn_file;
void pfns_header(FILE *f);
int pfns_record(FILE *f, const char *name, int fd, uint64_t *pages,
		uint64_t *runs);
struct pfn_file *pfns_load(const char *path, int *err);
int pfns_compare(const struct pfn_file *pf, const char *name, int fd,
		 uint64_t *same, uint64_t *recorded, uint64_t *other);
void pfns_free(struct pfn_file *pf);
int pfns_check(FILE *out, const char *verb, const struct pfn_file *pf,
	       const char *box, const char *name, int memfd);

/* cmd.c: helpers that report their failures and return an exit code */
int cli_open_ctl(enum fdbox_op op, const char *box, int flags, int *fd);
int cli_open_box(enum fdbox_op op, const char *box, int flags, int *fd);

/* cmd.c, data.c: the verbs; argv holds the verb's positional arguments. */
int cmd_create(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_put(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_unseal(int argc, char **argv);
int cmd_discard(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_exec(int argc, char **argv);

/* fdpass.c: put --fd N [--pid PID], no copy */
int cmd_put_fd(const char *box, const char *name);

#endif /* FDBOX_CLI_H */
