// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vips workload of the overcommit benchmark: PARSEC's vips in spirit,
 * on Debian's libvips.  One process builds an sRGB image of Gaussian noise
 * once, then runs an image pipeline on it until the deadline: rotate and
 * scale (affine), blur (convolution with a Gaussian mask), sRGB -> CIELAB,
 * sharpen, and reduce the result to its average, which makes libvips
 * compute every tile of the pipeline on its thread pool (one worker per CPU
 * unless -c says otherwise, VIPS_CONCURRENCY).  Prints pipelines per second.
 *
 *   vips_pipeline -t SECONDS [-c THREADS] [-s WIDTHxHEIGHT] [-r]
 *
 * With -r, one result line per request read from standard input (see
 * serve.h), the image and the mask built once.
 *
 * One process, not one `vips` command per operation: in a nested guest
 * under emulation, starting the vips program (loading libvips and its
 * dependencies) takes seconds, far more than the image work.
 *
 * Built against libvips.so.42 without libvips-dev (which would pull in
 * more than a hundred development packages): the few entry points used
 * are declared below, as libvips 8 exports them; each option list ends in
 * NULL, and enum values are looked up by name at run time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

typedef struct _VipsImage VipsImage;

int vips_init(const char *argv0);
void vips_cache_set_max(int max);
const char *vips_error_buffer(void);
void vips_concurrency_set(int concurrency);
unsigned long vips_interpretation_get_type(void);
int vips_enum_from_nick(const char *domain, unsigned long type, const char *str);
int vips_gaussnoise(VipsImage **out, int width, int height, ...);
int vips_bandjoin(VipsImage **in, VipsImage **out, int n, ...);
int vips_cast_uchar(VipsImage *in, VipsImage **out, ...);
int vips_copy(VipsImage *in, VipsImage **out, ...);
VipsImage *vips_image_copy_memory(VipsImage *image);
int vips_gaussmat(VipsImage **out, double sigma, double min_ampl, ...);
int vips_affine(VipsImage *in, VipsImage **out, double a, double b, double c,
		double d, ...);
int vips_conv(VipsImage *in, VipsImage **out, VipsImage *mask, ...);
int vips_colourspace(VipsImage *in, VipsImage **out, int space, ...);
int vips_sharpen(VipsImage *in, VipsImage **out, ...);
int vips_avg(VipsImage *in, double *out, ...);
void g_object_unref(void *object);

static void die(const char *what)
{
	fprintf(stderr, "vips_pipeline: %s: %s\n", what, vips_error_buffer());
	exit(1);
}

static int interpretation(const char *nick)
{
	int v = vips_enum_from_nick("vips_pipeline",
				    vips_interpretation_get_type(), nick);

	if (v < 0)
		die(nick);
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Gaussian noise around 128, three bands, 8 bits, tagged sRGB, in memory. */
static VipsImage *make_input(int width, int height)
{
	VipsImage *noise, *bands[3], *joined, *cast, *srgb, *in;

	if (vips_gaussnoise(&noise, width, height, "mean", 128.0,
			    "sigma", 50.0, NULL))
		die("gaussnoise");
	bands[0] = bands[1] = bands[2] = noise;
	if (vips_bandjoin(bands, &joined, 3, NULL))
		die("bandjoin");
	if (vips_cast_uchar(joined, &cast, NULL))
		die("cast");
	if (vips_copy(cast, &srgb, "interpretation", interpretation("srgb"),
		      NULL))
		die("copy");
	in = vips_image_copy_memory(srgb);
	if (!in)
		die("copy_memory");
	g_object_unref(srgb);
	g_object_unref(cast);
	g_object_unref(joined);
	g_object_unref(noise);
	return in;
}

/* One pipeline over @in; returns the average of the result. */
static double pipeline(VipsImage *in, VipsImage *mask, int lab)
{
	VipsImage *rotated, *blurred, *converted, *sharpened;
	double avg;

	if (vips_affine(in, &rotated, 0.96, 0.28, -0.28, 0.96, NULL))
		die("affine");
	if (vips_conv(rotated, &blurred, mask, NULL))
		die("conv");
	if (vips_colourspace(blurred, &converted, lab, NULL))
		die("colourspace");
	if (vips_sharpen(converted, &sharpened, NULL))
		die("sharpen");
	if (vips_avg(sharpened, &avg, NULL))
		die("avg");
	g_object_unref(sharpened);
	g_object_unref(converted);
	g_object_unref(blurred);
	g_object_unref(rotated);
	return avg;
}

/* Run pipelines over @in for @secs seconds and print the result line. */
static void measure(VipsImage *in, VipsImage *mask, int lab, double secs,
		    int threads, int width, int height)
{
	double start, elapsed, avg = 0;
	long n = 0;

	start = now();
	do {
		avg += pipeline(in, mask, lab);
		n++;
		elapsed = now() - start;
	} while (elapsed < secs);

	printf("rate=%.3f unit=pipelines/s pipelines=%ld secs=%.2f threads=%d size=%dx%d avg=%.3f\n",
	       n / elapsed, n, elapsed, threads, width, height, avg / n);
}

int main(int argc, char **argv)
{
	int threads = sysconf(_SC_NPROCESSORS_ONLN), width = 320, height = 240;
	int opt, lab, repeat = 0;
	VipsImage *in, *mask;
	double secs = 5;

	while ((opt = getopt(argc, argv, "t:c:s:r")) != -1) {
		switch (opt) {
		case 't':
			secs = atof(optarg);
			break;
		case 'c':
			threads = atoi(optarg);
			break;
		case 's':
			if (sscanf(optarg, "%dx%d", &width, &height) != 2)
				width = 0;
			break;
		case 'r':
			repeat = 1;
			break;
		default:
			width = 0;
		}
	}
	if (secs <= 0 || threads < 1 || width < 16 || height < 16) {
		fprintf(stderr, "usage: %s -t SECONDS [-c THREADS] [-s WIDTHxHEIGHT] [-r]\n",
			argv[0]);
		return 2;
	}
	if (vips_init(argv[0]))
		die("init");
	/* Or every pipeline after the first comes from the operation cache. */
	vips_cache_set_max(0);
	vips_concurrency_set(threads);
	lab = interpretation("lab");
	in = make_input(width, height);
	if (vips_gaussmat(&mask, 2, 0.2, NULL))
		die("gaussmat");

	if (!repeat)
		measure(in, mask, lab, secs, threads, width, height);
	else
		while ((secs = next_request()))
			measure(in, mask, lab, secs, threads, width, height);
	g_object_unref(mask);
	g_object_unref(in);
	return 0;
}
