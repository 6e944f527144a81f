/*
 * Compiler helpers shared by every layer: attributes, container_of, and the
 * READ_ONCE/WRITE_ONCE accessors that stop the compiler from tearing, merging
 * or caching a load or store that another CPU (or an interrupt) also touches.
 */
#ifndef LIB_COMPILER_H
#define LIB_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define __packed	 __attribute__((packed))
#define __aligned(x)	 __attribute__((aligned(x)))
#define __noreturn	 __attribute__((noreturn))
#define __unused	 __attribute__((unused))
#define __used		 __attribute__((used))
#define __section(s)	 __attribute__((section(s)))
#define __printf(a, b)	 __attribute__((format(printf, a, b)))
#define __noinline	 __attribute__((noinline))
/* Not inlined, and not specialised for its callers either (no constant propagation into it):
   a benchmark's baseline compiled the way the function it is measured against is. Clang has
   no such attribute; noinline is the nearest. */
#ifdef __clang__
#define __noipa __attribute__((noinline))
#else
#define __noipa __attribute__((noipa))
#endif
#undef __always_inline /* the host C library defines it too (host unit tests) */
#define __always_inline	 inline __attribute__((always_inline))

#define likely(x)	 __builtin_expect(!!(x), 1)
#define unlikely(x)	 __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#define ALIGN_UP(x, a)	 (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))

/* A compiler-only barrier: no CPU fence, but no reordering across it by gcc. */
#define barrier() __asm__ __volatile__("" ::: "memory")

#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/*
 * Address spaces for sparse (`make check`): a pointer into the user half is `char __user *`,
 * and the kernel may not dereference it, only pass it to the uaccess helpers (mm/uaccess.h);
 * an RCU-protected pointer is `__rcu`, read with rcu_dereference and written with
 * rcu_assign_pointer. __force marks a cast that leaves an address space on purpose. The
 * compilers see nothing of this.
 */
#ifdef __CHECKER__
#define __user	__attribute__((noderef, address_space(__user)))
#define __rcu	__attribute__((noderef, address_space(__rcu)))
#define __force __attribute__((force))
#else
#define __user
#define __rcu
#define __force
#endif

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

#endif
