/* The C peer of `make bench` for the trainability map: docs/maps.md "trainability" as a straightforward scalar C loop per
 * pixel (forward pass, loss, exact gradients, update; libm tanh), OpenMP over the rows of each tile, no colouring or
 * PNG. It renders every tile of zooms ZMIN..ZMAX and prints, per tile, how many pixels fell in each regime, then
 * the time and tiles per second. With GRID=FILE in the environment it also writes the regimes of the last tile as
 * 256 x 256 bytes (0 converged, 1 diverged, 2 stalled), for exploring framings.
 *
 *   trainability_peer WIDTH POINTS SEED STEPS DIVERGE_LOSS CENTER_RE CENTER_IM SPAN ZMIN ZMAX [X Y]
 *
 * (X Y: render only tile ZMIN/X/Y.) Build: gcc -O3 -march=native -fopenmp trainability_peer.c -lm */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { T = 256 };
static const char *names[] = {"converged", "diverged", "stalled"};
static int h, n, steps;
static double diverge_loss, *X, *Y, *W0, *A0;

static uint64_t state;
static uint64_t draw(void) {
    state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static double normal(void) {
    uint64_t d1 = draw(), d2 = draw();
    double u1 = (double)((d1 >> 11) + 1) * 0x1p-53, u2 = (double)(d2 >> 11) * 0x1p-53;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* L(W, a) and its gradients; t is n*h scratch. */
static double loss(const double *W, const double *a, double *t, double *gW, double *ga) {
    double L = 0;
    for (int k = 0; k < n; k++) {
        double f = 0;
        for (int j = 0; j < h; j++) {
            double u = 0;
            for (int i = 0; i < h; i++) u += X[k * h + i] * W[i * h + j];
            t[k * h + j] = tanh(sqrt(2.0) * u / sqrt(h));
            f += t[k * h + j] * a[j];
        }
        double e = f / h - Y[k];
        L += e * e;
    }
    L /= n;
    for (int j = 0; j < h; j++) ga[j] = 0;
    for (int i = 0; i < h * h; i++) gW[i] = 0;
    for (int k = 0; k < n; k++) {
        double f = 0;
        for (int j = 0; j < h; j++) f += t[k * h + j] * a[j];
        double de = 2 * (f / h - Y[k]) / n;
        for (int j = 0; j < h; j++) {
            double tj = t[k * h + j];
            ga[j] += de * tj / h;
            double du = de * a[j] / h * (1 - tj * tj) * sqrt(2.0) / sqrt(h);
            for (int i = 0; i < h; i++) gW[i * h + j] += X[k * h + i] * du;
        }
    }
    return L;
}

static double L0;

static int pixel(double re, double im, double *scratch) {
    double eta1 = pow(10, re), eta2 = pow(10, im);
    double *W = scratch, *a = W + h * h, *gW = a + h, *ga = gW + h * h, *t = ga + h;
    for (int i = 0; i < h * h; i++) W[i] = W0[i];
    for (int j = 0; j < h; j++) a[j] = A0[j];
    double tail = 0;
    for (int s = 0; s < steps; s++) {
        double L = loss(W, a, t, gW, ga), r = L / L0;
        if (!isfinite(L) || r > diverge_loss) return 1;
        if (s >= steps - 20) tail += r;
        for (int i = 0; i < h * h; i++) W[i] -= eta1 * gW[i];
        for (int j = 0; j < h; j++) a[j] -= eta2 * ga[j];
    }
    return tail / 20 < 1 ? 0 : 2;
}

int main(int argc, char **argv) {
    if (argc != 11 && argc != 13) {
        fprintf(stderr, "usage: %s WIDTH POINTS SEED STEPS DIVERGE_LOSS CENTER_RE CENTER_IM SPAN ZMIN ZMAX [X Y]\n", argv[0]);
        return 2;
    }
    h = atoi(argv[1]);
    n = atoi(argv[2]);
    state = strtoull(argv[3], NULL, 10);
    steps = atoi(argv[4]);
    diverge_loss = atof(argv[5]);
    double cre = atof(argv[6]), cim = atof(argv[7]), span = atof(argv[8]);
    int zmin = atoi(argv[9]), zmax = atoi(argv[10]);
    X = malloc(sizeof(double) * n * h);
    Y = malloc(sizeof(double) * n);
    W0 = malloc(sizeof(double) * h * h);
    A0 = malloc(sizeof(double) * h);
    for (int i = 0; i < n * h; i++) X[i] = normal();
    for (int i = 0; i < n; i++) Y[i] = normal();
    for (int i = 0; i < h * h; i++) W0[i] = normal();
    for (int i = 0; i < h; i++) A0[i] = normal();
    size_t scratch_size = 2 * h * h + 2 * h + n * h;
    {
        double *scratch = malloc(sizeof(double) * scratch_size);
        L0 = loss(W0, A0, scratch + 2 * h * h + 2 * h, scratch, scratch + h * h);
        free(scratch);
    }
    static unsigned char grid[T * T];
    double started = omp_get_wtime();
    int tiles = 0;
    for (int z = zmin; z <= zmax; z++) {
        long side = 1L << z;
        for (long ty = 0; ty < side; ty++) {
            for (long tx = 0; tx < side; tx++) {
                if (argc == 13 && (tx != atol(argv[11]) || ty != atol(argv[12]))) continue;
                long counts[3] = {0, 0, 0};
#pragma omp parallel
                {
                    double *scratch = malloc(sizeof(double) * scratch_size);
                    long local[3] = {0, 0, 0};
#pragma omp for schedule(dynamic)
                    for (int j = 0; j < T; j++) {
                        for (int i = 0; i < T; i++) {
                            double re = cre + span * ((tx + (i + 0.5) / T) / side - 0.5);
                            double im = cim - span * ((ty + (j + 0.5) / T) / side - 0.5);
                            int regime = pixel(re, im, scratch);
                            grid[j * T + i] = (unsigned char)regime;
                            local[regime]++;
                        }
                    }
#pragma omp critical
                    for (int r = 0; r < 3; r++) counts[r] += local[r];
                    free(scratch);
                }
                printf("tile %d/%ld/%ld", z, tx, ty);
                for (int r = 0; r < 3; r++) printf(" %s=%ld", names[r], counts[r]);
                printf("\n");
                tiles++;
            }
        }
    }
    double seconds = omp_get_wtime() - started;
    printf("seconds %.3f tiles_per_second %.4f\n", seconds, tiles / seconds);
    const char *path = getenv("GRID");
    if (path) {
        FILE *file = fopen(path, "wb");
        if (!file || fwrite(grid, 1, sizeof grid, file) != sizeof grid) return 1;
        fclose(file);
    }
    return 0;
}
