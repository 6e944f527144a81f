/*
 * KTAP suite "rwlock": reader-writer spinlocks (kernel/locking/rwlock.h). Readers share the
 * lock across CPUs, a waiting writer keeps new readers out, and under load from every CPU
 * writers exclude both readers and each other. The cross-CPU cases need a second CPU and skip
 * without one.
 *
 * A function sent to another CPU runs there in interrupt context and must not spin forever
 * when the lock is broken, so it waits with read_trylock and a deadline (generous: under TCG a
 * vCPU may not run for a while), and the test reports what it saw.
 */
#include "kernel/ktest.h"
#include "kernel/locking/rwlock.h"
#include "kernel/smp.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"

#define DEADLINE_NS 5000000000ULL /* a bound for a broken lock, not a timing test */

/* Waits until *flag is set or the deadline passes; returns whether it was set. */
static bool wait_for(const int *flag)
{
	uint64_t end = ktime_ns() + DEADLINE_NS;

	while (!smp_load_acquire(flag) && ktime_ns() < end)
		cpu_relax();
	return smp_load_acquire(flag);
}

/* Some online CPU other than this one (call with preemption off). */
static unsigned int other_cpu(void)
{
	return smp_processor_id() == 0 ? 1 : 0;
}

static void test_trylock(struct ktest *t)
{
	DEFINE_RWLOCK(l);
	bool second;

	ASSERT_TRUE(t, read_trylock(&l));
	second = read_trylock(&l); /* readers share */
	if (second)
		read_unlock(&l);
	EXPECT_TRUE(t, second);
	EXPECT_FALSE(t, write_trylock(&l)); /* a reader keeps writers out */
	read_unlock(&l);
	ASSERT_TRUE(t, write_trylock(&l));
	EXPECT_FALSE(t, read_trylock(&l));
	EXPECT_FALSE(t, write_trylock(&l));
	write_unlock(&l);
	EXPECT_EQ(t, l.cnts, 0U);
	EXPECT_EQ(t, l.holder, 0);
}

/* The _irqsave forms turn interrupts off inside and restore the flag after. */
static void test_irqsave(struct ktest *t)
{
	DEFINE_RWLOCK(l);
	unsigned long flags;
	bool inside_on;

	EXPECT_TRUE(t, read_rflags() & RFLAGS_IF);
	read_lock_irqsave(&l, flags);
	inside_on = read_rflags() & RFLAGS_IF;
	read_unlock_irqrestore(&l, flags);
	EXPECT_FALSE(t, inside_on);
	EXPECT_TRUE(t, read_rflags() & RFLAGS_IF);
	write_lock_irqsave(&l, flags);
	inside_on = read_rflags() & RFLAGS_IF;
	write_unlock_irqrestore(&l, flags);
	EXPECT_FALSE(t, inside_on);
	EXPECT_TRUE(t, read_rflags() & RFLAGS_IF);
}

struct share {
	rwlock_t lock;
	int inside;  /* the other CPU is inside the read side */
	int release; /* it may leave */
	int done;    /* it has left (or given up) and no longer touches this struct */
	int wrote;   /* the writer case: the other CPU held the write side */
};

static void remote_reader(void *arg)
{
	struct share *s = arg;
	uint64_t end = ktime_ns() + DEADLINE_NS;
	bool got;

	while (!(got = read_trylock(&s->lock)) && ktime_ns() < end)
		cpu_relax();
	if (got) {
		smp_store_release(&s->inside, 1);
		wait_for(&s->release);
		read_unlock(&s->lock);
	}
	smp_store_release(&s->done, 1);
}

/* This CPU reads; another CPU gets into the read side too while it does. */
static void test_readers_share(struct ktest *t)
{
	struct share s = {.lock = RWLOCK_INIT("share")};
	bool inside;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	read_lock(&s.lock);
	smp_call_function_single(other_cpu(), remote_reader, &s, false);
	inside = wait_for(&s.inside);
	smp_store_release(&s.release, 1);
	EXPECT_TRUE(t, wait_for(&s.done));
	read_unlock(&s.lock);
	EXPECT_TRUE(t, inside);
	EXPECT_EQ(t, s.lock.cnts, 0U);
}

static void remote_writer(void *arg)
{
	struct share *s = arg;

	write_lock(&s->lock); /* spins until the test's reader leaves */
	WRITE_ONCE(s->wrote, 1);
	write_unlock(&s->lock);
	smp_store_release(&s->done, 1);
}

/*
 * While this CPU reads, another CPU asks for the write side: it must mark itself waiting, and
 * from then on a new reader is refused; once this CPU leaves, the writer gets in.
 */
static void test_waiting_writer_stops_readers(struct ktest *t)
{
	struct share s = {.lock = RWLOCK_INIT("writer_waits")};
	uint64_t end = ktime_ns() + DEADLINE_NS;
	bool waiting, reader_got_in, wrote_early;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	read_lock(&s.lock);
	smp_call_function_single(other_cpu(), remote_writer, &s, false);
	while (!(READ_ONCE(s.lock.cnts) & RW_WAITING) && ktime_ns() < end)
		cpu_relax();
	waiting = READ_ONCE(s.lock.cnts) & RW_WAITING;
	reader_got_in = read_trylock(&s.lock);
	if (reader_got_in)
		read_unlock(&s.lock);
	wrote_early = READ_ONCE(s.wrote);
	read_unlock(&s.lock); /* always, or the writer would spin forever */
	EXPECT_TRUE(t, waiting);
	EXPECT_FALSE(t, reader_got_in);
	EXPECT_FALSE(t, wrote_early);
	EXPECT_TRUE(t, wait_for(&s.done));
	EXPECT_TRUE(t, READ_ONCE(s.wrote));
	EXPECT_EQ(t, READ_ONCE(s.lock.cnts), 0U);
}

/*
 * Every CPU mixes reads and writes of one lock. Writers bump a and b (a first) and a plain
 * counter; a reader that sees a != b was inside while a writer was, and a lost update of the
 * counter means two writers were inside at once. Writes come in sections of WRITE_BATCH
 * increments, so each section leaves readers a window and writers a chance to collide.
 */
#define EXCLUSION_ROUNDS 2000
#define WRITE_EVERY	 4
#define WRITE_BATCH	 50

static DEFINE_RWLOCK(pair_lock);
static unsigned long pair_a, pair_b, writes; /* plain, not atomic: only the lock protects them */
static atomic_t torn_reads, reads_done;

static void hammer(void *arg)
{
	unsigned int cpu = smp_processor_id();

	(void)arg;
	for (unsigned int i = 0; i < EXCLUSION_ROUNDS; i++) {
		if ((i + cpu) % WRITE_EVERY == 0) {
			write_lock(&pair_lock);
			for (unsigned int j = 0; j < WRITE_BATCH; j++) {
				WRITE_ONCE(pair_a, READ_ONCE(pair_a) + 1);
				WRITE_ONCE(writes, READ_ONCE(writes) + 1);
				WRITE_ONCE(pair_b, READ_ONCE(pair_b) + 1);
			}
			write_unlock(&pair_lock);
		} else {
			unsigned long a, b;

			read_lock(&pair_lock);
			a = READ_ONCE(pair_a);
			for (unsigned int j = 0; j < 20; j++)
				cpu_relax();
			b = READ_ONCE(pair_b);
			read_unlock(&pair_lock);
			if (a != b)
				atomic_inc(&torn_reads);
			atomic_inc(&reads_done);
		}
	}
}

static void test_writer_excludes_all(struct ktest *t)
{
	unsigned int cpus = num_online_cpus(), write_rounds = 0;
	uint64_t t0 = ktime_ns();

	pair_a = pair_b = writes = 0;
	atomic_set(&torn_reads, 0);
	atomic_set(&reads_done, 0);
	on_each_cpu(hammer, NULL, true);
	for (unsigned int cpu = 0; cpu < cpus; cpu++)
		for (unsigned int i = 0; i < EXCLUSION_ROUNDS; i++)
			write_rounds += (i + cpu) % WRITE_EVERY == 0;
	EXPECT_EQ(t, writes, (unsigned long)write_rounds * WRITE_BATCH);
	EXPECT_EQ(t, pair_a, writes);
	EXPECT_EQ(t, pair_b, writes);
	EXPECT_EQ(t, atomic_read(&torn_reads), 0);
	EXPECT_EQ(t, atomic_read(&reads_done), (int)(cpus * EXCLUSION_ROUNDS - write_rounds));
	EXPECT_EQ(t, pair_lock.cnts, 0U);
	ktest_log(t, "%u rounds on %u CPUs in %llu ms", cpus * EXCLUSION_ROUNDS, cpus,
		  (unsigned long long)((ktime_ns() - t0) / 1000000));
}

KTEST_SUITE(rwlock, KTEST_CASE(test_trylock), KTEST_CASE(test_irqsave),
	    KTEST_CASE(test_readers_share), KTEST_CASE(test_waiting_writer_stops_readers),
	    KTEST_CASE(test_writer_excludes_all));
