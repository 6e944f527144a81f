/*
 * The comparison variants of fs/aio.c, on one mm at a time (ioctx_variants_attach):
 *
 *  - IOCTX_RWLOCK, the "before" of Linux 2.6.29's "aio: make the lookup_ioctx() lockless",
 *    whole: Linux 2.6.28 walked mm->ioctx_list under a reader-writer lock (ioctx_list_lock)
 *    that io_setup and io_destroy took for writing. Every lookup (lookup_ioctx_rwlock) writes
 *    the lock word, so its cache line moves from CPU to CPU on every lookup. It needs no grace
 *    period: once the writer has unlinked a context, no reader can reach it, so the last put
 *    frees it at once and gives its events back to aio_nr there and then; io_setup at the
 *    limit has nothing pending to wait for and fails at once. One rwlock stands for the
 *    per-mm one (only one mm at a time uses the variants).
 *  - IOCTX_RCU: the mechanism, but the updates also take the rwlock, so that the tests and
 *    the torture may run both lookups on one list.
 *  - IOCTX_FREE_AT_ONCE, broken on purpose for torture aio's self-check: lockless lookups, and
 *    the contexts are freed at their last put, without the grace period. They go to a
 *    quarantine (poisoned, never reused while it holds them), so the lookups that then reach
 *    one are counted instead of panicking, and the kernel survives the run.
 *
 * fs/aio.c reaches this file by one unlikely branch each in the lookup and the aio_nr retry
 * (mm equal to ioctx_rwlock_mm), the link and the unlink (mm equal to ioctx_variants_mm) and
 * the last put (ctx->variant).
 *
 * Lock order: mm->ioctx_lock, then ioctx_list_rwlock. quarantine_lock is taken alone.
 */
#include "fs/aio.h"
#include "mm/mm.h"
#include "kernel/delay_point.h"
#include "kernel/locking/rwlock.h"
#include "kernel/locking/spinlock.h"
#include "kernel/panic.h"
#include "kernel/rcu/rculist.h"
#include "mm/slab.h"
#include "arch/x86_64/tsc.h"

DEFINE_DELAY_POINT(dp_lookup_rwlock_found, "lookup-rwlock-found",
		   "lookup_ioctx_rwlock: the id matched; not yet checked nor referenced");

struct mm *ioctx_variants_mm;
struct mm *ioctx_rwlock_mm;
static enum ioctx_variant variants_variant;
static DEFINE_RWLOCK(ioctx_list_rwlock);

/* The quarantine of free-at-once: contexts chained through rcu_head.next. */
#define QUARANTINE_WORD (KIOCTX_QUARANTINE_POISON * 0x0101010101010101ULL)
static DEFINE_SPINLOCK(quarantine_lock);
static struct rcu_head *quarantine_head;
static atomic64_t quarantine_held, quarantine_reached, quarantine_first_reached_ns;

/*
 * ioctx_variants_attach: from now on mm's list updates also take the rwlock (so that
 * lookup_ioctx_rwlock may walk it), and its contexts follow variant (the header comment).
 * mm must have no contexts yet, and no other mm may be attached. Tests, the torture, the bench
 * and the `aio` command only; call ioctx_variants_detach after mm's last context is gone.
 * Sleeps (a grace period).
 */
void ioctx_variants_attach(struct mm *mm, enum ioctx_variant variant)
{
	if (ioctx_variants_mm || !hlist_empty(&mm->ioctx_list))
		panic("aio: variants attached twice, or to an mm with contexts");
	variants_variant = variant;
	/* Orders variants_variant before the pointer. No acquire pairs with it: io_setup() and
	   the lookups run on mm only in the thread that attached it or in threads it starts
	   afterwards (the tests, the torture, the bench and the shell attach first). */
	smp_store_release(&ioctx_variants_mm, mm);
	if (variant == IOCTX_RWLOCK)
		WRITE_ONCE(ioctx_rwlock_mm, mm);
	/* A walk of the `aio` command (aio_for_each_ctx) that read the pointers before they
	   were set is not under the read side; it has ended when this returns, before mm can
	   have a context to free at once. */
	synchronize_rcu();
}

void ioctx_variants_detach(struct mm *mm)
{
	if (ioctx_variants_mm != mm || !hlist_empty(&mm->ioctx_list))
		panic("aio: variants detached from another mm, or one with contexts");
	WRITE_ONCE(ioctx_rwlock_mm, NULL);
	WRITE_ONCE(ioctx_variants_mm, NULL);
}

/* The read side, for a walk of the attached mm's list that is not a lookup (fs/aio.c). */
void ioctx_variants_read_lock(void)
{
	read_lock(&ioctx_list_rwlock);
}

void ioctx_variants_read_unlock(void)
{
	read_unlock(&ioctx_list_rwlock);
}

/* io_setup's link, mm->ioctx_lock held: also under the write side, as Linux 2.6.28. */
void ioctx_variant_link(struct mm *mm, struct kioctx *ctx)
{
	ctx->variant = (uint8_t)variants_variant;
	write_lock(&ioctx_list_rwlock);
	hlist_add_head_rcu(&ctx->list, &mm->ioctx_list);
	write_unlock(&ioctx_list_rwlock);
}

/* io_destroy's unlink, mm->ioctx_lock held. */
void ioctx_variant_unlink(struct mm *mm, struct kioctx *ctx)
{
	(void)mm;
	write_lock(&ioctx_list_rwlock);
	hlist_del_rcu(&ctx->list);
	write_unlock(&ioctx_list_rwlock);
}

/*
 * lookup_ioctx_rwlock: lookup_ioctx() as Linux 2.6.28 had it, under the read side. Same
 * contract as lookup_ioctx(); mm must be the attached one. Does not sleep.
 */
struct kioctx *lookup_ioctx_rwlock(struct mm *mm, aio_context_t id)
{
	struct kioctx *ctx, *found = NULL;

	if (READ_ONCE(ioctx_variants_mm) != mm)
		panic("aio: lookup_ioctx_rwlock on an mm without the variants attached");
	read_lock(&ioctx_list_rwlock);
	hlist_for_each_entry(ctx, &mm->ioctx_list, list) {
		if (ctx->user_id != id) {
			kioctx_check(ctx);
			continue;
		}
		/* Found, with the read side held: io_destroy cannot unlink it now, so even an
		   mm whose contexts are freed at once stays safe here. */
		delay_point(&dp_lookup_rwlock_found);
		if (kioctx_check(ctx) && !READ_ONCE(ctx->dead)) {
			get_ioctx(ctx);
			found = ctx;
		}
		break;
	}
	aio_count_lookup(found);
	read_unlock(&ioctx_list_rwlock);
	return found;
}

/* The words of a quarantined context that keep their value: its links. */
static bool quarantine_keeps(const struct kioctx *ctx, const uint64_t *word)
{
	return word == (const uint64_t *)&ctx->list.next ||
	       word == (const uint64_t *)&ctx->rcu_head.next;
}

/* Poisons ctx but for its links and keeps it out of the slab until the release. */
static void kioctx_quarantine(struct kioctx *ctx)
{
	uint64_t *word = (uint64_t *)ctx;

	_Static_assert(sizeof(*ctx) % sizeof(*word) == 0, "a kioctx is whole words");
	/* Counted before the poison goes in: the full barrier of this locked increment pairs
	   with the smp_rmb() in kioctx_quarantined(): a walker that reads the poison then reads
	   held above 0. */
	atomic64_inc(&quarantine_held);
	for (size_t i = 0; i < sizeof(*ctx) / sizeof(*word); i++)
		if (!quarantine_keeps(ctx, &word[i]))
			WRITE_ONCE(word[i], QUARANTINE_WORD);
	spin_lock(&quarantine_lock);
	ctx->rcu_head.next = quarantine_head;
	quarantine_head = &ctx->rcu_head;
	spin_unlock(&quarantine_lock);
}

/*
 * ioctx_free_at_once: the last put of a context of the IOCTX_RWLOCK or IOCTX_FREE_AT_ONCE
 * variant frees it now, without a grace period. Correct for the rwlock "before": every lookup
 * of its mm holds the read side, and io_destroy unlinked it under the write side. Broken on
 * purpose for free-at-once: a lockless lookup may be standing on it right now, and reads the
 * quarantine's poison.
 */
void ioctx_free_at_once(struct kioctx *ctx)
{
	if (ctx->variant == IOCTX_RWLOCK)
		aio_free_ctx_now(ctx, kioctx_cache_free);
	else
		aio_free_ctx_now(ctx, kioctx_quarantine);
}

/* __kioctx_bad's question: is this poison the quarantine's? Counts the walk if so. */
bool kioctx_quarantined(uint64_t magic)
{
	/* pairs with the full barrier of atomic64_inc(&quarantine_held) in kioctx_quarantine():
	   the poison read above was written after held went above 0. */
	smp_rmb();
	if (magic != QUARANTINE_WORD || atomic64_read(&quarantine_held) == 0)
		return false;
	if (atomic64_add_return(1, &quarantine_reached) == 1)
		atomic64_set(&quarantine_first_reached_ns, (int64_t)ktime_ns());
	return true;
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

/*
 * kioctx_quarantine_release: waits for a grace period (every quarantined context was
 * unlinked before it went in, so no walk stands on one afterwards), checks each one's poison,
 * gives them back to the slab and zeroes the counts. Returns the poisoned words that had
 * changed: writes after the free. Sleeps; nothing may be quarantined meanwhile.
 */
unsigned long kioctx_quarantine_release(void)
{
	struct rcu_head *head;
	unsigned long changed = 0;

	synchronize_rcu();
	spin_lock(&quarantine_lock);
	head = quarantine_head;
	quarantine_head = NULL;
	spin_unlock(&quarantine_lock);
	while (head) {
		struct kioctx *ctx = container_of(head, struct kioctx, rcu_head);

		head = head->next;
		changed += quarantine_damage(ctx);
		kioctx_cache_free(ctx);
	}
	atomic64_set(&quarantine_held, 0);
	atomic64_set(&quarantine_reached, 0);
	atomic64_set(&quarantine_first_reached_ns, 0);
	return changed;
}
