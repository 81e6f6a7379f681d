// SPDX-License-Identifier: GPL-2.0
/*
 * fdbox: put named file descriptors into FDBox boxes, seal them, kexec with
 * Kexec HandOver, and take them back by name in the next kernel.
 *
 *   fdbox [--json] [-q] VERB ARGS
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fdbox.h"

struct fdbox_opts opts;

#define VOPT_KEEP	(1U << 0)	/* --keep */
#define VOPT_PFNS	(1U << 1)	/* --pfns FILE */
#define VOPT_FD		(1U << 2)	/* --fd N, --pid PID */
#define VOPT_STOP	(1U << 3)	/* options end at the first argument */
#define OPT_PFNS	0x100		/* getopt value of --pfns */
#define OPT_FD		0x101
#define OPT_PID		0x102

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	int min_args;
	int max_args;		/* -1: no limit */
	unsigned int extra;	/* VOPT_*: the verb's own options */
	const char *args;
	const char *help;
};

static const struct verb verbs[] = {
	{ "create", cmd_create, 1, 1, 0, "BOX",
	  "Create an empty, open box and its node /dev/fdbox/BOX (root only)." },
	{ "delete", cmd_delete, 1, 1, 0, "BOX",
	  "Delete a box in any state with the files in it (root only). A box\n"
	  "from the previous kernel frees the memory its files kept." },
	{ "list", cmd_list, 0, 1, 0, "[BOX]",
	  "Without BOX, list the boxes: name, state (OPEN or SEALED), whether it\n"
	  "came from the previous kernel (incoming) and its number of files.\n"
	  "With BOX, list its files: name, type (the handler's compatible\n"
	  "string), state (LIVE, FROZEN or INCOMING), size in bytes and the\n"
	  "error of a failed restore." },
	{ "put", cmd_put, 2, 3, VOPT_FD | VOPT_PFNS,
	  "BOX NAME FILE|-\n"
	  "       fdbox [--json] [-q] put [--pfns FILE] BOX NAME [--pid PID] --fd N",
	  "Copy FILE (or standard input) into a new memfd and put it into the\n"
	  "open box BOX as NAME.\n"
	  "With --fd, put a memfd into the box as it is, without copying it:\n"
	  "  --fd N       fdbox's own descriptor N, which must be open for reading\n"
	  "               and writing (in a shell: 3<>/proc/PID/fd/M)\n"
	  "  --pid PID    descriptor N of the running process PID instead, taken\n"
	  "               with pidfd_getfd(2): needs the right to ptrace PID (same\n"
	  "               user, or CAP_SYS_PTRACE); the process keeps its descriptor\n"
	  "  --pfns FILE  then record the physical frame numbers of its pages in\n"
	  "               FILE, for 'exec --pfns' after kexec (root)\n"
	  "On any error the box is unchanged." },
	{ "get", cmd_get, 2, 3, 0, "BOX NAME [FILE|-]",
	  "Take the file NAME out of the open box BOX and write its content to\n"
	  "FILE (default: standard output). The file leaves the box; if writing\n"
	  "it fails, it is put back. After kexec, unseal the box first." },
	{ "seal", cmd_seal, 1, 1, 0, "BOX",
	  "Freeze every file of the box and make it ready to travel across the\n"
	  "next kexec. All or nothing: on failure the box stays open." },
	{ "unseal", cmd_unseal, 1, 1, 0, "BOX",
	  "Make a sealed box open again: before kexec its files are thawed;\n"
	  "after kexec they are restored. Prints how many files were restored\n"
	  "and how many failed (exit code 1 if any failed)." },
	{ "discard", cmd_discard, 2, 2, 0, "BOX NAME",
	  "Drop the file NAME of the previous kernel whose restore failed\n"
	  "(state INCOMING in an open box) and free the memory it preserved.\n"
	  "The box keeps its other files and can be sealed again." },
	{ "status", cmd_status, 0, 0, 0, "",
	  "Show whether FDBox and Kexec HandOver are available, and count the\n"
	  "open, sealed and incoming boxes. Exit code 3 without FDBox." },
	{ "save", cmd_save, 2, -1, VOPT_PFNS, "[--pfns FILE] BOX FILE...",
	  "Create BOX, put a memfd copy of each FILE in it named after the\n"
	  "file's base name (a regular file or a block device), and seal it.\n"
	  "Prints the time of each put and of the seal. On failure the box is\n"
	  "deleted again.\n"
	  "  --pfns FILE  after the seal, record the physical frame numbers of\n"
	  "               the files' pages in FILE (root: /proc/self/pagemap)" },
	{ "exec", cmd_exec, 3, -1, VOPT_KEEP | VOPT_PFNS | VOPT_STOP,
	  "[--keep] [--pfns FILE] BOX [NAME...] -- COMMAND [ARG...]",
	  "Run COMMAND with files of BOX as inherited descriptors 3, 4, ... (no\n"
	  "copy): unseal the box if it is sealed, take the named files out (default:\n"
	  "all, in box order), set LISTEN_FDS, LISTEN_FDNAMES (the names, separated\n"
	  "by ':') and LISTEN_PID as sd_listen_fds(3) reads them, and execute\n"
	  "COMMAND (searched in PATH) in place of fdbox. COMMAND is looked up before\n"
	  "anything changes; if anything fails before it runs, every file goes\n"
	  "back into the box. Once it runs, the empty box is deleted (root).\n"
	  "Options come before BOX; messages go to standard error.\n"
	  "  -k, --keep   keep the empty box\n"
	  "  --pfns FILE  check that the files' pages are on the physical frames\n"
	  "               'put --pfns' or 'save --pfns' recorded (zero copy)" },
	{ "restore", cmd_restore, 1, 2, VOPT_KEEP | VOPT_PFNS,
	  "[--keep] [--pfns FILE] BOX [DIR]",
	  "Unseal BOX, take each file out and write it to DIR/NAME (default:\n"
	  "the current directory), then delete the empty box unless --keep.\n"
	  "Prints the time of the unseal and of each file.\n"
	  "  -k, --keep   keep the empty box\n"
	  "  --pfns FILE  check that each file's pages are on the physical frames\n"
	  "               'save --pfns FILE' recorded (zero copy); exit code 1 if not" },
};

#define NR_VERBS ARRAY_SIZE(verbs)

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [--json] [-q] VERB ARGS...\n"
		"       %s VERB --help | --help | --version\n\n"
		"Keep named memfds in FDBox boxes across kexec (Kexec HandOver).\n\n"
		"Verbs:\n", progname, progname);
	for (i = 0; i < NR_VERBS; i++)
		fprintf(f, "  %-8s %.*s\n", verbs[i].name,
			(int)strcspn(verbs[i].args, "\n"), verbs[i].args);
	fprintf(f, "\nOptions:\n"
		"  -j, --json     machine-readable output (list, status, put, unseal, save, restore)\n"
		"  -q, --quiet    no progress, headers or informational output\n"
		"  -h, --help     this help, or a verb's with 'fdbox VERB --help'\n"
		"  -V, --version  print the version\n\n"
		"Environment: FDBOX_DEV overrides the control node %s.\n"
		"Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 FDBox not available.\n",
		FDBOX_CTL_DEFAULT);
}

static void verb_usage(FILE *f, const struct verb *v)
{
	fprintf(f, "usage: %s [--json] [-q] %s %s\n", progname, v->name,
		v->args);
}

static int __attribute__((format(printf, 2, 3)))
usage_error(const struct verb *v, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	if (v)
		fprintf(stderr, "%s: ", v->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (v) {
		verb_usage(stderr, v);
		fprintf(stderr, "Try '%s %s --help'.\n", progname, v->name);
	} else {
		fprintf(stderr, "Try '%s --help'.\n", progname);
	}
	return EXIT_USAGE;
}

/* getopt_long() failed on argv[optind - 1]: say which option is wrong. */
static int bad_option(const struct verb *v, char **argv, int c)
{
	static char opt[3] = "-?";

	if (c == ':')
		return usage_error(v, "option '%s' needs an argument",
				   argv[optind - 1]);
	if (optopt) {
		opt[1] = optopt;
		return usage_error(v, "unknown option '%s'", opt);
	}
	return usage_error(v, "unknown option '%s'", argv[optind - 1]);
}

/* A decimal number from @min to INT_MAX: 0, or -1 if @s is not one. */
static int parse_number(const char *s, long min, long *val)
{
	char *end;

	errno = 0;
	*val = strtol(s, &end, 10);
	if (errno || end == s || *end || *val < min || *val > INT_MAX)
		return -1;
	return 0;
}

static const struct verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < NR_VERBS; i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

/* Options after the verb; returns -1 to go on, or an exit code. */
static int verb_options(const struct verb *v, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help",	no_argument, NULL, 'h' },
		{ "json",	no_argument, NULL, 'j' },
		{ "quiet",	no_argument, NULL, 'q' },
		{ "keep",	no_argument, NULL, 'k' },
		{ "pfns",	required_argument, NULL, OPT_PFNS },
		{ "fd",		required_argument, NULL, OPT_FD },
		{ "pid",	required_argument, NULL, OPT_PID },
		{ NULL, 0, NULL, 0 },
	};
	/* exec: COMMAND's options are not fdbox's; stop at BOX. */
	const char *optstring = v->extra & VOPT_STOP ? "+:hjqk" : ":hjqk";
	long val;
	int c;

	/* A new argument vector: 0 makes glibc's getopt start afresh. */
	optind = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			verb_usage(stdout, v);
			printf("\n%s\n", v->help);
			return EXIT_OK;
		case 'j':
			opts.json = true;
			break;
		case 'q':
			opts.quiet = true;
			break;
		case 'k':
			if (!(v->extra & VOPT_KEEP))
				return usage_error(v, "unknown option '%s'",
						   argv[optind - 1]);
			opts.keep = true;
			break;
		case OPT_PFNS:
			if (!(v->extra & VOPT_PFNS))
				return usage_error(v, "unknown option '%s'",
						   "--pfns");
			opts.pfns = optarg;
			break;
		case OPT_FD:
		case OPT_PID:
			if (!(v->extra & VOPT_FD))
				return usage_error(v, "unknown option '%s'",
						   c == OPT_FD ? "--fd" : "--pid");
			if (parse_number(optarg, c == OPT_FD ? 0 : 1, &val))
				return usage_error(v, "%s '%s': not a %s",
						   c == OPT_FD ? "--fd" : "--pid",
						   optarg, c == OPT_FD ?
						   "descriptor number" :
						   "process ID");
			if (c == OPT_FD)
				opts.fd = val;
			else
				opts.pid = val;
			break;
		default:
			return bad_option(v, argv, c);
		}
	}
	return -1;
}

static int run_verb(const struct verb *v, int argc, char **argv)
{
	int ret, nargs;

	ret = verb_options(v, argc, argv);
	if (ret >= 0)
		return ret;
	nargs = argc - optind;
	if (opts.pid && opts.fd < 0)
		return usage_error(v, "--pid needs --fd");
	if (v->extra & VOPT_STOP) {
		int i;

		if (opts.json)
			return usage_error(v, "--json does not apply: standard output is COMMAND's");
		for (i = optind + 1; i < argc && strcmp(argv[i], "--"); i++)
			;
		if (nargs < 1)
			return usage_error(v, "missing argument");
		if (i >= argc)
			return usage_error(v, "missing '--' before COMMAND");
		if (i == argc - 1)
			return usage_error(v, "missing COMMAND after '--'");
	}
	if (nargs < v->min_args)
		return usage_error(v, "missing argument");
	if (v->max_args >= 0 && nargs > v->max_args)
		return usage_error(v, "unexpected argument '%s'",
				   argv[optind + v->max_args]);
	return v->run(nargs, argv + optind);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help",	no_argument, NULL, 'h' },
		{ "json",	no_argument, NULL, 'j' },
		{ "quiet",	no_argument, NULL, 'q' },
		{ "version",	no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct verb *v;
	int c;

	opts.fd = -1;
	/* A closed pipe is an error to report (and to put a file back for). */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	/* '+': stop at the verb; its own options are parsed after it. */
	while ((c = getopt_long(argc, argv, "+:hjqV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'j':
			opts.json = true;
			break;
		case 'q':
			opts.quiet = true;
			break;
		case 'V':
			printf("fdbox %s\n", FDBOX_VERSION);
			return EXIT_OK;
		default:
			return bad_option(NULL, argv, c);
		}
	}
	if (optind >= argc)
		return usage_error(NULL, "missing verb");
	v = find_verb(argv[optind]);
	if (!v)
		return usage_error(NULL, "unknown verb '%s'", argv[optind]);
	return run_verb(v, argc - optind, argv + optind);
}
