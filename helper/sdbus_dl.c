/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libsystemd by dlopen on first use (see sdbus_dl.h for why).
 *
 * Security: the helper is setuid root, and what it loads runs as root.
 * The library is named by a compile-time soname, never by a path from the
 * config, the request or the environment. A bare soname (no '/') is looked
 * up by ld.so in the helper's DT_RPATH/DT_RUNPATH (the Makefile sets
 * none), LD_LIBRARY_PATH, /etc/ld.so.cache and the default directories;
 * LD_LIBRARY_PATH is read once, when ld.so starts, and for a setuid exec
 * by another user the kernel sets AT_SECURE, which makes ld.so ignore it
 * (clearing the environment later, hygiene.c, would not undo a search
 * path ld.so already took). So only root-owned system directories are
 * searched, unless root itself runs the helper with LD_LIBRARY_PATH set.
 * RTLD_NOW: every symbol is bound before we call anything (and the
 * helper is linked -z now anyway); RTLD_LOCAL: libsystemd's symbols do
 * not become visible to later lookups.
 *
 * State: the function table below, filled once; the helper and isolatectl
 * are single-threaded. The library is never dlclose'd (short-lived
 * programs).
 */
#define _GNU_SOURCE
#include "sdbus_dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-login.h>

/* (tests/unit/test_sdbus_dl.c includes this file with another name) */
#ifndef SDB_SONAME
#define SDB_SONAME "libsystemd.so.0"
#endif

/* Every symbol we take; the va_list twins stand for the variadic calls
 * (sd_bus_call_methodv is the newest: systemd 246). */
#define SDB_FUNCS(X)                                                                               \
	X(sd_bus_open_system)                                                                      \
	X(sd_bus_set_method_call_timeout)                                                          \
	X(sd_bus_flush_close_unref)                                                                \
	X(sd_bus_call)                                                                             \
	X(sd_bus_call_methodv)                                                                     \
	X(sd_bus_match_signal)                                                                     \
	X(sd_bus_process)                                                                          \
	X(sd_bus_wait)                                                                             \
	X(sd_bus_slot_unref)                                                                       \
	X(sd_bus_message_new_method_call)                                                          \
	X(sd_bus_message_appendv)                                                                  \
	X(sd_bus_message_readv)                                                                    \
	X(sd_bus_message_open_container)                                                           \
	X(sd_bus_message_close_container)                                                          \
	X(sd_bus_message_enter_container)                                                          \
	X(sd_bus_message_exit_container)                                                           \
	X(sd_bus_message_unref)                                                                    \
	X(sd_bus_error_free)                                                                       \
	X(sd_bus_error_is_set)                                                                     \
	X(sd_bus_error_has_name)                                                                   \
	X(sd_uid_get_sessions)                                                                     \
	X(sd_session_get_tty)

/* Each member has the name and (through __typeof__) the exact prototype
 * of the libsystemd function it points to. */
static struct {
	int state; /* 0 not tried yet, 1 loaded, -1 failed */
	char why[512];
#define SDB_MEMBER(f) __typeof__(f) *f; /* NOLINT(bugprone-macro-parentheses): a name */
	SDB_FUNCS(SDB_MEMBER)
#undef SDB_MEMBER
} sdl;

static int load_failed(const char *what)
{
	memset(&sdl, 0, sizeof(sdl));
	sdl.state = -1;
	snprintf(sdl.why, sizeof(sdl.why), "%s not available: %s", SDB_SONAME,
		 what ? what : "unknown dlopen error");
	return -ENOSYS;
}

static int load(void)
{
	void *h;

	if (sdl.state != 0)
		return sdl.state > 0 ? 0 : -ENOSYS;
	h = dlopen(SDB_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return load_failed(dlerror());
	(void)dlerror();
#define SDB_SYM(f)                                                                                 \
	sdl.f = (__typeof__(sdl.f))dlsym(h, #f);                                                   \
	if (!sdl.f) {                                                                              \
		int r_ = load_failed(dlerror());                                                   \
		dlclose(h);                                                                        \
		return r_;                                                                         \
	}
	SDB_FUNCS(SDB_SYM)
#undef SDB_SYM
	sdl.state = 1;
	return 0;
}

/* Loaded already: for calls on objects only the library can have made. */
static int loaded(void)
{
	return sdl.state > 0;
}

int sdb_load(const char **why)
{
	int r = load();

	if (r < 0 && why)
		*why = sdl.why;
	return r;
}

int sdb_open_system(sd_bus **bus)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_open_system(bus);
}

int sdb_set_method_call_timeout(sd_bus *bus, uint64_t usec)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_set_method_call_timeout(bus, usec);
}

sd_bus *sdb_flush_close_unref(sd_bus *bus)
{
	return loaded() ? sdl.sd_bus_flush_close_unref(bus) : NULL;
}

int sdb_call(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error,
	     sd_bus_message **reply)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_call(bus, m, usec, ret_error, reply);
}

int sdb_call_method(sd_bus *bus, const char *destination, const char *path, const char *interface,
		    const char *member, sd_bus_error *ret_error, sd_bus_message **reply,
		    const char *types, ...)
{
	va_list ap;
	int r;

	if (load() < 0)
		return -ENOSYS;
	va_start(ap, types);
	r = sdl.sd_bus_call_methodv(bus, destination, path, interface, member, ret_error, reply,
				    types, ap);
	va_end(ap);
	return r;
}

int sdb_match_signal(sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path,
		     const char *interface, const char *member, sd_bus_message_handler_t callback,
		     void *userdata)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_match_signal(bus, ret, sender, path, interface, member, callback,
				       userdata);
}

int sdb_process(sd_bus *bus, sd_bus_message **r)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_process(bus, r);
}

int sdb_wait(sd_bus *bus, uint64_t timeout_usec)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_wait(bus, timeout_usec);
}

sd_bus_slot *sdb_slot_unref(sd_bus_slot *slot)
{
	return loaded() ? sdl.sd_bus_slot_unref(slot) : NULL;
}

int sdb_message_new_method_call(sd_bus *bus, sd_bus_message **m, const char *destination,
				const char *path, const char *interface, const char *member)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_message_new_method_call(bus, m, destination, path, interface, member);
}

int sdb_message_append(sd_bus_message *m, const char *types, ...)
{
	va_list ap;
	int r;

	if (load() < 0)
		return -ENOSYS;
	va_start(ap, types);
	r = sdl.sd_bus_message_appendv(m, types, ap);
	va_end(ap);
	return r;
}

int sdb_message_read(sd_bus_message *m, const char *types, ...)
{
	va_list ap;
	int r;

	if (load() < 0)
		return -ENOSYS;
	va_start(ap, types);
	r = sdl.sd_bus_message_readv(m, types, ap);
	va_end(ap);
	return r;
}

int sdb_message_open_container(sd_bus_message *m, char type, const char *contents)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_message_open_container(m, type, contents);
}

int sdb_message_close_container(sd_bus_message *m)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_message_close_container(m);
}

int sdb_message_enter_container(sd_bus_message *m, char type, const char *contents)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_message_enter_container(m, type, contents);
}

int sdb_message_exit_container(sd_bus_message *m)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_bus_message_exit_container(m);
}

sd_bus_message *sdb_message_unref(sd_bus_message *m)
{
	return loaded() ? sdl.sd_bus_message_unref(m) : NULL;
}

void sdb_error_free(sd_bus_error *e)
{
	if (loaded())
		sdl.sd_bus_error_free(e);
}

int sdb_error_is_set(const sd_bus_error *e)
{
	return loaded() ? sdl.sd_bus_error_is_set(e) : 0;
}

int sdb_error_has_name(const sd_bus_error *e, const char *name)
{
	return loaded() ? sdl.sd_bus_error_has_name(e, name) : 0;
}

int sdb_uid_get_sessions(uid_t uid, int require_active, char ***sessions)
{
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_uid_get_sessions(uid, require_active, sessions);
}

int sdb_session_get_tty(const char *session, char **tty)
{
	*tty = NULL;
	if (load() < 0)
		return -ENOSYS;
	return sdl.sd_session_get_tty(session, tty);
}
