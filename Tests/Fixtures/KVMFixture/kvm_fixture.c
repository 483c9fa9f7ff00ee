/* kvm-fixture N: runs a tiny real-mode guest that executes `out` N times and then `hlt`.
 *
 * Each `out` returns from KVM_RUN to user space once (KVM_EXIT_IO) and `hlt` once more
 * (KVM_EXIT_HLT), so the process makes exactly N + 1 KVM_RUN ioctls. It checks that the
 * exits were exactly those and exits 0; any surprise exits non-zero with a message, so a
 * test never compares a probe count against a fixture that did something else. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_MEMORY 0x1000
#define GUEST_PORT 0x10

static int fail(const char *what)
{
	fprintf(stderr, "kvm-fixture: %s: %s\n", what, strerror(errno));
	return 2;
}

/* mov cx, N; jcxz done; l: out 0x10, al; loop l; done: hlt */
static void write_guest_code(uint8_t *memory, uint16_t outs)
{
	const uint8_t code[] = {
		0xB9, (uint8_t)(outs & 0xff), (uint8_t)(outs >> 8), /* 0: mov cx, N */
		0xE3, 0x04,                                         /* 3: jcxz 9 */
		0xE6, GUEST_PORT,                                   /* 5: out 0x10, al */
		0xE2, 0xFC,                                         /* 7: loop 5 */
		0xF4,                                               /* 9: hlt */
	};
	memcpy(memory, code, sizeof(code));
}

int main(int argc, char **argv)
{
	char *end = NULL;
	long outs = argc == 2 ? strtol(argv[1], &end, 10) : -1;

	if (argc != 2 || *end != '\0' || outs < 0 || outs > 0xffff) {
		fprintf(stderr, "usage: kvm-fixture N   (0 <= N <= 65535 `out` instructions)\n");
		return 64;
	}
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("open /dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	uint8_t *memory = mmap(NULL, GUEST_MEMORY, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (memory == MAP_FAILED)
		return fail("mmap guest memory");
	write_guest_code(memory, (uint16_t)outs);
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEMORY, .userspace_addr = (uint64_t)memory,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	struct kvm_regs regs = { .rip = 0, .rflags = 0x2 };
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");

	long io_exits = 0;
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return fail("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != GUEST_PORT ||
		    run->io.direction != KVM_EXIT_IO_OUT) {
			fprintf(stderr, "kvm-fixture: unexpected exit reason %u\n", run->exit_reason);
			return 3;
		}
		io_exits += 1;
	}
	if (io_exits != outs) {
		fprintf(stderr, "kvm-fixture: %ld `out` exits, expected %ld\n", io_exits, outs);
		return 3;
	}
	return 0;
}
