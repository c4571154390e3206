/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_NAMES_H
#define ISO_NAMES_H

/*
 * Every name the helper makes and the tools read back, in one place:
 * cgroup dirs and leaves, the state files of /run/pam_isolate, the
 * systemd units. The builders return 0 or -ENAMETOOLONG (buffer too
 * small), the parsers 0 or -EINVAL; none of them touches the system.
 *
 *   <root>/user-<uid>/session-<sid>      a live session's leaf
 *                    /left-<sid>         what a closed session left running
 *                    /holder[-<sid>]     the sandbox's init (per user / session)
 *   /run/pam_isolate/user-<uid>.lock     the user lock
 *                    user-<uid>.gc       one clean-up worker per user
 *                    user-<uid>.<key>.holder   the holder record; key is
 *                                        "user" or "s-<sid>"
 *   systemd: user-<uid>.slice, isolate-holder-<uid>[-<sid>].scope,
 *            isolate-max-time-<uid>-<sid>.{timer,service}
 */

#include <stddef.h>
#include <sys/types.h>

/* Session ids: 16 lower-case hex digits (8 random bytes). */
#define ISO_SID_LEN 16

/* The root-owned 0700 dir in /tmp and /var/tmp that holds each user's
 * private_tmp = disk instance (debian/pam_isolate.tmpfiles makes it at
 * boot). */
#define ISO_TMP_INSTANCE_ROOT ".pam_isolate"

/* What a process of the sandbox's init calls itself (comm, argv[0]). */
#define ISO_HOLDER_COMM "isolate-holder"
/* What every holder scope's name starts with. */
#define ISO_HOLDER_UNIT_PREFIX "isolate-holder-"
/* The per-user sandbox's key, and how a per-session one starts. */
#define ISO_KEY_USER	       "user"
#define ISO_KEY_SESSION_PREFIX "s-"

/* A session id as the helper makes it. */
int iso_sid_valid(const char *sid);

/* ---- cgroup tree ---- */
int iso_name_user_dir(char *buf, size_t len, uid_t uid);	   /* user-<uid> */
int iso_name_session_leaf(char *buf, size_t len, const char *sid); /* session-<sid> */
int iso_name_left_leaf(char *buf, size_t len, const char *sid);	   /* left-<sid> */
/* The holder's leaf of a sandbox key: "holder", or "holder-<sid>" for "s-<sid>". */
int iso_name_holder_leaf(char *buf, size_t len, const char *key);

enum iso_leaf_kind {
	ISO_LEAF_OTHER = 0,
	ISO_LEAF_SESSION, /* session-<sid> */
	ISO_LEAF_LEFT,	  /* left-<sid> */
	ISO_LEAF_HOLDER,  /* holder, holder-<sid> */
};
/* Which kind of leaf name is (by its prefix only: gc and the tools sort
 * what they find, whatever follows). */
enum iso_leaf_kind iso_leaf_kind(const char *name);
/* The session id of "session-<sid>" or "left-<sid>" into sid; -EINVAL for
 * any other name or a malformed id. */
int iso_leaf_sid(const char *name, char *sid, size_t len);
/* uid of "user-<uid>" (decimal, no leading zero, no sign); -EINVAL else. */
int iso_parse_user_dir(const char *name, uid_t *uid);

/* ---- sandbox keys and state files ---- */
/* "user" (sid NULL or "") or "s-<sid>". */
int iso_name_sandbox_key(char *buf, size_t len, const char *sid);
/* Whether key[0..klen) is a key the helper makes. */
int iso_key_valid(const char *key, size_t klen);
int iso_name_record(char *buf, size_t len, uid_t uid,
		    const char *key);			    /* user-<uid>.<key>.holder */
int iso_name_user_lock(char *buf, size_t len, uid_t uid);   /* user-<uid>.lock */
int iso_name_worker_lock(char *buf, size_t len, uid_t uid); /* user-<uid>.gc */
/* mntns-<inode>: the marker of a holder's mount namespace */
int iso_name_mntns(char *buf, size_t len, unsigned long long ino);
/* A state file's uid and the rest after "user-<uid>." */
int iso_parse_state_name(const char *name, uid_t *uid, const char **rest);

/* ---- systemd ---- */
int iso_name_user_slice(char *buf, size_t len, uid_t uid); /* user-<uid>.slice */
/* isolate-holder-<uid>.scope, or isolate-holder-<uid>-<sid>.scope */
int iso_name_holder_unit(char *buf, size_t len, uid_t uid, const char *sid);
/* isolate-max-time-<uid>-<sid>.timer / .service; sid "*" gives the
 * pattern of all of a user's timers */
int iso_name_max_time_timer(char *buf, size_t len, uid_t uid, const char *sid);
int iso_name_max_time_service(char *buf, size_t len, uid_t uid, const char *sid);

#endif
