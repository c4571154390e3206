/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "proto.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static int str_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

int iso_proto_setstr(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

int iso_proto_decode_request(const void *buf, size_t len, struct iso_request *out)
{
	struct iso_request r;

	if (len != sizeof(r))
		return -EBADMSG;
	memcpy(&r, buf, sizeof(r));
	if (r.version != ISO_PROTO_VERSION)
		return -EPROTO;
	if (r.op != ISO_OP_OPEN && r.op != ISO_OP_CLOSE)
		return -EBADMSG;
	if (r.flags != 0)
		return -EBADMSG;
	if (!str_terminated(r.user, sizeof(r.user)) ||
	    !str_terminated(r.service, sizeof(r.service)) ||
	    !str_terminated(r.conf, sizeof(r.conf)) ||
	    !str_terminated(r.session_id, sizeof(r.session_id)) ||
	    !str_terminated(r.origin, sizeof(r.origin)))
		return -EBADMSG;
	*out = r;
	return 0;
}

int iso_proto_decode_reply(const void *buf, size_t len, struct iso_reply *out)
{
	struct iso_reply r;

	if (len != sizeof(r))
		return -EBADMSG;
	memcpy(&r, buf, sizeof(r));
	if (r.version != ISO_PROTO_VERSION)
		return -EPROTO;
	if (r.result < ISO_RES_CONFINED || r.result > ISO_RES_CLOSED)
		return -EBADMSG;
	if (r.err_class > ISO_EC_INTERNAL || r.nfds > ISO_MAX_FDS || (r.flags & ~ISO_REPLY_FLAGS))
		return -EBADMSG;
	/* one fd per kind named, and only kinds we know: else the module
	 * would take one fd for another */
	if ((r.fd_kinds & ~((1u << ISO_MAX_FDS) - 1)) ||
	    (uint32_t)__builtin_popcount(r.fd_kinds) != r.nfds)
		return -EBADMSG;
	if (r.status > 0 || r.status < -4095)
		return -EBADMSG;
	if (r.cpus > ISO_PROTO_MAX_CPUS)
		return -EBADMSG;
	if (!str_terminated(r.session_id, sizeof(r.session_id)) ||
	    !str_terminated(r.origin, sizeof(r.origin)) ||
	    !str_terminated(r.rule, sizeof(r.rule)) ||
	    !str_terminated(r.message, sizeof(r.message)))
		return -EBADMSG;
	*out = r;
	return 0;
}

static ssize_t recv_retry(int fd, struct msghdr *msg, int flags)
{
	ssize_t n;

	do {
		n = recvmsg(fd, msg, flags);
	} while (n < 0 && errno == EINTR);
	return n;
}

static int send_all(int fd, const void *buf, size_t len, const int *fds, size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * ISO_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (nfds > ISO_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* SOCK_SEQPACKET: a record goes whole or not at all */
	return (size_t)n == len ? 0 : -EIO;
}

const char *iso_err_class_name(enum iso_err_class ec)
{
	switch (ec) {
	case ISO_EC_CONFIG:
		return "config";
	case ISO_EC_CGROUP:
		return "cgroup";
	case ISO_EC_NAMESPACE:
		return "namespace";
	default:
		return "internal";
	}
}

int iso_proto_send_request(int fd, const struct iso_request *req)
{
	return send_all(fd, req, sizeof(*req), NULL, 0);
}

/* One request datagram; with sender, also the SCM_CREDENTIALS the kernel
 * attached (the socket has SO_PASSCRED), whose pid goes to *sender. */
static int recv_request(int fd, struct iso_request *req, int *sender)
{
	char buf[sizeof(*req) + 1];
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	struct ucred cred;
	ssize_t n;

	/* No control buffer, or room for the credentials only: fds a
	 * hostile caller sends truncate it (MSG_CTRUNC, refused below) and
	 * are dropped by the kernel instead of landing in the helper. */
	if (sender) {
		*sender = 0;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
	}
	n = recv_retry(fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EBADMSG;
	if (sender) {
		c = CMSG_FIRSTHDR(&msg);
		if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS ||
		    c->cmsg_len != CMSG_LEN(sizeof(cred)))
			return -EBADMSG;
		memcpy(&cred, CMSG_DATA(c), sizeof(cred));
		*sender = (int)cred.pid;
	}
	return iso_proto_decode_request(buf, (size_t)n, req);
}

int iso_proto_recv_request(int fd, struct iso_request *req)
{
	return recv_request(fd, req, NULL);
}

int iso_proto_recv_request_cred(int fd, struct iso_request *req, int *sender)
{
	return recv_request(fd, req, sender);
}

int iso_proto_send_reply(int fd, const struct iso_reply *rep, const int *fds, size_t nfds)
{
	return send_all(fd, rep, sizeof(*rep), fds, nfds);
}

int iso_proto_recv_reply(int fd, struct iso_reply *rep, int fds[ISO_MAX_FDS])
{
	char buf[sizeof(*rep) + 1];
	union {
		char buf[CMSG_SPACE(sizeof(int) * ISO_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *c;
	size_t got = 0, i;
	ssize_t n;
	int r;

	for (i = 0; i < ISO_MAX_FDS; i++)
		fds[i] = -1;
	n = recv_retry(fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < ISO_MAX_FDS)
				fds[got++] = f;
			else
				close(f);
		}
	}
	r = -EBADMSG;
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		goto fail;
	r = iso_proto_decode_reply(buf, (size_t)n, rep);
	if (r < 0)
		goto fail;
	if (rep->nfds != got) {
		r = -EBADMSG;
		goto fail;
	}
	/* into their slots: the k-th fd is the k-th kind set */
	{
		int packed[ISO_MAX_FDS];

		memcpy(packed, fds, sizeof(packed));
		for (i = 0, got = 0; i < ISO_MAX_FDS; i++)
			fds[i] = (rep->fd_kinds & (1u << i)) ? packed[got++] : -1;
	}
	return 0;
fail:
	for (i = 0; i < ISO_MAX_FDS; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
	return r;
}
