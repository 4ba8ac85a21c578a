/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_timer: RFC 4028 session timers, per leg. A session that is not
 * refreshed within its interval is ended (BYE both legs): the safety net
 * for a peer that vanished without BYE, next to the media timeout.
 *
 * As UAS (the caller's leg): an INVITE's Session-Expires below our Min-SE
 * is refused 422 with Min-SE (section 6); otherwise the interval is the
 * smaller of the request's and ours, the refresher the one the request
 * names, else the UAC when it supports timers, else us (section 9), and
 * the 2xx says so (Require: timer when the UAC refreshes).
 * As UAC (the callee's leg): we ask for our interval; the 2xx decides
 * (section 7.2), and without Session-Expires in it we refresh ourselves.
 *
 * The refresher re-INVITEs at half the interval (section 10); the other
 * side ends the session when no refresh came by interval - min(32, I/3).
 * libre 1.1.0's sipsess answers a re-INVITE itself and cannot add
 * Session-Expires to that 2xx, so after a refresh by re-INVITE of a
 * relayed leg we take the refresher role (a UAC reading that 2xx may think
 * timers are off); an UPDATE refresh is answered by sip_server.c with the
 * header, and the roles stay. Room calls answer their re-INVITEs
 * themselves (sip_room.c) with the header, and only run a timer the UAC
 * refreshes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip_internal.h"

/* "delta-seconds *(;param)" with refresher=uac|uas (section 4). */
static int
parse_se(const struct sip_msg *msg, uint32_t *se, int *refresher)
{
	const struct sip_hdr *h = sip_msg_xhdr(msg, "Session-Expires");
	struct pl delta, ref;

	if (!h)
		h = sip_msg_xhdr(msg, "x"); /* compact form */
	*refresher = 0;
	if (!h)
		return -1;
	if (re_regex(h->val.p, h->val.l, "[0-9]+", &delta) || delta.l > 9)
		return -1;
	*se = pl_u32(&delta);
	if (!re_regex(h->val.p, h->val.l, "refresher=[a-z]+", &ref)) {
		if (!pl_strcasecmp(&ref, "uac"))
			*refresher = 1;
		else if (!pl_strcasecmp(&ref, "uas"))
			*refresher = 2;
	}
	return 0;
}

int
sip_timer_uas_check(const struct sip_server *srv, const struct sip_msg *msg,
		    uint32_t *interval_s, bool *refresher_uac, bool *uac_supports)
{
	const struct config *cfg = srv->cfg;
	uint32_t se = 0;
	int refresher;
	bool has_se;

	*uac_supports = sip_msg_hdr_has_value(msg, SIP_HDR_SUPPORTED, "timer");
	*interval_s = 0;
	*refresher_uac = false;
	has_se = parse_se(msg, &se, &refresher) == 0;
	if (has_se && se < cfg->min_se_s)
		return 422;
	if (!cfg->session_expires_s)
		return 0;
	*interval_s = has_se && se < cfg->session_expires_s ? se : cfg->session_expires_s;
	if (refresher == 1 || refresher == 2)
		*refresher_uac = refresher == 1 && *uac_supports;
	else
		*refresher_uac = *uac_supports;
	return 0;
}

int
sip_timer_uas_hdrs(struct re_printf *pf, void *arg)
{
	const struct sip_timer *t = arg;
	int err;

	if (!t->interval_s)
		return 0;
	err = re_hprintf(pf, "Session-Expires: %u;refresher=%s\r\n", t->interval_s,
			 t->we_refresh ? "uas" : "uac");
	if (!err && !t->we_refresh && t->peer_supports)
		err = re_hprintf(pf, "Require: timer\r\n");
	return err;
}

int
sip_timer_uac_hdrs(struct re_printf *pf, void *arg)
{
	const struct sip_timer *t = arg;
	const struct config *cfg = t->sc->srv->cfg;

	if (!cfg->session_expires_s)
		return 0;
	return re_hprintf(pf, "Session-Expires: %u\r\nMin-SE: %u\r\n", cfg->session_expires_s,
			  cfg->min_se_s);
}

void
sip_timer_uac_learn(struct sip_timer *t, const struct sip_msg *msg, uint32_t asked_s)
{
	uint32_t se;
	int refresher;

	if (!asked_s)
		return;
	if (parse_se(msg, &se, &refresher) == 0 && se) {
		t->interval_s = se;
		t->we_refresh = refresher != 2; /* uac (us) unless the UAS took it */
	} else {
		t->interval_s = asked_s; /* the UAS has no timers: we refresh */
		t->we_refresh = true;
	}
}

void
sip_timer_stop(struct sip_timer *t)
{
	tmr_cancel(&t->tmr);
}

static void
timer_expired(void *arg)
{
	struct sip_timer *t = arg;
	struct sip_call *sc = t->sc;

	sc->srv->st.session_expired++;
	sip_call_end(sc, "session-expired", 408);
}

static void
timer_refresh(void *arg)
{
	struct sip_timer *t = arg;
	struct sip_call *sc = t->sc;
	struct mbuf *desc = NULL;

	/* section 7.4 / 9: a re-INVITE carrying our current description;
	 * a 481 or 408 to it ends the session (libre closes it) */
	if (sc->sess[t->leg] && sdp_leg_encode(&sc->sdp[t->leg], true, &desc) == 0)
		(void)sipsess_modify(sc->sess[t->leg], desc);
	mem_deref(desc);
	sip_call_changed(sc); /* our CSeq moved */
	tmr_start(&t->tmr, (uint64_t)t->interval_s * 500, timer_refresh, t);
}

void
sip_timer_start(struct sip_call *sc, unsigned int leg)
{
	struct sip_timer *t = &sc->timer[leg];
	uint32_t margin;

	tmr_cancel(&t->tmr);
	if (!t->interval_s || sc->ending)
		return;
	if (t->we_refresh) {
		tmr_start(&t->tmr, (uint64_t)t->interval_s * 500, timer_refresh, t);
		return;
	}
	/* section 10: BYE at interval - min(32, interval / 3) */
	margin = t->interval_s / 3 < 32 ? t->interval_s / 3 : 32;
	tmr_start(&t->tmr, (uint64_t)(t->interval_s - margin) * 1000, timer_expired, t);
}

void
sip_timer_refreshed(struct sip_call *sc, unsigned int leg, const struct sip_msg *msg)
{
	struct sip_timer *t = &sc->timer[leg];
	const struct config *cfg = sc->srv->cfg;
	uint32_t se;
	int refresher;

	if (!cfg->session_expires_s)
		return;
	if (parse_se(msg, &se, &refresher) == 0 && se >= cfg->min_se_s) {
		t->interval_s = se < cfg->session_expires_s ? se : cfg->session_expires_s;
		if (refresher)
			t->we_refresh = (refresher == 2) == t->sc->c->leg[leg].dlg.uas;
	}
	if (!t->interval_s)
		t->interval_s = cfg->session_expires_s;
	/* our 2xx to a re-INVITE cannot carry Session-Expires (libre 1.1.0):
	 * the peer may think timers are off, so we refresh from now on */
	if (sc->sess[leg] && pl_strcmp(&msg->met, "UPDATE"))
		t->we_refresh = true;
	sip_timer_start(sc, leg);
}
