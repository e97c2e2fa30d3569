#ifndef FRACTILE_CLIBPNG_SHIM_H
#define FRACTILE_CLIBPNG_SHIM_H
#include <png.h>
#include <zlib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* libpng reports errors by longjmp, which Swift cannot catch: the encoder's libpng calls live here, behind
   setjmp, and Swift sees a plain return code. */

typedef struct {
    unsigned char *data;
    size_t size;
    size_t capacity;
} fractile_png_buffer;

static void fractile_png_write_data(png_structp png, png_bytep bytes, png_size_t length) {
    fractile_png_buffer *buffer = (fractile_png_buffer *)png_get_io_ptr(png);
    if (buffer->size + length > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 4096;
        while (capacity < buffer->size + length) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(buffer->data, capacity);
        if (!grown) png_error(png, "out of memory");
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, bytes, length);
    buffer->size += length;
}

static void fractile_png_flush(png_structp png) { (void)png; }

static void fractile_png_ignore_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

/* Encodes an image whose rows are already in PNG sample layout (packed indices or RGB). Returns 0 on success;
   on failure the buffer is freed and -1 returned. */
static inline int fractile_png_encode(fractile_png_buffer *out, png_uint_32 width, png_uint_32 height,
                                      int bit_depth, int color_type, const png_color *palette, int palette_count,
                                      const unsigned char *const *rows, int compression_level, int filters) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, fractile_png_ignore_warning);
    if (!png) return -1;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(out->data);
        out->data = NULL;
        out->size = out->capacity = 0;
        return -1;
    }
    png_set_write_fn(png, out, fractile_png_write_data, fractile_png_flush);
    png_set_compression_level(png, compression_level);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
    png_set_IHDR(png, info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette) png_set_PLTE(png, info, palette, palette_count);
    png_write_info(png, info);
    png_write_image(png, (png_bytepp)rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}
#endif
