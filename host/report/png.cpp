#include "host/report/png.h"

#include <algorithm>

#include <fmt/format.h>

#include "host/data/atomic_file.h"
#include "host/report/output_file.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>

namespace mind1024::host {

GreyImage tile_images(const std::vector<GreyImage>& tiles, int columns, int scale) {
    if (tiles.empty()) return GreyImage(1, 1, 128);
    const int tw = tiles[0].width, th = tiles[0].height;
    const int cols = std::max(1, std::min<int>(columns, static_cast<int>(tiles.size())));
    const int rows = static_cast<int>((tiles.size() + cols - 1) / cols);
    GreyImage out(cols * (tw * scale + 1) + 1, rows * (th * scale + 1) + 1, 128);
    for (size_t k = 0; k < tiles.size(); ++k) {
        const int ox = static_cast<int>(k % cols) * (tw * scale + 1) + 1;
        const int oy = static_cast<int>(k / cols) * (th * scale + 1) + 1;
        const GreyImage& t = tiles[k];
        for (int y = 0; y < th * scale; ++y)
            for (int x = 0; x < tw * scale; ++x)
                out.at(ox + x, oy + y) = t.pixels[size_t(y / scale) * t.width + x / scale];
    }
    return out;
}

GreyImage state_image(const std::vector<int8_t>& s, size_t first, int w, int h) {
    GreyImage img(w, h);
    for (int k = 0; k < w * h && first + k < s.size(); ++k) img.pixels[k] = s[first + k] > 0 ? 255 : 0;
    return img;
}

void write_png(const std::string& path, const GreyImage& img) {
    int len = 0;
    unsigned char* png = stbi_write_png_to_mem(img.pixels.data(), img.width, img.width, img.height, 1, &len);
    if (!png) throw ReportError(fmt::format("cannot encode {} as PNG", path));
    try {
        write_file_atomic(path, std::string(reinterpret_cast<const char*>(png), static_cast<size_t>(len)));
    } catch (...) {
        STBIW_FREE(png);
        throw;
    }
    STBIW_FREE(png);
}

}  // namespace mind1024::host
