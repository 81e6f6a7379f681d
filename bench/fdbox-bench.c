// SPDX-License-Identifier: GPL-2.0
/*
 * fdbox-bench: FDBox against LUO memfd preservation, same VM, same data.
 *
 *   fdbox-bench stage1 REPS CASE...   create, preserve (REPS times), keep the
 *                                     last preservation for the kexec; a
 *                                     sleeping child holds the LUO sessions
 *   fdbox-bench stage2 CASE...        restore, read every page, check a sample
 *   fdbox-bench seal CASE             FDBox only: create, PUT + SEAL, keep it
 *                                     sealed for the kexec (boot cost)
 *   fdbox-bench drop CASE             delete the box "seal" left (after the
 *                                     kexec: frees the preserved folios)
 *   fdbox-bench luo-seal CASE         the same with LUO alone: PRESERVE_FD,
 *   fdbox-bench luo-drop CASE         then RETRIEVE_FD + FINISH and close
 *   fdbox-bench scale-seal SYS LAYOUT N  SYS fdbox, luo or both; LAYOUT
 *                                     files: one box (LUO session) of
 *                                     N one-page memfds; boxes: N boxes
 *                                     (sessions) of one; PUT (PRESERVE_FD)
 *                                     per file and SEAL timed, kept for the
 *                                     kexec
 *   fdbox-bench scale-restore SYS LAYOUT N  after the kexec: UNSEAL + GET
 *                                     (RETRIEVE_FD) per file, content checked
 *   fdbox-bench seal-others M...      SEAL of one box (PRESERVE_FD into a new
 *                                     session) while M others are sealed
 *   fdbox-bench micro REPS CASE       each ioctl of one preservation of CASE
 *                                     on its own, REPS times, medians
 *   fdbox-bench tsc LABEL             print the time stamp counter, so that
 *                                     the host can time kexec -e to userspace
 *
 * CASE is NAME,KIND,SIZE_MIB[,WRITTEN_MIB] with KIND one of dense, thp,
 * sparse (SIZE_MIB file, WRITTEN_MIB written at its start) or swap (half of
 * the pages paged out to swap with MADV_PAGEOUT before each preservation).
 * A dense case of size 0 measures what each system costs per file.
 *
 * Every case is done twice on separate memfds holding the same bytes: once
 * for FDBox (box "bench-NAME", file "data") and once for LUO (session
 * "bench-NAME", token 1). One JSON record per case and system is printed on a
 * line that starts with "BENCH-JSON: ". Times come from CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/fdbox.h>
#include <linux/liveupdate.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGE		4096UL
#define MIB		(1UL << 20)
#define MAX_CASES	16
#define MAX_REPS	16
#define LUO_TOKEN	1
/* Both ABIs keep one 16-byte record per preserved folio:
 * FDBox struct shmem_kho_folio, LUO struct memfd_luo_folio_ser. */
#define FDBOX_META_PER_FOLIO	16
#define LUO_META_PER_FOLIO	16

enum kind { DENSE, THP, SPARSE, SWAP };
static const char *const kind_name[] = { "dense", "thp", "sparse", "swap" };

struct bcase {
	char name[40];
	enum kind kind;
	unsigned long size, written;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stdout, "BENCH-ERROR: ");
	vfprintf(stdout, fmt, ap);
	fprintf(stdout, " (errno %d: %s)\n", errno, strerror(errno));
	va_end(ap);
	fflush(stdout);
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* /proc/meminfo, in KiB */
struct meminfo {
	long memfree, shmem, shmem_huge, swapfree, swaptotal;
};

static void meminfo(struct meminfo *m)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");
	long v;

	memset(m, 0, sizeof(*m));
	if (!f)
		die("open /proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		char key[64];

		if (sscanf(line, "%63[^:]: %ld", key, &v) != 2)
			continue;
		if (!strcmp(key, "MemFree"))
			m->memfree = v;
		else if (!strcmp(key, "Shmem"))
			m->shmem = v;
		else if (!strcmp(key, "ShmemHugePages"))
			m->shmem_huge = v;
		else if (!strcmp(key, "SwapFree"))
			m->swapfree = v;
		else if (!strcmp(key, "SwapTotal"))
			m->swaptotal = v;
	}
	fclose(f);
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		ssize_t ret = write(fd, "3", 1);

		(void)ret;
		close(fd);
	}
}

static void set_thp(const char *mode)
{
	int fd = open("/sys/kernel/mm/transparent_hugepage/shmem_enabled", O_WRONLY);

	if (fd < 0 || write(fd, mode, strlen(mode)) < 0)
		die("set shmem_enabled to %s", mode);
	close(fd);
}

/* The test pattern, one 64-bit word per 8 bytes of the file. */
static inline uint64_t pat(uint64_t off)
{
	return (off * 0x9E3779B97F4A7C15ULL) ^ 0x5DEECE66DULL;
}

/*
 * The word at byte @off of a file: the first word of each page is pat() of
 * the page's own offset, which tells pages apart; the rest repeats every MiB,
 * so that filling gigabytes under TCG is mostly a copy.
 */
static inline uint64_t want_word(uint64_t off)
{
	return off % PAGE ? pat(off % MIB) : pat(off);
}

static void fill(int fd, unsigned long len)
{
	static uint64_t buf[MIB / 8];
	unsigned long off, i;

	for (i = 0; i < MIB / 8; i++)
		buf[i] = pat(i * 8);
	for (off = 0; off < len; off += MIB) {
		size_t n = len - off < MIB ? len - off : MIB;

		for (i = 0; i < n; i += PAGE)
			buf[i / 8] = pat(off + i);
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			die("pwrite at %lu", off);
	}
}

static int make_memfd(const struct bcase *c, const char *sys)
{
	char name[80];
	int fd;

	snprintf(name, sizeof(name), "bench-%s-%s", c->name, sys);
	set_thp(c->kind == THP ? "always" : "never");
	fd = memfd_create(name, 0);
	if (fd < 0)
		die("memfd_create");
	if (ftruncate(fd, c->size))
		die("ftruncate %lu", c->size);
	fill(fd, c->kind == SPARSE ? c->written : c->size);
	set_thp("never");
	return fd;
}

/* Page out the first half of the file (faulted into a mapping first). */
static void page_out_half(int fd, const struct bcase *c)
{
	unsigned long half = c->size / 2, off;
	volatile char *p;
	char *m;

	m = mmap(NULL, half, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap for pageout");
	p = m;
	for (off = 0; off < half; off += PAGE)
		(void)p[off];
	if (madvise(m, half, MADV_PAGEOUT))
		die("madvise(MADV_PAGEOUT)");
	munmap(m, half);
}

/* Pages of the file in the page cache (swapped-out pages do not count). */
static long resident_pages(int fd, unsigned long size)
{
	unsigned long n = (size + PAGE - 1) / PAGE, i;
	unsigned char *vec;
	long count = 0;
	void *m;

	m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	vec = malloc(n);
	if (!vec || mincore(m, size, vec))
		die("mincore");
	for (i = 0; i < n; i++)
		count += vec[i] & 1;
	free(vec);
	munmap(m, size);
	return count;
}

/* ---- FDBox ---- */

static void box_name(char *buf, size_t len, const struct bcase *c)
{
	snprintf(buf, len, "bench-%s", c->name);
}

static int box_open(int ctl, const struct bcase *c, int create)
{
	struct fdbox_create_box cb = { .size = sizeof(cb) };
	char path[128], name[64];
	int fd;

	box_name(name, sizeof(name), c);
	if (create) {
		strcpy(cb.name, name);
		if (ioctl(ctl, FDBOX_CREATE_BOX, &cb))
			die("FDBOX_CREATE_BOX %s", name);
	}
	snprintf(path, sizeof(path), "/dev/fdbox/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open %s", path);
	return fd;
}

/* pgmigrate_success of /proc/vmstat: pages migrated so far, or -1. */
static long pgmigrate_success(void)
{
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "pgmigrate_success ", 18)) {
			val = strtol(line + 18, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

/*
 * Pages migrated (out of the KHO scratch areas) by the last PUT_FD and SEAL
 * of fdbox_preserve(), and by the last luo_preserve().
 */
static long migrated_put, migrated_seal;

static double fdbox_preserve(int box, int fd)
{
	struct fdbox_put_fd put = { .size = sizeof(put), .fd = fd };
	struct fdbox_seal seal = { .size = sizeof(seal) };
	long m0, m1, m2;
	double t0, t1;

	strcpy(put.name, "data");
	m0 = pgmigrate_success();
	t0 = now_ms();
	if (ioctl(box, FDBOX_PUT_FD, &put))
		die("FDBOX_PUT_FD");
	m1 = pgmigrate_success();
	if (ioctl(box, FDBOX_SEAL, &seal))
		die("FDBOX_SEAL");
	t1 = now_ms();
	m2 = pgmigrate_success();
	migrated_put = m1 - m0;
	migrated_seal = m2 - m1;
	return t1 - t0;
}

/* UNSEAL + GET_FD: the file back out of the box; returns its new fd. */
static int fdbox_take(int box, double *ms)
{
	struct fdbox_unseal un = { .size = sizeof(un) };
	struct fdbox_get_fd get = { .size = sizeof(get), .flags = FDBOX_FD_CLOEXEC };
	double t0, t1;

	strcpy(get.name, "data");
	t0 = now_ms();
	if (ioctl(box, FDBOX_UNSEAL, &un))
		die("FDBOX_UNSEAL");
	if (un.nr_failed)
		die("FDBOX_UNSEAL: %u files failed", un.nr_failed);
	if (ioctl(box, FDBOX_GET_FD, &get))
		die("FDBOX_GET_FD");
	t1 = now_ms();
	if (ms)
		*ms = t1 - t0;
	return get.fd;
}

/* ---- LUO ---- */

static int luo_session(int luo, const struct bcase *c, unsigned long cmd)
{
	struct liveupdate_ioctl_create_session s = { .size = sizeof(s) };

	snprintf((char *)s.name, sizeof(s.name), "bench-%s", c->name);
	if (ioctl(luo, cmd, &s))
		die("LIVEUPDATE session %s", s.name);
	return s.fd;
}

static double luo_preserve(int session, int fd)
{
	struct liveupdate_session_preserve_fd p = {
		.size = sizeof(p), .fd = fd, .token = LUO_TOKEN,
	};
	double t0, t1;

	t0 = now_ms();
	if (ioctl(session, LIVEUPDATE_SESSION_PRESERVE_FD, &p))
		die("LIVEUPDATE_SESSION_PRESERVE_FD");
	t1 = now_ms();
	return t1 - t0;
}

/*
 * LUO sessions must stay open across kexec: fork a child that keeps this
 * process's open files and sleeps until the kexec. Returns its pid.
 */
static pid_t hold_in_child(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		setsid();
		close(0);
		close(1);
		close(2);
		for (;;)
			pause();
	}
	return pid;
}

/* ---- stage 1 ---- */

static void print_json_head(const char *sys, const struct bcase *c, int stage)
{
	printf("BENCH-JSON: {\"stage\":%d,\"case\":\"%s\",\"kind\":\"%s\",\"system\":\"%s\","
	       "\"size_bytes\":%lu,\"written_bytes\":%lu",
	       stage, c->name, kind_name[c->kind], sys, c->size,
	       c->kind == SPARSE ? c->written : c->size);
}

static void print_times(const char *key, const double *v, int n)
{
	int i;

	printf(",\"%s_ms\":%.3f,\"%s_ms_all\":[", key, median(v, n), key);
	for (i = 0; i < n; i++)
		printf("%s%.3f", i ? "," : "", v[i]);
	printf("]");
}

struct pre {
	double ms[MAX_REPS];
	struct meminfo m_create, m_before, m_after;
	long pages, swapped_kib;
	/* Pages migrated at PUT_FD and at SEAL (LUO: at PRESERVE_FD). */
	long migrated_put, migrated_seal;
};

static void print_pre(const char *sys, const struct bcase *c, const struct pre *p,
		      int reps, int meta)
{
	long huge = (p->m_after.shmem_huge - p->m_create.shmem_huge) / 2048;
	long folios;

	/* Huge folios are 2 MiB (PMD) ones; other folios are order 0. */
	if (huge < 0)
		huge = 0;
	if (huge * 512 > p->pages)
		huge = p->pages / 512;
	folios = huge + (p->pages - huge * 512);
	print_json_head(sys, c, 1);
	print_times("preserve", p->ms, reps);
	printf(",\"reps\":%d,\"memfree_before_kib\":%ld,\"memfree_after_kib\":%ld,"
	       "\"shmem_before_kib\":%ld,\"shmem_after_kib\":%ld,"
	       "\"shmem_huge_after_kib\":%ld,\"swapped_before_kib\":%ld,"
	       "\"pages_preserved\":%ld,\"huge_folios\":%ld,\"folios\":%ld,"
	       "\"meta_bytes_per_folio\":%d,\"meta_bytes\":%ld,"
	       "\"migrated_put_pages\":%ld,\"migrated_seal_pages\":%ld}\n",
	       reps, p->m_before.memfree, p->m_after.memfree,
	       p->m_before.shmem, p->m_after.shmem, p->m_after.shmem_huge,
	       p->swapped_kib, p->pages, huge, folios, meta, folios * meta,
	       p->migrated_put, p->migrated_seal);
	fflush(stdout);
}

/*
 * One repetition for one system: a fresh memfd with the case's bytes (so every
 * repetition is a cold one: no folio already migrated out of the KHO scratch
 * areas, no hole already filled), paged out by half for "swap", preserved.
 * All but the last repetition are undone and freed at once.
 */
static void preserve_once(int sys, const struct bcase *c, int ctl, int luo, int r,
			  int last, struct pre *p, int *sessionp)
{
	struct meminfo m;
	int fd, box = -1, sfd = -1;

	drop_caches();
	if (r == 0)
		meminfo(&p->m_create);
	fd = make_memfd(c, sys ? "luo" : "fdbox");
	if (c->kind == SWAP)
		page_out_half(fd, c);
	if (sys)
		sfd = luo_session(luo, c, LIVEUPDATE_IOCTL_CREATE_SESSION);
	else
		box = box_open(ctl, c, r == 0);
	meminfo(&m);
	if (r == 0) {
		p->m_before = m;
		p->swapped_kib = m.swaptotal - m.swapfree;
	}
	migrated_put = migrated_seal = 0;
	if (sys) {
		long m0 = pgmigrate_success();

		p->ms[r] = luo_preserve(sfd, fd);
		migrated_seal = pgmigrate_success() - m0;
	} else {
		p->ms[r] = fdbox_preserve(box, fd);
	}
	if (r == 0) {
		p->migrated_put = migrated_put;
		p->migrated_seal = migrated_seal;
		meminfo(&p->m_after);
		p->pages = resident_pages(fd, c->size);
		if (p->pages < 0)	/* no mapping of a frozen file: Shmem delta */
			p->pages = (p->m_after.shmem - p->m_create.shmem) / 4;
	}
	if (!last) {
		if (sys) {
			close(sfd);	/* unpreserves the file */
		} else {
			int got = fdbox_take(box, NULL);

			close(got);
		}
	}
	if (sys && last)
		*sessionp = sfd;
	if (box >= 0)
		close(box);
	close(fd);
}

static void stage1(int reps, struct bcase *cases, int n)
{
	int ctl, luo, i, r, k, sessions[MAX_CASES];
	pid_t pid;

	ctl = open("/dev/fdbox/fdbox", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		die("open /dev/fdbox/fdbox");
	luo = open("/dev/liveupdate", O_RDWR | O_CLOEXEC);
	if (luo < 0)
		die("open /dev/liveupdate");

	for (i = 0; i < n; i++) {
		struct bcase *c = &cases[i];
		struct pre p[2];

		memset(p, 0, sizeof(p));
		/* Systems interleaved, the first one alternating per repetition. */
		for (r = 0; r < reps; r++)
			for (k = 0; k < 2; k++) {
				int sys = (r + k + i) % 2;

				preserve_once(sys, c, ctl, luo, r, r == reps - 1,
					      &p[sys], &sessions[i]);
			}
		print_pre("fdbox", c, &p[0], reps, FDBOX_META_PER_FOLIO);
		print_pre("luo", c, &p[1], reps, LUO_META_PER_FOLIO);
	}
	close(ctl);
	close(luo);

	pid = hold_in_child();
	for (i = 0; i < n; i++)
		close(sessions[i]);
	printf("BENCH: stage 1 done, LUO sessions held by pid %d\n", pid);
}

/* ---- stage 2 ---- */

/* Touch one byte per page; returns ms. Then check a sample of pages. */
static double first_read(int fd, const struct bcase *c, long *checked, long *bad)
{
	unsigned long off, w, data = c->kind == SPARSE ? c->written : c->size;
	unsigned long npages = c->size / PAGE, step, pg;
	volatile const char *v;
	const uint64_t *q;
	struct stat st;
	double t0, t1;
	char *m;

	*checked = *bad = 0;
	if (fstat(fd, &st) || (unsigned long)st.st_size != c->size)
		*bad = 1;	/* the size must come back too */
	if (!c->size)		/* the empty file: fixed costs only */
		return 0;
	m = mmap(NULL, c->size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap restored file");
	v = m;
	t0 = now_ms();
	for (off = 0; off < c->size; off += PAGE)
		(void)v[off];
	t1 = now_ms();

	/* About 4096 pages spread over the file, and the last one. */
	step = npages / 4096 ? npages / 4096 : 1;
	for (pg = 0; pg < npages; pg = pg + step < npages || pg == npages - 1 ?
	     pg + step : npages - 1) {
		off = pg * PAGE;
		q = (const uint64_t *)(m + off);
		for (w = 0; w < PAGE / 8; w++) {
			uint64_t want = off < data ? want_word(off + w * 8) : 0;

			if (q[w] != want) {
				(*bad)++;
				break;
			}
		}
		(*checked)++;
	}
	munmap(m, c->size);
	return t1 - t0;
}

static void print_post(const char *sys, const struct bcase *c, double restore,
		       double read, const struct meminfo *m0, const struct meminfo *m1,
		       const struct meminfo *m2, long checked, long bad)
{
	print_json_head(sys, c, 2);
	printf(",\"restore_ms\":%.3f,\"first_read_ms\":%.3f,"
	       "\"memfree_before_restore_kib\":%ld,\"memfree_after_restore_kib\":%ld,"
	       "\"memfree_after_read_kib\":%ld,\"shmem_after_restore_kib\":%ld,"
	       "\"shmem_after_read_kib\":%ld,\"pages_checked\":%ld,\"pages_bad\":%ld,"
	       "\"check\":\"%s\"}\n",
	       restore, read, m0->memfree, m1->memfree, m2->memfree, m1->shmem,
	       m2->shmem, checked, bad, bad ? "FAIL" : "ok");
	printf("%s - bench %s %s content of %ld sampled pages\n", bad ? "not ok" : "ok",
	       c->name, sys, checked);
	fflush(stdout);
}

static int stage2(struct bcase *cases, int n)
{
	int ctl, luo, i, failed = 0;

	ctl = open("/dev/fdbox/fdbox", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		die("open /dev/fdbox/fdbox");
	luo = open("/dev/liveupdate", O_RDWR | O_CLOEXEC);
	if (luo < 0)
		die("open /dev/liveupdate");

	for (i = 0; i < n; i++) {
		struct bcase *c = &cases[i];
		struct fdbox_delete_box del = { .size = sizeof(del) };
		struct liveupdate_session_retrieve_fd rf = {
			.size = sizeof(rf), .token = LUO_TOKEN,
		};
		struct liveupdate_session_finish fin = { .size = sizeof(fin) };
		struct meminfo m0, m1, m2;
		long checked, bad;
		double ms, rd, t0;
		int box, fd, sfd = -1;

		/* FDBox: UNSEAL + GET_FD */
		box = box_open(ctl, c, 0);
		meminfo(&m0);
		fd = fdbox_take(box, &ms);
		meminfo(&m1);
		rd = first_read(fd, c, &checked, &bad);
		meminfo(&m2);
		print_post("fdbox", c, ms, rd, &m0, &m1, &m2, checked, bad);
		failed |= !!bad;
		close(fd);
		close(box);
		box_name(del.name, sizeof(del.name), c);
		if (ioctl(ctl, FDBOX_DELETE_BOX, &del))
			die("FDBOX_DELETE_BOX");

		/* LUO: RETRIEVE_FD */
		sfd = luo_session(luo, c, LIVEUPDATE_IOCTL_RETRIEVE_SESSION);
		meminfo(&m0);
		t0 = now_ms();
		if (ioctl(sfd, LIVEUPDATE_SESSION_RETRIEVE_FD, &rf))
			die("LIVEUPDATE_SESSION_RETRIEVE_FD");
		ms = now_ms() - t0;
		fd = rf.fd;
		meminfo(&m1);
		rd = first_read(fd, c, &checked, &bad);
		meminfo(&m2);
		print_post("luo", c, ms, rd, &m0, &m1, &m2, checked, bad);
		failed |= !!bad;
		if (ioctl(sfd, LIVEUPDATE_SESSION_FINISH, &fin))
			die("LIVEUPDATE_SESSION_FINISH");
		close(fd);
		close(sfd);
	}
	close(ctl);
	close(luo);
	return failed;
}

/* ---- boot cost ---- */

static int seal_only(const struct bcase *c)
{
	struct meminfo m0, m1;
	int ctl, box, fd;
	double ms;

	ctl = open("/dev/fdbox/fdbox", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		die("open /dev/fdbox/fdbox");
	fd = make_memfd(c, "boot");
	box = box_open(ctl, c, 1);
	meminfo(&m0);
	ms = fdbox_preserve(box, fd);
	meminfo(&m1);
	printf("BENCH-SEAL: {\"case\":\"%s\",\"kind\":\"%s\",\"size_bytes\":%lu,"
	       "\"preserve_ms\":%.3f,\"shmem_kib\":%ld,\"shmem_huge_kib\":%ld}\n",
	       c->name, kind_name[c->kind], c->size, ms, m1.shmem,
	       m1.shmem_huge);
	close(box);
	close(fd);
	close(ctl);
	return 0;
}

static int drop_box(const struct bcase *c)
{
	struct fdbox_delete_box del = { .size = sizeof(del) };
	struct meminfo m0, m1;
	double t0, ms;
	int ctl;

	ctl = open("/dev/fdbox/fdbox", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		die("open /dev/fdbox/fdbox");
	box_name(del.name, sizeof(del.name), c);
	meminfo(&m0);
	t0 = now_ms();
	if (ioctl(ctl, FDBOX_DELETE_BOX, &del))
		die("FDBOX_DELETE_BOX %s", del.name);
	ms = now_ms() - t0;
	meminfo(&m1);
	printf("BENCH-DROP: {\"case\":\"%s\",\"discard_ms\":%.3f,"
	       "\"memfree_gain_kib\":%ld}\n", c->name, ms,
	       m1.memfree - m0.memfree);
	close(ctl);
	return 0;
}

static int luo_seal_only(const struct bcase *c)
{
	struct meminfo m1;
	int luo, sfd, fd;
	double ms;

	luo = open("/dev/liveupdate", O_RDWR | O_CLOEXEC);
	if (luo < 0)
		die("open /dev/liveupdate");
	fd = make_memfd(c, "boot");
	sfd = luo_session(luo, c, LIVEUPDATE_IOCTL_CREATE_SESSION);
	ms = luo_preserve(sfd, fd);
	meminfo(&m1);
	printf("BENCH-SEAL: {\"case\":\"%s\",\"kind\":\"%s\",\"size_bytes\":%lu,"
	       "\"preserve_ms\":%.3f,\"shmem_kib\":%ld,\"shmem_huge_kib\":%ld}\n",
	       c->name, kind_name[c->kind], c->size, ms, m1.shmem,
	       m1.shmem_huge);
	hold_in_child();
	close(sfd);
	close(fd);
	close(luo);
	return 0;
}

static int luo_drop(const struct bcase *c)
{
	struct liveupdate_session_retrieve_fd rf = {
		.size = sizeof(rf), .token = LUO_TOKEN,
	};
	struct liveupdate_session_finish fin = { .size = sizeof(fin) };
	struct meminfo m0, m1;
	double t0, ms;
	int luo, sfd;

	luo = open("/dev/liveupdate", O_RDWR | O_CLOEXEC);
	if (luo < 0)
		die("open /dev/liveupdate");
	sfd = luo_session(luo, c, LIVEUPDATE_IOCTL_RETRIEVE_SESSION);
	meminfo(&m0);
	t0 = now_ms();
	if (ioctl(sfd, LIVEUPDATE_SESSION_RETRIEVE_FD, &rf))
		die("LIVEUPDATE_SESSION_RETRIEVE_FD");
	if (ioctl(sfd, LIVEUPDATE_SESSION_FINISH, &fin))
		die("LIVEUPDATE_SESSION_FINISH");
	close(rf.fd);
	close(sfd);
	ms = now_ms() - t0;
	meminfo(&m1);
	printf("BENCH-DROP: {\"case\":\"%s\",\"discard_ms\":%.3f,"
	       "\"memfree_gain_kib\":%ld}\n", c->name, ms,
	       m1.memfree - m0.memfree);
	close(luo);
	return 0;
}

/* ---- scale: many files in one box, many boxes, SEAL beside other boxes ---- */

#define SCALE_MAX	10000

/* The word at the start of file I of a scale run of N (content check). */
static uint64_t scale_word(int n, int i)
{
	return 0x5ca1e00000000000ULL | (uint64_t)n << 20 | i;
}

static int scale_memfd(int n, int i)
{
	uint64_t w = scale_word(n, i);
	int fd = memfd_create("scale", MFD_CLOEXEC);

	if (fd < 0)
		die("memfd_create");
	if (pwrite(fd, &w, sizeof(w), 0) != sizeof(w))
		die("pwrite");
	return fd;
}

static int scale_check(int fd, int n, int i)
{
	uint64_t w = 0;

	return pread(fd, &w, sizeof(w), 0) == sizeof(w) && w == scale_word(n, i);
}

/* LUO and FDBox both keep one descriptor open per session or box. */
static void raise_nofile(void)
{
	struct rlimit r = { .rlim_cur = 4 * SCALE_MAX, .rlim_max = 4 * SCALE_MAX };

	if (setrlimit(RLIMIT_NOFILE, &r))
		die("setrlimit(RLIMIT_NOFILE)");
}

static int ctl_open(void)
{
	int ctl = open("/dev/fdbox/fdbox", O_RDWR | O_CLOEXEC);

	if (ctl < 0)
		die("open /dev/fdbox/fdbox");
	return ctl;
}

static int box_create_open(int ctl, const char *name)
{
	struct fdbox_create_box cb = { .size = sizeof(cb) };
	char path[FDBOX_NAME_MAX + 16];
	int fd;

	snprintf(cb.name, sizeof(cb.name), "%s", name);
	if (ioctl(ctl, FDBOX_CREATE_BOX, &cb))
		die("FDBOX_CREATE_BOX %s", name);
	snprintf(path, sizeof(path), "/dev/fdbox/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open %s", path);
	return fd;
}

static void box_delete(int ctl, const char *name)
{
	struct fdbox_delete_box del = { .size = sizeof(del) };

	snprintf(del.name, sizeof(del.name), "%s", name);
	if (ioctl(ctl, FDBOX_DELETE_BOX, &del))
		die("FDBOX_DELETE_BOX %s", name);
}

/* Time one PUT_FD of a fresh one-page memfd named NAME; closes the memfd. */
static double scale_put(int box, const char *name, int n, int i)
{
	struct fdbox_put_fd put = { .size = sizeof(put) };
	double t0;

	put.fd = scale_memfd(n, i);
	snprintf(put.name, sizeof(put.name), "%s", name);
	t0 = now_ms();
	if (ioctl(box, FDBOX_PUT_FD, &put))
		die("FDBOX_PUT_FD %s", name);
	t0 = now_ms() - t0;
	close(put.fd);
	return t0;
}

static double scale_seal(int box)
{
	struct fdbox_seal seal = { .size = sizeof(seal) };
	double t0 = now_ms();

	if (ioctl(box, FDBOX_SEAL, &seal))
		die("FDBOX_SEAL");
	return now_ms() - t0;
}

/*
 * The LUO session of file @i of a scale run (one session "scale" for the
 * files layout, "scale-%05d" per file for boxes), created or retrieved with
 * @cmd when file @i starts a session; its fd in *@s. Returns 0 or an errno.
 */
static int scale_session(int luo, unsigned long cmd, int files, int i, int *s)
{
	struct liveupdate_ioctl_create_session cs = { .size = sizeof(cs) };

	if (files && i)
		return 0;
	snprintf((char *)cs.name, sizeof(cs.name),
		 files ? "scale" : "scale-%05d", i);
	if (ioctl(luo, cmd, &cs))
		return errno;
	*s = cs.fd;
	return 0;
}

/*
 * LAYOUT files: one box (session) of N files; boxes: N boxes (sessions) of
 * one file each. Both systems, then a child holds the LUO sessions until the
 * kexec. LUO failures (its own limits) are reported, not fatal.
 */
static int scale_seal_run(const char *sys, const char *layout, int n)
{
	int files = !strcmp(layout, "files"), ctl, luo, box = -1, s = -1, i;
	double put = 0, seal = 0, pres = 0;
	char name[FDBOX_NAME_MAX];
	long migrated = pgmigrate_success();
	int luo_err = 0;

	if (n < 1 || n > SCALE_MAX)
		die("scale: 1..%d", SCALE_MAX);
	raise_nofile();
	ctl = ctl_open();
	for (i = 0; strcmp(sys, "luo") && i < n; i++) {
		if (files) {
			if (!i)
				box = box_create_open(ctl, "scale");
			snprintf(name, sizeof(name), "f%05d", i);
			put += scale_put(box, name, n, i);
			if (i == n - 1)
				seal += scale_seal(box);
		} else {
			snprintf(name, sizeof(name), "scale-%05d", i);
			box = box_create_open(ctl, name);
			put += scale_put(box, "data", n, i);
			seal += scale_seal(box);
			close(box);
		}
	}
	if (strcmp(sys, "luo"))
		printf("BENCH-SCALE: {\"layout\":\"%s\",\"n\":%d,\"system\":\"fdbox\",\"put_us_per_file\":%.2f,"
		       "\"seal_ms\":%.3f,\"seal_us_per_file\":%.2f,\"migrated\":%ld}\n",
		       layout, n, put * 1000 / n, seal, seal * 1000 / n,
		       pgmigrate_success() - migrated);
	if (!strcmp(sys, "fdbox"))
		return 0;

	luo = open("/dev/liveupdate", O_RDWR | O_CLOEXEC);
	if (luo < 0)
		die("open /dev/liveupdate");
	for (i = 0; i < n && !luo_err; i++) {
		struct liveupdate_session_preserve_fd p = {
			.size = sizeof(p), .token = files ? i + 1 : LUO_TOKEN,
		};
		double t0;

		luo_err = scale_session(luo, LIVEUPDATE_IOCTL_CREATE_SESSION,
					files, i, &s);
		if (luo_err)
			break;
		p.fd = scale_memfd(n, i);
		t0 = now_ms();
		if (ioctl(s, LIVEUPDATE_SESSION_PRESERVE_FD, &p))
			luo_err = errno;
		pres += now_ms() - t0;
		close(p.fd);
	}
	if (luo_err)
		printf("BENCH-SCALE: {\"layout\":\"%s\",\"n\":%d,\"system\":\"luo\",\"error\":\"%s at file %d\"}\n",
		       layout, n, strerror(luo_err), i);
	else
		printf("BENCH-SCALE: {\"layout\":\"%s\",\"n\":%d,\"system\":\"luo\",\"put_us_per_file\":%.2f,"
		       "\"seal_ms\":0,\"seal_us_per_file\":0}\n", layout, n, pres * 1000 / n);
	hold_in_child();
	return 0;
}

/* After the kexec: take every file back, check it, free everything. */
static int scale_restore_run(const char *sys, const char *layout, int n)
{
	int files = !strcmp(layout, "files"), ctl, luo, box, s = -1, i, bad = 0;
	double unseal = 0, get = 0, t0, ret = 0;
	char name[FDBOX_NAME_MAX], path[FDBOX_NAME_MAX + 16];
	int luo_err = 0;

	raise_nofile();
	ctl = ctl_open();
	box = -1;
	for (i = 0; strcmp(sys, "luo") && i < n; i++) {
		struct fdbox_unseal un = { .size = sizeof(un) };
		struct fdbox_get_fd g = { .size = sizeof(g), .flags = FDBOX_FD_CLOEXEC };

		if (!files || !i) {
			snprintf(name, sizeof(name), files ? "scale" : "scale-%05d", i);
			snprintf(path, sizeof(path), "/dev/fdbox/%s", name);
			box = open(path, O_RDWR | O_CLOEXEC);
			if (box < 0)
				die("open %s", path);
			t0 = now_ms();
			if (ioctl(box, FDBOX_UNSEAL, &un) || un.nr_failed)
				die("FDBOX_UNSEAL %s (%u failed)", name, un.nr_failed);
			unseal += now_ms() - t0;
		}
		if (files)
			snprintf(g.name, sizeof(g.name), "f%05d", i);
		else
			strcpy(g.name, "data");
		t0 = now_ms();
		if (ioctl(box, FDBOX_GET_FD, &g))
			die("FDBOX_GET_FD %s", g.name);
		get += now_ms() - t0;
		bad += !scale_check(g.fd, n, i);
		close(g.fd);
		if (!files || i == n - 1) {
			close(box);
			box_delete(ctl, name);
		}
	}
	if (strcmp(sys, "luo"))
		printf("BENCH-SCALE: {\"layout\":\"%s\",\"n\":%d,\"system\":\"fdbox\",\"unseal_ms\":%.3f,"
		       "\"get_us_per_file\":%.2f,\"restore_us_per_file\":%.2f,\"bad\":%d}\n",
		       layout, n, unseal, get * 1000 / n, (unseal + get) * 1000 / n, bad);
	if (!strcmp(sys, "fdbox"))
		return 0;

	luo = open("/dev/liveupdate", O_RDWR | O_CLOEXEC);
	if (luo < 0)
		die("open /dev/liveupdate");
	bad = 0;
	for (i = 0; i < n && !luo_err; i++) {
		struct liveupdate_session_retrieve_fd r = {
			.size = sizeof(r), .token = files ? i + 1 : LUO_TOKEN,
		};
		struct liveupdate_session_finish fin = { .size = sizeof(fin) };

		t0 = now_ms();
		luo_err = scale_session(luo, LIVEUPDATE_IOCTL_RETRIEVE_SESSION,
					files, i, &s);
		if (luo_err)
			break;
		if (ioctl(s, LIVEUPDATE_SESSION_RETRIEVE_FD, &r)) {
			luo_err = errno;
			break;
		}
		if ((!files || i == n - 1) && ioctl(s, LIVEUPDATE_SESSION_FINISH, &fin))
			luo_err = errno;
		ret += now_ms() - t0;
		bad += !scale_check(r.fd, n, i);
		close(r.fd);
		if (!files || i == n - 1)
			close(s);
	}
	if (luo_err)
		printf("BENCH-SCALE: {\"layout\":\"%s\",\"n\":%d,\"system\":\"luo\",\"error\":\"%s at file %d\"}\n",
		       layout, n, strerror(luo_err), i);
	else
		printf("BENCH-SCALE: {\"layout\":\"%s\",\"n\":%d,\"system\":\"luo\",\"unseal_ms\":0,"
		       "\"get_us_per_file\":%.2f,\"restore_us_per_file\":%.2f,\"bad\":%d}\n",
		       layout, n, ret * 1000 / n, ret * 1000 / n, bad);
	close(luo);
	close(ctl);
	return 0;
}

/*
 * SEAL of one box of one file (FDBox), PRESERVE_FD of one file into a new
 * session (LUO), while M other sealed boxes (sessions with one preserved
 * file) exist, for each M given (increasing). Median of 5; all freed at the
 * end.
 */
static int seal_others(int argc, char **argv)
{
	static int other_sess[SCALE_MAX];
	int ctl, luo, have = 0, a, r, m, i;
	char name[FDBOX_NAME_MAX];

	raise_nofile();
	ctl = ctl_open();
	luo = open("/dev/liveupdate", O_RDWR | O_CLOEXEC);
	if (luo < 0)
		die("open /dev/liveupdate");
	for (a = 0; a < argc; a++) {
		double fv[5], lv[5];

		m = atoi(argv[a]);
		if (m < have || m > SCALE_MAX)
			die("seal-others: increasing counts up to %d", SCALE_MAX);
		for (; have < m; have++) {
			struct liveupdate_ioctl_create_session cs = { .size = sizeof(cs) };
			struct liveupdate_session_preserve_fd p = {
				.size = sizeof(p), .token = LUO_TOKEN,
			};
			int box;

			snprintf(name, sizeof(name), "other-%05d", have);
			box = box_create_open(ctl, name);
			scale_put(box, "data", 0, have);
			scale_seal(box);
			close(box);
			snprintf((char *)cs.name, sizeof(cs.name), "other-%05d", have);
			if (ioctl(luo, LIVEUPDATE_IOCTL_CREATE_SESSION, &cs))
				die("LUO create session %d", have);
			p.fd = scale_memfd(0, have);
			if (ioctl(cs.fd, LIVEUPDATE_SESSION_PRESERVE_FD, &p))
				die("LUO preserve %d", have);
			close(p.fd);
			other_sess[have] = cs.fd;
		}
		for (r = 0; r < 5; r++) {
			struct liveupdate_ioctl_create_session cs = { .size = sizeof(cs) };
			struct liveupdate_session_preserve_fd p = {
				.size = sizeof(p), .token = LUO_TOKEN,
			};
			int box = box_create_open(ctl, "probe");
			double t0;

			scale_put(box, "data", 1, r);
			fv[r] = scale_seal(box);
			close(box);
			box_delete(ctl, "probe");
			snprintf((char *)cs.name, sizeof(cs.name), "probe-%d-%d", m, r);
			if (ioctl(luo, LIVEUPDATE_IOCTL_CREATE_SESSION, &cs))
				die("LUO create session probe");
			p.fd = scale_memfd(1, r);
			t0 = now_ms();
			if (ioctl(cs.fd, LIVEUPDATE_SESSION_PRESERVE_FD, &p))
				die("LUO preserve probe");
			lv[r] = now_ms() - t0;
			close(p.fd);
			close(cs.fd);
		}
		printf("BENCH-OTHERS: {\"others\":%d,\"fdbox_seal_ms\":%.4f,\"luo_preserve_ms\":%.4f}\n",
		       m, median(fv, 5), median(lv, 5));
	}
	for (i = 0; i < have; i++) {
		snprintf(name, sizeof(name), "other-%05d", i);
		box_delete(ctl, name);
		close(other_sess[i]);
	}
	close(luo);
	close(ctl);
	return 0;
}

/* ---- micro: the cost of each ioctl, many repetitions ---- */

#define MICRO_MAX	201

static double median_n(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Each ioctl of one preservation, REPS times on the same memfd (so that
 * after the first round nothing lies in scratch any more): FDBox PUT_FD,
 * SEAL, UNSEAL (a box of this kernel: its files thawed) and GET_FD; LUO
 * PRESERVE_FD into a new session and the unpreserve of closing it; and an
 * ioctl that fails at once (-ENOTTY), the floor of a system call. Medians
 * in microseconds.
 */
static int micro(int reps, const struct bcase *c)
{
	static double put[MICRO_MAX], seal[MICRO_MAX], unseal[MICRO_MAX],
		get[MICRO_MAX], pres[MICRO_MAX], unpres[MICRO_MAX],
		floor_[MICRO_MAX];
	int ctl, luo, box, fd, lfd, r;
	double t0;

	if (reps < 1 || reps > MICRO_MAX)
		die("micro: 1 to %d repetitions", MICRO_MAX);
	ctl = ctl_open();
	luo = open("/dev/liveupdate", O_RDWR | O_CLOEXEC);
	if (luo < 0)
		die("open /dev/liveupdate");
	box = box_create_open(ctl, "micro");
	fd = make_memfd(c, "fdbox");
	lfd = make_memfd(c, "luo");
	for (r = 0; r < reps; r++) {
		struct fdbox_put_fd p = { .size = sizeof(p), .fd = fd };
		struct fdbox_unseal un = { .size = sizeof(un) };
		struct fdbox_get_fd g = { .size = sizeof(g), .flags = FDBOX_FD_CLOEXEC };
		struct liveupdate_ioctl_create_session cs = { .size = sizeof(cs) };
		struct liveupdate_session_preserve_fd lp = {
			.size = sizeof(lp), .fd = lfd, .token = LUO_TOKEN,
		};

		strcpy(p.name, "data");
		strcpy(g.name, "data");
		t0 = now_ms();
		if (ioctl(box, FDBOX_PUT_FD, &p))
			die("FDBOX_PUT_FD");
		put[r] = now_ms() - t0;
		seal[r] = scale_seal(box);
		t0 = now_ms();
		if (ioctl(box, FDBOX_UNSEAL, &un))
			die("FDBOX_UNSEAL");
		unseal[r] = now_ms() - t0;
		t0 = now_ms();
		if (ioctl(box, FDBOX_GET_FD, &g))
			die("FDBOX_GET_FD");
		get[r] = now_ms() - t0;
		close(fd);
		fd = g.fd;

		snprintf((char *)cs.name, sizeof(cs.name), "micro-%d", r);
		if (ioctl(luo, LIVEUPDATE_IOCTL_CREATE_SESSION, &cs))
			die("LUO create session");
		t0 = now_ms();
		if (ioctl(cs.fd, LIVEUPDATE_SESSION_PRESERVE_FD, &lp))
			die("LIVEUPDATE_SESSION_PRESERVE_FD");
		pres[r] = now_ms() - t0;
		t0 = now_ms();
		close(cs.fd);
		unpres[r] = now_ms() - t0;

		t0 = now_ms();
		if (!ioctl(box, _IO(0xfd, 0xff)) || errno != ENOTTY)
			die("the floor ioctl did not fail with ENOTTY");
		floor_[r] = now_ms() - t0;
	}
	printf("BENCH-MICRO: {\"case\":\"%s\",\"kind\":\"%s\",\"size_mib\":%lu,\"reps\":%d,"
	       "\"fdbox_put_us\":%.1f,\"fdbox_seal_us\":%.1f,\"fdbox_unseal_us\":%.1f,"
	       "\"fdbox_get_us\":%.1f,\"luo_preserve_us\":%.1f,\"luo_unpreserve_us\":%.1f,"
	       "\"floor_us\":%.1f}\n",
	       c->name, kind_name[c->kind], c->size / MIB, reps,
	       median_n(put, reps) * 1e3, median_n(seal, reps) * 1e3,
	       median_n(unseal, reps) * 1e3, median_n(get, reps) * 1e3,
	       median_n(pres, reps) * 1e3, median_n(unpres, reps) * 1e3,
	       median_n(floor_, reps) * 1e3);
	close(fd);
	close(lfd);
	close(box);
	box_delete(ctl, "micro");
	close(luo);
	close(ctl);
	return 0;
}

/* The TSC keeps counting across kexec (under TCG it is the host's). */
static int print_tsc(const char *label)
{
	uint32_t lo, hi;
	struct timespec ts;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	clock_gettime(CLOCK_BOOTTIME, &ts);
	printf("BENCH-TSC: %s %llu %ld.%09ld\n", label,
	       ((unsigned long long)hi << 32) | lo, (long)ts.tv_sec, ts.tv_nsec);
	return 0;
}

static void parse_case(const char *arg, struct bcase *c)
{
	char kind[16];
	unsigned long size = 0, written = 0;
	int k;

	memset(c, 0, sizeof(*c));
	if (sscanf(arg, "%39[^,],%15[^,],%lu,%lu", c->name, kind, &size, &written) < 3)
		die("bad case '%s' (NAME,KIND,SIZE_MIB[,WRITTEN_MIB])", arg);
	for (k = 0; k < 4; k++)
		if (!strcmp(kind, kind_name[k]))
			break;
	if (k == 4)
		die("bad kind '%s'", kind);
	c->kind = k;
	c->size = size * MIB;
	c->written = (k == SPARSE ? written : size) * MIB;
	if ((!c->size && k != DENSE) || c->written > c->size)
		die("bad sizes in '%s'", arg);
}

int main(int argc, char **argv)
{
	struct bcase cases[MAX_CASES];
	int i, n = 0, reps = 0, first;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		goto usage;
	if (!strcmp(argv[1], "tsc"))
		return print_tsc(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "micro")) {
		parse_case(argv[3], &cases[0]);
		return micro(atoi(argv[2]), &cases[0]);
	}
	if (!strcmp(argv[1], "seal-others"))
		return seal_others(argc - 2, argv + 2);
	if (argc == 5 && !strcmp(argv[1], "scale-seal"))
		return scale_seal_run(argv[2], argv[3], atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "scale-restore"))
		return scale_restore_run(argv[2], argv[3], atoi(argv[4]));
	if (!strcmp(argv[1], "seal") || !strcmp(argv[1], "drop") ||
	    !strcmp(argv[1], "luo-seal") || !strcmp(argv[1], "luo-drop")) {
		parse_case(argv[2], &cases[0]);
		if (!strcmp(argv[1], "seal"))
			return seal_only(&cases[0]);
		if (!strcmp(argv[1], "drop"))
			return drop_box(&cases[0]);
		if (!strcmp(argv[1], "luo-seal"))
			return luo_seal_only(&cases[0]);
		return luo_drop(&cases[0]);
	}
	if (!strcmp(argv[1], "stage1")) {
		reps = atoi(argv[2]);
		if (reps < 1 || reps > MAX_REPS)
			goto usage;
		first = 3;
	} else if (!strcmp(argv[1], "stage2")) {
		first = 2;
	} else {
		goto usage;
	}
	for (i = first; i < argc && n < MAX_CASES; i++)
		parse_case(argv[i], &cases[n++]);
	if (reps) {
		stage1(reps, cases, n);
		return 0;
	}
	return stage2(cases, n);
usage:
	fprintf(stderr, "usage: %s stage1 REPS CASE... | stage2 CASE... | seal CASE | drop CASE | luo-seal CASE | luo-drop CASE | scale-seal fdbox|luo|both files|boxes N | scale-restore fdbox|luo|both files|boxes N | seal-others M... | micro REPS CASE | tsc LABEL\n",
		argv[0]);
	return 2;
}
