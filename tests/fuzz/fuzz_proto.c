/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the protocol decoders: iso_proto_decode_request()
 * (what the setuid helper reads from anyone) and iso_proto_decode_reply()
 * (what the module reads from the helper), then the same bytes through a
 * real SOCK_SEQPACKET socketpair into iso_proto_recv_request() /
 * iso_proto_recv_reply(), which add the truncation checks.
 *
 * Input: byte 0 bit 0 picks the decoder (0 request, 1 reply); the rest is
 * the message. Whatever decodes must satisfy the decoder's promises (a
 * known op/result, every string NUL-terminated inside its field, fd kinds
 * that match nfds) and be byte-identical to its input.
 *
 * Built and run by tests/fuzz/run.sh (`make fuzz`).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static int terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

static void check_request(const uint8_t *msg, size_t len, int r, const struct iso_request *q)
{
	if (r < 0) {
		CHECK(r == -EBADMSG || r == -EPROTO);
		return;
	}
	CHECK(r == 0 && len == sizeof(*q));
	CHECK(q->version == ISO_PROTO_VERSION && q->flags == 0);
	CHECK(q->op == ISO_OP_OPEN || q->op == ISO_OP_CLOSE);
	CHECK(terminated(q->user, sizeof(q->user)) && terminated(q->service, sizeof(q->service)));
	CHECK(terminated(q->conf, sizeof(q->conf)));
	CHECK(terminated(q->session_id, sizeof(q->session_id)));
	CHECK(terminated(q->origin, sizeof(q->origin)));
	CHECK(memcmp(q, msg, len) == 0);
}

static void check_reply(const uint8_t *msg, size_t len, int r, const struct iso_reply *p)
{
	if (r < 0) {
		CHECK(r == -EBADMSG || r == -EPROTO);
		return;
	}
	CHECK(r == 0 && len == sizeof(*p));
	CHECK(p->version == ISO_PROTO_VERSION);
	CHECK(p->result >= ISO_RES_CONFINED && p->result <= ISO_RES_CLOSED);
	CHECK(p->err_class <= ISO_EC_INTERNAL && p->nfds <= ISO_MAX_FDS);
	CHECK(p->fd_kinds == (1u << p->nfds) - 1);
	CHECK(p->status <= 0);
	CHECK(terminated(p->session_id, sizeof(p->session_id)));
	CHECK(terminated(p->origin, sizeof(p->origin)) && terminated(p->rule, sizeof(p->rule)));
	CHECK(terminated(p->message, sizeof(p->message)));
	CHECK(memcmp(p, msg, len) == 0);
}

/* One socketpair for the whole run; every message is read back at once. */
static int pair[2] = {-1, -1};

static void through_socket(int reply, const uint8_t *msg, size_t len)
{
	struct iso_request q;
	struct iso_reply p;
	int fds[ISO_MAX_FDS];
	int r, i;

	if (len > 65536)
		return;
	if (pair[0] < 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		abort();
	if (send(pair[0], msg, len, MSG_NOSIGNAL) != (ssize_t)len)
		return;
	if (reply) {
		r = iso_proto_recv_reply(pair[1], &p, fds);
		/* a zero-length datagram reads as end of stream */
		if (len == 0)
			CHECK(r == -ECONNRESET);
		else
			check_reply(msg, len, r, &p);
		for (i = 0; i < ISO_MAX_FDS; i++)
			CHECK(fds[i] == -1); /* none were sent */
	} else {
		r = iso_proto_recv_request(pair[1], &q);
		if (len == 0)
			CHECK(r == -ECONNRESET);
		else
			check_request(msg, len, r, &q);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iso_request q;
	struct iso_reply p;
	const uint8_t *msg;
	size_t len;
	int reply;

	if (size < 1)
		return 0;
	reply = data[0] & 1;
	msg = data + 1;
	len = size - 1;
	if (reply) {
		memset(&p, 0xa5, sizeof(p));
		check_reply(msg, len, iso_proto_decode_reply(msg, len, &p), &p);
	} else {
		memset(&q, 0xa5, sizeof(q));
		check_request(msg, len, iso_proto_decode_request(msg, len, &q), &q);
	}
	through_socket(reply, msg, len);
	return 0;
}
