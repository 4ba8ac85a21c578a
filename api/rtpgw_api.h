/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire structures of the control <-> dataplane API.
 *
 * This is the only header shared by dataplane/, control/ and tools/. The
 * dataplane's agent owns a UNIX SOCK_SEQPACKET socket; every datagram is one
 * message: a struct rtpgw_api_hdr followed by hdr.len bytes of payload.
 * A client sends requests; the agent answers each with exactly one reply
 * carrying the same id and type with RTPGW_API_F_REPLY set, and a status
 * (0 or a negative errno). A client that sent RTPGW_API_EVENTS_SUBSCRIBE
 * also receives event messages (RTPGW_API_F_EVENT set, id 0) interleaved
 * with its replies.
 *
 * Rules (enforced by the agent, see docs/API.md):
 * - every struct is packed by construction (explicit padding, natural
 *   alignment) and static_asserted below; integers are host byte order
 *   (the socket never leaves the host), addresses and ports are network
 *   byte order, as on the wire of the packets they describe;
 * - the first message on a connection must be HELLO with a version equal
 *   to RTPGW_API_VERSION, otherwise -EPROTO and the connection is closed;
 * - a message shorter than its header, whose hdr.len disagrees with the
 *   datagram length, or whose payload is too short for its type gets
 *   -EBADMSG; an unknown type gets -ENOTSUP; out of range values -EINVAL;
 *   a request that fails changes nothing (batches are validated whole
 *   before the first item is applied).
 */
#ifndef RTPGW_API_H
#define RTPGW_API_H

#include <assert.h>
#include <stdint.h>

#define RTPGW_API_VERSION 2
#define RTPGW_API_MAGIC 0x52475057 /* "RGPW" */
#define RTPGW_API_SOCK_DEFAULT "/run/rtpgw/dataplane.sock"
/* Largest datagram either side sends or accepts, header included. */
#define RTPGW_API_MSG_MAX 65536

enum rtpgw_api_type {
	RTPGW_API_HELLO = 1,
	RTPGW_API_ADDR_LIST,
	RTPGW_API_FLOW_ADD,
	RTPGW_API_FLOW_MOD,
	RTPGW_API_FLOW_DEL,
	RTPGW_API_FLOW_GET,
	RTPGW_API_FLOW_LIST,
	RTPGW_API_STATS_PORTS,
	RTPGW_API_STATS_WORKERS,
	RTPGW_API_STATS_DROPS,
	RTPGW_API_EVENTS_SUBSCRIBE,
	RTPGW_API_CONF_ADD,        /* struct rtpgw_api_conf */
	RTPGW_API_CONF_DEL,        /* struct rtpgw_api_conf (conf_id read) */
	RTPGW_API_CONF_SET,        /* struct rtpgw_api_conf */
	RTPGW_API_CONF_GET,        /* struct rtpgw_api_conf (conf_id read) -> rtpgw_api_conf_info */
	RTPGW_API_PART_JOIN,       /* struct rtpgw_api_participant */
	RTPGW_API_PART_LEAVE,      /* struct rtpgw_api_participant (flow key read) */
	RTPGW_API_PART_SET,        /* struct rtpgw_api_participant */
	RTPGW_API_EVENT_RTCP = 0x100,
	RTPGW_API_EVENT_FLOW_IDLE,
	RTPGW_API_EVENT_SSRC_CHANGE,
	RTPGW_API_EVENT_DTMF,      /* struct rtpgw_api_event_conf */
	RTPGW_API_EVENT_SPEAKER,   /* struct rtpgw_api_event_conf: active speaker changed */
};

#define RTPGW_API_F_REPLY 0x1
#define RTPGW_API_F_EVENT 0x2

struct rtpgw_api_hdr {
	uint32_t magic;   /* RTPGW_API_MAGIC */
	uint16_t version; /* RTPGW_API_VERSION */
	uint16_t type;    /* enum rtpgw_api_type */
	uint32_t id;      /* chosen by the client, echoed in the reply */
	uint16_t flags;   /* RTPGW_API_F_* */
	uint16_t reserved;
	int32_t status;   /* replies: 0 or -errno; requests: 0 */
	uint32_t len;     /* payload bytes following this header */
};
static_assert(sizeof(struct rtpgw_api_hdr) == 24, "api header layout");

/* Addresses carry their family so that IPv6 follows without a new ABI. */
#define RTPGW_AF_INET 4
#define RTPGW_AF_INET6 6

struct rtpgw_api_ip {
	uint8_t family; /* RTPGW_AF_* */
	uint8_t pad[3];
	union {
		uint32_t v4; /* network byte order */
		uint8_t v6[16];
	};
};
static_assert(sizeof(struct rtpgw_api_ip) == 20, "api ip layout");

/* HELLO: request and reply payload. */
struct rtpgw_api_hello {
	uint32_t version;     /* request: client's; reply: the agent's */
	uint32_t n_workers;   /* reply only */
	uint32_t max_flows;   /* reply only */
	uint32_t n_flows;     /* reply only: flows installed now */
	uint64_t tsc_hz;      /* reply only */
	char name[32];        /* request: client name; reply: "rtpgw-dataplane" */
};

/* ADDR_LIST reply: count, then count entries. */
struct rtpgw_api_addr {
	struct rtpgw_api_ip ip;
	uint8_t prefix_len;
	uint8_t pad;
	uint16_t port_id;       /* DPDK port owning the address */
	struct rtpgw_api_ip gateway; /* family 0 when none */
	uint8_t mac[6];         /* the port's MAC */
	uint8_t pad2[2];
};

struct rtpgw_api_addr_list {
	uint32_t count;
	uint32_t pad;
	struct rtpgw_api_addr addrs[];
};

/*
 * A flow: what the dataplane does with UDP packets arriving at
 * (local.ip, local.port). Control resolves everything; workers apply it.
 */
enum rtpgw_flow_action {
	RTPGW_FLOW_RELAY = 1, /* rewrite toward the peer and send */
	RTPGW_FLOW_DROP,      /* count and drop (e.g. a held leg) */
	RTPGW_FLOW_MIX,       /* a conference participant (PART_JOIN installs it):
			       * RTP goes to the mixer; the mix is sent from
			       * out_local:out_port to peer:peer_port */
};

enum rtpgw_flow_src_mode {
	RTPGW_SRC_STRICT = 1, /* only src.ip:src.port is accepted */
	RTPGW_SRC_LATCH,      /* first source wins, then strict */
	RTPGW_SRC_ANY,        /* every source is accepted */
};

enum rtpgw_flow_rtcp {
	RTPGW_RTCP_NONE = 0,   /* RTCP is not expected; RTCP-looking RTP is RTP */
	RTPGW_RTCP_COMPANION,  /* RTCP on local.port + 1, to peer.port + 1 */
	RTPGW_RTCP_MUX,        /* RFC 5761: RTCP shares the RTP ports */
};

/* rtpgw_api_flow.flags */
#define RTPGW_FLOW_F_SSRC_REWRITE 0x01 /* RTP/RTCP sender SSRC := ssrc_out */
#define RTPGW_FLOW_F_SEQ_CONTINUOUS 0x02 /* keep seq/ts continuous across source changes */
#define RTPGW_FLOW_F_PT_MAP 0x04 /* apply pt_map */
#define RTPGW_FLOW_F_RTCP_EVENTS 0x08 /* copy RTCP to the agent's event stream */
#define RTPGW_FLOW_F_ALL 0x0f

#define RTPGW_PT_MAP_MAX 8

struct rtpgw_api_pt_map {
	uint8_t in;  /* payload type received (0..127) */
	uint8_t out; /* payload type sent (0..127) */
};

struct rtpgw_api_flow {
	/* key */
	struct rtpgw_api_ip local; /* one of the dataplane's addresses */
	uint16_t local_port;       /* RTP port; COMPANION also takes local_port + 1 */
	uint8_t action;            /* enum rtpgw_flow_action */
	uint8_t src_mode;          /* enum rtpgw_flow_src_mode */
	/* expected source: STRICT accepts only it; LATCH latches the first RTP
	 * source and, before that, accepts RTCP only from src's address when
	 * set; ANY ignores it */
	struct rtpgw_api_ip src;
	uint16_t src_port;
	uint8_t rtcp;              /* enum rtpgw_flow_rtcp */
	uint8_t n_pt_map;
	/* egress: sent from out_local:out_port to peer:peer_port */
	struct rtpgw_api_ip out_local; /* one of the dataplane's addresses */
	struct rtpgw_api_ip peer;
	uint16_t out_port;
	uint16_t peer_port;
	uint32_t flags;            /* RTPGW_FLOW_F_* */
	uint32_t ssrc_out;         /* with F_SSRC_REWRITE */
	uint32_t clock_rate;       /* RTP clock in Hz for jitter; 0 means 8000 (stored as 8000) */
	uint32_t idle_timeout_ms;  /* event after this long without packets; 0 = never */
	struct rtpgw_api_pt_map pt_map[RTPGW_PT_MAP_MAX];
	uint32_t reserved;         /* 0 */
	uint64_t cookie;           /* opaque to the dataplane, echoed in events */
};
static_assert(sizeof(struct rtpgw_api_flow) == 136, "api flow layout");

/* FLOW_ADD / FLOW_MOD / FLOW_DEL / FLOW_GET request payload. */
#define RTPGW_API_F_EXIST_OK 0x1   /* ADD: an identical flow already there is success */
#define RTPGW_API_F_MISSING_OK 0x2 /* DEL/MOD: a missing flow is success (MOD: skipped);
				    * GET: a missing flow reads as zeros, action 0 */

struct rtpgw_api_flow_batch {
	uint32_t count;
	uint32_t flags; /* RTPGW_API_F_EXIST_OK | RTPGW_API_F_MISSING_OK */
	struct rtpgw_api_flow flows[]; /* DEL/GET read only local/local_port */
};
#define RTPGW_API_FLOW_BATCH_MAX \
	((RTPGW_API_MSG_MAX - sizeof(struct rtpgw_api_hdr) - sizeof(struct rtpgw_api_flow_batch)) / \
	 sizeof(struct rtpgw_api_flow))

/* Reply to ADD/MOD/DEL: how many were applied; on error, which one failed. */
struct rtpgw_api_flow_batch_reply {
	uint32_t applied;
	uint32_t failed_index; /* valid when hdr.status < 0 */
};

/* Per flow statistics, RFC 3550 A.1 and A.8. */
struct rtpgw_api_flow_stats {
	uint64_t packets;      /* RTP packets relayed */
	uint64_t octets;       /* RTP payload octets relayed */
	uint64_t rtcp_packets; /* RTCP compound packets relayed */
	uint64_t dropped;      /* packets hitting this flow that were dropped */
	uint64_t last_seen_ns; /* ns since dataplane start, 0 = never */
	uint32_t ssrc;         /* last SSRC received */
	uint32_t ssrc_changes;
	uint32_t pt_changes;
	uint8_t pt;            /* last payload type received */
	uint8_t latched;       /* LATCH mode: source latched */
	uint16_t pad;
	int32_t lost;          /* A.3 cumulative lost (may be negative with dups) */
	uint32_t expected;     /* A.3 extended max - base + 1 */
	uint32_t received;     /* packets counted by A.1 (valid sequence) */
	uint32_t duplicates;
	uint32_t reordered;
	uint32_t seq_cycles;   /* A.1 cycles (wraps), shifted by 16 */
	uint32_t seq_restarts; /* A.1 re-syncs after large jumps */
	uint32_t jitter;       /* A.8, timestamp units */
	struct rtpgw_api_ip latched_ip;
	uint16_t latched_port;
	uint16_t pad2;
};

struct rtpgw_api_flow_info {
	struct rtpgw_api_flow flow;
	struct rtpgw_api_flow_stats stats;
};

/* FLOW_GET reply: count then infos (one per requested key, in order). */
struct rtpgw_api_flow_info_list {
	uint32_t count;
	uint32_t next; /* FLOW_LIST: cursor for the next request, 0 = done */
	struct rtpgw_api_flow_info infos[];
};

/* FLOW_LIST request. */
struct rtpgw_api_flow_list_req {
	uint32_t cursor; /* 0 to start, then the reply's next */
	uint32_t max;    /* at most this many (capped by message size) */
};

/*
 * Conferences (issue 3). A conference is owned by one worker, which mixes
 * it every ptime; its participants' RTP arrives at MIX flows, installed by
 * PART_JOIN, and reaches the owner over a per-worker ring when another
 * worker receives it. Every participant hears the mix of the others (mix
 * minus its own voice), encoded in its own codec, from the conference's
 * mixer SSRC with its own sequence numbers and timestamps.
 */
#define RTPGW_CONF_F_REF_SSRC 0x1 /* pace the conference on ref_ssrc's clock */

struct rtpgw_api_conf {
	uint32_t conf_id;     /* chosen by control, not 0 */
	uint16_t ptime_ms;    /* 10..60, a multiple of 10; 0 means 20 */
	uint16_t flags;       /* RTPGW_CONF_F_* */
	uint32_t ref_ssrc;    /* with RTPGW_CONF_F_REF_SSRC */
	uint32_t mixer_ssrc;  /* SSRC of every stream the mixer sends; 0: chosen */
	uint64_t cookie;      /* echoed in events */
};

#define RTPGW_PART_F_MUTE 0x1 /* contributes nothing */
#define RTPGW_PART_F_DEAF 0x2 /* is sent nothing */

struct rtpgw_api_participant {
	uint32_t conf_id;
	uint8_t pt;               /* its codec: 0 (PCMU) or 8 (PCMA) */
	uint8_t flags;            /* RTPGW_PART_F_* */
	uint8_t dtmf_pt;          /* RFC 4733 telephone-event PT, 0 = none */
	uint8_t level_ext_id;     /* RFC 6464 extension id it sends, 0 = none */
	uint16_t in_gain_q12;     /* on its voice; 4096 = unity, 0 means unity */
	uint16_t out_gain_q12;    /* on what it hears; 4096 = unity, 0 means unity */
	uint8_t csrc_level_ext_id; /* RFC 6465 id for the mix it receives, 0 = none */
	uint8_t pad[3];
	/* Where its RTP arrives and where the mix goes: action must be
	 * RTPGW_FLOW_MIX; SSRC rewrite, seq continuity and PT map are not
	 * used (the mixer originates the stream). */
	struct rtpgw_api_flow flow;
};

struct rtpgw_api_part_stats {
	struct rtpgw_api_ip local;
	uint16_t local_port;
	uint8_t talking;
	uint8_t level;            /* last RFC 6464-style level, 127 = silence */
	uint64_t frames_played;   /* from its jitter buffer */
	uint64_t frames_concealed;
	uint64_t frames_silent;
	uint64_t late;
	uint64_t dup;
	uint64_t resync;
	uint64_t drift_dropped;
	uint64_t drift_inserted;
	uint64_t packets_sent;    /* mix packets sent to it */
	uint32_t jbuf_level;      /* frames waiting */
	uint32_t jbuf_target;
};

/* CONF_GET reply: the conference, then its participants. */
struct rtpgw_api_conf_info {
	struct rtpgw_api_conf conf;
	uint32_t owner_lcore;
	uint32_t n_parts;
	uint64_t ticks;
	uint64_t ticks_late;      /* ticks that started more than a ptime late */
	uint64_t tick_cycles_max;
	int32_t ref_ppb;          /* reference clock: source rate vs ours - 1, in 1e-9 */
	uint8_t ref_state;        /* 0: not ready (nominal pacing), 1: from arrivals, 2: from SRs */
	uint8_t pad[3];
	uint64_t tick_ns;         /* the tick period in use */
	struct rtpgw_api_part_stats parts[];
};

/* DTMF and SPEAKER events. */
struct rtpgw_api_event_conf {
	uint32_t conf_id;
	uint16_t local_port;      /* the participant's flow key */
	uint8_t digit;            /* DTMF: '0'-'9', '*', '#', 'A'-'D' */
	uint8_t pad;
	struct rtpgw_api_ip local;
	uint32_t duration;        /* DTMF: in RTP timestamp units */
	uint32_t pad2;
	uint32_t pad3;
	uint64_t cookie;          /* the conference's */
};
static_assert(sizeof(struct rtpgw_api_conf) == 24, "api conf layout");
static_assert(sizeof(struct rtpgw_api_participant) == 16 + sizeof(struct rtpgw_api_flow),
	      "api participant layout");
static_assert(sizeof(struct rtpgw_api_part_stats) == 104, "api participant stats layout");
static_assert(sizeof(struct rtpgw_api_conf_info) == 72, "api conf info layout");
static_assert(sizeof(struct rtpgw_api_event_conf) == 48, "api conf event layout");

/* Drop and exception reasons. One list generates the enum, the names and
 * the exports on both sides (VPP foreach_ip4_error). */
#define RTPGW_FOREACH_DROP(X) \
	X(NOT_ETHER, "frame too short or not for our MAC") \
	X(BAD_ETHERTYPE, "ethertype not IPv4 or ARP") \
	X(TRUNCATED, "header truncated or length fields disagree") \
	X(BAD_IP_VERSION, "IP version or header length invalid") \
	X(BAD_IP_CKSUM, "IPv4 header checksum invalid") \
	X(IP_FRAGMENT, "IP fragment (media never fragments)") \
	X(IP_OPTIONS, "IPv4 options present") \
	X(NOT_OURS, "destination is not one of our addresses") \
	X(BAD_PROTO, "IP protocol not UDP or ICMP") \
	X(BAD_UDP_CKSUM, "UDP checksum invalid") \
	X(NO_FLOW, "no flow at this address and port") \
	X(WRONG_SOURCE, "source does not match the flow") \
	X(FLOW_DROP, "flow action is drop") \
	X(BAD_RTP_VERSION, "RTP version is not 2") \
	X(BAD_RTP, "RTP header, CSRC, extension or padding invalid") \
	X(BAD_RTCP, "RTCP compound packet invalid (RFC 3550 6.4, A.2)") \
	X(NO_NEXTHOP, "next hop MAC not resolved yet") \
	X(BAD_CODEC, "mixer: payload type not the participant's codec") \
	X(MIX_HANDOFF_FULL, "mixer: ring to the conference's worker full") \
	X(MIX_STALE, "mixer: participant left while its packet was queued") \
	X(NO_MBUF, "out of packet buffers (mixer output)") \
	X(SLOWPATH_FULL, "agent ring full") \
	X(TX_FULL, "TX queue full")

#define RTPGW_DROP_ENUM(n, d) RTPGW_DROP_##n,
enum rtpgw_drop {
	RTPGW_FOREACH_DROP(RTPGW_DROP_ENUM)
	RTPGW_DROP_MAX
};
#undef RTPGW_DROP_ENUM

/* STATS_DROPS reply: one counter per reason, summed over workers. */
struct rtpgw_api_drops {
	uint32_t count; /* RTPGW_DROP_MAX of the agent (may differ from ours) */
	uint32_t pad;
	uint64_t drops[];
};

/* STATS_WORKERS reply. */
struct rtpgw_api_worker_stats {
	uint32_t lcore_id;
	uint32_t n_rxq;
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t dropped;
	uint64_t slowpath;   /* packets handed to the agent */
	uint64_t busy_cycles; /* cycles in loop iterations that received packets */
	uint64_t total_cycles;
	uint64_t polls;
};

struct rtpgw_api_worker_list {
	uint32_t count;
	uint32_t pad;
	struct rtpgw_api_worker_stats workers[];
};

/* STATS_PORTS reply. */
struct rtpgw_api_port_stats {
	uint16_t port_id;
	uint8_t mac[6];
	char name[48];
	uint64_t ipackets;
	uint64_t opackets;
	uint64_t ibytes;
	uint64_t obytes;
	uint64_t imissed;
	uint64_t ierrors;
	uint64_t oerrors;
	uint64_t rx_nombuf;
	uint64_t arp_requests_rx; /* ARP requests for our addresses answered */
	uint64_t arp_requests_tx; /* ARP requests sent for next hops */
	uint64_t icmp_echo;       /* ICMP echo requests answered */
	uint64_t slow_drops;      /* ARP/ICMP the agent could not use or send */
};

struct rtpgw_api_port_list {
	uint32_t count;
	uint32_t pad;
	struct rtpgw_api_port_stats ports[];
};

/* Events (agent -> subscribed clients). */
#define RTPGW_API_RTCP_MAX 1500

struct rtpgw_api_event_rtcp {
	struct rtpgw_api_ip local;
	uint16_t local_port; /* the flow's RTP port */
	uint16_t len;        /* bytes of data */
	uint64_t cookie;
	uint64_t time_ns;    /* arrival, ns since dataplane start */
	struct rtpgw_api_ip src;
	uint16_t src_port;
	uint16_t pad;
	uint8_t data[];      /* the RTCP compound packet as received */
};

struct rtpgw_api_event_flow {
	struct rtpgw_api_ip local;
	uint16_t local_port;
	uint16_t pad;
	uint32_t old_ssrc;   /* SSRC_CHANGE */
	uint32_t new_ssrc;   /* SSRC_CHANGE */
	uint64_t cookie;
	uint64_t idle_ns;    /* FLOW_IDLE: time since the last packet */
};

#endif /* RTPGW_API_H */
