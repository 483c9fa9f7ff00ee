#ifndef VSOCKBENCH_CVSOCKPROBE_H
#define VSOCKBENCH_CVSOCKPROBE_H

/* The counter and tracepoint layout the BPF programs use, so Swift reads the same structs. */
#include "../../../bpf/vsockbench.h"

#include <sys/types.h>

/* A child process forked and held before exec, so a probe can be attached to its pid first. */
typedef struct {
	pid_t pid;
	int release_fd; /* write one byte to let the child exec; close without writing to end it */
	int exec_error_fd; /* reads EOF when exec succeeded, else the errno of the failed execve */
} cvp_held_child;

/* Forks a child that blocks in read(2) until released, then execve(path, argv, envp). The child
 * gets SIGKILL when the thread that forked it ends (PR_SET_PDEATHSIG): it never outlives the
 * process that started it. With `stdout_to_stderr`, the child's standard output is its standard
 * error (the caller's standard output carries JSON). Returns 0, or an errno value when the pipes
 * or the fork failed. */
int cvp_spawn_held(const char *path, char *const argv[], char *const envp[], int stdout_to_stderr, cvp_held_child *child);

/* pidfd_open(pid, 0) (Linux 5.3+): a descriptor that polls readable once the process has
 * exited, before it is reaped. Returns it, or -errno (ENOSYS on older kernels). */
int cvp_pidfd_open(pid_t pid);

/* pidfd_getfd(pidfd, fd, 0) (Linux 5.6+): a copy, in this process, of the descriptor `fd` of
 * the process `pidfd` refers to (it needs ptrace access to that process). Returns it, or -errno. */
int cvp_pidfd_getfd(int pidfd, int fd);

#endif
