// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs that move data: put and get one file, save and restore a whole
 * box.
 *
 * A file goes into a box as a new memfd filled from it; a file comes out of
 * a box as a memfd whose content is written out. GET takes the file out of
 * the box, so if writing it out fails, the memfd is put back: nothing that
 * was in a box is lost by a full disk or a broken pipe.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdbox.h"

/* One file copied into or out of a box. */
struct file_stat {
	const char *name;	/* name in the box */
	const char *path;	/* file it came from or went to */
	uint64_t bytes;
	double secs;
	bool ok;
	int pfns;		/* --pfns: -1 not checked, 0 moved, 1 same */
};

/* "put vm0/vda: 8.0 MiB in 0.045 s (177.8 MiB/s)" */
static void print_rate(const char *verb, const char *box,
		       const struct file_stat *st, const char *arrow)
{
	char size[32], rate[32];

	format_size(size, sizeof(size), st->bytes);
	format_size(rate, sizeof(rate), st->secs > 0 ? st->bytes / st->secs : 0);
	printf("%s ", verb);
	fput_name(stdout, box);
	putchar('/');
	fput_name(stdout, st->name);
	if (arrow)
		printf(" %s %s", arrow, st->path);
	printf(": %s in %.3f s (%s/s)\n", size, st->secs, rate);
	fflush(stdout);		/* in order with messages on stderr */
}

static void json_file_stat(const struct file_stat *st, const char *pathkey)
{
	json_begin_object(NULL);
	json_string("name", st->name);
	json_string(pathkey, st->path);
	json_bool("ok", st->ok);
	if (st->pfns >= 0)
		json_bool("same_frames", st->pfns);
	json_u64("bytes", st->bytes);
	json_seconds("seconds", st->secs);
	json_end_object();
}

/* ---- put ---- */

/* Where a seekable standard input starts: its position, like cat(1). */
static void stdin_start(struct xfer *x)
{
	off_t pos = lseek(x->in, 0, SEEK_CUR);

	if (pos <= 0)
		return;
	x->in_start = pos;
	x->total = x->total > pos ? x->total - pos : 0;
}

/*
 * Fill a new memfd from @path ("-": standard input) and put it into the box
 * open as @boxfd under @name. Returns an exit code; *@st on success, and the
 * memfd in *@keep if @keep is not NULL (else it is closed).
 */
static int put_file(int boxfd, const char *box, const char *name,
		    const char *path, struct file_stat *st, int *keep)
{
	bool is_stdin = !strcmp(path, "-");
	const char *shown = is_stdin ? "standard input" : path;
	struct xfer x = { .label = NULL };
	int in, memfd, err, ret = EXIT_FAIL;
	double start = now();
	char label[160], mname[250];

	in = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return report_io(OP_PUT, box, name, "opening", shown, errno);
	x.in = in;
	err = input_size(in, &x.total, &x.in_seekable);
	if (err) {
		report_io(OP_PUT, box, name, "reading", shown, err);
		goto out_in;
	}
	if (is_stdin && x.in_seekable)
		stdin_start(&x);

	/*
	 * The memfd's own name is only what /proc shows, and the kernel takes
	 * at most 249 bytes of it (NAME_MAX less "memfd:"); the box name is
	 * @name, whole.
	 */
	snprintf(mname, sizeof(mname), "%s", name);
	memfd = memfd_create(mname, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0) {
		report_io(OP_PUT, box, name, "creating", "a memfd", errno);
		goto out_in;
	}
	snprintf(label, sizeof(label), "put %s/%s", box, name);
	x.label = label;
	x.out = memfd;
	err = xfer_run(&x);
	if (err) {
		if (x.write_failed)
			report_io(OP_PUT, box, name, "writing", "the memfd", err);
		else
			report_io(OP_PUT, box, name, "reading", shown, err);
		goto out_memfd;
	}
	if (x.total >= 0 && (int64_t)x.done < x.total)
		warn_msg("put %s/%s: %s ended after %llu of %lld bytes", box,
			 name, shown, (unsigned long long)x.done,
			 (long long)x.total);
	/* The position travels with the memfd: start it at the beginning. */
	lseek(memfd, 0, SEEK_SET);

	err = fdbox_put(boxfd, memfd, name);
	if (err) {
		report(OP_PUT, box, name, err);
		goto out_memfd;
	}
	st->name = name;
	st->path = shown;
	st->bytes = x.done;
	st->secs = now() - start;
	st->ok = true;
	st->pfns = -1;
	ret = EXIT_OK;
	if (keep) {
		*keep = memfd;
		memfd = -1;
	}
out_memfd:
	if (memfd >= 0)
		close(memfd);
out_in:
	if (!is_stdin)
		close(in);
	return ret;
}

int cmd_put(int argc, char **argv)
{
	const char *box = argv[0], *name = argv[1];
	struct file_stat st;
	int fd, ret;

	ret = check_name("put", box, true);
	if (!ret)
		ret = check_name("put", name, false);
	if (ret)
		return ret;
	if (opts.fd >= 0) {
		if (argc > 2) {
			fprintf(stderr, "%s: put: FILE and --fd exclude each other\n",
				progname);
			return EXIT_USAGE;
		}
		return cmd_put_fd(box, name);
	}
	if (argc < 3) {
		fprintf(stderr, "%s: put: missing argument (FILE, -, or --fd N)\n",
			progname);
		return EXIT_USAGE;
	}
	if (opts.pfns) {
		fprintf(stderr, "%s: put: --pfns goes with --fd\n", progname);
		return EXIT_USAGE;
	}
	/* Open the box first: no copy of a large file into nowhere. */
	if (!ret)
		ret = cli_open_box(OP_PUT, box, O_RDWR, &fd);
	if (ret)
		return ret;
	ret = put_file(fd, box, name, argv[2], &st, NULL);
	close(fd);
	return ret;
}

/* ---- get ---- */

/*
 * Open an output file without truncating it yet (the file is truncated once
 * it is out of the box). *@created says whether it is new, to remove it
 * again on failure. @nofollow: do not write through a symbolic link.
 */
static int open_output(int dirfd, const char *path, bool nofollow,
		       bool *created)
{
	int fd;

	fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	*created = fd >= 0;
	if (fd >= 0 || errno != EEXIST)
		return fd;
	return openat(dirfd, path,
		      O_WRONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
}

/* A regular output file is truncated; devices and pipes are not. */
static int truncate_output(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return errno;
	if (S_ISREG(st.st_mode) && ftruncate(fd, 0))
		return errno;
	return 0;
}

/* Writing a file out failed: put its memfd back into the box. */
static void put_back(int boxfd, const char *box, const char *name, int memfd)
{
	int err = fdbox_put(boxfd, memfd, name);

	fprintf(stderr, "%s: ", progname);
	fput_where(stderr, "get", box, name);
	if (!err)
		fputs(": the file is back in the box, nothing is lost\n", stderr);
	else
		fprintf(stderr, ": putting the file back failed: %s; its data is lost\n",
			strerror(err));
}

/* Copy the memfd out to @out; 0 or the errno, x->write_failed says where. */
static int write_out(int memfd, int out, bool to_stdout, const char *label,
		     struct xfer *x)
{
	struct stat st;
	int err;

	x->label = label;
	x->quiet = to_stdout && isatty(out);
	x->in = memfd;
	x->out = out;
	x->in_seekable = true;	/* from offset 0, whatever the position */
	x->in_start = 0;
	x->write_failed = false;
	if (fstat(memfd, &st))
		return errno;
	x->total = st.st_size;
	if (!to_stdout) {
		err = truncate_output(out);
		if (err) {
			x->write_failed = true;
			return err;
		}
	}
	err = xfer_run(x);
	if (!err && (int64_t)x->done < x->total)
		err = EIO;	/* the memfd is shorter than its size? */
	return err;
}

/*
 * --pfns: are the pages of @memfd on the frames recorded before kexec? The
 * good news goes to @out (exec: standard error, standard output is the
 * command's), problems to standard error, both named "VERB BOX/NAME".
 * Returns 1 if they are, 0 if not (or unknown), -1 for a file that exec
 * finds no record of.
 */
int pfns_check(FILE *out, const char *verb, const struct pfn_file *pf,
	       const char *box, const char *name, int memfd)
{
	uint64_t same, recorded, other;
	int err;

	err = pfns_compare(pf, name, memfd, &same, &recorded, &other);
	/* exec: 'put --pfns' records one file, the others are not checked. */
	if (err == ENOENT && !strcmp(verb, "exec"))
		return -1;
	if (err) {
		fprintf(stderr, "%s: ", progname);
		fput_where(stderr, verb, box, name);
		fprintf(stderr, ": frame numbers: %s%s\n", strerror(err),
			err == ENOENT ? " (not in the --pfns record)" :
			err == EPERM ? " (/proc/self/pagemap shows them to CAP_SYS_ADMIN only)" : "");
		return 0;
	}
	if (same == recorded && !other) {
		if (opts.quiet || opts.json)
			return 1;
		fput_where(out, "pfns", box, name);
		fprintf(out, ": %llu of %llu pages on the same physical frames (zero copy)\n",
			(unsigned long long)same, (unsigned long long)recorded);
		fflush(out);
		return 1;
	}
	fprintf(stderr, "%s: ", progname);
	fput_where(stderr, verb, box, name);
	fprintf(stderr, ": %llu of %llu pages on the same physical frames, %llu elsewhere: not zero copy\n",
		(unsigned long long)same, (unsigned long long)recorded,
		(unsigned long long)other);
	return 0;
}

/*
 * Take @name out of the box open as @boxfd and write it to @path, relative
 * to @dirfd (NULL: standard output). @shown names the output in messages.
 * With @pf, check the frames of its pages first (st->pfns).
 */
static int get_file(int boxfd, const char *box, const char *name, int dirfd,
		    const char *path, const char *shown, bool nofollow,
		    const struct pfn_file *pf, struct file_stat *st)
{
	bool to_stdout = !path, created = false;
	int out = STDOUT_FILENO, memfd, err, ret = EXIT_FAIL;
	struct xfer x = { .label = NULL };
	double start = now();
	char label[160];

	if (!to_stdout) {
		out = open_output(dirfd, path, nofollow, &created);
		if (out < 0)
			return report_io(OP_GET, box, name, "opening", shown,
					 errno);
	}
	err = fdbox_get(boxfd, name, &memfd);
	if (err) {
		report(OP_GET, box, name, err);
		goto out;
	}
	if (pf)
		st->pfns = pfns_check(stdout, "restore", pf, box, name, memfd);
	snprintf(label, sizeof(label), "get %s/%s", box, name);
	err = write_out(memfd, out, to_stdout, label, &x);
	if (!err && !to_stdout) {
		int fd = out;

		out = -1;
		if (close(fd)) {
			err = errno;
			x.write_failed = true;
		}
	}
	if (err) {
		if (x.write_failed)
			report_io(OP_GET, box, name, "writing", shown, err);
		else
			report_io(OP_GET, box, name, "reading", "the memfd", err);
		put_back(boxfd, box, name, memfd);
		close(memfd);
		goto out;
	}
	close(memfd);
	st->name = name;
	st->path = shown;
	st->bytes = x.done;
	st->secs = now() - start;
	st->ok = true;
	ret = EXIT_OK;
out:
	if (!to_stdout && out >= 0)
		close(out);
	if (ret && created)
		unlinkat(dirfd, path, 0);
	return ret;
}

int cmd_get(int argc, char **argv)
{
	const char *box = argv[0], *name = argv[1];
	const char *path = argc > 2 && strcmp(argv[2], "-") ? argv[2] : NULL;
	struct file_stat st;
	int fd, ret;

	ret = check_name("get", box, true);
	if (!ret)
		ret = check_name("get", name, false);
	if (!ret)
		ret = cli_open_box(OP_GET, box, O_RDWR, &fd);
	if (ret)
		return ret;
	ret = get_file(fd, box, name, AT_FDCWD, path,
		       path ? path : "standard output", false, NULL, &st);
	close(fd);
	return ret;
}

/* ---- save ---- */

/* The name a file gets in the box: its base name. */
static char *base_name(const char *path)
{
	char *copy = strdup(path), *end, *slash;

	if (!copy)
		return NULL;
	end = copy + strlen(copy);
	while (end > copy + 1 && end[-1] == '/')
		*--end = '\0';
	slash = strrchr(copy, '/');
	if (slash && slash[1])
		memmove(copy, slash + 1, strlen(slash + 1) + 1);
	return copy;
}

/* Names of the files to save, checked: exit code, or 0 and *@names. */
static int save_names(int nr, char **paths, char ***names)
{
	char **n = calloc(nr, sizeof(*n));
	int i, j, ret = 0;

	if (!n)
		return report(OP_PUT, NULL, NULL, ENOMEM);
	for (i = 0; i < nr && !ret; i++) {
		if (!strcmp(paths[i], "-")) {
			warn_msg("save: files only; 'fdbox put BOX NAME -' reads standard input");
			ret = EXIT_USAGE;
			break;
		}
		n[i] = base_name(paths[i]);
		if (!n[i]) {
			ret = report(OP_PUT, NULL, NULL, ENOMEM);
			break;
		}
		ret = check_name("save", n[i], false);
		for (j = 0; j < i && !ret; j++) {
			if (strcmp(n[i], n[j]))
				continue;
			warn_msg("save: %s and %s would both be named '%s' in the box",
				 paths[j], paths[i], n[i]);
			ret = EXIT_USAGE;
		}
	}
	*names = n;
	return ret;
}

static void free_names(int nr, char **names)
{
	int i;

	for (i = 0; names && i < nr; i++)
		free(names[i]);
	free(names);
}

static void save_output(const char *box, int nr, const struct file_stat *st,
			double put_secs, double seal_secs)
{
	char size[32];
	uint64_t bytes = 0;
	int i;

	for (i = 0; i < nr; i++)
		bytes += st[i].bytes;
	if (opts.json) {
		json_begin_object(NULL);
		json_string("box", box);
		json_begin_array("files");
		for (i = 0; i < nr; i++)
			json_file_stat(&st[i], "source");
		json_end_array();
		json_u64("bytes", bytes);
		json_seconds("put_seconds", put_secs);
		json_seconds("seal_seconds", seal_secs);
		json_seconds("seconds", put_secs + seal_secs);
		json_end_object();
		json_end();
		return;
	}
	if (opts.quiet)
		return;
	format_size(size, sizeof(size), bytes);
	printf("seal ");
	fput_name(stdout, box);
	printf(": %d file%s in %.3f s\n", nr, nr == 1 ? "" : "s", seal_secs);
	printf("save ");
	fput_name(stdout, box);
	printf(": %d file%s, %s in %.3f s\n", nr, nr == 1 ? "" : "s", size,
	       put_secs + seal_secs);
}

struct save {
	const char *box;
	int nr;
	char **paths;		/* the files */
	char **names;		/* their names in the box */
	struct file_stat *st;
	FILE *pfns;		/* --pfns record */
	int *fds;		/* --pfns: the memfds, open until recorded */
};

/* Put every file into the open box @boxfd and seal it; an exit code. */
static int save_files(struct save *s, int boxfd)
{
	double start = now(), put_secs;
	int i, ret, err;

	for (i = 0; i < s->nr; i++) {
		ret = put_file(boxfd, s->box, s->names[i], s->paths[i],
			       &s->st[i], s->fds ? &s->fds[i] : NULL);
		if (ret)
			return ret;
		if (!opts.quiet && !opts.json)
			print_rate("put", s->box, &s->st[i], NULL);
	}
	put_secs = now() - start;
	start = now();
	err = fdbox_seal(boxfd);
	if (err)
		return report(OP_SEAL, s->box, NULL, err);
	save_output(s->box, s->nr, s->st, put_secs, now() - start);
	return EXIT_OK;
}

/*
 * --pfns: record where the pages are once sealed (SEAL may have moved them
 * out of the KHO scratch areas). The box stays saved if this fails.
 */
static int save_pfns(struct save *s)
{
	uint64_t pages, runs;
	int i, err;

	pfns_header(s->pfns);
	for (i = 0; i < s->nr; i++) {
		err = pfns_record(s->pfns, s->names[i], s->fds[i], &pages,
				  &runs);
		if (err) {
			fprintf(stderr, "%s: ", progname);
			fput_where(stderr, "save", s->box, s->names[i]);
			fprintf(stderr, ": frame numbers: %s%s\n", strerror(err),
				err == EPERM ? " (/proc/self/pagemap shows them to CAP_SYS_ADMIN only)" : "");
			return EXIT_FAIL;
		}
		if (opts.quiet || opts.json)
			continue;
		fput_where(stdout, "pfns", s->box, s->names[i]);
		printf(": %llu pages in %llu run%s of physical frames -> %s\n",
		       (unsigned long long)pages, (unsigned long long)runs,
		       runs == 1 ? "" : "s", opts.pfns);
	}
	return EXIT_OK;
}

/* Open the --pfns record before anything is done: an exit code. */
static int save_pfns_open(struct save *s)
{
	int i;

	s->fds = calloc(s->nr, sizeof(*s->fds));
	if (!s->fds)
		return report(OP_SAVE, s->box, NULL, ENOMEM);
	for (i = 0; i < s->nr; i++)
		s->fds[i] = -1;
	s->pfns = fopen(opts.pfns, "we");
	if (!s->pfns) {
		fprintf(stderr, "%s: save %s: %s: %s\n", progname, s->box,
			opts.pfns, strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Close the memfds and the --pfns record, which is removed on failure. */
static int save_pfns_close(struct save *s, int ret)
{
	int i;

	for (i = 0; s->fds && i < s->nr; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	free(s->fds);
	if (!s->pfns)
		return ret;
	if (fclose(s->pfns) && !ret) {
		fprintf(stderr, "%s: save %s: %s: %s\n", progname, s->box,
			opts.pfns, strerror(errno));
		ret = EXIT_FAIL;
	}
	if (ret)
		unlink(opts.pfns);
	return ret;
}

/* Create the box, fill and seal it; on failure delete it again. */
static int save_box(struct save *s, int ctl)
{
	int boxfd, err, ret;

	err = fdbox_create(ctl, s->box);
	if (err)
		return report(OP_CREATE, s->box, NULL, err);
	ret = cli_open_box(OP_PUT, s->box, O_RDWR, &boxfd);
	if (!ret) {
		ret = save_files(s, boxfd);
		close(boxfd);
	}
	if (!ret)
		return s->pfns ? save_pfns(s) : EXIT_OK;

	/* The box is ours and holds copies only: remove it. */
	err = fdbox_delete(ctl, s->box);
	if (err)
		report(OP_DELETE, s->box, NULL, err);
	else
		warn_msg("save %s: nothing saved, the box was deleted", s->box);
	return ret;
}

/*
 * save BOX FILE...: create the box, put a memfd copy of each file in it,
 * named after the file, and seal it. On failure the box is deleted again.
 */
int cmd_save(int argc, char **argv)
{
	struct save s = {
		.box = argv[0],
		.nr = argc - 1,
		.paths = argv + 1,
	};
	int ctl, ret;

	ret = check_name("save", s.box, true);
	if (!ret)
		ret = save_names(s.nr, s.paths, &s.names);
	if (!ret) {
		s.st = calloc(s.nr, sizeof(*s.st));
		if (!s.st)
			ret = report(OP_SAVE, s.box, NULL, ENOMEM);
	}
	if (!ret)
		ret = cli_open_ctl(OP_SAVE, s.box, O_RDWR, &ctl);
	if (!ret && opts.pfns) {
		ret = save_pfns_open(&s);
		if (ret)
			close(ctl);
	}
	if (!ret) {
		ret = save_box(&s, ctl);
		close(ctl);
	}
	ret = save_pfns_close(&s, ret);
	free(s.st);
	free_names(s.nr, s.names);
	return ret;
}

/* ---- restore ---- */

struct restore {
	const char *box;
	const char *dir;
	int dirfd;
	int boxfd;
	bool unsealed;		/* it was sealed: UNSEAL ran */
	unsigned int restored, failed;
	double unseal_secs;
	struct fdbox_file_info *files;
	unsigned int nr;
	struct file_stat *st;
	char (*paths)[PATH_MAX];
	unsigned int nr_failed;	/* files not written out */
	bool deleted;
	struct pfn_file *pf;	/* --pfns record */
};

/* Unseal the box, or find it open already. */
static int restore_unseal(struct restore *r)
{
	double start = now();
	uint32_t state;
	int err;

	err = fdbox_unseal(r->boxfd, &r->restored, &r->failed);
	r->unseal_secs = now() - start;
	r->unsealed = !err;
	/*
	 * EBUSY: the box is open already, or it is sealed and a kexec has
	 * started. When the state can not be read (not root), go on: GET then
	 * fails on a sealed box, with its own message.
	 */
	if (err == EBUSY && !fdbox_box_state(r->box, &state) &&
	    state == FDBOX_BOX_SEALED)
		return report(OP_UNSEAL, r->box, NULL, err);
	if (err && err != EBUSY)
		return report(OP_UNSEAL, r->box, NULL, err);
	if (opts.quiet || opts.json)
		return EXIT_OK;
	if (r->unsealed) {
		printf("unseal ");
		fput_name(stdout, r->box);
		printf(": %u restored, %u failed in %.3f s\n", r->restored,
		       r->failed, r->unseal_secs);
	} else {
		printf("restore ");
		fput_name(stdout, r->box);
		printf(": the box is open already\n");
	}
	fflush(stdout);
	return EXIT_OK;
}

/* Write file @i of the box to DIR/NAME. */
static void restore_file(struct restore *r, unsigned int i)
{
	const char *name = r->files[i].name;
	size_t dlen = strlen(r->dir);
	const char *why = bad_name(name, false);

	snprintf(r->paths[i], PATH_MAX, "%s%s%s", r->dir,
		 dlen && r->dir[dlen - 1] == '/' ? "" : "/", name);
	r->st[i].name = name;
	r->st[i].path = r->paths[i];
	r->st[i].pfns = -1;
	if (why) {
		/* Names come from the kernel; never write outside DIR. */
		fprintf(stderr, "%s: get ", progname);
		fput_name(stderr, r->box);
		fputc('/', stderr);
		fput_name(stderr, name);
		fprintf(stderr, ": not a file name (%s)\n", why);
		r->nr_failed++;
		return;
	}
	if (get_file(r->boxfd, r->box, name, r->dirfd, name, r->paths[i], true,
		     r->pf, &r->st[i])) {
		r->nr_failed++;
		return;
	}
	if (!opts.quiet && !opts.json)
		print_rate("get", r->box, &r->st[i], "->");
}

/* Delete the box if it is empty now; a failure is only a warning. */
static void restore_delete(struct restore *r)
{
	struct fdbox_file_info *files;
	unsigned int nr;
	int ctl, err;

	err = fdbox_list_files(r->boxfd, &files, &nr);
	if (err || nr) {
		if (!err)
			free(files);
		return;
	}
	err = fdbox_open_ctl(O_RDWR, &ctl);
	if (!err) {
		err = fdbox_delete(ctl, r->box);
		close(ctl);
	}
	if (err)
		warn_msg("restore %s: the box is empty but stays: %s", r->box,
			 strerror(err));
	r->deleted = !err;
}

static void restore_output(const struct restore *r, double secs)
{
	uint64_t bytes = 0;
	unsigned int i, ok = 0;
	char size[32];

	for (i = 0; i < r->nr; i++) {
		bytes += r->st[i].bytes;
		ok += r->st[i].ok;
	}
	if (opts.json) {
		json_begin_object(NULL);
		json_string("box", r->box);
		json_string("directory", r->dir);
		json_bool("unsealed", r->unsealed);
		json_u64("restored", r->restored);
		json_u64("failed", r->failed);
		json_seconds("unseal_seconds", r->unseal_secs);
		json_begin_array("files");
		for (i = 0; i < r->nr; i++)
			json_file_stat(&r->st[i], "path");
		json_end_array();
		json_u64("bytes", bytes);
		json_bool("deleted", r->deleted);
		json_seconds("seconds", secs);
		json_end_object();
		json_end();
		return;
	}
	if (opts.quiet)
		return;
	format_size(size, sizeof(size), bytes);
	printf("restore ");
	fput_name(stdout, r->box);
	printf(": %u file%s, %s in %.3f s%s\n", ok, ok == 1 ? "" : "s", size,
	       secs, r->deleted ? "; the empty box was deleted" : "");
}

static int restore_files(struct restore *r)
{
	double start = now();
	unsigned int i, moved = 0;
	int err, ret;

	ret = restore_unseal(r);
	if (ret)
		return ret;
	err = fdbox_list_files(r->boxfd, &r->files, &r->nr);
	if (err)
		return report(OP_LIST, r->box, NULL, err);
	r->st = calloc(r->nr + 1, sizeof(*r->st));
	r->paths = calloc(r->nr + 1, sizeof(*r->paths));
	if (!r->st || !r->paths)
		return report(OP_GET, r->box, NULL, ENOMEM);
	for (i = 0; i < r->nr; i++) {
		restore_file(r, i);
		moved += r->st[i].pfns == 0;
	}
	if (!r->nr_failed && !opts.keep)
		restore_delete(r);
	restore_output(r, now() - start);
	if (moved) {
		fprintf(stderr, "%s: restore ", progname);
		fput_name(stderr, r->box);
		fprintf(stderr, ": %u file%s not on the recorded physical frames (--pfns %s)\n",
			moved, moved == 1 ? "" : "s", opts.pfns);
	}
	if (!r->nr_failed)
		return moved ? EXIT_FAIL : EXIT_OK;
	fprintf(stderr, "%s: restore ", progname);
	fput_name(stderr, r->box);
	fprintf(stderr, ": %u of %u files not restored; they stay in the box\n",
		r->nr_failed, r->nr);
	return EXIT_FAIL;
}

/*
 * restore BOX [DIR]: unseal the box, take every file out and write it to
 * DIR/NAME, then delete the empty box (unless --keep).
 */
int cmd_restore(int argc, char **argv)
{
	struct restore r = {
		.box = argv[0],
		.dir = argc > 1 ? argv[1] : ".",
	};
	int ret;

	ret = check_name("restore", r.box, true);
	if (ret)
		return ret;
	if (opts.pfns) {
		int err;

		r.pf = pfns_load(opts.pfns, &err);
		if (!r.pf) {
			fprintf(stderr, "%s: restore ", progname);
			fput_name(stderr, r.box);
			fprintf(stderr, ": %s: %s%s\n", opts.pfns, strerror(err),
				err == EINVAL ? " (not a record of 'fdbox save --pfns')" : "");
			return EXIT_FAIL;
		}
	}
	r.dirfd = open(r.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r.dirfd < 0) {
		fprintf(stderr, "%s: restore ", progname);
		fput_name(stderr, r.box);
		fprintf(stderr, ": %s: %s\n", r.dir, strerror(errno));
		pfns_free(r.pf);
		return EXIT_FAIL;
	}
	ret = cli_open_box(OP_RESTORE, r.box, O_RDWR, &r.boxfd);
	if (!ret) {
		ret = restore_files(&r);
		close(r.boxfd);
	}
	close(r.dirfd);
	pfns_free(r.pf);
	free(r.files);
	free(r.st);
	free(r.paths);
	return ret;
}
