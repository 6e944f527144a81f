/*
 * Atomic integers and memory barriers, on the compiler's __atomic builtins (which emit LOCK-
 * prefixed instructions on x86). x86 keeps stores in order and loads in order (TSO), so acquire
 * and release cost nothing but a compiler barrier; only a store followed by a load of another
 * location can be reordered, which is what smp_mb() (MFENCE) prevents.
 */
#ifndef LIB_ATOMIC_H
#define LIB_ATOMIC_H

#include <stdint.h>
#include "lib/compiler.h"

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	int64_t counter;
} atomic64_t;

#define ATOMIC_INIT(v) { (v) }

#define smp_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_store_release(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define smp_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)

static inline int atomic_read(const atomic_t *a)
{
	return __atomic_load_n(&a->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *a, int v)
{
	__atomic_store_n(&a->counter, v, __ATOMIC_RELAXED);
}

static inline void atomic_add(int v, atomic_t *a)
{
	__atomic_fetch_add(&a->counter, v, __ATOMIC_SEQ_CST);
}

static inline int atomic_add_return(int v, atomic_t *a)
{
	return __atomic_add_fetch(&a->counter, v, __ATOMIC_SEQ_CST);
}

static inline void atomic_inc(atomic_t *a)
{
	atomic_add(1, a);
}

static inline void atomic_dec(atomic_t *a)
{
	atomic_add(-1, a);
}

static inline bool atomic_dec_and_test(atomic_t *a)
{
	return atomic_add_return(-1, a) == 0;
}

/* Stores new if the value is old; returns the value it found. */
static inline int atomic_cmpxchg(atomic_t *a, int old, int new)
{
	__atomic_compare_exchange_n(&a->counter, &old, new, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}

static inline int64_t atomic64_read(const atomic64_t *a)
{
	return __atomic_load_n(&a->counter, __ATOMIC_RELAXED);
}

static inline void atomic64_set(atomic64_t *a, int64_t v)
{
	__atomic_store_n(&a->counter, v, __ATOMIC_RELAXED);
}

static inline int64_t atomic64_add_return(int64_t v, atomic64_t *a)
{
	return __atomic_add_fetch(&a->counter, v, __ATOMIC_SEQ_CST);
}

static inline void atomic64_inc(atomic64_t *a)
{
	__atomic_fetch_add(&a->counter, 1, __ATOMIC_SEQ_CST);
}

#endif
