#define _GNU_SOURCE
#include "CVsockProbe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438 /* likewise */
#endif

/* Between fork and exec the child only makes async-signal-safe calls: it may be a fork of a
 * multi-threaded Swift process. */
int cvp_spawn_held(const char *path, char *const argv[], char *const envp[], int stdout_to_stderr, cvp_held_child *child)
{
	int release[2];
	int exec_error[2];

	if (pipe2(release, O_CLOEXEC) != 0)
		return errno;
	if (pipe2(exec_error, O_CLOEXEC) != 0) {
		int saved = errno;
		close(release[0]);
		close(release[1]);
		return saved;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int saved = errno;
		close(release[0]);
		close(release[1]);
		close(exec_error[0]);
		close(exec_error[1]);
		return saved;
	}
	if (pid == 0) {
		char go = 0;
		sigset_t none;

		close(release[1]);
		close(exec_error[0]);
		/* Killed when vsockbench goes, however it goes (SIGKILL included): a followed command
		 * never outlives the session that started it. The signal is not cleared by execve
		 * (unless the command is set-user-ID). A parent that died before prctl took effect
		 * sends nothing: then this child's parent is no longer it, and it ends now. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)
			_exit(127);
		/* With `--json -` the JSON owns standard output: the command writes to standard error.
		 * Where that fails (standard error closed), the parent is told why, as a negative
		 * errno on the exec-error pipe, and does not take the 127 for the command's own. */
		if (stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
			int failure = -errno;
			(void)!write(exec_error[1], &failure, sizeof(failure));
			_exit(127);
		}
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* Both pipe ends left here are close-on-exec: after the release, execve is the only
		 * syscall the command did not make itself. */
		ssize_t got;
		do
			got = read(release[0], &go, 1);
		while (got < 0 && errno == EINTR);
		if (got != 1)
			_exit(127);
		execve(path, argv, envp);
		int failure = errno;
		(void)!write(exec_error[1], &failure, sizeof(failure));
		_exit(127);
	}
	close(release[0]);
	close(exec_error[1]);
	child->pid = pid;
	child->release_fd = release[1];
	child->exec_error_fd = exec_error[0];
	return 0;
}

int cvp_pidfd_open(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);
	return fd < 0 ? -errno : (int)fd;
}

int cvp_pidfd_getfd(int pidfd, int fd)
{
	long copy = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	return copy < 0 ? -errno : (int)copy;
}
