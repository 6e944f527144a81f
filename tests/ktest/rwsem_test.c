/*
 * KTAP suite "rwsem": sleeping reader-writer locks (kernel/locking/rwsem.h), the lock behind
 * mmap_lock and i_rwsem. Readers share it, a writer excludes everyone and may sleep inside, a
 * waiting writer keeps new readers out, the uncontended paths leave no trace in the slow-path
 * fields, and threads on every CPU mixing both sides never see a reader and a writer inside
 * together.
 */
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/locking/rwsem.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"

#define WAIT_TRIES 2000 /* of 1 ms: a bound for a broken lock, not a timing test */

/* A thread that takes one side of sem, says so, and holds it until told to leave. */
struct holder {
	struct rw_semaphore *sem;
	bool write;  /* the write side, else the read side */
	int inside;  /* it got in */
	int release; /* it may leave */
};

/* Polls *flag for up to WAIT_TRIES ms; returns whether it was set. */
static bool wait_flag(const int *flag)
{
	for (int i = 0; i < WAIT_TRIES && !smp_load_acquire(flag); i++)
		msleep(1);
	return smp_load_acquire(flag);
}

/* Polls until *field (an rwsem counter) reaches want; returns whether it did. */
static bool wait_count(const unsigned int *field, unsigned int want)
{
	for (int i = 0; i < WAIT_TRIES && READ_ONCE(*field) != want; i++)
		msleep(1);
	return READ_ONCE(*field) == want;
}

static int hold(void *arg)
{
	struct holder *h = arg;

	if (h->write)
		down_write(h->sem);
	else
		down_read(h->sem);
	smp_store_release(&h->inside, 1);
	wait_flag(&h->release);
	if (h->write)
		up_write(h->sem);
	else
		up_read(h->sem);
	return 0;
}

/* No contention: the fast paths only; the word comes back to 0 and nobody was counted. */
static void test_uncontended(struct ktest *t)
{
	struct rw_semaphore s;

	init_rwsem(&s, "ktest_fast");
	down_read(&s);
	down_read(&s); /* readers share, even the same thread */
	up_read(&s);
	up_read(&s);
	down_write(&s);
	EXPECT_TRUE(t, rwsem_is_write_locked_by_me(&s));
	up_write(&s);
	EXPECT_FALSE(t, rwsem_is_write_locked_by_me(&s));
	EXPECT_EQ(t, s.count, 0L);
	EXPECT_EQ(t, s.sleepers, 0U);
	EXPECT_EQ(t, s.writers_waiting, 0U);
	EXPECT_EQ(t, s.contended, 0ULL);
}

/* A thread holds the read side, sleeping; this one gets in beside it without waiting. */
static void test_readers_share(struct ktest *t)
{
	struct rw_semaphore s;
	struct holder h = {&s, false, 0, 0};
	struct thread *th;

	init_rwsem(&s, "ktest_share");
	th = kthread_run(hold, &h, "ktest-rwsem-r");
	ASSERT_NOT_NULL(t, th);
	EXPECT_TRUE(t, wait_flag(&h.inside));
	down_read(&s);
	EXPECT_EQ(t, s.sleepers, 0U);
	up_read(&s);
	smp_store_release(&h.release, 1);
	kthread_join(th);
	EXPECT_EQ(t, s.count, 0L);
}

/* A writer that sleeps inside keeps a reader out until it leaves; the reader sleeps, counted. */
static void test_writer_excludes_reader(struct ktest *t)
{
	struct rw_semaphore s;
	struct holder h = {&s, false, 0, 0};
	struct thread *th;
	bool slept, early;

	init_rwsem(&s, "ktest_excl");
	down_write(&s);
	th = kthread_run(hold, &h, "ktest-rwsem-r");
	ASSERT_NOT_NULL(t, th);
	slept = wait_count(&s.sleepers, 1);
	early = smp_load_acquire(&h.inside);
	up_write(&s);
	EXPECT_TRUE(t, slept);
	EXPECT_FALSE(t, early);
	EXPECT_TRUE(t, wait_flag(&h.inside));
	smp_store_release(&h.release, 1);
	kthread_join(th);
	EXPECT_EQ(t, s.count, 0L);
	EXPECT_EQ(t, s.sleepers, 0U);
}

/*
 * This thread reads; a writer queues behind it; a new reader must now wait too (a stream of
 * readers cannot starve the writer), and gets in only after the writer has been and gone.
 */
static void test_waiting_writer_stops_readers(struct ktest *t)
{
	struct rw_semaphore s;
	struct holder w = {&s, true, 0, 0}, r = {&s, false, 0, 1}; /* r leaves once in */
	struct thread *writer, *reader;
	bool queued, reader_queued, reader_early, writer_early, reader_before_writer_left;

	init_rwsem(&s, "ktest_wwait");
	down_read(&s);
	writer = kthread_run(hold, &w, "ktest-rwsem-w");
	ASSERT_NOT_NULL(t, writer);
	queued = wait_count(&s.sleepers, 1) && READ_ONCE(s.writers_waiting) == 1;
	reader = kthread_run(hold, &r, "ktest-rwsem-r");
	ASSERT_NOT_NULL(t, reader);
	reader_queued = wait_count(&s.sleepers, 2);
	reader_early = smp_load_acquire(&r.inside);
	writer_early = smp_load_acquire(&w.inside);
	up_read(&s);
	EXPECT_TRUE(t, queued);
	EXPECT_TRUE(t, reader_queued);
	EXPECT_FALSE(t, reader_early);
	EXPECT_FALSE(t, writer_early);
	EXPECT_TRUE(t, wait_flag(&w.inside)); /* the writer first */
	msleep(5);
	reader_before_writer_left = smp_load_acquire(&r.inside);
	smp_store_release(&w.release, 1);
	EXPECT_FALSE(t, reader_before_writer_left);
	EXPECT_TRUE(t, wait_flag(&r.inside));
	kthread_join(writer);
	kthread_join(reader);
	EXPECT_EQ(t, s.count, 0L);
	EXPECT_EQ(t, s.sleepers, 0U);
	EXPECT_EQ(t, s.writers_waiting, 0U);
}

/*
 * Threads on every CPU mix the two sides, many times. Inside, a writer counts itself in
 * writers_in and checks that nobody else is inside; a reader counts itself in readers_in and
 * checks that no writer is. Writers also bump a plain counter, whose final value shows any
 * two writers that overlapped. Some holders yield inside, so the slow paths and the wakeups run
 * too, not only the fast paths.
 */
#define TORTURE_ROUNDS	    600
#define TORTURE_WRITE_EVERY 5

static struct rw_semaphore torture_sem;
static atomic_t readers_in, writers_in, bad, reads;
static unsigned long torture_writes; /* plain: only the lock protects it */

static int torture_thread(void *arg)
{
	unsigned long id = (unsigned long)arg;

	for (unsigned int i = 0; i < TORTURE_ROUNDS; i++) {
		if ((i + id) % TORTURE_WRITE_EVERY == 0) {
			down_write(&torture_sem);
			if (atomic_add_return(1, &writers_in) != 1 || atomic_read(&readers_in))
				atomic_inc(&bad);
			WRITE_ONCE(torture_writes, READ_ONCE(torture_writes) + 1);
			if (i % 64 == 0)
				yield();
			atomic_dec(&writers_in);
			up_write(&torture_sem);
		} else {
			down_read(&torture_sem);
			atomic_inc(&readers_in);
			if (atomic_read(&writers_in))
				atomic_inc(&bad);
			if (i % 50 == 0)
				yield();
			atomic_dec(&readers_in);
			atomic_inc(&reads);
			up_read(&torture_sem);
		}
	}
	return 0;
}

static void test_torture(struct ktest *t)
{
	unsigned int n = 2 * num_online_cpus() > 8 ? 8 : 2 * num_online_cpus(), writes = 0;
	struct thread *th[8];
	uint64_t t0 = ktime_ns();

	init_rwsem(&torture_sem, "ktest_torture");
	atomic_set(&readers_in, 0);
	atomic_set(&writers_in, 0);
	atomic_set(&bad, 0);
	atomic_set(&reads, 0);
	torture_writes = 0;
	for (unsigned int i = 0; i < n; i++) {
		th[i] = kthread_run(torture_thread, (void *)(unsigned long)i, "ktest-rwsem/%u", i);
		ASSERT_NOT_NULL(t, th[i]);
		kthread_bind(th[i], i % num_online_cpus());
	}
	for (unsigned int i = 0; i < n; i++)
		kthread_join(th[i]);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int r = 0; r < TORTURE_ROUNDS; r++)
			writes += (r + i) % TORTURE_WRITE_EVERY == 0;
	EXPECT_EQ(t, atomic_read(&bad), 0);
	EXPECT_EQ(t, torture_writes, (unsigned long)writes);
	EXPECT_EQ(t, atomic_read(&reads), (int)(n * TORTURE_ROUNDS - writes));
	EXPECT_EQ(t, torture_sem.count, 0L);
	EXPECT_EQ(t, torture_sem.sleepers, 0U);
	EXPECT_EQ(t, torture_sem.writers_waiting, 0U);
	EXPECT_GT(t, torture_sem.contended, 0ULL); /* the slow paths ran too */
	ktest_log(t, "%u threads on %u CPUs, %u rounds each, %llu waits, %llu ms", n,
		  num_online_cpus(), TORTURE_ROUNDS, (unsigned long long)torture_sem.contended,
		  (unsigned long long)((ktime_ns() - t0) / 1000000));
}

KTEST_SUITE(rwsem, KTEST_CASE(test_uncontended), KTEST_CASE(test_readers_share),
	    KTEST_CASE(test_writer_excludes_reader), KTEST_CASE(test_waiting_writer_stops_readers),
	    KTEST_CASE(test_torture));
