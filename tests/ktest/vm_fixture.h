/*
 * What the suites of address spaces share (tests/ktest/vm_test.c, mmu_gather_test.c): a fresh
 * mm entered by the test's thread, and the count of user pages and page tables to come back to.
 */
#ifndef TESTS_KTEST_VM_FIXTURE_H
#define TESTS_KTEST_VM_FIXTURE_H

#include <stdint.h>
#include "kernel/ktest.h"
#include "mm/mmap.h"

#define RW	    (PROT_READ | PROT_WRITE)
#define ANON	    (MAP_PRIVATE | MAP_ANONYMOUS)
#define KERNEL_ADDR 0xffff800000000000ULL

struct mm;

struct baseline {
	uint64_t user_pages, pgtables;
};

/* The user pages and page tables now, once earlier tests' tables are freed (a grace period). */
struct baseline baseline(void);
/* Expects the counts to be back at b. */
void expect_baseline(struct ktest *t, const struct baseline *b);
/* A new mm, which this kernel thread enters; NULL when out of memory. */
struct mm *enter_new_mm(const char *name);
/* Leaves mm and drops it. */
void leave_mm(struct mm *mm);
/* Writes i into page i of the n pages at a: 0, or -EFAULT. */
int fill_pages(uint64_t a, unsigned int n);

#endif
