/*
 * `torture writeback`: the invariant of dirty tracking (no write is ever lost) under load. A thread on
 * every CPU, each in its own mm, maps every test file shared and keeps writing increasing
 * values into the words it owns, while the flusher runs (with a short expiry) and the threads
 * call msync(MS_SYNC) now and then. After a final sync every word on the disk, read past the
 * page cache, must hold the last value written to it. Beside them runs the unmap race
 * (fs/torture/writeback_race.c), and after the run a self-check of the broken variants of dirty
 * tracking (enum dirty_broken in mm/rmap.h), each of which must lose writes.
 */
#ifndef FS_TORTURE_WRITEBACK_TORTURE_H
#define FS_TORTURE_WRITEBACK_TORTURE_H

#include <stdint.h>
#include <stdbool.h>
#include "mm/rmap.h"

/* The unmap race (fs/torture/writeback_race.c), which runs beside the writers of their own mms. */
struct wb_race_result {
	uint64_t rounds, munmaps, mprotects, writes, fsyncs;
	uint64_t lost;		   /* words whose disk copy missed a write, summed over rounds */
	uint64_t lost_rounds;	   /* rounds that lost any */
	uint64_t first_lost_round; /* the round that lost the first */
	uint64_t first_lost_ns;	   /* and when its check found it (ktime_ns) */
	uint64_t errors;	   /* failed calls (the lost words are counted in lost) */
};

struct wb_torture_result {
	uint64_t writes, msyncs, wp_faults, flusher_runs, pages_written;
	uint64_t lost;		/* words whose disk copy is not the last value written */
	uint64_t errors;	/* failed calls, and lost words (of both parts) */
	uint64_t first_lost_ms; /* when the first lost word was found, from the start */
	struct wb_race_result race;
};

/*
 * Runs for ms milliseconds on dev (mounted at /tmp/wbtort). The files are named tag-0, tag-1...
 * and tag-race; they stay on the disk. flags: WB_VERBOSE prints progress and each writer file's
 * checksum for the host's check; WB_RACE_ONLY runs the unmap race alone; WB_STOP_AT_LOSS ends
 * the run once the unmap race has lost a write. 0, or a negative errno when it could not start.
 */
#define WB_VERBOSE	1u
#define WB_RACE_ONLY	2u
#define WB_STOP_AT_LOSS 4u
int writeback_torture_run(unsigned int ms, const char *dev, const char *tag, unsigned int flags,
			  struct wb_torture_result *r);

/* Turns the delay points of the unmap race on (us > 0: each wait, rounded up to ticks) or off. */
void writeback_torture_widen(unsigned int us);
/* A run of ms on vda (files wbb-*) with dirty tracking broken the way v says (mm/rmap.h) and the
   windows widened by us: it must lose writes. Returns as writeback_torture_run. */
int writeback_torture_broken(enum dirty_broken v, unsigned int ms, unsigned int us,
			     struct wb_torture_result *r);

/* The unmap race on a file at path (created), until wb_race_stop. 0 or the setup's error. */
int wb_race_start(const char *path);
void wb_race_stop(struct wb_race_result *r);
/* Words the running unmap race has lost so far. */
uint64_t wb_race_lost(void);

/* Reads the file at path from the disk, past the page cache, and counts the words of the first
   `words` that differ from last[] (with verbose, the first few are printed); *fnv is the FNV-1a
   hash of last[]. A failed read counts in *errors. */
uint64_t wb_check_disk(const char *path, const uint64_t *last, unsigned int words, bool verbose,
		       uint64_t *fnv, uint64_t *errors);

#endif
