// SPDX-License-Identifier: GPL-2.0-only
/*
 * A de-duplicating compressor in the style of PARSEC dedup: a pipeline of
 * thread pools connected by bounded queues.
 *
 *   fragment (1 thread)    cuts the input into 256 KiB fragments
 *   refine   (N threads)   content-defined chunking (gear rolling hash,
 *                          1-16 KiB chunks, 4 KiB on average)
 *   dedup    (N threads)   SHA-1 of each chunk (OpenSSL libcrypto), looked up
 *                          in and added to one shared table (striped locks)
 *   compress (N threads)   zlib for chunks seen for the first time
 *   output   (1 thread)    accounts what comes out
 *
 * The queues hand over every chunk with a mutex and condition variables, so
 * threads sleep and wake one another all the time: in a guest, a stream of
 * wake-up IPIs between vCPUs and lock hand-overs, as in the original.
 *
 * The input is generated deterministically (-s MiB, default 16): segments of
 * pseudo-random data, 40 % of them repeats of an earlier segment. The input
 * is processed again and again until -t seconds have passed; each pass has
 * its own table, so every pass does the same work. The rate counts what
 * leaves the pipeline before the deadline; what is still in it then is
 * dropped, not finished, so that a measurement lasts -t seconds and not
 * -t plus the time a slow guest needs to drain the queues.
 *
 *   dedup [-t seconds] [-c threads per stage] [-s MiB] [-r]
 *
 * Prints one line: "rate=<MiB/s of input> unit=MiB/s ...". With -r, one
 * line per request read from standard input (see serve.h), the input
 * generated once and the table emptied before each measurement.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "serve.h"

#define FRAGMENT	(256 << 10)
#define CHUNK_MIN	(1 << 10)
#define CHUNK_MAX	(16 << 10)
#define CHUNK_MASK	((1u << 12) - 1)	/* 4 KiB on average */
#define QUEUE_LEN	64
/* Fragments queued ahead of the chunkers: bounds the run's overshoot. */
#define FRAGMENTS_AHEAD	4
#define TABLE_BITS	16
#define STRIPES		256

struct item {
	const unsigned char *data;
	size_t len;
	unsigned int pass;
	int duplicate;
	unsigned char *packed;
	unsigned long packed_len;
};

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	void *slot[QUEUE_LEN];
	unsigned int head, count, cap, producers;
};

struct entry {
	struct entry *next;
	unsigned int pass;
	unsigned char sha1[20];
};

static struct entry *table[1 << TABLE_BITS];
static pthread_mutex_t stripe[STRIPES];
static struct queue q_fragments, q_chunks, q_digested, q_packed;
static unsigned char *input;
static size_t input_len;
static uint32_t gear[256];
static unsigned long long out_in_bytes, out_packed_bytes, out_chunks, out_dups;
/* CLOCK_MONOTONIC seconds at which the running measurement ends. */
static double deadline;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Past the deadline, the stages drop what they pop instead of working on it. */
static int late(void)
{
	return now() >= deadline;
}

static void drop_chunk(struct item *c)
{
	free(c->packed);
	free(c);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, "dedup: out of memory\n");
		exit(1);
	}
	return p;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static void queue_init(struct queue *q, unsigned int cap, unsigned int producers)
{
	q->cap = cap;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	q->producers = producers;
}

/* Empty @q for a new measurement, once no thread uses it any more. */
static void queue_reset(struct queue *q, unsigned int producers)
{
	q->head = 0;
	q->count = 0;
	q->producers = producers;
}

static void queue_push(struct queue *q, void *p)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == q->cap)
		pthread_cond_wait(&q->not_full, &q->lock);
	q->slot[(q->head + q->count++) % QUEUE_LEN] = p;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

/* NULL once the queue is empty and every producer has finished. */
static void *queue_pop(struct queue *q)
{
	void *p = NULL;

	pthread_mutex_lock(&q->lock);
	while (!q->count && q->producers)
		pthread_cond_wait(&q->not_empty, &q->lock);
	if (q->count) {
		p = q->slot[q->head];
		q->head = (q->head + 1) % QUEUE_LEN;
		q->count--;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->lock);
	return p;
}

static void queue_producer_done(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	if (!--q->producers)
		pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

/* Segments of 8-64 KiB; 40 % repeat an earlier segment byte for byte. */
static void generate_input(size_t len)
{
	size_t off = 0, nseg = 0, cap = 1024, i, seg;
	size_t *seg_off = xmalloc(cap * sizeof(*seg_off));
	size_t *seg_len = xmalloc(cap * sizeof(*seg_len));

	input = xmalloc(len);
	while (off < len) {
		seg = 8192 + rng() % (56 << 10);
		if (seg > len - off)
			seg = len - off;
		if (nseg && rng() % 10 < 4) {
			i = rng() % nseg;
			if (seg > seg_len[i])
				seg = seg_len[i];
			memcpy(input + off, input + seg_off[i], seg);
		} else {
			for (i = 0; i < seg; i += 8) {
				uint64_t r = rng();

				/* Text-like bytes, so that zlib has work to do. */
				r &= 0x1f1f1f1f1f1f1f1full;
				r |= 0x4040404040404040ull;
				memcpy(input + off + i, &r, seg - i < 8 ? seg - i : 8);
			}
		}
		if (nseg == cap) {
			cap *= 2;
			seg_off = realloc(seg_off, cap * sizeof(*seg_off));
			seg_len = realloc(seg_len, cap * sizeof(*seg_len));
			if (!seg_off || !seg_len) {
				fprintf(stderr, "dedup: out of memory\n");
				exit(1);
			}
		}
		seg_off[nseg] = off;
		seg_len[nseg++] = seg;
		off += seg;
	}
	input_len = len;
	for (i = 0; i < 256; i++)
		gear[i] = (uint32_t)rng();
	free(seg_off);
	free(seg_len);
}

/* Hand bytes [start, end) of @frag to the dedup stage as one chunk. */
static void emit_chunk(const struct item *frag, size_t start, size_t end)
{
	struct item *c = xmalloc(sizeof(*c));

	*c = (struct item){ .data = frag->data + start, .len = end - start,
			    .pass = frag->pass };
	queue_push(&q_chunks, c);
}

static void *refine(void *arg)
{
	struct item *frag;
	size_t start, i;
	uint32_t h;

	(void)arg;
	while ((frag = queue_pop(&q_fragments))) {
		if (late()) {
			free(frag);
			continue;
		}
		/* A boundary where the hash's low bits are zero, or at the size limits. */
		for (start = 0, h = 0, i = 0; i < frag->len; i++) {
			h = (h << 1) + gear[frag->data[i]];
			if (i + 1 - start < CHUNK_MIN)
				continue;
			if ((h & CHUNK_MASK) && i + 1 - start < CHUNK_MAX)
				continue;
			emit_chunk(frag, start, i + 1);
			start = i + 1;
			h = 0;
		}
		if (start < frag->len)
			emit_chunk(frag, start, frag->len);
		free(frag);
	}
	queue_producer_done(&q_chunks);
	return NULL;
}

static void *dedup(void *arg)
{
	unsigned char sha1[EVP_MAX_MD_SIZE];
	unsigned int md_len, bucket;
	struct entry *e;
	struct item *c;

	(void)arg;
	while ((c = queue_pop(&q_chunks))) {
		if (late()) {
			drop_chunk(c);
			continue;
		}
		if (!EVP_Digest(c->data, c->len, sha1, &md_len, EVP_sha1(), NULL)) {
			fprintf(stderr, "dedup: SHA-1 failed\n");
			exit(1);
		}
		memcpy(&bucket, sha1, sizeof(bucket));
		bucket = (bucket ^ c->pass * 0x9e3779b1u) & ((1 << TABLE_BITS) - 1);
		pthread_mutex_lock(&stripe[bucket % STRIPES]);
		for (e = table[bucket]; e; e = e->next)
			if (e->pass == c->pass && !memcmp(e->sha1, sha1, 20))
				break;
		if (!e) {
			e = xmalloc(sizeof(*e));
			e->pass = c->pass;
			memcpy(e->sha1, sha1, 20);
			e->next = table[bucket];
			table[bucket] = e;
		} else {
			c->duplicate = 1;
		}
		pthread_mutex_unlock(&stripe[bucket % STRIPES]);
		queue_push(&q_digested, c);
	}
	queue_producer_done(&q_digested);
	return NULL;
}

static void *compress_chunks(void *arg)
{
	struct item *c;

	(void)arg;
	while ((c = queue_pop(&q_digested))) {
		if (late()) {
			drop_chunk(c);
			continue;
		}
		if (!c->duplicate) {
			c->packed_len = compressBound(c->len);
			c->packed = xmalloc(c->packed_len);
			if (compress2(c->packed, &c->packed_len, c->data, c->len, 6) != Z_OK) {
				fprintf(stderr, "dedup: zlib failed\n");
				exit(1);
			}
		}
		queue_push(&q_packed, c);
	}
	queue_producer_done(&q_packed);
	return NULL;
}

static void *output(void *arg)
{
	struct item *c;

	(void)arg;
	while ((c = queue_pop(&q_packed))) {
		if (!late()) {
			out_in_bytes += c->len;
			out_chunks++;
			if (c->duplicate)
				out_dups++;
			else
				out_packed_bytes += c->packed_len;
		}
		drop_chunk(c);
	}
	return NULL;
}

/* Free the table's entries, so that every measurement does the same work. */
static void table_clear(void)
{
	struct entry *e, *next;
	size_t i;

	for (i = 0; i < 1 << TABLE_BITS; i++) {
		for (e = table[i]; e; e = next) {
			next = e->next;
			free(e);
		}
		table[i] = NULL;
	}
}

/* Run the pipeline over the input for @secs seconds; print the result line. */
static int measure(long threads, double secs)
{
	double start, elapsed;
	unsigned int pass = 0;
	pthread_t *pool, out;
	struct item *frag;
	size_t off;
	int i;

	table_clear();
	out_in_bytes = out_packed_bytes = out_chunks = out_dups = 0;
	queue_reset(&q_fragments, 1);
	queue_reset(&q_chunks, threads);
	queue_reset(&q_digested, threads);
	queue_reset(&q_packed, threads);

	pool = xmalloc(3 * threads * sizeof(*pool));
	start = now();
	deadline = start + secs;
	for (i = 0; i < threads; i++)
		if (pthread_create(&pool[i], NULL, refine, NULL) ||
		    pthread_create(&pool[threads + i], NULL, dedup, NULL) ||
		    pthread_create(&pool[2 * threads + i], NULL, compress_chunks, NULL)) {
			fprintf(stderr, "dedup: pthread_create failed\n");
			return 1;
		}
	if (pthread_create(&out, NULL, output, NULL)) {
		fprintf(stderr, "dedup: pthread_create failed\n");
		return 1;
	}

	/* The fragment stage: passes over the input until the time is up. */
	do {
		for (off = 0; off < input_len && !late(); off += FRAGMENT) {
			frag = xmalloc(sizeof(*frag));
			*frag = (struct item){ .data = input + off, .pass = pass,
				.len = input_len - off < FRAGMENT ? input_len - off : FRAGMENT };
			queue_push(&q_fragments, frag);
		}
		pass++;
	} while (!late());
	queue_producer_done(&q_fragments);

	for (i = 0; i < 3 * threads; i++)
		pthread_join(pool[i], NULL);
	pthread_join(out, NULL);
	free(pool);
	/* secs= is how long the measurement took, drop included. */
	elapsed = now() - start;
	printf("rate=%.3f unit=MiB/s threads=%ld MiB=%.1f chunks=%llu dup=%.1f%% ratio=%.2f secs=%.2f passes=%u\n",
	       out_in_bytes / secs / (1 << 20), threads,
	       out_in_bytes / (double)(1 << 20), out_chunks,
	       out_chunks ? 100.0 * out_dups / out_chunks : 0,
	       out_packed_bytes ? (double)out_in_bytes / out_packed_bytes : 0,
	       elapsed, pass);
	return 0;
}

int main(int argc, char **argv)
{
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	int opt, i, repeat = 0;
	double secs = 5;
	size_t mib = 16;

	while ((opt = getopt(argc, argv, "t:c:s:r")) != -1) {
		switch (opt) {
		case 't': secs = atof(optarg); break;
		case 'c': threads = atol(optarg); break;
		case 's': mib = atol(optarg); break;
		case 'r': repeat = 1; break;
		default:
			fprintf(stderr, "usage: %s [-t seconds] [-c threads] [-s MiB] [-r]\n",
				argv[0]);
			return 2;
		}
	}
	if (threads < 1 || !mib || secs <= 0) {
		fprintf(stderr, "dedup: -c, -s and -t must be positive\n");
		return 2;
	}
	generate_input(mib << 20);
	for (i = 0; i < STRIPES; i++)
		pthread_mutex_init(&stripe[i], NULL);
	queue_init(&q_fragments, FRAGMENTS_AHEAD, 1);
	queue_init(&q_chunks, QUEUE_LEN, threads);
	queue_init(&q_digested, QUEUE_LEN, threads);
	queue_init(&q_packed, QUEUE_LEN, threads);

	return serve_threads(measure, threads, secs, repeat);
}
