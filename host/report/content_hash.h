// SHA-256 (OpenSSL's libcrypto) of bytes and of files, as lowercase hex: the
// report's cache keys and the check that a cached file is what was stored.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace mind1024::host {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void add(const void* data, size_t size);
    void add(const std::string& s) { add(s.data(), s.size()); }
    std::string hex();  // finishes; the object is spent afterwards

private:
    void* ctx_;  // EVP_MD_CTX
};

std::string sha256_hex(const std::string& bytes);
// The file's contents; a ReportError naming the file if it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace mind1024::host
