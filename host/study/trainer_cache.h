// Trainings by mind1024-train (the one program with libtorch), kept in a
// ResultCache under a key of the trainer's arguments and the SHA-256 of the
// data: the report and the design-space exploration share the entries.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/data/idx_reader.h"
#include "host/report/result_cache.h"

namespace mind1024::host {

// The SHA-256 of the splits as decoded (counts, geometry, images, labels): the
// raw and the gzip copy of a data set share entries.
std::string data_sha256(const MnistSet& train, const MnistSet& test);

struct Training {
    std::string id;                 // a name for the entry's directory and the log
    std::vector<std::string> args;  // of mind1024-train, without --data and --out
    nlohmann::json key;
    std::string dir;                // its cache entry
    bool cached = false;
};

// The training of `args` on the data of `data_sha`: its key and entry, looked
// up (a CacheError for a corrupt or stale entry). With `retrain`, not cached.
Training plan_training(const ResultCache& cache, const std::string& id, const std::vector<std::string>& args,
                       const std::string& data_sha, bool retrain);
// The argv that trains `t` from `data_dir` into `staging`.
std::vector<std::string> training_argv(const std::string& trainer, const Training& t, const std::string& data_dir,
                                       const std::string& staging);
// Trains `t` unless cached, its console in `log`: the entry's directory. A
// ReportError naming the training, its exit and its last lines if it fails.
std::string run_training(const ResultCache& cache, const Training& t, const std::string& trainer,
                         const std::string& data_dir, const std::string& log, bool retrain);

}  // namespace mind1024::host
