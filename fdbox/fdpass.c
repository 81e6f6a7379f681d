// SPDX-License-Identifier: GPL-2.0
/*
 * The zero-copy verbs: no byte of file data passes through fdbox.
 *
 *   put BOX NAME --fd N             put fdbox's own open descriptor N
 *   put BOX NAME --pid PID --fd N   put descriptor N of a running process,
 *                                   taken with pidfd_open(2) + pidfd_getfd(2)
 *   exec BOX [NAME...] -- COMMAND   hand the files to COMMAND as inherited
 *                                   descriptors 3, 4, ... named by
 *                                   LISTEN_FDS / LISTEN_FDNAMES / LISTEN_PID
 *                                   (systemd's sd_listen_fds(3) convention)
 *
 * exec takes files out of the box; until COMMAND has replaced fdbox, every
 * failure puts them all back, so nothing is lost.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdbox.h"

static int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static int sys_pidfd_getfd(int pidfd, int fd, unsigned int flags)
{
	return syscall(SYS_pidfd_getfd, pidfd, fd, flags);
}

/* ---- put --fd, put --pid --fd ---- */

/* "fdbox: put BOX/NAME: WHAT: strerror (HINT)" */
static int report_take(const char *box, const char *name, const char *what,
		       int err, const char *hint)
{
	fprintf(stderr, "%s: ", progname);
	fput_where(stderr, "put", box, name);
	fprintf(stderr, ": %s: %s", what, strerror(err));
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputs("; the box is unchanged\n", stderr);
	return EXIT_FAIL;
}

/*
 * The descriptor to put: @fd itself, or a copy of descriptor @fd of process
 * @pid (close-on-exec). Returns an exit code and the descriptor in *@out.
 */
static int take_fd(const char *box, const char *name, pid_t pid, int fd,
		   int *out)
{
	char what[96], hint[192];
	int pidfd, err;

	if (pid <= 0) {
		if (fcntl(fd, F_GETFD) < 0)
			return report_take(box, name, "--fd", errno,
				"not an open descriptor of fdbox; give it one with a redirection such as 3<>FILE");
		*out = fd;
		return EXIT_OK;
	}
	snprintf(what, sizeof(what), "process %d", (int)pid);
	pidfd = sys_pidfd_open(pid, 0);
	if (pidfd < 0) {
		err = errno;
		return report_take(box, name, what, err,
			err == ESRCH ? "no such process, or it exited" :
			err == ENOSYS ? "the kernel has no pidfd_open(2) (Linux 5.3)" :
			NULL);
	}
	*out = sys_pidfd_getfd(pidfd, fd, 0);
	err = errno;
	close(pidfd);
	if (*out >= 0)
		return EXIT_OK;
	snprintf(what, sizeof(what), "descriptor %d of process %d", fd,
		 (int)pid);
	switch (err) {
	case EPERM:
		snprintf(hint, sizeof(hint),
			 "fdbox may not ptrace process %d: run it as the process's user (a dumpable process) or with CAP_SYS_PTRACE",
			 (int)pid);
		break;
	case EBADF:
		snprintf(hint, sizeof(hint),
			 "process %d has no open descriptor %d; ls -l /proc/%d/fd lists them",
			 (int)pid, fd, (int)pid);
		break;
	case ESRCH:
		snprintf(hint, sizeof(hint), "process %d exited", (int)pid);
		break;
	case ENOSYS:
		snprintf(hint, sizeof(hint),
			 "the kernel has no pidfd_getfd(2) (Linux 5.6)");
		break;
	default:
		hint[0] = '\0';
	}
	return report_take(box, name, what, err, hint[0] ? hint : NULL);
}

/* --pfns FILE: record where the pages of @fd are, now that it is in the box. */
static int put_pfns(const char *box, const char *name, int fd)
{
	uint64_t pages = 0, runs = 0;
	FILE *f;
	int err;

	f = fopen(opts.pfns, "we");
	if (!f)
		err = errno;
	else {
		pfns_header(f);
		err = pfns_record(f, name, fd, &pages, &runs);
		if (fclose(f) && !err)
			err = errno;
	}
	if (err) {
		fprintf(stderr, "%s: ", progname);
		fput_where(stderr, "put", box, name);
		fprintf(stderr, ": --pfns %s: %s (the file is in the box)\n",
			opts.pfns, strerror(err));
		if (f)
			unlink(opts.pfns);
		return EXIT_FAIL;
	}
	if (!opts.quiet && !opts.json) {
		fput_where(stdout, "pfns", box, name);
		printf(": %llu pages in %llu runs of physical frames, recorded in %s\n",
		       (unsigned long long)pages, (unsigned long long)runs,
		       opts.pfns);
	}
	return EXIT_OK;
}

int cmd_put_fd(const char *box, const char *name)
{
	int boxfd, fd = -1, err, ret;
	struct stat st;

	ret = take_fd(box, name, opts.pid, opts.fd, &fd);
	if (ret)
		return ret;
	ret = cli_open_box(OP_PUT, box, O_RDWR, &boxfd);
	if (ret)
		goto out;
	err = fdbox_put(boxfd, fd, name);
	close(boxfd);
	if (err) {
		ret = report(OP_PUT, box, name, err);
		goto out;
	}
	if (fstat(fd, &st))
		st.st_size = 0;
	if (opts.pfns)
		ret = put_pfns(box, name, fd);
	if (opts.json) {
		json_begin_object(NULL);
		json_string("box", box);
		json_string("name", name);
		if (opts.pid > 0)
			json_int("pid", opts.pid);
		else
			json_null("pid");
		json_int("fd", opts.fd);
		json_u64("size", st.st_size);
		json_end_object();
		json_end();
	} else if (!opts.quiet) {
		char size[32];

		format_size(size, sizeof(size), st.st_size);
		fput_where(stdout, "put", box, name);
		if (opts.pid > 0)
			printf(": descriptor %d of process %d, %s, no copy\n",
			       opts.fd, (int)opts.pid, size);
		else
			printf(": descriptor %d, %s, no copy\n", opts.fd, size);
	}
out:
	if (opts.pid > 0)
		close(fd);
	return ret;
}

/* ---- exec ---- */

#define EXEC_FD_FIRST	3	/* SD_LISTEN_FDS_START */

struct exec {
	const char *box;
	char **names;		/* the files, in the order of their fds */
	unsigned int nr;
	char **argv;		/* COMMAND [ARG...] */
	char path[PATH_MAX];	/* COMMAND, found in PATH */
	int boxfd;
	int *fds;		/* the files taken out so far */
	unsigned int taken;
	bool unsealed;
	unsigned int restored, failed;
	double unseal_secs;
	struct fdbox_file_info *files;	/* the box's files after unseal */
	unsigned int nr_files;
	struct pfn_file *pf;
};

static int exec_error(const char *box, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: exec ", progname);
	fput_name(stderr, box);
	fputs(": ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

/* An executable regular file? 0 or the errno. */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	return access(path, X_OK) ? errno : 0;
}

/*
 * Find COMMAND as execvp(3) would, before any file leaves the box: with a
 * '/', as is; else the first executable in $PATH.
 */
static int find_command(struct exec *e)
{
	const char *cmd = e->argv[0], *path = getenv("PATH"), *p, *end;
	int err = ENOENT, e2;

	if (!*cmd)
		return exec_error(e->box, "empty COMMAND%s", "");
	if (strchr(cmd, '/')) {
		err = executable(cmd);
		if (err)
			goto fail;
		snprintf(e->path, sizeof(e->path), "%s", cmd);
		return EXIT_OK;
	}
	if (!path || !*path)
		path = "/bin:/usr/bin";
	for (p = path; ; p = end + 1) {
		int len;

		end = strchrnul(p, ':');
		len = end - p;
		if (!len)	/* an empty entry is the current directory */
			snprintf(e->path, sizeof(e->path), "%s", cmd);
		else
			snprintf(e->path, sizeof(e->path), "%.*s/%s", len, p,
				 cmd);
		e2 = executable(e->path);
		if (!e2)
			return EXIT_OK;
		if (e2 == EACCES)	/* as execvp: remember, go on */
			err = EACCES;
		if (!*end)
			break;
	}
fail:
	fprintf(stderr, "%s: exec ", progname);
	fput_name(stderr, e->box);
	fprintf(stderr, ": %s: %s%s; no file left the box\n", cmd,
		strerror(err), strchr(cmd, '/') ? "" :
		err == ENOENT ? " (not found in PATH)" : " (in PATH)");
	return EXIT_FAIL;
}

/*
 * Unseal the box if it is sealed. The state is read back rather than
 * inferred from the errno of UNSEAL: an open box is fine as it is.
 */
static int exec_unseal(struct exec *e)
{
	double start = now();
	unsigned int i;
	int err, err2;

	err = fdbox_unseal(e->boxfd, &e->restored, &e->failed);
	e->unseal_secs = now() - start;
	e->unsealed = !err;
	err2 = fdbox_list_files(e->boxfd, &e->files, &e->nr_files);
	if (err2)
		return report(OP_LIST, e->box, NULL, err2);
	if (!err)
		return EXIT_OK;
	/* Not unsealed: fine if the box is open, i.e. no file is frozen. */
	for (i = 0; i < e->nr_files; i++)
		if (e->files[i].state != FDBOX_FILE_LIVE)
			return report(OP_UNSEAL, e->box, NULL, err);
	if (!e->nr_files) {
		struct fdbox_box_info info;
		int ctl;

		/* An empty box: only the control node tells its state. */
		if (!fdbox_open_ctl(O_RDONLY, &ctl)) {
			err2 = fdbox_find_box(ctl, e->box, &info);
			close(ctl);
			if (!err2 && info.state != FDBOX_BOX_OPEN)
				return report(OP_UNSEAL, e->box, NULL, err);
		}
	}
	return EXIT_OK;
}

/* The files to hand over: the names given, or every file in box order. */
static int exec_names(struct exec *e)
{
	unsigned int i, j;

	if (!e->nr) {
		e->names = calloc(e->nr_files + 1, sizeof(*e->names));
		if (!e->names)
			return exec_error(e->box, "%s", strerror(ENOMEM));
		for (i = 0; i < e->nr_files; i++)
			e->names[i] = e->files[i].name;
		e->nr = e->nr_files;
	}
	for (i = 0; i < e->nr; i++) {
		const char *name = e->names[i];

		if (strchr(name, ':')) {
			fprintf(stderr, "%s: ", progname);
			fput_where(stderr, "exec", e->box, name);
			fprintf(stderr, ": the name contains ':', which separates the names in LISTEN_FDNAMES; put the file in again under another name%s\n",
				e->nr == e->nr_files ? " or name the files to hand over" : "");
			return EXIT_FAIL;
		}
		for (j = 0; j < e->nr_files; j++)
			if (!strncmp(e->files[j].name, name, FDBOX_NAME_MAX))
				break;
		if (j == e->nr_files)
			return report(OP_EXEC, e->box, name, ENOENT);
	}
	return EXIT_OK;
}

/* Put every file taken out so far back into the box, in order. */
static void exec_put_back(struct exec *e)
{
	unsigned int i, lost = 0;
	int err;

	for (i = 0; i < e->taken; i++) {
		err = fdbox_put(e->boxfd, e->fds[i], e->names[i]);
		if (err) {
			fprintf(stderr, "%s: ", progname);
			fput_where(stderr, "exec", e->box, e->names[i]);
			fprintf(stderr, ": putting the file back failed: %s; it is lost\n",
				strerror(err));
			lost++;
		}
		close(e->fds[i]);
	}
	if (e->taken && !lost) {
		fprintf(stderr, "%s: exec ", progname);
		fput_name(stderr, e->box);
		fprintf(stderr, ": %u file%s back in the box, nothing is lost%s\n",
			e->taken, e->taken == 1 ? "" : "s",
			e->unsealed ? " (the box is open now; 'fdbox seal' seals it again)" : "");
	}
	e->taken = 0;
}

/* Take the files out of the box (close-on-exec for now); all or none. */
static int exec_take(struct exec *e)
{
	unsigned int i;
	int err;

	e->fds = calloc(e->nr + 1, sizeof(*e->fds));
	if (!e->fds)
		return exec_error(e->box, "%s", strerror(ENOMEM));
	for (i = 0; i < e->nr; i++) {
		err = fdbox_get(e->boxfd, e->names[i], &e->fds[i]);
		if (err) {
			report(OP_EXEC, e->box, e->names[i], err);
			exec_put_back(e);
			return EXIT_FAIL;
		}
		e->taken++;
	}
	return EXIT_OK;
}

/* Move @fd to a descriptor >= @min, close-on-exec; -1 and errno on error. */
static int move_fd(int fd, int min)
{
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, min);

	if (nfd >= 0)
		close(fd);
	return nfd;
}

/*
 * Place file i at descriptor 3 + i without close-on-exec, and keep fdbox's
 * own descriptors above them, close-on-exec.
 */
static int exec_place(struct exec *e, int *ctl, int *pipe_w)
{
	int min = EXEC_FD_FIRST + e->nr, fd;
	unsigned int i;

	fd = move_fd(e->boxfd, min);
	if (fd < 0)
		return errno;
	e->boxfd = fd;
	if (*ctl >= 0) {
		fd = move_fd(*ctl, min);
		if (fd < 0)
			return errno;
		*ctl = fd;
	}
	if (*pipe_w >= 0) {
		fd = move_fd(*pipe_w, min);
		if (fd < 0)
			return errno;
		*pipe_w = fd;
	}
	for (i = 0; i < e->nr; i++) {
		fd = move_fd(e->fds[i], min);
		if (fd < 0)
			return errno;
		e->fds[i] = fd;
	}
	for (i = 0; i < e->nr; i++) {
		fd = EXEC_FD_FIRST + i;
		/* dup2() clears close-on-exec on the new descriptor. */
		if (dup2(e->fds[i], fd) < 0)
			return errno;
		close(e->fds[i]);
		e->fds[i] = fd;
	}
	return 0;
}

static int exec_env(struct exec *e)
{
	char buf[32], *names;
	size_t len = 1;
	unsigned int i;
	int err = 0;

	for (i = 0; i < e->nr; i++)
		len += strlen(e->names[i]) + 1;
	names = calloc(1, len);
	if (!names)
		return ENOMEM;
	for (i = 0; i < e->nr; i++) {
		if (i)
			strcat(names, ":");
		strcat(names, e->names[i]);
	}
	snprintf(buf, sizeof(buf), "%u", e->nr);
	if (setenv("LISTEN_FDS", buf, 1) ||
	    setenv("LISTEN_FDNAMES", names, 1))
		err = errno;
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	if (!err && setenv("LISTEN_PID", buf, 1))
		err = errno;
	free(names);
	return err;
}

/*
 * The empty box is deleted once COMMAND runs (unless --keep): by a detached
 * process that learns from a close-on-exec pipe whether the exec happened
 * (end of file) or failed (a byte). Returns the pipe's write end, or -1.
 */
static int exec_watcher(struct exec *e, int ctl)
{
	struct fdbox_file_info *files;
	unsigned int nr;
	int p[2], err;
	char c;
	pid_t pid;

	if (ctl < 0 || pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid) {
		close(p[0]);
		waitpid(pid, NULL, 0);
		return p[1];
	}
	/* The child forks the watcher and exits: COMMAND is not its parent. */
	close(p[1]);
	if (fork())
		_exit(0);
	/* The files are COMMAND's: the watcher holds no reference to them. */
	for (nr = 0; nr < e->nr; nr++)
		close(EXEC_FD_FIRST + nr);
	if (read(p[0], &c, 1) != 0)
		_exit(0);	/* the exec failed, the files are back */
	err = fdbox_list_files(e->boxfd, &files, &nr);
	if (err || nr)
		_exit(0);	/* something is in the box again: keep it */
	err = fdbox_delete(ctl, e->box);
	if (err && err != ENOENT)
		warn_msg("exec %s: the box is empty but stays: %s", e->box,
			 strerror(err));
	_exit(0);
}

static void exec_summary(const struct exec *e)
{
	unsigned int i;

	if (opts.quiet)
		return;
	fprintf(stderr, "%s: exec ", progname);
	fput_name(stderr, e->box);
	if (e->unsealed)
		fprintf(stderr, ": unsealed (%u restored, %u failed) in %.3f s;",
			e->restored, e->failed, e->unseal_secs);
	else
		fputs(": open;", stderr);
	for (i = 0; i < e->nr; i++) {
		fprintf(stderr, "%s fd %d ", i ? "," : "", EXEC_FD_FIRST + i);
		fput_name(stderr, e->names[i]);
	}
	fprintf(stderr, "%s; running %s\n", e->nr ? "" : " no file", e->path);
}

/*
 * exec [--keep] [--pfns FILE] BOX [NAME...] -- COMMAND [ARG...]
 * (argv: BOX [NAME...] -- COMMAND [ARG...]; main.c checked the "--").
 */
int cmd_exec(int argc, char **argv)
{
	struct exec e = { .box = argv[0], .boxfd = -1 };
	int ctl = -1, pipe_w = -1, ret, err, dash;
	unsigned int i;
	char c = 1;

	for (dash = 1; dash < argc && strcmp(argv[dash], "--"); dash++)
		;
	e.names = dash > 1 ? argv + 1 : NULL;
	e.nr = dash - 1;
	e.argv = argv + dash + 1;

	ret = check_name("exec", e.box, true);
	for (i = 0; !ret && i < e.nr; i++) {
		unsigned int j;

		ret = check_name("exec", e.names[i], false);
		for (j = 0; !ret && j < i; j++) {
			if (strcmp(e.names[i], e.names[j]))
				continue;
			fprintf(stderr, "%s: exec: file '", progname);
			fput_name(stderr, e.names[i]);
			fputs("' named twice\n", stderr);
			ret = EXIT_USAGE;
		}
	}
	if (ret)
		return ret;
	if (opts.pfns) {
		e.pf = pfns_load(opts.pfns, &err);
		if (!e.pf) {
			fprintf(stderr, "%s: exec ", progname);
			fput_name(stderr, e.box);
			fprintf(stderr, ": %s: %s%s; no file left the box\n",
				opts.pfns, strerror(err),
				err == EINVAL ? " (not a record of 'fdbox save --pfns' or 'fdbox put --pfns')" : "");
			return EXIT_FAIL;
		}
	}
	/* A COMMAND that can not run is found before anything changes. */
	ret = find_command(&e);
	if (!ret)
		ret = cli_open_box(OP_EXEC, e.box, O_RDWR, &e.boxfd);
	if (ret)
		goto out;
	ret = exec_unseal(&e);
	if (!ret)
		ret = exec_names(&e);
	if (!ret)
		ret = exec_take(&e);
	if (ret)
		goto out;
	if (e.pf)
		for (i = 0; i < e.nr; i++)
			pfns_check(stderr, "exec", e.pf, e.box, e.names[i],
				   e.fds[i]);

	/* The control node, to delete the box once it is empty (root). */
	if (!opts.keep && e.nr == e.nr_files && fdbox_open_ctl(O_RDWR, &ctl))
		ctl = -1;
	err = exec_place(&e, &ctl, &pipe_w);
	if (!err)
		err = exec_env(&e);
	if (err) {
		exec_error(e.box, "placing the descriptors: %s", strerror(err));
		goto fail;
	}
	if (ctl >= 0)
		pipe_w = exec_watcher(&e, ctl);
	exec_summary(&e);
	fflush(stdout);
	fflush(stderr);
	/* fdbox ignores SIGPIPE; COMMAND gets the default. */
	signal(SIGPIPE, SIG_DFL);
	execv(e.path, e.argv);
	err = errno;
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "%s: exec ", progname);
	fput_name(stderr, e.box);
	fprintf(stderr, ": %s: %s\n", e.path, strerror(err));
fail:
	if (pipe_w >= 0 && write(pipe_w, &c, 1) != 1)
		warn_msg("exec %s: telling the watcher failed: %s", e.box,
			 strerror(errno));
	exec_put_back(&e);
	ret = EXIT_FAIL;
out:
	if (pipe_w >= 0)
		close(pipe_w);
	if (ctl >= 0)
		close(ctl);
	if (e.boxfd >= 0)
		close(e.boxfd);
	if (e.names && e.names != argv + 1)
		free(e.names);
	free(e.files);
	free(e.fds);
	pfns_free(e.pf);
	return ret;
}
