/*
 * reboot and poweroff. A PC has no single "reset" instruction; the classic ways are used:
 *
 * Reset: the 8042 keyboard controller drives the CPU's reset line (command 0xfe pulses it). If
 * that does not work, a triple fault does: with an empty IDT, int3 cannot be delivered, nor can
 * the double fault that follows, and the CPU shuts down, which the chipset turns into a reset.
 * (QEMU with -no-reboot exits instead of resetting.)
 *
 * Power off: ACPI sleep state S5 is entered by writing SLP_TYP (bits 10-12) and SLP_EN (bit 13)
 * to the PM1a control register. The register's port and S5's SLP_TYP come from the FADT and the
 * DSDT's \_S5 object; on QEMU's pc and q35 machines they are 0x604 and 0, which is what we use.
 */
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"

#define KBC_STATUS	0x64 /* 8042 status (read) and command (write) port */
#define KBC_STATUS_IBF	0x02 /* input buffer full: the controller has not taken a byte yet */
#define KBC_CMD_RESET	0xfe /* pulse output line 0: the CPU reset */
#define QEMU_PM1A_CNT	0x604
#define ACPI_SLP_EN	(1 << 13)
#define QEMU_S5_SLP_TYP 0
#define SETTLE_US	100000 /* how long to wait for the machine to act on a request */

static __noreturn void triple_fault(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty_idt; /* limit 0: no vector is valid */

	__asm__ __volatile__("lidt %0; int3" ::"m"(empty_idt));
	halt_forever();
}

static int cmd_reboot(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	kprintf("Rebooting.\n");
	local_irq_disable();
	for (int i = 0; i < 1000 && (inb(KBC_STATUS) & KBC_STATUS_IBF); i++)
		udelay(10);
	outb(KBC_STATUS, KBC_CMD_RESET);
	udelay(SETTLE_US);
	triple_fault();
}
SHELL_COMMAND("reboot", "", "reset the machine", cmd_reboot);

static int cmd_poweroff(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	kprintf("Powering off.\n");
	local_irq_disable();
	outw(QEMU_PM1A_CNT, ACPI_SLP_EN | QEMU_S5_SLP_TYP << 10);
	udelay(SETTLE_US);
	kprintf("poweroff: the machine is still running (no ACPI PM1a control at port 0x%x); "
		"halted\n",
		QEMU_PM1A_CNT);
	halt_forever();
}
SHELL_COMMAND("poweroff", "", "turn the machine off (ACPI S5, as QEMU provides it)", cmd_poweroff);
