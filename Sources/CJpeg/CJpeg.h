// libjpeg reports a fatal error by calling error_exit, which must not return: the only way back is longjmp,
// which Swift cannot do. So the one decode and the one encode the toolkit does with libjpeg directly are here
// whole, in C: a JPEG in memory decoded at 1/scale (libjpeg's DCT scaling) into 8-bit RGB or grey, and 8-bit
// RGB or grey in memory encoded as a baseline JPEG. Nothing else belongs here.
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

/// libjpeg's error manager with the two hooks above, for a zeroed (de)compress struct's `err`.
static inline struct jpeg_error_mgr *cjpeg_errors_start(cjpeg_errors *errors) {
    struct jpeg_error_mgr *manager = jpeg_std_error(&errors->manager);
    manager->error_exit = cjpeg_error_exit;
    manager->emit_message = cjpeg_emit_message;
    errors->warnings = 0;
    return manager;
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
    memset(&info, 0, sizeof info);
    info.err = cjpeg_errors_start(&errors);
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

/// Encodes `width` x `height` pixels of `bands` bytes each (3: RGB, 1: grey), rows `stride` bytes apart from
/// `pixels`, as a baseline JPEG at `quality`, its chroma at half size both ways (`subsample`) or full, with
/// libjpeg's defaults otherwise (islow DCT, standard Huffman tables) and no marker but the tables (no JFIF
/// header: as libvips' jpegsave with `strip` writes it), into a malloc'ed buffer of *size bytes, which the
/// caller frees. Returns NULL on any error (bad sizes, out of memory); libjpeg's warnings, which encoding from
/// memory does not give, are not looked at.
///
/// The output goes to a buffer of the pixels' size and a little more, which a JPEG of them does not outgrow
/// but for noise at the highest qualities; then libjpeg's memory destination moves it to a larger buffer of its
/// own, which it hands back at the end (the first one is freed here), or which an error after that loses.
static inline unsigned char *cjpeg_encode(const unsigned char *pixels, int width, int height, int bands,
                                          size_t stride, int quality, int subsample,
                                          unsigned long *size) {
    struct jpeg_compress_struct info;
    cjpeg_errors errors;
    unsigned long out_size = (unsigned long)width * (unsigned long)height * (unsigned long)(bands > 0 ? bands : 1) + 4096;
    unsigned char *const first = malloc(out_size);
    unsigned char *out = first;
    if (first == NULL) return NULL;
    memset(&info, 0, sizeof info);
    info.err = cjpeg_errors_start(&errors);
    if (setjmp(errors.back)) {
        jpeg_destroy_compress(&info);
        free(first);  // libjpeg's memory destination never frees the buffer it was given
        return NULL;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &out, &out_size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = bands;
    info.in_color_space = bands == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    info.write_JFIF_header = FALSE;
    if (!subsample) {
        info.comp_info[0].h_samp_factor = 1;
        info.comp_info[0].v_samp_factor = 1;
    }
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW line = (JSAMPROW)(pixels + stride * info.next_scanline);
        jpeg_write_scanlines(&info, &line, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    if (out != first) free(first);
    *size = out_size;
    return out;
}

#endif
