/*
 * QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=0x04): a write of v to
 * its port ends QEMU with exit status (v << 1) | 1. Without the device the write does nothing.
 * Status 0 can therefore only mean something else ended QEMU (a triple fault with -no-reboot).
 */
#ifndef ARCH_X86_64_QEMU_EXIT_H
#define ARCH_X86_64_QEMU_EXIT_H

#define QEMU_EXIT_PASS	0 /* QEMU exits 1 */
#define QEMU_EXIT_FAIL	1 /* QEMU exits 3 */
#define QEMU_EXIT_PANIC 2 /* QEMU exits 5 */

void qemu_exit(unsigned code);

#endif
