// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming copies between a file and a memfd, with a progress line.
 *
 * The data never goes through a whole-file buffer: copy_file_range() when the
 * kernel can copy between the two files, else sendfile(), else read() and
 * write() through a 1 MiB buffer. The fast paths fall back on any error; the
 * read()/write() path is the one that reports errors, because it knows which
 * side failed.
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>		/* BLKGETSIZE64 */

#include "fdbox.h"

#define XFER_CHUNK	(16UL << 20)	/* per copy_file_range()/sendfile() */
#define XFER_BUFSZ	(1UL << 20)	/* read()/write() buffer */
#define PROGRESS_HZ	10

enum xfer_method {
	XFER_COPY_FILE_RANGE,
	XFER_SENDFILE,
	XFER_READ_WRITE,
};

struct progress {
	bool on;	/* stderr is a terminal and not -q */
	bool shown;	/* a progress line is on the screen */
	double start;
	double last;
};

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void format_size(char *buf, size_t len, double bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%.0f B", bytes);
		return;
	}
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", bytes, units[u]);
}

static void format_duration(char *buf, size_t len, double secs)
{
	unsigned long s = secs > 0 ? (unsigned long)(secs + 0.5) : 0;

	if (s >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(buf, len, "%lu:%02lu", s / 60, s % 60);
}

/*
 * The size of an input and whether it can be read at offsets: regular files
 * and block devices (BLKGETSIZE64) can; pipes, terminals and character
 * devices are read until EOF (*size = -1).
 */
int input_size(int fd, int64_t *size, bool *seekable)
{
	struct stat st;
	uint64_t bytes;

	if (fstat(fd, &st))
		return errno;
	*size = -1;
	*seekable = false;
	if (S_ISREG(st.st_mode)) {
		*size = st.st_size;
		*seekable = true;
	} else if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes))
			return errno;
		*size = bytes;
		*seekable = true;
	}
	return 0;
}

/* Progress on stderr: at most PROGRESS_HZ updates a second; @final clears it. */
static void progress_show(const struct xfer *x, struct progress *p, bool final)
{
	char done[32], total[32], rate[32], eta[32];
	double t, secs, bps;

	if (!p->on)
		return;
	if (final) {
		if (p->shown)
			fputs("\r\033[K", stderr);
		return;
	}
	/* Nothing for copies done within the first interval. */
	t = now();
	if (t - p->last < 1.0 / PROGRESS_HZ)
		return;
	p->last = t;
	p->shown = true;
	secs = t - p->start;
	bps = secs > 0 ? x->done / secs : 0;
	format_size(done, sizeof(done), x->done);
	format_size(rate, sizeof(rate), bps);
	fprintf(stderr, "\r%s: %s", x->label, done);
	if (x->total >= 0) {
		format_size(total, sizeof(total), x->total);
		fprintf(stderr, " / %s (%d%%)", total,
			x->total ? (int)(x->done * 100 / x->total) : 100);
	}
	fprintf(stderr, ", %s/s", rate);
	if (x->total >= 0 && bps > 0) {
		format_duration(eta, sizeof(eta), (x->total - x->done) / bps);
		fprintf(stderr, ", ETA %s", eta);
	}
	fputs("\033[K", stderr);
}

/* One copy_file_range() or sendfile() call; <= 0 means "try the next way". */
static ssize_t fast_step(struct xfer *x, enum xfer_method m, off_t *off,
			 size_t want)
{
	off_t *inoff = x->in_seekable ? off : NULL;

	if (m == XFER_COPY_FILE_RANGE)
		return copy_file_range(x->in, inoff, x->out, NULL, want, 0);
	return sendfile(x->out, x->in, inoff, want);
}

/* Write all of @buf, across short writes and EINTR. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * One read()/write() step: 0 and *@got bytes copied (0 at EOF), or the
 * errno, with x->write_failed saying which side failed.
 */
static int rw_step(struct xfer *x, char *buf, off_t *off, size_t want,
		   size_t *got)
{
	ssize_t n;
	int err;

	do {
		n = x->in_seekable ? pread(x->in, buf, want, *off) :
				     read(x->in, buf, want);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		x->write_failed = false;
		return errno;
	}
	err = write_all(x->out, buf, n);
	if (err) {
		x->write_failed = true;
		return err;
	}
	*off += n;
	*got = n;
	return 0;
}

static size_t next_want(const struct xfer *x, size_t max)
{
	uint64_t left;

	if (x->total < 0)
		return max;
	left = x->total - x->done;
	return left < max ? left : max;
}

/*
 * Copy x->total bytes (or until EOF if it is -1) from x->in, read from
 * offset x->in_start if it is seekable, to x->out at its file position.
 * Returns 0 or the errno; x->done says how far it got.
 */
int xfer_run(struct xfer *x)
{
	enum xfer_method m = XFER_COPY_FILE_RANGE;
	struct progress p = {
		.on = !opts.quiet && !x->quiet && isatty(STDERR_FILENO),
	};
	char *buf = NULL;
	off_t off = x->in_start;
	int err = 0;

	p.start = now();
	p.last = p.start;
	x->done = 0;
	x->write_failed = false;
	while (x->total < 0 || (int64_t)x->done < x->total) {
		size_t got = 0;

		if (m != XFER_READ_WRITE) {
			ssize_t n = fast_step(x, m, &off, next_want(x, XFER_CHUNK));

			if (n > 0) {
				if (!x->in_seekable)
					off += n;
				x->done += n;
				progress_show(x, &p, false);
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			/* EOF, or not between these two files: next way. */
			m++;
			continue;
		}
		if (!buf) {
			buf = malloc(XFER_BUFSZ);
			if (!buf) {
				err = ENOMEM;
				break;
			}
		}
		err = rw_step(x, buf, &off, next_want(x, XFER_BUFSZ), &got);
		if (err || !got)
			break;
		x->done += got;
		progress_show(x, &p, false);
	}
	progress_show(x, &p, true);
	free(buf);
	return err;
}
