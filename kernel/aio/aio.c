/*
 * aio contexts: io_setup, io_destroy, the lockless lookup and the references (kernel/aio/aio.h).
 *
 * A context is born with one reference, the list's. Lookups, submitted requests and
 * io_getevents callers add theirs. io_destroy marks it dead, unlinks it and drops the list's
 * reference; whoever drops the last one queues the free with call_rcu, because a lookup may be
 * walking over the context at that moment: it has read the pointer to it and not yet looked at
 * its id. After a grace period no such walk is left, and the RCU callback frees the ring and
 * the context and gives its events back to aio_nr.
 *
 * The contexts come from their own slab cache, which fills a freed object with its poison
 * (mm/slab.h): a walk that reached a freed context would find its magic gone, and
 * kioctx_check() panics; a write to a freed one panics when the slab hands the object out again.
 *
 * Broken on purpose, for torture aio's self-check: a context of an owner with free_at_once is
 * freed at its last put, without the grace period, into the quarantine at the end of this file
 * instead of the slab, so that the walks still standing on it read poison, are counted, and
 * the kernel survives.
 *
 * Lock order: mm->ioctx_lock, then mm->ioctx_rwlock. aio_nr_lock and aio_owners_lock are taken
 * with no other lock held, except that aio_for_each_ctx() calls its function (which prints)
 * with aio_owners_lock held.
 */
#include "kernel/aio/aio.h"
#include "kernel/delay_point.h"
#include "kernel/locking/mutex.h"
#include "kernel/sched/sleep.h"
#include "kernel/rcu/rculist.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "mm/slab.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/string.h"

DEFINE_PER_CPU(struct aio_cpu_stats, aio_cpu_stats);

DEFINE_DELAY_POINT(dp_lookup_ioctx_found, "lookup-ioctx-found",
		   "lookup_ioctx: the id matched; the context not yet checked nor referenced");

static struct kmem_cache *kioctx_cachep;
static DEFINE_MUTEX(kioctx_cache_lock);

/* The system-wide limit: events of all contexts not yet freed. */
static DEFINE_SPINLOCK(aio_nr_lock);
static uint64_t aio_nr;
static uint64_t aio_max_nr = AIO_MAX_NR_DEFAULT;

static atomic64_t next_ctx_id;
static atomic64_t nr_created, nr_destroyed, nr_freed, nr_gp_retries, nr_gp_retry_failures;

/* The quarantine of free-at-once (kernel/aio/aio.h): contexts chained through rcu.next. */
#define QUARANTINE_WORD (KIOCTX_QUARANTINE_POISON * 0x0101010101010101ULL)
static DEFINE_SPINLOCK(quarantine_lock);
static struct rcu_head *quarantine_head;
static atomic64_t quarantine_held, quarantine_reached, quarantine_first_reached_ns;

/* Every owner, for the `aio` command. */
static LIST_HEAD(aio_owners);
static DEFINE_SPINLOCK(aio_owners_lock);

void mm_aio_init(struct mm_aio *mm, const char *name)
{
	spin_lock_init(&mm->ioctx_lock, "ioctx_lock");
	INIT_HLIST_HEAD(&mm->ioctx_list);
	rwlock_init(&mm->ioctx_rwlock, "ioctx_rwlock");
	mm->name = name;
	mm->free_at_once = false;
	spin_lock(&aio_owners_lock);
	list_add_tail(&mm->owners, &aio_owners);
	spin_unlock(&aio_owners_lock);
}

/* The cache is made by the first io_setup: there is no init hook for aio in kmain. */
static int kioctx_cache_init(void)
{
	if (likely(smp_load_acquire(&kioctx_cachep)))
		return 0;
	mutex_lock(&kioctx_cache_lock);
	if (!kioctx_cachep)
		smp_store_release(&kioctx_cachep,
				  kmem_cache_create("kioctx", sizeof(struct kioctx), 64));
	mutex_unlock(&kioctx_cache_lock);
	return kioctx_cachep ? 0 : -ENOMEM;
}

/* kioctx_check() found ctx's magic gone. Returns false for a context in the quarantine of
   free-at-once, after counting the walk; panics for any other (a freed context reached). */
bool __kioctx_bad(const struct kioctx *ctx)
{
	uint64_t magic = READ_ONCE(ctx->magic);

	/* Pairs with the full barrier of kioctx_quarantine()'s increment of quarantine_held,
	   made before the poison: whoever reads the poison then reads held above 0. */
	smp_rmb();
	if (magic == QUARANTINE_WORD && atomic64_read(&quarantine_held) > 0) {
		if (atomic64_add_return(1, &quarantine_reached) == 1)
			atomic64_set(&quarantine_first_reached_ns, (int64_t)ktime_ns());
		return false;
	}
	panic("aio: %p is not a live kioctx (magic %#llx): a freed context was reached", ctx,
	      (unsigned long long)magic);
}

static bool aio_nr_reserve(unsigned int nr)
{
	bool ok;

	spin_lock(&aio_nr_lock);
	ok = aio_nr + nr <= aio_max_nr;
	if (ok)
		aio_nr += nr;
	spin_unlock(&aio_nr_lock);
	return ok;
}

static void aio_nr_release(unsigned int nr)
{
	spin_lock(&aio_nr_lock);
	if (aio_nr < nr)
		panic("aio: aio_nr %llu is below a context's %u events", (unsigned long long)aio_nr,
		      nr);
	aio_nr -= nr;
	spin_unlock(&aio_nr_lock);
}

/*
 * Takes nr events of aio_nr. Destroyed contexts keep their share until their RCU callback
 * frees them, so at the limit the shares may only be waiting for a grace period: wait for
 * those callbacks and try once more. rcu_barrier(), not synchronize_rcu(): the callbacks run in
 * the rcuc threads a little after the grace period ends, and only rcu_barrier() waits for
 * them to have run, so that the retry sees what they gave back.
 */
static int aio_nr_get(unsigned int nr)
{
	if (aio_nr_reserve(nr))
		return 0;
	atomic64_inc(&nr_gp_retries);
	rcu_barrier();
	if (aio_nr_reserve(nr))
		return 0;
	atomic64_inc(&nr_gp_retry_failures);
	return -EAGAIN;
}

static void kioctx_quarantine(struct kioctx *ctx);

/* Frees the ring and the context (a free_at_once one into the quarantine), and gives the
   context's events back to aio_nr. */
static void free_ioctx(struct kioctx *ctx)
{
	unsigned int nr = ctx->max_reqs;

	aio_ring_free(&ctx->ring);
	if (unlikely(ctx->free_at_once))
		kioctx_quarantine(ctx);
	else
		kmem_cache_free(kioctx_cachep, ctx); /* poisons it: see kioctx_check() */
	aio_nr_release(nr);
	atomic64_inc(&nr_freed);
}

static void free_ioctx_rcu(struct rcu_head *head)
{
	free_ioctx(container_of(head, struct kioctx, rcu));
}

/* put_ioctx dropped the last reference (users 0), or one too many (below 0). */
void __put_ioctx(struct kioctx *ctx, int users)
{
	/* Only io_destroy drops the list's reference, after marking the context dead. */
	if (users < 0 || !READ_ONCE(ctx->dead))
		panic("aio: put_ioctx of context %llu: %d users, %s",
		      (unsigned long long)ctx->user_id, users, ctx->dead ? "dead" : "still listed");
	if (unlikely(ctx->free_at_once)) {
		/* Broken on purpose, for torture aio's self-check: the free without the grace
		   period, the one piece that keeps the invariant. A lookup may be standing on
		   ctx right now; the quarantine lets it read poison rather than another object. */
		free_ioctx(ctx);
		return;
	}
	call_rcu(&ctx->rcu, free_ioctx_rcu);
}

int io_setup(struct mm_aio *mm, unsigned int nr_events, aio_context_t *ctxp)
{
	struct kioctx *ctx;
	aio_context_t id;
	int err;

	if (nr_events == 0 || nr_events > AIO_MAX_EVENTS)
		return -ERANGE;
	err = kioctx_cache_init();
	if (err)
		return err;
	ctx = kmem_cache_zalloc(kioctx_cachep);
	if (!ctx)
		return -ENOMEM;
	err = aio_ring_init(&ctx->ring, nr_events);
	if (err)
		goto free_ctx;
	err = aio_nr_get(nr_events);
	if (err)
		goto free_ring;

	/* Everything a walker reads is set before hlist_add_head_rcu publishes the context. */
	id = (aio_context_t)atomic64_add_return(1, &next_ctx_id);
	ctx->magic = KIOCTX_MAGIC;
	ctx->user_id = id;
	ctx->free_at_once = READ_ONCE(mm->free_at_once);
	ctx->mm = mm;
	ctx->max_reqs = nr_events;
	atomic_set(&ctx->users, 1); /* the list's */
	init_waitqueue_head(&ctx->wait, "kioctx");

	spin_lock(&mm->ioctx_lock);
	write_lock(&mm->ioctx_rwlock);
	hlist_add_head_rcu(&ctx->list, &mm->ioctx_list);
	write_unlock(&mm->ioctx_rwlock);
	spin_unlock(&mm->ioctx_lock);
	atomic64_inc(&nr_created);
	*ctxp = id;
	return 0;

free_ring:
	aio_ring_free(&ctx->ring);
free_ctx:
	kmem_cache_free(kioctx_cachep, ctx); /* never published: no grace period needed */
	return err;
}

/* Marks ctx dead and takes it off the list. mm->ioctx_lock held. Walkers standing on it may
   still see it, dead or not: they take a reference only while users > 0. */
static void kill_ioctx(struct mm_aio *mm, struct kioctx *ctx)
{
	WRITE_ONCE(ctx->dead, true);
	write_lock(&mm->ioctx_rwlock);
	hlist_del_rcu(&ctx->list);
	write_unlock(&mm->ioctx_rwlock);
}

/* After kill_ioctx, without the lock: sleepers in io_getevents leave, the list's reference goes. */
static void finish_destroy(struct kioctx *ctx)
{
	wake_up(&ctx->wait);
	atomic64_inc(&nr_destroyed);
	put_ioctx(ctx);
}

int io_destroy(struct mm_aio *mm, aio_context_t id)
{
	struct kioctx *ctx, *found = NULL;

	spin_lock(&mm->ioctx_lock);
	hlist_for_each_entry(ctx, &mm->ioctx_list, list) {
		if (ctx->user_id == id) {
			found = ctx;
			kill_ioctx(mm, ctx);
			break;
		}
	}
	spin_unlock(&mm->ioctx_lock);
	if (!found)
		return -EINVAL;
	finish_destroy(found);
	return 0;
}

void exit_aio(struct mm_aio *mm)
{
	struct kioctx *ctx;

	for (;;) {
		spin_lock(&mm->ioctx_lock);
		ctx = hlist_entry_safe(mm->ioctx_list.first, struct kioctx, list);
		if (ctx)
			kill_ioctx(mm, ctx);
		spin_unlock(&mm->ioctx_lock);
		if (!ctx)
			break;
		finish_destroy(ctx);
	}
	spin_lock(&aio_owners_lock);
	list_del(&mm->owners);
	spin_unlock(&aio_owners_lock);
}

struct kioctx *lookup_ioctx(struct mm_aio *mm, aio_context_t id)
{
	struct kioctx *ctx, *found = NULL;

	rcu_read_lock();
	hlist_for_each_entry_rcu(ctx, &mm->ioctx_list, list) {
		if (READ_ONCE(ctx->user_id) != id) {
			kioctx_check(ctx); /* before the walk follows its list.next */
			continue;
		}
		/* Found. io_destroy may unlink it and drop its last reference right now: only
		   the grace period keeps its memory until rcu_read_unlock(). */
		delay_point(&dp_lookup_ioctx_found);
		if (kioctx_check(ctx) && !READ_ONCE(ctx->dead) && get_ioctx_live(ctx))
			found = ctx;
		break; /* ids are unique: no other context can match */
	}
	aio_count_lookup(found);
	rcu_read_unlock();
	return found;
}

void aio_for_each_ctx(void (*fn)(struct mm_aio *mm, struct kioctx *ctx, void *arg), void *arg)
{
	struct mm_aio *mm;
	struct kioctx *ctx;

	spin_lock(&aio_owners_lock);
	list_for_each_entry(mm, &aio_owners, owners) {
		fn(mm, NULL, arg);
		rcu_read_lock();
		hlist_for_each_entry_rcu(ctx, &mm->ioctx_list, list) {
			if (kioctx_check(ctx))
				fn(mm, ctx, arg);
		}
		rcu_read_unlock();
	}
	spin_unlock(&aio_owners_lock);
}

void aio_set_max_nr(uint64_t max)
{
	spin_lock(&aio_nr_lock);
	aio_max_nr = max;
	spin_unlock(&aio_nr_lock);
}

bool aio_wait_for_frees(unsigned int timeout_ms)
{
	for (unsigned int waited = 0;; waited += 10) {
		struct aio_stats s;

		rcu_barrier();
		s = aio_get_stats();
		if (s.freed == s.destroyed)
			return true;
		if (waited >= timeout_ms)
			return false;
		msleep(10);
	}
}

struct aio_stats aio_get_stats(void)
{
	struct aio_stats s;
	unsigned int cpu;

	memset(&s, 0, sizeof(s));
	spin_lock(&aio_nr_lock);
	s.aio_nr = aio_nr;
	s.aio_max_nr = aio_max_nr;
	spin_unlock(&aio_nr_lock);
	/* destroyed first: a context counted there was counted in created before. */
	s.destroyed = (uint64_t)atomic64_read(&nr_destroyed);
	s.created = (uint64_t)atomic64_read(&nr_created);
	s.contexts = s.created - s.destroyed;
	s.freed = (uint64_t)atomic64_read(&nr_freed);
	s.gp_retries = (uint64_t)atomic64_read(&nr_gp_retries);
	s.gp_retry_failures = (uint64_t)atomic64_read(&nr_gp_retry_failures);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		s.lookups += READ_ONCE(per_cpu(aio_cpu_stats, cpu).lookups);
		s.lookup_misses += READ_ONCE(per_cpu(aio_cpu_stats, cpu).lookup_misses);
	}
	aio_submit_stats(&s.submitted, &s.completed);
	s.allocated = kioctx_cachep ? READ_ONCE(kioctx_cachep->in_use) : 0;
	return s;
}

unsigned int kioctx_poison_damage(void)
{
	return kioctx_cachep ? kmem_cache_check(kioctx_cachep) : 0;
}

/* The words of a quarantined context that keep their value: its links. */
static bool quarantine_keeps(const struct kioctx *ctx, const uint64_t *word)
{
	return word == (const uint64_t *)&ctx->list.next ||
	       word == (const uint64_t *)&ctx->rcu.next;
}

/*
 * Broken on purpose, for torture aio's self-check (free_at_once): poisons ctx but for its
 * links and keeps it out of the slab until kioctx_quarantine_release(), so that the walks the
 * missing grace period lets in read the poison instead of a reused object.
 */
static void kioctx_quarantine(struct kioctx *ctx)
{
	uint64_t *word = (uint64_t *)ctx;

	_Static_assert(sizeof(*ctx) % sizeof(*word) == 0, "a kioctx is whole words");
	/* Counted before the poison goes in; the full barrier of this locked increment pairs
	   with the smp_rmb() in __kioctx_bad(): a walker that reads the poison sees held > 0. */
	atomic64_inc(&quarantine_held);
	for (size_t i = 0; i < sizeof(*ctx) / sizeof(*word); i++)
		if (!quarantine_keeps(ctx, &word[i]))
			WRITE_ONCE(word[i], QUARANTINE_WORD);
	spin_lock(&quarantine_lock);
	ctx->rcu.next = quarantine_head;
	quarantine_head = &ctx->rcu;
	spin_unlock(&quarantine_lock);
}

/* The poisoned words of a quarantined context that changed since: writes after its free. */
static unsigned int quarantine_damage(const struct kioctx *ctx)
{
	const uint64_t *word = (const uint64_t *)ctx;
	unsigned int changed = 0;

	for (size_t i = 0; i < sizeof(*ctx) / sizeof(*word); i++)
		if (!quarantine_keeps(ctx, &word[i]) && READ_ONCE(word[i]) != QUARANTINE_WORD)
			changed++;
	return changed;
}

/* A snapshot of the quarantine's counts. Any context. */
struct kioctx_quarantine_stats kioctx_quarantine_get_stats(void)
{
	struct kioctx_quarantine_stats s;

	s.held = (uint64_t)atomic64_read(&quarantine_held);
	s.reached = (uint64_t)atomic64_read(&quarantine_reached);
	s.first_reached_ns = (uint64_t)atomic64_read(&quarantine_first_reached_ns);
	return s;
}

/* Empties the quarantine into the slab after a grace period; returns the poisoned words that
   had changed. Sleeps. Nothing may be quarantined meanwhile (aio.h). */
unsigned long kioctx_quarantine_release(void)
{
	struct rcu_head *head;
	unsigned long changed = 0;

	synchronize_rcu(); /* every quarantined context was unlinked before it went in */
	spin_lock(&quarantine_lock);
	head = quarantine_head;
	quarantine_head = NULL;
	spin_unlock(&quarantine_lock);
	while (head) {
		struct kioctx *ctx = container_of(head, struct kioctx, rcu);

		head = head->next;
		changed += quarantine_damage(ctx);
		kmem_cache_free(kioctx_cachep, ctx);
	}
	atomic64_set(&quarantine_held, 0);
	atomic64_set(&quarantine_reached, 0);
	atomic64_set(&quarantine_first_reached_ns, 0);
	return changed;
}
