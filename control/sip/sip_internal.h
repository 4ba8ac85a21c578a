/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SIP layer's shared state (sip_server.c, sip_room.c, sip_relay.c,
 * sip_timer.c); not for other modules.
 */
#ifndef SIP_INTERNAL_H
#define SIP_INTERNAL_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include <re.h>

#include "../calls/call_dp.h"
#include "../calls/calls.h"
#include "../config.h"
#include "../dp_client/dp_client.h"
#include "../media/ports.h"
#include "../rooms.h"
#include "../routing/routes.h"
#include "sip_sdp.h"
#include "sip_server.h"

#define SIP_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE"

struct sip_server {
	const struct config *cfg;
	struct dp_client *dp;
	struct calls *calls;
	struct rooms *rooms;
	struct ports *ports;
	struct routes *routes;
	struct sip *sip;
	struct sipsess_sock *sock;
	struct sip_lsnr *lsnr; /* OPTIONS, UPDATE and recovered dialogs, before sipsess */
	struct sip_lsnr *last; /* 405 to what no one took */
	regex_t room_re;
	struct sa media_sa;	    /* cfg->media_ip, port 0 */
	struct rtpgw_api_ip media; /* the same for the dataplane */
	struct tmr poll_tmr;
	uint64_t dp_epoch_ns; /* the dataplane's start on the wall clock, 0 = not known */
	struct sip_server_stats st;
	sip_server_call_h *ended_h; /* a call ended (quality log) */
	sip_server_call_h *changed_h; /* a call was set up or changed (persistence) */
	void *hook_arg;
};

/* Handler argument of one leg's sipsess. */
struct sip_leg_ctx {
	struct sip_call *sc;
	unsigned int leg;
};

/* RFC 4028 state of one leg. */
struct sip_timer {
	struct tmr tmr;
	uint32_t interval_s;  /* 0: no session timer on this leg */
	bool we_refresh;      /* refresher is us (else the peer) */
	bool peer_supports;   /* the peer said Supported: timer */
	struct sip_call *sc;
	unsigned int leg;
};

struct sip_call {
	struct sip_server *srv;
	struct call *c;
	struct sipsess *sess[2];
	struct sdp_leg sdp[2];
	struct sip_leg_ctx ctx[2];
	struct sip_timer timer[2];
	const struct sip_msg *invite; /* relayed: the caller's INVITE (a reference) */
	struct tmr inv_tmr;	      /* relayed: the callee must answer in time */
	struct tmr free_tmr;	      /* deferred free after the last close */
	uint8_t caller_pts[SDP_CODECS_MAX]; /* relayed: the caller's codecs, its order */
	unsigned int n_caller_pts;
	bool closed[2]; /* the leg's session ended from its side (BYE, CANCEL, error) */
	bool answered; /* the caller got its 200 */
	/* room calls (no sipsess): our last 2xx, sent again until its ACK */
	const struct sip_msg *rtx_msg; /* the INVITE it answers (a reference) */
	struct mbuf *rtx_body;
	struct tmr rtx_tmr;
	uint32_t rtx_interval;
	uint32_t rtx_elapsed;
	uint32_t rtx_cseq;
	bool acked; /* the first 2xx was acknowledged */
	bool ending;
};

/* sip_server.c */
const char *sip_reason(uint16_t code); /* the usual reason phrase */
uint64_t sip_now_ms(void); /* monotonic */
uint64_t sip_wall_ms(void);
struct sip_call *sip_call_alloc(struct sip_server *srv, struct call *c);
/*
 * End a call: both legs get BYE (or CANCEL / a final response when not yet
 * answered: code), the dataplane state goes, its ports are quarantined, the
 * quality record is written and the call freed (after the loop turn).
 */
void sip_call_end(struct sip_call *sc, const char *reason, uint16_t code);
void sip_call_changed(struct sip_call *sc);
/* BYE in a dialog known only by its record (room calls, recovered calls). */
int sip_dialog_bye(struct sip_server *srv, struct call_leg *l);
/* End a recovered call (no SIP runtime): BYE from its dialog records. */
void sip_recovered_end(struct sip_server *srv, struct call *c, const char *reason);
/* Our Contact user and extra headers for a dialog-creating response. */
int sip_hdrs_common(struct re_printf *pf, void *arg);
void sip_dialog_learn(struct call_leg *l, const struct sip_msg *msg, bool uas);

/* sip_room.c */
void sip_room_invite(struct sip_server *srv, const struct sip_msg *msg, uint32_t room);
/* An INVITE without To tag for a room call we hold: a retransmission. */
void sip_room_invite_again(struct sip_server *srv, const struct sip_msg *msg, struct call *c);
/* A request in a room call's dialog; false: not handled here. */
bool sip_room_request(struct sip_server *srv, const struct sip_msg *msg, struct call *c);
/* A room call recovered from the state file: back in its room, with a SIP
 * runtime again. 0 or a negative errno. */
int sip_room_recover(struct sip_server *srv, struct call *c);
/* Stop retransmitting a room call's 2xx. */
void sip_room_rtx_stop(struct sip_call *sc);
void sip_room_leave(struct sip_server *srv, struct call *c);
int sip_room_reinstall(struct sip_server *srv);

/* sip_relay.c */
void sip_relay_invite(struct sip_server *srv, const struct sip_msg *msg, const struct route *rt,
		      const char *user);
void sip_relay_teardown(struct sip_server *srv, struct call *c);

/* sip_timer.c: RFC 4028 */
/*
 * Check an INVITE's Session-Expires against our Min-SE: 0, or 422 when it
 * is too small (the caller replies 422 with our Min-SE, section 6). On
 * success *interval_s is the interval to use (0: no timer) and *refresher_uac
 * who refreshes.
 */
int sip_timer_uas_check(const struct sip_server *srv, const struct sip_msg *msg,
			uint32_t *interval_s, bool *refresher_uac, bool *uac_supports);
/* %H: the Session-Expires (and Require) headers of our 2xx for the
 * struct sip_timer arg, or nothing when it runs no timer. */
int sip_timer_uas_hdrs(struct re_printf *pf, void *arg);
/* %H: Supported/Session-Expires/Min-SE of our INVITE for a struct sip_timer. */
int sip_timer_uac_hdrs(struct re_printf *pf, void *arg);
/* A 2xx to our INVITE: take the interval and refresher it names. */
void sip_timer_uac_learn(struct sip_timer *t, const struct sip_msg *msg, uint32_t asked_s);
/* (Re)start a leg's timer after the dialog was set up or refreshed. */
void sip_timer_start(struct sip_call *sc, unsigned int leg);
void sip_timer_stop(struct sip_timer *t);
/* A request in the dialog refreshed the session. */
void sip_timer_refreshed(struct sip_call *sc, unsigned int leg, const struct sip_msg *msg);

#endif /* SIP_INTERNAL_H */
