/*
 * Resource limits: getrlimit, setrlimit, prlimit64 (kernel/rlimit.c), per process as Linux's
 * signal_struct.rlim. Nothing enforces them yet but what reads rlimit() (fs/ and mm/ may).
 */
#ifndef KERNEL_RLIMIT_H
#define KERNEL_RLIMIT_H

#include <stdint.h>

/* Linux's resource numbers (uapi asm-generic/resource.h). */
#define RLIMIT_CPU	  0
#define RLIMIT_FSIZE	  1
#define RLIMIT_DATA	  2
#define RLIMIT_STACK	  3
#define RLIMIT_CORE	  4
#define RLIMIT_RSS	  5
#define RLIMIT_NPROC	  6
#define RLIMIT_NOFILE	  7
#define RLIMIT_MEMLOCK	  8
#define RLIMIT_AS	  9
#define RLIMIT_LOCKS	  10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE	  12
#define RLIMIT_NICE	  13
#define RLIMIT_RTPRIO	  14
#define RLIMIT_RTTIME	  15
#define RLIM_NLIMITS	  16

#define RLIM_INFINITY (~0ULL)

#define RLIMIT_STACK_DEFAULT (8ULL << 20) /* soft; the hard limit is RLIM_INFINITY */
/* The soft and hard RLIMIT_NOFILE: the slots of a descriptor table. fs/file.c checks at build
   time that this is its NR_OPEN (kernel/ may not include fs/file.h). */
#define RLIMIT_NOFILE_DEFAULT 64

/* The user's struct rlimit64 (and struct rlimit: the same on x86_64). */
struct rlimit64 {
	uint64_t rlim_cur; /* the soft limit: what is enforced */
	uint64_t rlim_max; /* the hard limit: the ceiling of rlim_cur */
};

/* The calling process's limit of resource (< RLIM_NLIMITS). */
struct rlimit64 rlimit(unsigned int resource);

#endif
