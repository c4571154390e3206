/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threat model: the helper is setuid root and anyone may exec it with any
 * argv, environment, open fds, rlimits, umask, signal mask — or kill it at
 * any instant. Nothing inherited is trusted; identity comes from the kernel.
 */
#define _GNU_SOURCE
#include "hygiene.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "proto.h"

static int stdio_valid(void)
{
	int fd;

	/* OpenSSH's sanitise_stdfd: a closed 0-2 would make the next open()
	 * land there and our messages go into a file. */
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (errno != EBADF)
			return -errno;
		int nfd = open("/dev/null", O_RDWR);
		if (nfd < 0)
			return -errno;
		if (nfd != fd) {
			/* cannot happen with lowest-free allocation, but be sure */
			iso_close(nfd);
			return -EBADF;
		}
	}
	return 0;
}

static int close_other_fds(int keep_fd)
{
	/* close_range(2) is one syscall however many fds a hostile caller
	 * left open (Linux >= 5.9). */
	if (keep_fd < 3)
		return syscall(SYS_close_range, 3U, ~0U, 0U) < 0 ? -errno : 0;
	if (keep_fd > 3 && syscall(SYS_close_range, 3U, (unsigned)keep_fd - 1, 0U) < 0)
		return -errno;
	if (syscall(SYS_close_range, (unsigned)keep_fd + 1, ~0U, 0U) < 0)
		return -errno;
	return 0;
}

/* An interval timer survives execve: armed by the caller, it would fire
 * SIGALRM/SIGVTALRM/SIGPROF (fatal by default) at a moment of its choosing,
 * after we became root and the caller could no longer signal us. */
static int reset_timers(void)
{
	static const int which[] = {ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF};
	const struct itimerval off = {{0, 0}, {0, 0}};
	size_t i;

	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++)
		if (setitimer(which[i], &off, NULL) < 0)
			return -errno;
	return 0;
}

/*
 * Resource limits survive execve too, and the caller may have lowered
 * them so that we run out of fds, file size or memory half-way through a
 * change. Soft limits are raised to the hard ones (always allowed);
 * hard limits below what a call needs are refused up front, before
 * anything is changed (iso_check_rlimits), since raising them takes
 * CAP_SYS_RESOURCE, which root may not have.
 */
static const struct {
	int res;
	const char *name;
	rlim_t min;
} rlimit_min[] = {
	{RLIMIT_NOFILE, "RLIMIT_NOFILE (open files)", 64},
	{RLIMIT_FSIZE, "RLIMIT_FSIZE (file size)", 1 << 20},
	{RLIMIT_CPU, "RLIMIT_CPU (CPU seconds)", 10},
	{RLIMIT_AS, "RLIMIT_AS (address space)", 128 << 20},
	{RLIMIT_DATA, "RLIMIT_DATA (data size)", 128 << 20},
	{RLIMIT_STACK, "RLIMIT_STACK (stack size)", 256 << 10},
};

static void raise_soft_limits(void)
{
	struct rlimit rl;
	size_t i;

	for (i = 0; i < sizeof(rlimit_min) / sizeof(rlimit_min[0]); i++) {
		/* RLIMIT_STACK is left alone: raising it to unlimited would
		 * only change the layout of later mappings. */
		if (rlimit_min[i].res == RLIMIT_STACK)
			continue;
		if (getrlimit(rlimit_min[i].res, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(rlimit_min[i].res, &rl);
		}
	}
}

int iso_check_rlimits(struct iso_err *err)
{
	struct rlimit rl;
	size_t i;

	for (i = 0; i < sizeof(rlimit_min) / sizeof(rlimit_min[0]); i++) {
		if (getrlimit(rlimit_min[i].res, &rl) < 0)
			return iso_err_set(err, -errno, "getrlimit: %s", strerror(errno));
		if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rlimit_min[i].min)
			return iso_err_set(err, -E2BIG,
					   "%s is %llu, below the %llu this helper needs: refusing "
					   "to start a change it could not finish",
					   rlimit_min[i].name, (unsigned long long)rl.rlim_cur,
					   (unsigned long long)rlimit_min[i].min);
	}
	return 0;
}

/*
 * The caller's environment strings stay in our memory after clearenv(),
 * and in /proc/PID/environ of the sandbox holder we fork, which lives on.
 * Wipe the whole area the kernel copied them to (env_start..env_end of
 * /proc/self/stat): the loader already unlinked the LD_* variables it
 * refused from environ[], so walking environ[] would miss exactly those.
 */
static void wipe_environ(void)
{
	char buf[2048], *p, *end;
	unsigned long long start = 0, stop = 0;
	ssize_t n;
	char **e;
	int fd, field;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	iso_close(fd);
	if (n > 0) {
		buf[n] = '\0';
		p = strrchr(buf, ')');
		/* fields after "(comm)" start at 3; env_start is 50, env_end 51 */
		for (field = 2; p && field < 50; field++) {
			p = strchr(p + 1, ' ');
		}
		if (p) {
			start = strtoull(p + 1, &end, 10);
			stop = *end == ' ' ? strtoull(end + 1, NULL, 10) : 0;
		}
	}
	if (start && stop > start && stop - start <= 64ULL << 20) {
		/* the kernel's address of our own env area, hence the cast */
		explicit_bzero((void *)(uintptr_t)start, /* NOLINT(performance-no-int-to-ptr) */
			       (size_t)(stop - start));
		return;
	}
	for (e = environ; e && *e; e++)
		explicit_bzero(*e, strlen(*e));
}

static int reset_signals(void)
{
	struct sigaction dfl;
	sigset_t none, pend;
	int sig;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* EINVAL for the signals glibc reserves: fine */
		sigaction(sig, &dfl, NULL);
	}
	/* Signals that came while the caller had them blocked (a timer it
	 * armed before the exec) are pending still: unblocked, the default
	 * action would end us before we answer. Ignoring a pending signal
	 * discards it. */
	if (sigpending(&pend) == 0) {
		for (sig = 1; sig < NSIG; sig++) {
			if (sig == SIGKILL || sig == SIGSTOP || sigismember(&pend, sig) != 1)
				continue;
			signal(sig, SIG_IGN);
			sigaction(sig, &dfl, NULL);
		}
	}
	/* A write must fail, not kill us half-way: past RLIMIT_FSIZE
	 * (SIGXFSZ) or into a pipe the caller closed (SIGPIPE). */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return -errno;
	return 0;
}

int iso_sanitize_process(int keep_fd)
{
	struct rlimit core = {0, 0};
	int r;

	/* first: stdio_valid() needs fds the caller may have limited */
	raise_soft_limits();
	r = stdio_valid();
	if (r < 0)
		return r;
	r = close_other_fds(keep_fd);
	if (r < 0)
		return r;
	/* EBADF: no socket at all; iso_caller_identify() says so clearly */
	if (keep_fd >= 0 && fcntl(keep_fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
		return -errno;
	wipe_environ();
	if (clearenv() != 0)
		return -ENOMEM;
	if (setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0)
		return -errno;
	umask(077);
	if (setrlimit(RLIMIT_CORE, &core) < 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	/* timers first: one still armed would fire once signals are open */
	r = reset_timers();
	if (r < 0)
		return r;
	r = reset_signals();
	if (r < 0)
		return r;
	/* Work from a directory no user controls. */
	if (chdir("/") < 0)
		return -errno;
	return 0;
}

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux >= 6.5 */
#endif

/* Pid of a pidfd, from its fdinfo ("Pid:\t<n>"); -1 when it has exited. */
static pid_t pidfd_pid(int pidfd)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	if (iso_read_file_at(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, "Pid:");
	return p ? (pid_t)strtol(p + 4, NULL, 10) : 0;
}

/* An unnamed AF_UNIX address: the end of a socketpair(2). A socket
 * connected to a listener reports the listener's name instead, and
 * SO_PEERCRED then gives the listener's credentials, not our parent's. */
static int unnamed(int fd, int peer)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	if ((peer ? getpeername(fd, (struct sockaddr *)&sa, &len)
		  : getsockname(fd, (struct sockaddr *)&sa, &len)) < 0)
		return 0;
	return sa.sun_family == AF_UNIX && len == sizeof(sa_family_t);
}

int iso_caller_identify(int fd, struct iso_caller *out, struct iso_err *err)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat st;
	int type = 0, pidfd = -1;
	socklen_t tlen = sizeof(type), plen = sizeof(pidfd);
	pid_t ppid = getppid();

	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return iso_err_set(err, -ENOTSOCK,
				   "fd %d is not the protocol socket: this program is run by "
				   "pam_isolate.so, see pam_isolate(8)",
				   fd);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 || type != SOCK_SEQPACKET)
		return iso_err_set(err, -EPROTOTYPE, "fd %d is not a SOCK_SEQPACKET socket", fd);
	if (!unnamed(fd, 1) || !unnamed(fd, 0))
		return iso_err_set(err, -EPERM,
				   "fd %d is a socket with a name, not one end of a socketpair: "
				   "refusing",
				   fd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return iso_err_set(err, -errno, "SO_PEERCRED: %s", strerror(errno));
	/* pid 0: the socket's creator is outside our pid namespace. The
	 * creator must be the process that exec'd us: a pair handed to us by
	 * some other process names someone we must not place. */
	if (cred.pid <= 0 || cred.pid != ppid)
		return iso_err_set(err, -EPERM, "socket peer pid %d is not our parent %d: refusing",
				   cred.pid, (int)ppid);
	/* Where the kernel has it, the peer as a pidfd: a pid number that
	 * only happens to equal our parent's is not enough. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &plen) == 0) {
		pid_t p = pidfd_pid(pidfd);

		iso_close(pidfd);
		if (p != ppid)
			return iso_err_set(
				err, -EPERM,
				"socket peer (pidfd: pid %d) is not our parent %d: refusing",
				(int)p, (int)ppid);
	} else if (errno != ENOPROTOOPT && errno != EINVAL) {
		return iso_err_set(err, -errno, "SO_PEERPIDFD: %s", strerror(errno));
	}
	/* Every PAM application that opens sessions runs with euid 0 (sshd,
	 * login, su, sudo, cron, systemd): a setuid program has no reason to
	 * do anything for anyone else. Nothing else is read or made. */
	if (cred.uid != 0)
		return iso_err_set(err, -EACCES,
				   "refusing: this helper serves PAM applications that run as "
				   "root, and its caller runs as uid %u (see pam_isolate(8))",
				   (unsigned)cred.uid);
	out->ruid = getuid();
	out->pid = cred.pid;
	out->kept = 0;
	out->pidfd = -1;
	out->deadline_ms = 0;
	return 0;
}

int iso_become_root(struct iso_err *err)
{
	if (setgroups(0, NULL) < 0)
		return iso_err_set(err, -errno, "setgroups: %s", strerror(errno));
	if (setresgid(0, 0, 0) < 0)
		return iso_err_set(err, -errno, "setresgid: %s", strerror(errno));
	if (setresuid(0, 0, 0) < 0)
		return iso_err_set(err, -errno, "setresuid: %s", strerror(errno));
	/* setresuid re-evaluates dumpability; keep us out of ptrace and
	 * core files for the user who started us. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return iso_err_set(err, -errno, "PR_SET_DUMPABLE: %s", strerror(errno));
	return 0;
}

int iso_bind_to_caller(const struct iso_caller *caller, struct iso_err *err)
{
	/* The pid we place is a number: once our parent is gone it could be
	 * recycled by any process, which we would then move into the user's
	 * cgroup. Die with the parent instead (set after the last credential
	 * change, which clears it), and check it did not die already. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return iso_err_set(err, -errno, "PR_SET_PDEATHSIG: %s", strerror(errno));
	if (getppid() != caller->pid)
		return iso_err_set(err, -ESRCH, "caller %d went away", (int)caller->pid);
	return 0;
}

long long iso_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int iso_caller_present(const struct iso_caller *caller)
{
	struct pollfd pfd = {.fd = ISO_HELPER_FD, .events = POLLRDHUP};

	if (!caller->kept)
		return 0;
	if (caller->pidfd < 0 || syscall(SYS_pidfd_send_signal, caller->pidfd, 0, NULL, 0) < 0)
		return -ESRCH;
	/* The module gives up at 30 s and closes with a helper of its own;
	 * a copy of its socket elsewhere (sshd's unprivileged child) would
	 * hide that hang-up, the clock does not. */
	if (iso_now_ms() > caller->deadline_ms)
		return -ETIMEDOUT;
	if (poll(&pfd, 1, 0) != 0)
		return -ESRCH; /* hung up, or an error on the socket */
	return 0;
}
