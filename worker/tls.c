/* tls: in the TLS module, a worker's TLS connections (handshake, reads, writes, files) over OpenSSL, which nothing else in the worker sees, and the module's table. */
#include "tine_build.h"

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "log.h"
#include "tls_int.h"
#include "vhost.h"

#define TLS_RECORD	16384	/* the most plaintext one record holds */
#define TLS_BATCH_RECS	16	/* records of a file sealed per socket write */
#define TLS_BATCH	(TLS_BATCH_RECS * TLS_RECORD)
/* Most bytes a worker holds in unsent batches: past it, a file goes a
 * record per batch, so clients that stop reading big files cannot make a
 * worker hold a quarter MiB each (64 full batches fit). */
#define TLS_BATCH_BUDGET (16 * 1024 * 1024)
#define TLS_CORK	2048	/* a handshake step's first room: a flight with
				 * its chain grows it */
#define TLS_SEAL_MAX	256	/* more than a record adds: header, type, tag */
#define TLS_PAGE	4096	/* pread(2)'s buffer starts on a page, as the
				 * page cache's do: copies between them run at
				 * a third of the CPU (AMD EPYC; 16 bytes off) */
/* The collecting BIO's type: the first BIO_get_new_index() would give
 * (nothing else in a worker makes BIO types), without its first call's
 * set-up, which would cost a worker 200 KiB of libcrypto pages at start
 * and, made at the first file instead, a futex the sandbox forbids. */
#define TLS_BIO_TYPE	(BIO_TYPE_START | BIO_TYPE_SOURCE_SINK)
#define TLS_HANDSHAKE	0x16	/* the first byte of a TLS ClientHello */
#define TLS_WHY_MAX	128

/* A worker's TLS state: the generation's contexts, a record's buffer, the
 * method of the BIO that collects a batch and a batch's file bytes (both
 * made when a file is first sent: a worker that sends none stays small,
 * libcrypto pages included). */
struct tls_worker {
	const struct tls_module	*mod;		/* first: see tls_mod_of() */
	const struct tls_conf	*tc;
	unsigned char		 buf[TLS_RECORD];	/* gathered bytes */
	BIO_METHOD		*collect;
	unsigned char		*file;			/* TLS_BATCH */
	size_t			 batched;	/* bytes of unsent batches */
};

/*
 * A file's records sealed in one go and written to the socket in one call:
 * with a write(2) per 16 KiB record, the kernel's work per call (TCP, and
 * on loopback the receiver's too) cost more CPU than AES-GCM did. It lives
 * only while a batch is unsent, so an idle connection does not keep it;
 * meanwhile OpenSSL writes into it (what it sends then, an alert or a key
 * update, goes after the batch, in order).
 */
struct tls_batch {
	BIO		*sock;		/* the socket's BIO, back once sent */
	unsigned char	*p;		/* the records */
	size_t		 len, cap;
	size_t		 done;		/* bytes of p the socket took */
	size_t		 nrec;		/* records sealed */
	size_t		 told;		/* records reported sent */
	size_t		 end[TLS_BATCH_RECS];	/* each record's end in p */
	size_t		 plain[TLS_BATCH_RECS];	/* its plaintext bytes */
};

/* One connection's TLS state. */
struct tls {
	const struct tls_module	*mod;		/* first: see tls_mod_of() */
	SSL			*ssl;
	struct tls_worker	*tw;
	int			 fd;
	const char		*peer;		/* the client, for log lines */
	bool			 peeked;	/* its first byte was TLS's */
	bool			 crossed;	/* waits on the other direction */
	bool			 ktls;		/* the kernel encrypts: SSL_sendfile */
	bool			 shut;		/* close_notify sent */
	bool			 drained;	/* a read came back short since the
						 * last readiness epoll reported */
	struct tls_batch	*batch;		/* records the socket has not taken */
};

/* ---- callbacks, run inside OpenSSL during a handshake ---- */

/* SNI: the certificate of the site the name picks, as a Host would
 * (exact name, then the longest wildcard, then the default site). */
static int
tls_on_sni(SSL *s, int *alert, void *arg)
{
	const struct tls_conf	*tc = arg;
	const char		*name;
	SSL_CTX			*ctx;

	(void)alert;
	if ((name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name)) == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	ctx = tc->ctx[vhost_pick(tc->conf, name, strlen(name))];
	if (ctx == NULL)
		ctx = tc->fallback;
	if (ctx != SSL_get_SSL_CTX(s) && SSL_set_SSL_CTX(s, ctx) == NULL)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	return SSL_TLSEXT_ERR_OK;
}

/* ALPN: HTTP/1.1 when the client offers it; else no protocol is named. */
static int
tls_on_alpn(SSL *s, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char	 ours[] = "\x08http/1.1";
	unsigned char			*pick;

	(void)s;
	(void)arg;
	if (SSL_select_next_proto(&pick, outlen, ours, sizeof(ours) - 1, in,
	    inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = pick;
	return SSL_TLSEXT_ERR_OK;
}

/* Key the HMAC of a ticket with key's secret. */
static int
tls_ticket_mac(EVP_MAC_CTX *hctx, const struct tls_ticket_key *key)
{
	OSSL_PARAM	p[3];

	p[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    (void *)key->hmac, sizeof(key->hmac));
	p[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	p[2] = OSSL_PARAM_construct_end();
	return EVP_MAC_CTX_set_params(hctx, p) == 1 ? 0 : -1;
}

/*
 * Session tickets under the generation's keys, which the master made and
 * every worker shares, so a client resumes on any worker: seal with the
 * current key; open with any key of the ring, asking for a new ticket
 * when it is not the current one, and always in TLS 1.3, whose clients
 * use a ticket once: without a new one their next connection is a full
 * handshake (1 sealed or opened, 2 opened and to be renewed, 0 unknown
 * key: a full handshake, -1 failure).
 */
static int
tls_on_ticket(SSL *s, unsigned char *name, unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	const struct tls_conf	*tc = SSL_CTX_get_app_data(SSL_get_SSL_CTX(s));
	struct tls_keys		*ring = tc->keys;
	uint32_t		 cur = __atomic_load_n(&ring->current,
				    __ATOMIC_ACQUIRE);
	const struct tls_ticket_key *key = &ring->key[cur];
	size_t			 i;

	if (enc) {
		if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1 ||
		    EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, key->aes,
		    iv) != 1)
			return -1;
		memcpy(name, key->name, TLS_TICKET_NAME);
		return tls_ticket_mac(hctx, key) == 0 ? 1 : -1;
	}
	for (i = 0; i < TLS_TICKET_KEYS; i++)
		if (memcmp(name, ring->key[i].name, TLS_TICKET_NAME) == 0)
			break;
	if (i == TLS_TICKET_KEYS)
		return 0;
	if (tls_ticket_mac(hctx, &ring->key[i]) == -1 ||
	    EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL,
	    ring->key[i].aes, iv) != 1)
		return -1;
	return i == cur && SSL_version(s) < TLS1_3_VERSION ? 1 : 2;
}

/* OCSP stapling: a copy of the site's response, for a client asking. */
static int
tls_on_status(SSL *s, void *arg)
{
	const struct tls_ocsp	*o = arg;
	unsigned char		*copy;

	if ((copy = OPENSSL_memdup(o->der, o->len)) == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	if (SSL_set_tlsext_status_ocsp_resp(s, copy, (long)o->len) != 1) {
		OPENSSL_free(copy);
		return SSL_TLSEXT_ERR_NOACK;
	}
	return SSL_TLSEXT_ERR_OK;
}

/* Make ctx answer as tine does; the master calls it while loading. */
void
tls_ctx_hooks(SSL_CTX *ctx, struct tls_conf *tc, struct tls_ocsp *ocsp)
{
	SSL_CTX_set_app_data(ctx, tc);
	SSL_CTX_set_tlsext_servername_callback(ctx, tls_on_sni);
	SSL_CTX_set_tlsext_servername_arg(ctx, tc);
	SSL_CTX_set_alpn_select_cb(ctx, tls_on_alpn, NULL);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, tls_on_ticket);
	if (ocsp != NULL && ocsp->der != NULL) {
		SSL_CTX_set_tlsext_status_cb(ctx, tls_on_status);
		SSL_CTX_set_tlsext_status_arg(ctx, ocsp);
	}
}

/* ---- a batch: records collected in memory, then one write(2) ---- */

/* The collecting BIO's write: append to the connection's batch. */
static int
tls_collect_write(BIO *b, const char *data, size_t len, size_t *written)
{
	struct tls		*t = BIO_get_data(b);
	struct tls_batch	*tb = t->batch;
	unsigned char		*p;
	size_t			 cap;

	if (tb->len + len > tb->cap) {
		/* Beyond the records we seal (an alert, a key update). */
		cap = tb->len + len + TLS_SEAL_MAX;
		if ((p = realloc(tb->p, cap)) == NULL)
			return 0;
		t->tw->batched += cap - tb->cap;
		tb->p = p;
		tb->cap = cap;
	}
	memcpy(tb->p + tb->len, data, len);
	tb->len += len;
	*written = len;
	return 1;
}

/* The collecting BIO's controls: a flush is done at once; no others. */
static long
tls_collect_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH;
}

/* A collecting BIO is ready once made. */
static int
tls_collect_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* The method of the BIO that collects a batch; NULL without memory. */
static BIO_METHOD *
tls_collect_method(void)
{
	BIO_METHOD	*m;

	if ((m = BIO_meth_new(TLS_BIO_TYPE, "tine batch")) == NULL)
		return NULL;
	if (BIO_meth_set_write_ex(m, tls_collect_write) != 1 ||
	    BIO_meth_set_ctrl(m, tls_collect_ctrl) != 1 ||
	    BIO_meth_set_create(m, tls_collect_create) != 1) {
		BIO_meth_free(m);
		return NULL;
	}
	return m;
}

/* Have OpenSSL write into a new batch, room for plain bytes sealed,
 * instead of the socket; -1 without memory. */
static int
tls_batch_start(struct tls *t, size_t plain)
{
	struct tls_batch	*tb;
	BIO			*b;

	if ((tb = calloc(1, sizeof(*tb))) == NULL)
		return -1;
	tb->cap = plain + (plain + TLS_RECORD - 1) / TLS_RECORD * TLS_SEAL_MAX;
	if ((tb->p = malloc(tb->cap)) == NULL ||
	    (b = BIO_new(t->tw->collect)) == NULL) {
		ERR_clear_error();
		free(tb->p);
		free(tb);
		return -1;
	}
	BIO_set_data(b, t);
	t->tw->batched += tb->cap;
	tb->sock = SSL_get_wbio(t->ssl);
	BIO_up_ref(tb->sock);
	t->batch = tb;
	SSL_set0_wbio(t->ssl, b);	/* frees the socket BIO's other ref */
	return 0;
}

/* The batch is sent: OpenSSL writes to the socket again. */
static void
tls_batch_end(struct tls *t)
{
	struct tls_batch	*tb = t->batch;

	SSL_set0_wbio(t->ssl, tb->sock);	/* frees the collecting BIO */
	t->tw->batched -= tb->cap;
	free(tb->p);
	free(tb);
	t->batch = NULL;
}

/* ---- connections ---- */

/* The worker's TLS state over the generation's contexts. */
static struct tls_worker *
tls_worker_new(const struct tls_conf *tc)
{
	struct tls_worker	*tw;

	/* Not calloc: the record buffer is scratch, and clearing it would
	 * make 16 KiB of every idle worker's memory its own. */
	if ((tw = malloc(sizeof(*tw))) == NULL)
		return NULL;
	tw->mod = &tine_tls_module;
	tw->tc = tc;
	tw->collect = NULL;
	tw->file = NULL;
	tw->batched = 0;
	return tw;
}

/* Make the collecting BIO's method, at a worker's first need; -1
 * (ENOMEM) without memory. */
static int
tls_worker_collect(struct tls_worker *tw)
{
	if (tw->collect == NULL && (tw->collect = tls_collect_method()) ==
	    NULL) {
		ERR_clear_error();
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Make what a worker's batches need, at its first file; -1 (ENOMEM)
 * without memory. */
static int
tls_worker_batches(struct tls_worker *tw)
{
	if (tls_worker_collect(tw) == -1)
		return -1;
	if (tw->file == NULL && (tw->file = aligned_alloc(TLS_PAGE,
	    TLS_BATCH)) == NULL) {
		ERR_clear_error();
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Release a worker's TLS state. */
static void
tls_worker_free(struct tls_worker *tw)
{
	if (tw == NULL)
		return;
	BIO_meth_free(tw->collect);
	free(tw->file);
	free(tw);
}

/*
 * The socket's reads, which OpenSSL makes: note whether one drains it
 * (returns less than it asked for, or nothing to read yet), and until
 * epoll reports readiness again (tls_ready()), answer reads with EAGAIN
 * without a read(2): edge-triggered, epoll reports any byte that arrives
 * after a short read. This spares the read(2) a handshake makes right
 * after its flight, which the client has not seen yet.
 */
static long
tls_on_bio(BIO *b, int oper, const char *argp, size_t len, int argi,
    long argl, int ret, size_t *processed)
{
	struct tls	*t = (struct tls *)BIO_get_callback_arg(b);

	(void)argp;
	(void)argi;
	(void)argl;
	if (oper == BIO_CB_READ && t->drained) {
		BIO_set_retry_read(b);
		return -1;
	}
	if (oper == (BIO_CB_READ | BIO_CB_RETURN))
		t->drained = ret <= 0 ? BIO_should_retry(b) :
		    processed != NULL && *processed < len;
	return ret;
}

/* TLS on an accepted socket, answering with the fallback certificate
 * until SNI names another. */
static struct tls *
tls_new(struct tls_worker *tw, int fd, const char *peer)
{
	struct tls	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->ssl = SSL_new(tw->tc->fallback)) == NULL ||
	    SSL_set_fd(t->ssl, fd) != 1) {
		ERR_clear_error();
		SSL_free(t->ssl);
		free(t);
		return NULL;
	}
	SSL_set_accept_state(t->ssl);
	BIO_set_callback_ex(SSL_get_rbio(t->ssl), tls_on_bio);
	BIO_set_callback_arg(SSL_get_rbio(t->ssl), (char *)t);
	t->mod = &tine_tls_module;
	t->tw = tw;
	t->fd = fd;
	t->peer = peer;
	return t;
}

/* Free a connection's TLS state. */
static void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	if (t->batch != NULL)
		tls_batch_end(t);	/* gives the socket BIO back to free */
	SSL_free(t->ssl);
	free(t);
}

/* Why an OpenSSL call failed with SSL_get_error() code err (errno saved
 * right after the call in sys); buf or a static string. */
static const char *
tls_why(int err, int sys, char *buf, size_t len)
{
	unsigned long	 e = ERR_peek_last_error();
	const char	*r;

	if (err == SSL_ERROR_SYSCALL && sys != 0)
		r = strerror(sys);
	else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN)
		r = "the client closed the connection";
	else if (e == 0 || (r = ERR_reason_error_string(e)) == NULL)
		r = "unknown error";
	snprintf(buf, len, "%s", r);
	ERR_clear_error();
	return buf;
}

/*
 * Look at the first byte before OpenSSL reads it: a TLS connection opens
 * with a handshake record; anything else is a client speaking plain HTTP
 * to the HTTPS port, which gets a 400 it can read, as nginx answers.
 */
static enum tls_step
tls_peek(struct tls *t)
{
	unsigned char	b;
	ssize_t		n = recv(t->fd, &b, 1, MSG_PEEK);

	if (n == 1 && b == TLS_HANDSHAKE) {
		t->peeked = true;
		return TLS_DONE;
	}
	if (n == 1)
		return TLS_PLAIN;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return TLS_WANT_READ;
	/* Closed before a byte was sent (a port check): nothing to say. */
	log_debug("TLS: %s closed before the handshake", t->peer);
	return TLS_FAILED;
}

/* After an OpenSSL read or write returned r <= 0: -1 with errno EAGAIN
 * when it must wait, else -1 with errno set (EPROTO: logged). */
static ssize_t
tls_wait(struct tls *t, int r, const char *what)
{
	int	sys = errno, err = SSL_get_error(t->ssl, r);
	char	why[TLS_WHY_MAX];

	switch (err) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		/* A read that must write (a key update's answer), or a write
		 * that must read: the other readiness unblocks it. */
		t->crossed = (err == SSL_ERROR_WANT_READ) != (*what == 'r');
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		errno = 0;
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		errno = sys != 0 ? sys : EPIPE;
		return sys != 0 ? -1 : 0;
	default:
		log_info("TLS %s with %s failed: %s", what, t->peer,
		    tls_why(err, sys, why, sizeof(why)));
		errno = EPROTO;
		return -1;
	}
}

/* Seal len bytes at p into the batch, a record per SSL_write_ex (partial
 * writes are on); the plaintext bytes sealed, or -1 with errno set when
 * not one record was. */
static ssize_t
tls_batch_seal(struct tls *t, const unsigned char *p, size_t len)
{
	struct tls_batch	*tb = t->batch;
	size_t			 w, n = 0;
	int			 r = 1;

	ERR_clear_error();
	while (n < len && tb->nrec < TLS_BATCH_RECS &&
	    (r = SSL_write_ex(t->ssl, p + n, len - n, &w)) == 1) {
		tb->end[tb->nrec] = tb->len;
		tb->plain[tb->nrec++] = w;
		n += w;
	}
	if (n > 0)
		return (ssize_t)n;
	if (tls_wait(t, r, "write") == 0)
		errno = EPIPE;
	return -1;
}

/*
 * Write what the socket takes of the batch; once all is out, OpenSSL
 * writes to the socket again. The plaintext of the records that left
 * whole (what the access log counts), 0 when none did and nothing is
 * left, or -1 with errno EAGAIN (wait) or the socket's error.
 */
static ssize_t
tls_batch_send(struct tls *t)
{
	struct tls_batch	*tb = t->batch;
	ssize_t			 n = 0;
	size_t			 told = 0;
	int			 sys = 0;

	while (tb->done < tb->len) {
		if ((n = send(t->fd, tb->p + tb->done, tb->len - tb->done,
		    MSG_NOSIGNAL)) == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			sys = errno;
			break;
		}
		tb->done += (size_t)n;
	}
	for (; tb->told < tb->nrec && tb->end[tb->told] <= tb->done;
	    tb->told++)
		told += tb->plain[tb->told];
	if (tb->done == tb->len)
		tls_batch_end(t);
	if (told > 0 || sys == 0)
		return (ssize_t)told;
	errno = sys;
	return -1;
}

/* Before OpenSSL writes to the socket itself: 0 when no batch is left,
 * else -1 with errno EAGAIN or the socket's error. */
static int
tls_batch_flush(struct tls *t)
{
	if (t->batch == NULL)
		return 0;
	if (tls_batch_send(t) == -1)
		return -1;
	if (t->batch == NULL)
		return 0;
	errno = EAGAIN;
	return -1;
}

/* Before a wait for the client: send what a handshake collected and no
 * response took; -1 with errno EAGAIN, or the socket's error. */
static ssize_t
tls_read_wait(struct tls *t)
{
	const struct tls_batch	*tb = t->batch;

	if (tb != NULL && tb->told == tb->nrec && tls_batch_flush(t) == -1) {
		if (errno != EAGAIN)
			return -1;
		t->crossed = true;	/* the socket must drain first */
	}
	errno = EAGAIN;
	return -1;
}

/* As read(2), through TLS. */
static ssize_t
tls_read(struct tls *t, void *buf, size_t len)
{
	ssize_t	r;
	int	n;

	t->crossed = false;
	ERR_clear_error();
	if ((n = SSL_read(t->ssl, buf, len > INT_MAX ? INT_MAX :
	    (int)len)) > 0)
		return n;
	if ((r = tls_wait(t, n, "read")) == -1 && errno == EAGAIN)
		return tls_read_wait(t);
	return r;
}

/*
 * Collect what OpenSSL writes in a handshake step after the first instead
 * of writing it record by record: the tickets that end a TLS 1.3
 * handshake (a write each) wait for the response to the request that came
 * with the client's Finished, to leave with it. Not the first step, whose
 * flight OpenSSL writes in one write(2) anyway; not under kernel TLS,
 * which OpenSSL sets up on the socket's own BIO; without memory OpenSSL
 * writes to the socket as before.
 */
static void
tls_cork(struct tls *t)
{
	if (t->batch != NULL || SSL_in_before(t->ssl) ||
	    (SSL_get_options(t->ssl) & SSL_OP_ENABLE_KTLS))
		return;
	if (tls_worker_collect(t->tw) == 0)
		(void)tls_batch_start(t, TLS_CORK);
}

/* Send what a handshake step collected before waiting for the client:
 * the step's result, TLS_WANT_WRITE while the socket must drain first. */
static enum tls_step
tls_uncork(struct tls *t, enum tls_step step)
{
	if (tls_batch_flush(t) == 0)
		return step;
	if (errno != EAGAIN) {
		log_debug("TLS handshake with %s: %s", t->peer,
		    strerror(errno));
		return TLS_FAILED;
	}
	t->crossed = true;
	return step == TLS_FAILED ? TLS_FAILED : TLS_WANT_WRITE;
}

/* Go on with the handshake (see tls.h and tls_mod.h). */
static enum tls_step
tls_handshake(struct tls *t)
{
	enum tls_step	 step;
	char		 why[TLS_WHY_MAX];
	int		 r, err, sys;

	t->crossed = false;
	if (!t->peeked && (step = tls_peek(t)) != TLS_DONE)
		return step;
	/* The rest of a flight the socket did not take at once. */
	if (t->batch != NULL && (step = tls_uncork(t, TLS_WANT_READ)) !=
	    TLS_WANT_READ)
		return step;
	tls_cork(t);
	ERR_clear_error();
	if ((r = SSL_do_handshake(t->ssl)) == 1) {
		t->ktls = BIO_get_ktls_send(SSL_get_wbio(t->ssl));
		/* The request is here: its response takes the tickets. */
		if (SSL_has_pending(t->ssl))
			return TLS_DONE;
		return tls_uncork(t, TLS_DONE) == TLS_FAILED ? TLS_FAILED :
		    TLS_DONE;
	}
	sys = errno;
	err = SSL_get_error(t->ssl, r);
	if (err == SSL_ERROR_WANT_READ)
		return tls_uncork(t, TLS_WANT_READ);
	if (err == SSL_ERROR_WANT_WRITE) {
		t->crossed = true;
		return TLS_WANT_WRITE;
	}
	/* A client's failure, said where an admin can look, but not loud. */
	log_info("TLS handshake with %s failed: %s", t->peer, tls_why(err,
	    sys, why, sizeof(why)));
	(void)tls_uncork(t, TLS_FAILED);	/* the alert that says why */
	return TLS_FAILED;
}

/*
 * Write len bytes at p as one record (partial writes are on). With fin
 * (they end the connection) and when they fit the record, close_notify
 * follows them in the same write(2), which tls_shutdown() would otherwise
 * make a write of its own; not under kernel TLS, whose records OpenSSL
 * writes to the socket's own BIO.
 */
static ssize_t
tls_write(struct tls *t, const void *p, size_t len, bool fin)
{
	struct tls_batch	*tb = t->batch;
	ssize_t			 sent;
	bool			 fresh = false;
	int			 n;

	t->crossed = false;
	/* A record of an earlier call still going out: its bytes are these
	 * (the connection has not moved on). */
	if (tb != NULL && tb->told < tb->nrec && (sent = tls_batch_send(t)) != 0)
		return sent;
	fin = fin && len <= TLS_RECORD && !t->ktls && !t->shut;
	if (fin && t->batch == NULL && tls_worker_collect(t->tw) == 0 &&
	    tls_batch_start(t, len) == 0)
		fresh = true;
	/* After what a handshake collected, or with close_notify: in the
	 * same write(2). */
	if (t->batch != NULL) {
		if (tls_batch_seal(t, p, len < TLS_RECORD ? len :
		    TLS_RECORD) == -1) {
			if (fresh)
				tls_batch_end(t);
			return -1;
		}
		if (fin) {
			ERR_clear_error();
			SSL_shutdown(t->ssl);
			ERR_clear_error();
			t->shut = true;
		}
		return tls_batch_send(t);
	}
	ERR_clear_error();
	if ((n = SSL_write(t->ssl, p, len > INT_MAX ? INT_MAX :
	    (int)len)) > 0)
		return n;
	if (tls_wait(t, n, "write") == 0)
		errno = EPIPE;
	return -1;
}

/*
 * As writev(2), one record at most: pieces are gathered into the worker's
 * buffer, so a head and a small body leave in one record. A retry after
 * EAGAIN gathers the same bytes again (the connection has not moved on),
 * which is what OpenSSL asks of a retried write. With fin, when the
 * record holds all of iov, close_notify follows it in the same write.
 */
static ssize_t
tls_writev(struct tls *t, const struct iovec *iov, int niov, bool fin)
{
	unsigned char	*buf = t->tw->buf;
	size_t		 len = 0, k = 0;
	int		 i;

	if (niov == 1 || iov[0].iov_len >= TLS_RECORD)
		return tls_write(t, iov[0].iov_base, iov[0].iov_len,
		    fin && niov == 1);
	for (i = 0; i < niov && len < TLS_RECORD; i++) {
		k = iov[i].iov_len < TLS_RECORD - len ? iov[i].iov_len :
		    TLS_RECORD - len;
		memcpy(buf + len, iov[i].iov_base, k);
		len += k;
	}
	return tls_write(t, buf, len, fin && i == niov &&
	    k == iov[niov - 1].iov_len);
}

/* Send up to len bytes of a file (see tls.h and tls_mod.h). */
static ssize_t
tls_sendfile(struct tls *t, int fd, off_t off, size_t len)
{
	struct tls_worker	*tw = t->tw;
	ossl_ssize_t		 n;
	size_t			 want = len < TLS_BATCH ? len : TLS_BATCH;

	t->crossed = false;
	if (t->ktls) {
		ERR_clear_error();
		if ((n = SSL_sendfile(t->ssl, fd, off, len, 0)) >= 0)
			return n;
		if (tls_wait(t, -1, "write") == 0)
			errno = EPIPE;
		return -1;
	}
	/* The rest of a batch: it holds the bytes from off on. */
	if (t->batch != NULL && (n = tls_batch_send(t)) != 0)
		return n;
	if (tls_worker_batches(tw) == -1)
		return -1;
	if (tw->batched + TLS_BATCH + TLS_BATCH_RECS * TLS_SEAL_MAX >
	    TLS_BATCH_BUDGET && want > TLS_RECORD)
		want = TLS_RECORD;
	if ((n = pread(fd, tw->file, want, off)) <= 0)
		return n;
	if (tls_batch_start(t, (size_t)n) == -1) {
		errno = ENOMEM;
		return -1;
	}
	if (tls_batch_seal(t, tw->file, (size_t)n) == -1) {
		tls_batch_end(t);
		return -1;
	}
	return tls_batch_send(t);
}

/* Whether the last call waited on the other direction (each call that
 * may wait starts by forgetting it). */
static bool
tls_crossed(const struct tls *t)
{
	return t->crossed;
}

/* Epoll reported readiness: the socket may hold bytes again. */
static void
tls_ready(struct tls *t)
{
	t->drained = false;
}

/* Whether the client's bytes are all read (see tls.h). */
static bool
tls_drained(const struct tls *t)
{
	return t->drained && !SSL_has_pending(t->ssl);
}

/* Send close_notify once, after a finished handshake; never waits. */
static void
tls_shutdown(struct tls *t)
{
	/* What is left of a batch first (close_notify may be in it); after
	 * an unsent one, close_notify would tear a record. */
	if (tls_batch_flush(t) == -1 || t->shut ||
	    !SSL_is_init_finished(t->ssl))
		return;
	t->shut = true;
	ERR_clear_error();
	SSL_shutdown(t->ssl);
	ERR_clear_error();
}

/* The protocol of a finished handshake, for the access log. */
static const char *
tls_protocol(const struct tls *t)
{
	return SSL_is_init_finished(t->ssl) ? SSL_get_version(t->ssl) : NULL;
}

/* The cipher of a finished handshake, for the access log. */
static const char *
tls_cipher(const struct tls *t)
{
	return SSL_is_init_finished(t->ssl) ? SSL_get_cipher_name(t->ssl) :
	    NULL;
}

/* The library the module was built on, for tine -v. */
static const char *
tls_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

/* The table the binary finds by name (tls_mod.h): the module's only
 * exported symbol. */
const struct tls_module tine_tls_module = {
	.abi = TLS_MODULE_ABI,
	.version = tls_version,
	.load = tls_ctx_load,
	.kernel = tls_ctx_kernel,
	.rotate = tls_ctx_rotate,
	.conf_free = tls_ctx_free,
	.worker_new = tls_worker_new,
	.worker_free = tls_worker_free,
	.conn_new = tls_new,
	.conn_free = tls_free,
	.handshake = tls_handshake,
	.read = tls_read,
	.writev = tls_writev,
	.sendfile = tls_sendfile,
	.crossed = tls_crossed,
	.ready = tls_ready,
	.drained = tls_drained,
	.shutdown = tls_shutdown,
	.protocol = tls_protocol,
	.cipher = tls_cipher,
};
