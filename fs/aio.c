/*
 * aio contexts (fs/aio.h): io_setup, io_destroy, exit_aio, the lockless lookup_ioctx() of
 * Linux 2.6.29 ("aio: make the lookup_ioctx() lockless"), and the references.
 *
 * A context is born with one reference, the list's. Lookups, submitted requests and
 * io_getevents callers add theirs. io_destroy marks it dead, unlinks it with hlist_del_rcu,
 * waits until the requests in flight on it have posted their events (as Linux 2.6.28 and 2.6.29
 * did, and Linux does again today), and drops the list's reference; whoever drops the last one
 * queues the free with call_rcu, because a lookup may be walking over the context at that
 * moment. After a grace period no such walk is left, and the callback frees the ring and the
 * context and gives its events back to aio_nr. The contexts come from their own slab cache,
 * which poisons a freed object, so a walk that reached a freed context finds its magic gone
 * and kioctx_check() panics.
 *
 * The comparison variants (Linux 2.6.28's rwlock whole, the broken free without a grace period
 * and its quarantine) live in fs/aio_variants.c, reached by one unlikely branch each in the
 * lookup, the link, the unlink, the aio_nr retry and the last put.
 *
 * Lock order: mm->ioctx_lock, then (variants only) ioctx_list_rwlock; mm_list_lock (the walk
 * of aio_for_each_ctx), then ioctx_list_rwlock. aio_nr_lock is taken with no other lock held.
 */
#include "fs/aio.h"
#include "mm/mm.h"
#include "kernel/delay_point.h"
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

/* The system-wide limit: events of all contexts not yet freed. */
static DEFINE_SPINLOCK(aio_nr_lock);
static uint64_t aio_nr;
static uint64_t aio_max_nr = AIO_MAX_NR_DEFAULT;

static atomic64_t next_ctx_id;
static atomic64_t nr_created, nr_destroyed, nr_freed, nr_freed_at_once, nr_gp_retries,
	nr_gp_retry_failures, nr_destroy_waits;
static atomic64_t nr_pending_events; /* of aio_nr: destroyed contexts' events, not yet freed */

/*
 * aio_init: makes the kioctx cache and gives mm/ the exit_aio hook the last mmput calls.
 * Once at boot, from vfs_init(), before any io_setup. Panics when out of memory.
 */
void aio_init(void)
{
	kioctx_cachep = kmem_cache_create("kioctx", sizeof(struct kioctx), 64);
	if (!kioctx_cachep)
		panic("aio_init: no kioctx cache");
	mm_set_exit_aio(exit_aio);
}

/* kioctx_check() found ctx's magic gone. Returns false for a context in the quarantine of
   the broken variant free-at-once (counted there); panics for any other. */
bool __kioctx_bad(const struct kioctx *ctx)
{
	uint64_t magic = READ_ONCE(ctx->magic);

	if (kioctx_quarantined(magic))
		return false;
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
	atomic64_add_return(-(int64_t)nr, &nr_pending_events);
}

/*
 * Takes nr events of aio_nr. Destroyed contexts keep their share until their RCU callback
 * frees them, so at the limit the shares may only be waiting for a grace period: wait for
 * those callbacks and try once more. rcu_barrier(), not synchronize_rcu(): the callbacks run in
 * the rcuc threads a little after the grace period ends, and only rcu_barrier() waits for
 * them to have run, so that the retry sees what they gave back. The rwlock "before" frees at
 * once, so nothing of its own can be pending: Linux 2.6.28 failed at once, and so does mm
 * attached as IOCTX_RWLOCK.
 */
static int aio_nr_get(struct mm *mm, unsigned int nr)
{
	if (aio_nr_reserve(nr))
		return 0;
	if (unlikely(mm == ioctx_rwlock_mm))
		return -EAGAIN;
	atomic64_inc(&nr_gp_retries);
	rcu_barrier();
	if (aio_nr_reserve(nr))
		return 0;
	atomic64_inc(&nr_gp_retry_failures);
	return -EAGAIN;
}

/* Gives a context's memory back to the slab (the quarantine's release, fs/aio_variants.c). */
void kioctx_cache_free(struct kioctx *ctx)
{
	kmem_cache_free(kioctx_cachep, ctx);
}

/* Frees the ring and the context, and gives the context's events back to aio_nr. */
static void free_ioctx(struct kioctx *ctx)
{
	unsigned int nr = ctx->max_reqs;

	aio_ring_free(&ctx->ring);
	kmem_cache_free(kioctx_cachep, ctx); /* poisons it: see kioctx_check() */
	aio_nr_release(nr);
	atomic64_inc(&nr_freed);
}

/* The RCU callback: a grace period has passed since the last put, no walker is left. */
static void free_ioctx_rcu(struct rcu_head *head)
{
	free_ioctx(container_of(head, struct kioctx, rcu_head));
}

/* The free at the last put, without a grace period, of a context of the rwlock "before" or
   of the broken free-at-once (fs/aio_variants.c): dispose gives back or quarantines ctx. */
void aio_free_ctx_now(struct kioctx *ctx, void (*dispose)(struct kioctx *ctx))
{
	unsigned int nr = ctx->max_reqs;

	aio_ring_free(&ctx->ring);
	dispose(ctx);
	aio_nr_release(nr);
	atomic64_inc(&nr_freed_at_once);
	atomic64_inc(&nr_freed);
}

/*
 * __put_ioctx: put_ioctx dropped the last reference (users 0), or one too many (below 0,
 * which panics, as does a last put of a context still listed). Queues the free after a grace
 * period: a lookup may be standing on ctx right now. Any context; does not sleep.
 */
void __put_ioctx(struct kioctx *ctx, int users)
{
	/* Only io_destroy drops the list's reference, after marking the context dead. */
	if (users < 0 || !READ_ONCE(ctx->dead))
		panic("aio: put_ioctx of context %llu: %d users, %s",
		      (unsigned long long)ctx->user_id, users, ctx->dead ? "dead" : "still listed");
	if (unlikely(ctx->variant != IOCTX_RCU)) {
		ioctx_free_at_once(ctx); /* the rwlock "before", or broken: fs/aio_variants.c */
		return;
	}
	call_rcu(&ctx->rcu_head, free_ioctx_rcu);
}

/*
 * io_setup: makes a context with a ring of nr_events slots in mm's list; *ctxp is its id.
 * Returns 0, -ERANGE for nr_events 0 or above AIO_MAX_EVENTS, -ENOMEM, or -EAGAIN when aio_nr
 * would pass aio_max_nr even after waiting for the pending frees. May sleep; no lock held.
 */
int io_setup(struct mm *mm, unsigned int nr_events, aio_context_t *ctxp)
{
	struct kioctx *ctx;
	aio_context_t id;
	int err;

	if (nr_events == 0 || nr_events > AIO_MAX_EVENTS)
		return -ERANGE;
	ctx = kmem_cache_zalloc(kioctx_cachep);
	if (!ctx)
		return -ENOMEM;
	err = aio_ring_init(&ctx->ring, nr_events);
	if (err)
		goto free_ctx;
	err = aio_nr_get(mm, nr_events);
	if (err)
		goto free_ring;

	/* Everything a walker reads is set before hlist_add_head_rcu publishes the context
	   (its smp_store_release pairs with the rcu_dereference of lookup_ioctx's walk). */
	id = (aio_context_t)atomic64_add_return(1, &next_ctx_id);
	ctx->magic = KIOCTX_MAGIC;
	ctx->user_id = id;
	ctx->mm = mm;
	ctx->max_reqs = nr_events;
	atomic_set(&ctx->users, 1); /* the list's */
	init_waitqueue_head(&ctx->wait, "kioctx");

	spin_lock(&mm->ioctx_lock);
	if (unlikely(mm == ioctx_variants_mm))
		ioctx_variant_link(mm, ctx);
	else
		hlist_add_head_rcu(&ctx->list, &mm->ioctx_list);
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
static void kill_ioctx(struct mm *mm, struct kioctx *ctx)
{
	WRITE_ONCE(ctx->dead, true);
	if (unlikely(mm == ioctx_variants_mm))
		ioctx_variant_unlink(mm, ctx);
	else
		hlist_del_rcu(&ctx->list);
}

/*
 * After kill_ioctx, without the lock: sleepers in io_getevents leave; then, as Linux's
 * wait_for_all_aios, wait until every request in flight has posted its event (the caller may
 * then free the buffers it gave them); then the list's reference goes.
 */
static void finish_destroy(struct kioctx *ctx)
{
	atomic64_inc(&nr_destroyed);
	atomic64_add_return(ctx->max_reqs, &nr_pending_events);
	wake_up(&ctx->wait);
	/* Pairs with the full barrier of the atomic_inc(&ctx->reqs_active) in io_submit_one()
	   (fs/aio_submit.c): either that request sees dead (set in kill_ioctx) and backs out,
	   or we see it counted here and wait for its event. */
	smp_mb();
	if (atomic_read(&ctx->reqs_active)) {
		atomic64_inc(&nr_destroy_waits);
		wait_event(ctx->wait, atomic_read(&ctx->reqs_active) == 0);
	}
	put_ioctx(ctx);
}

/*
 * io_destroy: marks the context dead, unlinks it, waits until its requests in flight have
 * posted their events, and drops the list's reference; it is freed a grace period after its
 * last user is gone. Wakes its io_getevents sleepers. Returns 0, or -EINVAL when mm has no
 * live context with this id. Takes mm->ioctx_lock; sleeps while requests are in flight.
 */
int io_destroy(struct mm *mm, aio_context_t id)
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

/*
 * exit_aio: destroys every context of mm, as io_destroy does each, waiting for the requests
 * in flight on it. The last mmput calls it (through the hook aio_init gave mm/); tests call it
 * directly. No lock held; sleeps while requests are in flight.
 */
void exit_aio(struct mm *mm)
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
}

/*
 * lookup_ioctx: the live context of mm with this id, with a reference the caller drops with
 * put_ioctx(); NULL when there is none. Takes no lock: the grace period keeps every context
 * the walk stands on allocated until rcu_read_unlock(), and the reference is taken only from
 * users above 0, so a context on its way to the free is never handed out. Any context.
 * (Linux takes current->mm; we pass mm, since kernel threads and tests drive many mms.)
 * An mm attached as the rwlock "before" frees its contexts at once: it is looked up as
 * Linux 2.6.28 did, under the read side (fs/aio_variants.c).
 */
struct kioctx *lookup_ioctx(struct mm *mm, aio_context_t id)
{
	struct kioctx *ctx, *found = NULL;

	if (unlikely(mm == READ_ONCE(ioctx_rwlock_mm)))
		return lookup_ioctx_rwlock(mm, id);
	rcu_read_lock();
	/* Each step's rcu_dereference pairs with the release store of hlist_add_head_rcu() in
	   io_setup(): a context reached here has its id, magic and users already set. */
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

struct for_each_ctx_arg {
	void (*fn)(struct mm *mm, struct kioctx *ctx, void *arg);
	void *arg;
};

static void for_each_ctx_of(struct mm *mm, void *p)
{
	struct for_each_ctx_arg *a = p;
	bool rwlock = mm == READ_ONCE(ioctx_variants_mm); /* the rwlock "before" frees at once */
	struct kioctx *ctx;

	a->fn(mm, NULL, a->arg);
	rcu_read_lock();
	if (unlikely(rwlock))
		ioctx_variants_read_lock();
	hlist_for_each_entry_rcu(ctx, &mm->ioctx_list, list) {
		if (kioctx_check(ctx))
			a->fn(mm, ctx, a->arg);
	}
	if (unlikely(rwlock))
		ioctx_variants_read_unlock();
	rcu_read_unlock();
}

/* Calls fn(mm, NULL, arg) for every mm, then fn(mm, ctx, arg) for each of its contexts, with
   mm_list_lock held and inside a read-side section: fn may not sleep. For the `aio` command. */
void aio_for_each_ctx(void (*fn)(struct mm *mm, struct kioctx *ctx, void *arg), void *arg)
{
	struct for_each_ctx_arg a = {fn, arg};

	mm_for_each(for_each_ctx_of, &a);
}

/* Sets aio_max_nr (tests and the torture lower it to reach the limit). */
void aio_set_max_nr(uint64_t max)
{
	spin_lock(&aio_nr_lock);
	aio_max_nr = max;
	spin_unlock(&aio_nr_lock);
}

/* Waits until every context destroyed so far has been freed (requests in flight hold theirs
   until their event is posted). Sleeps; false if that took more than timeout_ms. */
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

/* A snapshot of the counters (the `aio` command, tests). Any context but interrupts. */
struct aio_stats aio_get_stats(void)
{
	struct aio_stats s;
	unsigned int cpu;

	memset(&s, 0, sizeof(s));
	spin_lock(&aio_nr_lock);
	s.aio_nr = aio_nr;
	s.aio_max_nr = aio_max_nr;
	spin_unlock(&aio_nr_lock);
	s.aio_nr_pending = (uint64_t)atomic64_read(&nr_pending_events);
	/* destroyed first: a context counted there was counted in created before. */
	s.destroyed = (uint64_t)atomic64_read(&nr_destroyed);
	s.created = (uint64_t)atomic64_read(&nr_created);
	s.contexts = s.created - s.destroyed;
	s.freed = (uint64_t)atomic64_read(&nr_freed);
	s.freed_at_once = (uint64_t)atomic64_read(&nr_freed_at_once);
	s.destroy_waits = (uint64_t)atomic64_read(&nr_destroy_waits);
	s.gp_retries = (uint64_t)atomic64_read(&nr_gp_retries);
	s.gp_retry_failures = (uint64_t)atomic64_read(&nr_gp_retry_failures);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		s.lookups += READ_ONCE(per_cpu(aio_cpu_stats, cpu).lookups);
		s.lookup_misses += READ_ONCE(per_cpu(aio_cpu_stats, cpu).lookup_misses);
	}
	aio_submit_stats(&s.submitted, &s.completed);
	s.allocated = READ_ONCE(kioctx_cachep->in_use);
	return s;
}

/* Freed contexts whose slab poison was overwritten since their free: a write after free. */
unsigned int kioctx_poison_damage(void)
{
	return kmem_cache_check(kioctx_cachep);
}
