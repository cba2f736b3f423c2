// Swift cannot call C-variadic functions, and most libvips operations take their optional arguments as a
// NULL-terminated variadic tail. Each wrapper here is named after the call it wraps and only fills in that
// tail with the options this toolkit uses. Nothing else belongs here.
#ifndef CVIPS_SHIM_H
#define CVIPS_SHIM_H

#include <vips/vips.h>
// mallopt(M_ARENA_MAX): glibc's allocator for libvips' threads (Vips.swift); the Glibc module leaves malloc.h out.
#include <malloc.h>

/// vips_image_new_from_file: opens an image lazily (header only until pixels are needed).
static inline VipsImage *cvips_image_new_from_file(const char *filename, VipsFailOn fail_on) {
    return vips_image_new_from_file(filename, "fail_on", fail_on, NULL);
}

/// vips_image_new_from_file with an access pattern: sequential decodes only as far down as pixels are asked for.
static inline VipsImage *cvips_image_new_from_file_access(const char *filename, VipsAccess access,
                                                          VipsFailOn fail_on) {
    return vips_image_new_from_file(filename, "access", access, "fail_on", fail_on, NULL);
}

/// vips_image_new_from_file for a JPEG, decoded at 1/shrink of its size (libjpeg's DCT scaling: 1, 2, 4 or 8).
static inline VipsImage *cvips_image_new_from_file_shrink(const char *filename, int shrink, VipsAccess access,
                                                          VipsFailOn fail_on) {
    return vips_image_new_from_file(filename, "shrink", shrink, "access", access, "fail_on", fail_on, NULL);
}

/// vips_jpegload: opens a JPEG lazily (header only until pixels are needed), without looking for a loader.
static inline int cvips_jpegload(const char *filename, VipsImage **out, VipsFailOn fail_on) {
    return vips_jpegload(filename, out, "fail_on", fail_on, NULL);
}

/// vips_resize by one scale for both axes, with its default kernel (lanczos3).
static inline int cvips_resize(VipsImage *in, VipsImage **out, double scale) {
    return vips_resize(in, out, scale, NULL);
}

/// vips_extract_area with no options.
static inline int cvips_extract_area(VipsImage *in, VipsImage **out, int left, int top, int width, int height) {
    return vips_extract_area(in, out, left, top, width, height, NULL);
}

/// vips_thumbnail_image: vips_thumbnail's box and crop strategy, on an image already open.
static inline int cvips_thumbnail_image(VipsImage *in, VipsImage **out, int width, int height,
                                        VipsInteresting crop) {
    return vips_thumbnail_image(in, out, width, "height", height, "crop", crop, NULL);
}

/// vips_thumbnail with shrink-on-load, a fixed box, a crop strategy and a failure level.
static inline int cvips_thumbnail(const char *filename, VipsImage **out, int width, int height,
                                  VipsInteresting crop, VipsFailOn fail_on) {
    return vips_thumbnail(filename, out, width, "height", height, "crop", crop, "fail_on", fail_on, NULL);
}

/// vips_thumbnail with shrink-on-load to fit a box, not cropped and not turned upright (the EXIF orientation
/// is left in the image for a later vips_thumbnail_image), with a failure level.
static inline int cvips_thumbnail_unrotated(const char *filename, VipsImage **out, int width, int height,
                                            VipsFailOn fail_on) {
    return vips_thumbnail(filename, out, width, "height", height, "no_rotate", TRUE, "fail_on", fail_on, NULL);
}

/// vips_colourspace with no options.
static inline int cvips_colourspace(VipsImage *in, VipsImage **out, VipsInterpretation space) {
    return vips_colourspace(in, out, space, NULL);
}

/// vips_flatten onto a background colour.
static inline int cvips_flatten(VipsImage *in, VipsImage **out, VipsArrayDouble *background) {
    return vips_flatten(in, out, "background", background, NULL);
}

/// vips_black with a number of bands.
static inline int cvips_black(VipsImage **out, int width, int height, int bands) {
    return vips_black(out, width, height, "bands", bands, NULL);
}

/// vips_cast with no options.
static inline int cvips_cast(VipsImage *in, VipsImage **out, VipsBandFormat format) {
    return vips_cast(in, out, format, NULL);
}

/// vips_jpegsave_buffer at a quality, with or without metadata (`strip`).
static inline int cvips_jpegsave_buffer(VipsImage *in, void **buffer, size_t *length, int quality, gboolean strip) {
    return vips_jpegsave_buffer(in, buffer, length, "Q", quality, "strip", strip, NULL);
}

/// vips_webpsave_buffer at a quality, with or without metadata (`strip`).
static inline int cvips_webpsave_buffer(VipsImage *in, void **buffer, size_t *length, int quality, gboolean strip) {
    return vips_webpsave_buffer(in, buffer, length, "Q", quality, "strip", strip, NULL);
}

/// vips_heifsave_buffer at a quality, with a compression (VIPS_FOREIGN_HEIF_COMPRESSION_AV1 for AVIF), a bit
/// depth and an encoder effort (0-9), with or without metadata (`strip`).
static inline int cvips_heifsave_buffer(VipsImage *in, void **buffer, size_t *length, int quality,
                                        VipsForeignHeifCompression compression, int bitdepth, int effort,
                                        gboolean strip) {
    return vips_heifsave_buffer(in, buffer, length, "Q", quality, "compression", compression,
                                "bitdepth", bitdepth, "effort", effort, "strip", strip, NULL);
}

#endif
