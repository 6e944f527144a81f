; int catch_call(void (*fn)(void *), void *arg, struct catch_regs *regs)
; See arch/x86_64/catch_call.h. System V ABI: rdi = fn, rsi = arg, rdx = regs; rbx, rbp,
; r12-r15 and rsp belong to the caller and must come back unchanged, on both ways out.

section .text
global catch_call
catch_call:
	push rbp
	mov rbp, rsp
	mov [rdx + 0], rbx
	mov [rdx + 8], rbp
	mov [rdx + 16], r12
	mov [rdx + 24], r13
	mov [rdx + 32], r14
	mov [rdx + 40], r15
	mov [rdx + 48], rsp
	lea rax, [rel .faulted]
	mov [rdx + 56], rax

	mov rax, rdi
	mov rdi, rsi                    ; fn(arg)
	call rax
	xor eax, eax                    ; fn returned
	pop rbp
	ret

	; A trap handler resumed us here (iretq with the saved rsp, rbp and callee-saved
	; registers): the stack is exactly as it was before the call above.
.faulted:
	mov eax, 1
	pop rbp
	ret
