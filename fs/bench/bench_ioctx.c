/*
 * bench ioctx: the cost of turning an aio context id into a context (Linux 2.6.29, "aio: make
 * the lookup_ioctx() lockless"), and beside it what the change cost io_setup at the aio_max_nr
 * limit. An mm has a list of BENCH_CONTEXTS contexts; each thread looks ids up over and over
 * and drops the reference it got. The list is newest first, so finding the context made k-th walks
 * BENCH_CONTEXTS - k entries. The contexts go in pairs, k and BENCH_CONTEXTS - 1 - k, whose two
 * walks add up to BENCH_CONTEXTS + 1 entries; thread i of T takes the pairs i, i + T, ... So
 * every thread walks the same distance on average at every thread count, and no two threads
 * share a context's reference count (up to BENCH_CONTEXTS / 2 threads): only the
 * synchronisation differs from one run to the next.
 *
 *  - "rcu": lookup_ioctx(), Linux 2.6.29's "after": rcu_read_lock() only disables preemption, and
 *    the only shared line written is the context's own reference count. It should scale.
 *  - "rwlock": lookup_ioctx_rwlock() on an mm attached as Linux 2.6.28's "before"
 *    (IOCTX_RWLOCK, fs/aio_variants.c): every lookup writes the lock word (twice), so the
 *    lock's cache line moves between the CPUs at every lookup.
 *  - "unsync": the same lookup, reference and all, without rcu_read_lock(), and so without
 *    safety against a concurrent io_destroy: the floor. rcu / unsync at 1 CPU is what the
 *    read-side critical section itself costs, which the patch's text says is next to nothing.
 *
 * The aio_nr accounting, "churn-rcu" and "churn-rwlock": each thread owns one context of
 * CHURN_EVENTS events, aio_max_nr leaves room for exactly these, and each operation is an
 * io_destroy followed by an io_setup of the same size. The rwlock "before" frees the context
 * at its io_destroy, so the events are back in aio_nr at once; the lockless "after" gives them
 * back only in the RCU callback, so io_setup finds the limit reached, waits for the pending
 * frees (rcu_barrier) and retries: a grace period per operation. retries= counts those waits.
 */
#include "kernel/bench/bench.h"
#include "fs/aio.h"
#include "mm/mm.h"
#include "kernel/delay_point.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define BENCH_CONTEXTS 8
#define BATCH	       100 /* lookups between looks at the stop flag */
#define CHURN_EVENTS   8   /* events of a churning thread's context */

static struct ioctx_bench {
	struct mm *mm;
	aio_context_t ids[BENCH_CONTEXTS];
	atomic64_t misses;
	/* the churn */
	aio_context_t churn_ids[NR_CPUS];
	unsigned int nr_churn;
	struct aio_stats start;
	atomic64_t errors;
} ioctx_bench;

/* Ends the bench's mm: its last mmput destroys the contexts (exit_aio). */
static void ioctx_bench_put_mm(void)
{
	exit_aio(ioctx_bench.mm);
	ioctx_variants_detach(ioctx_bench.mm);
	mmput(ioctx_bench.mm);
	ioctx_bench.mm = NULL;
}

/* A fresh mm with the variant attached. Returns 0 or -ENOMEM. */
static int ioctx_bench_mm(enum ioctx_variant variant)
{
	ioctx_bench.mm = mm_alloc("bench-ioctx");
	if (!ioctx_bench.mm)
		return -ENOMEM;
	ioctx_variants_attach(ioctx_bench.mm, variant);
	return 0;
}

static int ioctx_setup(enum ioctx_variant variant)
{
	int err = ioctx_bench_mm(variant);

	if (err)
		return err;
	atomic64_set(&ioctx_bench.misses, 0);
	for (int i = 0; i < BENCH_CONTEXTS; i++) {
		int err = io_setup(ioctx_bench.mm, 1, &ioctx_bench.ids[i]);

		if (err) {
			ioctx_bench_put_mm();
			return err;
		}
	}
	return 0;
}

static int setup_rcu(unsigned int nr_threads, void **data)
{
	(void)nr_threads;
	(void)data;
	return ioctx_setup(IOCTX_RCU);
}

static int setup_rwlock(unsigned int nr_threads, void **data)
{
	(void)nr_threads;
	(void)data;
	return ioctx_setup(IOCTX_RWLOCK);
}

static void ioctx_teardown(void *data, char *extra, size_t size)
{
	(void)data;
	ioctx_bench_put_mm();
	/* Wait for the frees, so the next variant's contexts take the same slab slots: every
	   variant then walks the same memory. */
	rcu_barrier();
	snprintf(extra, size, " contexts=%d misses=%lld", BENCH_CONTEXTS,
		 (long long)atomic64_read(&ioctx_bench.misses));
}

/* The floor: lookup_ioctx() line for line, without rcu_read_lock(). Safe here only because
   nothing destroys the bench's contexts while it runs. Compiled like lookup_ioctx(), which is
   in another file: a call, and mm an argument rather than a constant. */
static __noipa struct kioctx *lookup_unsync(struct mm *mm, aio_context_t id)
{
	struct kioctx *ctx, *found = NULL;

	if (unlikely(mm == READ_ONCE(ioctx_rwlock_mm))) /* never here: lookup_ioctx() pays it too */
		return lookup_ioctx_rwlock(mm, id);
	hlist_for_each_entry(ctx, &mm->ioctx_list, list) {
		if (READ_ONCE(ctx->user_id) != id) {
			kioctx_check(ctx);
			continue;
		}
		delay_point(&dp_lookup_ioctx_found); /* off: lookup_ioctx() pays this load too */
		if (kioctx_check(ctx) && !READ_ONCE(ctx->dead) && get_ioctx_live(ctx))
			found = ctx;
		break;
	}
	aio_count_lookup(found); /* bound thread, one per CPU: this CPU's counters stay its own */
	return found;
}

/* The ids thread b looks up, in turn: the pairs of contexts it owns. Returns how many. */
static unsigned int my_ids(const struct bench_thread *b, aio_context_t *ids)
{
	unsigned int n = 0;

	for (unsigned int p = b->index % (BENCH_CONTEXTS / 2); p < BENCH_CONTEXTS / 2;
	     p += b->nr_threads) {
		ids[n++] = ioctx_bench.ids[p];
		ids[n++] = ioctx_bench.ids[BENCH_CONTEXTS - 1 - p];
	}
	return n;
}

/* The lookup each variant measures. */
enum ioctx_lookup_kind {
	LOOKUP_RCU,    /* lookup_ioctx(): Linux 2.6.29 */
	LOOKUP_RWLOCK, /* lookup_ioctx_rwlock(): Linux 2.6.28 */
	LOOKUP_UNSYNC, /* lookup_unsync(): no read-side protection, the floor */
};

static __always_inline uint64_t run_lookups(struct bench_thread *b, enum ioctx_lookup_kind kind)
{
	aio_context_t ids[BENCH_CONTEXTS];
	unsigned int n = my_ids(b, ids), k = 0;
	uint64_t ops = 0, misses = 0;

	while (!READ_ONCE(*b->stop)) {
		for (int i = 0; i < BATCH; i++) {
			aio_context_t id = ids[k];
			struct kioctx *ctx;

			k = k + 1 < n ? k + 1 : 0;

			if (kind == LOOKUP_RCU) {
				ctx = lookup_ioctx(ioctx_bench.mm, id);
				if (ctx)
					put_ioctx(ctx);
			} else if (kind == LOOKUP_RWLOCK) {
				ctx = lookup_ioctx_rwlock(ioctx_bench.mm, id);
				if (ctx)
					put_ioctx(ctx);
			} else {
				ctx = lookup_unsync(ioctx_bench.mm, id);
				if (ctx)
					put_ioctx(ctx);
			}
			misses += !ctx;
		}
		ops += BATCH;
	}
	atomic64_add_return((int64_t)misses, &ioctx_bench.misses);
	return ops;
}

static uint64_t run_rcu(struct bench_thread *b)
{
	return run_lookups(b, LOOKUP_RCU);
}

static uint64_t run_rwlock(struct bench_thread *b)
{
	return run_lookups(b, LOOKUP_RWLOCK);
}

static uint64_t run_unsync(struct bench_thread *b)
{
	return run_lookups(b, LOOKUP_UNSYNC);
}

/* The churn: one context per thread, and aio_max_nr with room for these alone. */
static int churn_setup(enum ioctx_variant variant, unsigned int nr_threads)
{
	int err;

	if (nr_threads > NR_CPUS)
		return -EINVAL;
	rcu_barrier(); /* no free of an earlier run pending: aio_nr is what is live */
	err = ioctx_bench_mm(variant);
	if (err)
		return err;
	ioctx_bench.start = aio_get_stats();
	ioctx_bench.nr_churn = 0;
	atomic64_set(&ioctx_bench.errors, 0);
	aio_set_max_nr(ioctx_bench.start.aio_nr + nr_threads * CHURN_EVENTS);
	for (unsigned int i = 0; i < nr_threads; i++) {
		err = io_setup(ioctx_bench.mm, CHURN_EVENTS, &ioctx_bench.churn_ids[i]);
		if (err) {
			aio_set_max_nr(ioctx_bench.start.aio_max_nr);
			ioctx_bench_put_mm();
			return err;
		}
		ioctx_bench.nr_churn++;
	}
	return 0;
}

static int setup_churn_rcu(unsigned int nr_threads, void **data)
{
	(void)data;
	return churn_setup(IOCTX_RCU, nr_threads);
}

static int setup_churn_rwlock(unsigned int nr_threads, void **data)
{
	(void)data;
	return churn_setup(IOCTX_RWLOCK, nr_threads);
}

/* Destroys this thread's context and sets up another of the same size, until the time is up. */
static uint64_t run_churn(struct bench_thread *b)
{
	aio_context_t *id = &ioctx_bench.churn_ids[b->index];
	uint64_t ops = 0;

	while (!READ_ONCE(*b->stop)) {
		int err = io_destroy(ioctx_bench.mm, *id);

		/* With several threads the lockless "after" can still meet the limit after its
		   one retry: another thread's free queued after our rcu_barrier() began. Counted
		   in eagain=; the thread tries again. */
		if (!err)
			err = io_setup(ioctx_bench.mm, CHURN_EVENTS, id);
		while (err == -EAGAIN && !READ_ONCE(*b->stop))
			err = io_setup(ioctx_bench.mm, CHURN_EVENTS, id);
		if (err) {
			if (err != -EAGAIN)
				atomic64_inc(&ioctx_bench.errors);
			*id = 0; /* the context is gone: stop */
			break;
		}
		ops++;
	}
	return ops;
}

static void churn_teardown(void *data, char *extra, size_t size)
{
	struct aio_stats end = aio_get_stats();

	(void)data;
	aio_set_max_nr(ioctx_bench.start.aio_max_nr);
	ioctx_bench_put_mm();
	rcu_barrier();
	snprintf(extra, size, " events=%d retries=%llu eagain=%llu errors=%lld", CHURN_EVENTS,
		 (unsigned long long)(end.gp_retries - ioctx_bench.start.gp_retries),
		 (unsigned long long)(end.gp_retry_failures - ioctx_bench.start.gp_retry_failures),
		 (long long)atomic64_read(&ioctx_bench.errors));
}

BENCHMARK(ioctx,
	  "aio context lookup: RCU (lockless) vs rwlock vs no read-side protection; "
	  "io_destroy + io_setup at the aio_max_nr limit: RCU vs rwlock",
	  1, {"rcu", setup_rcu, run_rcu, ioctx_teardown},
	  {"unsync", setup_rcu, run_unsync, ioctx_teardown},
	  {"rwlock", setup_rwlock, run_rwlock, ioctx_teardown},
	  {"churn-rcu", setup_churn_rcu, run_churn, churn_teardown},
	  {"churn-rwlock", setup_churn_rwlock, run_churn, churn_teardown});
