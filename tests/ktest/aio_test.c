/*
 * KTAP suite "aio": the life of aio contexts and their lookup (fs/aio.c). Contexts are set
 * up, found and destroyed; a destroyed context is never found again, by either lookup;
 * aio_nr comes back to where it started; at the aio_max_nr limit io_setup waits for pending
 * frees and succeeds, or fails with -EAGAIN when there are none; an injected allocation
 * failure gives -ENOMEM and changes no count; lookups on every CPU while one CPU creates and
 * destroys tens of thousands of contexts never see a freed context; the last mmput destroys
 * an mm's contexts; the rwlock "before" of Linux 2.6.28 looks up under the read side, frees
 * at io_destroy and gives aio_nr back there, so io_setup at the limit never retries. Requests
 * are in aio_submit_test.c, the waits for them in aio_destroy_test.c, the torture in
 * aio_torture_test.c.
 *
 * Each case gets a fresh mm from the suite's init hook; its exit hook tears it down.
 */
#include "kernel/ktest.h"
#include "tests/ktest/aio_fixture.h"
#include "fs/aio.h"
#include "mm/mm.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "mm/fault_inject.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CHURN_CONTEXTS 20000 /* created and destroyed while the lookups run */
#define CHURN_SLOTS    16    /* contexts live at a time */

static bool settle(void)
{
	return aio_wait_for_frees(2000);
}

static void test_setup_lookup_destroy(struct ktest *t)
{
	struct mm *mm = t->priv;
	aio_context_t id = 0;
	struct kioctx *ctx;

	ASSERT_EQ(t, io_setup(mm, 8, &id), 0);
	EXPECT_NE(t, id, 0u);
	ctx = lookup_ioctx(mm, id);
	ASSERT_NOT_NULL(t, ctx);
	EXPECT_EQ(t, ctx->user_id, id);
	EXPECT_EQ(t, ctx->max_reqs, 8u);
	EXPECT_EQ(t, atomic_read(&ctx->users), 2); /* the list's and ours */
	put_ioctx(ctx);
	EXPECT_EQ(t, atomic_read(&ctx->users), 1);
	EXPECT_EQ(t, io_destroy(mm, id), 0);
}

static void test_lookup_destroyed_fails(struct ktest *t)
{
	struct mm *mm = t->priv;
	struct aio_stats before = aio_get_stats(), after;
	aio_context_t a = 0, b = 0;
	struct mm *other = mm_alloc("ktest-other");
	struct kioctx *ctx;

	ASSERT_EQ(t, io_setup(mm, 4, &a), 0);
	ASSERT_EQ(t, io_setup(mm, 4, &b), 0);
	EXPECT_NE(t, a, b);
	EXPECT_EQ(t, io_destroy(mm, a), 0);
	EXPECT_NULL(t, lookup_ioctx(mm, a));
	EXPECT_NULL(t, lookup_ioctx_rwlock(mm, a));
	EXPECT_EQ(t, io_destroy(mm, a), -EINVAL); /* not twice */
	ctx = lookup_ioctx(mm, b);		  /* its neighbour is still there */
	EXPECT_NOT_NULL(t, ctx);
	if (ctx)
		put_ioctx(ctx);
	/* Another mm does not see this mm's contexts. */
	ASSERT_NOT_NULL(t, other);
	EXPECT_NULL(t, lookup_ioctx(other, b));
	EXPECT_EQ(t, io_destroy(other, b), -EINVAL);
	mmput(other);
	after = aio_get_stats();
	EXPECT_EQ(t, after.lookups - before.lookups, 4u);
	EXPECT_EQ(t, after.lookup_misses - before.lookup_misses, 3u);
}

static void test_setup_bad_nr_events(struct ktest *t)
{
	struct mm *mm = t->priv;
	struct aio_stats before = aio_get_stats();
	aio_context_t id = 0;

	EXPECT_EQ(t, io_setup(mm, 0, &id), -ERANGE);
	EXPECT_EQ(t, io_setup(mm, AIO_MAX_EVENTS + 1, &id), -ERANGE);
	EXPECT_EQ(t, io_setup(mm, 0xffffffffu, &id), -ERANGE);
	EXPECT_EQ(t, id, 0u);
	EXPECT_EQ(t, aio_get_stats().created, before.created);
	EXPECT_EQ(t, io_setup(mm, AIO_MAX_EVENTS, &id), 0); /* the largest is fine */
}

static void test_aio_nr_returns_to_start(struct ktest *t)
{
	struct mm *mm = t->priv;
	static const unsigned int sizes[] = {1, 7, 64, 128, 1000};
	aio_context_t ids[ARRAY_SIZE(sizes)];
	struct aio_stats start, mid, end;
	uint64_t sum = 0;

	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(t, io_setup(mm, sizes[i], &ids[i]), 0);
		sum += sizes[i];
	}
	mid = aio_get_stats();
	EXPECT_EQ(t, mid.aio_nr, start.aio_nr + sum);
	EXPECT_EQ(t, mid.contexts, start.contexts + ARRAY_SIZE(sizes));
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		EXPECT_EQ(t, io_destroy(mm, ids[i]), 0);
	/* Destroyed, but the share comes back only with the free, after a grace period. */
	ASSERT_TRUE(t, settle());
	end = aio_get_stats();
	EXPECT_EQ(t, end.aio_nr, start.aio_nr);
	EXPECT_EQ(t, end.contexts, start.contexts);
	EXPECT_EQ(t, end.created - start.created, ARRAY_SIZE(sizes));
	EXPECT_EQ(t, end.destroyed - start.destroyed, ARRAY_SIZE(sizes));
	EXPECT_EQ(t, end.freed - start.freed, ARRAY_SIZE(sizes));
	EXPECT_EQ(t, end.allocated, start.allocated);
}

/*
 * At the limit with a destroyed context's free still pending, io_setup retries after a grace
 * period and succeeds. The free must still be pending when io_setup checks: destroy and setup
 * follow each other at once, and a grace period takes ticks, but a tick could slip in
 * between; then the retry counter did not move, and the case tries again.
 */
static void test_gp_retry_succeeds_when_frees_pending(struct ktest *t)
{
	struct mm *mm = t->priv;
	struct aio_stats start, s;
	aio_context_t a = 0, b = 0;
	bool retried = false;

	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	aio_set_max_nr(start.aio_nr + 16);
	for (int attempt = 0; attempt < 5 && !retried; attempt++) {
		uint64_t retries;

		if (io_setup(mm, 16, &a) != 0)
			break;
		retries = aio_get_stats().gp_retries;
		EXPECT_EQ(t, io_destroy(mm, a), 0);
		EXPECT_EQ(t, io_setup(mm, 16, &b), 0); /* 16 more would pass the limit */
		retried = aio_get_stats().gp_retries == retries + 1;
		EXPECT_EQ(t, io_destroy(mm, b), 0);
		settle();
	}
	aio_set_max_nr(start.aio_max_nr);
	EXPECT_TRUE(t, retried);
	s = aio_get_stats();
	EXPECT_EQ(t, s.gp_retry_failures, start.gp_retry_failures);
	EXPECT_EQ(t, s.aio_nr, start.aio_nr);
}

/* At the limit with nothing pending, the retry cannot help: -EAGAIN, and nothing changes. */
static void test_gp_retry_fails_with_eagain(struct ktest *t)
{
	struct mm *mm = t->priv;
	struct aio_stats start, s;
	aio_context_t a = 0, b = 0;

	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	aio_set_max_nr(start.aio_nr + 16);
	EXPECT_EQ(t, io_setup(mm, 10, &a), 0);
	EXPECT_EQ(t, io_setup(mm, 10, &b), -EAGAIN);
	EXPECT_EQ(t, io_setup(mm, 6, &b), 0); /* exactly at the limit is fine */
	aio_set_max_nr(start.aio_max_nr);
	s = aio_get_stats();
	EXPECT_EQ(t, s.gp_retries, start.gp_retries + 1);
	EXPECT_EQ(t, s.gp_retry_failures, start.gp_retry_failures + 1);
	EXPECT_EQ(t, s.aio_nr, start.aio_nr + 16);
	EXPECT_EQ(t, s.created, start.created + 2);
}

/* Allocation failure in io_setup (the context, then its ring): -ENOMEM, no count moves. */
static void test_setup_enomem_changes_no_counts(struct ktest *t)
{
	struct mm *mm = t->priv;
	aio_context_t id = 0;

	ASSERT_EQ(t, io_setup(mm, 4, &id), 0); /* the kioctx cache exists from here on */
	ASSERT_EQ(t, io_destroy(mm, id), 0);
	ASSERT_TRUE(t, settle());
	for (unsigned int nth = 1; nth <= 2; nth++) {
		struct aio_stats before = aio_get_stats(), after;
		unsigned long injected = alloc_fail_injected();

		id = 0;
		alloc_fail_inject(nth);
		EXPECT_EQ(t, io_setup(mm, 4, &id), -ENOMEM);
		alloc_fail_cancel();
		after = aio_get_stats();
		EXPECT_EQ(t, alloc_fail_injected(), injected + 1);
		EXPECT_EQ(t, id, 0u);
		EXPECT_EQ(t, after.aio_nr, before.aio_nr);
		EXPECT_EQ(t, after.contexts, before.contexts);
		EXPECT_EQ(t, after.created, before.created);
		EXPECT_EQ(t, after.gp_retries, before.gp_retries);
		EXPECT_EQ(t, after.allocated, before.allocated);
		EXPECT_TRUE(t, hlist_empty(&mm->ioctx_list));
	}
	EXPECT_EQ(t, io_setup(mm, 4, &id), 0); /* and it works again */
}

/*
 * The churn: one thread on CPU 0 destroys and creates contexts in CHURN_SLOTS slots while a
 * reader on every other CPU looks up ids from the slots (and the creator too, between its
 * updates; with one CPU, a reader shares CPU 0 with it). A slot holds id << 1, with bit 0 set
 * once io_destroy of that id has returned: a lookup that starts after that must fail.
 */
struct churn {
	struct mm *mm;
	volatile uint64_t slots[CHURN_SLOTS];
	volatile bool stop;
	atomic64_t lookups, hits, errors, creator_errors;
};

/* Looks up the id in a random slot and checks what it finds; counts in n[0] lookups, in
   n[1] what they found (per thread: shared counters would slow the lookups down). */
static void churn_lookup(struct churn *c, uint32_t *rnd, uint64_t *n)
{
	uint64_t w, id;
	struct kioctx *ctx;

	*rnd ^= *rnd << 13;
	*rnd ^= *rnd >> 17;
	*rnd ^= *rnd << 5;
	w = smp_load_acquire(&c->slots[*rnd % CHURN_SLOTS]);
	id = w >> 1;
	if (!id)
		return;
	ctx = lookup_ioctx(c->mm, id);
	n[0]++;
	if (!ctx)
		return;
	n[1]++;
	if ((w & 1) || ctx->magic != KIOCTX_MAGIC || ctx->user_id != id || ctx->mm != c->mm ||
	    atomic_read(&ctx->users) < 1)
		atomic64_inc(&c->errors);
	put_ioctx(ctx);
}

static int churn_reader(void *arg)
{
	struct churn *c = arg;
	uint32_t rnd = 0x9e3779b9u * (smp_processor_id() + 1);
	uint64_t n[2] = {0, 0};

	while (!READ_ONCE(c->stop))
		churn_lookup(c, &rnd, n);
	atomic64_add_return((int64_t)n[0], &c->lookups);
	atomic64_add_return((int64_t)n[1], &c->hits);
	return 0;
}

static int churn_creator(void *arg)
{
	struct churn *c = arg;
	uint32_t rnd = 12345;
	uint64_t n[2] = {0, 0};

	for (unsigned int i = 0; i < CHURN_CONTEXTS; i++) {
		unsigned int slot = i % CHURN_SLOTS;
		uint64_t w = c->slots[slot];
		aio_context_t id;

		if (w && io_destroy(c->mm, w >> 1) != 0)
			atomic64_inc(&c->creator_errors);
		smp_store_release(&c->slots[slot], w | 1);
		if (io_setup(c->mm, 1 + i % 4, &id) != 0) {
			atomic64_inc(&c->creator_errors);
			continue;
		}
		smp_store_release(&c->slots[slot], id << 1);
		churn_lookup(c, &rnd, n); /* its own CPU looks up too */
	}
	atomic64_add_return((int64_t)n[0], &c->lookups);
	atomic64_add_return((int64_t)n[1], &c->hits);
	return 0;
}

static void test_lookup_every_cpu_while_churning(struct ktest *t)
{
	struct mm *mm = t->priv;
	static struct churn c;
	struct thread *readers[NR_CPUS], *creator;
	struct aio_stats start, end;
	unsigned int cpu, n = 0;

	ASSERT_TRUE(t, settle());
	memset((void *)&c, 0, sizeof(c));
	c.mm = mm;
	start = aio_get_stats();
	creator = kthread_create(churn_creator, &c, "aio-churn");
	ASSERT_NOT_NULL(t, creator);
	kthread_bind(creator, 0);
	for_each_cpu(cpu, &cpu_online_mask) {
		if (cpu == 0 && num_online_cpus() > 1)
			continue;
		readers[n] = kthread_create(churn_reader, &c, "aio-look/%u", cpu);
		if (!readers[n])
			break;
		kthread_bind(readers[n], cpu);
		wake_up_new_thread(readers[n++]);
	}
	wake_up_new_thread(creator);
	EXPECT_EQ(t, kthread_join(creator), 0);
	WRITE_ONCE(c.stop, true);
	while (n--)
		kthread_join(readers[n]);
	for (unsigned int i = 0; i < CHURN_SLOTS; i++)
		if (c.slots[i] && !(c.slots[i] & 1))
			EXPECT_EQ(t, io_destroy(mm, c.slots[i] >> 1), 0);
	EXPECT_TRUE(t, settle());
	end = aio_get_stats();
	ktest_log(t, "%u contexts, %lld lookups, %lld found, %llu gp retries", CHURN_CONTEXTS,
		  (long long)atomic64_read(&c.lookups), (long long)atomic64_read(&c.hits),
		  (unsigned long long)(end.gp_retries - start.gp_retries));
	EXPECT_EQ(t, atomic64_read(&c.errors), 0);
	EXPECT_EQ(t, atomic64_read(&c.creator_errors), 0);
	EXPECT_GT(t, atomic64_read(&c.hits), 0);
	EXPECT_EQ(t, end.created - start.created, (uint64_t)CHURN_CONTEXTS);
	EXPECT_EQ(t, end.freed - start.freed, (uint64_t)CHURN_CONTEXTS);
	EXPECT_EQ(t, end.aio_nr, start.aio_nr);
	/* No freed context was written to: its poison is intact; none leaked. */
	EXPECT_EQ(t, kioctx_poison_damage(), 0u);
	EXPECT_EQ(t, end.allocated, start.allocated);
}

static void test_rwlock_lookup(struct ktest *t)
{
	struct mm *mm = t->priv;
	aio_context_t ids[3];
	struct kioctx *ctx;

	for (int i = 0; i < 3; i++)
		ASSERT_EQ(t, io_setup(mm, 2, &ids[i]), 0);
	for (int i = 0; i < 3; i++) {
		ctx = lookup_ioctx_rwlock(mm, ids[i]);
		ASSERT_NOT_NULL(t, ctx);
		EXPECT_EQ(t, ctx->user_id, ids[i]);
		EXPECT_EQ(t, atomic_read(&ctx->users), 2);
		put_ioctx(ctx);
	}
	EXPECT_EQ(t, io_destroy(mm, ids[1]), 0);
	EXPECT_NULL(t, lookup_ioctx_rwlock(mm, ids[1]));
	ctx = lookup_ioctx_rwlock(mm, ids[2]);
	EXPECT_NOT_NULL(t, ctx);
	if (ctx)
		put_ioctx(ctx);
}

/*
 * The rwlock "before" whole (IOCTX_RWLOCK): lookup_ioctx on its mm goes through the read side
 * (the rwlock lookup's delay point counts the pass), io_destroy frees the context at once, so
 * its events are back in aio_nr when io_destroy returns, and io_setup at the limit fails at
 * once, without the grace-period retry of the lockless version.
 */
static void test_rwlock_before_frees_at_once(struct ktest *t)
{
	struct mm *mm = t->priv;
	struct delay_point *dp = delay_point_find("lookup-rwlock-found");
	struct aio_stats start, s;
	aio_context_t a = 0, b = 0;
	struct kioctx *ctx;

	ASSERT_NOT_NULL(t, dp);
	ioctx_variants_detach(mm); /* the fixture attached it as IOCTX_RCU; it has no context */
	ioctx_variants_attach(mm, IOCTX_RWLOCK);
	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	aio_set_max_nr(start.aio_nr + 16);
	EXPECT_EQ(t, io_setup(mm, 16, &a), 0);
	delay_point_set("lookup-rwlock-found", 1, 1);
	ctx = lookup_ioctx(mm, a);
	delay_point_set("lookup-rwlock-found", 0, 0);
	EXPECT_NOT_NULL(t, ctx);
	if (ctx)
		put_ioctx(ctx);
	EXPECT_EQ(t, atomic64_read(&dp->passes), 1);
	EXPECT_EQ(t, io_destroy(mm, a), 0);
	s = aio_get_stats(); /* no settle: nothing waits for a grace period */
	EXPECT_EQ(t, s.aio_nr, start.aio_nr);
	EXPECT_EQ(t, s.aio_nr_pending, start.aio_nr_pending);
	EXPECT_EQ(t, s.freed_at_once - start.freed_at_once, 1u);
	EXPECT_EQ(t, s.allocated, start.allocated);
	EXPECT_EQ(t, io_setup(mm, 16, &b), 0);	    /* its events were back at once */
	EXPECT_EQ(t, io_setup(mm, 1, &a), -EAGAIN); /* at the limit: no retry */
	s = aio_get_stats();
	aio_set_max_nr(start.aio_max_nr);
	EXPECT_EQ(t, s.gp_retries, start.gp_retries);
	EXPECT_EQ(t, s.gp_retry_failures, start.gp_retry_failures);
	EXPECT_EQ(t, s.aio_nr, start.aio_nr + 16);
}

/* The last mmput destroys every context of its mm (through exit_aio, the hook aio_init gave
   mm/), and their frees give aio_nr back. */
static void test_exit_aio_destroys_all(struct ktest *t)
{
	struct mm *other = mm_alloc("ktest-exit");
	struct aio_stats start, s;
	aio_context_t ids[4];

	ASSERT_NOT_NULL(t, other);
	ASSERT_TRUE(t, settle());
	start = aio_get_stats();
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(t, io_setup(other, 3, &ids[i]), 0);
	mmput(other);
	s = aio_get_stats();
	EXPECT_EQ(t, s.contexts, start.contexts);
	EXPECT_EQ(t, s.destroyed - start.destroyed, 4u);
	EXPECT_TRUE(t, settle());
	EXPECT_EQ(t, aio_get_stats().aio_nr, start.aio_nr);
}

KTEST_SUITE_HOOKS(aio, aio_mm_init, aio_mm_exit, KTEST_CASE(test_setup_lookup_destroy),
		  KTEST_CASE(test_lookup_destroyed_fails), KTEST_CASE(test_setup_bad_nr_events),
		  KTEST_CASE(test_aio_nr_returns_to_start),
		  KTEST_CASE(test_gp_retry_succeeds_when_frees_pending),
		  KTEST_CASE(test_gp_retry_fails_with_eagain),
		  KTEST_CASE(test_setup_enomem_changes_no_counts),
		  KTEST_CASE(test_lookup_every_cpu_while_churning), KTEST_CASE(test_rwlock_lookup),
		  KTEST_CASE(test_rwlock_before_frees_at_once),
		  KTEST_CASE(test_exit_aio_destroys_all));
