#ifndef KERNEL_MAIN_H
#define KERNEL_MAIN_H

#include <stdint.h>

extern uint64_t boot_tsc;
void kmain(uint32_t mbi_phys);

#endif
