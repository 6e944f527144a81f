/*
 * Console input: the bytes typed on the serial console, in order, for the shell's line editor
 * and for long commands that stop on Ctrl-C.
 *
 * With an I/O APIC, the UART interrupts (IRQ 4) when bytes arrive; the handler moves them into a
 * ring buffer and notes each Ctrl-C. Without one, readers poll the UART into the same ring
 * themselves, so both cases behave alike except for how a reader waits.
 */
#ifndef KERNEL_CONSOLE_INPUT_H
#define KERNEL_CONSOLE_INPUT_H

#include <stdbool.h>
#include <stdint.h>

/* Requests the UART's IRQ and enables its receive interrupt, or reports that input stays polled.
   After irq_init(), before interrupts are enabled. */
void console_input_init(void);
/* True when the receive interrupt fills the ring (false: polled). */
bool console_input_irq_driven(void);

/*
 * The next byte, waiting for one if needed (halted until an interrupt, when interrupt-driven).
 * Call with interrupts enabled. A Ctrl-C (0x03) comes through like any byte; taking it also
 * clears the pending Ctrl-C, since whoever reads it has seen it.
 */
int console_getc(void);
/* The next byte, or -1 when none has arrived. */
int console_getc_nonblock(void);
/* Returns once input may have arrived (or after a tick when polled); the caller looks again
   with console_getc_nonblock. Interrupts enabled; sleeps. */
void console_wait_for_input(void);
/* Makes console_interrupted() true again: a reader that took a Ctrl-C byte and stopped for it
   (/dev/console's read) leaves it for the shell. */
void console_note_interrupt(void);
/* Waits for input as a user process's read does: 0, or -EINTR when the process is being
   killed meanwhile. */
int console_wait_for_input_killable(void);
/* True once for each Ctrl-C typed since the last call (or since a reader took the byte). */
bool console_interrupted(void);
/* Bytes dropped because the ring was full. */
uint64_t console_input_overruns(void);

#endif
