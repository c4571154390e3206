/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_SDBUS_DL_H
#define ISO_SDBUS_DL_H

/*
 * The few sd-bus and sd-login calls of the systemd backend (systemd.c),
 * with libsystemd loaded by dlopen on first use instead of linked: its
 * dependencies (libgcrypt, liblzma, libzstd, liblz4, libgpg-error) cost
 * every exec of the helper about half a millisecond at load time, and
 * only the systemd backend needs them. The cgroupfs backend, --version and
 * isolatectl never load it.
 *
 * Each sdb_x(...) is sd_bus_x(...) (sdb_uid_get_sessions is
 * sd_uid_get_sessions) with the types and semantics of <systemd/sd-bus.h>,
 * whose headers only are used. When libsystemd cannot be loaded, calls
 * that return int return -ENOSYS, the unref calls return NULL, the
 * predicates return 0 and sdb_error_free does nothing: no object of the
 * library can exist then.
 */

#include <sys/types.h>

#include <systemd/sd-bus.h>

/* Loads libsystemd, once (later calls repeat the first answer): 0, or
 * -ENOSYS with *why (if why is not NULL) set to a static message
 * "libsystemd.so.0 not available: <dlerror() text>". */
int sdb_load(const char **why);

int sdb_open_system(sd_bus **bus);
int sdb_set_method_call_timeout(sd_bus *bus, uint64_t usec);
sd_bus *sdb_flush_close_unref(sd_bus *bus);
int sdb_call(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error,
	     sd_bus_message **reply);
int sdb_call_method(sd_bus *bus, const char *destination, const char *path, const char *interface,
		    const char *member, sd_bus_error *ret_error, sd_bus_message **reply,
		    const char *types, ...);
int sdb_match_signal(sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path,
		     const char *interface, const char *member, sd_bus_message_handler_t callback,
		     void *userdata);
int sdb_process(sd_bus *bus, sd_bus_message **r);
int sdb_wait(sd_bus *bus, uint64_t timeout_usec);
sd_bus_slot *sdb_slot_unref(sd_bus_slot *slot);

int sdb_message_new_method_call(sd_bus *bus, sd_bus_message **m, const char *destination,
				const char *path, const char *interface, const char *member);
int sdb_message_append(sd_bus_message *m, const char *types, ...);
int sdb_message_read(sd_bus_message *m, const char *types, ...);
int sdb_message_open_container(sd_bus_message *m, char type, const char *contents);
int sdb_message_close_container(sd_bus_message *m);
int sdb_message_enter_container(sd_bus_message *m, char type, const char *contents);
int sdb_message_exit_container(sd_bus_message *m);
sd_bus_message *sdb_message_unref(sd_bus_message *m);

void sdb_error_free(sd_bus_error *e);
int sdb_error_is_set(const sd_bus_error *e);
int sdb_error_has_name(const sd_bus_error *e, const char *name);

/* sd-login */
int sdb_uid_get_sessions(uid_t uid, int require_active, char ***sessions);
int sdb_session_get_tty(const char *session, char **tty);

#endif
