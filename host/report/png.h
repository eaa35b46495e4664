// PNG pictures of neuron states and images (stb_image_write), written atomically.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mind1024::host {

// A grey image, 0 = black, 255 = white.
struct GreyImage {
    int width = 0, height = 0;
    std::vector<uint8_t> pixels;
    GreyImage() = default;
    GreyImage(int w, int h, uint8_t fill = 0) : width(w), height(h), pixels(size_t(w) * h, fill) {}
    uint8_t& at(int x, int y) { return pixels[size_t(y) * width + x]; }
};

// Tiles: a grid of equally sized images with a 1-pixel grey border, scaled up.
GreyImage tile_images(const std::vector<GreyImage>& tiles, int columns, int scale = 4);
// A ±1 state vector as a w x h picture (+1 white).
GreyImage state_image(const std::vector<int8_t>& s, size_t first, int w, int h);
void write_png(const std::string& path, const GreyImage& img);

}  // namespace mind1024::host
