/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_PROTO_H
#define ISO_PROTO_H

/*
 * Module <-> helper protocol over a SOCK_SEQPACKET socketpair: one request
 * datagram, one reply datagram (with namespace fds as SCM_RIGHTS); after a
 * CONFINED open with ISO_REPLY_KEPT, one more pair for the close. Fixed
 * size records with NUL-terminated strings: the decoder checks the exact
 * length, the version, the op and that every string is terminated, so a
 * hostile peer cannot make the helper read past a field.
 */

#include <stddef.h>
#include <stdint.h>

#define ISO_PROTO_VERSION 2
#define ISO_HELPER_FD	  3 /* the socket's number in the helper */

enum iso_op {
	ISO_OP_OPEN = 1,
	ISO_OP_CLOSE = 2,
};

/* reply.result */
enum iso_result {
	ISO_RES_CONFINED = 1, /* session placed; fds may follow */
	ISO_RES_EXEMPT = 2,   /* user/group exempt: untouched */
	ISO_RES_ALLOWED = 3,  /* failed, on_error = allow: unconfined */
	ISO_RES_DENIED = 4,   /* failed, on_error = deny: refuse session */
	ISO_RES_CLOSED = 5,   /* close done */
};

/* reply.err_class: which step failed (for logs and per-class policy) */
enum iso_err_class {
	ISO_EC_NONE = 0,
	ISO_EC_CONFIG = 1,
	ISO_EC_CGROUP = 2,
	ISO_EC_NAMESPACE = 3,
	ISO_EC_INTERNAL = 4,
};

/* "config", "cgroup", "namespace" or "internal" (any other value): the
 * class's word in log lines and counter names. */
const char *iso_err_class_name(enum iso_err_class ec);

#define ISO_PROTO_NAME	   64
#define ISO_PROTO_PATH	   256
#define ISO_PROTO_SID	   40
#define ISO_PROTO_ORIGIN   1024
#define ISO_PROTO_MSG	   1024
#define ISO_PROTO_MAX_CPUS 65536

struct iso_request {
	uint32_t version;
	uint32_t op;
	uint32_t flags; /* reserved, must be 0 */
	char user[ISO_PROTO_NAME];
	char service[ISO_PROTO_NAME];
	char conf[ISO_PROTO_PATH];	/* "" = compiled-in; root callers only */
	char session_id[ISO_PROTO_SID]; /* close: from the open reply */
	char origin[ISO_PROTO_ORIGIN];	/* close: from the open reply */
};

/* fds that may follow a CONFINED reply: bit i of fd_kinds says that the
 * fd of kind i is there; they travel in the order of their kinds */
#define ISO_FD_MNT  0 /* the sandbox's mount namespace */
#define ISO_FD_PID  1 /* the sandbox's pid namespace */
#define ISO_FD_CG0  2 /* the caller's origin cgroups (up to 3 hierarchies): */
#define ISO_FD_CG1  3 /* at close, the module moves itself back through them */
#define ISO_FD_CG2  4 /* before it forks the close-time helper */
#define ISO_MAX_FDS 5

/* reply.flags */
#define ISO_REPLY_NO_NEW_PRIVS 0x1 /* PR_SET_NO_NEW_PRIVS in the caller */
#define ISO_REPLY_CGROUP_NS    0x2 /* unshare a cgroup namespace rooted at the leaf */
#define ISO_REPLY_LOGIN_MSG    0x4 /* message: a line for the user (login_message) */
/* CONFINED: the helper that answered stays on this socket and serves the
 * session's close (one request more, then it exits; EOF ends it) */
#define ISO_REPLY_KEPT 0x8
#define ISO_REPLY_FLAGS                                                                            \
	(ISO_REPLY_NO_NEW_PRIVS | ISO_REPLY_CGROUP_NS | ISO_REPLY_LOGIN_MSG | ISO_REPLY_KEPT)

struct iso_reply {
	uint32_t version;
	int32_t status;	    /* 0 or -errno */
	uint32_t result;    /* enum iso_result */
	uint32_t err_class; /* enum iso_err_class */
	uint32_t nfds;	    /* how many fds came with SCM_RIGHTS */
	uint32_t fd_kinds;  /* bit i set: fd for ISO_FD_i present */
	uint32_t flags;	    /* ISO_REPLY_*: what the module does in the caller */
	uint32_t on_error;  /* the config's policy, for failures after the
			     * reply (e.g. setns in the module): 0 deny, 1 allow */
	uint32_t cpus;	    /* CONFINED: whole CPUs of the rule's cpu_quota
			     * for the thread-count variables; 0 = none */
	char session_id[ISO_PROTO_SID];
	char origin[ISO_PROTO_ORIGIN];
	char rule[ISO_PROTO_NAME * 2];
	char message[ISO_PROTO_MSG];
};

/* Pure decoders (fuzz targets): 0 or -EBADMSG / -EPROTO. */
int iso_proto_decode_request(const void *buf, size_t len, struct iso_request *out);
int iso_proto_decode_reply(const void *buf, size_t len, struct iso_reply *out);

/* Copies src into a fixed field; -ENAMETOOLONG if it does not fit. */
int iso_proto_setstr(char *dst, size_t dstlen, const char *src);

int iso_proto_send_request(int fd, const struct iso_request *req);
int iso_proto_recv_request(int fd, struct iso_request *req);
/* The same, for a socket with SO_PASSCRED: *sender is the pid the kernel
 * vouches for (SCM_CREDENTIALS); a request without it is -EBADMSG. */
int iso_proto_recv_request_cred(int fd, struct iso_request *req, int *sender);
int iso_proto_send_reply(int fd, const struct iso_reply *rep, const int *fds, size_t nfds);
/* fds[] receives up to ISO_MAX_FDS descriptors (O_CLOEXEC); unused = -1. */
int iso_proto_recv_reply(int fd, struct iso_reply *rep, int fds[ISO_MAX_FDS]);

#endif
