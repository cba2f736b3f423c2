// libjpeg reports a fatal error by calling error_exit, which must not return: the only way back is longjmp,
// which Swift cannot do. So the one decode the toolkit does with libjpeg directly is here whole, in C: a JPEG
// in memory decoded at 1/scale (libjpeg's DCT scaling) into 8-bit RGB or grey. Nothing else belongs here.
#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf back;
    int warnings;
} cjpeg_errors;

static void cjpeg_error_exit(j_common_ptr info) { longjmp(((cjpeg_errors *)info->err)->back, 1); }

static void cjpeg_emit_message(j_common_ptr info, int level) {
    if (level < 0) ((cjpeg_errors *)info->err)->warnings++;
}

/// Decodes the JPEG of `size` bytes at `data` at 1/`scale` (1, 2, 4 or 8) with libjpeg's default settings
/// (islow DCT, fancy upsampling), into a malloc'ed buffer of *width x *height x *bands bytes (3: RGB, 1: grey),
/// which the caller frees. Returns NULL on any error or warning (corrupt data), and for colour spaces other
/// than YCbCr, RGB and grey (CMYK and YCCK): the caller then has libvips decode it.
static inline unsigned char *cjpeg_decode_scaled(const unsigned char *data, unsigned long size, int scale,
                                                 int *width, int *height, int *bands) {
    struct jpeg_decompress_struct info;
    cjpeg_errors errors;
    unsigned char *volatile pixels = NULL;
    info.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = cjpeg_error_exit;
    errors.manager.emit_message = cjpeg_emit_message;
    errors.warnings = 0;
    if (setjmp(errors.back)) {
        jpeg_destroy_decompress(&info);
        free(pixels);
        return NULL;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    if (info.jpeg_color_space != JCS_YCbCr && info.jpeg_color_space != JCS_RGB && info.jpeg_color_space != JCS_GRAYSCALE) {
        jpeg_destroy_decompress(&info);
        return NULL;
    }
    info.out_color_space = info.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    info.scale_num = 1;
    info.scale_denom = (unsigned int)scale;
    jpeg_start_decompress(&info);
    size_t row = (size_t)info.output_width * (size_t)info.output_components;
    pixels = malloc(row * info.output_height);
    if (pixels == NULL) {
        jpeg_destroy_decompress(&info);
        return NULL;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW line = pixels + row * info.output_scanline;
        jpeg_read_scanlines(&info, &line, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *bands = info.output_components;
    int warned = errors.warnings;
    jpeg_destroy_decompress(&info);
    if (warned) {
        free(pixels);
        return NULL;
    }
    return pixels;
}

#endif
