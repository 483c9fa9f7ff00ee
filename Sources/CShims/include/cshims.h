#ifndef VSOCKBENCH_CSHIMS_H
#define VSOCKBENCH_CSHIMS_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <linux/vm_sockets.h>

/// AF_VSOCK address family (40 on Linux).
static inline int cshims_af_vsock(void) { return AF_VSOCK; }
static inline uint32_t cshims_vmaddr_cid_any(void) { return VMADDR_CID_ANY; }
static inline uint32_t cshims_vmaddr_port_any(void) { return VMADDR_PORT_ANY; }
static inline int cshims_so_vm_sockets_buffer_size(void) { return SO_VM_SOCKETS_BUFFER_SIZE; }
static inline int cshims_so_vm_sockets_buffer_min_size(void) { return SO_VM_SOCKETS_BUFFER_MIN_SIZE; }
static inline int cshims_so_vm_sockets_buffer_max_size(void) { return SO_VM_SOCKETS_BUFFER_MAX_SIZE; }
static inline unsigned long cshims_ioctl_vm_sockets_get_local_cid(void) { return IOCTL_VM_SOCKETS_GET_LOCAL_CID; }

/// Fills a sockaddr_vm; returns its size.
static inline socklen_t cshims_make_sockaddr_vm(struct sockaddr_vm *addr, uint32_t cid, uint32_t port) {
    __builtin_memset(addr, 0, sizeof(*addr));
    addr->svm_family = AF_VSOCK;
    addr->svm_cid = cid;
    addr->svm_port = port;
    return (socklen_t)sizeof(*addr);
}

/// RUSAGE_THREAD (Linux, needs _GNU_SOURCE in C).
static inline int cshims_rusage_thread(void) { return 1; }

/// ioctl with an integer-pointer argument (Swift cannot call the variadic ioctl directly).
int cshims_ioctl_ptr(int fd, unsigned long request, void *arg);

/// prctl(PR_SET_PDEATHSIG, sig): the target dies with the driver that started it.
int cshims_set_parent_death_signal(int sig);

#endif
