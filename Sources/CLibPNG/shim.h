#ifndef FRACTILE_CLIBPNG_SHIM_H
#define FRACTILE_CLIBPNG_SHIM_H
#include <png.h>
#include <zlib.h>
#endif
