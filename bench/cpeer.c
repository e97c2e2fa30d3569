/* The C peer of `make bench`: the straightforward per-pixel algorithm of docs/maps.md in scalar C99 <complex.h>
 * (ctanh, cabs), OpenMP over the rows of each tile, no colouring or PNG. It renders every tile of zooms ZMIN..ZMAX
 * of one map and prints, per tile, how many pixels fell in each regime, then the time and tiles per second.
 *
 *   cpeer forward-pass|gradient-basin|gradient-basin-wirtinger|backprop-flow CENTER_RE CENTER_IM SPAN ZMIN ZMAX
 *
 * Defaults of docs/maps.md throughout (the shipped maps use them). Build: gcc -O3 -march=native -fopenmp cpeer.c -lm */
#include <complex.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T = 256, MAXREG = 4 };
static const char *forward_names[] = {"escaped", "ordered", "chaotic"};
static const char *gradient_names[] = {"diverged", "converged", "saturated", "undecided"};
static const char *backprop_names[] = {"exploded", "vanished", "unit_circle", "bounded"};

static int forward_pass(double complex c) {
    const int N = 400;
    const double R = 1e4;
    double complex w = c, b = 0.3 * I * c, z = 0;
    double sum = 0;
    for (int n = 0; n < N; n++) {
        double complex next = ctanh(w * z + b);
        if (!isfinite(creal(next)) || !isfinite(cimag(next)) || cabs(next) > R) return 0;
        if (cabs(next - z) <= 1e-12) return 1;
        if (n >= N / 4) sum += log(fmax(cabs(w * (1 - next * next)), 1e-300));
        z = next;
    }
    return sum / (N - N / 4) < 0 ? 1 : 2;
}

static int gradient_basin(double complex w, int wirtinger) {
    static const double xs[4] = {-1, -0.5, 0.5, 1}, ys[4] = {-0.6, -0.3, 0.35, 0.7};
    const int N = 256;
    const double eta = 0.5, R = 1e6;
    for (int n = 0; n < N; n++) {
        double complex g = 0;
        for (int k = 0; k < 4; k++) {
            double complex t = ctanh(w * xs[k]), e = t - ys[k], s = 1 - t * t;
            g += wirtinger ? 2 * e * conj(xs[k] * s) : 2 * e * xs[k] * s;
        }
        double complex next = w - eta * g;
        if (!isfinite(creal(next)) || !isfinite(cimag(next)) || cabs(next) > R) return 0;
        if (cabs(next - w) <= 1e-12 * fmax(1, cabs(w))) {
            double largest = 0;
            for (int k = 0; k < 4; k++) {
                double complex t = ctanh(w * xs[k]);
                largest = fmax(largest, cabs(1 - t * t));
            }
            return largest < 1e-9 ? 2 : 1;
        }
        w = next;
    }
    return 3;
}

static int backprop_flow(double complex c) {
    const int N = 400;
    const double R = 1e4, vanish = 1e-8, tolerance = 0.05;
    double complex w = c, delta = 1;
    double ring = 0;
    for (int n = 0; n < N; n++) {
        double complex t = ctanh(w * delta);
        delta = (1 - t * t) * delta + c;
        double magnitude = cabs(delta);
        if (!isfinite(creal(delta)) || !isfinite(cimag(delta)) || magnitude > R) return 0;
        if (magnitude < vanish) return 1;
        if (n + 1 > N / 2) ring += fabs(magnitude - 1);
    }
    return ring / (N - N / 2) < tolerance ? 2 : 3;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s MAP CENTER_RE CENTER_IM SPAN ZMIN ZMAX\n", argv[0]);
        return 2;
    }
    const char *map = argv[1];
    double cre = atof(argv[2]), cim = atof(argv[3]), span = atof(argv[4]);
    int zmin = atoi(argv[5]), zmax = atoi(argv[6]);
    int kind = !strcmp(map, "forward-pass") ? 0 : !strcmp(map, "gradient-basin") ? 1
             : !strcmp(map, "gradient-basin-wirtinger") ? 2 : !strcmp(map, "backprop-flow") ? 3 : -1;
    if (kind < 0) {
        fprintf(stderr, "unknown map %s\n", map);
        return 2;
    }
    const char **names = kind == 0 ? forward_names : kind == 3 ? backprop_names : gradient_names;
    int regimes = kind == 0 ? 3 : 4;
    static unsigned char regime[T * T];
    int tiles = 0;
    double start = omp_get_wtime();
    for (int z = zmin; z <= zmax; z++) {
        for (int y = 0; y < (1 << z); y++) {
            for (int x = 0; x < (1 << z); x++) {
#pragma omp parallel for schedule(dynamic, 1)
                for (int j = 0; j < T; j++) {
                    double im = cim - span * ((y + (j + 0.5) / T) / (double)(1 << z) - 0.5);
                    for (int i = 0; i < T; i++) {
                        double re = cre + span * ((x + (i + 0.5) / T) / (double)(1 << z) - 0.5);
                        double complex p = re + im * I;
                        regime[j * T + i] = kind == 0 ? forward_pass(p) : kind == 3 ? backprop_flow(p)
                                                      : gradient_basin(p, kind == 2);
                    }
                }
                long counts[MAXREG] = {0};
                for (int k = 0; k < T * T; k++) counts[regime[k]]++;
                printf("tile %d/%d/%d", z, x, y);
                for (int r = 0; r < regimes; r++) printf(" %s=%ld", names[r], counts[r]);
                printf("\n");
                tiles++;
            }
        }
    }
    double seconds = omp_get_wtime() - start;
    printf("tiles %d seconds %.3f tiles_per_second %.3f threads %d\n", tiles, seconds, tiles / seconds,
           omp_get_max_threads());
    return 0;
}
