#define _GNU_SOURCE
#include "cshims.h"
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CSHIMS_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CSHIMS_TSAN 1
#endif

ssize_t cshims_recv(int fd, void *buffer, size_t length, int flags) {
#ifdef CSHIMS_TSAN
    return recv(fd, buffer, length, flags);
#else
    return (ssize_t)syscall(SYS_recvfrom, fd, buffer, length, flags, (void *)0, (void *)0);
#endif
}

ssize_t cshims_send(int fd, const void *buffer, size_t length, int flags) {
#ifdef CSHIMS_TSAN
    return send(fd, buffer, length, flags);
#else
    return (ssize_t)syscall(SYS_sendto, fd, buffer, length, flags, (void *)0, (socklen_t)0);
#endif
}

int cshims_ioctl_ptr(int fd, unsigned long request, void *arg) {
    return ioctl(fd, request, arg);
}

int cshims_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0);
}

int cshims_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int cshims_accept_cloexec(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_CLOEXEC);
}

#include <pthread.h>
void cshims_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

#include <poll.h>
#include <time.h>
int cshims_wait_readable(int fd, uint64_t nanos) {
    struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
    struct timespec ts = { .tv_sec = (time_t)(nanos / 1000000000ull), .tv_nsec = (long)(nanos % 1000000000ull) };
    return ppoll(&p, 1, &ts, NULL);
}

#include <sys/socket.h>
int cshims_seqpacket_empty_message(int fd) {
    // POLLRDHUP (a _GNU_SOURCE name): the peer shut down its side, with or without data left.
    struct pollfd p = { .fd = fd, .events = POLLRDHUP, .revents = 0 };
    int ready = poll(&p, 1, 0);
    if (ready < 0 || (p.revents & POLLNVAL)) return 0;
    if (!(p.revents & (POLLRDHUP | POLLHUP | POLLERR))) return 1;
    // Shut down: bytes still queued mean the zero-length receive took a message. FIONREAD
    // counts every queued message of a Unix seqpacket socket (empty ones add nothing), so
    // only empty messages followed by the end read as the end.
    int queued = 0;
    if (ioctl(fd, FIONREAD, &queued) == 0) return queued > 0;
    // No FIONREAD (vsock on older kernels, where messages are never empty): the next one.
    char byte;
    return recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

#include <malloc.h>
int cshims_malloc_trim(void) {
    return malloc_trim(0);
}

unsigned long cshims_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return (unsigned long)(info.uordblks + info.hblkhd);
}

int cshims_open_standard_streams(void)
{
	int opened = 0;

	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* The lowest free descriptor: this one, since those below it are open. */
		int null = open("/dev/null", O_RDWR);
		if (null < 0)
			return -1;
		if (null != fd) {
			close(null);
			return -1;
		}
		opened++;
	}
	return opened;
}

int64_t cshims_raise_open_file_limit(void)
{
	struct rlimit limit;

	if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
		return -1;
	if (limit.rlim_cur < limit.rlim_max) {
		struct rlimit raised = { limit.rlim_max, limit.rlim_max };
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			limit.rlim_cur = limit.rlim_max;
	}
	return limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > (rlim_t)INT64_MAX ? INT64_MAX : (int64_t)limit.rlim_cur;
}

#include <sys/syscall.h>
#include <unistd.h>
int cshims_gettid(void) {
    return (int)syscall(SYS_gettid);
}
