#include "host/report/content_hash.h"

#include <fstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "host/report/output_file.h"

namespace mind1024::host {

namespace {
EVP_MD_CTX* ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx(ctx_), EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256: OpenSSL failed to start a digest");
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx(ctx_)); }

void Sha256::add(const void* data, size_t size) {
    if (size && EVP_DigestUpdate(ctx(ctx_), data, size) != 1) throw std::runtime_error("SHA-256: OpenSSL digest update failed");
}

std::string Sha256::hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctx(ctx_), md, &len) != 1) throw std::runtime_error("SHA-256: OpenSSL digest failed");
    std::string s;
    for (unsigned i = 0; i < len; ++i) s += fmt::format("{:02x}", md[i]);
    return s;
}

std::string sha256_hex(const std::string& bytes) {
    Sha256 h;
    h.add(bytes);
    return h.hex();
}

std::string sha256_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ReportError(fmt::format("{}: cannot be read", path));
    Sha256 h;
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h.add(buf.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) throw ReportError(fmt::format("{}: read error", path));
    return h.hex();
}

}  // namespace mind1024::host
