/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * isolatectl top: a refreshing per-user view (systemd-cgtop, per user
 * and against the rule). Every screen is two samples an interval apart:
 * CPU % of one CPU and throttled % (of the CFS periods) are rates. The
 * live view is ANSI clear + redraw with the terminal in non-canonical
 * mode for single keys; no curses: the screen is one table and a
 * terminal library would be a new dependency for a dozen escapes.
 */
#define _GNU_SOURCE
#include "ctl.h"
#include "ctl_usage.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum tp_sort { TP_CPU, TP_MEM, TP_TASKS, TP_USER };

struct tp_row {
	const struct ctl_usage *u;
	double cpu; /* % of one CPU, <0 unknown */
	double thr; /* % of periods throttled, <0 unknown */
};

static volatile sig_atomic_t tp_stop;

static void tp_on_signal(int sig)
{
	(void)sig;
	tp_stop = 1;
}

static long long tp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static enum tp_sort tp_sort_key;

static int tp_cmp(const void *a, const void *b)
{
	const struct tp_row *x = a, *y = b;
	long long p, q;

	switch (tp_sort_key) {
	case TP_CPU:
		if (x->cpu != y->cpu)
			return x->cpu < y->cpu ? 1 : -1;
		break;
	case TP_MEM:
		p = x->u->mem == CU_NA ? -1 : x->u->mem;
		q = y->u->mem == CU_NA ? -1 : y->u->mem;
		if (p != q)
			return p < q ? 1 : -1;
		break;
	case TP_TASKS:
		p = x->u->tasks == CU_NA ? -1 : x->u->tasks;
		q = y->u->tasks == CU_NA ? -1 : y->u->tasks;
		if (p != q)
			return p < q ? 1 : -1;
		break;
	case TP_USER:
		break;
	}
	return strcmp(x->u->name, y->u->name);
}

static void tp_bytes(long long v, char *buf, size_t len)
{
	if (v == CU_NA)
		snprintf(buf, len, "-");
	else if (v == CU_UNLIMITED)
		snprintf(buf, len, "max");
	else if (v >= 10LL << 30)
		snprintf(buf, len, "%.1fG", (double)v / (1 << 30));
	else if (v >= 10LL << 20)
		snprintf(buf, len, "%.1fM", (double)v / (1 << 20));
	else
		snprintf(buf, len, "%lldK", v >> 10);
}

static void tp_num(long long v, char *buf, size_t len)
{
	if (v == CU_NA)
		snprintf(buf, len, "-");
	else if (v == CU_UNLIMITED)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%lld", v);
}

static const char *const tp_sort_names[] = {"cpu", "mem", "tasks", "user"};

/* One screen from samples a (earlier) and b, dt_ns apart. */
static int tp_screen(const struct ctl_usage_set *a, const struct ctl_usage_set *b, long long dt_ns,
		     int max_rows)
{
	struct tp_row *rows = calloc(b->n ? b->n : 1, sizeof(*rows));
	char tbuf[16], mem[24], mmax[24], mhigh[24], tasks[24], tmax[24], quota[24], line[64];
	time_t now = time(NULL);
	struct tm tm;

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++) {
		const struct ctl_usage *u = &b->u[i], *p = ctl_usage_find(a, u->uid);
		long long d = ctl_usage_cpu_delta(p, u);

		rows[i].u = u;
		rows[i].cpu = d == CU_NA || dt_ns <= 0 ? -1 : (double)d * 100.0 / (double)dt_ns;
		rows[i].thr = -1;
		if (p && u->nr_periods != CU_NA && p->nr_periods != CU_NA &&
		    u->nr_throttled != CU_NA && p->nr_throttled != CU_NA) {
			long long np = u->nr_periods - p->nr_periods;

			rows[i].thr = np > 0 ? (double)(u->nr_throttled - p->nr_throttled) * 100.0 /
						       (double)np
					     : 0;
		}
	}
	qsort(rows, b->n, sizeof(*rows), tp_cmp);
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	printf("isolatectl top - %s  cgroup %s%s  %zu %s  interval %.1f s  sort %s\n", tbuf,
	       b->cg_version == 2   ? "v2"
	       : b->cg_version == 1 ? "v1"
				    : "?",
	       b->cpuacct_apart ? " (cpuacct apart: CPU % from the processes)" : "", b->n,
	       b->n == 1 ? "user" : "users", (double)dt_ns / 1e9, tp_sort_names[tp_sort_key]);
	printf("%-12s %-18s %4s %6s %6s %5s %8s %8s %8s %4s %11s %3s\n", "USER", "RULE", "SESS",
	       "CPU%", "QUOTA", "THR%", "MEM", "MEM_MAX", "MEM_HIGH", "OOM", "TASKS", "SBX");
	for (size_t i = 0; i < b->n && (max_rows <= 0 || (int)i < max_rows); i++) {
		const struct ctl_usage *u = rows[i].u;
		char cpu[24], thr[24], oom[24];

		if (rows[i].cpu < 0)
			snprintf(cpu, sizeof(cpu), "-");
		else
			snprintf(cpu, sizeof(cpu), "%.1f", rows[i].cpu);
		if (rows[i].thr < 0)
			snprintf(thr, sizeof(thr), "-");
		else
			snprintf(thr, sizeof(thr), "%.1f", rows[i].thr);
		if (u->quota_us == CU_NA)
			snprintf(quota, sizeof(quota), "-");
		else if (u->quota_us == CU_UNLIMITED || u->period_us <= 0)
			snprintf(quota, sizeof(quota), "max");
		else
			snprintf(quota, sizeof(quota), "%lld%%", u->quota_us * 100 / u->period_us);
		tp_bytes(u->mem, mem, sizeof(mem));
		tp_bytes(u->mem_max, mmax, sizeof(mmax));
		tp_bytes(u->mem_high, mhigh, sizeof(mhigh));
		tp_num(u->oom_kills, oom, sizeof(oom));
		tp_num(u->tasks, tasks, sizeof(tasks));
		tp_num(u->tasks_max, tmax, sizeof(tmax));
		snprintf(line, sizeof(line), "%s/%s", tasks, tmax);
		printf("%-12.12s %-18.18s %4d %6s %6s %5s %8s %8s %8s %4s %11s %3s\n", u->name,
		       u->rule, u->sessions, cpu, quota, thr, mem, mmax, mhigh, oom, line,
		       u->sandbox ? "yes" : "no");
	}
	if (!b->n)
		printf("no confined users\n");
	free(rows);
	return fflush(stdout) == 0 ? 0 : -errno;
}

/* Waits up to ms for a key (live view): returns it, 0 on timeout. */
static int tp_key(int ms)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	char c;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	return read(STDIN_FILENO, &c, 1) == 1 ? (unsigned char)c : 'q';
}

static const char tp_usage[] =
	"Usage: isolatectl top [-c FILE] [-b] [-n N] [-d SECONDS] [-o cpu|mem|tasks|user]\n";

int cmd_top(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"batch", no_argument, NULL, 'b'},
		{"iterations", required_argument, NULL, 'n'},
		{"delay", required_argument, NULL, 'd'},
		{"order", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl_usage_set prev = {0}, cur = {0};
	const char *conf = ISO_CONF_PATH;
	struct termios old, raw;
	bool batch = false, tty_raw = false;
	long iters = 0, screens = 0;
	double delay = 1.0;
	long long t0, t1;
	char *end;
	int c, r;

	tp_sort_key = TP_CPU;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:bn:d:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'b':
			batch = true;
			break;
		case 'n':
			iters = strtol(optarg, &end, 10);
			if (*end || iters < 1)
				goto usage;
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || !(delay >= 0.1 && delay <= 3600))
				goto usage;
			break;
		case 'o':
			for (c = 0; c < (int)NELEM(tp_sort_names); c++)
				if (!strcmp(optarg, tp_sort_names[c]))
					break;
			if (c == (int)NELEM(tp_sort_names))
				goto usage;
			tp_sort_key = (enum tp_sort)c;
			break;
		case 'h':
			fputs(tp_usage, stdout);
			return CTL_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (!batch && !isatty(STDOUT_FILENO))
		batch = true; /* a pipe gets plain screens, as top(1) -b */
	signal(SIGINT, tp_on_signal);
	signal(SIGTERM, tp_on_signal);
	if (!batch && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tty_raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	r = ctl_usage_read(conf, false, 0, &prev);
	t0 = tp_now_ns();
	while (r == 0 && !tp_stop) {
		int key = 0, rows = 0;
		long long left = (long long)(delay * 1e9);

		/* the interval, in the live view also listening for keys */
		while (left > 0 && !tp_stop) {
			if (batch || !tty_raw) {
				struct timespec ts = {left / 1000000000LL, left % 1000000000LL};

				nanosleep(&ts, NULL);
			} else if ((key = tp_key((int)(left / 1000000))) != 0) {
				break;
			}
			left = (long long)(delay * 1e9) - (tp_now_ns() - t0);
		}
		if (key == 'q' || tp_stop)
			break;
		if (key == 'c' || key == 'm' || key == 't' || key == 'u')
			tp_sort_key = key == 'c'   ? TP_CPU
				      : key == 'm' ? TP_MEM
				      : key == 't' ? TP_TASKS
						   : TP_USER;
		r = ctl_usage_read(conf, false, 0, &cur);
		t1 = tp_now_ns();
		if (r < 0)
			break;
		if (!batch) {
			struct winsize ws;

			fputs("\033[H\033[2J", stdout);
			if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 4)
				rows = ws.ws_row - 3;
		}
		r = tp_screen(&prev, &cur, t1 - t0, rows);
		if (!batch)
			printf("keys: c cpu, m mem, t tasks, u user, q quit\n");
		else
			putchar('\n');
		ctl_usage_free(&prev);
		prev = cur;
		memset(&cur, 0, sizeof(cur));
		t0 = t1;
		if (iters && ++screens >= iters)
			break;
	}
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
	ctl_usage_free(&prev);
	ctl_usage_free(&cur);
	if (r == -EACCES)
		return CTL_NEEDS_ROOT;
	if (r < 0) {
		ctl_warn("top: %s", strerror(-r));
		return CTL_FAIL;
	}
	return CTL_OK;
usage:
	ctl_warn("top: bad arguments");
	fputs(tp_usage, stderr);
	return CTL_USAGE;
}
