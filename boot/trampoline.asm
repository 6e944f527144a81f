; The application processors' (APs') first instructions. An AP starts in 16-bit real mode at the
; page the startup IPI names (vector 0x08 -> physical 0x8000), so this code is copied there before
; the IPIs are sent and is written to run at that address: every absolute address is computed as
; TRAMPOLINE_BASE + (label - trampoline_start).
;
; Path: real mode -> 32-bit protected mode (a flat GDT of our own) -> long mode, with CR3 = the
; boot page tables (they identity-map low memory, so this page stays reachable when paging turns
; on, and they map the kernel at -2 GiB) -> ap_entry64 in the kernel's text (below), which loads
; the kernel's real page tables, where this page is no longer mapped, and the AP's own stack.
;
; The boot CPU fills the parameter block at the end before each startup IPI and brings the APs
; up one at a time, so one block is enough.

%include "boot/memlayout.inc"

TRAMPOLINE_BASE equ 0x8000
%define T(x) (TRAMPOLINE_BASE + (x) - trampoline_start)

section .rodata
bits 16
global trampoline_start, trampoline_end
global trampoline_cr3, trampoline_kernel_cr3, trampoline_stack, trampoline_arg
extern ap_start
trampoline_start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	lgdt [T(tramp_gdt_ptr)]
	mov eax, cr0
	or eax, 1                       ; PE: protected mode
	mov cr0, eax
	jmp dword 0x08:T(tramp32)

bits 32
tramp32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov eax, [T(trampoline_cr3)]
	mov cr3, eax
	mov ecx, 0xc0000080             ; EFER: long mode enable, no-execute enable
	rdmsr
	or eax, (1 << 8) | (1 << 11)
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16)   ; PG, WP
	mov cr0, eax
	jmp 0x18:T(tramp64)

bits 64
tramp64:
	LOAD_64BIT_DATA_SEGMENTS
	; Everything the AP needs from the parameter block goes into registers now: after the switch
	; to the kernel's page tables this page is gone.
	mov rdi, [T(trampoline_arg)]
	mov rsi, [T(trampoline_stack)]
	mov rdx, [T(trampoline_kernel_cr3)]
	mov rax, ap_entry64
	jmp rax

align 8
tramp_gdt:
	dq 0
	dq 0x00cf9a000000ffff           ; 0x08: 32-bit code, 4 GiB flat
	dq 0x00cf92000000ffff           ; 0x10: data, 4 GiB flat
	dq 0x00209a0000000000           ; 0x18: 64-bit code
tramp_gdt_ptr:
	dw tramp_gdt_ptr - tramp_gdt - 1
	dd T(tramp_gdt)
align 8
trampoline_cr3:        dq 0            ; the boot PML4 (physical, below 4 GiB)
trampoline_kernel_cr3: dq 0            ; the kernel's PML4 (physical)
trampoline_stack:      dq 0            ; the AP's stack top (kernel virtual)
trampoline_arg:        dq 0            ; its CPU number, passed to ap_start in RDI
trampoline_end:

; Runs at the kernel's link address, mapped by both the boot and the kernel page tables.
section .text
ap_entry64:
	mov cr3, rdx
	mov rsp, rsi
	xor ebp, ebp                    ; ends backtraces
	call ap_start                   ; never returns
.hang:
	cli
	hlt
	jmp .hang
