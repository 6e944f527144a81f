; The first instructions at the kernel's link address (-2 GiB), reached from boot/entry.asm once
; the CPU is in 64-bit mode. Kept in a file of its own so that nasm's debug information covers it
; (one section per file), which lets gdb name it in backtraces.

%include "boot/memlayout.inc"

extern kmain
extern __stack_chk_guard
extern mbi_phys

section .text
bits 64
global higher_half_entry
higher_half_entry:
	lea rsp, [rel boot_stack_top]
	xor ebp, ebp                    ; a zero frame pointer ends every backtrace
	; The stack protector's canary: a boot-time value from the TSC, set before any C function
	; that checks it has run.
	rdtsc
	shl rdx, 32
	or rax, rdx
	mov rcx, 0x2f8e3c5b7a9d1e4f
	xor rax, rcx
	mov [rel __stack_chk_guard], rax
	mov edi, [mbi_phys]             ; first argument: the boot information's physical address
	call kmain
.hang:
	cli
	hlt
	jmp .hang

; The boot CPU's stack, with a guard page below it that mm/kernel_map.c leaves unmapped, so an
; overflow faults instead of corrupting .bss.
section .bss.boot_stack nobits alloc noexec write align=4096
global boot_stack_guard, boot_stack, boot_stack_top
boot_stack_guard: resb 4096
boot_stack:       resb BOOT_STACK_SIZE
boot_stack_top:
