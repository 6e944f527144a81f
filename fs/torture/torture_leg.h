/*
 * What `torture mounts` and `torture longterm` share: a run is legs (the real mechanism under
 * one load or delay point each), then the self-check of the broken variants. These two
 * functions are the part of each run that was written twice.
 */
#ifndef FS_TORTURE_TORTURE_LEG_H
#define FS_TORTURE_TORTURE_LEG_H

#include <stdbool.h>
#include "kernel/torture/torture.h"

bool torture_leg_watch(unsigned int ms, unsigned int *elapsed_ms, bool (*caught)(void),
		       void (*report)(const char *when));
int torture_legs_main(const char *kind, int argc, char **argv, const struct torture_broken *broken,
		      torture_broken_fn run_broken,
		      long long (*run_legs)(unsigned int seconds, bool *stopped));

#endif
