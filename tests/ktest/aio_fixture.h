/*
 * What the aio suites share (tests/ktest/aio_test.c, aio_submit_test.c): each case runs in a
 * fresh mm, made by the suites' init hook and torn down by their exit hook.
 */
#ifndef TESTS_KTEST_AIO_FIXTURE_H
#define TESTS_KTEST_AIO_FIXTURE_H

#include "kernel/ktest.h"

int aio_mm_init(struct ktest *t);
void aio_mm_exit(struct ktest *t);

#endif
