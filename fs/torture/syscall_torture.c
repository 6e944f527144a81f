/*
 * `torture syscalls`: the system-call fuzzer (user/syscall_fuzz.c) for the given time, then a
 * leak check. Everything the fuzzed processes took must come back once they are gone: no
 * process, thread, address space or open file more than before, no futex waiter left, and the
 * free pages back to where they were, but for what the fuzzer's own calls legitimately left
 * behind (files it created under random names: page-cache pages and the slab's dentries and
 * inodes; a cache keeps its empty slabs).
 *
 * The fuzzer runs as the shell runs a program (process_spawn), with SYSCALL_FUZZ=yes in its
 * environment, which it needs to start at all.
 *
 * The broken variant exit-keeps-files: do_exit forgets the thread's file table
 * (exit_broken_keep_files in kernel/exit.c): every file a fuzzed process had open stays open,
 * and the check must see nr_files() grow. The fuzzer's processes always have a file or two
 * open (a standard stream they closed and reopened by chance, a file a random open made), so
 * one second catches it.
 */
#include "kernel/torture/torture.h"
#include "kernel/kthread.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "kernel/futex.h"
#include "kernel/sched/sleep.h"
#include "arch/x86_64/tsc.h"
#include "mm/mm.h"
#include "mm/page_alloc.h"
#include "mm/filemap.h"
#include "mm/slab.h"
#include "fs/aio.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define FUZZ_PATH    "/bin/syscall_fuzz"
#define FUZZ_THREADS "4"
#define SETTLE_MS    3000 /* the reaper and RCU finish freeing within this */
#define PAGE_SLACK   64	  /* pages that may stay with the caches (slab, per-CPU lists) */

static const struct torture_broken syscall_broken[] = {
	{"exit-keeps-files", "do_exit keeps the file table: open files leak", false},
	{NULL, NULL, false},
};

struct census {
	unsigned int processes, threads, mms, futex_waiters;
	uint64_t files, free_pages, cache_pages, slab_pages, slab_objects;
};

static struct census take_census(void)
{
	return (struct census){.processes = nr_processes(),
			       .threads = nr_threads(),
			       .mms = nr_mms(),
			       .futex_waiters = futex_waiters(),
			       .files = nr_files(),
			       .free_pages = nr_free_pages(),
			       .cache_pages = nr_pagecache_pages(),
			       .slab_pages = slab_pages(),
			       .slab_objects = slab_objects_in_use()};
}

/* Runs the fuzzer for seconds; its wait status, or a negative errno. */
static int run_fuzzer(unsigned int seconds)
{
	char secs[16];
	const char *argv[] = {FUZZ_PATH, secs, FUZZ_THREADS, NULL};
	const char *envp[] = {"SYSCALL_FUZZ=yes", NULL};
	int pid;

	snprintf(secs, sizeof(secs), "%u", seconds);
	pid = process_spawn(FUZZ_PATH, argv, envp);
	if (pid < 0)
		return pid;
	return kernel_wait(pid, NULL);
}

/* Kills what the fuzzer left behind: a batch whose parent died (a random kill can end the
   fuzzer too) runs on as an orphan, as in Linux, and may sleep for ever. */
static void kill_leftovers(void)
{
	struct process *p;

	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &process_list, all_node)
		if (!strcmp(p->comm, "syscall_fuzz"))
			__process_kill(p, W_EXITCODE(0, SIGKILL));
	spin_unlock(&tasklist_lock);
}

/* Waits for the counts to settle back, then compares: the errors found. */
static long long check(const struct census *before, bool quiet)
{
	struct census after;
	uint64_t end = ktime_ns() + SETTLE_MS * 1000000ULL;
	long long errors = 0;

	kill_leftovers();
	do {
		msleep(50);
		after = take_census();
	} while (ktime_ns() < end && (after.threads != before->threads ||
				      after.files != before->files || after.mms != before->mms));
#define CHECK(field, what)                                                                         \
	if (after.field != before->field) {                                                        \
		errors++;                                                                          \
		if (!quiet)                                                                        \
			kprintf("torture syscalls: %s: %llu before, %llu after\n", what,           \
				(unsigned long long)before->field,                                 \
				(unsigned long long)after.field);                                  \
	}
	CHECK(processes, "processes");
	CHECK(threads, "threads");
	CHECK(mms, "address spaces");
	CHECK(files, "open files");
	CHECK(futex_waiters, "futex waiters");
#undef CHECK
	/* A page is free, in the page cache, or in a slab (the files the fuzzer created under
	   random names stay, with their dentries and inodes, as on Linux; a cache keeps its
	   empty slabs): one that is none of these is a leak, beyond the per-CPU lists' slack. */
	if (after.free_pages + after.cache_pages + after.slab_pages + PAGE_SLACK <
	    before->free_pages + before->cache_pages + before->slab_pages) {
		errors++;
		if (!quiet)
			kprintf("torture syscalls: free + page-cache + slab pages: %llu before, "
				"%llu "
				"after\n",
				(unsigned long long)(before->free_pages + before->cache_pages +
						     before->slab_pages),
				(unsigned long long)(after.free_pages + after.cache_pages +
						     after.slab_pages));
	}
	if (!quiet)
		kprintf("torture syscalls: after: %u processes, %u threads, %u mms, %llu files; "
			"free pages %+lld, page cache %+lld, slab pages %+lld, objects %+lld\n",
			after.processes, after.threads, after.mms, (unsigned long long)after.files,
			(long long)after.free_pages - (long long)before->free_pages,
			(long long)after.cache_pages - (long long)before->cache_pages,
			(long long)after.slab_pages - (long long)before->slab_pages,
			(long long)after.slab_objects - (long long)before->slab_objects);
	return errors;
}

static long long fuzz_and_check(unsigned int seconds, bool quiet)
{
	struct census before;

	aio_workers_start(); /* the pool io_submit starts on first use is not a leak */
	before = take_census();
	int status = run_fuzzer(seconds);

	if (status < 0) {
		kprintf("torture syscalls: %s did not start (%s)\n", FUZZ_PATH, errno_name(status));
		return 1;
	}
	if (status && !quiet)
		kprintf("torture syscalls: the fuzzer ended with status %#x\n", status);
	return check(&before, quiet) + (status != 0);
}

static int run_broken(unsigned int v, unsigned int ms, struct torture_broken_result *r)
{
	uint64_t t0 = ktime_ns();

	(void)v;
	exit_broken_keep_files = true;
	r->errors = fuzz_and_check(ms < 1000 ? 1 : ms / 1000, true);
	exit_broken_keep_files = false;
	r->ms = (ktime_ns() - t0) / 1000000;
	r->first_ms = r->ms;
	return 0;
}

static int syscall_torture(int argc, char **argv)
{
	struct torture_opts o = {.seconds = 5};
	long long errors;
	int not_caught;

	if (torture_parse(argc, argv, &o))
		return -EINVAL;
	if (o.broken)
		return torture_run_broken("syscalls", syscall_broken, o.broken, o.seconds,
					  run_broken);
	kprintf("torture syscalls: %s for %u s, %s threads per batch\n", FUZZ_PATH, o.seconds,
		FUZZ_THREADS);
	errors = fuzz_and_check(o.seconds, false);
	not_caught = torture_self_check("syscalls", syscall_broken, 2000, run_broken);
	torture_verdict_checked("syscalls", false, errors, not_caught);
	return 0;
}

TORTURE_WITH_BROKEN("syscalls", "[--seconds S] [--broken VARIANT]",
		    "the system-call fuzzer /bin/syscall_fuzz, then nothing may have leaked; "
		    "then the broken variant",
		    syscall_torture, syscall_broken);
