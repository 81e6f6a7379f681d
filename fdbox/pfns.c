// SPDX-License-Identifier: GPL-2.0
/*
 * --pfns: prove that a kexec was zero-copy. "save" records the physical page
 * frame numbers of each memfd after SEAL (which may move pages out of the KHO
 * scratch areas first); "restore" compares the restored memfds' frame
 * numbers with that record. Frame numbers come from /proc/self/pagemap,
 * which shows them to CAP_SYS_ADMIN only.
 *
 * The record is text:
 *
 *	fdbox-pfns 1
 *	file NAME PAGES		(NAME with bytes <= ' ', '%' and >= 0x7f as %XX)
 *	PAGE PFN COUNT		(pages PAGE.. are at frames PFN.., one line a run)
 *
 * Copyright (C) 2026 The FDBox developers
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdbox.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define WINDOW_PAGES	65536UL		/* pages mapped at a time */

struct pfn_run {
	uint64_t page;
	uint64_t pfn;
	uint64_t count;
};

struct pfn_file_entry {
	char name[FDBOX_NAME_MAX];
	uint64_t pages;
	struct pfn_run *runs;
	size_t nr_runs;
};

struct pfn_file {
	struct pfn_file_entry *files;
	size_t nr_files;
};

typedef void (*pfn_fn)(void *ctx, uint64_t page, uint64_t pfn);

/* Fault in the pages of @map that are in the page cache, and only those. */
static void populate_resident(char *map, size_t pages, long psize,
			      unsigned char *vec)
{
	size_t i, start;

	if (mincore(map, pages * psize, vec))
		return;
	for (i = 0; i < pages; i++) {
		if (!(vec[i] & 1))
			continue;
		for (start = i; i < pages && (vec[i] & 1); i++)
			;
		if (!madvise(map + start * psize, (i - start) * psize,
			     MADV_POPULATE_READ))
			continue;
		/* Older kernels: touch them one by one. */
		for (; start < i; start++)
			(void)*(volatile char *)(map + start * psize);
	}
}

static int read_full(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? errno : EIO;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* One window of pages of @fd: map it, fault it in, read its frames. */
static int walk_window(int fd, int pagemap, uint64_t first, size_t pages,
		       long psize, pfn_fn fn, void *ctx, uint64_t *zero)
{
	unsigned char *vec = malloc(pages);
	uint64_t *ents = malloc(pages * sizeof(*ents));
	char *map = MAP_FAILED;
	size_t i;
	int err = ENOMEM;

	if (!vec || !ents)
		goto out;
	map = mmap(NULL, pages * psize, PROT_READ, MAP_SHARED, fd,
		   (off_t)(first * psize));
	if (map == MAP_FAILED) {
		err = errno;
		goto out;
	}
	populate_resident(map, pages, psize, vec);
	err = read_full(pagemap, ents, pages * sizeof(*ents),
			(off_t)((uintptr_t)map / psize * sizeof(*ents)));
	if (err)
		goto out;
	for (i = 0; i < pages; i++) {
		if (!(ents[i] & PM_PRESENT))
			continue;
		if (!(ents[i] & PM_PFN_MASK))
			(*zero)++;	/* hidden: not CAP_SYS_ADMIN */
		else
			fn(ctx, first + i, ents[i] & PM_PFN_MASK);
	}
out:
	if (map != MAP_FAILED)
		munmap(map, pages * psize);
	free(vec);
	free(ents);
	return err;
}

/* Call @fn for every page of the memfd @fd that is in memory. */
static int walk_pfns(int fd, pfn_fn fn, void *ctx, uint64_t *npages)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t first, zero = 0;
	struct stat st;
	int pagemap, err = 0;

	if (fstat(fd, &st))
		return errno;
	*npages = ((uint64_t)st.st_size + psize - 1) / psize;
	pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap < 0)
		return errno;
	for (first = 0; first < *npages && !err; first += WINDOW_PAGES) {
		uint64_t left = *npages - first;

		err = walk_window(fd, pagemap, first,
				  left < WINDOW_PAGES ? left : WINDOW_PAGES,
				  psize, fn, ctx, &zero);
	}
	close(pagemap);
	if (!err && zero)
		err = EPERM;	/* frame numbers need CAP_SYS_ADMIN */
	return err;
}

/* ---- save: record ---- */

struct recorder {
	FILE *f;
	struct pfn_run run;
	uint64_t runs;
	uint64_t pages;
};

static void record_flush(struct recorder *r)
{
	if (!r->run.count)
		return;
	fprintf(r->f, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", r->run.page,
		r->run.pfn, r->run.count);
	r->runs++;
}

static void record_page(void *ctx, uint64_t page, uint64_t pfn)
{
	struct recorder *r = ctx;

	r->pages++;
	if (r->run.count && page == r->run.page + r->run.count &&
	    pfn == r->run.pfn + r->run.count) {
		r->run.count++;
		return;
	}
	record_flush(r);
	r->run.page = page;
	r->run.pfn = pfn;
	r->run.count = 1;
}

static void put_encoded(FILE *f, const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++) {
		if (*p <= ' ' || *p == '%' || *p >= 0x7f)
			fprintf(f, "%%%02X", *p);
		else
			fputc(*p, f);
	}
}

void pfns_header(FILE *f)
{
	fputs("fdbox-pfns 1\n", f);
}

/*
 * Append the frames of the memfd @fd, named @name in its box, to @f. Returns
 * 0 or the errno; *@pages and *@runs say what was recorded.
 */
int pfns_record(FILE *f, const char *name, int fd, uint64_t *pages,
		uint64_t *runs)
{
	long psize = sysconf(_SC_PAGESIZE);
	struct recorder r = { .f = f };
	uint64_t npages;
	struct stat st;
	int err;

	if (fstat(fd, &st))
		return errno;
	fputs("file ", f);
	put_encoded(f, name);
	fprintf(f, " %" PRIu64 "\n", ((uint64_t)st.st_size + psize - 1) / psize);
	err = walk_pfns(fd, record_page, &r, &npages);
	record_flush(&r);
	*pages = r.pages;
	*runs = r.runs;
	if (!err && ferror(f))
		err = EIO;
	return err;
}

/* ---- restore: load and compare ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool decode_name(char *dst, const char *src)
{
	size_t n = 0;

	while (*src && n < FDBOX_NAME_MAX - 1) {
		if (*src == '%') {
			int hi = hexval(src[1]), lo = hi < 0 ? -1 : hexval(src[2]);

			if (lo < 0)
				return false;
			dst[n++] = hi << 4 | lo;
			src += 3;
		} else {
			dst[n++] = *src++;
		}
	}
	dst[n] = '\0';
	return !*src && n;
}

static int add_file(struct pfn_file *pf, const char *name, uint64_t pages)
{
	struct pfn_file_entry *e;

	e = realloc(pf->files, (pf->nr_files + 1) * sizeof(*e));
	if (!e)
		return ENOMEM;
	pf->files = e;
	e = &pf->files[pf->nr_files++];
	memset(e, 0, sizeof(*e));
	if (!decode_name(e->name, name))
		return EINVAL;
	e->pages = pages;
	return 0;
}

static int add_run(struct pfn_file_entry *e, const struct pfn_run *run)
{
	struct pfn_run *runs;

	if ((e->nr_runs & (e->nr_runs - 1)) == 0) {	/* 0, 1, 2, 4... */
		runs = realloc(e->runs, (e->nr_runs ? e->nr_runs * 2 : 1) *
					sizeof(*runs));
		if (!runs)
			return ENOMEM;
		e->runs = runs;
	}
	/* Runs are written in page order; anything else is not our file. */
	if (e->nr_runs && run->page < e->runs[e->nr_runs - 1].page +
				      e->runs[e->nr_runs - 1].count)
		return EINVAL;
	e->runs[e->nr_runs++] = *run;
	return 0;
}

void pfns_free(struct pfn_file *pf)
{
	size_t i;

	if (!pf)
		return;
	for (i = 0; i < pf->nr_files; i++)
		free(pf->files[i].runs);
	free(pf->files);
	free(pf);
}

static int parse_line(struct pfn_file *pf, char *line)
{
	char name[4 * FDBOX_NAME_MAX];
	struct pfn_run run;
	uint64_t pages;

	if (sscanf(line, "file %255s %" SCNu64, name, &pages) == 2)
		return add_file(pf, name, pages);
	if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64, &run.page,
		   &run.pfn, &run.count) == 3 && pf->nr_files && run.count)
		return add_run(&pf->files[pf->nr_files - 1], &run);
	return EINVAL;
}

/* Read a record written by save --pfns; NULL and *@err on failure. */
struct pfn_file *pfns_load(const char *path, int *err)
{
	struct pfn_file *pf = calloc(1, sizeof(*pf));
	char line[512];
	FILE *f;

	*err = ENOMEM;
	if (!pf)
		return NULL;
	f = fopen(path, "re");
	if (!f) {
		*err = errno;
		free(pf);
		return NULL;
	}
	*err = 0;
	if (!fgets(line, sizeof(line), f) || strcmp(line, "fdbox-pfns 1\n"))
		*err = EINVAL;
	while (!*err && fgets(line, sizeof(line), f))
		*err = parse_line(pf, line);
	fclose(f);
	if (*err) {
		pfns_free(pf);
		return NULL;
	}
	return pf;
}

struct comparer {
	const struct pfn_file_entry *e;
	size_t ri;		/* run that covers or follows the page */
	uint64_t same;		/* pages on the recorded frame */
	uint64_t other;		/* pages elsewhere, or not recorded */
};

static void compare_page(void *ctx, uint64_t page, uint64_t pfn)
{
	struct comparer *c = ctx;
	const struct pfn_run *run;

	while (c->ri < c->e->nr_runs &&
	       c->e->runs[c->ri].page + c->e->runs[c->ri].count <= page)
		c->ri++;
	run = c->ri < c->e->nr_runs ? &c->e->runs[c->ri] : NULL;
	if (run && run->page <= page && run->pfn + (page - run->page) == pfn)
		c->same++;
	else
		c->other++;
}

/*
 * Compare the frames of the memfd @fd, named @name, with the record. Returns
 * 0 or the errno (ENOENT: not in the record); *@same of *@recorded recorded
 * pages are on the same frames, *@other pages are not.
 */
int pfns_compare(const struct pfn_file *pf, const char *name, int fd,
		 uint64_t *same, uint64_t *recorded, uint64_t *other)
{
	struct comparer c = { .e = NULL };
	uint64_t npages;
	size_t i;
	int err;

	for (i = 0; i < pf->nr_files && !c.e; i++)
		if (!strcmp(pf->files[i].name, name))
			c.e = &pf->files[i];
	if (!c.e)
		return ENOENT;
	err = walk_pfns(fd, compare_page, &c, &npages);
	*recorded = 0;
	for (i = 0; i < c.e->nr_runs; i++)
		*recorded += c.e->runs[i].count;
	*same = c.same;
	*other = c.other;
	return err;
}
