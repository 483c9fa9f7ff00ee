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

/// recv and send on a socket as bare system calls (recvfrom and sendto, which glibc's recv and
/// send make too). glibc's wrappers are cancellation points: they switch asynchronous thread
/// cancellation on and off around the call, about 60 instructions a call (callgrind), twice per
/// message on each side of a round trip; nothing here cancels threads. -1 with errno on error.
/// Built with ThreadSanitizer, they call glibc's recv and send instead: TSan's interceptors of
/// those calls are what tell it that a send on one thread happened before the recv on another.
ssize_t cshims_recv(int fd, void *buffer, size_t length, int flags);
ssize_t cshims_send(int fd, const void *buffer, size_t length, int flags);

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

/// The calling thread's id (gettid(2); Swift's Glibc does not export the wrapper).
int cshims_gettid(void);

/// ioctl with an integer-pointer argument (Swift cannot call the variadic ioctl directly).
int cshims_ioctl_ptr(int fd, unsigned long request, void *arg);

/// prctl(PR_SET_PDEATHSIG, sig): the target dies with the driver that started it.
int cshims_set_parent_death_signal(int sig);

/// pipe2(O_CLOEXEC) and accept4(SOCK_CLOEXEC): glibc declares them only with _GNU_SOURCE.
int cshims_pipe_cloexec(int fds[2]);
int cshims_accept_cloexec(int fd, struct sockaddr *addr, socklen_t *len);

/// ppoll on one descriptor for POLLIN with a nanosecond timeout: >0 readable, 0 timeout, -1 error.
int cshims_wait_readable(int fd, uint64_t nanos);

/// After a zero-length receive on a SOCK_SEQPACKET socket: 1 when it took an empty message
/// (the peer has not shut down its side, or a non-empty message is still queued), 0 when it
/// was the end of the stream (the peer shut down with nothing but empty messages queued, or
/// the check failed). Unix seqpacket delivers empty messages; recvmsg returns 0 for them and
/// for the end alike.
int cshims_seqpacket_empty_message(int fd);

/// malloc_trim(0): gives freed heap memory back to the system (glibc keeps it otherwise).
int cshims_malloc_trim(void);

/// Bytes the allocator has handed out and not had back (mallinfo2: uordblks + hblkhd), for
/// tests that hold the target to its memory estimates.
unsigned long cshims_heap_in_use(void);

/// Names the calling thread (shows in top -H and perf).
void cshims_set_thread_name(const char *name);

/// Release-store and acquire-load of a 64-bit slot in a plain array (send timestamps handed
/// from the sender thread to the receiver thread of a pipelined connection).
static inline void cshims_store_release_u64(uint64_t *slot, uint64_t value) { __atomic_store_n(slot, value, __ATOMIC_RELEASE); }
static inline uint64_t cshims_load_acquire_u64(const uint64_t *slot) { return __atomic_load_n(slot, __ATOMIC_ACQUIRE); }

/// Opens /dev/null on each of descriptors 0, 1 and 2 that is closed, so that no file or socket
/// opened later takes its number (a log line on stderr would go into it) and a write to stderr
/// is never a write to a closed descriptor. Returns how many it opened, or -1 on failure.
int cshims_open_standard_streams(void);

/// Raises the soft limit on open files to the hard one where it is lower; returns the soft
/// limit then in force, or -1 when it cannot be read (RLIM_INFINITY reads as INT64_MAX).
int64_t cshims_raise_open_file_limit(void);

#endif
