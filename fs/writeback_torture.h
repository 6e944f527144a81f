/*
 * `torture writeback`: the seed's invariant (no write is ever lost) under load. A thread on
 * every CPU, each in its own mm, maps every test file shared and keeps writing increasing
 * values into the words it owns, while the flusher runs (with a short expiry) and the threads
 * call msync(MS_SYNC) now and then. After a final sync every word on the disk, read past the
 * page cache, must hold the last value written to it.
 */
#ifndef FS_WRITEBACK_TORTURE_H
#define FS_WRITEBACK_TORTURE_H

#include <stdint.h>
#include <stdbool.h>

struct wb_torture_result {
	uint64_t writes, msyncs, wp_faults, flusher_runs, pages_written;
	uint64_t lost;	 /* words whose disk copy is not the last value written */
	uint64_t errors; /* failed calls, and lost words */
};

/* Runs for seconds on dev (mounted at /tmp/wbtort, left there as files /wbt-N with a checksum
   printed for the host check when verbose). 0, or a negative errno when it could not start. */
int writeback_torture_run(unsigned int seconds, const char *dev, bool verbose,
			  struct wb_torture_result *r);

#endif
