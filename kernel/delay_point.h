/*
 * Delay points: named places inside a mechanism where the CPU can be made to wait, to widen a
 * race window that TCG's quick and regular interleaving of CPUs would otherwise hide. A
 * torture turns the points of its mechanism on for its run (and off after); `delay` in the
 * shell lists them with their hits and sets one by hand.
 *
 *	DEFINE_DELAY_POINT(dp_mntput_fast, "mntput-fast",
 *			   "inside mntput's fast path, after it saw mnt_ns set");
 *	...
 *	rcu_read_lock();
 *	if (likely(READ_ONCE(mnt->mnt_ns))) {
 *		delay_point(&dp_mntput_fast);
 *
 * Off (0 us, the default) a point costs one load of a word that is written only when someone
 * turns it on, and a branch that is never taken. On, it busy-waits (udelay), so it may sit
 * inside a spinlock, an RCU read-side section or an interrupt handler. A point defined with
 * DEFINE_SLEEPING_DELAY_POINT sits where its caller usually may sleep, and then sleeps instead
 * (msleep, rounded up to ticks; it busy-waits when preemption or interrupts are off): the CPU
 * goes to other threads, so that with two CPUs a third thread can run inside the window.
 *
 * A test that must see something happen inside a window, whatever the host's speed, links two
 * points: delay_point_set_until("mnt-write-hold", US, "mnt-hold-wait") keeps the first one's
 * window open until the second point is passed (or US have gone by), so the window lasts
 * exactly until the other CPU got there. Turning a point off ends the waits in progress.
 *
 * A test that must act while one given thread is inside the window holds it there instead:
 * delay_point_hold(dp, t) makes t's next pass spin until delay_point_release(dp), and
 * delay_point_held(dp) says when it is in. A wait for that state, not for some time.
 */
#ifndef KERNEL_DELAY_POINT_H
#define KERNEL_DELAY_POINT_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/atomic.h"
#include "lib/compiler.h"

struct thread;

struct delay_point {
	const char *name;   /* as `delay NAME US` and the tortures name it */
	const char *where;  /* the window it widens */
	unsigned int us;    /* how long each pass waits; 0: off */
	unsigned int every; /* wait on one pass in this many (0 or 1: every pass) */
	bool sleeps;	    /* the caller may sleep: msleep instead of udelay */
	atomic64_t passes;  /* passes while on */
	atomic64_t hits;    /* passes that waited */
	/* If set, a wait ends once this point has a pass (delay_point_set_until). */
	struct delay_point *until;
	const struct thread *hold_thread; /* delay_point_hold's thread, until released */
	bool held;			  /* hold_thread is spinning in the point */
} __aligned(8);

#define DELAY_POINT_HOLD ~0u /* us while a hold is armed: only hold_thread's pass stops */

#define DEFINE_DELAY_POINT(var, name_, where_)                                                     \
	struct delay_point var __used __aligned(8)                                                 \
		__section(".delay_points") = {.name = name_, .where = where_}

#define DEFINE_SLEEPING_DELAY_POINT(var, name_, where_)                                            \
	struct delay_point var __used __aligned(8)                                                 \
		__section(".delay_points") = {.name = name_, .where = where_, .sleeps = true}

void __delay_point(struct delay_point *dp);

/* Waits dp->us microseconds when the point is on; nothing else when it is off. */
static __always_inline void delay_point(struct delay_point *dp)
{
	if (unlikely(READ_ONCE(dp->us)))
		__delay_point(dp);
}

/* The point named name, or NULL. */
struct delay_point *delay_point_find(const char *name);
/* Turns the named point on (us > 0, waiting on one pass in every) or off (us = 0), and zeroes its
   counts when turning it on. Returns 0, or -ENOENT when no point has that name. */
int delay_point_set(const char *name, unsigned int us, unsigned int every);
/* delay_point_set(name, us, 1), the waits ending early once the point named until has a pass
   (and sleeping points busy-waiting). 0, or -ENOENT when either name is unknown. */
int delay_point_set_until(const char *name, unsigned int us, const char *until);
/* Turns every point off (and lets a held thread go). */
void delay_points_off(void);
/* Arms dp to hold thread t's next pass until delay_point_release(dp); other passes go through
   without waiting meanwhile. Returns 0, or -EBUSY when dp is on. */
int delay_point_hold(struct delay_point *dp, const struct thread *t);
/* Whether the thread of delay_point_hold is spinning inside dp now. */
bool delay_point_held(const struct delay_point *dp);
/* Lets the held thread go (or disarms the hold) and turns dp off. */
void delay_point_release(struct delay_point *dp);
/* Iterates: the first point for NULL, then the one after prev; NULL at the end. */
struct delay_point *delay_point_next(struct delay_point *prev);

#endif
