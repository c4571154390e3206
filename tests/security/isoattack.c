/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isoattack: runs the setuid helper the way pam_isolate.so does (a
 * SOCK_SEQPACKET socketpair, fork, the socket on fd 3, execve), but with
 * whatever argv, environment, fds, rlimits, umask, signal state and
 * request a hostile caller chooses. The security suite runs it as an
 * unprivileged test user (setpriv) and as root.
 *
 *   isoattack [options]
 *
 * Prints one line "helper=<exit> result=<name> status=<n> class=<n>
 * nfds=<n> sid=<sid> msg=<message>" (or "helper=<exit> noreply=<errno
 * name>") and exits 0 when it got a reply, 1 when it did not, 2 on usage
 * errors. The helper's own stderr goes to ours unless --close-stdio.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

#ifndef ISO_HELPER_PATH
#define ISO_HELPER_PATH "/usr/local/libexec/pam_isolate/pam-isolate-helper"
#endif

#define MAX_ENV	 64
#define MAX_ARGS 16

struct opts {
	const char *helper;
	const char *raw_file;
	long raw_len; /* -1: send a real request */
	int no_send;
	int op;
	const char *user;
	const char *service;
	const char *conf;
	const char *sid;
	const char *origin;
	uint32_t version;
	uint32_t flags;
	char *env[MAX_ENV + 1];
	size_t nenv;
	char *args[MAX_ARGS + 2];
	size_t nargs;
	int close_stdio;
	int open_fds;
	long umask_val;
	long nofile, nproc, fsize;
	long kill_after_us;
	long itimer_ms;
	int block_signals;
	int ignore_signals;
	int wrong_parent;
	long hold_ms;
	int send_fds;
	int print_cgroup;
	int connected;		 /* a connected socket instead of a socketpair */
	int child_pidns;	 /* the helper runs in a new pid namespace */
	long oom;		 /* oom_score_adj, -1001: leave */
	long nice_val;		 /* -100: leave */
	int cpu0;		 /* affinity: CPU 0 only */
	int sched_idle;		 /* SCHED_IDLE */
	long cpu_soft, cpu_hard; /* RLIMIT_CPU, -1: leave */
	long subreaper_uid;	 /* -1: none; else a subreaper of that uid above us */
	long late_uid;		 /* -1: none; else that uid becomes a subreaper late */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: isoattack [--helper PATH] [--op open|close|N] [--user U] [--service S]\n"
		"  [--conf PATH] [--sid HEX] [--origin STR] [--version N] [--flags N]\n"
		"  [--raw-file F | --raw-len N | --no-send] [--send-fds]\n"
		"  [--env K=V]... [--env-big K=BYTES]... [--arg A]... [--argv0 S]\n"
		"  [--close-stdio] [--open-fds N] [--umask OCT] [--nofile N] [--nproc N]\n"
		"  [--fsize N] [--block-signals] [--ignore-signals] [--itimer-ms N]\n"
		"  [--kill-after-us N] [--wrong-parent] [--hold-ms N] [--print-cgroup]\n"
		"  [--connected] [--child-pidns] [--oom N] [--nice N] [--cpu0] [--sched-idle]\n"
		"  [--rlimit-cpu SOFT:HARD] [--subreaper-uid UID] [--late-subreaper-uid UID]\n");
	exit(2);
}

static long num(const char *s, int base)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, base);
	if (errno || end == s || *end)
		usage();
	return v;
}

static const char *result_name(uint32_t r)
{
	switch (r) {
	case ISO_RES_CONFINED:
		return "confined";
	case ISO_RES_EXEMPT:
		return "exempt";
	case ISO_RES_ALLOWED:
		return "allowed";
	case ISO_RES_DENIED:
		return "denied";
	case ISO_RES_CLOSED:
		return "closed";
	default:
		return "?";
	}
}

static char *big_env(const char *key, long bytes)
{
	size_t klen = strlen(key);
	char *s;

	if (bytes < 0 || bytes > 120L * 1024)
		usage();
	s = malloc(klen + 1 + (size_t)bytes + 1);
	if (!s)
		exit(2);
	memcpy(s, key, klen);
	s[klen] = '=';
	memset(s + klen + 1, 'A', (size_t)bytes);
	s[klen + 1 + (size_t)bytes] = '\0';
	return s;
}

static void parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->helper = ISO_HELPER_PATH;
	o->raw_len = -1;
	o->op = ISO_OP_OPEN;
	o->user = "";
	o->service = "isot-sec";
	o->conf = "";
	o->sid = "";
	o->origin = "";
	o->version = ISO_PROTO_VERSION;
	o->umask_val = -1;
	o->nofile = o->nproc = o->fsize = -1;
	o->kill_after_us = -1;
	o->oom = -1001;
	o->nice_val = -100;
	o->cpu_soft = o->cpu_hard = -1;
	o->subreaper_uid = -1;
	o->late_uid = -1;
	o->args[0] = (char *)"pam-isolate-helper";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define TAKE()                                                                                     \
	do {                                                                                       \
		if (!v)                                                                            \
			usage();                                                                   \
		i++;                                                                               \
	} while (0)
		if (strcmp(a, "--helper") == 0) {
			TAKE();
			o->helper = v;
		} else if (strcmp(a, "--op") == 0) {
			TAKE();
			o->op = strcmp(v, "open") == 0	  ? ISO_OP_OPEN
				: strcmp(v, "close") == 0 ? ISO_OP_CLOSE
							  : (int)num(v, 0);
		} else if (strcmp(a, "--user") == 0) {
			TAKE();
			o->user = v;
		} else if (strcmp(a, "--service") == 0) {
			TAKE();
			o->service = v;
		} else if (strcmp(a, "--conf") == 0) {
			TAKE();
			o->conf = v;
		} else if (strcmp(a, "--sid") == 0) {
			TAKE();
			o->sid = v;
		} else if (strcmp(a, "--origin") == 0) {
			TAKE();
			o->origin = v;
		} else if (strcmp(a, "--version") == 0) {
			TAKE();
			o->version = (uint32_t)num(v, 0);
		} else if (strcmp(a, "--flags") == 0) {
			TAKE();
			o->flags = (uint32_t)num(v, 0);
		} else if (strcmp(a, "--raw-file") == 0) {
			TAKE();
			o->raw_file = v;
		} else if (strcmp(a, "--raw-len") == 0) {
			TAKE();
			o->raw_len = num(v, 10);
		} else if (strcmp(a, "--no-send") == 0) {
			o->no_send = 1;
		} else if (strcmp(a, "--send-fds") == 0) {
			o->send_fds = 1;
		} else if (strcmp(a, "--env") == 0) {
			TAKE();
			if (o->nenv >= MAX_ENV)
				usage();
			o->env[o->nenv++] = (char *)v;
		} else if (strcmp(a, "--env-big") == 0) {
			const char *eq;

			TAKE();
			eq = strchr(v, '=');
			if (!eq || o->nenv >= MAX_ENV)
				usage();
			{
				char *key = strndup(v, (size_t)(eq - v));

				if (!key)
					exit(2);
				o->env[o->nenv++] = big_env(key, num(eq + 1, 10));
				free(key);
			}
		} else if (strcmp(a, "--arg") == 0) {
			TAKE();
			if (o->nargs >= MAX_ARGS)
				usage();
			o->args[++o->nargs] = (char *)v;
		} else if (strcmp(a, "--argv0") == 0) {
			TAKE();
			o->args[0] = (char *)v;
		} else if (strcmp(a, "--close-stdio") == 0) {
			o->close_stdio = 1;
		} else if (strcmp(a, "--open-fds") == 0) {
			TAKE();
			o->open_fds = (int)num(v, 10);
		} else if (strcmp(a, "--umask") == 0) {
			TAKE();
			o->umask_val = num(v, 8);
		} else if (strcmp(a, "--nofile") == 0) {
			TAKE();
			o->nofile = num(v, 10);
		} else if (strcmp(a, "--nproc") == 0) {
			TAKE();
			o->nproc = num(v, 10);
		} else if (strcmp(a, "--fsize") == 0) {
			TAKE();
			o->fsize = num(v, 10);
		} else if (strcmp(a, "--block-signals") == 0) {
			o->block_signals = 1;
		} else if (strcmp(a, "--ignore-signals") == 0) {
			o->ignore_signals = 1;
		} else if (strcmp(a, "--itimer-ms") == 0) {
			TAKE();
			o->itimer_ms = num(v, 10);
		} else if (strcmp(a, "--kill-after-us") == 0) {
			TAKE();
			o->kill_after_us = num(v, 10);
		} else if (strcmp(a, "--wrong-parent") == 0) {
			o->wrong_parent = 1;
		} else if (strcmp(a, "--hold-ms") == 0) {
			TAKE();
			o->hold_ms = num(v, 10);
		} else if (strcmp(a, "--print-cgroup") == 0) {
			o->print_cgroup = 1;
		} else if (strcmp(a, "--connected") == 0) {
			o->connected = 1;
		} else if (strcmp(a, "--child-pidns") == 0) {
			o->child_pidns = 1;
		} else if (strcmp(a, "--oom") == 0) {
			TAKE();
			o->oom = num(v, 10);
		} else if (strcmp(a, "--nice") == 0) {
			TAKE();
			o->nice_val = num(v, 10);
		} else if (strcmp(a, "--cpu0") == 0) {
			o->cpu0 = 1;
		} else if (strcmp(a, "--sched-idle") == 0) {
			o->sched_idle = 1;
		} else if (strcmp(a, "--rlimit-cpu") == 0) {
			char *colon;

			TAKE();
			colon = strchr(v, ':');
			if (!colon)
				usage();
			*colon = '\0';
			o->cpu_soft = strcmp(v, "unlimited") ? num(v, 10) : (long)RLIM_INFINITY;
			o->cpu_hard = strcmp(colon + 1, "unlimited") ? num(colon + 1, 10)
								     : (long)RLIM_INFINITY;
		} else if (strcmp(a, "--late-subreaper-uid") == 0) {
			TAKE();
			o->late_uid = num(v, 10);
		} else if (strcmp(a, "--subreaper-uid") == 0) {
			TAKE();
			o->subreaper_uid = num(v, 10);
		} else {
			usage();
		}
#undef TAKE
	}
	o->args[o->nargs + 1] = NULL;
	o->env[o->nenv] = NULL;
}

static void set_limit(int res, long v)
{
	struct rlimit rl;

	if (v < 0)
		return;
	rl.rlim_cur = rl.rlim_max = (rlim_t)v;
	if (setrlimit(res, &rl) < 0)
		_exit(125);
}

/* The child: everything a hostile caller may leave to a setuid program. */
static void child(const struct opts *o, int sock)
{
	int i;

	if (sock != ISO_HELPER_FD) {
		if (dup2(sock, ISO_HELPER_FD) < 0)
			_exit(126);
		close(sock);
	} else if (fcntl(sock, F_SETFD, 0) < 0) {
		_exit(126);
	}
	for (i = 0; i < o->open_fds; i++) {
		int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */

		if (fd < 0)
			_exit(126);
	}
	if (o->umask_val >= 0)
		umask((mode_t)o->umask_val);
	if (o->block_signals || o->ignore_signals) {
		sigset_t all;
		int s;

		sigfillset(&all);
		if (o->block_signals)
			sigprocmask(SIG_BLOCK, &all, NULL);
		for (s = 1; o->ignore_signals && s < NSIG; s++)
			if (s != SIGKILL && s != SIGSTOP)
				signal(s, SIG_IGN);
	}
	if (o->itimer_ms > 0) {
		struct itimerval it = {
			.it_value = {.tv_sec = o->itimer_ms / 1000,
				     .tv_usec = (o->itimer_ms % 1000) * 1000},
		};

		setitimer(ITIMER_REAL, &it, NULL);
	}
	if (o->close_stdio) {
		close(0);
		close(1);
		close(2);
	}
	if (o->oom > -1001) {
		FILE *f = fopen("/proc/self/oom_score_adj", "w");

		if (!f || fprintf(f, "%ld\n", o->oom) < 0 || fclose(f) != 0)
			_exit(125);
	}
	if (o->nice_val > -100 && setpriority(PRIO_PROCESS, 0, (int)o->nice_val) < 0)
		_exit(125);
	if (o->cpu0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(0, &one);
		if (sched_setaffinity(0, sizeof(one), &one) < 0)
			_exit(125);
	}
	if (o->sched_idle) {
		struct sched_param sp = {.sched_priority = 0};

		if (sched_setscheduler(0, SCHED_IDLE, &sp) < 0)
			_exit(125);
	}
	if (o->cpu_soft >= 0) {
		struct rlimit rl = {.rlim_cur = (rlim_t)o->cpu_soft,
				    .rlim_max = (rlim_t)o->cpu_hard};

		if (setrlimit(RLIMIT_CPU, &rl) < 0)
			_exit(125);
	}
	set_limit(RLIMIT_NPROC, o->nproc);
	set_limit(RLIMIT_FSIZE, o->fsize);
	set_limit(RLIMIT_NOFILE, o->nofile); /* last: after our own opens */
	execve(o->helper, o->args, o->env);
	_exit(127);
}

static int send_request(const struct opts *o, int fd)
{
	struct iso_request req;
	char *buf = NULL;
	size_t len;
	ssize_t n;

	if (o->raw_file) {
		FILE *f = fopen(o->raw_file, "rb");

		if (!f)
			return -errno;
		buf = malloc(1 << 20);
		if (!buf) {
			fclose(f);
			return -ENOMEM;
		}
		len = fread(buf, 1, 1 << 20, f);
		fclose(f);
	} else if (o->raw_len >= 0) {
		size_t i;

		len = (size_t)o->raw_len;
		buf = malloc(len + 1);
		if (!buf)
			return -ENOMEM;
		for (i = 0; i < len; i++)
			buf[i] = (char)(i * 131 + 7);
	} else {
		memset(&req, 0, sizeof(req));
		req.version = o->version;
		req.op = (uint32_t)o->op;
		req.flags = o->flags;
		/* raw copies: the point is to send what the module would refuse */
		strncpy(req.user, o->user, sizeof(req.user));
		strncpy(req.service, o->service, sizeof(req.service));
		strncpy(req.conf, o->conf, sizeof(req.conf));
		strncpy(req.session_id, o->sid, sizeof(req.session_id));
		strncpy(req.origin, o->origin, sizeof(req.origin));
		len = sizeof(req);
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, &req, len);
	}
	if (o->send_fds) {
		/* fds the helper must never keep: ours, passed as SCM_RIGHTS */
		union {
			char b[CMSG_SPACE(sizeof(int) * 2)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {.iov_base = buf, .iov_len = len};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		struct cmsghdr *c;
		int fds[2] = {0, 1};

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.b;
		msg.msg_controllen = sizeof(ctl.b);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	} else {
		n = send(fd, buf, len, MSG_NOSIGNAL);
	}
	free(buf);
	return n < 0 ? -errno : 0;
}

static void print_cgroup(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, ":cpu:") || strstr(line, ":pids:") || strncmp(line, "0::", 3) == 0)
			printf("cgroup %s", line);
	fclose(f);
}

static long long boot_ticks_now(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * hz + ts.tv_nsec / (1000000000L / hz);
}

/* Started less than 3 s ago (/proc/PID/stat field 22). */
static int is_new(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');
	for (i = 0; p && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return 0;
	start = strtoull(p + 1, NULL, 10);
	return boot_ticks_now() - (long long)start < 3 * sysconf(_SC_CLK_TCK);
}

/* A process named isolate-holder that started in the last 3 s. */
static int new_holder(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = 0;

	while (d && !found && (de = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (f && fgets(comm, sizeof(comm), f) && strcmp(comm, "isolate-holder\n") == 0)
			found = is_new((int)strtol(de->d_name, NULL, 10));
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* Children of pid (/proc/PID/task/PID/children) whose real uid is 0. */
static int root_children(pid_t pid)
{
	char path[64], buf[4096], *save = NULL;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	for (char *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		char st[64], line[256];
		FILE *g;

		snprintf(st, sizeof(st), "/proc/%s/status", t);
		g = fopen(st, "r");
		while (g && fgets(line, sizeof(line), g))
			if (strncmp(line, "Uid:", 4) == 0 && strtol(line + 4, NULL, 10) == 0)
				n++;
		if (g)
			fclose(g);
	}
	return n;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct iso_reply rep;
	int fds[ISO_MAX_FDS] = {-1, -1};
	int sv[2], status = 0, r, i;
	pid_t pid;

	parse(argc, argv, &o);
	memset(&rep, 0, sizeof(rep));
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.subreaper_uid >= 0) {
		/* A subreaper of that uid above the caller (a user's own
		 * PR_SET_CHILD_SUBREAPER process above a su): whatever is
		 * orphaned below becomes its child. It reaps only ours. */
		pid_t c;

		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
			return 2;
		c = fork();
		if (c < 0)
			return 2;
		if (c > 0) {
			uid_t u = (uid_t)o.subreaper_uid;

			if (setresgid(u, u, u) < 0 || setresuid(u, u, u) < 0)
				_exit(2);
			while (waitpid(c, &status, 0) < 0 && errno == EINTR)
				;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
		}
	}
	if (o.late_uid >= 0) {
		/* A user's process above a su that becomes a subreaper only
		 * once the sandbox holder exists (after any check the helper
		 * made), then counts the root processes it was given. */
		pid_t c = fork();

		if (c < 0)
			return 2;
		if (c > 0) {
			uid_t u = (uid_t)o.late_uid;

			if (setresgid(u, u, u) < 0 || setresuid(u, u, u) < 0)
				_exit(2);
			for (int i = 0; i < 3000 && !new_holder(); i++)
				usleep(1000);
			if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
				_exit(2);
			while (waitpid(c, &status, 0) < 0 && errno == EINTR)
				;
			usleep(300000);
			printf("late-subreaper adopted-root-processes=%d\n",
			       root_children(getpid()));
			return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
		}
	}
	if (o.connected) {
		/* connected to a listener of ours: SO_PEERCRED then names the
		 * listener, which is also the helper's parent */
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		socklen_t sl;
		int l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

		snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "isoattack-%d", (int)getpid());
		sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				 strlen(sa.sun_path + 1));
		sv[1] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (l < 0 || sv[1] < 0 || bind(l, (struct sockaddr *)&sa, sl) < 0 ||
		    listen(l, 1) < 0 || connect(sv[1], (struct sockaddr *)&sa, sl) < 0) {
			perror("connected socket");
			return 2;
		}
		sv[0] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		close(l);
		if (sv[0] < 0) {
			perror("accept");
			return 2;
		}
	} else if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		return 2;
	}
	if (o.child_pidns && unshare(CLONE_NEWPID) < 0) {
		perror("unshare(CLONE_NEWPID)");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		close(sv[0]);
		if (o.wrong_parent) {
			/* the helper's parent is not the socket's creator */
			pid_t g = fork();

			if (g < 0)
				_exit(126);
			if (g > 0) {
				int st;

				waitpid(g, &st, 0);
				_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
			}
		}
		child(&o, sv[1]);
	}
	close(sv[1]);
	printf("helper-pid %d\n", (int)pid);

	r = 0;
	if (!o.no_send)
		r = send_request(&o, sv[0]);
	if (o.kill_after_us >= 0) {
		struct timespec ts = {.tv_sec = o.kill_after_us / 1000000,
				      .tv_nsec = (o.kill_after_us % 1000000) * 1000};

		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	if (o.no_send)
		shutdown(sv[0], SHUT_WR);
	if (r == 0)
		r = iso_proto_recv_reply(sv[0], &rep, fds);
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	printf("helper=%d ", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	if (r < 0) {
		printf("noreply=%s\n", strerror(-r));
	} else {
		char *nl;

		for (nl = rep.message; (nl = strchr(nl, '\n'));)
			*nl = ' ';
		printf("result=%s status=%d class=%u nfds=%u sid=%s msg=%s\n",
		       result_name(rep.result), rep.status, rep.err_class, rep.nfds,
		       rep.session_id[0] ? rep.session_id : "-", rep.message);
		if (rep.origin[0])
			printf("origin %s\n", rep.origin);
		for (i = 0; i < ISO_MAX_FDS; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	if (o.print_cgroup)
		print_cgroup();
	if (o.hold_ms > 0) {
		struct timespec ts = {.tv_sec = o.hold_ms / 1000,
				      .tv_nsec = (o.hold_ms % 1000) * 1000000L};

		nanosleep(&ts, NULL);
	}
	return r < 0 ? 1 : 0;
}
